//! Menlo Security Cloud Security Platform (isolation and secure web gateway)
//! web logs, as JSON objects from the Menlo Log API or a SIEM export:
//! either flat or wrapped as `{"event": {...}}`.
//!
//! Reference: Menlo Security "Log API" web log fields, and Elastic's `menlo`
//! integration that reads them
//! <https://www.elastic.co/docs/reference/integrations/menlo>.
//!
//! The source is `x-client-ip` (the client as Menlo saw it); the destination
//! is the URL host (or `domain`) and `origin_ip`, the origin server's
//! address, else the first address of `dst`. `pe_action` `block` is a
//! denial; `allow`, `isolate` and the others let the request reach the
//! origin. `event_time` has no zone: it is read in `--tz`.

use super::jsonwalk::{looks_like_object, walk, Scalar, Sink};
use super::url::split_url;
use super::{Field, Format, Framing, LineError, LineResult};
use crate::record::{Action, Proto, Record, Scheme};
use crate::time::{parse_iso8601, TimeCtx};

pub struct Menlo;

#[derive(Default)]
struct Web<'a> {
    time: Option<Scalar<'a>>,
    client_ip: Option<Scalar<'a>>,
    origin_ip: Option<Scalar<'a>>,
    dst: Option<Scalar<'a>>,
    domain: Option<Scalar<'a>>,
    url: Option<Scalar<'a>>,
    protocol: Option<Scalar<'a>>,
    method: Option<Scalar<'a>>,
    status: Option<Scalar<'a>>,
    agent: Option<Scalar<'a>>,
    user: Option<Scalar<'a>>,
    action: Option<Scalar<'a>>,
}

impl<'a> Sink<'a> for Web<'a> {
    fn field(&mut self, key: &str, v: Scalar<'a>) {
        let slot = match key {
            "event_time" => &mut self.time,
            "x-client-ip" => &mut self.client_ip,
            "origin_ip" => &mut self.origin_ip,
            "dst" => &mut self.dst,
            "domain" => &mut self.domain,
            "url" => &mut self.url,
            "protocol" => &mut self.protocol,
            "request_type" => &mut self.method,
            "response_code" => &mut self.status,
            "user-agent" => &mut self.agent,
            "userid" => &mut self.user,
            "pe_action" => &mut self.action,
            _ => return,
        };
        let na = matches!(v.bytes(), Some(b"NA" | b"N/A"));
        if !na && !v.is_blank() && slot.is_none() {
            *slot = Some(v);
        }
    }

    fn descend(&mut self, key: &str) -> bool {
        key == "event"
    }
}

impl Format for Menlo {
    fn name(&self) -> &'static str {
        "menlo"
    }

    fn title(&self) -> &'static str {
        "Menlo Security web isolation / SWG web log (JSON)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, User, UserAgent, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        has(b"Menlo Security") || (has(b"\"pe_action\"") && has(b"\"x-client-ip\""))
    }

    fn framing(&self) -> Framing {
        Framing::Json
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        if !looks_like_object(line) {
            return Err(LineError::Skipped("not a JSON object"));
        }
        let mut w = Web::default();
        walk(line, &mut w).map_err(|_| LineError::Skipped("malformed JSON"))?;
        if w.url.is_none() && w.domain.is_none() && w.client_ip.is_none() {
            return Err(LineError::Ignored("not a web log record"));
        }
        let time_ms = w
            .time
            .as_ref()
            .and_then(Scalar::bytes)
            .and_then(|t| parse_iso8601(t, &ctx.zone))
            .ok_or(LineError::Skipped("no usable event_time"))?;
        let src_ip = w
            .client_ip
            .as_ref()
            .and_then(Scalar::ip)
            .ok_or(LineError::Skipped("no client address"))?;
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            dst_ip: w
                .origin_ip
                .as_ref()
                .and_then(Scalar::ip)
                .or_else(|| w.dst.as_ref().and_then(Scalar::ip)),
            proto: Proto::Tcp,
            method: w.method.and_then(Scalar::text),
            status: w.status.as_ref().and_then(Scalar::u16),
            user_agent: w.agent.and_then(Scalar::text),
            user: w.user.and_then(Scalar::text).map(super::elff::bare_account),
            scheme: w.protocol.as_ref().and_then(Scalar::bytes).map_or(Scheme::None, Scheme::parse),
            action: match w.action.as_ref().and_then(Scalar::bytes) {
                Some(a) if a.eq_ignore_ascii_case(b"block") || a.eq_ignore_ascii_case(b"blocked") => Action::Denied,
                _ => Action::Allowed,
            },
            ..Record::default()
        };
        if let Some(u) = w.url.and_then(Scalar::text) {
            let p = split_url(u.as_bytes());
            if rec.scheme == Scheme::None {
                rec.scheme = p.scheme;
            }
            rec.dst_port = p.port;
            rec.url_query = p.query;
            if !p.host.is_empty() && super::parse_ip(p.host).is_none() {
                rec.dst_host = Some(super::elff::sub_cow(&u, p.host));
            }
            rec.url = Some(u);
        }
        if rec.dst_host.is_none() {
            rec.dst_host = w.domain.and_then(Scalar::text);
        }
        rec.dst_port = rec.dst_port.or(rec.scheme.default_port());
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Menlo.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn flat_record_with_dst_array_and_fractional_time() {
        let r = p(r#"{"event_time": "2026-06-06T05:37:17.588000", "domain": "example.com", "protocol": "https", "x-client-ip": "10.4.0.22", "dst": ["203.0.113.5", "203.0.113.6"], "user-agent": "Mozilla/5.0 (X11; Linux x86_64)", "vendor": "Menlo Security", "request_type": "GET", "url": "https://www.example.com/login?next=/", "userid": "jdoe@example.com", "pe_action": "isolate", "response_code": "200", "categories": ["A", "B"]}"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-06-06T05:37:17Z");
        assert_eq!(r.time_ms % 1000, 588);
        assert_eq!((r.src_ip, r.dst_ip), ("10.4.0.22".parse().ok(), "203.0.113.5".parse().ok()));
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("www.example.com"), Some(443)));
        assert_eq!((r.action, r.status), (Action::Allowed, Some(200)));
        assert!(r.url_query);
    }

    #[test]
    fn wrapped_record_origin_ip_and_block() {
        let r = p(r#"{"event": {"event_time": "2026-06-06T05:37:19", "origin_ip": "198.51.100.9", "dst": "203.0.113.9", "x-client-ip": "10.4.0.23", "domain": "parked.example", "protocol": "http", "pe_action": "block", "userid": "NA", "vendor": "Menlo Security"}}"#).unwrap();
        assert_eq!(r.dst_ip, "198.51.100.9".parse().ok());
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("parked.example"), Some(80)));
        assert_eq!((r.action, r.user), (Action::Denied, None));
    }

    #[test]
    fn unusable_records() {
        assert_eq!(p("[]").unwrap_err(), LineError::Skipped("not a JSON object"));
        assert_eq!(
            p(r#"{"vendor": "Menlo Security"}"#).unwrap_err(),
            LineError::Ignored("not a web log record")
        );
        assert_eq!(
            p(r#"{"x-client-ip": "10.0.0.1", "url": "https://a.example"}"#).unwrap_err(),
            LineError::Skipped("no usable event_time")
        );
    }
}
