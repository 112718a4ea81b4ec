//! Skyhigh Security (formerly McAfee) Web Gateway access logs in their two
//! `name=value` forms:
//!
//! - the on-premises gateway's syslog/SIEM log handler (MWG 7.x to 12.x,
//!   `date="2022-03-11T10:39:16.390Z" ... source_ip=10.1.2.3
//!   destination_host="www.example.com" http_request_first_line="GET ..."`),
//!   values quoted when they may hold spaces;
//! - Skyhigh Secure Web Gateway (cloud) log exports
//!   (`user_id=-1 username=jdoe source_ip=... client_ip=... requested_host=...
//!   requested_path=... request_timestamp_epoch=...`), whose values are not
//!   quoted and may hold spaces: a value runs to the next ` name=`.
//!
//! References: "Access log fields" for Skyhigh SWG
//! <https://success.skyhighsecurity.com/Skyhigh_Secure_Web_Gateway_(Cloud)/Using_Skyhigh_Secure_Web_Gateway/Web_Gateway_Reporting/Access_Log_Fields>;
//! MWG "Sending access log data to a syslog server" (Product Guide).
//!
//! The source is `client_ip` (the internal address, cloud) or `source_ip`
//! (on-premises; in the cloud export `source_ip` is the public address the
//! request came from). Bytes: `source_bytes` / `client_to_server_bytes` are
//! the client's bytes out, `destination_bytes` / `server_to_client_bytes` its
//! bytes in.

use super::squid::connect_target;
use super::url::split_url;
use super::{syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record, Scheme};
use crate::time::{epoch_auto_ms, parse_iso8601, parse_u16, parse_u64, TimeCtx};

pub struct Skyhigh;

/// `name=value` pairs where unquoted values may hold spaces: a value ends
/// where ` name=` (a lower-case name of letters, digits and `_`) begins.
struct SpacedPairs<'a>(&'a [u8]);

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'
}

/// Offset of the next ` name=` in `s`, if any.
fn next_name(s: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = s.get(from..).and_then(|t| memchr::memchr(b' ', t)) {
        let at = from + off;
        let after = s.get(at + 1..).unwrap_or_default();
        let n = after.iter().take_while(|&&c| is_name_byte(c)).count();
        if n > 0 && after.get(n) == Some(&b'=') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

impl<'a> Iterator for SpacedPairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.0.trim_ascii_start();
        let eq = memchr::memchr(b'=', s)?;
        let key = s.get(..eq)?;
        let key = key.get(key.iter().rposition(|&c| c == b' ').map_or(0, |i| i + 1)..)?;
        let v = s.get(eq + 1..)?;
        let (value, rest) = match v.strip_prefix(b"\"") {
            Some(body) => {
                let end = super::kv::closing_quote(body);
                (body.get(..end)?, body.get(end + 1..).unwrap_or_default())
            }
            None => {
                let end = next_name(v).unwrap_or(v.len());
                (v.get(..end)?, v.get(end..).unwrap_or_default())
            }
        };
        self.0 = rest;
        Some((key, value))
    }
}

#[derive(Default)]
struct Fields<'a> {
    epoch: Option<&'a [u8]>,
    date: Option<&'a [u8]>,
    local_stamp: Option<&'a [u8]>,
    client_ip: Option<&'a [u8]>,
    source_ip: Option<&'a [u8]>,
    dst_ip: Option<&'a [u8]>,
    dst_port: Option<&'a [u8]>,
    host: Option<&'a [u8]>,
    path: Option<&'a [u8]>,
    scheme: Option<&'a [u8]>,
    first_line: Option<&'a [u8]>,
    method: Option<&'a [u8]>,
    status: Option<&'a [u8]>,
    bytes_out: Option<&'a [u8]>,
    bytes_in: Option<&'a [u8]>,
    user: Option<&'a [u8]>,
    agent: Option<&'a [u8]>,
    result: Option<&'a [u8]>,
    block_id: Option<&'a [u8]>,
    app: Option<&'a [u8]>,
}

impl Format for Skyhigh {
    fn name(&self) -> &'static str {
        "skyhigh"
    }

    fn title(&self) -> &'static str {
        "Skyhigh Security (McAfee) Web Gateway access log, on-premises syslog or cloud SWG export"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        (has(b"source_ip=") || has(b"client_ip="))
            && (has(b"destination_host=") || has(b"requested_host=") || has(b"http_request_first_line="))
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (hdr, msg) = syslog::split(line, ctx);
        let mut f = Fields::default();
        for (k, v) in SpacedPairs(msg) {
            let v = v.trim_ascii();
            let slot = match k {
                b"request_timestamp_epoch" => &mut f.epoch,
                b"date" => &mut f.date,
                b"request_timestamp" => &mut f.local_stamp,
                b"client_ip" => &mut f.client_ip,
                b"source_ip" => &mut f.source_ip,
                b"destination_ip" => &mut f.dst_ip,
                b"destination_port" => &mut f.dst_port,
                b"destination_host" | b"requested_host" => &mut f.host,
                b"requested_path" => &mut f.path,
                b"uri_scheme" => &mut f.scheme,
                b"http_request_first_line" => &mut f.first_line,
                b"http_action" => &mut f.method,
                b"http_status_code" => &mut f.status,
                b"source_bytes" | b"client_to_server_bytes" => &mut f.bytes_out,
                b"destination_bytes" | b"server_to_client_bytes" => &mut f.bytes_in,
                b"username" => &mut f.user,
                b"user_agent" | b"user_agent_comment" => &mut f.agent,
                b"result" => &mut f.result,
                b"block_id" => &mut f.block_id,
                b"application_name" | b"application_type" => &mut f.app,
                _ => continue,
            };
            if !v.is_empty() && v != b"-" && slot.is_none() {
                *slot = Some(v);
            }
        }
        let time_ms = f
            .epoch
            .and_then(parse_u64)
            .map(epoch_auto_ms)
            .or_else(|| f.date.and_then(|d| parse_iso8601(d, &ctx.zone)))
            .or_else(|| f.local_stamp.and_then(|d| parse_iso8601(d, &ctx.zone)))
            .or(hdr.time_ms)
            .ok_or(LineError::Skipped("no usable date"))?;
        let src_ip = f
            .client_ip
            .and_then(super::parse_ip)
            .or_else(|| f.source_ip.and_then(super::parse_ip))
            .ok_or(LineError::Skipped("no client address"))?;
        let status = f.status.and_then(parse_u16);
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            dst_ip: f.dst_ip.and_then(super::parse_ip),
            proto: Proto::Tcp,
            bytes_out: f.bytes_out.and_then(parse_u64),
            bytes_in: f.bytes_in.and_then(parse_u64),
            user: f.user.and_then(opt_text).map(super::elff::bare_account),
            user_agent: f.agent.and_then(opt_text),
            status,
            scheme: f.scheme.map_or(Scheme::None, Scheme::parse),
            service: f.app.and_then(opt_text),
            ..Record::default()
        };
        // "GET http://host/path HTTP/1.1" or "CONNECT host:443 HTTP/1.1"
        let mut parts = f.first_line.unwrap_or_default().splitn(3, |&c| c == b' ');
        let (method, target) = (parts.next().filter(|m| !m.is_empty()), parts.next().unwrap_or_default());
        let method = f.method.or(method);
        rec.method = method.and_then(opt_text);
        if method.is_some_and(|m| m.eq_ignore_ascii_case(b"CONNECT")) && !target.is_empty() {
            connect_target(&mut rec, target);
        } else if !target.is_empty() {
            let p = split_url(target);
            rec.dst_port = p.port;
            if rec.scheme == Scheme::None {
                rec.scheme = p.scheme;
            }
            rec.url_query = p.query;
            rec.url = Some(text(target));
        }
        if let Some(path) = f.path {
            rec.url_query |= path.contains(&b'?');
            rec.url = Some(text(path));
        }
        if let Some(h) = f.host {
            super::squid::set_host(&mut rec, h);
        }
        rec.dst_port = f
            .dst_port
            .and_then(parse_u16)
            .filter(|&p| p != 0)
            .or(rec.dst_port)
            .or(rec.scheme.default_port());
        rec.action = match (f.result, f.block_id.and_then(parse_u64)) {
            (Some(r), _) => match Action::from_word(r) {
                Action::Unknown => Action::Allowed,
                a => a,
            },
            (None, Some(id)) if id != 0 => Action::Denied,
            _ if matches!(status, Some(403) | Some(407)) => Action::Denied,
            _ => Action::Allowed,
        };
        if rec.dst_host.is_none() && rec.dst_ip.is_none() {
            return Err(LineError::Skipped("no destination"));
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Skyhigh.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn on_premises_syslog_form_with_quoted_values() {
        let r = p(r#"date="2026-03-11T10:39:16.390Z" hostname="mwg01" username="EXAMPLE\svc_ci" source_ip=10.1.2.3 destination_ip=203.0.113.41 destination_host="pkg.example.com" http_status_code=200 source_bytes=131 destination_bytes=20480 http_request_first_line="GET https://pkg.example.com/index?token=x HTTP/1.1" block_id=0 application_name="Example Packages" user_agent="pip/24.0""#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-03-11T10:39:16Z");
        assert_eq!(
            (r.dst_host.as_deref(), r.dst_ip),
            (Some("pkg.example.com"), "203.0.113.41".parse().ok())
        );
        assert_eq!((r.dst_port, r.bytes_out, r.bytes_in), (Some(443), Some(131), Some(20480)));
        assert_eq!((r.user.as_deref(), r.user_agent.as_deref()), (Some("svc_ci"), Some("pip/24.0")));
        assert!(r.url_query);
        assert_eq!(r.action, Action::Allowed);
    }

    #[test]
    fn connect_and_block_id() {
        let r = p(r#"date="2026-03-17T13:14:39.134Z" username="" source_ip=10.1.2.3 destination_ip=203.0.113.2 destination_host="" http_status_code=407 source_bytes=173 destination_bytes=0 http_request_first_line="CONNECT upd.example.net:443 HTTP/1.1" block_id=81 block_reason="Authentication Required""#).unwrap();
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("upd.example.net"), Some(443)));
        assert_eq!((r.action, r.user), (Action::Denied, None));
    }

    #[test]
    fn cloud_export_with_unquoted_spaces() {
        let r = p("user_id=-1 username=jdoe source_ip=198.51.100.4 http_action=PUT server_to_client_bytes=7976 client_to_server_bytes=860 requested_host=files.example.com requested_path=/api/v4/upload?sig=1 result=OBSERVED virus= request_timestamp_epoch=1767225600 request_timestamp=2026-01-01 00:00:00 uri_scheme=https category=Business, Software/Hardware media_type=text/plain application_type=Example Files http_status_code=200 client_ip=10.0.2.15 user_agent_comment=Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/119.0 process_name=chrome.exe destination_ip=203.0.113.8 destination_port=443").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-01T00:00:00Z");
        assert_eq!(r.src_ip, "10.0.2.15".parse().ok(), "client_ip, not the public source_ip");
        assert_eq!((r.bytes_out, r.bytes_in), (Some(860), Some(7976)));
        assert_eq!(
            r.user_agent.as_deref(),
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/119.0")
        );
        assert_eq!(r.service.as_deref(), Some("Example Files"));
        assert_eq!((r.method.as_deref(), r.dst_port), (Some("PUT"), Some(443)));
        assert!(r.url_query);
    }

    #[test]
    fn denied_result_and_unusable_lines() {
        let r = p("username=x source_ip=10.0.0.9 requested_host=a.example result=DENIED request_timestamp_epoch=1767225600").unwrap();
        assert_eq!(r.action, Action::Denied);
        assert_eq!(
            p("source_ip=10.0.0.9 requested_host=a.example").unwrap_err(),
            LineError::Skipped("no usable date")
        );
        assert_eq!(
            p("request_timestamp_epoch=1 source_ip=nope requested_host=a.example").unwrap_err(),
            LineError::Skipped("no client address")
        );
        assert_eq!(SpacedPairs(b"a=b c d= e=\"x y\"").collect::<Vec<_>>().len(), 3);
    }
}
