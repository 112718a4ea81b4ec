//! Cross-check of the two Zeek readers on the same traffic: the corpus
//! holds the same ssl.log written by Zeek as TSV and as JSON (the WRCCDC
//! 2018 sample, see the corpus MANIFEST). Every record both excerpts hold
//! must parse to the same core fields through `zeek` (via its header) and
//! `zeek-json`.
//!
//! The corpus lives outside the repository; the test reads it from
//! `SEAM_CORPUS` (default `../shared/corpus`) and says that it skipped when
//! it is absent.

use seam::formats::{self, LineError};
use seam::record::Record;
use seam::time::TimeCtx;
use std::path::PathBuf;

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SEAM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("MANIFEST.md").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: corpus not found at {} (set SEAM_CORPUS)", dir.display());
        None
    }
}

/// The core fields of a record, as text, for comparison.
fn core(r: &Record) -> String {
    format!(
        "{} {:?}:{:?} -> {:?}:{:?} {:?} {:?} {:?}",
        r.time_ms, r.src_ip, r.src_port, r.dst_ip, r.dst_port, r.dst_host, r.proto, r.action
    )
}

/// Parses every line of a file through the format detection picks.
fn parse_file(data: &str, expect: &str) -> Vec<Result<String, LineError>> {
    let head = data.get(..data.len().min(64 << 10)).unwrap_or(data);
    let format = formats::detect(head.as_bytes()).expect("format detected");
    assert_eq!(format.name(), expect);
    let parser = formats::bind(format, head.as_bytes()).expect("header binds");
    let ctx = TimeCtx::default();
    data.lines()
        .map(|l| parser.parse(formats::trim_line(l.as_bytes()), &ctx).map(|r| core(&r)))
        .collect()
}

#[test]
fn zeek_tsv_and_json_twins_agree() {
    let Some(root) = corpus_dir() else { return };
    let (Ok(tsv), Ok(json)) = (
        std::fs::read_to_string(root.join("zeek-ssl-tsv/wrccdc2018.ssl.log")),
        std::fs::read_to_string(root.join("zeek-json/wrccdc2018.ssl.json")),
    ) else {
        eprintln!("SKIPPED: the WRCCDC ssl twins are not in the corpus");
        return;
    };
    let tsv: Vec<String> = parse_file(&tsv, "zeek").into_iter().filter_map(Result::ok).collect();
    let json: Vec<Result<String, LineError>> = parse_file(&json, "zeek-json");
    assert!(json.iter().all(Result::is_ok), "every JSON ssl record parses");
    let json: Vec<String> = json.into_iter().filter_map(Result::ok).collect();
    assert!(
        json.len() > 1000 && tsv.len() >= json.len(),
        "{} TSV, {} JSON records",
        tsv.len(),
        json.len()
    );
    let differ: Vec<(usize, &String, &String)> = tsv
        .iter()
        .zip(&json)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| (i, a, b))
        .collect();
    let named = json.iter().filter(|r| r.contains("Some(\"")).count();
    assert!(named > 100, "only {named} records name a server (SNI)");
    assert!(
        differ.is_empty(),
        "{} of {} records differ, first: {:?}",
        differ.len(),
        json.len(),
        differ.first()
    );
    println!("zeek TSV and JSON twins: {} records agree ({named} with an SNI host)", json.len());
}
