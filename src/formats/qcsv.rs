//! Quote-aware splitting of comma-separated records without allocating.
//!
//! Fields follow RFC 4180: a field that starts with `"` (after optional
//! spaces) runs to the next lone `"`, and `""` inside it is a literal quote.
//! A field that does not start with a quote runs to the next separator,
//! quotes and all. Bytes between a closing quote and the next separator are
//! dropped, so a malformed record never makes the fields run together. An
//! unterminated quote runs to the end of the record.

use std::borrow::Cow;

/// One field of a record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvField<'a> {
    /// The field without its surrounding quotes; `""` not yet undone.
    pub raw: &'a [u8],
    /// True when the field was quoted.
    pub quoted: bool,
}

impl<'a> CsvField<'a> {
    /// The field as text: `""` becomes `"`, and line breaks inside a quoted
    /// field are removed (in the logs read here they only come from line
    /// wrapping; no field seam uses holds one). Borrows when nothing changes.
    pub fn text(&self) -> Cow<'a, str> {
        let raw = self.raw;
        let dirty = raw.iter().any(|&c| c == b'\r' || c == b'\n') || (self.quoted && crate::formats::find(raw, b"\"\"").is_some());
        if !dirty {
            return crate::record::text(raw);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while let Some(&c) = raw.get(i) {
            match c {
                b'\r' | b'\n' => {}
                b'"' if self.quoted && raw.get(i + 1) == Some(&b'"') => {
                    out.push(b'"');
                    i += 1;
                }
                _ => out.push(c),
            }
            i += 1;
        }
        Cow::Owned(crate::record::text(&out).into_owned())
    }

    /// Like [`CsvField::text`], but `None` for an empty (or blank) field.
    pub fn opt_text(&self) -> Option<Cow<'a, str>> {
        if self.raw.trim_ascii().is_empty() {
            None
        } else {
            Some(self.text())
        }
    }

    /// The raw bytes with surrounding ASCII whitespace removed.
    pub fn trimmed(&self) -> &'a [u8] {
        self.raw.trim_ascii()
    }
}

/// Iterator over the fields of one record.
pub struct CsvIter<'a> {
    rest: &'a [u8],
    sep: u8,
    done: bool,
}

/// Splits `record` on commas.
pub fn fields(record: &[u8]) -> CsvIter<'_> {
    CsvIter {
        rest: record,
        sep: b',',
        done: false,
    }
}

impl<'a> Iterator for CsvIter<'a> {
    type Item = CsvField<'a>;

    fn next(&mut self) -> Option<CsvField<'a>> {
        if self.done {
            return None;
        }
        let s = self.rest;
        let lead = s.iter().take_while(|&&c| c == b' ').count();
        if let Some(body) = s.get(lead..).and_then(|b| b.strip_prefix(b"\"")) {
            let end = closing_quote(body);
            let raw = body.get(..end).unwrap_or(body);
            let after = body.get(end + 1..).unwrap_or_default();
            match super::find_byte(self.sep, after) {
                Some(i) => self.rest = after.get(i + 1..).unwrap_or_default(),
                None => self.done = true,
            }
            return Some(CsvField { raw, quoted: true });
        }
        let end = super::find_byte(self.sep, s);
        match end {
            Some(i) => {
                self.rest = s.get(i + 1..).unwrap_or_default();
                Some(CsvField {
                    raw: s.get(..i).unwrap_or_default(),
                    quoted: false,
                })
            }
            None => {
                self.done = true;
                Some(CsvField { raw: s, quoted: false })
            }
        }
    }
}

/// Index of the closing quote in `body` (which starts after the opening
/// one), skipping doubled quotes; `body.len()` when it is missing.
fn closing_quote(body: &[u8]) -> usize {
    let mut i = 0;
    while let Some(off) = body.get(i..).and_then(|b| memchr::memchr(b'"', b)) {
        let at = i + off;
        if body.get(at + 1) == Some(&b'"') {
            i = at + 2;
        } else {
            return at;
        }
    }
    body.len()
}

/// Splits `record` into `out`, returning how many fields were stored. Fields
/// beyond `out.len()` are dropped; slots past the count are left as they were.
pub fn split_into<'a>(record: &'a [u8], out: &mut [CsvField<'a>]) -> usize {
    let mut n = 0;
    for (slot, f) in out.iter_mut().zip(fields(record)) {
        *slot = f;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain byte-by-byte splitter: the reference the word-at-a-time one
    /// must agree with.
    fn reference(record: &[u8]) -> Vec<CsvField<'_>> {
        let mut out = Vec::new();
        let mut s = record;
        loop {
            let lead = s.iter().take_while(|&&c| c == b' ').count();
            if let Some(body) = s.get(lead..).and_then(|b| b.strip_prefix(b"\"")) {
                let end = closing_quote(body);
                out.push(CsvField {
                    raw: &body[..end],
                    quoted: true,
                });
                let after = body.get(end + 1..).unwrap_or_default();
                match after.iter().position(|&c| c == b',') {
                    Some(i) => s = &after[i + 1..],
                    None => return out,
                }
                continue;
            }
            match s.iter().position(|&c| c == b',') {
                Some(i) => {
                    out.push(CsvField {
                        raw: &s[..i],
                        quoted: false,
                    });
                    s = &s[i + 1..];
                }
                None => {
                    out.push(CsvField { raw: s, quoted: false });
                    return out;
                }
            }
        }
    }

    #[test]
    fn splitting_agrees_with_the_reference() {
        let alphabet: &[&[u8]] = &[b"a", b"10.0.0.1", b",", b",,", b"\"", b"\"\"", b" ", b"x\"y", b"\xc3\xa9", b"\r"];
        let mut rng = crate::synth::rng::Rng::new(13);
        for round in 0..20_000 {
            let mut r = crate::formats::random_text(&mut rng, alphabet, 60);
            if round % 100 == 0 {
                // Long fields, past find_byte's word-at-a-time head.
                r.extend_from_slice(&[b'x'; 100]);
            }
            assert_eq!(fields(&r).collect::<Vec<_>>(), reference(&r), "{:?}", String::from_utf8_lossy(&r));
        }
    }

    fn all(s: &str) -> Vec<(String, bool)> {
        fields(s.as_bytes()).map(|f| (f.text().into_owned(), f.quoted)).collect()
    }

    #[test]
    fn plain_and_empty_fields() {
        let v: Vec<String> = all("a,,b,").into_iter().map(|x| x.0).collect();
        assert_eq!(v, ["a", "", "b", ""]);
        assert_eq!(all("").len(), 1);
    }

    #[test]
    fn quoted_fields_keep_commas_and_double_quotes() {
        let v = all(r#"1,"Microsoft Windows 10 Pro , 64-bit","say ""hi""",x"#);
        assert_eq!(v[1], ("Microsoft Windows 10 Pro , 64-bit".to_string(), true));
        assert_eq!(v[2].0, r#"say "hi""#);
        assert_eq!(v[3].0, "x");
    }

    #[test]
    fn space_before_quote_and_junk_after_it() {
        let v = all(r#""a", "b" ,"c"junk,d"#);
        let t: Vec<&str> = v.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(t, ["a", "b", "c", "d"]);
    }

    #[test]
    fn line_breaks_inside_quotes_are_removed() {
        let f = fields(b"\"2024-03-03 \n20:28:52\",\"htt\r\nps://example.com/\"").collect::<Vec<_>>();
        assert_eq!(f[0].text(), "2024-03-03 20:28:52");
        assert_eq!(f[1].text(), "https://example.com/");
    }

    #[test]
    fn unterminated_quote_runs_to_the_end() {
        let v = all(r#"a,"b,c"#);
        assert_eq!(v, [("a".to_string(), false), ("b,c".to_string(), true)]);
    }

    #[test]
    fn split_into_caps_at_the_buffer() {
        let mut buf = [CsvField::default(); 2];
        assert_eq!(split_into(b"a,b,c", &mut buf), 2);
        assert_eq!(buf[1].raw, b"b");
    }

    #[test]
    fn every_prefix_splits_without_panic() {
        let l = r#" "a,""b",c , "d"x,"e"#;
        for i in 0..=l.len() {
            let b = l.as_bytes().get(..i).unwrap_or_default();
            let n = fields(b).count();
            assert!(n >= 1);
            for f in fields(b) {
                let _ = f.text();
            }
        }
    }
}
