//! Cisco ASA (8.x to 9.x) and Firepower Threat Defense (6.x, 7.x) syslog
//! messages (`%ASA-6-302013: ...`, `%FTD-...`, and the older `%PIX-`), with
//! or without a syslog envelope, with the ASA's own stamps (`Jan 01 2026
//! 00:00:00`, optionally with a zone name; RFC 5424 stamps; `host :` device
//! prefixes).
//!
//! Reference: Cisco Secure Firewall ASA Series Syslog Messages
//! <https://www.cisco.com/c/en/us/td/docs/security/asa/syslog/asa-syslog.html>.
//!
//! What is a record (the rest are recognised and ignored):
//! - connections: an ASA logs a TCP/UDP connection twice, when it is built
//!   (302013/302015/302017) and when it is torn down (302014/302016/302018).
//!   Only the built message says who initiated (`Built inbound ... for
//!   outside:A/pa to inside:B/pb` means A connected to B; `outbound` means
//!   B connected to A), so when a file has built messages they are the
//!   records and teardowns are ignored. Sites that switch built messages
//!   off (`no logging message 302013`) keep only teardowns; when the start
//!   of a file has teardowns and no built message, teardowns are the
//!   records instead, taken to start `duration` before they were logged, and
//!   oriented by port: the endpoint with the higher port is the client (on
//!   a tie, the second, inside one). The teardown's `bytes` is the total of
//!   both directions; seam has no field for an undirected total, so it is
//!   not used. ICMP: the built message (302020) is the record, the teardown
//!   (302021) is ignored.
//! - denies (106001, 106006, 106007, 106010-106023, 106100 `denied`, 110002,
//!   110003, 313004, 304002, 710003, and the botnet traffic filter's drops
//!   338005-338008) are records with action Denied.
//! - ACL hits (106100 `permitted`) describe connections the built messages
//!   log again; they are records only when a file has no connection
//!   messages.
//! - FTD connection events: 430003 (end of connection, with bytes per
//!   direction) is the record; 430002 (start) is a record when it blocks or
//!   when the file has no 430003 events.
//! - 304001 (URL filtering: `A Accessed URL B:url`) is a record with the URL.
//! - NAT translations (305011/305012) describe an address mapping, not a
//!   connection: ignored, like VPN, AAA, failover and system messages.
//!
//! Times: the ASA stamp in front of the message (a stamp with a year wins
//! over a yearless syslog stamp); FTD connection events use
//! `FirstPacketSecond`. A message without any stamp cannot be placed in
//! time and is skipped.

use std::borrow::Cow;
use std::net::IpAddr;

use super::url::split_url;
use super::{parse_ip, syslog, Field, Format, LineError, LineParser, LineResult};
use crate::record::{account, Action, Proto, Record};
use crate::time::{civil_seconds, digits, month_from_abbr, parse_bsd_syslog, parse_iso8601, parse_u16, parse_u64, TimeCtx};

pub struct CiscoAsa;

/// Which messages count a connection, chosen per file from its first lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Mode {
    /// TCP/UDP teardowns are the connection records (no built messages).
    teardown: bool,
    /// 106100 ACL permits are records (no connection messages at all).
    acl_permits: bool,
    /// FTD 430002 allow events are records (no 430003 events).
    ftd_starts: bool,
}

impl Mode {
    fn from_head(head: &[u8]) -> Mode {
        let has = |ids: &[&[u8]]| ids.iter().any(|id| crate::formats::find(head, id).is_some());
        let built = has(&[b"-302013", b"-302015", b"-302017"]);
        let teardown = has(&[b"-302014", b"-302016", b"-302018"]);
        Mode {
            teardown: teardown && !built,
            acl_permits: !built && !teardown,
            ftd_starts: !has(&[b"-430003"]),
        }
    }
}

struct AsaParser(Mode);

impl LineParser for AsaParser {
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        parse_line(line, ctx, self.0)
    }
}

impl Format for CiscoAsa {
    fn name(&self) -> &'static str {
        "cisco-asa"
    }

    fn title(&self) -> &'static str {
        "Cisco ASA / Firepower Threat Defense syslog (connections, denies, FTD connection events)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, SrcPort, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        marker(line).is_some()
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        parse_line(line, ctx, Mode::default())
    }

    fn bind_header(&self, head: &[u8]) -> Option<Result<Box<dyn LineParser>, String>> {
        Some(Ok(Box::new(AsaParser(Mode::from_head(head)))))
    }
}

/// Position of `%ASA-`, `%FTD-`, `%PIX-`, `%FWSM-` or `%NGIPS-` followed by
/// a message id.
fn marker(line: &[u8]) -> Option<usize> {
    const TAGS: &[&[u8]] = &[b"ASA-", b"FTD-", b"PIX-", b"FWSM-", b"NGIPS-"];
    memchr::memchr_iter(b'%', line).find(|&i| {
        let rest = line.get(i + 1..).unwrap_or_default();
        TAGS.iter().any(|t| rest.starts_with(t)) && message_id(rest).is_some()
    })
}

/// Splits `ASA-6-302013: body` (or `ASA-session-5-106100:`, or without the
/// colon) into the numeric id and the body.
fn message_id(s: &[u8]) -> Option<(u32, &[u8])> {
    let end = s.iter().position(|&c| c == b':' || c == b' ').unwrap_or(s.len());
    let tag = s.get(..end)?;
    let id = tag.rsplit(|&c| c == b'-').next()?;
    if id.len() != 6 {
        return None;
    }
    let n = digits(id, 6)?;
    let body = s.get(end..).unwrap_or_default();
    let body = body.strip_prefix(b":").unwrap_or(body);
    Some((n, body.trim_ascii()))
}

fn parse_line<'a>(line: &'a [u8], ctx: &TimeCtx, mode: Mode) -> LineResult<'a> {
    let at = marker(line).ok_or(LineError::Skipped("no %ASA/%FTD message id"))?;
    let (id, body) = line
        .get(at + 1..)
        .and_then(message_id)
        .ok_or(LineError::Skipped("bad message id"))?;
    let stamp = header_time(line.get(..at).unwrap_or_default(), ctx);
    // Places a record `back_ms` before the stamp (a teardown's duration).
    let finish = |r: Record<'a>, back_ms: i64| -> LineResult<'a> {
        if r.src_ip.is_none() {
            return Err(LineError::Skipped("source is an object name, not an address"));
        }
        match stamp {
            Some(t) => Ok(Record {
                time_ms: t.saturating_sub(back_ms),
                ..r
            }),
            None => Err(LineError::Skipped("no timestamp")),
        }
    };
    let need_time = |r: Record<'a>| finish(r, 0);
    match id {
        302013 | 302015 | 302017 | 302020 => {
            if mode.teardown && id != 302020 {
                return Err(LineError::Ignored("connection built (counted at its teardown)"));
            }
            need_time(built(body).ok_or(LineError::Skipped("malformed built message"))?)
        }
        302014 | 302016 | 302018 => {
            if !mode.teardown {
                return Err(LineError::Ignored("connection teardown (counted at its built message)"));
            }
            let (r, duration_s) = teardown(body).ok_or(LineError::Skipped("malformed teardown message"))?;
            finish(r, duration_s.saturating_mul(1000))
        }
        302021 => Err(LineError::Ignored("icmp teardown (counted at its built message)")),
        106100 => {
            let r = acl_hit(body).ok_or(LineError::Skipped("malformed access-list message"))?;
            if r.action == Action::Allowed && !mode.acl_permits {
                return Err(LineError::Ignored("access-list permit (the connection has its own message)"));
            }
            need_time(r)
        }
        106001 | 106002 | 106006 | 106007 | 106010 | 106011 | 106012 | 106013 | 106014 | 106015 | 106016 | 106017 | 106020 | 106021
        | 106022 | 106023 | 106027 | 110002 | 110003 | 313004 | 710003 => {
            need_time(deny(body).ok_or(LineError::Skipped("malformed deny message"))?)
        }
        // Botnet traffic filter drops (the "monitored" ones log a connection
        // that has its own messages).
        338005..=338008 | 338203 | 338204 => need_time(deny(body).ok_or(LineError::Skipped("malformed dynamic filter message"))?),
        304001 | 304002 => need_time(url_log(id, body).ok_or(LineError::Skipped("malformed url message"))?),
        430002 | 430003 => {
            let (r, first_packet) = ftd_event(body);
            let r = r.ok_or(LineError::Skipped("malformed connection event"))?;
            if id == 430002 && r.action == Action::Allowed && !mode.ftd_starts {
                return Err(LineError::Ignored("connection start event (counted at its end event)"));
            }
            match first_packet.or(stamp) {
                Some(t) => Ok(Record { time_ms: t, ..r }),
                None => Err(LineError::Skipped("no timestamp")),
            }
        }
        305009..=305014 => Err(LineError::Ignored("nat translation (not a connection)")),
        _ => Err(LineError::Ignored("not a connection message")),
    }
}

// ---------------------------------------------------------------------------
// Message bodies

/// One side of a connection as the ASA writes it:
/// `ifc:addr/port (mapped/port)(user)`, `ifc/addr(port)`, `addr/port`, `addr`.
#[derive(Debug, Default, Clone, PartialEq)]
struct End<'a> {
    ip: Option<IpAddr>,
    /// A configured object name in place of an address.
    name: Option<&'a [u8]>,
    port: Option<u16>,
    user: Option<&'a [u8]>,
}

/// Parses `ifc:addr/port` (interface optional; IPv6 allowed) from the start
/// of `s`, then any ` (mapped/port)` and `(user)` groups that follow.
fn end_slash(s: &[u8]) -> Option<(End<'_>, &[u8])> {
    let s = s.trim_ascii_start();
    let tok_end = s.iter().position(|&c| matches!(c, b' ' | b'(' | b')' | b',')).unwrap_or(s.len());
    let tok = s.get(..tok_end)?;
    let (addr, port) = match memchr::memrchr(b'/', tok) {
        Some(i) => (tok.get(..i)?, port_value(tok.get(i + 1..)?)),
        None => (tok, None),
    };
    let mut e = address(addr)?;
    e.port = port;
    let rest = groups(s.get(tok_end..)?, &mut e);
    Some((e, rest))
}

/// `[ifc:]addr`: the address alone, else the part after the interface.
fn address(a: &[u8]) -> Option<End<'_>> {
    if let Some(ip) = parse_ip(a) {
        return Some(End {
            ip: Some(ip),
            ..End::default()
        });
    }
    let a = match memchr::memchr(b':', a) {
        Some(i) => a.get(i + 1..)?,
        None => a,
    };
    if let Some(ip) = parse_ip(a) {
        return Some(End {
            ip: Some(ip),
            ..End::default()
        });
    }
    let name_ok = !a.is_empty() && a.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    name_ok.then(|| End {
        name: Some(a),
        ..End::default()
    })
}

/// Reads ` (mapped/port)` and `(user)` / `(user, sg_info)` groups after an
/// endpoint; returns what follows them.
fn groups<'a>(mut s: &'a [u8], e: &mut End<'a>) -> &'a [u8] {
    loop {
        let t = s.strip_prefix(b" ").unwrap_or(s);
        let Some(body) = t.strip_prefix(b"(") else { return s };
        let Some(close) = memchr::memchr(b')', body) else { return s };
        let inner = body.get(..close).unwrap_or_default();
        let is_mapped = memchr::memchr(b'/', inner).is_some_and(|i| inner.get(..i).and_then(parse_ip).is_some());
        if !is_mapped && e.user.is_none() {
            let u = match memchr::memchr(b',', inner) {
                Some(i) => inner.get(..i).unwrap_or(inner),
                None => inner,
            };
            e.user = Some(u.trim_ascii());
        }
        s = body.get(close + 1..).unwrap_or_default();
    }
}

/// A port number or one of the names the ASA prints for well-known ports.
fn port_value(p: &[u8]) -> Option<u16> {
    if let Some(n) = parse_u16(p) {
        return Some(n);
    }
    const NAMES: &[(&str, u16)] = &[
        ("ftp-data", 20),
        ("ftp", 21),
        ("ssh", 22),
        ("telnet", 23),
        ("smtp", 25),
        ("tacacs", 49),
        ("domain", 53),
        ("bootps", 67),
        ("bootpc", 68),
        ("tftp", 69),
        ("http", 80),
        ("www", 80),
        ("pop3", 110),
        ("sunrpc", 111),
        ("ntp", 123),
        ("netbios-ns", 137),
        ("netbios-dgm", 138),
        ("netbios-ssn", 139),
        ("imap4", 143),
        ("snmp", 161),
        ("snmptrap", 162),
        ("bgp", 179),
        ("ldap", 389),
        ("https", 443),
        ("isakmp", 500),
        ("syslog", 514),
        ("ldaps", 636),
        ("sqlnet", 1521),
        ("radius", 1645),
        ("radius-acct", 1646),
        ("pptp", 1723),
        ("nfs", 2049),
        ("sip", 5060),
    ];
    NAMES.iter().find(|(n, _)| p.eq_ignore_ascii_case(n.as_bytes())).map(|&(_, v)| v)
}

/// Text after the first occurrence of `word` (with the space after it).
fn after<'a>(s: &'a [u8], word: &[u8]) -> Option<&'a [u8]> {
    let i = crate::formats::find(s, word)?;
    s.get(i + word.len()..)
}

/// Fills a record from initiator `a` and responder `b`.
fn connection<'a>(a: End<'a>, b: End<'a>, proto: Proto, action: Action, user: Option<&'a [u8]>) -> Option<Record<'a>> {
    // An initiator known only by its object name is kept here so that the
    // caller can say why the line is skipped.
    if a.ip.is_none() && a.name.is_none() {
        return None;
    }
    let mut r = Record {
        src_ip: a.ip,
        src_port: a.port,
        dst_ip: b.ip,
        dst_host: b.name.map(String::from_utf8_lossy),
        dst_port: b.port,
        proto,
        action,
        user: a.user.or(user).and_then(user_text),
        ..Record::default()
    };
    if r.dst_ip.is_none() && r.dst_host.is_none() {
        return None;
    }
    if r.user.is_none() {
        r.user = b.user.and_then(user_text);
    }
    Some(r)
}

/// `DOMAIN\user` → `user`; `LOCAL\` prefixes and empty names dropped.
fn user_text(u: &[u8]) -> Option<Cow<'_, str>> {
    let t = u.trim_ascii();
    if t.is_empty() || t == b"-" {
        return None;
    }
    let u: Cow<'_, str> = match crate::record::text(t) {
        Cow::Borrowed(b) => Cow::Borrowed(account(b)),
        Cow::Owned(o) => Cow::Owned(account(&o).to_string()),
    };
    (!u.is_empty()).then_some(u)
}

/// `Built {inbound|outbound} {TCP|UDP|GRE} connection ID for A to B [(user)]`
/// and `Built {inbound|outbound} ICMP connection for faddr F gaddr G laddr L`.
fn built(body: &[u8]) -> Option<Record<'_>> {
    let rest = body.strip_prefix(b"Built ")?;
    let (dir, rest) = super::next_token(rest)?;
    let outbound = dir.eq_ignore_ascii_case(b"outbound");
    let (proto_word, rest) = super::next_token(rest)?;
    let proto = Proto::parse(proto_word);
    if proto == Proto::Icmp {
        let (f, rest) = end_slash(after(rest, b"faddr ")?)?;
        let (l, rest) = end_slash(after(rest, b"laddr ")?)?;
        let trailing = trailing_user(rest);
        let (a, b) = if outbound { (l, f) } else { (f, l) };
        return connection(a, b, proto, Action::Allowed, trailing);
    }
    let (first, rest) = end_slash(after(rest, b" for ")?)?;
    let (second, rest) = end_slash(after(rest, b"to ")?)?;
    let trailing = trailing_user(rest);
    let (a, b) = if outbound { (second, first) } else { (first, second) };
    connection(a, b, proto, Action::Allowed, trailing)
}

/// `Teardown TCP connection ID for A to B duration H:MM:SS bytes N ...`;
/// returns the record and the duration in seconds.
fn teardown(body: &[u8]) -> Option<(Record<'_>, i64)> {
    let rest = body.strip_prefix(b"Teardown ")?;
    let (proto_word, rest) = super::next_token(rest)?;
    let rest = match after(rest, b" for ") {
        Some(r) => r,
        None => after(rest, b" from ")?,
    };
    let (first, rest) = end_slash(rest)?;
    let (second, rest) = end_slash(after(rest, b"to ")?)?;
    let duration = after(rest, b"duration ")
        .and_then(|d| super::next_token(d))
        .and_then(|(d, _)| hms(d))
        .unwrap_or(0);
    let trailing = trailing_user(rest);
    // The ASA does not say who initiated: the endpoint with the higher port
    // is taken as the client; on a tie the inside (second) one.
    let first_is_client = matches!((first.port, second.port), (Some(a), Some(b)) if a > b);
    let (a, b) = if first_is_client { (first, second) } else { (second, first) };
    let r = connection(a, b, Proto::parse(proto_word), Action::Allowed, trailing)?;
    Some((r, duration))
}

/// `H:MM:SS` (hours may exceed 24) in seconds.
fn hms(d: &[u8]) -> Option<i64> {
    let mut it = d.split(|&c| c == b':');
    let h = parse_u64(it.next()?)?;
    let m = parse_u64(it.next()?)?;
    let s = parse_u64(it.next()?)?;
    i64::try_from(h.checked_mul(3600)?.checked_add(m * 60 + s)?).ok()
}

/// The `(user)` group the ASA appends at the end of some messages.
fn trailing_user(rest: &[u8]) -> Option<&[u8]> {
    let t = rest.trim_ascii_end();
    let inner = t.strip_suffix(b")")?;
    let open = memchr::memrchr(b'(', inner)?;
    let u = inner.get(open + 1..)?;
    // Not a port or mapped address group.
    (memchr::memchr(b'/', u).is_none() && !u.is_empty()).then_some(u)
}

/// `access-list ACL {permitted|denied|est-allowed} PROTO ifc/A(pa)(user) -> ifc/B(pb) hit-cnt ...`
fn acl_hit(body: &[u8]) -> Option<Record<'_>> {
    let rest = body.strip_prefix(b"access-list ")?;
    let (_acl, rest) = super::next_token(rest)?;
    let (verdict, rest) = super::next_token(rest)?;
    let action = if verdict == b"denied" { Action::Denied } else { Action::Allowed };
    let (proto, rest) = super::next_token(rest)?;
    let arrow = crate::formats::find(rest, b" -> ")?;
    let a = end_paren(rest.get(..arrow)?)?;
    let b = end_paren(rest.get(arrow + 4..)?)?;
    connection(a, b, Proto::parse(proto), action, None)
}

/// `ifc/addr(port)(user, sg)` as 106100 writes endpoints.
fn end_paren(s: &[u8]) -> Option<End<'_>> {
    let s = s.trim_ascii_start();
    let open = memchr::memchr(b'(', s)?;
    let head = s.get(..open)?;
    let addr = match memchr::memchr(b'/', head) {
        Some(i) => head.get(i + 1..)?,
        None => head,
    };
    let mut e = address(addr)?;
    let body = s.get(open + 1..)?;
    let close = memchr::memchr(b')', body)?;
    e.port = port_value(body.get(..close)?);
    let tail = body.get(close + 1..).unwrap_or_default();
    let tail = match crate::formats::find(tail, b" hit-cnt") {
        Some(i) => tail.get(..i).unwrap_or_default(),
        None => tail,
    };
    groups(tail, &mut e);
    Some(e)
}

/// The deny family: `... from A[/pa] to B[/pb] ...`, `... src A dst B ...`,
/// `... from laddr A on interface X to B: ...`.
fn deny(body: &[u8]) -> Option<Record<'_>> {
    let proto = proto_word(body);
    let (a, b) = if let Some(r) = after(body, b" src ") {
        let (a, r) = end_slash(r)?;
        let r = after(r, b"dst ").or_else(|| after(r, b"dest ")).or_else(|| after(r, b"to "))?;
        let (b, _) = end_slash(r)?;
        (a, b)
    } else if let Some(r) = after(body, b"from laddr ") {
        let (a, r) = end_slash(r)?;
        let r = after(r, b" to ")?;
        let (b, _) = end_slash(r.split(|&c| c == b':').next().unwrap_or(r))?;
        (a, b)
    } else {
        let r = after(body, b"from ")?;
        let r = r.strip_prefix(b"(").unwrap_or(r);
        let (a, r) = end_slash(r)?;
        let r = r.strip_prefix(b")").unwrap_or(r);
        let (b, _) = end_slash(after(r, b"to ")?)?;
        (a, b)
    };
    connection(a, b, proto, Action::Denied, None)
}

/// The first protocol word of a message body (`TCP`, `udp`, `icmp`, `IP`).
fn proto_word(body: &[u8]) -> Proto {
    for w in body
        .split(|&c| c == b' ')
        .take(12)
        .filter(|w| w.iter().all(u8::is_ascii_alphabetic))
    {
        if let p @ (Proto::Tcp | Proto::Udp | Proto::Icmp) = Proto::parse(w) {
            return p;
        }
    }
    Proto::Unknown
}

/// 304001 `[user@]A[(user)] Accessed URL B:url` and 304002 `Access denied
/// URL url SRC A DEST B on interface X`.
fn url_log(id: u32, body: &[u8]) -> Option<Record<'_>> {
    let (src, dst, url, action) = if id == 304001 {
        let i = crate::formats::find(body, b" Accessed URL ")?;
        let who = body.get(..i)?;
        let target = body.get(i + 14..)?;
        let colon = memchr::memchr(b':', target)?;
        (who, target.get(..colon)?, target.get(colon + 1..)?, Action::Allowed)
    } else {
        let u = after(body, b"Access denied URL ")?;
        let (url, _) = super::next_token(u)?;
        let (src, _) = super::next_token(after(body, b" SRC ")?)?;
        let (dst, _) = super::next_token(after(body, b" DEST ")?)?;
        (src, dst, url, Action::Denied)
    };
    // `user@ip(LOCAL\user)` or `ip`.
    let (user, ip_part) = match memchr::memchr(b'@', src) {
        Some(i) => (src.get(..i), src.get(i + 1..)?),
        None => (None, src),
    };
    let ip_part = ip_part.split(|&c| c == b'(').next().unwrap_or(ip_part);
    let p = split_url(url);
    let mut r = Record {
        src_ip: Some(parse_ip(ip_part)?),
        dst_ip: parse_ip(dst),
        dst_port: p.port,
        proto: Proto::Tcp,
        action,
        user: user.and_then(user_text),
        scheme: p.scheme,
        url_query: p.query,
        url: Some(crate::record::text(url)),
        ..Record::default()
    };
    if !p.host.is_empty() && parse_ip(p.host).is_none() {
        r.dst_host = Some(crate::record::text(p.host));
    }
    Some(r)
}

/// FTD connection events: `Key: value, Key: value, ...`. Returns the record
/// (if the addresses are there) and `FirstPacketSecond`.
fn ftd_event(body: &[u8]) -> (Option<Record<'_>>, Option<i64>) {
    let mut r = Record::default();
    let (mut first_packet, mut user, mut url, mut sni, mut referenced) = (None, None, None, None, None);
    let (mut app, mut web_app) = (None, None);
    for (k, v) in ftd_pairs(body) {
        match k {
            b"SrcIP" => r.src_ip = parse_ip(v),
            b"DstIP" => r.dst_ip = parse_ip(v),
            b"SrcPort" => r.src_port = parse_u16(v),
            b"DstPort" => r.dst_port = parse_u16(v),
            b"Protocol" => r.proto = Proto::parse(v),
            b"InitiatorBytes" => r.bytes_out = parse_u64(v),
            b"ResponderBytes" => r.bytes_in = parse_u64(v),
            b"AccessControlRuleAction" => {
                let blocked = crate::formats::find(v, b"Block").is_some() || crate::formats::find(v, b"block").is_some();
                r.action = if blocked { Action::Denied } else { Action::Allowed };
            }
            b"User" => user = Some(v),
            b"UserAgent" => r.user_agent = (!v.is_empty()).then(|| crate::record::text(v)),
            b"URL" => url = Some(v),
            b"SSLServerName" => sni = Some(v),
            b"ReferencedHost" => referenced = Some(v),
            b"ApplicationProtocol" => app = Some(v),
            b"WebApplication" => web_app = Some(v),
            b"FirstPacketSecond" => first_packet = parse_iso8601(v, &crate::time::Zone::Fixed(0)),
            _ => {}
        }
    }
    if r.src_ip.is_none() || r.dst_ip.is_none() {
        return (None, first_packet);
    }
    if r.action == Action::Unknown {
        r.action = Action::Allowed;
    }
    // FTD writes placeholders when the connection has no identity.
    r.user = user
        .filter(|u| !matches!(*u, b"Not Found" | b"No Authentication Required" | b"Unknown" | b"No User"))
        .and_then(user_text);
    if let Some(u) = url.filter(|u| !u.is_empty()) {
        let p = split_url(u);
        if !p.host.is_empty() && parse_ip(p.host).is_none() {
            r.dst_host = Some(crate::record::text(p.host));
        }
        r.scheme = p.scheme;
        r.url_query = p.query;
        r.url = Some(crate::record::text(u));
    }
    if r.dst_host.is_none() {
        r.dst_host = sni.or(referenced).filter(|h| !h.is_empty()).map(String::from_utf8_lossy);
    }
    r.service = web_app.or(app).filter(|a| !a.is_empty()).map(String::from_utf8_lossy);
    (Some(r), first_packet)
}

/// Iterates `Key: value` pairs separated by `, `. A `, ` inside a value
/// (user agents hold them) does not end it unless a `Key: ` follows.
fn ftd_pairs(body: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = body;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let colon = crate::formats::find(rest, b": ")?;
        let key = rest.get(..colon)?.trim_ascii();
        let value_start = rest.get(colon + 2..)?;
        // Find the next ", Key: " boundary.
        let mut end = value_start.len();
        let mut search = 0;
        while let Some(off) = value_start.get(search..).and_then(|v| crate::formats::find(v, b", ")) {
            let at = search + off;
            if starts_with_key(value_start.get(at + 2..).unwrap_or_default()) {
                end = at;
                break;
            }
            search = at + 2;
        }
        let value = value_start.get(..end)?.trim_ascii();
        rest = value_start.get(end + 2..).unwrap_or_default();
        if key.is_empty() {
            continue;
        }
        return Some((key, value));
    })
}

/// `Key: ` with a key of letters, digits, `_` and inner spaces.
fn starts_with_key(s: &[u8]) -> bool {
    let Some(colon) = s.iter().take(48).position(|&c| c == b':') else {
        return false;
    };
    let key = s.get(..colon).unwrap_or_default();
    !key.is_empty()
        && key.first().is_some_and(u8::is_ascii_alphabetic)
        && key.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b' ')
        && s.get(colon + 1) == Some(&b' ')
}

// ---------------------------------------------------------------------------
// Time

/// The best stamp in front of the message id: one with a year (the ASA's
/// `Mon dd yyyy hh:mm:ss` or ISO 8601) wins over a yearless syslog stamp.
fn header_time(h: &[u8], ctx: &TimeCtx) -> Option<i64> {
    let h = syslog::strip_pri(h);
    let (mut with_year, mut yearless) = (None, None);
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b' ', h).map(|i| i + 1));
    for i in starts {
        let s = h.get(i..).unwrap_or_default();
        // Stamps start with a month name or a digit.
        if !s.first().is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        if let Some(t) = asa_stamp(s, ctx).or_else(|| iso_token(s, ctx)) {
            // The device's own stamp comes last; a relay's comes before it.
            with_year = Some(t);
        } else if yearless.is_none() {
            if let Some((t, n)) = parse_bsd_syslog(s, ctx) {
                yearless = Some(adjust_zone(t, s.get(n..).unwrap_or_default(), ctx));
            }
        }
    }
    with_year.or(yearless)
}

/// `Apr 29 2013 12:59:50[.123][ ZONE]`.
fn asa_stamp(s: &[u8], ctx: &TimeCtx) -> Option<i64> {
    let mo = month_from_abbr(s)?;
    if s.get(3) != Some(&b' ') {
        return None;
    }
    let r = s.get(4..)?.trim_ascii_start();
    let dlen = r.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&dlen) || r.get(dlen) != Some(&b' ') {
        return None;
    }
    let d = digits(r, dlen)?;
    let r = r.get(dlen + 1..)?;
    let y = digits(r, 4)?;
    if r.get(4) != Some(&b' ') {
        return None;
    }
    let t = r.get(5..)?;
    let (hh, mi, ss) = (digits(t, 2)?, digits(t.get(3..)?, 2)?, digits(t.get(6..)?, 2)?);
    if t.get(2) != Some(&b':') || t.get(5) != Some(&b':') {
        return None;
    }
    let mut rest = t.get(8..)?;
    let mut ms = 0;
    if rest.first() == Some(&b'.') {
        let n = rest.iter().skip(1).take_while(|c| c.is_ascii_digit()).count();
        let frac = rest.get(1..1 + n)?;
        ms = frac.iter().zip([100, 10, 1]).map(|(&c, w)| i64::from(c - b'0') * w).sum();
        rest = rest.get(1 + n..)?;
    }
    let local = civil_seconds(i64::from(y), mo, d, hh, mi, ss)?;
    Some(adjust_zone(ctx.zone.local_to_utc(local) * 1000 + ms, rest, ctx))
}

/// An ISO 8601 token (`2026-01-01T00:00:00Z`, maybe followed by `:`).
fn iso_token(s: &[u8], ctx: &TimeCtx) -> Option<i64> {
    if s.len() < 19 || s.get(4) != Some(&b'-') || s.get(10) != Some(&b'T') {
        return None;
    }
    let (tok, _) = super::next_token(s)?;
    let tok = tok.strip_suffix(b":").unwrap_or(tok);
    parse_iso8601(tok, &ctx.zone)
}

/// If a zone abbreviation follows a stamp that was read in `ctx.zone`,
/// re-reads it in that zone.
fn adjust_zone(t: i64, rest: &[u8], ctx: &TimeCtx) -> i64 {
    let Some((tok, _)) = super::next_token(rest) else { return t };
    let tok = tok.strip_suffix(b":").unwrap_or(tok);
    const ZONES: &[(&[u8], i64)] = &[
        (b"UTC", 0),
        (b"GMT", 0),
        (b"Z", 0),
        (b"EST", -5),
        (b"EDT", -4),
        (b"CST", -6),
        (b"CDT", -5),
        (b"MST", -7),
        (b"MDT", -6),
        (b"PST", -8),
        (b"PDT", -7),
        (b"CET", 1),
        (b"CEST", 2),
        (b"BST", 1),
    ];
    match ZONES.iter().find(|(z, _)| tok.eq_ignore_ascii_case(z)) {
        Some(&(_, h)) => {
            // Local wall time = what was read as if in ctx.zone; undo that.
            let local_ms = t + i64::from(ctx.zone.offset_at_utc(t.div_euclid(1000))) * 1000;
            local_ms - h * 3_600_000
        }
        None => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    fn p(l: &str) -> LineResult<'_> {
        parse_line(l.as_bytes(), &ctx(), Mode::default())
    }

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn built_inbound_initiator_is_the_outside_host() {
        let r = p("Oct 05 2026 00:15:02: %ASA-6-302013: Built inbound TCP connection 1234 for outside:198.51.100.7/50123 (198.51.100.7/50123) to dmz:10.0.5.20/443 (203.0.113.20/443)").unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_ip, r.src_port), (ip("198.51.100.7"), Some(50123)));
        assert_eq!((r.dst_ip, r.dst_port), (ip("10.0.5.20"), Some(443)));
        assert_eq!((r.proto, r.action), (Proto::Tcp, Action::Allowed));
    }

    #[test]
    fn built_outbound_initiator_is_the_inside_host_with_users() {
        let r = p("<166>Oct 05 2026 00:15:02 fw01 : %ASA-6-302015: Built outbound UDP connection 99 for outside:203.0.113.53/53 (203.0.113.53/53) to inside:10.1.1.5/51000 (198.51.100.1/40001)(EXAMPLE\\svc_dns) (EXAMPLE\\svc_dns)").unwrap();
        assert_eq!((r.src_ip, r.src_port), (ip("10.1.1.5"), Some(51000)));
        assert_eq!((r.dst_ip, r.dst_port), (ip("203.0.113.53"), Some(53)));
        assert_eq!(r.user.as_deref(), Some("svc_dns"));
        assert_eq!(r.proto, Proto::Udp);
    }

    #[test]
    fn ipv6_endpoints_keep_their_colons() {
        let r = p("Oct 05 2026 00:15:02: %ASA-6-302013: Built outbound TCP connection 7 for outside:2001:db8::80/443 (2001:db8::80/443) to inside:2001:db8:1::5/50000 (2001:db8:1::5/50000)").unwrap();
        assert_eq!(r.src_ip, ip("2001:db8:1::5"));
        assert_eq!(r.dst_ip, ip("2001:db8::80"));
    }

    #[test]
    fn teardown_ignored_when_built_messages_are_the_records() {
        let l = "Oct 05 2026 00:15:02: %ASA-6-302014: Teardown TCP connection 1234 for outside:203.0.113.9/443 to inside:10.1.1.5/51000 duration 0:01:05 bytes 5120 TCP FINs";
        assert!(matches!(p(l), Err(LineError::Ignored(_))));
        // A file without built messages: teardowns count, oriented by port,
        // placed at the connection start.
        let mode = Mode::from_head(l.as_bytes());
        assert!(mode.teardown);
        let r = parse_line(l.as_bytes(), &ctx(), mode).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:13:57Z");
        assert_eq!((r.src_ip, r.dst_ip, r.dst_port), (ip("10.1.1.5"), ip("203.0.113.9"), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (None, None));
    }

    #[test]
    fn mode_from_head_prefers_built_messages() {
        let head = b"%ASA-6-302013: Built ...\n%ASA-6-302014: Teardown ...\n%FTD-1-430003: x";
        let m = Mode::from_head(head);
        assert!(!m.teardown && !m.acl_permits && !m.ftd_starts);
        let m = Mode::from_head(b"%ASA-6-106100: access-list ...");
        assert!(!m.teardown && m.acl_permits && m.ftd_starts);
    }

    #[test]
    fn icmp_built_uses_faddr_and_laddr() {
        let r = p("Oct 05 2026 00:15:02: %ASA-6-302020: Built inbound ICMP connection for faddr 198.51.100.7/7(LOCAL\\jdoe) gaddr 203.0.113.1/0 laddr 10.0.0.1/0 type 8 code 0").unwrap();
        assert_eq!((r.src_ip, r.dst_ip), (ip("198.51.100.7"), ip("10.0.0.1")));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.proto, Proto::Icmp);
        let r = p("Oct 05 2026 00:15:02: %ASA-6-302020: Built outbound ICMP connection for faddr 192.0.2.8/0 gaddr 203.0.113.1/3 laddr 10.0.0.9/3").unwrap();
        assert_eq!((r.src_ip, r.dst_ip), (ip("10.0.0.9"), ip("192.0.2.8")));
    }

    #[test]
    fn denies_of_several_shapes() {
        let cases = [
            (
                "%ASA-2-106001: Inbound TCP connection denied from 198.51.100.7/901 to 10.0.0.2/111 flags SYN  on interface outside",
                "198.51.100.7",
                "10.0.0.2",
                Some(111),
                Proto::Tcp,
            ),
            (
                "%ASA-2-106006: Deny inbound UDP from 198.51.100.7/901 to 10.0.0.2/161 on interface outside",
                "198.51.100.7",
                "10.0.0.2",
                Some(161),
                Proto::Udp,
            ),
            (
                "%ASA-4-106023: Deny udp src dmz:10.1.2.30/63016 dst outside:192.0.2.8/53 by access-group \"acl_dmz\" [0xe3aab522, 0x0]",
                "10.1.2.30",
                "192.0.2.8",
                Some(53),
                Proto::Udp,
            ),
            (
                "%ASA-3-106014: Deny inbound icmp src outside:198.51.100.7 dst inside:10.0.0.2 (type 8, code 0)",
                "198.51.100.7",
                "10.0.0.2",
                None,
                Proto::Icmp,
            ),
            (
                "%ASA-6-106015: Deny TCP (no connection) from 10.0.0.2/52675 to 203.0.113.4/443 flags FIN ACK on interface inside",
                "10.0.0.2",
                "203.0.113.4",
                Some(443),
                Proto::Tcp,
            ),
            (
                "%ASA-2-106016: Deny IP spoof from (192.0.2.1) to 10.0.0.2 on interface outside",
                "192.0.2.1",
                "10.0.0.2",
                None,
                Proto::Unknown,
            ),
            (
                "%ASA-3-710003: TCP access denied by ACL from 198.51.100.7/54065 to outside:203.0.113.1/ssh",
                "198.51.100.7",
                "203.0.113.1",
                Some(22),
                Proto::Tcp,
            ),
            (
                "%ASA-6-110003: Routing failed to locate next hop for udp from inside:10.0.0.2/5000 to outside:192.0.2.9/53",
                "10.0.0.2",
                "192.0.2.9",
                Some(53),
                Proto::Udp,
            ),
            (
                "%ASA-4-313004: Denied ICMP type=0, from laddr 10.0.0.2 on interface inside to 192.0.2.10: no matching session",
                "10.0.0.2",
                "192.0.2.10",
                None,
                Proto::Icmp,
            ),
        ];
        for (msg, s, d, dp, proto) in cases {
            let l = format!("Oct 05 2026 00:15:02: {msg}");
            let r = p(&l).unwrap_or_else(|e| panic!("{msg}: {e:?}"));
            assert_eq!((r.src_ip, r.dst_ip, r.dst_port, r.proto), (ip(s), ip(d), dp, proto), "{msg}");
            assert_eq!(r.action, Action::Denied, "{msg}");
        }
    }

    #[test]
    fn acl_hits_deny_always_permit_only_without_connection_messages() {
        let permit = "Apr 30 2026 09:22:38: %ASA-5-106100: access-list acl_in permitted tcp inside/10.0.0.16(2006)(EXAMPLE\\bob, sg) -> outside/192.0.2.89(2000) hit-cnt 1 first hit [0x71a87d94, 0x0]";
        assert!(matches!(p(permit), Err(LineError::Ignored(_))));
        let r = parse_line(permit.as_bytes(), &ctx(), Mode::from_head(permit.as_bytes())).unwrap();
        assert_eq!((r.src_ip, r.src_port, r.dst_port), (ip("10.0.0.16"), Some(2006), Some(2000)));
        assert_eq!(r.user.as_deref(), Some("bob"));
        let deny = permit.replace("permitted", "denied");
        assert_eq!(p(&deny).unwrap().action, Action::Denied);
    }

    #[test]
    fn ftd_connection_events() {
        let end = "%FTD-1-430003: EventPriority: Low, DeviceUUID: x, FirstPacketSecond: 2026-10-05T00:15:02Z, ConnectionID: 1, AccessControlRuleAction: Allow, SrcIP: 10.0.0.5, DstIP: 203.0.113.7, SrcPort: 50158, DstPort: 443, Protocol: tcp, User: Not Found, UserAgent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko), Client: SSL client, ApplicationProtocol: HTTPS, InitiatorBytes: 967, ResponderBytes: 5018, SSLServerName: api.example.com, URL: https://api.example.com";
        let r = p(end).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.bytes_out, r.bytes_in), (Some(967), Some(5018)));
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!(r.user, None);
        assert_eq!(
            r.user_agent.as_deref(),
            Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)")
        );
        let start = end.replace("430003", "430002");
        assert!(matches!(p(&start), Err(LineError::Ignored(_))));
        let block = start.replace("Action: Allow", "Action: Block with reset");
        assert_eq!(p(&block).unwrap().action, Action::Denied);
    }

    #[test]
    fn url_filtering_messages() {
        let r =
            p("Nov 16 2026 14:12:36: %ASA-5-304001: jdoe@10.5.1.32(LOCAL\\jdoe) Accessed URL 192.0.2.32:http://files.example.com/a?b=1")
                .unwrap();
        assert_eq!(r.src_ip, ip("10.5.1.32"));
        assert_eq!(r.dst_ip, ip("192.0.2.32"));
        assert_eq!(r.dst_host.as_deref(), Some("files.example.com"));
        assert_eq!((r.dst_port, r.url_query), (Some(80), true));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        let d = p("Nov 16 2026 14:12:37: %ASA-5-304002: Access denied URL http://www.example.net/x SRC 10.69.6.39 DEST 192.0.2.19 on interface inside").unwrap();
        assert_eq!((d.action, d.dst_host.as_deref()), (Action::Denied, Some("www.example.net")));
    }

    #[test]
    fn stamps_and_prefixes() {
        let msg = "%ASA-2-106006: Deny inbound UDP from 198.51.100.7/9 to 10.0.0.2/9 on interface outside";
        let t = |h: &str| p(&format!("{h}{msg}")).map(|r| rfc3339(r.time_ms));
        assert_eq!(t("Apr 15 2026 09:34:34 EDT: ").unwrap(), "2026-04-15T13:34:34Z");
        assert_eq!(t("<164>Jun 26 2026 20:54:29: ").unwrap(), "2026-06-26T20:54:29Z");
        assert_eq!(
            t("Jun 26 09:00:00 relay Jun 26 2025 20:54:29 fw : ").unwrap(),
            "2025-06-26T20:54:29Z"
        );
        assert_eq!(t("Jun  6 20:54:29 fw01 ").unwrap(), "2026-06-06T20:54:29Z");
        assert_eq!(t("<166>1 2026-06-26T20:54:29.5Z fw01 - - - ").unwrap(), "2026-06-26T20:54:29Z");
        assert_eq!(t(""), Err(LineError::Skipped("no timestamp")));
    }

    #[test]
    fn initiator_known_only_by_object_name_is_skipped() {
        let l = "Dec 11 2026 08:01:31 fw: %ASA-6-302013: Built outbound TCP connection 7 for outside:192.0.2.22/443 (192.0.2.22/443) to dmz:OCSP_Server/5678 (OCSP_Server/5678)";
        assert_eq!(p(l), Err(LineError::Skipped("source is an object name, not an address")));
        // A named destination is a host name.
        let l = "Oct 03 2026 17:34:08: %ASA-4-106023: Deny udp src office:10.1.1.1/3217 dst dc:Server_Windows/15000 by access-group \"acl\" [0x0, 0x0]";
        assert_eq!(p(l).unwrap().dst_host.as_deref(), Some("Server_Windows"));
    }

    #[test]
    fn egress_lookup_failure_with_src_and_to() {
        let r = p(
            "Oct 05 2026 00:15:02: %ASA-6-110002: Failed to locate egress interface for UDP from inside:10.0.0.2/5353 to 192.0.2.251/5353",
        )
        .unwrap();
        assert_eq!((r.src_ip, r.dst_ip, r.action), (ip("10.0.0.2"), ip("192.0.2.251"), Action::Denied));
    }

    #[test]
    fn every_prefix_of_a_message_is_handled_without_panic() {
        let lines = [
            "<166>Oct 05 2026 00:15:02 fw : %ASA-6-302014: Teardown TCP connection 1 for outside:2001:db8::1/443 to inside:10.0.0.1/5000 duration 99999999999999:00:00 bytes 1 (A\\b)",
            "Oct 05 2026 00:15:02: %ASA-5-106100: access-list a permitted tcp inside/10.0.0.1(1)(u, s) -> outside/192.0.2.1(2) hit-cnt 1 first hit",
            "Oct 05 2026 00:15:02: %FTD-1-430003: SrcIP: 10.0.0.1, DstIP: 192.0.2.1, FirstPacketSecond: 2026-10-05T00:15:02Z, URL: http://a.example/",
            "Oct 05 2026 00:15:02: %ASA-5-304001: u@10.0.0.1(L\\u) Accessed URL 192.0.2.1:http://a.example/",
        ];
        let mode = Mode {
            teardown: true,
            acl_permits: true,
            ftd_starts: true,
        };
        for l in lines {
            for i in 0..=l.len() {
                let b = l.as_bytes().get(..i).unwrap_or_default();
                let _ = parse_line(b, &ctx(), mode);
                let _ = CiscoAsa.sniff(b);
            }
        }
        // The huge duration saturates instead of overflowing.
        assert!(parse_line(lines[0].as_bytes(), &ctx(), mode).is_ok());
    }

    #[test]
    fn non_connection_messages_are_ignored() {
        for m in [
            "%ASA-6-305011: Built dynamic TCP translation from inside:10.0.0.2/4952 to outside:203.0.113.130/12834",
            "%ASA-4-733100: [ LOCAL\\alice#012 ] drop rate-1 exceeded. Current burst rate is 40 per second",
            "%ASA-6-113004: AAA user authentication Successful : server = 192.0.2.1 : user = admin",
            "%ASA-6-302021: Teardown ICMP connection for faddr 192.0.2.8/0 gaddr 203.0.113.1/3 laddr 10.0.0.9/3",
        ] {
            assert!(
                matches!(p(&format!("Oct 05 2026 00:15:02: {m}")), Err(LineError::Ignored(_))),
                "{m}"
            );
        }
        assert!(matches!(
            p("Oct 05 2026 00:15:02: %ASA-6-302013: Built inbound TCP connection"),
            Err(LineError::Skipped(_))
        ));
        assert!(!CiscoAsa.sniff(b"100% done: %ASA is great"));
        assert!(CiscoAsa.sniff(b"%PIX-3-106010: Deny inbound tcp src outside:192.0.2.1/2620 dst dmz:10.0.0.5/135"));
    }
}
