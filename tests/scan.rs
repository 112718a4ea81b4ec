//! Issue: "seam scan: the core pipeline, end to end" — results do not depend
//! on chunking, threads, mmap or compression, and every line is accounted for.

use seam::formats;
use seam::input::Source;
use seam::scan::{scan, scan_whole, ScanOptions};
use seam::time::TimeCtx;
use std::io::Write;

/// A Squid log with every awkward case the reader must survive: CRLF and LF
/// endings, empty lines, a line over 64 KiB, invalid UTF-8, NUL bytes, bad
/// lines, and a last line without a newline.
fn awkward_log() -> Vec<u8> {
    let mut v = Vec::new();
    for i in 0..300u32 {
        let host = ["api.example.com", "files.example.net", "203.0.113.9", "hooks.example.org"][(i % 4) as usize];
        let src = format!("10.0.{}.{}", i % 3, 10 + i % 5);
        let t = 1_760_000_000 + u64::from(i) * 97;
        let line = if host.starts_with("203.") {
            format!(
                "{t}.250    12 {src} TCP_TUNNEL/200 {} CONNECT {host}:8443 svc_{} HIER_DIRECT/{host} -",
                100 + i,
                i % 2
            )
        } else {
            format!("{t}.000   245 {src} TCP_MISS/200 {} GET https://{host}/v1/items?page={i} - HIER_DIRECT/198.51.100.{} application/json \"-\" \"python-requests/2.31.0\"", 500 + i, i % 7)
        };
        v.extend_from_slice(line.as_bytes());
        v.extend_from_slice(if i % 2 == 0 { b"\r\n" } else { b"\n" });
        match i % 50 {
            7 => v.extend_from_slice(b"\n\r\n"),
            13 => v.extend_from_slice(b"this is not a squid line\n"),
            21 => v.extend_from_slice(b"1760000000.000 1 10.0.0.1 TCP_MISS/200 9 GET http://bad\xff\xfe.example/\x00x - HIER_DIRECT/- -\n"),
            33 => {
                v.extend_from_slice(b"1760000000.000 1 10.0.0.1 TCP_MISS/200 9 GET http://long.example/");
                v.extend(std::iter::repeat_n(b'a', 70 * 1024));
                v.extend_from_slice(b" - HIER_DIRECT/- -\n");
            }
            _ => {}
        }
    }
    v.extend_from_slice(b"1760099999.000 5 10.0.0.1 TCP_MISS/200 1 GET http://last.example/ - HIER_DIRECT/- -");
    v
}

fn squid() -> Box<dyn formats::LineParser> {
    formats::bind(formats::by_name("squid").expect("squid format"), b"").expect("bind")
}

fn fingerprint(agg: seam::aggregate::Aggregate) -> String {
    serde_json::to_string(&agg.canonical()).expect("serialize")
}

#[test]
fn same_results_at_1_2_7_and_64_chunks() {
    let data = awkward_log();
    let parser = squid();
    let ctx = TimeCtx::default();
    let mut seen = None;
    for chunks in [1, 2, 7, 64] {
        let opts = ScanOptions {
            chunks: Some(chunks),
            ..ScanOptions::default()
        };
        let (agg, stats) = scan_whole(&data, parser.as_ref(), &ctx, &opts);
        assert_eq!(
            stats.lines,
            stats.parsed + stats.ignored + stats.skipped,
            "accounting at {chunks} chunks"
        );
        let this = (
            fingerprint(agg),
            stats.lines,
            stats.parsed,
            stats.ignored,
            stats.skipped,
            stats.skip_reasons.clone(),
            stats.samples.clone(),
        );
        if let Some(prev) = &seen {
            assert_eq!(prev, &this, "results differ at {chunks} chunks");
        }
        seen = Some(this);
    }
    let (_, lines, parsed, ignored, skipped, reasons, samples) = seen.expect("ran");
    // 300 records + 1 last line + 6 bad + 6 NUL/UTF-8 + 6 long; 12 empty lines.
    assert_eq!(lines, 301 + 6 * 2 + 6 + 6 + 6);
    assert_eq!(ignored, 12, "empty lines are ignored");
    assert_eq!(skipped, 6, "only the non-squid lines are skipped: {reasons:?}");
    assert_eq!(parsed, lines - 12 - 6);
    assert!(samples.iter().all(|s| s.text.len() <= 4 * 200 + 3), "samples are truncated");
    assert_eq!(
        samples.first().map(|s| s.line),
        Some(17),
        "sample line numbers are file line numbers"
    );
}

fn write_file(dir: &std::path::Path, name: &str, data: &[u8], old: bool) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write");
    if old {
        // Files modified in the last minute are read, not mapped: age it.
        let f = std::fs::File::options().write(true).open(&p).expect("open");
        f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
            .expect("mtime");
    }
    p
}

#[test]
fn mmap_read_gzip_zstd_and_threads_agree() {
    let data = awkward_log();
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = write_file(dir.path(), "access.log", &data, true);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&data).expect("gzip");
    let gz_path = write_file(dir.path(), "access.log.1", &gz.finish().expect("gzip"), true);
    let zst_path = write_file(dir.path(), "archive.bin", &zstd::encode_all(&data[..], 3).expect("zstd"), true);

    let run = |src: &std::path::Path, no_mmap: bool, threads: usize, block: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        let opts = ScanOptions {
            no_mmap,
            chunk_bytes: 4096,
            stream_block: block,
            ..ScanOptions::default()
        };
        let r = pool.install(|| scan(&[Source::File(src.to_path_buf())], &opts));
        let f = r.files.first().expect("one file");
        assert!(f.error.is_none(), "{:?}", f.error);
        (fingerprint(r.agg), f.stats.lines, f.stats.parsed, f.stats.skipped, f.compression)
    };
    let base = run(&plain, false, 1, 1 << 20);
    assert_eq!(base.4, "none");
    for (path, no_mmap, threads, block) in [
        (&plain, true, 2, 1 << 20),
        (&plain, false, 2, 1 << 20),
        (&gz_path, false, 2, 5000),
        (&zst_path, false, 1, 777),
    ] {
        let got = run(path, no_mmap, threads, block);
        assert_eq!(
            (&got.0, got.1, got.2, got.3),
            (&base.0, base.1, base.2, base.3),
            "{} no_mmap={no_mmap} threads={threads}",
            path.display()
        );
    }
    assert_eq!(run(&gz_path, false, 2, 5000).4, "gzip");
    assert_eq!(run(&zst_path, false, 2, 5000).4, "zstd");
}

#[test]
fn formats_are_detected_per_file_and_unknown_files_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let squid = write_file(
        dir.path(),
        "a.log",
        b"1760000000.000 1 10.0.0.1 TCP_MISS/200 9 GET http://a.example/ - HIER_DIRECT/- -\n",
        false,
    );
    let forti = write_file(
        dir.path(),
        "b.log",
        b"date=2026-10-05 time=00:15:02 logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" srcip=10.0.0.2 dstip=198.51.100.1 dstport=443 action=\"accept\"\n",
        false,
    );
    let unknown = write_file(dir.path(), "c.log", b"hello world\nnothing to see\n", false);
    let r = scan(
        &[Source::File(squid), Source::File(forti), Source::File(unknown)],
        &ScanOptions::default(),
    );
    let formats: Vec<Option<&str>> = r.files.iter().map(|f| f.format).collect();
    assert_eq!(formats, vec![Some("squid"), Some("fortigate"), None]);
    assert_eq!(r.errors().count(), 1);
    assert_eq!(r.agg.channels.len(), 2);
}
