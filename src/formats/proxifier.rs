//! Proxifier (Windows and macOS, versions 3 and 4) connection log:
//!
//! ```text
//! [10.30 16:49:06] chrome.exe - api.example.com:443 open through proxy proxy.example.net:8080 HTTPS
//! [10.30 16:49:07] chrome.exe *64 - api.example.com:443 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime 00:02
//! [10.30 16:49:08] Dropbox.exe - bolt.example.com:443 error : Could not connect to proxy proxy.example.net:8080 - connection attempt failed with error 10061
//! ```
//!
//! Reference: Proxifier documentation, "Log" and "Traffic"
//! <https://www.proxifier.com/docs/win-v4/log.html>.
//!
//! - One record per connection: the `close` line (with the bytes the
//!   program sent and received). `open through proxy` / `open directly`
//!   lines announce the same connection and are ignored; `error` lines are
//!   attempts that failed and become denied records.
//! - The stamp has no year: it comes from `--year` or the file's
//!   modification time (a stamp more than a day after the file was last
//!   written belongs to the year before), and no zone: `--tz`.
//! - The program name (`chrome.exe`, without the ` *64` marker) is kept as
//!   the user agent: it is what identifies the client software.
//! - Proxifier runs on the client and does not log the client's address.
//!   Records carry the loopback address 127.0.0.1 as their source, meaning
//!   "the machine that wrote this log": without a source, seam's aggregation
//!   would count every record as `no_source` and find no channel at all.
//!   Scan one machine's logs at a time (or read the source column as "the
//!   host whose log it is"); with `--internal` given, include 127.0.0.0/8.

use super::url::split_host_port;
use super::{parse_ip, Field, Format, LineError, LineResult};
use crate::record::{text, Action, Proto, Record};
use crate::time::{civil_seconds, digits, parse_u64, TimeCtx};
use std::net::{IpAddr, Ipv4Addr};

pub struct Proxifier;

/// The source address of every record (see the module doc).
pub const LOCAL_SOURCE: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// `[MM.DD HH:MM:SS]` (or `[YYYY.MM.DD HH:MM:SS]`): (time, rest of line).
fn stamp<'a>(line: &'a [u8], ctx: &TimeCtx) -> Option<(i64, &'a [u8])> {
    let body = line.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', body)?;
    let s = body.get(..close)?;
    let (year, s) = match s.get(4) {
        Some(b'.') => (Some(i64::from(digits(s, 4)?)), s.get(5..)?),
        _ => (None, s),
    };
    if s.len() != 14 || s.get(2) != Some(&b'.') || s.get(5) != Some(&b' ') {
        return None;
    }
    let mo = digits(s, 2)?;
    let d = digits(s.get(3..)?, 2)?;
    let (h, mi, sec, _) = super::elff::hms(s.get(6..)?)?;
    let at = |y: i64| Some(ctx.zone.local_to_utc(civil_seconds(y, mo, d, h, mi, sec)?) * 1000);
    let mut ms = at(year.unwrap_or(i64::from(ctx.year)))?;
    if year.is_none() && ctx.ref_ms.is_some_and(|r| ms > r + 86_400_000) {
        ms = at(i64::from(ctx.year) - 1)?;
    }
    Some((ms, body.get(close + 1..)?.trim_ascii_start()))
}

/// `1190 bytes (1.16 KB) sent, 1671 bytes received, lifetime 00:02`:
/// (sent, received).
fn traffic(s: &[u8]) -> (Option<u64>, Option<u64>) {
    let (mut sent, mut received) = (None, None);
    for part in s.split(|&c| c == b',') {
        let part = part.trim_ascii();
        let n = part.iter().take_while(|c| c.is_ascii_digit()).count();
        let value = part.get(..n).and_then(parse_u64);
        if part.ends_with(b" sent") {
            sent = value;
        } else if part.ends_with(b" received") {
            received = value;
        }
    }
    (sent, received)
}

impl Format for Proxifier {
    fn name(&self) -> &'static str {
        "proxifier"
    }

    fn title(&self) -> &'static str {
        "Proxifier connection log (client side; source recorded as 127.0.0.1)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, UserAgent]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        let has = |k: &[u8]| crate::formats::find(line, k).is_some();
        line.starts_with(b"[")
            && has(b"] ")
            && has(b" - ")
            && (has(b" open through proxy ") || has(b" open directly") || has(b" close, ") || has(b" error : "))
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let (time_ms, rest) = stamp(line, ctx).ok_or(LineError::Skipped("no [MM.DD HH:MM:SS] stamp"))?;
        // `program[ *64] - host:port event`
        let Some(dash) = crate::formats::find(rest, b" - ") else {
            return Err(LineError::Ignored("proxifier status message"));
        };
        let program = rest.get(..dash).unwrap_or_default();
        let program = program.strip_suffix(b" *64").unwrap_or(program).trim_ascii();
        let rest = rest.get(dash + 3..).unwrap_or_default();
        let (target, event) = match memchr::memchr(b' ', rest) {
            Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i + 1..).unwrap_or_default()),
            None => return Err(LineError::Ignored("proxifier status message")),
        };
        let mut rec = Record {
            time_ms,
            src_ip: Some(LOCAL_SOURCE),
            proto: Proto::Tcp,
            user_agent: (!program.is_empty()).then(|| text(program)),
            ..Record::default()
        };
        if let Some(counts) = event.strip_prefix(b"close,") {
            (rec.bytes_out, rec.bytes_in) = traffic(counts);
            rec.action = Action::Allowed;
        } else if event.starts_with(b"error") {
            rec.action = Action::Denied;
        } else if event.starts_with(b"open") {
            return Err(LineError::Ignored("connection opened (counted when it closes)"));
        } else {
            return Err(LineError::Ignored("proxifier status message"));
        }
        let (host, port) = split_host_port(target);
        match parse_ip(host) {
            Some(ip) => rec.dst_ip = Some(ip),
            None if !host.is_empty() => rec.dst_host = Some(text(host)),
            None => return Err(LineError::Skipped("no destination")),
        }
        rec.dst_port = port;
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{rfc3339, Zone};

    fn ctx(ref_ms: Option<i64>) -> TimeCtx {
        TimeCtx {
            year: 2026,
            zone: Zone::Fixed(0),
            ref_ms,
        }
    }

    fn p(l: &str) -> LineResult<'_> {
        Proxifier.parse(l.as_bytes(), &ctx(None))
    }

    #[test]
    fn close_line_is_the_record_with_both_byte_counts() {
        let l = "[10.30 16:49:07] chrome.exe *64 - api.example.com:443 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime 00:02";
        assert!(Proxifier.sniff(l.as_bytes()));
        let r = p(l).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-30T16:49:07Z");
        assert_eq!(r.src_ip, Some(LOCAL_SOURCE));
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("api.example.com"), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1190), Some(1671)));
        assert_eq!((r.user_agent.as_deref(), r.action), (Some("chrome.exe"), Action::Allowed));
    }

    #[test]
    fn open_is_ignored_and_error_is_denied() {
        assert_eq!(
            p("[10.30 16:49:06] chrome.exe - api.example.com:443 open through proxy proxy.example.net:8080 HTTPS"),
            Err(LineError::Ignored("connection opened (counted when it closes)"))
        );
        let r = p("[10.30 16:50:00] Dropbox.exe - 192.0.2.10:443 error : Could not connect to proxy proxy.example.net:8080 - connection attempt failed with error 10061").unwrap();
        assert_eq!(
            (r.dst_ip, r.dst_port, r.action),
            ("192.0.2.10".parse().ok(), Some(443), Action::Denied)
        );
    }

    #[test]
    fn new_year_rollover_uses_the_file_time() {
        let jan = crate::time::civil_seconds(2026, 1, 2, 0, 0, 0).map(|s| s * 1000);
        let r = Proxifier
            .parse(
                b"[12.31 23:59:00] app.exe - a.example:80 close, 0 bytes sent, 0 bytes received, lifetime <1 sec",
                &ctx(jan),
            )
            .unwrap();
        assert_eq!(rfc3339(r.time_ms), "2025-12-31T23:59:00Z");
    }

    #[test]
    fn status_lines_and_garbage() {
        assert_eq!(
            p("[10.30 16:49:06] Welcome to Proxifier"),
            Err(LineError::Ignored("proxifier status message"))
        );
        assert_eq!(p("no stamp"), Err(LineError::Skipped("no [MM.DD HH:MM:SS] stamp")));
        assert_eq!(
            p("[13.40 16:49:06] x - a:1 close, "),
            Err(LineError::Skipped("no [MM.DD HH:MM:SS] stamp"))
        );
        assert_eq!(traffic(b" 5 bytes sent"), (Some(5), None));
    }
}
