//! Zeek logs written as JSON (`LogAscii::use_json=T`, or JSON streamed to a
//! SIEM): one object per line, keys as in the TSV logs (`ts`,
//! `id.orig_h`, ...), `ts` as epoch seconds or ISO 8601 text.
//!
//! Reference: <https://docs.zeek.org/en/master/log-formats.html#zeek-json-format-logs>.
//!
//! conn, http and ssl records are read with the same semantics as the TSV
//! logs (see [`super::zeek`]); the kind comes from `_path` when present,
//! else from the fields a record has (`conn_state`, `method`/`uri`,
//! `server_name`/`cipher`). dns and every other kind of record are
//! ignored. `\xNN` escapes Zeek keeps inside JSON strings are decoded.

use super::json_de::{has, is_object, Num, Stamp, Str};
use super::zeek::{apply_conn, apply_http, apply_ssl, decode, Http};
use super::{parse_ip, Field, Format, Framing, LineError, LineResult};
use crate::record::{Proto, Record};
use crate::time::TimeCtx;
use serde::Deserialize;

pub struct ZeekJson;

/// The fields of the conn, http, ssl (and, to recognise it, dns) records.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry<'a> {
    #[serde(borrow, rename = "_path")]
    path: Str<'a>,
    ts: Stamp,
    #[serde(borrow, rename = "id.orig_h")]
    orig_h: Str<'a>,
    #[serde(rename = "id.orig_p")]
    orig_p: Num,
    #[serde(borrow, rename = "id.resp_h")]
    resp_h: Str<'a>,
    #[serde(rename = "id.resp_p")]
    resp_p: Num,
    // conn
    #[serde(borrow)]
    proto: Str<'a>,
    #[serde(borrow)]
    service: Str<'a>,
    orig_bytes: Num,
    resp_bytes: Num,
    #[serde(borrow)]
    conn_state: Str<'a>,
    // http
    #[serde(borrow)]
    method: Str<'a>,
    #[serde(borrow)]
    host: Str<'a>,
    #[serde(borrow)]
    uri: Str<'a>,
    #[serde(borrow)]
    user_agent: Str<'a>,
    #[serde(borrow)]
    username: Str<'a>,
    status_code: Num,
    request_body_len: Num,
    response_body_len: Num,
    // ssl
    #[serde(borrow)]
    server_name: Str<'a>,
    #[serde(borrow)]
    cipher: Str<'a>,
    // dns
    #[serde(borrow)]
    query: Str<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Conn,
    Http,
    Ssl,
    Dns,
    Other,
}

fn kind_of(e: &Entry) -> Kind {
    match e.path.0.as_deref() {
        Some("conn") => Kind::Conn,
        Some("http") => Kind::Http,
        Some("ssl") => Kind::Ssl,
        Some("dns") => Kind::Dns,
        Some(_) => Kind::Other,
        None if e.conn_state.0.is_some() => Kind::Conn,
        None if e.method.0.is_some() || e.uri.0.is_some() => Kind::Http,
        None if e.server_name.0.is_some() || e.cipher.0.is_some() => Kind::Ssl,
        None if e.query.0.is_some() => Kind::Dns,
        None => Kind::Other,
    }
}

impl Format for ZeekJson {
    fn name(&self) -> &'static str {
        "zeek-json"
    }

    fn title(&self) -> &'static str {
        "Zeek conn, http and ssl logs as JSON lines"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        if is_object(line) {
            has(line, b"\"id.orig_h\"") && (has(line, b"\"ts\"") || has(line, b"\"uid\""))
        } else {
            // A line of pretty-printed JSON.
            line.trim_ascii_start().starts_with(b"\"id.orig_h\":")
        }
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        if line.first() == Some(&b'#') {
            return Err(LineError::Ignored("comment line"));
        }
        let e: Entry<'a> = serde_json::from_slice(line).map_err(|_| LineError::Skipped("invalid JSON"))?;
        match kind_of(&e) {
            Kind::Dns => return Err(LineError::Ignored("zeek dns record")),
            Kind::Other => return Err(LineError::Ignored("zeek record without a connection")),
            Kind::Conn | Kind::Http | Kind::Ssl => {}
        }
        let kind = kind_of(&e);
        let time_ms = e.ts.0.ok_or(LineError::Skipped("bad or missing ts"))?;
        let src_ip = parse_ip(e.orig_h.bytes()).ok_or(LineError::Skipped("bad or missing id.orig_h"))?;
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            src_port: e.orig_p.u16(),
            dst_ip: parse_ip(e.resp_h.bytes()),
            dst_port: e.resp_p.u16(),
            ..Record::default()
        };
        let text = |s: Str<'a>| s.take().map(decode);
        match kind {
            Kind::Conn => apply_conn(
                &mut rec,
                Proto::parse(e.proto.bytes()),
                text(e.service),
                e.orig_bytes.0,
                e.resp_bytes.0,
                e.conn_state.bytes(),
            ),
            Kind::Http => apply_http(
                &mut rec,
                Http {
                    method: text(e.method),
                    host: text(e.host),
                    uri: text(e.uri),
                    user_agent: text(e.user_agent),
                    username: text(e.username),
                    status: e.status_code.u16(),
                    request_body_len: e.request_body_len.0,
                    response_body_len: e.response_body_len.0,
                },
            ),
            _ => apply_ssl(&mut rec, text(e.server_name)),
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Action, Scheme};

    fn p(l: &str) -> LineResult<'_> {
        ZeekJson.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn conn_record_with_float_ts() {
        let r = p(r#"{"ts":1767225600.857497,"uid":"CAcJw21BbVedgFnYH3","id.orig_h":"10.0.0.5","id.orig_p":38339,"id.resp_h":"203.0.113.1","id.resp_p":443,"proto":"tcp","service":"ssl","duration":0.07,"orig_bytes":750,"resp_bytes":1780,"conn_state":"SF","local_orig":true,"local_resp":false,"missed_bytes":0,"history":"ShADadFf","orig_pkts":6,"orig_ip_bytes":1070,"resp_pkts":5,"resp_ip_bytes":2040,"tunnel_parents":[]}"#).unwrap();
        assert_eq!(r.time_ms, 1_767_225_600_857);
        assert_eq!((r.src_port, r.dst_port), (Some(38339), Some(443)));
        assert_eq!(
            (r.bytes_out, r.bytes_in, r.service.as_deref()),
            (Some(750), Some(1780), Some("ssl"))
        );
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
    }

    #[test]
    fn iso_ts_and_rejected_connection() {
        let r = p(r#"{"ts":"2026-01-01T00:00:01.500000Z","uid":"C2","id.orig_h":"10.0.0.5","id.orig_p":46408,"id.resp_h":"198.51.100.2","id.resp_p":25,"proto":"tcp","conn_state":"REJ","history":"Sr"}"#).unwrap();
        assert_eq!((r.time_ms, r.action, r.bytes_out), (1_767_225_601_500, Action::Denied, None));
    }

    #[test]
    fn http_record_by_fields_and_escapes() {
        let r = p(r#"{"ts":1767225602.0,"uid":"C3","id.orig_h":"10.0.0.6","id.orig_p":59856,"id.resp_h":"192.0.2.43","id.resp_p":80,"trans_depth":1,"method":"GET","host":"updates.example.com","uri":"/feed?since=1&sig=\\x07","version":"1.1","user_agent":"Wget/1.21","request_body_len":0,"response_body_len":4705,"status_code":200,"status_msg":"OK","tags":[]}"#).unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("updates.example.com"));
        assert_eq!(r.url.as_deref(), Some("/feed?since=1&sig=\u{7}"));
        assert_eq!(
            (r.url_query, r.scheme, r.status, r.bytes_in),
            (true, Scheme::Http, Some(200), Some(4705))
        );
    }

    #[test]
    fn ssl_record_by_path() {
        let r = p(r#"{"_path":"ssl","_write_ts":"2026-01-01T00:00:03.1Z","ts":"2026-01-01T00:00:03.0Z","uid":"C4","id.orig_h":"10.0.0.7","id.orig_p":39611,"id.resp_h":"198.51.100.3","id.resp_p":443,"version":"TLSv13","cipher":"TLS_AES_128_GCM_SHA256","server_name":"api.example.com","resumed":false,"established":true}"#).unwrap();
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("api.example.com"), Some(443)));
    }

    #[test]
    fn dns_other_comments_and_malformed() {
        assert_eq!(
            p(
                r#"{"_path":"dns","ts":1767225604.0,"uid":"C5","id.orig_h":"10.0.0.8","id.orig_p":41772,"id.resp_h":"10.0.0.53","id.resp_p":53,"proto":"udp","query":"example.com"}"#
            ),
            Err(LineError::Ignored("zeek dns record"))
        );
        assert_eq!(
            p(
                r#"{"ts":1767225604.0,"uid":"C5","id.orig_h":"10.0.0.8","id.orig_p":41772,"id.resp_h":"10.0.0.53","id.resp_p":53,"proto":"udp","query":"example.com"}"#
            ),
            Err(LineError::Ignored("zeek dns record"))
        );
        assert_eq!(
            p(r#"{"_path":"files","ts":1.0}"#),
            Err(LineError::Ignored("zeek record without a connection"))
        );
        assert_eq!(p("### BTest baseline data"), Err(LineError::Ignored("comment line")));
        assert_eq!(
            p(r#"{"ts":XXXXXXXXXX.XXXXXX,"uid":"C","id.orig_h":"10.0.0.1"}"#),
            Err(LineError::Skipped("invalid JSON"))
        );
        assert_eq!(
            p(r#"{"uid":"C","id.orig_h":"10.0.0.1","conn_state":"SF"}"#),
            Err(LineError::Skipped("bad or missing ts"))
        );
    }

    #[test]
    fn sniff_is_specific() {
        assert!(ZeekJson.sniff(br#"{"ts":1.0,"uid":"C1","id.orig_h":"10.0.0.1"}"#));
        assert!(!ZeekJson.sniff(br#"{"timestamp":"x","event_type":"flow","src_ip":"10.0.0.1"}"#));
        assert!(!ZeekJson.sniff(b"1300475167.096535\tCHhAvVGS1DHFjwGM9\t141.142.220.202"));
    }
}
