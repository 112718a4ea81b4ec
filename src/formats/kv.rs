//! `key=value` pairs as FortiGate, Check Point, SonicWall, Juniper and many
//! others write them: space- or comma-separated, values optionally in double
//! quotes with `\"` escapes. Lines that went through a spreadsheet export
//! have their quotes doubled (`type=""traffic""`); such values are read as
//! if quoted once.
//!
//! A tab, and the `#011` / `#012` escapes rsyslog writes for a tab or a
//! newline inside a message (`$EscapeControlCharactersOnReceive`), separate
//! pairs wherever the separator does.

/// Iterates over the `key=value` pairs of a message. Quotes around a value
/// are removed; escapes inside are left as they are (see [`unescape`]).
pub struct KvIter<'a> {
    rest: &'a [u8],
    sep: u8,
}

/// Pairs separated by spaces.
pub fn pairs(msg: &[u8]) -> KvIter<'_> {
    KvIter { rest: msg, sep: b' ' }
}

/// Pairs separated by `sep` (for example `,` or `\t`); spaces around pairs are skipped.
pub fn pairs_sep(msg: &[u8], sep: u8) -> KvIter<'_> {
    KvIter { rest: msg, sep }
}

impl<'a> Iterator for KvIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let s = skip_separators(self.rest, self.sep);
            let eq = crate::formats::find_byte(b'=', s)?;
            let key_raw = s.get(..eq)?;
            // A key never holds the separator; if it does, what precedes it was
            // free text (for example a syslog tag): keep the last word.
            let key = key_raw.get(last_word_start(key_raw, self.sep)..)?;
            let v = s.get(eq + 1..)?;
            let doubled = v.starts_with(b"\"\"") && v.get(2).is_some_and(|&c| c != b'"' && c != self.sep && c != b' ');
            let (value, rest) = if doubled {
                let body = v.get(2..)?;
                match crate::formats::find(body, b"\"\"") {
                    Some(end) => (body.get(..end)?, body.get(end + 2..).unwrap_or_default()),
                    None => (body, &b""[..]),
                }
            } else if v.first() == Some(&b'"') {
                let body = v.get(1..)?;
                let end = closing_quote(body);
                (body.get(..end)?, body.get(end + 1..).unwrap_or_default())
            } else {
                let end = separator_at_or_after(v, self.sep);
                (v.get(..end)?, v.get(end..).unwrap_or_default())
            };
            self.rest = rest;
            if key.is_empty() {
                continue;
            }
            return Some((key, value));
        }
    }
}

/// Length of the rsyslog control-character escape (`#011` tab, `#012`
/// newline) that `s` starts with, else 0.
#[inline]
pub fn escape_len(s: &[u8]) -> usize {
    match s {
        [b'#', b'0', b'1', b'1' | b'2', ..] => 4,
        _ => 0,
    }
}

/// Skips leading separators: `sep`, spaces, tabs and `#011`/`#012` escapes.
fn skip_separators(mut s: &[u8], sep: u8) -> &[u8] {
    loop {
        match s.first() {
            Some(&c) if c == sep || c == b' ' || c == b'\t' => s = s.get(1..).unwrap_or_default(),
            Some(b'#') if escape_len(s) == 4 => s = s.get(4..).unwrap_or_default(),
            _ => return s,
        }
    }
}

/// Where the last word of `k` starts (after the last separator, space, tab or escape).
fn last_word_start(k: &[u8], sep: u8) -> usize {
    let mut i = k.len();
    while let Some(&c) = i.checked_sub(1).and_then(|j| k.get(j)) {
        if c == sep || c == b' ' || c == b'\t' {
            return i;
        }
        // An escape (`#011`, `#012`) ends in 1 or 2.
        if (c == b'1' || c == b'2') && i >= 4 && k.get(i - 4..).is_some_and(|t| escape_len(t) == 4) {
            return i;
        }
        i -= 1;
    }
    0
}

/// Index of the first separator in an unquoted value (`sep`, a tab, or an
/// escape), `v.len()` when there is none.
fn separator_at_or_after(v: &[u8], sep: u8) -> usize {
    let mut i = 0;
    while let Some(off) = v.get(i..).and_then(|t| t.iter().position(|&c| c == sep || c == b'\t' || c == b'#')) {
        let at = i + off;
        if v.get(at) != Some(&b'#') || v.get(at..).is_some_and(|t| escape_len(t) == 4) {
            return at;
        }
        i = at + 1;
    }
    v.len()
}

/// Index of the closing `"` in `body` (which starts after the opening one),
/// skipping `\"`; `body.len()` when it is missing.
pub(crate) fn closing_quote(body: &[u8]) -> usize {
    let mut i = 0;
    while let Some(off) = body.get(i..).and_then(|b| memchr::memchr2(b'"', b'\\', b)) {
        let at = i + off;
        if body.get(at) == Some(&b'\\') {
            i = at + 2;
        } else {
            return at;
        }
    }
    body.len()
}

/// Removes the backslash of `\"`, `\\` and `\=` escapes, borrowing when
/// there are none. Other backslashes are data (`DOMAIN\user`) and stay.
pub fn unescape(v: &[u8]) -> std::borrow::Cow<'_, str> {
    let escaped = |w: &[u8]| matches!(w, [b'\\', b'"' | b'\\' | b'=']);
    if !v.windows(2).any(escaped) {
        return crate::record::text(v);
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while let Some(&c) = v.get(i) {
        if c == b'\\' && matches!(v.get(i + 1), Some(b'"' | b'\\' | b'=')) {
            if let Some(&n) = v.get(i + 1) {
                out.push(n);
            }
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(crate::record::text(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_bare() {
        let v: Vec<_> = pairs(br#"date=2019-05-10 msg="a \"b\" c" srcip=10.0.0.1"#).collect();
        assert_eq!(
            v,
            vec![
                (&b"date"[..], &b"2019-05-10"[..]),
                (&b"msg"[..], &br#"a \"b\" c"#[..]),
                (&b"srcip"[..], &b"10.0.0.1"[..])
            ]
        );
        assert_eq!(unescape(br#"a \"b\" c"#), "a \"b\" c");
        assert_eq!(unescape(br#"example.com\jdoe"#), "example.com\\jdoe");
        assert_eq!(unescape(br#"a\\b\=c"#), "a\\b=c");
    }

    #[test]
    fn doubled_quotes_from_a_spreadsheet_export() {
        let v: Vec<_> = pairs(br#"devname=""fw 1"" type=""utm"" empty="" last=""x"#).collect();
        assert_eq!(
            v,
            vec![
                (&b"devname"[..], &b"fw 1"[..]),
                (&b"type"[..], &b"utm"[..]),
                (&b"empty"[..], &b""[..]),
                (&b"last"[..], &b"x"[..])
            ]
        );
    }

    #[test]
    fn rsyslog_escapes_and_tabs_separate_pairs() {
        let v: Vec<_> = pairs(b"a=1#011b=two words#012c=3\td=4").collect();
        assert_eq!(
            v,
            vec![
                (&b"a"[..], &b"1"[..]),
                (&b"b"[..], &b"two"[..]),
                (&b"c"[..], &b"3"[..]),
                (&b"d"[..], &b"4"[..])
            ]
        );
        let v: Vec<_> = pairs_sep(b"msg=DHCP on x#011src=10.0.0.1#011note=a#b", b'\t').collect();
        assert_eq!(
            v,
            vec![
                (&b"msg"[..], &b"DHCP on x"[..]),
                (&b"src"[..], &b"10.0.0.1"[..]),
                (&b"note"[..], &b"a#b"[..])
            ]
        );
    }

    #[test]
    fn comma_separated_and_prefix() {
        let v: Vec<_> = pairs_sep(b"<189>date=2021-11-23,time=10:00:00, x=1", b',').collect();
        assert_eq!(v.len(), 3);
        let v: Vec<_> = pairs(b"fw01 tag: date=1 empty= last=\"unterminated").collect();
        assert_eq!(
            v,
            vec![
                (&b"date"[..], &b"1"[..]),
                (&b"empty"[..], &b""[..]),
                (&b"last"[..], &b"unterminated"[..])
            ]
        );
    }
}
