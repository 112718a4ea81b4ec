//! Splitting a buffer into line-aligned chunks.
//!
//! Invariant: every range but the last ends just after a `\n`, and the
//! ranges cover the buffer exactly, in order. A line is never cut in two, so
//! the result of parsing does not depend on where the cuts fall.

use std::ops::Range;

/// Splits `buf` into at most `n` ranges of roughly equal size, each ending
/// after a newline (the last one ends at the end of the buffer).
pub fn split(buf: &[u8], n: usize) -> Vec<Range<usize>> {
    let n = n.max(1);
    let target = buf.len().div_ceil(n).max(1);
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < buf.len() {
        let want = start.saturating_add(target).min(buf.len());
        let end = if want >= buf.len() {
            buf.len()
        } else {
            match memchr::memchr(b'\n', buf.get(want..).unwrap_or_default()) {
                Some(i) => want + i + 1,
                None => buf.len(),
            }
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Index just past the last `\n` in `buf` (0 when there is none).
pub fn last_line_end(buf: &[u8]) -> usize {
    memchr::memrchr(b'\n', buf).map_or(0, |i| i + 1)
}

/// Iterates over the lines of a chunk, without their `\n`. A chunk that ends
/// with `\n` yields no empty line after it; a last line without newline is
/// yielded.
pub fn lines(chunk: &[u8]) -> Lines<'_> {
    Lines {
        rest: Some(chunk).filter(|c| !c.is_empty()),
    }
}

/// Iterator of [`lines`]: newlines found with `memchr` (vectorised), not byte by byte.
pub struct Lines<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match memchr::memchr(b'\n', rest) {
            Some(i) => {
                let after = rest.get(i + 1..).unwrap_or_default();
                self.rest = Some(after).filter(|a| !a.is_empty());
                rest.get(..i)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_and_align() {
        let buf = b"aa\nbbbb\nc\n\ndddddd\nlast";
        for n in [1, 2, 3, 7, 64] {
            let r = split(buf, n);
            assert_eq!(r.first().map(|r| r.start), Some(0));
            assert_eq!(r.last().map(|r| r.end), Some(buf.len()));
            for w in r.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_eq!(buf[w[0].end - 1], b'\n');
            }
            let joined: Vec<&[u8]> = r.iter().flat_map(|r| lines(&buf[r.clone()])).collect();
            assert_eq!(joined, lines(buf).collect::<Vec<_>>());
        }
    }

    #[test]
    fn line_iteration_edges() {
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n").collect::<Vec<_>>(), vec![&b""[..]]);
        assert_eq!(lines(b"a\nb").collect::<Vec<_>>(), vec![&b"a"[..], b"b"]);
        assert_eq!(lines(b"a\n\nb\n").count(), 3);
        assert_eq!(split(b"", 4).len(), 0);
    }

    /// The lines of `buf` as `split` on `\n` gives them, less the empty
    /// piece after a final newline.
    fn reference(buf: &[u8]) -> Vec<&[u8]> {
        let mut v: Vec<&[u8]> = buf.split(|&c| c == b'\n').collect();
        if buf.is_empty() || buf.ends_with(b"\n") {
            v.pop();
        }
        v
    }

    #[test]
    fn lines_agree_with_a_plain_split() {
        // Line lengths from 0 to 200 (a quarter of them under 5), so that
        // line ends fall at every offset of a 32- or 64-byte block, several
        // in one block and none in some; cut at many places, as chunks are.
        let mut rng = crate::synth::rng::Rng::new(7);
        let mut buf = Vec::new();
        for _ in 0..400 {
            let len = if rng.below(4) == 0 { rng.below(5) } else { rng.below(201) };
            buf.extend((0..len).map(|i| b'a' + (i % 26) as u8));
            buf.push(b'\n');
        }
        for end in (0..buf.len()).step_by(13).chain([buf.len(), buf.len() - 1]) {
            for start in [0, 1, 31, 63, 64, 65] {
                let b = buf.get(start..end).unwrap_or_default();
                assert_eq!(lines(b).collect::<Vec<_>>(), reference(b), "{start}..{end}");
            }
        }
        let only = vec![b'\n'; 130];
        assert_eq!(lines(&only).count(), 130);
        let none = vec![b'x'; 130];
        assert_eq!(lines(&none).collect::<Vec<_>>(), vec![&none[..]]);
    }
}
