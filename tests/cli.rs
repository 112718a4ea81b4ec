//! The command line as users and scripts see it: exit codes, the register
//! contract, determinism, and hostile log content.

use assert_cmd::Command;
use std::path::Path;

const REGISTER_HEADER: &str = "finding_id,status,source,destination,port,service,first_seen,last_seen,connections,runs,bytes_out,bytes_in,schedule,period_seconds,users,user_agents,risk,flags,inventory_id,owner,evidence,change";

fn seam() -> Command {
    Command::cargo_bin("seam").expect("seam binary")
}

fn squid_lines(n: u32, ua: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{}.000 12 10.1.2.3 TCP_MISS/200 512 GET https://api.example.com/v1/sync?access_token=SuperSecret{i} svc_sync HIER_DIRECT/198.51.100.7 application/json \"-\" \"{ua}\"\n",
                1_760_000_000 + i * 900
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn register_has_exactly_the_contract_columns_and_json_the_run_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(
        dir.path(),
        "access.log",
        &(squid_lines(20, "python-requests/2.31.0") + "garbage line\n"),
    );
    let (reg, json) = (dir.path().join("r.csv"), dir.path().join("r.json"));
    seam()
        .args(["scan", "-q"])
        .arg(&log)
        .arg("--register")
        .arg(&reg)
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0);
    let csv = std::fs::read_to_string(&reg).expect("register");
    assert_eq!(csv.lines().next(), Some(REGISTER_HEADER));
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.len(), 22);
    assert_eq!(&row[21], "", "no change marker without --baseline");
    assert_eq!((&row[2], &row[3], &row[4]), ("10.1.2.3", "api.example.com", "443"));
    assert_eq!(&row[8], "20", "connections");
    assert_eq!(&row[6], "2025-10-09T08:53:20Z", "first_seen is RFC 3339 UTC");

    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("valid json");
    let file = &v["run"]["files"][0];
    for key in ["path", "format", "lines", "parsed", "ignored", "skipped", "skip_reasons", "samples"] {
        assert!(file.get(key).is_some(), "run.files[0].{key} missing: {file}");
    }
    assert_eq!(file["lines"], 21);
    assert_eq!(file["skipped"], 1);
    assert_eq!(v["findings"][0]["source"], serde_json::json!(["10.1.2.3"]), "lists are JSON arrays");
    assert_eq!(v["findings"][0]["destination"], "api.example.com");
}

#[test]
fn same_input_and_options_give_the_same_bytes_at_any_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = squid_lines(200, "curl/8.5.0");
    text.push_str(
        &squid_lines(50, "Go-http-client/1.1")
            .replace("api.example.com", "files.example.net")
            .replace("10.1.2.3", "10.9.9.9"),
    );
    let log = write(dir.path(), "access.log", &text);
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let (reg, json) = (
            dir.path().join(format!("r{threads}.csv")),
            dir.path().join(format!("r{threads}.json")),
        );
        seam()
            .args(["scan", "-q", "--threads", threads, "--chunk-size", "1000"])
            .arg(&log)
            .arg("--register")
            .arg(&reg)
            .arg("--json")
            .arg(&json)
            .assert()
            .code(0);
        outputs.push((std::fs::read(&reg).expect("reg"), std::fs::read(&json).expect("json")));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]), "output differs between thread counts");
}

#[test]
fn reads_stdin() {
    let out = seam()
        .args(["scan", "-", "--top", "5"])
        .write_stdin(squid_lines(5, "curl/8"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("utf8");
    assert!(out.contains("lines: 5 = 5 parsed"), "{out}");
    assert!(out.contains("api.example.com"), "{out}");
}

#[test]
fn input_errors_exit_2_naming_the_file_but_bad_lines_do_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.log");
    let a = seam().arg("scan").arg(&missing).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("nope.log"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line per error: {err}");

    let unknown = write(dir.path(), "notes.txt", "dear diary\n");
    let a = seam().arg("scan").arg(&unknown).assert().code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("notes.txt"));

    seam().args(["scan", "--format", "nosuchformat"]).arg(&unknown).assert().code(2);
    seam().args(["scan", "--internal", "10.0.0.0/99"]).arg(&unknown).assert().code(2);
    seam().args(["scan", "--tz", "Mars/Olympus"]).arg(&unknown).assert().code(2);
    seam().arg("scan").assert().code(2);

    let bad_lines = write(dir.path(), "access.log", &(squid_lines(3, "curl/8") + "\u{0}\u{1}garbage\n"));
    seam().arg("scan").arg(&bad_lines).assert().code(0);
}

#[test]
fn folders_are_recursed_in_order_skipping_hidden_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("b/c")).expect("mkdir");
    write(dir.path(), "b/c/2.log", &squid_lines(2, "curl/8"));
    write(dir.path(), "a.log", &squid_lines(2, "curl/8"));
    write(dir.path(), ".hidden.log", "not a log\n");
    let json = dir.path().join("out.json");
    seam()
        .args(["scan", "-q"])
        .arg(dir.path())
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).expect("json")).expect("json");
    let paths: Vec<String> = v["run"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].ends_with("a.log") && paths[1].ends_with("2.log"), "{paths:?}");
}

#[test]
fn hostile_content_is_neutralised_and_secrets_never_leave() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ua = "=HYPERLINK(\\\"http://evil.example\\\")\u{1b}[31m";
    let log = write(
        dir.path(),
        "access.log",
        &(squid_lines(6, ua) + "1760000000.000 1 10.1.2.3 TCP_MISS/200 1 GET http://x.example/?token=LeakMe\u{1b}]0;pwn\u{7} broken\n"),
    );
    let (reg, json) = (dir.path().join("r.csv"), dir.path().join("r.json"));
    let a = seam()
        .args(["scan", "--top", "50"])
        .arg(&log)
        .arg("--register")
        .arg(&reg)
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let csv = std::fs::read_to_string(&reg).expect("reg");
    let json = std::fs::read_to_string(&json).expect("json");
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr), ("register", &csv), ("json", &json)] {
        assert!(!text.contains("SuperSecret"), "secret leaked in {name}");
        assert!(!text.contains("LeakMe"), "secret leaked in {name}");
        assert!(!text.contains('\u{1b}'), "raw escape sequence in {name}");
    }
    assert!(csv.contains(",'=HYPERLINK("), "user agent cell neutralised: {csv}");
    assert!(!csv.contains(",=HYPERLINK("));
}

#[test]
fn formats_lists_every_format_with_fields() {
    let out = seam().arg("formats").assert().code(0).get_output().stdout.clone();
    let out = String::from_utf8(out).expect("utf8");
    for f in seam::formats::FORMATS {
        assert!(out.contains(f.name()), "{} missing", f.name());
    }
    assert!(out.contains("fields: time, src_ip"));
}

/// The progress bar shows on a terminal (a pseudo-terminal from util-linux
/// `script`), counting compressed bytes for .gz input, and never with
/// --quiet or when standard error is not a terminal.
#[test]
fn progress_bar_only_on_a_terminal_and_not_with_quiet() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: progress_bar_only_on_a_terminal_and_not_with_quiet needs util-linux `script`");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(dir.path(), "access.log", &squid_lines(20_000, "curl/8.5.0"));
    let gz = dir.path().join("access.log.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &std::fs::read(&log).expect("read")).expect("gzip");
    std::fs::write(&gz, enc.finish().expect("gzip")).expect("write");
    let gz_size = std::fs::metadata(&gz).expect("size").len();
    let bin = assert_cmd::cargo::cargo_bin("seam");
    let on_tty = |extra: &str, input: &Path| {
        let cmd = format!("{} scan {} --top 1 {extra}", bin.display(), input.display());
        let out = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .output()
            .expect("script");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(on_tty("", &log).contains("eta"), "no progress bar on a terminal");
    assert!(!on_tty("--quiet", &log).contains("eta"), "progress bar despite --quiet");
    // For compressed input the bar counts the file's (compressed) bytes.
    let shown = on_tty("", &gz);
    let total = format!("/{:.2} KiB", gz_size as f64 / 1024.0);
    assert!(shown.contains(&total), "expected a total of {total} in {shown:?}");
    let bytes = |n: &str, unit: &str| {
        n.parse::<f64>().unwrap_or(0.0)
            * match unit {
                "KiB" => 1024.0,
                "MiB" => 1024.0 * 1024.0,
                _ => 1.0,
            }
    };
    let frames = regex::Regex::new(r"([0-9.]+) (B|KiB|MiB)/([0-9.]+) (B|KiB|MiB)").expect("regex");
    for c in frames.captures_iter(&shown) {
        let (pos, tot) = (bytes(&c[1], &c[2]), bytes(&c[3], &c[4]));
        assert!(pos <= tot, "position past the total (decompressed bytes counted?): {}", &c[0]);
    }
    let piped = seam().arg("scan").arg(&log).output().expect("run");
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("eta"), "progress bar on a pipe");
}
