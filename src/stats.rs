//! Per-file accounting: every line is parsed, ignored or skipped, with reasons
//! and a few samples of the lines that were skipped.

use serde::Serialize;
use std::collections::BTreeMap;

/// How many bad-line samples a file keeps.
pub const MAX_SAMPLES: usize = 5;
/// How many bytes of a bad line a sample keeps.
pub const SAMPLE_BYTES: usize = 200;

/// A skipped line, truncated, escaped and with credentials redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    /// 1-based line number in the file.
    pub line: u64,
    pub reason: &'static str,
    pub text: String,
}

/// Counts for one file (or one chunk of it, before merging).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParseStats {
    pub lines: u64,
    pub parsed: u64,
    pub ignored: u64,
    pub skipped: u64,
    pub skip_reasons: BTreeMap<&'static str, u64>,
    pub ignore_reasons: BTreeMap<&'static str, u64>,
    pub samples: Vec<Sample>,
}

impl ParseStats {
    #[inline]
    pub fn ignore(&mut self, reason: &'static str) {
        self.ignored += 1;
        *self.ignore_reasons.entry(reason).or_insert(0) += 1;
    }

    /// Counts a skipped line; `line_no` is relative to the chunk (1-based).
    #[inline]
    pub fn skip(&mut self, reason: &'static str, line_no: u64, line: &[u8]) {
        self.skipped += 1;
        *self.skip_reasons.entry(reason).or_insert(0) += 1;
        if self.samples.len() < MAX_SAMPLES {
            self.samples.push(Sample {
                line: line_no,
                reason,
                text: sample_text(line),
            });
        }
    }

    /// Appends the stats of the chunk that follows this one.
    pub fn append(&mut self, next: ParseStats) {
        let offset = self.lines;
        self.lines += next.lines;
        self.parsed += next.parsed;
        self.ignored += next.ignored;
        self.skipped += next.skipped;
        for (k, v) in next.skip_reasons {
            *self.skip_reasons.entry(k).or_insert(0) += v;
        }
        for (k, v) in next.ignore_reasons {
            *self.ignore_reasons.entry(k).or_insert(0) += v;
        }
        for mut s in next.samples {
            if self.samples.len() >= MAX_SAMPLES {
                break;
            }
            s.line += offset;
            self.samples.push(s);
        }
    }
}

/// Makes a line safe to show: at most [`SAMPLE_BYTES`] bytes, control and
/// invalid bytes escaped as `\xNN`, credentials redacted.
pub fn sample_text(line: &[u8]) -> String {
    let cut = line.get(..SAMPLE_BYTES).unwrap_or(line);
    let mut out = String::with_capacity(cut.len() + 8);
    for chunk in cut.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.extend(format!("\\x{:02x}", c as u32).chars());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    if line.len() > SAMPLE_BYTES {
        out.push('…');
    }
    crate::redact::redact(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_escaped_truncated_and_redacted() {
        let s = sample_text(b"bad\x00line \xff http://h/?token=abc");
        assert_eq!(s, "bad\\x00line \\xff http://h/?token=REDACTED");
        let long = vec![b'a'; 500];
        assert_eq!(sample_text(&long).chars().count(), SAMPLE_BYTES + 1);
    }

    #[test]
    fn append_offsets_line_numbers() {
        let mut a = ParseStats {
            lines: 10,
            ..ParseStats::default()
        };
        let mut b = ParseStats {
            lines: 3,
            ..ParseStats::default()
        };
        b.skip("bad", 2, b"x");
        a.append(b);
        assert_eq!(a.samples[0].line, 12);
        assert_eq!(a.lines, 13);
    }
}
