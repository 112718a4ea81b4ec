//! Timestamp parsing shared by the format parsers.
//!
//! Everything here is a fixed-format, allocation-free parser on bytes; none
//! of it reads the clock. Local times (no zone in the log) are resolved with
//! the [`Zone`] the user gave with `--tz`.

use chrono::{NaiveDate, TimeZone};

/// The zone used for log times that carry none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    /// A fixed offset east of UTC, in seconds.
    Fixed(i32),
    /// A named IANA zone, daylight-saving aware.
    Named(chrono_tz::Tz),
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Fixed(0)
    }
}

impl Zone {
    /// Parses `UTC`, `+02:00`, `-0530` or an IANA name like `Europe/Paris`.
    pub fn parse(s: &str) -> Result<Zone, String> {
        if s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("z") {
            return Ok(Zone::Fixed(0));
        }
        if let Some(off) = parse_offset(s.as_bytes()) {
            return Ok(Zone::Fixed(off));
        }
        s.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("unknown time zone '{s}' (use UTC, +HH:MM or an IANA name such as Europe/Paris)"))
    }

    /// Offset east of UTC in seconds in force at the UTC instant `utc_s`.
    pub fn offset_at_utc(&self, utc_s: i64) -> i32 {
        match self {
            Zone::Fixed(o) => *o,
            Zone::Named(tz) => {
                use chrono::Offset;
                match chrono::DateTime::from_timestamp(utc_s, 0) {
                    Some(dt) => tz.offset_from_utc_datetime(&dt.naive_utc()).fix().local_minus_utc(),
                    None => 0,
                }
            }
        }
    }

    /// Converts local wall-clock seconds (as if UTC) to UTC seconds. In a
    /// daylight-saving fold the earlier instant is taken; in a gap, the
    /// offset before the gap.
    pub fn local_to_utc(&self, local_s: i64) -> i64 {
        match self {
            Zone::Fixed(o) => local_s - i64::from(*o),
            Zone::Named(tz) => {
                use chrono::Offset;
                let Some(naive) = chrono::DateTime::from_timestamp(local_s, 0).map(|d| d.naive_utc()) else {
                    return local_s;
                };
                match tz.offset_from_local_datetime(&naive) {
                    chrono::LocalResult::Single(o) => local_s - i64::from(o.fix().local_minus_utc()),
                    chrono::LocalResult::Ambiguous(a, _) => local_s - i64::from(a.fix().local_minus_utc()),
                    chrono::LocalResult::None => {
                        let before = tz.offset_from_utc_datetime(&naive).fix().local_minus_utc();
                        local_s - i64::from(before)
                    }
                }
            }
        }
    }
}

/// Context a parser needs for incomplete timestamps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeCtx {
    /// Year for syslog stamps without one (`--year`, else the file's mtime).
    pub year: i32,
    /// Zone for stamps without one (`--tz`).
    pub zone: Zone,
    /// The file's modification time (UTC ms), when known: a yearless stamp
    /// that would fall more than a day after it belongs to the year before
    /// (a log that spans New Year).
    pub ref_ms: Option<i64>,
}

impl TimeCtx {
    /// UTC, the given year for yearless stamps, no reference time.
    pub fn utc(year: i32) -> TimeCtx {
        TimeCtx {
            year,
            zone: Zone::Fixed(0),
            ref_ms: None,
        }
    }
}

impl Default for TimeCtx {
    fn default() -> Self {
        TimeCtx {
            year: 1970,
            zone: Zone::Fixed(0),
            ref_ms: None,
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch of a civil date and time, validated.
pub fn civil_seconds(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Civil (year, month, day, hour, minute, second, weekday Mon=0) of epoch seconds.
pub fn civil_from_seconds(t: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let date = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(days)))
        .unwrap_or_default();
    use chrono::Datelike;
    (
        i64::from(date.year()),
        date.month(),
        date.day(),
        (secs / 3600) as u32,
        ((secs % 3600) / 60) as u32,
        (secs % 60) as u32,
        date.weekday().num_days_from_monday(),
    )
}

/// Month number from an English three-letter abbreviation, any case.
pub fn month_from_abbr(b: &[u8]) -> Option<u32> {
    let b = b.get(..3)?;
    const M: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
    ];
    M.iter().position(|m| b.eq_ignore_ascii_case(&m[..])).map(|i| i as u32 + 1)
}

/// Parses exactly `n` ASCII digits (`n` at most 9, so the value fits a
/// `u32`; a larger `n` gives `None`).
#[inline]
pub fn digits(b: &[u8], n: usize) -> Option<u32> {
    if n > 9 {
        return None;
    }
    let s = b.get(..n)?;
    let mut v: u32 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// The value of eight ASCII digits read as a little-endian word (the
/// first digit in the low byte), or `None` when any byte is not a digit.
#[inline(always)]
pub fn digits8(w: u64) -> Option<u64> {
    use crate::formats::bits::LO;
    // Digits are 0x30..=0x39: high nibble 3, and adding 6 keeps it 3.
    if w & (0xf0 * LO) != 0x30 * LO || (w.wrapping_add(6 * LO)) & (0xf0 * LO) != 0x30 * LO {
        return None;
    }
    let x = w - 0x30 * LO;
    // Pairs, then quads, then the whole (each step multiplies the higher
    // part by a power of ten and adds the lower one).
    let x = (x * 10 + (x >> 8)) & 0x00ff_00ff_00ff_00ff;
    let x = (x * 100 + (x >> 16)) & 0x0000_ffff_0000_ffff;
    Some((x * 10000 + (x >> 32)) & 0xffff_ffff)
}

/// Parses an unsigned decimal integer (the whole slice).
#[inline]
pub fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    if (4..=8).contains(&b.len()) {
        // Byte counts: one word, the digits moved to its high end and the
        // low end filled with '0', read at once instead of a digit at a
        // time.
        let pad = 8 * (8 - b.len() as u32);
        let w = crate::formats::bits::load_upto8(b) << pad | (0x30 * crate::formats::bits::LO).checked_shr(64 - pad).unwrap_or(0);
        return digits8(w);
    }
    let mut v: u64 = 0;
    if b.len() <= 19 {
        // Nineteen digits cannot overflow a u64: no checks per digit.
        for &c in b {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            v = v * 10 + u64::from(d);
        }
        return Some(v);
    }
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// Parses a u16 (the whole slice).
#[inline]
pub fn parse_u16(b: &[u8]) -> Option<u16> {
    parse_u64(b).and_then(|v| u16::try_from(v).ok())
}

/// Parses a UTC offset: `Z`, `+HH:MM`, `+HHMM`, `+HH`. Seconds east of UTC.
pub fn parse_offset(b: &[u8]) -> Option<i32> {
    if b == b"Z" || b == b"z" {
        return Some(0);
    }
    let (&sign, rest) = b.split_first()?;
    let sign = match sign {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h = digits(rest, 2)?;
    let rest = rest.get(2..)?;
    let m = match rest {
        [] => 0,
        [b':', r @ ..] if r.len() == 2 => digits(r, 2)?,
        r if r.len() == 2 => digits(r, 2)?,
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h as i32 * 3600 + m as i32 * 60))
}

/// Parses epoch time with an optional fraction (`1700000000.123`) into ms.
pub fn parse_epoch_frac(b: &[u8]) -> Option<i64> {
    // The usual shape, ten digits, a dot and milliseconds (Squid and its
    // kin): eight digits at once in a word, and the other five one by one.
    if let (Some(head), Some(&[d8, d9, b'.', f0, f1, f2])) = (b.get(..8), b.get(8..)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(head);
        if let Some(hi) = digits8(u64::from_le_bytes(w)) {
            let rest = [d8, d9, f0, f1, f2].map(|c| c.wrapping_sub(b'0'));
            if rest.iter().all(|&d| d <= 9) {
                let [d8, d9, f0, f1, f2] = rest.map(i64::from);
                let secs = hi as i64 * 100 + d8 * 10 + d9;
                return Some(secs * 1000 + f0 * 100 + f1 * 10 + f2);
            }
        }
    }
    let (int, frac) = match crate::formats::find_byte(b'.', b) {
        Some(i) => (b.get(..i)?, b.get(i + 1..)?),
        None => (b, &b""[..]),
    };
    let s = parse_u64(int)? as i64;
    // Milliseconds from the first three fraction digits; any further
    // digits must still be digits.
    let mut ms = 0i64;
    for (k, &c) in frac.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        if k < 3 {
            ms = ms * 10 + i64::from(d);
        }
    }
    for _ in frac.len()..3 {
        ms *= 10;
    }
    s.checked_mul(1000)?.checked_add(ms)
}

/// Epoch integer in s, ms, µs or ns (chosen by magnitude) into ms.
pub fn epoch_auto_ms(v: u64) -> i64 {
    let v = v as i128;
    let ms = if v < 100_000_000_000 {
        v * 1000 // seconds (until year 5138)
    } else if v < 100_000_000_000_000 {
        v // milliseconds
    } else if v < 100_000_000_000_000_000 {
        v / 1000 // microseconds
    } else {
        v / 1_000_000 // nanoseconds
    };
    ms as i64
}

/// Parses `.ffffff` fractional seconds (any number of digits) into ms; returns
/// (ms, bytes consumed including the dot or comma).
fn parse_fraction(b: &[u8]) -> (i64, usize) {
    match b.first() {
        Some(b'.') | Some(b',') => {
            let mut n = 1;
            let mut ms = 0i64;
            let mut scale = 100;
            while let Some(&c) = b.get(n) {
                if !c.is_ascii_digit() {
                    break;
                }
                ms += i64::from(c - b'0') * scale;
                scale /= 10;
                n += 1;
            }
            (ms, n)
        }
        _ => (0, 0),
    }
}

/// Parses ISO 8601 / RFC 3339 date-times: `2026-10-05T00:15:02Z`,
/// `2026-10-05 00:15:02.1234567+01:00`, `...+0100`, or without a zone (then
/// `zone` applies). Trailing bytes after the stamp are rejected.
pub fn parse_iso8601(b: &[u8], zone: &Zone) -> Option<i64> {
    let y = digits(b, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let mo = digits(b.get(5..)?, 2)?;
    let d = digits(b.get(8..)?, 2)?;
    let (h, mi, s, rest) = match b.get(10) {
        None => (0, 0, 0, &b""[..]),
        Some(b'T') | Some(b't') | Some(b' ') => {
            let t = b.get(11..)?;
            let h = digits(t, 2)?;
            if t.get(2) != Some(&b':') {
                return None;
            }
            let mi = digits(t.get(3..)?, 2)?;
            let (s, rest) = if t.get(5) == Some(&b':') {
                (digits(t.get(6..)?, 2)?, t.get(8..)?)
            } else {
                (0, t.get(5..)?)
            };
            (h, mi, s, rest)
        }
        _ => return None,
    };
    let (ms, n) = parse_fraction(rest);
    let zone_part = rest.get(n..)?;
    let local = civil_seconds(i64::from(y), mo, d, h, mi, s)?;
    let utc = if zone_part.is_empty() {
        zone.local_to_utc(local)
    } else {
        let zone_part = zone_part.strip_prefix(b" ").unwrap_or(zone_part);
        if zone_part.eq_ignore_ascii_case(b"utc") {
            local
        } else {
            local - i64::from(parse_offset(zone_part)?)
        }
    };
    Some(utc * 1000 + ms)
}

/// Parses the Apache/NCSA stamp inside brackets: `05/Oct/2026:00:15:02 +0000`.
pub fn parse_clf(b: &[u8], zone: &Zone) -> Option<i64> {
    let d = digits(b, 2)?;
    let mo = month_from_abbr(b.get(3..6)?)?;
    let y = digits(b.get(7..)?, 4)?;
    if b.get(2) != Some(&b'/') || b.get(6) != Some(&b'/') || b.get(11) != Some(&b':') {
        return None;
    }
    let h = digits(b.get(12..)?, 2)?;
    let mi = digits(b.get(15..)?, 2)?;
    let s = digits(b.get(18..)?, 2)?;
    let (ms, n) = parse_fraction(b.get(20..)?);
    let rest = b.get(20 + n..)?;
    let local = civil_seconds(i64::from(y), mo, d, h, mi, s)?;
    let utc = match rest {
        [] => zone.local_to_utc(local),
        [b' ', z @ ..] => local - i64::from(parse_offset(z)?),
        _ => return None,
    };
    Some(utc * 1000 + ms)
}

/// Parses a BSD syslog stamp `Oct  5 00:15:02` (optionally with a fraction),
/// returning (ms, bytes consumed). The year comes from `ctx`.
pub fn parse_bsd_syslog(b: &[u8], ctx: &TimeCtx) -> Option<(i64, usize)> {
    let mo = month_from_abbr(b)?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let (d, p) = match (b.get(4), b.get(5)) {
        (Some(b' '), Some(c)) if c.is_ascii_digit() => (u32::from(c - b'0'), 6),
        (Some(a), Some(b' ')) if a.is_ascii_digit() => (u32::from(a - b'0'), 5),
        _ => (digits(b.get(4..)?, 2)?, 6),
    };
    if b.get(p) != Some(&b' ') {
        return None;
    }
    let t = b.get(p + 1..)?;
    let h = digits(t, 2)?;
    let mi = digits(t.get(3..)?, 2)?;
    let s = digits(t.get(6..)?, 2)?;
    if t.get(2) != Some(&b':') || t.get(5) != Some(&b':') {
        return None;
    }
    let (ms, n) = parse_fraction(t.get(8..)?);
    let local = civil_seconds(i64::from(ctx.year), mo, d, h, mi, s)?;
    let mut utc_ms = ctx.zone.local_to_utc(local) * 1000 + ms;
    if ctx.ref_ms.is_some_and(|r| utc_ms > r + 86_400_000) {
        let local = civil_seconds(i64::from(ctx.year) - 1, mo, d, h, mi, s)?;
        utc_ms = ctx.zone.local_to_utc(local) * 1000 + ms;
    }
    Some((utc_ms, p + 1 + 8 + n))
}

/// Formats UTC epoch ms as RFC 3339 with second precision (`2026-10-05T00:15:02Z`).
pub fn rfc3339(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = civil_from_seconds(ms.div_euclid(1000));
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        let t = civil_seconds(2026, 10, 5, 0, 15, 2).unwrap();
        assert_eq!(rfc3339(t * 1000), "2026-10-05T00:15:02Z");
        assert_eq!(civil_seconds(2024, 2, 29, 0, 0, 0).unwrap(), 1_709_164_800);
        assert!(civil_seconds(2023, 2, 29, 0, 0, 0).is_none());
    }

    #[test]
    fn iso_variants() {
        let z = Zone::Fixed(0);
        let base = parse_iso8601(b"2026-10-05T00:15:02Z", &z).unwrap();
        assert_eq!(parse_iso8601(b"2026-10-05T01:15:02+01:00", &z), Some(base));
        assert_eq!(parse_iso8601(b"2026-10-05T01:15:02+0100", &z), Some(base));
        assert_eq!(parse_iso8601(b"2026-10-05 00:15:02.1234567Z", &z), Some(base + 123));
        assert_eq!(parse_iso8601(b"2026-10-05T02:15:02", &Zone::Fixed(7200)), Some(base));
        assert_eq!(parse_iso8601(b"2026-10-05T00:15:02Zjunk", &z), None);
    }

    #[test]
    fn named_zone_is_dst_aware() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        let summer = civil_seconds(2026, 7, 1, 12, 0, 0).unwrap();
        let winter = civil_seconds(2026, 12, 1, 12, 0, 0).unwrap();
        assert_eq!(paris.local_to_utc(summer), summer - 7200);
        assert_eq!(paris.local_to_utc(winter), winter - 3600);
    }

    #[test]
    fn digits_never_overflow() {
        assert_eq!(digits(b"999999999", 9), Some(999_999_999));
        assert_eq!(digits(b"9999999999", 10), None);
        assert_eq!(digits(b"12", 3), None);
    }

    #[test]
    fn epoch_magnitudes() {
        assert_eq!(epoch_auto_ms(1_637_681_708), 1_637_681_708_000);
        assert_eq!(epoch_auto_ms(1_637_681_708_541), 1_637_681_708_541);
        assert_eq!(epoch_auto_ms(1_637_681_708_541_881), 1_637_681_708_541);
        assert_eq!(epoch_auto_ms(1_637_681_708_541_881_380), 1_637_681_708_541);
        assert_eq!(parse_epoch_frac(b"1700000000.123"), Some(1_700_000_000_123));
        assert_eq!(parse_epoch_frac(b"0000000009.009"), Some(9_009));
        // Every byte value in every position of the fast path's digits.
        for i in 0..14 {
            for c in 0..=255u8 {
                let mut b = *b"1234567890.123";
                b[i] = c;
                let plain = std::str::from_utf8(&b).ok().and_then(|s| {
                    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
                    let ok = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
                    let ms: String = frac.chars().chain("000".chars()).take(3).collect();
                    (ok(int) && ok(frac) && !int.is_empty()).then(|| Some(int.parse::<i64>().ok()? * 1000 + ms.parse::<i64>().ok()?))?
                });
                assert_eq!(parse_epoch_frac(&b), plain, "{:?}", String::from_utf8_lossy(&b));
            }
        }
        assert_eq!(parse_epoch_frac(b"17000/0000.123"), None);
        assert_eq!(parse_epoch_frac(b"1700000000.1:3"), None);
        assert_eq!(parse_epoch_frac(b"9999999999.999"), Some(9_999_999_999_999));
        assert_eq!(parse_epoch_frac(b"1700000000.1x"), None);
        assert_eq!(parse_epoch_frac(b"1700000000.1"), Some(1_700_000_000_100));
        assert_eq!(parse_epoch_frac(b"1700000000.12345"), Some(1_700_000_000_123));
        assert_eq!(parse_epoch_frac(b"1700000000"), Some(1_700_000_000_000));
        assert_eq!(parse_epoch_frac(b"1700000000.123456x"), None);
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"9999999999999999999"), Some(9_999_999_999_999_999_999));
    }

    #[test]
    fn parse_u64_agrees_with_the_standard_parser() {
        // Every length up to 21 (more than 20 bytes is refused, even with
        // leading zeros), digits with an occasional byte just outside the
        // digits, a sign or a space.
        let mut rng = crate::synth::rng::Rng::new(23);
        let odd = [b'/', b':', b'+', b'-', b' ', 0xb0, b'a'];
        for _ in 0..200_000 {
            let n = rng.below(22) as usize;
            let b: Vec<u8> = (0..n)
                .map(|_| {
                    if rng.below(20) == 0 {
                        *rng.pick(&odd)
                    } else {
                        b'0' + rng.below(10) as u8
                    }
                })
                .collect();
            let want = std::str::from_utf8(&b)
                .ok()
                .filter(|t| t.len() <= 20 && t.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|t| t.parse::<u64>().ok());
            assert_eq!(parse_u64(&b), want, "{:?}", String::from_utf8_lossy(&b));
        }
    }

    #[test]
    fn clf_and_syslog() {
        let z = Zone::Fixed(0);
        let t = parse_clf(b"05/Oct/2026:02:15:02 +0200", &z).unwrap();
        assert_eq!(rfc3339(t), "2026-10-05T00:15:02Z");
        let ctx = TimeCtx {
            year: 2026,
            zone: z,
            ref_ms: None,
        };
        let (t, n) = parse_bsd_syslog(b"Oct  5 00:15:02 host", &ctx).unwrap();
        assert_eq!(rfc3339(t), "2026-10-05T00:15:02Z");
        assert_eq!(n, 15);
        // A log written over New Year, modified on 2 January 2027.
        let jan2 = civil_seconds(2027, 1, 2, 0, 0, 0).unwrap() * 1000;
        let ctx = TimeCtx {
            year: 2027,
            zone: z,
            ref_ms: Some(jan2),
        };
        let (t, _) = parse_bsd_syslog(b"Dec 31 23:59:59 host", &ctx).unwrap();
        assert_eq!(rfc3339(t), "2026-12-31T23:59:59Z");
    }
}
