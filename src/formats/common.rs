//! Small helpers shared by the syslog firewall formats (iptables, pf,
//! Juniper, SonicWall, WatchGuard, Sophos, Stormshield, Clavister, Huawei,
//! Barracuda): whitespace tokens that honour rsyslog's control-character
//! escapes, the date-time layouts those devices write, `ip/port` pairs, and
//! the policy for lines that carry no time at all.

use std::borrow::Cow;
use std::net::IpAddr;

use super::kv::escape_len;
use super::parse_ip;
use crate::record::{account, opt_text};
use crate::time::{civil_seconds, month_from_abbr, parse_u16, TimeCtx};

/// True when `needle` occurs in `hay` (memchr's SIMD substring search).
#[inline]
pub fn has(hay: &[u8], needle: &[u8]) -> bool {
    crate::formats::find(hay, needle).is_some()
}

/// Index of `needle` in `hay`.
#[inline]
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    crate::formats::find(hay, needle)
}

/// The time given to a record whose line carries none (a message exported
/// without its syslog envelope): the file's modification time, else
/// 1 January of the `--year` in force. Such records still count towards a
/// channel; their timing is only as good as this guess.
pub fn undated(ctx: &TimeCtx) -> i64 {
    ctx.ref_ms
        .unwrap_or_else(|| civil_seconds(i64::from(ctx.year), 1, 1, 0, 0, 0).unwrap_or(0) * 1000)
}

/// Length of the field separator `s` starts with: a space or tab (1), an
/// rsyslog `#011`/`#012` escape (4), or 0.
#[inline]
fn sep_len(s: &[u8]) -> usize {
    match s.first() {
        Some(b' ' | b'\t') => 1,
        Some(b'#') => escape_len(s),
        _ => 0,
    }
}

/// Whitespace-separated tokens; runs of spaces, tabs and rsyslog escapes
/// (`#011`, `#012`) count as one separator.
#[derive(Clone)]
pub struct Tokens<'a>(pub &'a [u8]);

impl<'a> Tokens<'a> {
    /// What is left after the tokens taken so far (leading separators skipped).
    pub fn rest(&self) -> &'a [u8] {
        skip_seps(self.0)
    }
}

fn skip_seps(mut s: &[u8]) -> &[u8] {
    loop {
        let n = sep_len(s);
        if n == 0 {
            return s;
        }
        s = s.get(n..).unwrap_or_default();
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let s = skip_seps(self.0);
        if s.is_empty() {
            self.0 = s;
            return None;
        }
        let mut i = 0;
        while let Some(&c) = s.get(i) {
            if c == b' ' || c == b'\t' || (c == b'#' && sep_len(s.get(i..).unwrap_or_default()) > 0) {
                break;
            }
            i += 1;
        }
        self.0 = s.get(i..).unwrap_or_default();
        s.get(..i)
    }
}

/// The bytes of `msg` that follow `part`, a sub-slice of it (used to read
/// what a key=value iterator cut off: a unit after a number, the clock
/// after an unquoted date).
pub fn after<'a>(msg: &'a [u8], part: &[u8]) -> &'a [u8] {
    let start = msg.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    if p < start || p + part.len() > start + msg.len() {
        return &[];
    }
    msg.get(p - start + part.len()..).unwrap_or_default()
}

/// Reads up to `max` ASCII digits; returns the value and how many were read.
fn number(b: &[u8], max: usize) -> Option<(u32, usize)> {
    let mut v: u32 = 0;
    let mut n = 0;
    while n < max {
        match b.get(n) {
            Some(c) if c.is_ascii_digit() => {
                v = v * 10 + u32::from(c - b'0');
                n += 1;
            }
            _ => break,
        }
    }
    (n > 0).then_some((v, n))
}

/// `HH:MM:SS` with an optional `.fraction`: (seconds of day, ms, bytes read).
fn clock(b: &[u8]) -> Option<(u32, i64, usize)> {
    let (h, a) = number(b, 2)?;
    let b2 = b.get(a..)?.strip_prefix(b":")?;
    let (mi, c) = number(b2, 2)?;
    let b3 = b2.get(c..)?.strip_prefix(b":")?;
    let (s, d) = number(b3, 2)?;
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut n = a + 1 + c + 1 + d;
    let mut ms = 0i64;
    if let Some(frac) = b.get(n..).and_then(|f| f.strip_prefix(b".")) {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            let mut scale = 100;
            for &c in frac.iter().take(digits.min(3)) {
                ms += i64::from(c - b'0') * scale;
                scale /= 10;
            }
            n += 1 + digits;
        }
    }
    Some((h * 3600 + mi * 60 + s, ms, n))
}

/// A local date and time written year first, with any of the separators
/// devices use: `2026-10-05 00:15:02`, `2026/10/5 00:15:02`,
/// `2026:10:05-00:15:02` (Sophos UTM), `2026 10 05 00:15:02` (Barracuda),
/// `2026-10-05T00:15:02`. Returns local epoch seconds (as if UTC), ms and
/// the bytes read; the caller applies the zone.
pub fn ymd_hms(b: &[u8]) -> Option<(i64, i64, usize)> {
    let (y, a) = number(b, 4)?;
    if a != 4 {
        return None;
    }
    let sep = *b.get(4)?;
    if !matches!(sep, b'-' | b'/' | b':' | b' ' | b'.') {
        return None;
    }
    let r = b.get(5..)?;
    let (mo, c) = number(r, 2)?;
    let r = r.get(c..)?;
    if r.first() != Some(&sep) {
        return None;
    }
    let r = r.get(1..)?;
    let (d, e) = number(r, 2)?;
    let r = r.get(e..)?;
    if !matches!(r.first(), Some(b' ' | b'T' | b'-' | b'_')) {
        return None;
    }
    let (secs, ms, n) = clock(r.get(1..)?)?;
    let day = civil_seconds(i64::from(y), mo, d, 0, 0, 0)?;
    Some((day + i64::from(secs), ms, 5 + c + 1 + e + 1 + n))
}

/// `Oct  5 2018 10:52:19` (month, day, year, time; Huawei and Cisco style).
pub fn mdy_hms(b: &[u8]) -> Option<(i64, i64, usize)> {
    let mo = month_from_abbr(b)?;
    let r = b.get(3..)?;
    let sp1 = r.iter().take_while(|&&c| c == b' ').count();
    let r = r.get(sp1..)?;
    let (d, a) = number(r, 2)?;
    let r = r.get(a..)?.strip_prefix(b" ")?;
    let (y, c) = number(r, 4)?;
    if c != 4 {
        return None;
    }
    let r = r.get(c..)?.strip_prefix(b" ")?;
    let (secs, ms, n) = clock(r)?;
    let day = civil_seconds(i64::from(y), mo, d, 0, 0, 0)?;
    Some((day + i64::from(secs), ms, 3 + sp1 + a + 1 + c + 1 + n))
}

/// Local seconds + ms in the `--tz` zone → UTC ms.
pub fn local_ms(ctx: &TimeCtx, local: i64, ms: i64) -> i64 {
    ctx.zone.local_to_utc(local) * 1000 + ms
}

/// Splits `addr<sep>port` at the last `sep` (`10.0.0.1/443`, `[2001:db8::1]:443`,
/// `2001:db8::1/443`). The port is `None` when absent or not a number.
pub fn ip_port(b: &[u8], sep: u8) -> (Option<IpAddr>, Option<u16>) {
    if let Some(ip) = parse_ip(b) {
        return (Some(ip), None);
    }
    match memchr::memrchr(sep, b) {
        Some(i) => (b.get(..i).and_then(parse_ip), b.get(i + 1..).and_then(parse_u16)),
        None => (None, None),
    }
}

/// A logged user name as a bare account (`DOMAIN\user` → `user`), or `None`
/// for the placeholders devices write when there is no user.
pub fn user(v: &[u8]) -> Option<Cow<'_, str>> {
    const NONE: &[&[u8]] = &[b"N/A", b"n/a", b"NA", b"unknown", b"UNKNOWN", b"none", b"None", b"(null)"];
    if NONE.contains(&v) {
        return None;
    }
    opt_text(v).map(|u| match u {
        Cow::Borrowed(b) => Cow::Borrowed(account(b)),
        Cow::Owned(o) => Cow::Owned(account(&o).to_string()),
    })
}

/// Reads an unsigned number that may carry a fraction and a unit suffix
/// (`695`, `59.0`, `4.52 K`, `1.2M`): `unit` is what follows the digits
/// (the caller passes the tail after the value). Units are decimal (K = 1000).
pub fn scaled_bytes(v: &[u8], unit: &[u8]) -> Option<u64> {
    let (int, frac) = match memchr::memchr(b'.', v) {
        Some(i) => (v.get(..i)?, v.get(i + 1..)?),
        None => (v, &b""[..]),
    };
    let mut n = crate::time::parse_u64(int)? as f64;
    if !frac.is_empty() {
        if !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let f = crate::time::parse_u64(frac)? as f64;
        n += f / 10f64.powi(frac.len() as i32);
    }
    let unit = unit.trim_ascii_start();
    let mult = match unit.first() {
        Some(b'K' | b'k') if unit.get(1).is_none_or(|c| !c.is_ascii_alphanumeric()) => 1e3,
        Some(b'M') if unit.get(1).is_none_or(|c| !c.is_ascii_alphanumeric()) => 1e6,
        Some(b'G') if unit.get(1).is_none_or(|c| !c.is_ascii_alphanumeric()) => 1e9,
        _ => 1.0,
    };
    Some((n * mult).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    #[test]
    fn tokens_split_on_escapes_and_tabs() {
        let t: Vec<_> = Tokens(b"  a b\tc#011d#012e  f#1").collect();
        assert_eq!(t, vec![&b"a"[..], b"b", b"c", b"d", b"e", b"f#1"]);
    }

    #[test]
    fn year_first_layouts() {
        let base = civil_seconds(2026, 10, 5, 0, 15, 2).unwrap();
        assert_eq!(ymd_hms(b"2026-10-05 00:15:02 x"), Some((base, 0, 19)));
        assert_eq!(ymd_hms(b"2026/10/5 00:15:02"), Some((base, 0, 18)));
        assert_eq!(ymd_hms(b"2026:10:05-00:15:02"), Some((base, 0, 19)));
        assert_eq!(ymd_hms(b"2026 10 05 00:15:02.250"), Some((base, 250, 23)));
        assert_eq!(ymd_hms(b"2026-13-05 00:15:02"), None);
        assert_eq!(ymd_hms(b"10:18-10:42:59"), None);
        assert_eq!(mdy_hms(b"Oct  5 2026 00:15:02 fw"), Some((base, 0, 20)));
    }

    #[test]
    fn undated_lines_take_the_file_time_or_the_year() {
        let ctx = TimeCtx::utc(2026);
        assert_eq!(rfc3339(undated(&ctx)), "2026-01-01T00:00:00Z");
        let ctx = TimeCtx {
            ref_ms: Some(1_700_000_000_000),
            ..ctx
        };
        assert_eq!(undated(&ctx), 1_700_000_000_000);
    }

    #[test]
    fn address_port_pairs_in_both_families() {
        assert_eq!(ip_port(b"192.0.2.1/443", b'/'), ("192.0.2.1".parse().ok(), Some(443)));
        assert_eq!(ip_port(b"2001:db8::1/443", b'/'), ("2001:db8::1".parse().ok(), Some(443)));
        assert_eq!(ip_port(b"2001:db8::1", b':'), ("2001:db8::1".parse().ok(), None));
        assert_eq!(ip_port(b"[2001:db8::1]:8443", b':'), ("2001:db8::1".parse().ok(), Some(8443)));
        assert_eq!(ip_port(b"host/1", b'/'), (None, Some(1)));
    }

    #[test]
    fn byte_counts_with_units() {
        assert_eq!(scaled_bytes(b"695", b"   termsent"), Some(695));
        assert_eq!(scaled_bytes(b"59.0", b" "), Some(59));
        assert_eq!(scaled_bytes(b"4.52", b" K connrecvif"), Some(4520));
        assert_eq!(scaled_bytes(b"2", b" Kbps"), Some(2));
        assert_eq!(scaled_bytes(b"x", b""), None);
        assert_eq!(user(b"EXAMPLE\\jdoe").as_deref(), Some("jdoe"));
        assert_eq!(user(b"N/A"), None);
    }

    #[test]
    fn tail_after_a_sub_slice() {
        let msg = b"time=2026-10-05 00:15:02 fw=x";
        let v = &msg[5..15];
        assert_eq!(after(msg, v), b" 00:15:02 fw=x");
        assert_eq!(after(msg, b"elsewhere"), b"");
    }
}
