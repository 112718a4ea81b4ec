//! Robustness: every line of every `testdata/formats/*/sample.log`, cut at
//! every length and with bytes replaced by JSON, CSV, TSV and escape
//! delimiters, goes through every registered parser (sniff, parse,
//! parse_multi, and binding with the damaged text as the file head).
//! Nothing may panic. A cheap, deterministic stand-in for fuzzing that runs
//! with every `cargo test`.

use seam::formats::{self, FORMATS};
use seam::time::{TimeCtx, Zone};
use std::path::PathBuf;

/// Bytes that tend to sit on parser boundaries.
const NASTY: &[u8] = b"\"\\,\t {}[]:.-/?=#%\x00\xff0x";

fn samples() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/formats");
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(&root) else { return out };
    let mut dirs: Vec<PathBuf> = dirs.filter_map(|d| d.ok()).map(|d| d.path()).collect();
    dirs.sort();
    for d in dirs {
        if let Ok(bytes) = std::fs::read(d.join("sample.log")) {
            out.push((d.display().to_string(), bytes));
        }
    }
    out
}

fn exercise(line: &[u8], ctx: &TimeCtx) {
    for f in FORMATS {
        let _ = f.sniff(line);
        let _ = f.parse(line, ctx);
        let _ = f.parse_multi(line, ctx, &mut |_| {});
        if let Ok(p) = formats::bind(*f, line) {
            let _ = p.parse(line, ctx);
            let _ = p.parse_multi(line, ctx, &mut |_| {});
        }
    }
}

#[test]
fn damaged_sample_lines_never_panic() {
    let ctx = TimeCtx {
        year: 2026,
        zone: Zone::Fixed(0),
        ref_ms: None,
    };
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64*: deterministic, no dependency.
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut n = 0u64;
    for (_, file) in samples() {
        // Whole files as heads: header-driven formats bind from them.
        for f in FORMATS {
            if let Ok(p) = formats::bind(*f, &file) {
                for l in file.split(|&b| b == b'\n') {
                    let _ = p.parse(formats::trim_line(l), &ctx);
                }
            }
        }
        for line in file.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let step = (line.len() / 120).max(1);
            for cut in (0..line.len()).step_by(step) {
                exercise(line.get(..cut).unwrap_or_default(), &ctx);
                n += 1;
            }
            for _ in 0..50 {
                let mut m = line.to_vec();
                for _ in 0..=(next() % 3) {
                    let at = (next() % m.len() as u64) as usize;
                    let b = NASTY.get((next() % NASTY.len() as u64) as usize).copied().unwrap_or(b'"');
                    if let Some(slot) = m.get_mut(at) {
                        *slot = b;
                    }
                }
                exercise(&m, &ctx);
                n += 1;
            }
        }
    }
    println!("{n} damaged lines through {} parsers", FORMATS.len());
}
