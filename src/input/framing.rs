//! Record boundaries for formats whose records are not single lines.
//!
//! - Quoted CSV: a record ends at a newline outside double quotes (`""` is
//!   an escaped quote, which keeps the parity right).
//! - JSON: NDJSON, pretty-printed values, or a top-level array whose
//!   elements are the records. A small structural scanner (strings, escapes,
//!   nesting depth) finds where each top-level value (or array element)
//!   starts and ends; it never builds values.
//!
//! All functions work on bytes and never panic on malformed input: an
//! unterminated value runs to the end of the buffer and is handed to the
//! parser, which reports it as skipped.

use std::ops::Range;

/// Iterates over the records of a quoted-CSV buffer (without the final
/// newline of each record).
pub fn csv_records(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= buf.len() {
            return None;
        }
        let rest = buf.get(pos..)?;
        let end = csv_record_end(rest);
        let rec = rest.get(..end)?;
        pos += end + 1;
        Some(rec)
    })
}

/// Offset of the newline that ends the first record of `buf` (outside
/// quotes), or `buf.len()` when the record runs to the end.
fn csv_record_end(buf: &[u8]) -> usize {
    let mut in_quotes = false;
    let mut i = 0;
    while let Some(off) = buf.get(i..).and_then(|r| memchr::memchr2(b'"', b'\n', r)) {
        let at = i + off;
        match buf.get(at) {
            Some(b'"') => in_quotes = !in_quotes,
            _ if !in_quotes => return at,
            _ => {}
        }
        i = at + 1;
    }
    buf.len()
}

/// Splits a quoted-CSV buffer into at most `n` ranges that end at record
/// boundaries (one sequential pass over the quotes).
pub fn split_csv(buf: &[u8], n: usize) -> Vec<Range<usize>> {
    let target = buf.len().div_ceil(n.max(1)).max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    while pos < buf.len() {
        let end = pos + csv_record_end(buf.get(pos..).unwrap_or_default());
        pos = (end + 1).min(buf.len());
        if pos - start >= target || pos >= buf.len() {
            out.push(start..pos);
            start = pos;
        }
    }
    out
}

/// End (exclusive, after its newline) of the last complete CSV record in
/// `buf`; 0 when there is none. Used to carry partial records between
/// stream blocks.
pub fn csv_complete_prefix(buf: &[u8]) -> usize {
    let mut pos = 0;
    let mut last = 0;
    while pos < buf.len() {
        let end = pos + csv_record_end(buf.get(pos..).unwrap_or_default());
        if end >= buf.len() {
            break;
        }
        pos = end + 1;
        last = pos;
    }
    last
}

/// True when `head` holds one JSON object per line (NDJSON), so that plain
/// line framing is right and cheaper.
pub fn is_ndjson(head: &[u8]) -> bool {
    let first = head.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = first else { return true };
    if head.get(start) != Some(&b'{') {
        return false;
    }
    let line_end = memchr::memchr(b'\n', head.get(start..).unwrap_or_default()).map_or(head.len(), |i| start + i);
    let line = head.get(start..line_end).unwrap_or_default();
    matches!(json_value_end(line, 0), Some(e) if line.get(e..).unwrap_or_default().iter().all(u8::is_ascii_whitespace))
}

/// End (exclusive) of the JSON value that starts at `start`, or `None` when
/// the buffer ends first.
fn json_value_end(buf: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    let mut in_str = false;
    while let Some(&c) = buf.get(i) {
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    in_str = false;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                b',' | b'\n' | b' ' | b'\t' | b'\r' if depth == 0 => return Some(i),
                _ => {}
            }
        }
        i += 1;
    }
    if depth == 0 && !in_str && i > start {
        Some(i)
    } else {
        None
    }
}

/// Finds JSON records: top-level values, or the elements of top-level
/// arrays. Returns the complete records and the offset where an incomplete
/// one starts (or `buf.len()`).
pub fn json_records(buf: &[u8]) -> (Vec<Range<usize>>, usize) {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        // Skip separators between values; the brackets of a top-level array
        // count as separators, so a stream cut inside an array resumes.
        while let Some(&c) = buf.get(i) {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' => i += 1,
                _ => break,
            }
        }
        if i >= buf.len() {
            return (out, buf.len());
        }
        match json_value_end(buf, i) {
            Some(end) if end > i => {
                out.push(i..end);
                i = end;
            }
            _ => return (out, i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_keep_quoted_newlines() {
        let buf = b"a,\"x\ny\",1\nb,\"\"\"q\"\"\",2\nc,3";
        let recs: Vec<&[u8]> = csv_records(buf).collect();
        assert_eq!(recs, vec![&b"a,\"x\ny\",1"[..], b"b,\"\"\"q\"\"\",2", b"c,3"]);
        for n in [1, 2, 3, 7] {
            let r = split_csv(buf, n);
            let joined: Vec<&[u8]> = r.iter().flat_map(|r| csv_records(&buf[r.clone()])).collect();
            assert_eq!(joined, recs, "n={n}");
        }
        assert_eq!(csv_complete_prefix(b"a,\"x\ny\",1\nb,\"open\n"), 10);
    }

    #[test]
    fn json_pretty_array_and_ndjson() {
        let pretty = b"[\n  {\"a\": \"x,}]\\\"\",\n   \"b\": [1, 2]},\n  {\"c\": {}}\n]\n";
        let (recs, rest) = json_records(pretty);
        let texts: Vec<&[u8]> = recs.iter().map(|r| &pretty[r.clone()]).collect();
        assert_eq!(texts, vec![&b"{\"a\": \"x,}]\\\"\",\n   \"b\": [1, 2]}"[..], b"{\"c\": {}}"]);
        assert_eq!(rest, pretty.len());
        let (recs, rest) = json_records(b"{\"a\":1}\n{\"b\":2}\n{\"c\":");
        assert_eq!(recs.len(), 2);
        assert_eq!(rest, 16);
        assert!(is_ndjson(b"{\"a\":1}\n{\"b\":2}\n"));
        assert!(!is_ndjson(b"{\n \"a\": 1\n}\n"));
        assert!(!is_ndjson(b"[{\"a\":1}]"));
    }
}
