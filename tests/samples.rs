//! The hand-written sample lines of every format (testdata/formats/<name>/):
//! detected as that format, every line parsed or deliberately ignored, none
//! skipped; and every format has samples.

use seam::input::Source;
use seam::scan::{scan, ScanOptions};
use std::path::PathBuf;

fn samples_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/formats"))
}

#[test]
fn every_sample_is_detected_and_fully_read() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(samples_dir())
        .expect("testdata/formats")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut problems = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let r = scan(&[Source::File(file.clone())], &ScanOptions::default());
            let f = &r.files[0];
            if f.format != Some(name.as_str()) {
                problems.push(format!("{}: detected as {:?}, not {name}", file.display(), f.format));
            }
            if f.stats.skipped > 0 || f.stats.parsed == 0 {
                problems.push(format!(
                    "{}: {} parsed, {} skipped: {:?}",
                    file.display(),
                    f.stats.parsed,
                    f.stats.skipped,
                    f.stats.samples
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_format_has_samples() {
    let missing: Vec<&str> = seam::formats::FORMATS
        .iter()
        .map(|f| f.name())
        .filter(|n| !samples_dir().join(n).join("sample.log").is_file())
        .collect();
    assert!(missing.is_empty(), "no testdata/formats/<name>/sample.log for {missing:?}");
}
