//! `--format custom --map FILE` end to end, with the example maps and logs
//! in testdata/custom/ (an EdgeGate CSV export with a header, quoted values
//! and a quoted newline; a cloud proxy's pretty-printed JSON array).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn seam() -> Command {
    Command::cargo_bin("seam").expect("seam binary")
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/custom").join(name)
}

/// Runs a scan and returns the JSON report.
fn scan_json(args: &[&str], log: &Path) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("r.json");
    seam()
        .args(["scan", "-q"])
        .args(args)
        .arg(log)
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0);
    serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("valid json")
}

fn finding<'a>(v: &'a serde_json::Value, destination: &str) -> &'a serde_json::Value {
    v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["destination"] == destination))
        .unwrap_or_else(|| panic!("no finding for {destination}: {v}"))
}

#[test]
fn csv_map_with_header_quotes_and_a_quoted_newline() {
    let map = testdata("edge.toml");
    let v = scan_json(
        &["--format", "custom", "--map", map.to_str().expect("utf-8 path")],
        &testdata("edge.log"),
    );
    let file = &v["run"]["files"][0];
    assert_eq!(file["format"], "custom");
    // 8 records: the comment and the header are ignored, the line with a
    // bad client address is skipped, the quoted newline joins two lines.
    assert_eq!((file["lines"].as_u64(), file["parsed"].as_u64()), (Some(8), Some(5)));
    assert_eq!((file["ignored"].as_u64(), file["skipped"].as_u64()), (Some(2), Some(1)));
    let backup = finding(&v, "api.example.com");
    assert_eq!(backup["source"], serde_json::json!(["10.1.2.3"]));
    assert_eq!(backup["connections"], 4);
    assert_eq!(backup["bytes_out"], 1200 + 1180 + 1210 + 1190);
    assert_eq!(backup["users"], serde_json::json!(["svc_backup"]));
    assert_eq!(backup["user_agents"], serde_json::json!(["BackupAgent/3.1 (linux; x64)"]));
    assert_eq!(backup["period_seconds"], 3600);
    // The one denied SSH attempt is a record of its own channel (a single
    // connection is not reported as an integration).
    assert_eq!(
        (v["run"]["traffic"]["outbound"].as_u64(), v["run"]["channels"].as_u64()),
        (Some(5), Some(2))
    );
}

#[test]
fn json_map_reads_a_pretty_printed_array_and_implies_format_custom() {
    let map = testdata("proxy.toml");
    let v = scan_json(&["--map", map.to_str().expect("utf-8 path")], &testdata("proxy.json"));
    assert_eq!(v["run"]["files"][0]["parsed"], 6);
    let f = finding(&v, "reports.example.net");
    assert_eq!((f["port"].as_u64(), f["connections"].as_u64()), (Some(443), Some(6)));
    assert_eq!(f["bytes_in"], 310 + 311 + 312 + 313 + 314 + 315);
    assert_eq!(f["users"], serde_json::json!(["svc_reports@example.com"]));
    assert_eq!(f["user_agents"], serde_json::json!(["ReportUploader/1.4"]));
    assert_eq!(f["period_seconds"], 3600);
}

#[test]
fn bad_maps_are_usage_errors_naming_file_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "kind = \"delimited\"\ndelimiter = \",\"\ntime_format = \"%Y-%m-%d %Q\"\n[fields]\ntime = 0\nsrc_ip = 1\ndst_ip = 2\n",
    )
    .expect("write");
    let out = seam()
        .args(["scan", "--format", "custom", "--map"])
        .arg(&bad)
        .arg(testdata("edge.log"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("bad.toml") && err.contains("`time_format`") && err.contains("%Q"),
        "{err}"
    );

    let unknown_key = dir.path().join("typo.toml");
    std::fs::write(
        &unknown_key,
        "kind = \"kv\"\ntime_format = \"epoch\"\n[fields]\ntime = \"t\"\nsrc_ip = \"s\"\ndest_ip = \"d\"\n",
    )
    .expect("write");
    let out = seam()
        .args(["scan", "--map"])
        .arg(&unknown_key)
        .arg(testdata("edge.log"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("typo.toml") && err.contains("dest_ip"), "{err}");

    let out = seam()
        .args(["scan", "--format", "custom"])
        .arg(testdata("edge.log"))
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--map"));
    seam()
        .args(["scan", "--format", "squid", "--map"])
        .arg(testdata("edge.toml"))
        .arg(testdata("edge.log"))
        .assert()
        .code(2);
    seam()
        .args(["scan", "--map"])
        .arg(dir.path().join("missing.toml"))
        .arg(testdata("edge.log"))
        .assert()
        .code(2);
}

#[test]
fn a_header_that_lacks_a_mapped_column_fails_that_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("other.csv");
    std::fs::write(&log, "time,src,dst\n2026-10-05 00:15:02,10.0.0.1,203.0.113.1\n").expect("write");
    let out = seam().args(["scan", "--map"]).arg(testdata("edge.toml")).arg(&log).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("\"timestamp\""), "{err}");
}
