//! `key=value` pairs as FortiGate, Check Point, SonicWall, Juniper and many
//! others write them: space- or comma-separated, values optionally in double
//! quotes with `\"` escapes. Lines that went through a spreadsheet export
//! have their quotes doubled (`type=""traffic""`); such values are read as
//! if quoted once.
//!
//! A tab, and the `#011` / `#012` escapes rsyslog writes for a tab or a
//! newline inside a message (`$EscapeControlCharactersOnReceive`), separate
//! pairs wherever the separator does.

use super::bits::{below, zero_bytes, BitIndex, ByteSet, LO};

/// Iterates over the `key=value` pairs of a message. Quotes around a value
/// are removed; escapes inside are left as they are (see [`unescape`]).
pub struct KvIter<'a> {
    msg: &'a [u8],
    /// A suffix of `msg`: what is left to split.
    rest: &'a [u8],
    sep: u8,
    /// Where the bytes that can end a key or a value or open or escape a
    /// quote are: controls, space, `!`, `"`, `#`, `=`, `\\` and the separator
    /// (`None` for messages past [`super::bits::INDEX_BYTES`], which are
    /// searched pair by pair).
    index: Option<BitIndex>,
}

/// Pairs separated by spaces.
pub fn pairs(msg: &[u8]) -> KvIter<'_> {
    pairs_sep(msg, b' ')
}

/// Pairs separated by `sep` (for example `,` or `\t`); spaces around pairs are skipped.
pub fn pairs_sep(msg: &[u8], sep: u8) -> KvIter<'_> {
    KvIter {
        msg,
        rest: msg,
        sep,
        index: None,
    }
}

impl<'a> Iterator for KvIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        // Built on the first call rather than in `pairs_sep`, so that the
        // iterator moves into the caller's loop before the index is filled.
        if self.index.is_none() && self.rest.len() == self.msg.len() {
            let set = ByteSet {
                any: [b'=', b'\\', self.sep, self.sep],
                below: 0x24,
            };
            self.index = BitIndex::build(self.msg, set);
        }
        loop {
            let s = skip_separators(self.rest, self.sep);
            let (key, value, rest) = match &self.index {
                Some(ix) => indexed(ix, self.msg, s, self.sep)?,
                None => searched(s, self.sep)?,
            };
            self.rest = rest;
            if key.is_empty() {
                continue;
            }
            return Some((key, value));
        }
    }
}

/// The next pair of `s` (a suffix of `msg`) found through the index.
#[inline(always)]
fn indexed<'a>(ix: &BitIndex, msg: &'a [u8], s: &'a [u8], sep: u8) -> Option<(&'a [u8], &'a [u8], &'a [u8])> {
    let start = msg.len() - s.len();
    // The usual pair: the first flagged byte is the key's `=`. None at all
    // means no `=` is left, so no pair.
    let eq = ix.next_at(start)?;
    if msg.get(eq) != Some(&b'=') {
        return searched(s, sep);
    }
    let key = msg.get(start..eq)?;
    let v = msg.get(eq + 1..)?;
    if v.first() == Some(&b'"') {
        if v.get(1) == Some(&b'"') {
            // Doubled quotes (or an empty value): rare, searched directly.
            let (value, rest) = split_value(v, sep)?;
            return Some((key, value, rest));
        }
        // The closing quote: the first `"` not escaped by a backslash.
        let mut at = eq + 2;
        loop {
            match ix.next_at(at).and_then(|i| Some((i, *msg.get(i)?))) {
                Some((i, b'"')) => return Some((key, msg.get(eq + 2..i)?, msg.get(i + 1..)?)),
                Some((i, b'\\')) => at = i + 2,
                Some((i, _)) => at = i + 1,
                None => return Some((key, msg.get(eq + 2..)?, &b""[..])),
            }
        }
    }
    let mut at = eq + 1;
    let end = loop {
        match ix.next_at(at).and_then(|i| Some((i, *msg.get(i)?))) {
            Some((i, c)) if c == sep || c == b'\t' => break i,
            Some((i, b'#')) if msg.get(i..).is_some_and(|t| escape_len(t) == 4) => break i,
            Some((i, _)) => at = i + 1,
            None => break msg.len(),
        }
    };
    Some((key, msg.get(eq + 1..end)?, msg.get(end..)?))
}

/// The next pair of `s`, found by searching: for a key preceded by free
/// text or holding a separator, and for messages too long to index.
fn searched(s: &[u8], sep: u8) -> Option<(&[u8], &[u8], &[u8])> {
    let eq = crate::formats::find_byte(b'=', s)?;
    let key_raw = s.get(..eq)?;
    // A key never holds the separator; if it does, what precedes it was
    // free text (for example a syslog tag): keep the last word.
    let key = key_raw.get(last_word_start(key_raw, sep)..)?;
    let (value, rest) = split_value(s.get(eq + 1..)?, sep)?;
    Some((key, value, rest))
}

/// Splits the value that `v` (the text after `=`) starts with from the rest.
#[inline(always)]
fn split_value(v: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let doubled = v.starts_with(b"\"\"") && v.get(2).is_some_and(|&c| c != b'"' && c != sep && c != b' ');
    Some(if doubled {
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
        let end = separator_at_or_after(v, sep);
        (v.get(..end)?, v.get(end..).unwrap_or_default())
    })
}

/// First byte of `s` whose flag `flags` sets (high bit of the byte in the
/// little-endian word), eight bytes at a time. The tail is padded with
/// 0xff, which `flags` must not flag.
#[inline(always)]
fn scan(s: &[u8], flags: impl Fn(u64) -> u64) -> Option<usize> {
    let mut words = s.chunks_exact(8);
    let mut base = 0;
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let m = flags(u64::from_le_bytes(word));
        if m != 0 {
            return Some(base + (m.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    let rem = words.remainder();
    if rem.is_empty() {
        return None;
    }
    let mut word = [0xffu8; 8];
    word.get_mut(..rem.len())?.copy_from_slice(rem);
    let m = flags(u64::from_le_bytes(word));
    (m != 0).then(|| base + (m.trailing_zeros() / 8) as usize)
}

/// First byte of `s` that is a control character, a space, `!`, `"` or
/// `#` (everything below 0x24: all the separators and quotes of key=value
/// text), or `sep`.
#[inline(always)]
fn find_structural(s: &[u8], sep: u8) -> Option<usize> {
    let ps = LO.wrapping_mul(u64::from(sep));
    scan(s, |x| below(x, 0x24) | zero_bytes(x ^ ps))
}

/// First `"` or `\\` in `s`.
#[inline(always)]
fn find_quote_or_backslash(s: &[u8]) -> Option<usize> {
    scan(s, |x| {
        zero_bytes(x ^ LO.wrapping_mul(u64::from(b'"'))) | zero_bytes(x ^ LO.wrapping_mul(u64::from(b'\\')))
    })
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
#[inline]
fn separator_at_or_after(v: &[u8], sep: u8) -> usize {
    let mut i = 0;
    // Candidates: `sep`, and every byte below 0x24 (tab, `#`, but also
    // spaces and quotes, which are data here unless `sep` is a space).
    while let Some(off) = v.get(i..).and_then(|t| find_structural(t, sep)) {
        let at = i + off;
        match v.get(at) {
            Some(&c) if c == sep || c == b'\t' => return at,
            Some(b'#') if v.get(at..).is_some_and(|t| escape_len(t) == 4) => return at,
            _ => i = at + 1,
        }
    }
    v.len()
}

/// Index of the closing `"` in `body` (which starts after the opening one),
/// skipping `\"`; `body.len()` when it is missing.
pub(crate) fn closing_quote(body: &[u8]) -> usize {
    let mut i = 0;
    while let Some(off) = body.get(i..).and_then(find_quote_or_backslash) {
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

    /// The pair splitter as it was before the word-at-a-time search: the
    /// reference the fast one must agree with.
    fn reference(msg: &[u8], sep: u8) -> Vec<(&[u8], &[u8])> {
        let mut out = Vec::new();
        let mut rest = msg;
        loop {
            let s = skip_separators(rest, sep);
            let Some(eq) = s.iter().position(|&c| c == b'=') else { return out };
            let key_raw = &s[..eq];
            let key = &key_raw[last_word_start(key_raw, sep)..];
            let v = &s[eq + 1..];
            let doubled = v.starts_with(b"\"\"") && v.get(2).is_some_and(|&c| c != b'"' && c != sep && c != b' ');
            let (value, r) = if doubled {
                let body = &v[2..];
                match body.windows(2).position(|w| w == b"\"\"") {
                    Some(end) => (&body[..end], &body[end + 2..]),
                    None => (body, &b""[..]),
                }
            } else if v.first() == Some(&b'"') {
                let body = &v[1..];
                let end = closing_quote(body);
                (&body[..end], body.get(end + 1..).unwrap_or_default())
            } else {
                let mut end = v.len();
                for (i, &c) in v.iter().enumerate() {
                    if c == sep || c == b'\t' || (c == b'#' && escape_len(&v[i..]) == 4) {
                        end = i;
                        break;
                    }
                }
                (&v[..end], &v[end..])
            };
            rest = r;
            if !key.is_empty() {
                out.push((key, value));
            }
        }
    }

    #[test]
    fn agrees_with_the_reference_splitter() {
        let alphabet: &[&[u8]] = &[
            b"a",
            b"key",
            b"=",
            b" ",
            b",",
            b"\t",
            b"\"",
            b"\"\"",
            b"\\",
            b"#011",
            b"#0",
            b"!",
            b"\x01",
            b"\xc3\xa9",
            b"=\"",
            b"1",
            b"srcip=10.0.0.1 ",
        ];
        let mut rng = crate::synth::rng::Rng::new(7);
        for _ in 0..20_000 {
            let msg = crate::formats::random_text(&mut rng, alphabet, 24);
            for sep in [b' ', b',', b'\t'] {
                let fast: Vec<_> = pairs_sep(&msg, sep).collect();
                assert_eq!(fast, reference(&msg, sep), "{:?} sep {sep}", String::from_utf8_lossy(&msg));
            }
            // Past super::bits::INDEX_BYTES the pairs are found without the index.
            if rng.below(50) == 0 {
                let mut long = msg.clone();
                while long.len() <= crate::formats::bits::INDEX_BYTES {
                    long.extend_from_slice(&msg);
                    long.extend_from_slice(b" a=1 ");
                }
                let fast: Vec<_> = pairs(&long).collect();
                assert_eq!(fast, reference(&long, b' '));
            }
        }
    }

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
