//! Symantec / Broadcom Web Security Service (WSS, "Cloud SWG") access logs
//! as JSON objects whose members are named like ELFF fields (`c-ip`,
//! `cs-host`, `cs-uri-port`, `sc-bytes`, `x-bluecoat-*`), as the WSS
//! log-sync API and SIEM connectors deliver them. Values may be strings or
//! numbers. WSS logs downloaded as W3C text files keep their `#Fields:`
//! header and are read by [`super::w3c`].
//!
//! Reference: "Access Log Fields" for Cloud SWG
//! <https://techdocs.broadcom.com/us/en/symantec-security-software/web-and-network-security/cloud-swg/help/wss-reference/accesslogformats-ref.html>.
//!
//! WSS is a cloud proxy: `s-ip` is the WSS node and is never the
//! destination; `x-http-connect-host`/`-port` name the target of CONNECT
//! requests. `date` and `time` are UTC.

use super::elff::{role_of, Elff, FileInfo};
use super::jsonwalk::{looks_like_object, walk, Scalar, Sink};
use super::{Field, Format, Framing, LineError, LineResult};
use crate::time::TimeCtx;

pub struct SymantecWss;

struct ElffSink<'a>(Elff<'a>);

impl<'a> Sink<'a> for ElffSink<'a> {
    fn field(&mut self, key: &str, value: Scalar<'a>) {
        if let Some(r) = role_of(key.trim_end().as_bytes()) {
            self.0.set(r, value);
        }
    }
}

impl Format for SymantecWss {
    fn name(&self) -> &'static str {
        "symantec-wss"
    }

    fn title(&self) -> &'static str {
        "Symantec/Broadcom Web Security Service (Cloud SWG) access log, JSON with ELFF field names"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        // One-line objects and the member lines of pretty-printed ones.
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        has(b"\"x-bluecoat-") || (has(b"\"c-ip\"") && (has(b"\"cs-host\"") || has(b"\"sc-filter-result\"")))
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        if !looks_like_object(line) {
            return Err(LineError::Skipped("not a JSON object"));
        }
        let mut sink = ElffSink(Elff::new());
        walk(line, &mut sink).map_err(|_| LineError::Skipped("malformed JSON"))?;
        sink.0.finish(
            ctx,
            &FileInfo {
                proxy: true,
                ..FileInfo::default()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Action;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        SymantecWss.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn one_line_object_with_string_numbers() {
        let r = p(r#"{"date":"2026-03-04","time":"16:55:02","c-ip":"10.20.0.15","cs-userdn":"EXAMPLE\\jdoe","sc-filter-result":"OBSERVED","sc-status":"200","cs-method":"GET","cs-uri-scheme":"https","cs-host":"files.example.com","cs-uri-port":"443","cs-uri-path":"/v1/list","cs-uri-query":"?token=x","s-ip":"198.51.100.1","sc-bytes":"5120","cs-bytes":"700","r-ip":"203.0.113.20","cs(User-Agent)":"rclone/v1.66","x-bluecoat-application-name":"Example Files"}"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-03-04T16:55:02Z");
        assert_eq!((r.src_ip, r.dst_ip), ("10.20.0.15".parse().ok(), "203.0.113.20".parse().ok()));
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("files.example.com"), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(700), Some(5120)));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.service.as_deref(), Some("Example Files"));
        assert_eq!(r.user_agent.as_deref(), Some("rclone/v1.66"));
        assert!(r.url_query && r.url.as_deref() == Some("?token=x"));
    }

    #[test]
    fn pretty_printed_with_json_numbers_and_connect_target() {
        let r = p("{\n  \"date\": \"2026-01-17\",\n  \"time\": \"12:34:56\",\n  \"c-ip\": \"10.1.1.1\",\n  \"cs-method\": \"CONNECT\",\n  \"cs-host\": \"proxy-side.example\",\n  \"x-http-connect-host\": \"tunnel.example.net\",\n  \"x-http-connect-port\": 8443,\n  \"cs-bytes\": 1024,\n  \"sc-bytes\": 2048,\n  \"s-action\": \"Deny\",\n  \"cs-categories\": [\"A\", \"B\"]\n}").unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("tunnel.example.net"));
        assert_eq!((r.dst_port, r.bytes_out), (Some(8443), Some(1024)));
        assert_eq!(r.action, Action::Denied);
        assert!(SymantecWss.sniff(b"  \"x-bluecoat-transaction-uuid\": \"abc\","));
    }

    #[test]
    fn unusable_records() {
        assert_eq!(p("not json").unwrap_err(), LineError::Skipped("not a JSON object"));
        assert_eq!(p("{\"c-ip\": ").unwrap_err(), LineError::Skipped("malformed JSON"));
        assert_eq!(
            p(r#"{"date":"2026-01-17","time":"12:34:56","cs-host":"x.example"}"#).unwrap_err(),
            LineError::Skipped("no client address")
        );
    }
}
