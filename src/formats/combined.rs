//! NCSA combined log format: Apache `combined`, nginx `combined`, and Squid's
//! predefined `combined` logformat (the same plus ` %Ss:%Sh`).
//!
//! `%h %l %u [%t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i" [%Ss:%Sh]`
//! References: <https://httpd.apache.org/docs/current/logs.html#combined>,
//! <https://www.squid-cache.org/Doc/config/logformat/>.
//!
//! Behind a forward proxy the request line holds an absolute URL or a
//! `CONNECT host:port` target, which names the destination. A plain web
//! server logs only a path: such lines parse, but have no destination. `%b`
//! is the response size, so it is the client's `bytes_in`.

use super::kv::{closing_quote, unescape};
use super::squid::{connect_target, set_host, squid_action};
use super::url::split_url;
use super::{next_token, parse_ip, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record};
use crate::time::{civil_seconds, digits, parse_clf, parse_u16, parse_u64, TimeCtx};

pub struct Combined;

impl Format for Combined {
    fn name(&self) -> &'static str {
        "combined"
    }

    fn title(&self) -> &'static str {
        "NCSA combined/common log (Squid combined logformat, Apache, nginx)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesIn, User, UserAgent, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let Some((h, rest)) = next_token(line) else { return false };
        let Some((_l, rest)) = next_token(rest) else { return false };
        let Some((_u, rest)) = next_token(rest) else { return false };
        parse_ip(h).is_some() && rest.starts_with(b"[") && memchr::memchr(b'"', rest).is_some()
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (host, rest) = next_token(line).ok_or(LineError::Skipped("truncated line"))?;
        let src_ip = Some(parse_ip(host).ok_or(LineError::Skipped("client is not an IP address"))?);
        let (_ident, rest) = next_token(rest).ok_or(LineError::Skipped("truncated line"))?;
        let (user, rest) = next_token(rest).ok_or(LineError::Skipped("truncated line"))?;
        let rest = rest
            .trim_ascii_start()
            .strip_prefix(b"[")
            .ok_or(LineError::Skipped("missing [time]"))?;
        let close = memchr::memchr(b']', rest).ok_or(LineError::Skipped("missing [time]"))?;
        let stamp = rest.get(..close).unwrap_or_default();
        let time_ms = parse_clf(stamp, &ctx.zone)
            .or_else(|| parse_slash_date(stamp, ctx))
            .ok_or(LineError::Skipped("bad timestamp"))?;
        let rest = rest.get(close + 1..).unwrap_or_default();
        let (request, rest) = quoted(rest).ok_or(LineError::Skipped("missing \"request\""))?;
        let (status_tok, rest) = next_token(rest).ok_or(LineError::Skipped("missing status"))?;
        let status = parse_u16(status_tok);
        let (bytes_tok, rest) = next_token(rest).unwrap_or_default();
        let bytes_in = parse_u64(bytes_tok).or(if bytes_tok == b"-" { Some(0) } else { None });
        let (_referer, rest) = quoted(rest).unwrap_or_default();
        let (agent, rest) = quoted(rest).unwrap_or_default();
        let squid_codes = next_token(rest).map(|(t, _)| t).unwrap_or_default();

        let mut req = request.splitn(3, |&b| b == b' ');
        let method = req.next().unwrap_or_default();
        let target = req.next().unwrap_or_default();
        let result = squid_codes.split(|&b| b == b':').next().unwrap_or_default();
        let mut rec = Record {
            time_ms,
            src_ip,
            proto: Proto::Tcp,
            action: if result.is_empty() && !matches!(status, Some(403) | Some(407)) {
                Action::Allowed
            } else {
                squid_action(result, status)
            },
            bytes_in,
            user: opt_text(user),
            user_agent: opt_text(agent).map(|a| match a {
                std::borrow::Cow::Borrowed(b) => unescape(b.as_bytes()),
                owned => owned,
            }),
            method: opt_text(method),
            status,
            ..Record::default()
        };
        if method == b"CONNECT" {
            connect_target(&mut rec, target);
        } else if !target.is_empty() {
            let p = split_url(target);
            set_host(&mut rec, p.host);
            rec.dst_port = if p.host.is_empty() { None } else { p.port };
            rec.scheme = p.scheme;
            rec.url_query = p.query;
            rec.url = Some(text(target));
        }
        if rec.action == Action::Unknown {
            rec.action = Action::Allowed;
        }
        Ok(rec)
    }
}

/// `"..."` with backslash escapes, after optional spaces: (body, rest).
fn quoted(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = s.trim_ascii_start().strip_prefix(b"\"")?;
    let end = closing_quote(body);
    Some((body.get(..end)?, body.get(end + 1..).unwrap_or_default()))
}

/// `MM/DD/YYYY HH:MM:SS` (some Squid `common` exports), local time.
fn parse_slash_date(b: &[u8], ctx: &TimeCtx) -> Option<i64> {
    let mo = digits(b, 2)?;
    let d = digits(b.get(3..)?, 2)?;
    let y = digits(b.get(6..)?, 4)?;
    let h = digits(b.get(11..)?, 2)?;
    let mi = digits(b.get(14..)?, 2)?;
    let s = digits(b.get(17..)?, 2)?;
    if b.get(2) != Some(&b'/') || b.get(5) != Some(&b'/') || b.len() != 19 {
        return None;
    }
    Some(ctx.zone.local_to_utc(civil_seconds(i64::from(y), mo, d, h, mi, s)?) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Combined.parse(l.as_bytes(), &TimeCtx::default())
    }

    #[test]
    fn squid_combined_connect() {
        let r = p(r#"10.1.2.3 - svc_crm [05/Oct/2026:00:15:02 +0000] "CONNECT api.hubapi.com:443 HTTP/1.1" 200 5123 "-" "python-requests/2.31.0" TCP_TUNNEL:HIER_DIRECT"#).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!(r.dst_host.as_deref(), Some("api.hubapi.com"));
        assert_eq!((r.dst_port, r.bytes_in), (Some(443), Some(5123)));
        assert_eq!(r.user.as_deref(), Some("svc_crm"));
        assert_eq!(r.user_agent.as_deref(), Some("python-requests/2.31.0"));
        assert_eq!(r.action, Action::Allowed);
    }

    #[test]
    fn denied_absolute_url() {
        let r = p(
            r#"10.1.2.3 - - [05/Oct/2026:00:15:02 +0200] "GET http://x.example/a?key=1 HTTP/1.1" 403 0 "-" "curl/8" TCP_DENIED:HIER_NONE"#,
        )
        .unwrap();
        assert_eq!(r.action, Action::Denied);
        assert!(r.url_query);
        assert_eq!(r.dst_port, Some(80));
    }

    #[test]
    fn plain_web_server_line_has_no_destination() {
        let r = p(r#"203.0.113.9 - - [05/Oct/2026:00:15:02 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "Mozilla/5.0 \"x\"""#).unwrap();
        assert_eq!((r.dst_host.as_deref(), r.dst_ip, r.dst_port), (None, None, None));
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 \"x\""));
    }

    #[test]
    fn slash_date_variant() {
        let r = p(r#"1.2.3.4 - johndoe [05/02/2025 11:30:29] "GET https://sub.example.com/1.png HTTP/1.1" 200 - - 1000 Business Services"#)
            .unwrap();
        assert_eq!(rfc3339(r.time_ms), "2025-05-02T11:30:29Z");
        assert_eq!(r.dst_port, Some(443));
    }

    #[test]
    fn garbage() {
        assert!(p("10.1.2.3 - - [nope] \"GET / HTTP/1.1\" 200 1").is_err());
        assert!(p("10.1.2.3 - -").is_err());
        assert!(p("").is_err());
    }
}
