//! Olfeo Secure Web Gateway (on-premises proxy, 6.x) access log lines, as
//! sent over syslog:
//!
//! `client - user [DD/MM/YYYY HH:MM:SS] "METHOD url HTTP/x.y" status - - bytes category`
//!
//! A CLF-like line with a French-order date (day first, no zone: read in
//! `--tz`), and after the status two unused `-` columns, the response size
//! and the Olfeo URL category (free text with spaces).
//!
//! Reference: Olfeo "Journaux d'accès / export syslog" (product
//! documentation, <https://www.olfeo.com/>), and SEKOIA's Olfeo intake.
//!
//! Squid's `common` logformat looks alike but puts the day second
//! (`MM/DD/YYYY` in some exports) and has no category column; such lines
//! are left to the `combined` format.

use super::squid::{connect_target, set_host};
use super::url::split_url;
use super::{next_token, parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{opt_text, text, Action, Proto, Record};
use crate::time::{civil_seconds, digits, parse_u16, parse_u64, TimeCtx};

pub struct Olfeo;

/// `DD/MM/YYYY HH:MM:SS`, local time.
fn parse_stamp(b: &[u8], ctx: &TimeCtx) -> Option<i64> {
    if b.len() != 19 || b.get(2) != Some(&b'/') || b.get(5) != Some(&b'/') || b.get(10) != Some(&b' ') {
        return None;
    }
    let d = digits(b, 2)?;
    let mo = digits(b.get(3..)?, 2)?;
    let y = digits(b.get(6..)?, 4)?;
    let (h, mi, s, _) = super::elff::hms(b.get(11..)?)?;
    Some(ctx.zone.local_to_utc(civil_seconds(i64::from(y), mo, d, h, mi, s)?) * 1000)
}

/// The parts of an access line.
struct Parts<'a> {
    client: &'a [u8],
    user: &'a [u8],
    stamp: &'a [u8],
    request: &'a [u8],
    /// Everything after the request: status, `-`, `-`, bytes, category.
    tail: &'a [u8],
}

fn split(line: &[u8]) -> Option<Parts<'_>> {
    let (client, rest) = next_token(line)?;
    let (_ident, rest) = next_token(rest)?;
    let (user, rest) = next_token(rest)?;
    let rest = rest.trim_ascii_start().strip_prefix(b"[")?;
    let close = memchr::memchr(b']', rest)?;
    let stamp = rest.get(..close)?;
    let rest = rest.get(close + 1..)?.trim_ascii_start().strip_prefix(b"\"")?;
    let end = memchr::memchr(b'"', rest)?;
    Some(Parts {
        client,
        user,
        stamp,
        request: rest.get(..end)?,
        tail: rest.get(end + 1..)?,
    })
}

impl Format for Olfeo {
    fn name(&self) -> &'static str {
        "olfeo"
    }

    fn title(&self) -> &'static str {
        "Olfeo Secure Web Gateway access log (CLF-like, DD/MM/YYYY, category column)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesIn, User, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        if crate::formats::find(line, b" - - ").is_none() || memchr::memchr(b'[', line).is_none() {
            return false;
        }
        let (_, msg) = syslog::split(line, &TimeCtx::default());
        let Some(Parts { client, stamp, tail, .. }) = split(msg) else {
            return false;
        };
        if parse_ip(client).is_none() || stamp.len() != 19 || stamp.get(2) != Some(&b'/') || stamp.get(10) != Some(&b' ') {
            return false;
        }
        // ` 200 - - 1000 Business Services`
        let mut t = tail.split(|&c| c == b' ').filter(|s| !s.is_empty());
        let (status, a, b, bytes) = (t.next(), t.next(), t.next(), t.next());
        status.and_then(parse_u16).is_some()
            && a == Some(b"-")
            && b == Some(b"-")
            && bytes.and_then(parse_u64).is_some()
            && t.next().is_some()
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (_, msg) = syslog::split(line, ctx);
        let Parts {
            client,
            user,
            stamp,
            request,
            tail,
        } = split(msg).ok_or(LineError::Skipped("not an Olfeo access line"))?;
        let src_ip = parse_ip(client).ok_or(LineError::Skipped("client is not an IP address"))?;
        let time_ms = parse_stamp(stamp, ctx).ok_or(LineError::Skipped("bad timestamp"))?;
        let mut t = tail.split(|&c| c == b' ').filter(|s| !s.is_empty());
        let status = t.next().and_then(parse_u16);
        let bytes_in = t.nth(2).and_then(parse_u64);
        let mut req = request.splitn(3, |&c| c == b' ');
        let (method, target) = (req.next().unwrap_or_default(), req.next().unwrap_or_default());
        let mut rec = Record {
            time_ms,
            src_ip: Some(src_ip),
            proto: Proto::Tcp,
            user: opt_text(user).map(super::elff::bare_account),
            method: opt_text(method),
            status,
            bytes_in,
            action: if matches!(status, Some(403) | Some(407)) {
                Action::Denied
            } else {
                Action::Allowed
            },
            ..Record::default()
        };
        if method.eq_ignore_ascii_case(b"CONNECT") && crate::formats::find(target, b"://").is_none() {
            connect_target(&mut rec, target);
        } else {
            let p = split_url(target);
            set_host(&mut rec, p.host);
            rec.dst_port = p.port;
            rec.scheme = p.scheme;
            rec.url_query = p.query;
            rec.url = Some(text(target));
        }
        if rec.dst_host.is_none() && rec.dst_ip.is_none() {
            return Err(LineError::Skipped("no destination in the request"));
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Olfeo.parse(l.as_bytes(), &TimeCtx::utc(2026))
    }

    #[test]
    fn day_comes_first() {
        let l = r#"10.1.2.14 - jdoe [02/07/2026 07:51:20] "GET http://example.com/a?b=1 HTTP/1.1" 200 - - 5120 Business Services"#;
        assert!(Olfeo.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-07-02T07:51:20Z");
        assert_eq!(
            (r.dst_host.as_deref(), r.dst_port, r.bytes_in),
            (Some("example.com"), Some(80), Some(5120))
        );
        assert_eq!((r.user.as_deref(), r.status), (Some("jdoe"), Some(200)));
        assert!(r.url_query);
    }

    #[test]
    fn connect_with_scheme_leading_space_and_denial() {
        let r =
            p(r#" 10.1.2.4 - - [15/04/2026 12:50:04] "CONNECT https://files.example.net:443 HTTP/1.1" 403 - - 0 File Sharing"#).unwrap();
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("files.example.net"), Some(443)));
        assert_eq!((r.user, r.action), (None, Action::Denied));
    }

    #[test]
    fn squid_common_lines_are_not_claimed_and_bad_lines_skip() {
        assert!(!Olfeo.sniff(br#"10.1.2.3 - - [05/Oct/2026:00:15:02 +0000] "GET http://a/ HTTP/1.1" 200 5 "-" "x""#));
        assert!(!Olfeo.sniff(br#"10.1.2.3 - u [05/02/2025 11:31:06] "CONNECT https://example.com:443 HTTP/1.1" 200 -"#));
        assert_eq!(
            p(r#"10.1.2.4 - - [31/13/2026 12:50:04] "GET http://a/ HTTP/1.1" 200 - - 0 X"#).unwrap_err(),
            LineError::Skipped("bad timestamp")
        );
        assert_eq!(
            p(r#"10.1.2.4 - - [01/01/2026 12:50:04] "GET / HTTP/1.1" 200 - - 0 X"#).unwrap_err(),
            LineError::Skipped("no destination in the request")
        );
        assert!(p("garbage").is_err());
    }
}
