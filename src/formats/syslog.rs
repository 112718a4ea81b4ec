//! Syslog envelopes (RFC 3164 and RFC 5424) in front of vendor messages.
//!
//! Devices that log over syslog prefix their message with `<PRI>`, a stamp
//! and a host name, and the collector may add its own stamp again. This
//! module peels those layers off and returns the stamp it found.

use crate::time::{parse_bsd_syslog, parse_iso8601, TimeCtx};

/// What the syslog envelope said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Header<'a> {
    /// The envelope's time, UTC ms.
    pub time_ms: Option<i64>,
    pub host: &'a [u8],
    /// Program tag without `[pid]` and `:`.
    pub tag: &'a [u8],
}

/// Splits a line into its syslog header and the message. Lines without an
/// envelope come back unchanged with an empty header.
pub fn split<'a>(line: &'a [u8], ctx: &TimeCtx) -> (Header<'a>, &'a [u8]) {
    let mut rest = strip_pri(line);
    let mut h = Header::default();
    // RFC 5424: "1 2026-10-05T00:15:02Z host app procid msgid [sd] msg"
    if let Some(r) = rest.strip_prefix(b"1 ") {
        if let Some((stamp, r2)) = super::next_token(r) {
            if let Some(t) = parse_iso8601(stamp, &ctx.zone) {
                let (host, r3) = super::next_token(r2).unwrap_or_default();
                let (app, r4) = super::next_token(r3).unwrap_or_default();
                let (_procid, r5) = super::next_token(r4).unwrap_or_default();
                let (_msgid, r6) = super::next_token(r5).unwrap_or_default();
                let msg = skip_structured_data(r6);
                h = Header {
                    time_ms: Some(t),
                    host: nil(host),
                    tag: nil(app),
                };
                return (h, msg);
            }
        }
    }
    // RFC 3164 stamp, or an ISO stamp written by rsyslog/syslog-ng.
    if let Some((t, n)) = parse_bsd_syslog(rest, ctx) {
        h.time_ms = Some(t);
        rest = rest.get(n..).unwrap_or_default();
    } else if let Some((stamp, r)) = super::next_token(rest) {
        if stamp.len() >= 19 && stamp.get(4) == Some(&b'-') {
            if let Some(t) = parse_iso8601(stamp, &ctx.zone) {
                h.time_ms = Some(t);
                rest = r;
            }
        }
    }
    if h.time_ms.is_none() {
        return (h, rest);
    }
    // Host name, then an optional `tag[pid]:`.
    if let Some((host, r)) = super::next_token(rest) {
        if !host.contains(&b'=') && !host.ends_with(b":") {
            h.host = host;
            rest = r;
        }
    }
    if let Some((tok, r)) = super::next_token(rest) {
        if let Some(tag) = tok.strip_suffix(b":") {
            if !tag.contains(&b'=') {
                let tag = match memchr::memchr(b'[', tag) {
                    Some(i) => tag.get(..i).unwrap_or(tag),
                    None => tag,
                };
                h.tag = tag;
                rest = r;
            }
        }
    }
    (h, rest.trim_ascii_start())
}

/// Removes a leading `<PRI>` (1 to 3 digits).
pub fn strip_pri(line: &[u8]) -> &[u8] {
    if let Some(r) = line.strip_prefix(b"<") {
        if let Some(i) = memchr::memchr(b'>', r) {
            if (1..=3).contains(&i) && r.get(..i).is_some_and(|d| d.iter().all(u8::is_ascii_digit)) {
                return r.get(i + 1..).unwrap_or_default();
            }
        }
    }
    line
}

fn nil(b: &[u8]) -> &[u8] {
    if b == b"-" {
        &[]
    } else {
        b
    }
}

fn skip_structured_data(r: &[u8]) -> &[u8] {
    let r = r.trim_ascii_start();
    if let Some(rest) = r.strip_prefix(b"-") {
        return rest.trim_ascii_start();
    }
    let mut s = r;
    while s.first() == Some(&b'[') {
        // Find the closing bracket, skipping escaped `\]` inside values.
        let mut i = 1;
        let mut end = None;
        while let Some(&c) = s.get(i) {
            match c {
                b'\\' => i += 2,
                b']' => {
                    end = Some(i);
                    break;
                }
                _ => i += 1,
            }
        }
        match end {
            Some(e) => s = s.get(e + 1..).unwrap_or_default(),
            None => return r,
        }
    }
    s.trim_ascii_start()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{rfc3339, Zone};

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    #[test]
    fn bsd_with_host_and_tag() {
        let (h, m) = split(b"<134>Oct  5 00:15:02 fw01 kernel[12]: hello=1", &ctx());
        assert_eq!(rfc3339(h.time_ms.unwrap()), "2026-10-05T00:15:02Z");
        assert_eq!((h.host, h.tag, m), (&b"fw01"[..], &b"kernel"[..], &b"hello=1"[..]));
    }

    #[test]
    fn bsd_without_tag() {
        let (h, m) = split(b"Oct 15 00:15:02 10.0.0.1 date=2026-10-15 time=00:15:02", &ctx());
        assert_eq!(h.host, b"10.0.0.1");
        assert_eq!(m, b"date=2026-10-15 time=00:15:02");
    }

    #[test]
    fn rfc5424() {
        let (h, m) = split(b"<14>1 2026-10-05T00:15:02.5Z fw app 1 ID47 [x@1 a=\"\\]\"] msg here", &ctx());
        assert_eq!(h.time_ms, Some(parse_iso8601(b"2026-10-05T00:15:02.5Z", &Zone::Fixed(0)).unwrap()));
        assert_eq!(m, b"msg here");
    }

    #[test]
    fn no_envelope() {
        let (h, m) = split(b"date=2026-10-05 time=1", &ctx());
        assert_eq!(h, Header::default());
        assert_eq!(m, b"date=2026-10-05 time=1");
    }
}
