//! Time stamps in the shapes vendor exports and user maps describe:
//!
//! - zone names: `UTC`, `GMT`, `CEST`, `+0200`, `GMT+02:00`, `Europe/Paris`;
//! - month-name stamps `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]`, the forms the
//!   ArcSight CEF specification allows for `rt`, `start` and `end` (and the
//!   LEEF default for `devTime`);
//! - stamps described by a pattern, in strftime (`%Y-%m-%d %H:%M:%S`, for
//!   `--map` files) or Java `SimpleDateFormat` (`MMM dd yyyy HH:mm:ss.SSS z`,
//!   the LEEF `devTimeFormat`) notation.
//!
//! Patterns are interpreted while the stamp is read: nothing is compiled or
//! allocated per line, and nothing here panics on any input.

use crate::time::{civil_seconds, epoch_auto_ms, month_from_abbr, parse_offset, TimeCtx, Zone};

/// Fixed-offset zone abbreviations seen in device logs (seconds east of UTC).
/// Ambiguous ones (`IST`, `BST` outside the UK) take their most common
/// meaning in log exports; an IANA name is the way to be exact.
const ABBREVIATIONS: &[(&[u8], i32)] = &[
    (b"UTC", 0),
    (b"UT", 0),
    (b"GMT", 0),
    (b"Z", 0),
    (b"WET", 0),
    (b"WEST", 3600),
    (b"BST", 3600),
    (b"CET", 3600),
    (b"MET", 3600),
    (b"CEST", 7200),
    (b"MEST", 7200),
    (b"EET", 7200),
    (b"EEST", 10800),
    (b"MSK", 10800),
    (b"EST", -18000),
    (b"EDT", -14400),
    (b"CST", -21600),
    (b"CDT", -18000),
    (b"MST", -25200),
    (b"MDT", -21600),
    (b"PST", -28800),
    (b"PDT", -25200),
    (b"AKST", -32400),
    (b"AKDT", -28800),
    (b"HST", -36000),
    (b"JST", 32400),
    (b"KST", 32400),
    (b"HKT", 28800),
    (b"SGT", 28800),
    (b"AWST", 28800),
    (b"ACST", 34200),
    (b"AEST", 36000),
    (b"AEDT", 39600),
    (b"NZST", 43200),
    (b"NZDT", 46800),
];

/// Parses a zone as logs write it: an abbreviation from [`ABBREVIATIONS`],
/// an offset (`+0200`, `+02:00`, `-5`), `GMT+02:00` / `UTC-5`, or an IANA
/// name (`Europe/Paris`).
pub fn zone_name(s: &[u8]) -> Option<Zone> {
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    if let Some(&(_, off)) = ABBREVIATIONS.iter().find(|(n, _)| s.eq_ignore_ascii_case(n)) {
        return Some(Zone::Fixed(off));
    }
    if let Some(off) = offset(s) {
        return Some(Zone::Fixed(off));
    }
    for prefix in [&b"GMT"[..], b"UTC", b"UT"] {
        if let Some(rest) = strip_prefix_ci(s, prefix) {
            return offset(rest).map(Zone::Fixed);
        }
    }
    if s.contains(&b'/') {
        return std::str::from_utf8(s).ok()?.parse::<chrono_tz::Tz>().ok().map(Zone::Named);
    }
    None
}

/// `+HHMM`, `+HH:MM`, `+HH`, or `+H` (one digit), in seconds east of UTC.
fn offset(s: &[u8]) -> Option<i32> {
    if let Some(o) = parse_offset(s) {
        return Some(o);
    }
    match s {
        [sign @ (b'+' | b'-'), d] if d.is_ascii_digit() => {
            let h = i32::from(d - b'0') * 3600;
            Some(if *sign == b'-' { -h } else { h })
        }
        _ => None,
    }
}

fn strip_prefix_ci<'a>(s: &'a [u8], p: &[u8]) -> Option<&'a [u8]> {
    let head = s.get(..p.len())?;
    if head.eq_ignore_ascii_case(p) {
        s.get(p.len()..)
    } else {
        None
    }
}

/// A civil date and time read from a stamp; `year` is `None` when the stamp
/// has none.
#[derive(Debug, Clone, Copy, Default)]
struct Civil {
    year: Option<i32>,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: i64,
}

impl Civil {
    /// UTC ms of this local time in `zone`. Without a year, the year comes
    /// from `ctx`, or is the one before when the stamp would fall more than
    /// a day after the file's modification time (a log that spans New Year),
    /// as [`crate::time::parse_bsd_syslog`] does.
    fn to_utc_ms(self, ctx: &TimeCtx, zone: &Zone) -> Option<i64> {
        let at = |y: i64| -> Option<i64> {
            Some(zone.local_to_utc(civil_seconds(y, self.mo, self.d, self.h, self.mi, self.s)?) * 1000 + self.ms)
        };
        match self.year {
            Some(y) => at(i64::from(y)),
            None => {
                let t = at(i64::from(ctx.year))?;
                if ctx.ref_ms.is_some_and(|r| t > r + 86_400_000) {
                    return at(i64::from(ctx.year) - 1);
                }
                Some(t)
            }
        }
    }
}

/// A stamp as ArcSight CEF allows it: epoch milliseconds, or
/// `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]`, or (beyond the specification, as
/// some producers write it) ISO 8601. `zone` applies when the stamp names none.
pub fn parse_cef_stamp(b: &[u8], ctx: &TimeCtx, zone: &Zone) -> Option<i64> {
    let b = b.trim_ascii();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        return crate::time::parse_u64(b).map(epoch_auto_ms);
    }
    if b.first().is_some_and(u8::is_ascii_digit) {
        return crate::time::parse_iso8601(b, zone);
    }
    parse_month_stamp(b, ctx, zone)
}

/// `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]` (runs of spaces count as one).
pub fn parse_month_stamp(b: &[u8], ctx: &TimeCtx, zone: &Zone) -> Option<i64> {
    let mut it = b.split(|&c| c == b' ').filter(|t| !t.is_empty());
    let mon = it.next()?;
    if mon.len() != 3 {
        return None;
    }
    let mo = month_from_abbr(mon)?;
    let d = small_number(it.next()?, 2)?;
    let mut tok = it.next()?;
    let year = if tok.len() == 4 && tok.iter().all(u8::is_ascii_digit) {
        let y = crate::time::digits(tok, 4)?;
        tok = it.next()?;
        Some(y)
    } else {
        None
    };
    let (h, mi, s, ms) = clock(tok)?;
    let zone = match it.next() {
        Some(z) => zone_name(z)?,
        None => *zone,
    };
    if it.next().is_some() {
        return None;
    }
    Civil {
        year: year.map(|y| y as i32),
        mo,
        d,
        h,
        mi,
        s,
        ms,
    }
    .to_utc_ms(ctx, &zone)
}

/// `HH:mm:ss[.SSS]` (any number of fraction digits) → (h, m, s, ms).
fn clock(t: &[u8]) -> Option<(u32, u32, u32, i64)> {
    let h = crate::time::digits(t, 2)?;
    let mi = crate::time::digits(t.get(3..)?, 2)?;
    let s = crate::time::digits(t.get(6..)?, 2)?;
    if t.get(2) != Some(&b':') || t.get(5) != Some(&b':') {
        return None;
    }
    let rest = t.get(8..)?;
    let ms = match rest {
        [] => 0,
        [b'.' | b',', frac @ ..] if !frac.is_empty() && frac.iter().all(u8::is_ascii_digit) => frac_ms(frac),
        _ => return None,
    };
    Some((h, mi, s, ms))
}

/// Milliseconds of a fraction's digits (`5` → 500, `123456` → 123).
fn frac_ms(digits: &[u8]) -> i64 {
    let mut ms = 0i64;
    let mut scale = 100;
    for &c in digits.iter().take(3) {
        ms += i64::from(c - b'0') * scale;
        scale /= 10;
    }
    ms
}

/// 1 to `max` digits.
fn small_number(t: &[u8], max: usize) -> Option<u32> {
    if t.is_empty() || t.len() > max {
        return None;
    }
    crate::time::digits(t, t.len())
}

/// Which notation a pattern is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `%Y-%m-%d %H:%M:%S` (C `strftime`).
    Strftime,
    /// `yyyy-MM-dd HH:mm:ss` (Java `SimpleDateFormat`, as LEEF uses).
    Java,
}

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'p> {
    Year,
    Year2,
    Month,
    MonthName,
    Day,
    Hour,
    Hour12,
    AmPm,
    Minute,
    Second,
    Fraction,
    Offset,
    ZoneName,
    Epoch,
    /// A day name (`Mon`, `Monday`): read and not checked.
    Weekday,
    /// Runs of spaces in the pattern match runs of spaces in the stamp.
    Space,
    Literal(&'p [u8]),
}

/// Splits the next piece off `p`: `Ok(Some((piece, rest)))`, `Ok(None)` at
/// the end, `Err(directive)` for one this module does not read.
fn next_piece(p: &[u8], dialect: Dialect) -> Result<Option<(Piece<'_>, &[u8])>, String> {
    let Some(&c) = p.first() else { return Ok(None) };
    if c == b' ' {
        let n = p.iter().take_while(|&&x| x == b' ').count();
        return Ok(Some((Piece::Space, p.get(n..).unwrap_or_default())));
    }
    match dialect {
        Dialect::Strftime => {
            if c != b'%' {
                let n = p.iter().take_while(|&&x| x != b'%' && x != b' ').count();
                return Ok(Some((
                    Piece::Literal(p.get(..n).unwrap_or_default()),
                    p.get(n..).unwrap_or_default(),
                )));
            }
            let d = *p.get(1).ok_or_else(|| "pattern ends with '%'".to_string())?;
            let rest = p.get(2..).unwrap_or_default();
            let piece = match d {
                b'Y' => Piece::Year,
                b'y' => Piece::Year2,
                b'm' => Piece::Month,
                b'b' | b'h' | b'B' => Piece::MonthName,
                b'd' | b'e' => Piece::Day,
                b'H' => Piece::Hour,
                b'I' => Piece::Hour12,
                b'p' => Piece::AmPm,
                b'M' => Piece::Minute,
                b'S' => Piece::Second,
                b'f' => Piece::Fraction,
                b'z' => Piece::Offset,
                b'Z' => Piece::ZoneName,
                b's' => Piece::Epoch,
                b'a' | b'A' => Piece::Weekday,
                b'%' => Piece::Literal(b"%"),
                other => return Err(format!("unsupported directive %{}", char::from(other))),
            };
            Ok(Some((piece, rest)))
        }
        Dialect::Java => {
            if c == b'\'' {
                // Quoted literal; '' is a quote.
                let body = p.get(1..).unwrap_or_default();
                return match memchr::memchr(b'\'', body) {
                    Some(0) => Ok(Some((Piece::Literal(b"'"), body.get(1..).unwrap_or_default()))),
                    Some(i) => Ok(Some((
                        Piece::Literal(body.get(..i).unwrap_or_default()),
                        body.get(i + 1..).unwrap_or_default(),
                    ))),
                    None => Err("unterminated quote in pattern".into()),
                };
            }
            if !c.is_ascii_alphabetic() {
                let n = p
                    .iter()
                    .take_while(|&&x| !x.is_ascii_alphabetic() && x != b'\'' && x != b' ')
                    .count();
                return Ok(Some((
                    Piece::Literal(p.get(..n).unwrap_or_default()),
                    p.get(n..).unwrap_or_default(),
                )));
            }
            let n = p.iter().take_while(|&&x| x == c).count();
            let rest = p.get(n..).unwrap_or_default();
            let piece = match c {
                b'y' | b'u' if n == 2 => Piece::Year2,
                b'y' | b'u' => Piece::Year,
                b'M' | b'L' if n >= 3 => Piece::MonthName,
                b'M' | b'L' => Piece::Month,
                b'd' => Piece::Day,
                b'H' => Piece::Hour,
                b'h' => Piece::Hour12,
                b'a' => Piece::AmPm,
                b'm' => Piece::Minute,
                b's' => Piece::Second,
                b'S' => Piece::Fraction,
                b'Z' | b'X' | b'x' => Piece::Offset,
                b'z' | b'V' => Piece::ZoneName,
                b'E' => Piece::Weekday,
                other => return Err(format!("unsupported pattern letter '{}'", char::from(other))),
            };
            Ok(Some((piece, rest)))
        }
    }
}

/// Walks a pattern, expanding the strftime shorthands `%T` and `%F`
/// without allocating (an expansion holds no shorthand itself).
struct Cursor<'p> {
    main: &'p [u8],
    pending: &'static [u8],
    dialect: Dialect,
}

impl<'p> Cursor<'p> {
    fn new(pattern: &'p [u8], dialect: Dialect) -> Self {
        Cursor {
            main: pattern,
            pending: b"",
            dialect,
        }
    }

    fn next(&mut self) -> Result<Option<Piece<'p>>, String> {
        if !self.pending.is_empty() {
            return match next_piece(self.pending, self.dialect)? {
                Some((piece, rest)) => {
                    self.pending = rest;
                    Ok(Some(piece))
                }
                None => Ok(None),
            };
        }
        if self.dialect == Dialect::Strftime {
            let shorthand: Option<&'static [u8]> = match self.main {
                [b'%', b'T', ..] => Some(b"%H:%M:%S"),
                [b'%', b'F', ..] => Some(b"%Y-%m-%d"),
                _ => None,
            };
            if let Some(exp) = shorthand {
                self.main = self.main.get(2..).unwrap_or_default();
                self.pending = exp;
                return self.next();
            }
        }
        match next_piece(self.main, self.dialect)? {
            Some((piece, rest)) => {
                self.main = rest;
                Ok(Some(piece))
            }
            None => Ok(None),
        }
    }
}

/// Checks that every directive of `pattern` is one [`parse_pattern`] reads.
pub fn check_pattern(pattern: &str, dialect: Dialect) -> Result<(), String> {
    let mut cur = Cursor::new(pattern.as_bytes(), dialect);
    let mut has_date = false;
    while let Some(p) = cur.next()? {
        has_date |= matches!(p, Piece::Year | Piece::Year2 | Piece::Day | Piece::Epoch);
    }
    if !has_date {
        return Err("pattern has no date (a day, a year or %s)".into());
    }
    Ok(())
}

/// Parses `input` by `pattern`; `zone` applies when the stamp names none, and
/// a pattern without a year takes it from `ctx`. Trailing input is rejected.
pub fn parse_pattern(pattern: &[u8], dialect: Dialect, input: &[u8], ctx: &TimeCtx, zone: &Zone) -> Option<i64> {
    let mut cur = Cursor::new(pattern, dialect);
    let mut s = input.trim_ascii();
    let mut c = Civil {
        mo: 1,
        d: 1,
        ..Civil::default()
    };
    let mut pm: Option<bool> = None;
    let mut zone = *zone;
    let mut epoch = None;
    while let Some(piece) = cur.next().ok()? {
        match piece {
            Piece::Space => {
                let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
                if n == 0 {
                    return None;
                }
                s = s.get(n..)?;
            }
            Piece::Literal(l) => s = s.strip_prefix(l)?,
            Piece::Year => c.year = Some(take_num(&mut s, 4)? as i32),
            Piece::Year2 => c.year = Some(2000 + take_num(&mut s, 2)? as i32),
            Piece::Month => c.mo = take_num(&mut s, 2)?,
            Piece::MonthName => {
                c.mo = month_from_abbr(s)?;
                let n = s.iter().take_while(|c| c.is_ascii_alphabetic()).count();
                s = s.get(n..)?;
            }
            Piece::Day => {
                // `%e` and Java `d` allow a space-padded day.
                if s.first() == Some(&b' ') {
                    s = s.get(1..)?;
                }
                c.d = take_num(&mut s, 2)?;
            }
            Piece::Hour => c.h = take_num(&mut s, 2)?,
            Piece::Hour12 => c.h = take_num(&mut s, 2)? % 12,
            Piece::AmPm => {
                let t = s.get(..2)?;
                pm = Some(if t.eq_ignore_ascii_case(b"pm") {
                    true
                } else if t.eq_ignore_ascii_case(b"am") {
                    false
                } else {
                    return None;
                });
                s = s.get(2..)?;
            }
            Piece::Minute => c.mi = take_num(&mut s, 2)?,
            Piece::Second => c.s = take_num(&mut s, 2)?,
            Piece::Fraction => {
                let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
                if n == 0 {
                    return None;
                }
                c.ms = frac_ms(s.get(..n)?);
                s = s.get(n..)?;
            }
            Piece::Offset => {
                if let Some(r) = s.strip_prefix(b"Z") {
                    zone = Zone::Fixed(0);
                    s = r;
                } else {
                    let n = s
                        .iter()
                        .enumerate()
                        .take_while(|&(i, &c)| (i == 0 && (c == b'+' || c == b'-')) || (i > 0 && (c.is_ascii_digit() || c == b':')))
                        .count();
                    zone = Zone::Fixed(parse_offset(s.get(..n)?)?);
                    s = s.get(n..)?;
                }
            }
            Piece::ZoneName => {
                let n = s.iter().take_while(|c| !c.is_ascii_whitespace()).count();
                zone = zone_name(s.get(..n)?)?;
                s = s.get(n..)?;
            }
            Piece::Epoch => {
                let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
                epoch = Some(crate::time::parse_u64(s.get(..n)?)?);
                s = s.get(n..)?;
            }
            Piece::Weekday => {
                let n = s.iter().take_while(|c| c.is_ascii_alphabetic()).count();
                if n < 3 {
                    return None;
                }
                s = s.get(n..)?;
            }
        }
    }
    if !s.is_empty() {
        return None;
    }
    if let Some(e) = epoch {
        return Some(epoch_auto_ms(e) + c.ms);
    }
    if pm == Some(true) {
        c.h += 12;
    }
    c.to_utc_ms(ctx, &zone)
}

/// Takes 1 to `max` leading digits off `s`.
fn take_num(s: &mut &[u8], max: usize) -> Option<u32> {
    let n = s.iter().take(max).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let v = crate::time::digits(s, n)?;
    *s = s.get(n..)?;
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    #[test]
    fn zone_names_offsets_and_iana() {
        assert_eq!(zone_name(b"CEST"), Some(Zone::Fixed(7200)));
        assert_eq!(zone_name(b"utc"), Some(Zone::Fixed(0)));
        assert_eq!(zone_name(b"+0530"), Some(Zone::Fixed(19800)));
        assert_eq!(zone_name(b"GMT+02:00"), Some(Zone::Fixed(7200)));
        assert_eq!(zone_name(b"UTC-5"), Some(Zone::Fixed(-18000)));
        assert!(matches!(zone_name(b"Europe/Paris"), Some(Zone::Named(_))));
        assert_eq!(zone_name(b"Mars/Olympus"), None);
        assert_eq!(zone_name(b"XYZ"), None);
    }

    #[test]
    fn cef_stamps_in_every_allowed_form() {
        let z = Zone::Fixed(0);
        let t = |s: &str| parse_cef_stamp(s.as_bytes(), &ctx(), &z).map(rfc3339);
        assert_eq!(t("1629500007043").as_deref(), Some("2021-08-20T22:53:27Z"));
        assert_eq!(t("Feb 27 2021 20:16:21").as_deref(), Some("2021-02-27T20:16:21Z"));
        assert_eq!(t("Feb 27 2021 22:16:21.500 CEST").as_deref(), Some("2021-02-27T20:16:21Z"));
        assert_eq!(t("Oct  5 00:15:02 UTC").as_deref(), Some("2026-10-05T00:15:02Z"));
        assert_eq!(t("2026-10-05T02:15:02+02:00").as_deref(), Some("2026-10-05T00:15:02Z"));
        assert_eq!(t("Feb 30 2021 20:16:21"), None);
        assert_eq!(t("Feb 27 2021 20:16:21 junk"), None);
        assert_eq!(
            parse_cef_stamp(b"Feb 27 2021 21:16:21", &ctx(), &Zone::Fixed(3600))
                .map(rfc3339)
                .as_deref(),
            Some("2021-02-27T20:16:21Z")
        );
    }

    #[test]
    fn strftime_patterns() {
        let z = Zone::Fixed(0);
        let p = |pat: &str, s: &str| parse_pattern(pat.as_bytes(), Dialect::Strftime, s.as_bytes(), &ctx(), &z).map(rfc3339);
        assert_eq!(
            p("%Y-%m-%d %H:%M:%S", "2026-10-05 00:15:02").as_deref(),
            Some("2026-10-05T00:15:02Z")
        );
        assert_eq!(
            p("%d/%b/%Y:%T %z", "05/Oct/2026:02:15:02 +0200").as_deref(),
            Some("2026-10-05T00:15:02Z")
        );
        assert_eq!(p("%Y%m%d%H%M%S", "20261005001502").as_deref(), Some("2026-10-05T00:15:02Z"));
        assert_eq!(
            p("%F %T.%f", "2026-10-05 00:15:02.1234567").as_deref(),
            Some("2026-10-05T00:15:02Z")
        );
        assert_eq!(p("%b %e %H:%M:%S", "Oct  5 00:15:02").as_deref(), Some("2026-10-05T00:15:02Z"));
        assert_eq!(
            p("%m/%d/%Y %I:%M:%S %p", "10/05/2026 12:15:02 PM").as_deref(),
            Some("2026-10-05T12:15:02Z")
        );
        assert_eq!(p("%s", "1790900102").as_deref(), Some("2026-10-02T00:15:02Z"));
        assert_eq!(p("%Y-%m-%d", "2026-10-05 extra"), None);
        assert!(check_pattern("%Y-%m-%d %Q", Dialect::Strftime).is_err());
        assert!(check_pattern("%H:%M", Dialect::Strftime).is_err());
        assert!(check_pattern("%F %T", Dialect::Strftime).is_ok());
    }

    #[test]
    fn java_patterns_as_leef_writes_them() {
        let z = Zone::Fixed(0);
        let p = |pat: &str, s: &str| parse_pattern(pat.as_bytes(), Dialect::Java, s.as_bytes(), &ctx(), &z);
        let base = civil_seconds(2025, 5, 1, 16, 0, 2).map(|s| s * 1000);
        assert_eq!(
            p("MMM dd yyyy HH:mm:ss.SSS z", "May 01 2025 18:00:02.009 CEST"),
            base.map(|b| b + 9)
        );
        assert_eq!(p("MMM dd yyyy HH:mm:ss Z", "May 01 2025 18:00:02 +0200"), base);
        assert_eq!(p("yyyy-MM-dd'T'HH:mm:ssXXX", "2025-05-01T16:00:02Z"), base);
        assert_eq!(p("MMM dd yyyy HH:mm:ss", "May 01 2025 16:00:02"), base);
        assert_eq!(p("EEE MMM d HH:mm:ss yyyy", "Thu May 1 16:00:02 2025"), base);
        assert_eq!(p("MMM dd yyyy HH:mm:ss G", "May 01 2025 16:00:02 AD"), None);
    }

    #[test]
    fn hostile_input_never_panics() {
        let z = Zone::Fixed(0);
        for s in [
            "",
            "%",
            "'",
            "MMM",
            "\u{0}\u{ff}",
            "99999999999999999999999",
            "Feb 99 99999 99:99:99.9 +99",
        ] {
            let _ = parse_cef_stamp(s.as_bytes(), &ctx(), &z);
            let _ = parse_pattern(s.as_bytes(), Dialect::Strftime, s.as_bytes(), &ctx(), &z);
            let _ = parse_pattern(s.as_bytes(), Dialect::Java, s.as_bytes(), &ctx(), &z);
            let _ = zone_name(s.as_bytes());
        }
    }
}
