//! Cisco Meraki MX security appliance (and MR/MS) syslog, MX firmware 15 to
//! 18: `<PRI>1 <epoch.nanos> <device> <category> key=value ...`, with or
//! without the `<PRI>1` prefix and with or without a collector's syslog
//! stamp in front.
//!
//! Reference: Meraki documentation, "Syslog Event Types and Log Samples"
//! <https://documentation.meraki.com/General_Administration/Monitoring_and_Reporting/Syslog_Event_Types_and_Log_Samples>.
//!
//! Records: `flows`, `firewall`, `vpn_firewall` and `cellular_firewall`
//! (one per connection; `allow`/`deny` after the category, or `pattern:
//! allow|deny|0|1 ...` at the end, 0 meaning allowed), `ip_flow_start`
//! (firmware 17+), and `urls` (HTTP requests, with the URL, method and user
//! agent). `ip_flow_end` repeats a flow that was counted at its start and is
//! ignored, as are `events`, `ids-alerts`, `security_event` and
//! `airmarshal_events`. Times are the epoch stamp the device writes (UTC).

use super::url::split_url;
use super::{next_token, parse_ip, syslog, Field, Format, LineError, LineResult};
use crate::record::{Action, Proto, Record};
use crate::time::{parse_epoch_frac, parse_u16, TimeCtx};

pub struct Meraki;

/// Categories this parser recognises (records and ignored ones).
const CATEGORIES: &[&[u8]] = &[
    b"flows",
    b"firewall",
    b"vpn_firewall",
    b"cellular_firewall",
    b"urls",
    b"ip_flow_start",
    b"ip_flow_end",
    b"events",
    b"ids-alerts",
    b"security_event",
    b"airmarshal_events",
];

impl Format for Meraki {
    fn name(&self) -> &'static str {
        "meraki"
    }

    fn title(&self) -> &'static str {
        "Cisco Meraki MX syslog (flows, firewall, ip_flow_start, urls)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, UserAgent, Method, Url]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        header(line).is_some_and(|(_, cat, _)| CATEGORIES.contains(&cat))
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        let (time_ms, category, body) = header(line).ok_or(LineError::Skipped("no Meraki epoch/device/category header"))?;
        match category {
            b"flows" | b"firewall" | b"vpn_firewall" | b"cellular_firewall" | b"ip_flow_start" => flow(time_ms, body),
            b"urls" => url_request(time_ms, body),
            b"ip_flow_end" => Err(LineError::Ignored("flow end (counted at its start)")),
            b"events" | b"ids-alerts" | b"security_event" | b"airmarshal_events" => Err(LineError::Ignored("event log")),
            _ => Err(LineError::Ignored("unknown Meraki log category")),
        }
    }
}

/// Finds `<epoch.frac> <device> <category>` after any envelope; returns the
/// time, the category and the text after it.
fn header(line: &[u8]) -> Option<(i64, &[u8], &[u8])> {
    let mut rest = syslog::strip_pri(line);
    // The epoch stamp is among the first tokens (after `1`, or after a
    // collector's `Mon dd hh:mm:ss host`).
    for _ in 0..6 {
        let (tok, r) = next_token(rest)?;
        rest = r;
        if tok.len() >= 12 && memchr::memchr(b'.', tok) == Some(10) {
            if let Some(t) = parse_epoch_frac(tok) {
                let (_device, r) = next_token(rest)?;
                let (category, body) = next_token(r)?;
                return Some((t, category, body));
            }
        }
    }
    None
}

/// Fields of a flow or firewall line.
fn flow(time_ms: i64, body: &[u8]) -> LineResult<'_> {
    let mut rec = Record {
        time_ms,
        action: Action::Allowed,
        ..Record::default()
    };
    let (first, _) = next_token(body).unwrap_or_default();
    let mut explicit = false;
    if first == b"allow" || first == b"deny" {
        rec.action = if first == b"deny" { Action::Denied } else { Action::Allowed };
        explicit = true;
    }
    let (pairs, pattern) = match crate::formats::find(body, b"pattern:") {
        Some(i) => (body.get(..i).unwrap_or_default(), body.get(i + 8..)),
        None => (body, None),
    };
    for (k, v) in Pairs(pairs) {
        match k {
            b"src" => rec.src_ip = parse_ip(v),
            b"dst" => rec.dst_ip = parse_ip(v),
            b"sport" => rec.src_port = parse_u16(v),
            b"dport" => rec.dst_port = parse_u16(v),
            b"protocol" => rec.proto = Proto::parse(v),
            _ => {}
        }
    }
    if !explicit {
        if let Some((word, _)) = pattern.and_then(next_token) {
            rec.action = match word {
                b"0" | b"allow" => Action::Allowed,
                b"1" | b"deny" => Action::Denied,
                _ => rec.action,
            };
        }
    }
    if rec.src_ip.is_none() {
        return Err(LineError::Skipped("bad or missing src="));
    }
    if rec.dst_ip.is_none() {
        return Err(LineError::Skipped("bad or missing dst="));
    }
    Ok(rec)
}

/// `urls src=A:pa dst=B:pb mac=... [agent='...'] request: METHOD URL`.
fn url_request(time_ms: i64, body: &[u8]) -> LineResult<'_> {
    let (pairs, request) = match crate::formats::find(body, b"request: ") {
        Some(i) => (body.get(..i).unwrap_or_default(), body.get(i + 9..).unwrap_or_default()),
        None => (body, &b""[..]),
    };
    let mut rec = Record {
        time_ms,
        proto: Proto::Tcp,
        action: Action::Allowed,
        ..Record::default()
    };
    for (k, v) in Pairs(pairs) {
        match k {
            b"src" => (rec.src_ip, rec.src_port) = ip_port(v),
            b"dst" => (rec.dst_ip, rec.dst_port) = ip_port(v),
            b"agent" => rec.user_agent = (!v.is_empty()).then(|| crate::record::text(v)),
            _ => {}
        }
    }
    if rec.src_ip.is_none() {
        return Err(LineError::Skipped("bad or missing src="));
    }
    let (method, rest) = next_token(request).ok_or(LineError::Skipped("no request: in urls log"))?;
    let url = rest.trim_ascii();
    rec.method = Some(crate::record::text(method));
    if !url.is_empty() {
        let p = split_url(url);
        if !p.host.is_empty() {
            match parse_ip(p.host) {
                Some(ip) => {
                    rec.dst_ip.get_or_insert(ip);
                }
                None => rec.dst_host = Some(crate::record::text(p.host)),
            }
        }
        if rec.dst_port.is_none() {
            rec.dst_port = p.port;
        }
        rec.scheme = p.scheme;
        rec.url_query = p.query;
        rec.url = Some(crate::record::text(url));
    }
    Ok(rec)
}

/// `1.2.3.4:5555`, `[2001:db8::1]:443`, or an unbracketed IPv6 address
/// with the port after its last colon.
fn ip_port(v: &[u8]) -> (Option<std::net::IpAddr>, Option<u16>) {
    if let Some(i) = memchr::memrchr(b':', v) {
        let (host, port) = (v.get(..i).unwrap_or_default(), v.get(i + 1..).unwrap_or_default());
        if let (Some(ip), Some(p)) = (parse_ip(host), parse_u16(port)) {
            return (Some(ip), Some(p));
        }
    }
    (parse_ip(v), None)
}

/// Space-separated `key=value` pairs whose values may be in single quotes
/// (`agent='Mozilla/5.0 (X11; Linux)'`); words without `=` are skipped.
struct Pairs<'a>(&'a [u8]);

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let s = self.0.trim_ascii_start();
            if s.is_empty() {
                return None;
            }
            let word_end = memchr::memchr(b' ', s).unwrap_or(s.len());
            let eq = match memchr::memchr(b'=', s) {
                Some(e) if e < word_end => e,
                _ => {
                    self.0 = s.get(word_end..).unwrap_or_default();
                    continue;
                }
            };
            let key = s.get(..eq)?;
            let v = s.get(eq + 1..)?;
            let (value, rest) = match v.strip_prefix(b"'") {
                Some(body) => {
                    // The closing quote is the last `'` followed by a space
                    // and another key (or the end): agents hold quotes too.
                    let end = closing_single_quote(body);
                    (body.get(..end)?, body.get(end + 1..).unwrap_or_default())
                }
                None => {
                    let end = memchr::memchr(b' ', v).unwrap_or(v.len());
                    (v.get(..end)?, v.get(end..).unwrap_or_default())
                }
            };
            self.0 = rest;
            return Some((key, value));
        }
    }
}

/// Index of the `'` that closes a single-quoted value: one followed by the
/// end, or by a space and `word=` / `request:`.
fn closing_single_quote(body: &[u8]) -> usize {
    for i in memchr::memchr_iter(b'\'', body) {
        let after = body.get(i + 1..).unwrap_or_default();
        if after.trim_ascii().is_empty() {
            return i;
        }
        if let Some(next) = after.strip_prefix(b" ") {
            let word = next.split(|&c| c == b' ').next().unwrap_or_default();
            if memchr::memchr(b'=', word).is_some() || word == b"request:" {
                return i;
            }
        }
    }
    body.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;
    use std::net::IpAddr;

    fn p(l: &str) -> LineResult<'_> {
        Meraki.parse(l.as_bytes(), &TimeCtx::default())
    }

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn flow_with_pri_and_version_and_pattern_zero_allows() {
        let r = p("<134>1 1767830400.253011885 MX_HQ flows src=10.1.2.3 dst=203.0.113.7 mac=00:11:22:33:44:55 protocol=tcp sport=39247 dport=443 pattern: 0 (tcp || udp) && dst port 443").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-08T00:00:00Z");
        assert_eq!(r.time_ms % 1000, 253);
        assert_eq!((r.src_ip, r.src_port), (ip("10.1.2.3"), Some(39247)));
        assert_eq!((r.dst_ip, r.dst_port), (ip("203.0.113.7"), Some(443)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
        assert!(Meraki.sniff(b"<134>1 1767830400.253011885 MX_HQ flows src=10.1.2.3 dst=203.0.113.7"));
    }

    #[test]
    fn explicit_and_pattern_denies() {
        let r = p("1767830400.1 MX_HQ firewall deny src=10.1.2.3 dst=192.0.2.5 protocol=udp sport=5000 dport=53").unwrap();
        assert_eq!((r.action, r.proto), (Action::Denied, Proto::Udp));
        let r = p("1767830400.1 MX_HQ flows src=10.1.2.3 dst=192.0.2.5 protocol=tcp sport=42644 dport=543 pattern: 1 all").unwrap();
        assert_eq!(r.action, Action::Denied);
        let r = p("1767830400.1 MX_HQ flows src=10.1.2.3 dst=192.0.2.5 protocol=tcp sport=1 dport=2 pattern: deny all").unwrap();
        assert_eq!(r.action, Action::Denied);
    }

    #[test]
    fn collector_stamp_in_front() {
        let r = p("Jan  8 00:00:01 192.0.2.1 1 1767830400.5 MX_HQ ip_flow_start src=10.1.2.3 dst=198.51.100.9 protocol=tcp sport=64365 dport=443 translated_src_ip=203.0.113.1 translated_port=64365").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-08T00:00:00Z");
        assert_eq!(r.dst_port, Some(443));
    }

    #[test]
    fn urls_with_quoted_agent_and_ipv6_ports() {
        let r = p("1767830400.7 MX_HQ urls src=10.1.2.3:55566 dst=203.0.113.8:80 mac=AA:BB:CC:DD:EE:FF agent='Mozilla/5.0 (X11; Linux x86_64) it's fine' request: GET http://docs.example.com/a/b?c=d").unwrap();
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 (X11; Linux x86_64) it's fine"));
        assert_eq!(r.method.as_deref(), Some("GET"));
        assert_eq!(r.dst_host.as_deref(), Some("docs.example.com"));
        assert_eq!((r.src_port, r.dst_port, r.url_query), (Some(55566), Some(80), true));
        let r = p("1767830400.7 MX_HQ urls src=2001:db8:1:2:3:4:5:6:64194 dst=2001:db8::80:443 mac=AA:BB:CC:DD:EE:FF request: UNKNOWN https://www.example.org/...").unwrap();
        assert_eq!((r.src_ip, r.src_port), (ip("2001:db8:1:2:3:4:5:6"), Some(64194)));
        assert_eq!((r.dst_ip, r.dst_port), (ip("2001:db8::80"), Some(443)));
        assert_eq!(r.dst_host.as_deref(), Some("www.example.org"));
    }

    #[test]
    fn flow_ends_and_events_are_ignored() {
        assert!(matches!(
            p("1767830400.7 MX_HQ ip_flow_end src=10.1.2.3 dst=198.51.100.9 protocol=udp sport=56391 dport=53"),
            Err(LineError::Ignored(_))
        ));
        assert!(matches!(
            p("1767830400.7 MX_HQ events content_filtering_block url='https://example.com/' server='192.0.2.4:443'"),
            Err(LineError::Ignored(_))
        ));
        assert_eq!(
            p("1767830400.7 MX_HQ flows src=host dst=198.51.100.9"),
            Err(LineError::Skipped("bad or missing src="))
        );
        assert!(!Meraki.sniff(b"1767830400.7 MX_HQ something else"));
        assert!(!Meraki.sniff(b"1700000000.123    245 10.1.2.3 TCP_MISS/200 5123 GET http://h/ - HIER_DIRECT/1.2.3.4 -"));
    }

    #[test]
    fn every_prefix_of_a_line_is_handled_without_panic() {
        let l = "<134>1 1767830400.7 MX urls src=[2001:db8::1]:5 dst=10.0.0.1:80 agent='a' b' request: GET http://x.example/?q";
        for i in 0..=l.len() {
            let b = l.as_bytes().get(..i).unwrap_or_default();
            let _ = (Meraki.parse(b, &TimeCtx::default()), Meraki.sniff(b));
        }
        assert_eq!(p(l).unwrap().src_ip, ip("2001:db8::1"));
    }
}
