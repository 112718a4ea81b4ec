//! Cisco Umbrella (and Secure Access) log exports to S3: the quoted CSV
//! proxy (web), IP, cloud firewall and DNS logs, log format versions 1 to
//! 12.
//!
//! References: "Log Formats and Versioning", "Web Log Formats" and "Cloud
//! Firewall Log Formats" in the Umbrella User Guide
//! <https://docs.umbrella.com/umbrella-user-guide/docs/log-formats-and-versioning>.
//!
//! The kind of log is told by its shape, since the files have no header:
//! - proxy: `timestamp, policy identity, internal IP, external IP,
//!   destination IP, content type, ACTION, URL, referer, user agent, status,
//!   request size, response size, ...` (the action is upper case:
//!   `ALLOWED`, `BLOCKED`). The source is the internal IP (the host that
//!   made the request), or the external (egress) IP when that is all there
//!   is. Request size is `bytes_out`, response size `bytes_in`. For AD users
//!   the identity is `Name (upn)`, and the UPN is the user.
//! - IP logs: `timestamp, identity, source IP, source port, destination IP,
//!   destination port, categories, identity types`. They do not say whether
//!   the connection was allowed, so the action stays unknown.
//! - cloud firewall: `timestamp, origin IDs, identities, identity type,
//!   OUTBOUND|INBOUND, protocol, packet size, source IP, source port,
//!   destination IP, destination port, data center, rule ID, ALLOW|BLOCK,
//!   fqdns, ...` (bytes sent and received from version 10).
//! - DNS logs (`..., Allowed|Blocked, 1 (A), NOERROR, domain, ...`) are
//!   name lookups, not connections: ignored.
//!
//! Timestamps are UTC. Quoted fields may hold commas, doubled quotes and
//! line breaks; the files are framed as quoted CSV.

use std::borrow::Cow;

use super::qcsv::{split_into, CsvField};
use super::url::split_url;
use super::{parse_ip, Field, Format, Framing, LineError, LineResult};
use crate::record::{Action, Proto, Record};
use crate::time::{parse_iso8601, parse_u16, parse_u64, TimeCtx, Zone};

pub struct Umbrella;

const MAX_FIELDS: usize = 64;

impl Format for Umbrella {
    fn name(&self) -> &'static str {
        "umbrella"
    }

    fn title(&self) -> &'static str {
        "Cisco Umbrella / Secure Access S3 CSV exports (proxy, IP, cloud firewall; DNS ignored)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        // `"2024-03-03 20:28:52","...`; a record broken across lines by a
        // quoted line break may leave only `"2024-03-03 ` on the first line.
        let l = line.trim_ascii_start();
        let date = l.get(1..11).unwrap_or_default();
        l.first() == Some(&b'"')
            && date.get(4) == Some(&b'-')
            && date.get(7) == Some(&b'-')
            && date.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
            && matches!(l.get(11), None | Some(b' ' | b'"' | b'T'))
            && (crate::formats::find(l, b"\",\"").is_some() || l.len() <= 32)
    }

    fn framing(&self) -> Framing {
        Framing::QuotedCsv
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        let mut f = [CsvField::default(); MAX_FIELDS];
        let n = split_into(line, &mut f);
        let f = f.get(..n).unwrap_or_default();
        let raw = |i: usize| f.get(i).map(CsvField::trimmed).unwrap_or_default();
        let stamp = f.first().map(CsvField::text).unwrap_or_default();
        let Some(time_ms) = parse_iso8601(stamp.trim().as_bytes(), &Zone::Fixed(0)) else {
            if stamp.trim().eq_ignore_ascii_case("timestamp") {
                return Err(LineError::Ignored("header line"));
            }
            return Err(LineError::Skipped("bad timestamp"));
        };
        let is_upper_word = |b: &[u8]| b.len() >= 4 && b.iter().all(u8::is_ascii_uppercase);
        if n >= 13 && is_upper_word(raw(6)) {
            proxy(time_ms, f)
        } else if n >= 9 && (raw(5).eq_ignore_ascii_case(b"allowed") || raw(5).eq_ignore_ascii_case(b"blocked")) {
            Err(LineError::Ignored("dns log"))
        } else if n >= 14 && (raw(4) == b"OUTBOUND" || raw(4) == b"INBOUND") {
            firewall(time_ms, f)
        } else if (7..=9).contains(&n) && parse_u16(raw(3)).is_some() && parse_u16(raw(5)).is_some() {
            ip_log(time_ms, f)
        } else {
            Err(LineError::Skipped("unknown Umbrella log layout"))
        }
    }
}

/// A field's bytes, trimmed.
fn col<'a>(f: &[CsvField<'a>], i: usize) -> &'a [u8] {
    f.get(i).map(CsvField::trimmed).unwrap_or_default()
}

/// A proxy (web) log record.
fn proxy<'a>(time_ms: i64, f: &[CsvField<'a>]) -> LineResult<'a> {
    let src_ip = parse_ip(col(f, 2)).or_else(|| parse_ip(col(f, 3)));
    let mut rec = Record {
        time_ms,
        src_ip: Some(src_ip.ok_or(LineError::Skipped("no client IP"))?),
        dst_ip: parse_ip(col(f, 4)),
        proto: Proto::Tcp,
        action: match col(f, 6) {
            b"BLOCKED" => Action::Denied,
            _ => Action::Allowed,
        },
        user_agent: f.get(9).and_then(CsvField::opt_text),
        status: parse_u16(col(f, 10)),
        bytes_out: parse_u64(col(f, 11)),
        bytes_in: parse_u64(col(f, 12)),
        method: f.get(25).and_then(CsvField::opt_text),
        user: identity_user(f),
        ..Record::default()
    };
    if let Some(u) = f.get(7).and_then(CsvField::opt_text) {
        apply_url(&mut rec, u);
    }
    Ok(rec)
}

/// The user behind an identity of type `AD Users` (or any `... Users`):
/// the UPN in `Name (upn)`, else the identity as written.
fn identity_user<'a>(f: &[CsvField<'a>]) -> Option<Cow<'a, str>> {
    let kind = col(f, 21);
    crate::formats::find(kind, b"User")?;
    let id = f.get(1)?.opt_text()?;
    let upn = |s: &str| -> Option<(usize, usize)> {
        let open = s.rfind('(')?;
        let close = s.get(open..)?.find(')')? + open;
        let inner = s.get(open + 1..close)?;
        inner.contains('@').then_some((open + 1, close))
    };
    match id {
        Cow::Borrowed(s) => Some(Cow::Borrowed(upn(s).and_then(|(a, b)| s.get(a..b)).unwrap_or(s))),
        Cow::Owned(s) => Some(Cow::Owned(upn(&s).and_then(|(a, b)| s.get(a..b)).unwrap_or(&s).to_string())),
    }
}

/// Host, port, scheme and query from the request URL.
fn apply_url<'a>(rec: &mut Record<'a>, u: Cow<'a, str>) {
    let (host, port, scheme, query): (Option<Cow<'a, str>>, _, _, _) = match &u {
        Cow::Borrowed(s) => {
            let p = split_url(s.as_bytes());
            (host_text(p.host).map(String::from_utf8_lossy), p.port, p.scheme, p.query)
        }
        Cow::Owned(s) => {
            let p = split_url(s.as_bytes());
            (
                host_text(p.host).map(|h| Cow::Owned(crate::record::text(h).into_owned())),
                p.port,
                p.scheme,
                p.query,
            )
        }
    };
    if let Some(h) = host {
        match parse_ip(h.as_bytes()) {
            Some(ip) => {
                rec.dst_ip.get_or_insert(ip);
            }
            None => rec.dst_host = Some(h),
        }
    }
    rec.dst_port = port;
    rec.scheme = scheme;
    rec.url_query = query;
    rec.url = Some(u);
}

/// A host name as a URL can carry one; anything else (the log sometimes
/// holds a non-URL in the URL column) is not a destination.
fn host_text(h: &[u8]) -> Option<&[u8]> {
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b':'));
    ok.then_some(h)
}

/// An IP-layer-enforcement log record.
fn ip_log<'a>(time_ms: i64, f: &[CsvField<'a>]) -> LineResult<'a> {
    Ok(Record {
        time_ms,
        src_ip: Some(parse_ip(col(f, 2)).ok_or(LineError::Skipped("bad source IP"))?),
        src_port: parse_u16(col(f, 3)),
        dst_ip: Some(parse_ip(col(f, 4)).ok_or(LineError::Skipped("bad destination IP"))?),
        dst_port: parse_u16(col(f, 5)),
        ..Record::default()
    })
}

/// A cloud-delivered firewall record.
fn firewall<'a>(time_ms: i64, f: &[CsvField<'a>]) -> LineResult<'a> {
    let fqdns = col(f, 14);
    let single = !fqdns.is_empty() && memchr::memchr(b',', fqdns).is_none();
    Ok(Record {
        time_ms,
        proto: Proto::parse(col(f, 5)),
        src_ip: Some(parse_ip(col(f, 7)).ok_or(LineError::Skipped("bad source IP"))?),
        src_port: parse_u16(col(f, 8)),
        dst_ip: Some(parse_ip(col(f, 9)).ok_or(LineError::Skipped("bad destination IP"))?),
        dst_port: parse_u16(col(f, 10)),
        action: match col(f, 13) {
            b"BLOCK" => Action::Denied,
            b"ALLOW" => Action::Allowed,
            _ => Action::Unknown,
        },
        // One name resolved to the destination names it; a list does not.
        dst_host: host_text(fqdns).filter(|_| single).map(String::from_utf8_lossy),
        bytes_out: parse_u64(col(f, 20)),
        bytes_in: parse_u64(col(f, 21)),
        ..Record::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn p(l: &str) -> LineResult<'_> {
        Umbrella.parse(l.as_bytes(), &TimeCtx::default())
    }

    const PROXY: &str = r#""2026-01-07 12:41:41","Jane Doe (jane.doe@example.com)","10.8.1.20","198.51.100.7","203.0.113.30","application/json","ALLOWED","https://api.example.com/v1/sync?cursor=abc","https://app.example.com/","okhttp/4.12.0","200","2724","7590","6734","","SaaS and B2B","","","","","","AD Users","","Jane Doe (jane.doe@example.com),LAPTOP-1","AD Users,Roaming Computers","POST","","","sync","","","","","","","","","","","","api.example.com""#;

    #[test]
    fn proxy_record_uses_internal_ip_and_sizes() {
        let r = p(PROXY).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-07T12:41:41Z");
        assert_eq!(r.src_ip, "10.8.1.20".parse().ok());
        assert_eq!(r.dst_ip, "203.0.113.30".parse().ok());
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.dst_port, r.url_query), (Some(443), true));
        assert_eq!((r.bytes_out, r.bytes_in, r.status), (Some(2724), Some(7590), Some(200)));
        assert_eq!(r.user.as_deref(), Some("jane.doe@example.com"));
        assert_eq!(r.user_agent.as_deref(), Some("okhttp/4.12.0"));
        assert_eq!(r.method.as_deref(), Some("POST"));
        assert_eq!(r.action, Action::Allowed);
        assert!(Umbrella.sniff(PROXY.as_bytes()));
    }

    #[test]
    fn line_breaks_inside_quotes_and_external_ip_fallback() {
        let l = "\"2026-01-07 \n12:41:41\",\"PC-17\",\"\",\"198.51.100.7\",\"203.0.113.30\",\"text/plain\",\"BLOCKED\",\"htt\nps://login.example.com/oauth2/token\",\"\",\"Mozilla/5.0 (Windows NT 10.0; \nx64)\",\"403\",\"\",\"120\",\"0\",\"\",\"Login\",\"\",\"\",\"\",\"\",\"\",\"Roaming Computers\"";
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-07T12:41:41Z");
        assert_eq!(r.src_ip, "198.51.100.7".parse().ok());
        assert_eq!(r.dst_host.as_deref(), Some("login.example.com"));
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 (Windows NT 10.0; x64)"));
        assert_eq!((r.action, r.user, r.bytes_out), (Action::Denied, None, None));
        assert!(l.lines().next().is_some_and(|first| Umbrella.sniff(first.trim().as_bytes())));
    }

    #[test]
    fn url_column_that_is_not_a_url_gives_no_host() {
        let l = r#""2026-01-07 12:30:59","host1","","10.8.1.5","203.0.113.9","image/gif","ALLOWED","url{""RequestID"":""a.example.net"",""Object"":""t.gif""}]",""," ","200","","319","42""#;
        let r = p(l).unwrap();
        assert_eq!(r.dst_host, None);
        assert_eq!(r.dst_ip, "203.0.113.9".parse().ok());
        assert_eq!(r.user_agent, None);
        assert_eq!(r.url.as_deref(), Some(r#"url{"RequestID":"a.example.net","Object":"t.gif"}]"#));
    }

    #[test]
    fn dns_logs_are_ignored_ip_logs_are_records() {
        let dns = r#""2026-01-07 14:29:47","client","client,CORP","10.8.1.5","198.51.100.7","Allowed","1 (A)","NOERROR","example.com.","Software/Technology","AD Users","AD Users,Roaming Computers","""#;
        assert_eq!(p(dns), Err(LineError::Ignored("dns log")));
        let ip = r#""2026-01-07 14:31:52","FR123","10.8.1.5","54128","192.0.2.80","443","","Roaming Computers""#;
        let r = p(ip).unwrap();
        assert_eq!(
            (r.src_port, r.dst_ip, r.dst_port),
            (Some(54128), "192.0.2.80".parse().ok(), Some(443))
        );
        assert_eq!(r.action, Action::Unknown);
    }

    #[test]
    fn cloud_firewall_record() {
        let l = r#""2026-01-07 18:59:57","[211039844]","Branch Tunnel", "CDFW Tunnel Device","OUTBOUND","6","84","10.8.3.4","60951","203.0.113.129", "443","ams1.edc","12","BLOCK","updates.example.com","44,66","1767812397","1767812397","3","3","1108","755""#;
        let r = p(l).unwrap();
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Denied));
        assert_eq!((r.src_ip, r.dst_port), ("10.8.3.4".parse().ok(), Some(443)));
        assert_eq!(r.dst_host.as_deref(), Some("updates.example.com"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1108), Some(755)));
    }

    #[test]
    fn headers_and_garbage() {
        assert_eq!(p(r#""timestamp","identity","source ip""#), Err(LineError::Ignored("header line")));
        assert_eq!(p(r#""2026-13-07 00:00:00","x""#), Err(LineError::Skipped("bad timestamp")));
        assert!(!Umbrella.sniff(b"2026-01-07 12:00:00 some other log"));
        assert!(!Umbrella.sniff(b"\"Mon Jun 20 15:29:11 2022\",\"user\""));
    }

    #[test]
    fn every_prefix_of_a_record_is_handled_without_panic() {
        for l in [
            PROXY,
            "\"2026-01-07 14:31:52\",\"x\",\"10.8.1.5\",\"1\",\"192.0.2.80\",\"443\",\"\",\"\"",
        ] {
            for i in 0..=l.len() {
                let b = l.as_bytes().get(..i).unwrap_or_default();
                let _ = (p(std::str::from_utf8(b).unwrap_or_default()), Umbrella.sniff(b));
            }
        }
    }
}
