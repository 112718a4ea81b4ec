//! Reconciliation with the inventory, end to end (the `seam` binary on the
//! hand-written logs in testdata/reconcile/) and through the library (small
//! synthetic aggregates for the matching edge cases).

use assert_cmd::Command;
use seam::aggregate::Aggregate;
use seam::config::Networks;
use seam::findings::{self, BuildOptions, Change, Finding, Status};
use seam::inventory::Inventory;
use seam::reconcile::{self, Leavers, Options};
use seam::record::Record;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DATA: &str = "testdata/reconcile";
const SECRETS: &[&str] = &[
    "SECRETKEY123",
    "Hunter2Pass",
    "SKIPPEDSECRET",
    "eyJzdWIiOiJzZWFtLXRlc3QifQ",
    "c2lnbmF0dXJlLXNlY3JldA",
];

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DATA).join(p)
}

/// What one run of `seam scan` produced.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    register: String,
    json: String,
}

impl Out {
    fn rows(&self) -> Vec<BTreeMap<String, String>> {
        let mut r = csv::Reader::from_reader(self.register.as_bytes());
        let headers = r.headers().unwrap().clone();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                headers
                    .iter()
                    .zip(rec.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    }

    fn row(&self, destination: &str) -> BTreeMap<String, String> {
        let rows = self.rows();
        let found: Vec<_> = rows.into_iter().filter(|r| r["destination"] == destination).collect();
        assert_eq!(found.len(), 1, "one register row for {destination}:\n{}", self.register);
        found.into_iter().next().unwrap()
    }

    fn doc(&self) -> Value {
        serde_json::from_str(&self.json).unwrap()
    }

    fn everything(&self) -> String {
        format!("{}\n{}\n{}\n{}", self.stdout, self.stderr, self.register, self.json)
    }
}

fn scan(dir: &Path, inputs: &[PathBuf], extra: &[&str]) -> Out {
    let reg = dir.join("register.csv");
    let json = dir.join("report.json");
    let _ = std::fs::remove_file(&reg);
    let _ = std::fs::remove_file(&json);
    let out = Command::cargo_bin("seam")
        .unwrap()
        .arg("scan")
        .args(inputs)
        .arg("--register")
        .arg(&reg)
        .arg("--json")
        .arg(&json)
        .args(extra)
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        register: std::fs::read_to_string(&reg).unwrap_or_default(),
        json: std::fs::read_to_string(&json).unwrap_or_default(),
    }
}

fn full(dir: &Path, extra: &[&str]) -> Out {
    let inv = data("inventory.csv");
    let leavers = data("leavers.txt");
    let mut args = vec!["--inventory", inv.to_str().unwrap(), "--leavers", leavers.to_str().unwrap()];
    args.extend_from_slice(extra);
    scan(dir, &[data("logs")], &args)
}

fn flags(row: &BTreeMap<String, String>) -> Vec<&str> {
    row["flags"].split(';').filter(|s| !s.is_empty()).collect()
}

#[test]
fn every_status_and_flag_from_the_test_inventory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = full(tmp.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let expect: &[(&str, &str, &str, &[&str])] = &[
        ("api.crm.example.com", "documented", "INV-001", &[]),
        (
            "files.eu.storage.example.net",
            "documented",
            "INV-002",
            &["no_owner", "review_overdue"],
        ),
        ("telemetry.example.org", "undocumented", "", &["credential_in_url", "cleartext"]),
        ("ftp.example.net", "undocumented", "", &["credential_in_url", "cleartext"]),
        ("api.oldvendor.example.com", "orphaned", "INV-004", &[]),
        ("api.partner.example.com", "orphaned", "INV-005", &[]),
        ("api.payroll.example.com", "documented", "INV-008", &["departed_account"]),
        (
            "203.0.113.50",
            "documented",
            "INV-009",
            &["direct_ip", "unexpected_source", "unexpected_port"],
        ),
        ("backup.example.net", "documented", "INV-010", &["schedule_drift"]),
        ("reports.partner2.example.com", "documented", "INV-011", &["schedule_drift"]),
        ("sync.vendor.example.com", "documented", "INV-014", &[]),
        ("reports.example.com", "stale", "INV-006", &[]),
        ("collector.example.org", "undocumented", "", &[]),
    ];
    for (dest, status, inv, want_flags) in expect {
        let row = out.row(dest);
        assert_eq!(&row["status"], status, "{dest}: {row:?}");
        assert_eq!(&row["inventory_id"], inv, "{dest}");
        let mut got = flags(&row);
        got.sort_unstable();
        let mut want = want_flags.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{dest}: {}", row["evidence"]);
    }
    // Owner comes from the inventory on documented rows.
    assert_eq!(out.row("api.crm.example.com")["owner"], "Alice Martin");
    // Stale: source, destination and port from the row, no traffic.
    let stale = out.row("reports.example.com");
    assert_eq!(
        (stale["source"].as_str(), stale["port"].as_str(), stale["connections"].as_str()),
        ("10.1.0.90", "443", "0")
    );
    // Rows without traffic that cannot be judged are in the summary, not the register.
    assert!(!out.register.contains("archive.example.com") && !out.register.contains("INV-007"));
    assert!(
        out.stdout.contains("window too short to tell") && out.stdout.contains("INV-007 ('weekly', needs 14d)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("stale: 1 active row(s) without traffic in the window: INV-006"));
    assert!(out.stdout.contains("run on demand: INV-012"));
    // A retired row without traffic is as it should be: not reported.
    assert!(!out.register.contains("INV-013"));
    let doc = out.doc();
    let r = &doc["run"]["reconcile"];
    assert_eq!(r["stale"], serde_json::json!(["INV-006"]));
    assert_eq!(r["too_short"][0]["inventory_id"], "INV-007");
    assert_eq!(r["reference_date"], "2026-03-03");
    assert_eq!(r["rows_with_traffic"], 9);
}

#[test]
fn risk_contributions_are_named_and_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let out = full(tmp.path(), &[]);
    for row in out.rows() {
        let ev = &row["evidence"];
        let risk: i64 = row["risk"].parse().unwrap();
        assert!((0..=100).contains(&risk));
        match row["status"].as_str() {
            "undocumented" => assert!(ev.contains("risk +20: undocumented"), "{ev}"),
            "orphaned" => assert!(ev.contains("risk +30: orphaned"), "{ev}"),
            "documented" => assert!(ev.contains("risk -10: documented"), "{ev}"),
            "stale" => assert!(ev.contains("risk +10: stale"), "{ev}"),
            s => panic!("unexpected status {s}"),
        }
        for flag in flags(&row) {
            if [
                "departed_account",
                "no_owner",
                "review_overdue",
                "schedule_drift",
                "unexpected_source",
                "unexpected_port",
            ]
            .contains(&flag)
            {
                assert!(ev.contains(&format!(": {flag}")), "{flag} without a risk line: {ev}");
            }
        }
    }
    let payroll = out.row("api.payroll.example.com");
    assert!(payroll["evidence"].contains("risk +30: departed_account"));
}

#[test]
fn orphaned_evidence_names_first_and_last_flow_after_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    let out = full(tmp.path(), &[]);
    // Active row, end_date 2026-03-01: flows on that day still count, from 2026-03-02 they do not.
    let partner = out.row("api.partner.example.com");
    assert!(
        partner["evidence"].contains("first flow after the end 2026-03-02T00:01:00Z, last 2026-03-03T23:31:00Z"),
        "{}",
        partner["evidence"]
    );
    // Decommissioned row: every flow is after the end.
    let old = out.row("api.oldvendor.example.com");
    assert!(
        old["evidence"].contains("first flow after the end 2026-03-01T00:15:00Z, last 2026-03-03T23:15:00Z"),
        "{}",
        old["evidence"]
    );
    // With --tz +02:00 the end of 2026-03-01 comes two hours earlier.
    let out = full(tmp.path(), &["--tz", "+02:00"]);
    let partner = out.row("api.partner.example.com");
    assert!(
        partner["evidence"].contains("first flow after the end 2026-03-01T22:01:00Z"),
        "{}",
        partner["evidence"]
    );
}

#[test]
fn secrets_in_urls_appear_in_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let base = full(tmp.path(), &[]);
    std::fs::write(tmp.path().join("prev.json"), &base.json).unwrap();
    let prev = tmp.path().join("prev.json");
    for extra in [vec![], vec!["--pseudonymize", "k"], vec!["--baseline", prev.to_str().unwrap()]] {
        let out = full(tmp.path(), &extra);
        assert!(!out.register.is_empty() && !out.json.is_empty() && !out.stdout.is_empty());
        let all = out.everything();
        for s in SECRETS {
            assert!(!all.contains(s), "{s} leaked with {extra:?}");
        }
    }
    // The credential is still reported, by parameter name.
    let t = base.row("telemetry.example.org");
    assert!(
        t["evidence"].contains("parameter(s) api_key,jwt (values redacted)"),
        "{}",
        t["evidence"]
    );
    assert!(base.stdout.contains("token=REDACTED"), "the skipped-line sample is shown redacted");
    // An inventory cell with a secret, quoted in an error message.
    let inv = tmp.path().join("bad.csv");
    std::fs::write(
        &inv,
        "id,name,source,destination,ports,data,frequency,auth,credential_store,owner,last_reviewed,status\nA,n,10.0.0.1,https://svc:Hunter2Pass@api.example.com/?api_key=SECRETKEY123,443,d,hourly,a,c,o,,active\n",
    )
    .unwrap();
    let out = scan(tmp.path(), &[data("logs")], &["--inventory", inv.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("line 2, column D (destination)"), "{}", out.stderr);
    for s in SECRETS {
        assert!(!out.everything().contains(s), "{s} leaked in {}", out.stderr);
    }
}

fn dangerous(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn csv_injection_is_neutralised_in_every_cell_and_list_item() {
    let tmp = tempfile::tempdir().unwrap();
    let out = full(tmp.path(), &[]);
    let mut r = csv::Reader::from_reader(out.register.as_bytes());
    for rec in r.records() {
        for cell in rec.unwrap().iter() {
            assert!(!dangerous(cell), "formula cell {cell:?}");
            for item in cell.split(';') {
                assert!(!dangerous(item.trim_start()), "formula list item {item:?} in {cell:?}");
            }
        }
    }
    let c = out.row("collector.example.org");
    assert_eq!(c["users"], "'=HYPERLINK(\"http://evil.example/x\")");
    assert!(c["user_agents"].starts_with("'=HYPERLINK("), "{}", c["user_agents"]);
    // From log data: the destination host; from the inventory: the owner.
    let rows = out.rows();
    assert!(rows.iter().any(|r| r["destination"] == "'+cmd.example.org"), "{}", out.register);
    assert_eq!(out.row("203.0.113.50")["owner"], "'@network-team");
    // The JSON keeps values as they are (it is not a spreadsheet).
    let doc = out.doc();
    let users: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["users"].as_array().unwrap().iter().filter_map(|u| u.as_str()))
        .collect();
    assert!(users.contains(&"=HYPERLINK(\"http://evil.example/x\")"));
}

const HEADER: &str = "id,name,source,destination,ports,data,frequency,auth,credential_store,owner,last_reviewed,status,end_date\n";

#[test]
fn inventory_parse_errors_exit_2_with_line_column_and_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "A,n,10.0.0.1,api.example.com,443,d,hourly,a,c,o,2026-01-01,active,\nB,n,10.0.0.1,api.*.example.com,443,d,hourly,a,c,o,2026-01-01,active,\n",
            "line 3, column D (destination): 'api.*.example.com': a wildcard is only allowed as a leading '*.'",
        ),
        ("A,n,10.0.0.1,api.example.com,https,d,hourly,a,c,o,,active,\n", "line 2, column E (ports): 'https' is not a port"),
        ("A,n,10.0.0.300,api.example.com,443,d,hourly,a,c,o,,active,\n", "line 2, column C (source): '10.0.0.300' is not a valid IP address"),
        ("A,n,10.0.0.1,api.example.com,443,d,every blue moon,a,c,o,,active,\n", "line 2, column G (frequency): 'every blue moon' is not a frequency"),
        ("A,n,10.0.0.1,api.example.com,443,d,hourly,a,c,o,31/12/2025,active,\n", "line 2, column K (last_reviewed): '31/12/2025' is not an ISO date"),
        ("A,n,10.0.0.1,api.example.com,443,d,hourly,a,c,o,,paused,\n", "line 2, column L (status): 'paused' is not a status"),
        ("A,n,10.0.0.1,api.example.com,443,d,hourly,a,c,o,,active,soon\n", "line 2, column M (end_date): 'soon' is not an ISO date"),
        ("A,n,10.0.0.1,api.example.com,443,d,hourly,a,c,o,,active,\nA,n,10.0.0.1,x.example.com,443,d,hourly,a,c,o,,active,\n", "line 3, column A (id): duplicate id 'A' (first on line 2)"),
    ];
    for (rows, want) in cases {
        let inv = tmp.path().join("inv.csv");
        std::fs::write(&inv, format!("{HEADER}{rows}")).unwrap();
        let out = scan(tmp.path(), &[data("logs")], &["--inventory", inv.to_str().unwrap()]);
        assert_eq!(out.code, 2, "{want}");
        assert!(out.stderr.contains(want), "want {want:?} in {}", out.stderr);
        assert!(
            out.register.is_empty() && out.stdout.is_empty(),
            "a bad inventory stops the run before any report"
        );
    }
    // A missing column.
    let inv = tmp.path().join("inv.csv");
    std::fs::write(
        &inv,
        "id,name,source,destination,ports,data,frequency,auth,credential_store,last_reviewed,status\n",
    )
    .unwrap();
    let out = scan(tmp.path(), &[data("logs")], &["--inventory", inv.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("line 1: missing required column 'owner'"), "{}", out.stderr);
    // Every problem is listed, not only the first.
    std::fs::write(
        &inv,
        format!("{HEADER}A,n,x,y,0,d,hourly,a,c,o,,active,\nB,n,x,y,1,d,hourly,a,c,o,,zzz,\n"),
    )
    .unwrap();
    let out = scan(tmp.path(), &[data("logs")], &["--inventory", inv.to_str().unwrap()]);
    assert!(
        out.stderr.contains("has 2 problem(s)") && out.stderr.contains("line 2, column E") && out.stderr.contains("line 3, column L"),
        "{}",
        out.stderr
    );
    // A file that does not exist.
    let out = scan(tmp.path(), &[data("logs")], &["--inventory", "/nonexistent/inventory.csv"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read inventory"));
}

#[test]
fn baseline_marks_new_unchanged_changed_and_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let inv = data("inventory.csv");
    let leavers = data("leavers.txt");
    let prev = tmp.path().join("prev.json");
    // Night 1: squid and FortiGate logs, no leavers list yet.
    let night1 = scan(
        tmp.path(),
        &[data("logs/proxy-squid.log"), data("logs/fortigate.log")],
        &["--inventory", inv.to_str().unwrap()],
    );
    assert_eq!(night1.code, 0, "{}", night1.stderr);
    std::fs::write(&prev, &night1.json).unwrap();
    // Night 2: the FortiGate export is missing, the combined log arrived, leavers are checked.
    let args = [
        "--inventory",
        inv.to_str().unwrap(),
        "--leavers",
        leavers.to_str().unwrap(),
        "--baseline",
        prev.to_str().unwrap(),
    ];
    let night2 = scan(tmp.path(), &[data("logs/proxy-squid.log"), data("logs/combined.log")], &args);
    assert_eq!(night2.code, 0, "{}", night2.stderr);
    let change = |d: &str| night2.row(d)["change"].clone();
    assert_eq!(change("api.crm.example.com"), "unchanged");
    assert_eq!(change("reports.example.com"), "unchanged", "stale both nights");
    assert_eq!(change("api.payroll.example.com"), "changed");
    assert!(night2.row("api.payroll.example.com")["evidence"].contains("changed since baseline: flags +departed_account"));
    assert_eq!(change("collector.example.org"), "new");
    assert_eq!(change("'+cmd.example.org"), "new");
    // Gone: still in the register and the JSON, marked, with the previous data.
    let gone = night2.row("203.0.113.50");
    assert_eq!((gone["change"].as_str(), gone["status"].as_str()), ("gone", "documented"));
    // The FortiGate rows' integrations now have no traffic. INV-009's stale row is new (its
    // traffic went to another port); INV-014's has the same destination and port as the
    // documented finding of night 1, so that finding changed.
    let inv9 = night2.row("203.0.113.0/24");
    assert_eq!((inv9["status"].as_str(), inv9["change"].as_str()), ("stale", "new"));
    let sync = night2.row("sync.vendor.example.com");
    assert_eq!((sync["status"].as_str(), sync["change"].as_str()), ("stale", "changed"));
    assert!(sync["evidence"].contains("status documented → stale"), "{}", sync["evidence"]);
    let b = &night2.doc()["run"]["baseline"];
    assert_eq!(
        (b["new"].as_u64(), b["changed"].as_u64(), b["gone"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert!(night2.stdout.contains("baseline "), "{}", night2.stdout);
    assert!(
        night2.stdout.contains(": 3 new, 2 changed, 9 unchanged, 1 gone"),
        "{}",
        night2.stdout
    );
    // Gone findings are not counted as current findings.
    assert!(!night2.stdout.contains("203.0.113.50"));

    // --fail-on with the baseline.
    let gate = |extra: &[&str]| {
        let mut a = args.to_vec();
        a.extend_from_slice(extra);
        scan(tmp.path(), &[data("logs/proxy-squid.log"), data("logs/combined.log")], &a)
    };
    let o = gate(&["--fail-on", "new"]);
    assert_eq!(o.code, 3);
    assert!(o.stderr.contains("--fail-on new: 3 finding(s) match"), "{}", o.stderr);
    assert_eq!(gate(&["--fail-on", "new,undocumented"]).code, 3);
    assert_eq!(
        gate(&["--fail-on", "new", "--fail-on", "orphaned"]).code,
        0,
        "no new orphaned finding"
    );
    assert_eq!(gate(&["--fail-on", "changed,documented"]).code, 3);
    // Against itself, nothing is new.
    std::fs::write(&prev, &night2.json).unwrap();
    let again = gate(&["--fail-on", "new"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains(": 0 new, 0 changed, 14 unchanged, 0 gone"),
        "{}",
        again.stdout
    );
}

#[test]
fn fail_on_exit_codes_and_precedence() {
    let tmp = tempfile::tempdir().unwrap();
    let o = full(tmp.path(), &["--fail-on", "undocumented"]);
    assert_eq!(o.code, 3);
    assert!(!o.register.is_empty(), "reports are written before exiting 3");
    assert_eq!(full(tmp.path(), &["--fail-on", "orphaned"]).code, 3);
    assert_eq!(full(tmp.path(), &["--fail-on", "background"]).code, 0);
    let o = full(tmp.path(), &["--fail-on", "new"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("needs --baseline"), "{}", o.stderr);
    let o = full(tmp.path(), &["--fail-on", "undocumented,sometimes"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown value 'sometimes'"));
    // An input error (an unrecognised file) wins over --fail-on.
    let junk = tmp.path().join("junk.log");
    std::fs::write(&junk, "this is not a log\nnor is this\n").unwrap();
    let inv = data("inventory.csv");
    let o = scan(
        tmp.path(),
        &[data("logs"), junk],
        &["--inventory", inv.to_str().unwrap(), "--fail-on", "undocumented"],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("--fail-on undocumented"),
        "the gate is still reported: {}",
        o.stderr
    );
}

#[test]
fn pseudonymize_replaces_user_names_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let out = full(tmp.path(), &["--pseudonymize", "correct horse"]);
    assert_eq!(out.code, 0);
    let all = out.everything();
    for user in ["svc_crm", "svc_files", "jdoe", "svc_backup", "HYPERLINK(\"http://evil.example/x\")"] {
        assert!(!all.contains(user), "{user} visible");
    }
    let payroll = out.row("api.payroll.example.com");
    assert!(
        payroll["users"].starts_with("u-") && payroll["users"].len() == 14,
        "{}",
        payroll["users"]
    );
    assert_eq!(
        flags(&payroll),
        vec!["departed_account"],
        "leavers are matched before pseudonymizing"
    );
    assert!(payroll["evidence"].contains(&format!("departed account: {} (on the leavers list)", payroll["users"])));
    assert!(!out.json.contains("correct horse"), "the key is never recorded");
    assert_eq!(out.doc()["run"]["options"]["pseudonymized"], true);
    assert!(out.stdout.contains("(text withheld: --pseudonymize)"));
    // Same key, same pseudonym; another key, another.
    let again = full(tmp.path(), &["--pseudonymize", "correct horse"]);
    assert_eq!(again.row("api.payroll.example.com")["users"], payroll["users"]);
    let key_file = tmp.path().join("key");
    std::fs::write(&key_file, "correct horse\n").unwrap();
    let from_file = full(tmp.path(), &["--pseudonymize", &format!("@{}", key_file.display())]);
    assert_eq!(from_file.row("api.payroll.example.com")["users"], payroll["users"]);
    let other = full(tmp.path(), &["--pseudonymize", "battery staple"]);
    assert_ne!(other.row("api.payroll.example.com")["users"], payroll["users"]);
}

#[test]
fn review_max_age_is_counted_from_the_end_of_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    // Reviewed 2024-06-30, window ends 2026-03-03: 611 days.
    let out = full(tmp.path(), &["--review-max-age", "611"]);
    assert!(!flags(&out.row("files.eu.storage.example.net")).contains(&"review_overdue"));
    let out = full(tmp.path(), &["--review-max-age", "610"]);
    let row = out.row("files.eu.storage.example.net");
    assert!(flags(&row).contains(&"review_overdue"));
    assert!(
        row["evidence"].contains("last reviewed 2024-06-30, 611 days before 2026-03-03 (limit 610)"),
        "{}",
        row["evidence"]
    );
}

#[test]
fn same_input_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let x = full(a.path(), &["--threads", "1"]);
    let y = full(b.path(), &["--threads", "2", "--chunk-size", "4096"]);
    assert_eq!(x.register, y.register);
}

// ---- library-level matching edge cases ----

/// One request every 15 minutes for 6 hours, from `src` to `host` (or an IP).
fn channel(agg: &mut Aggregate, src: &str, host: Option<&str>, ip: Option<&str>, port: Option<u16>, user: Option<&str>) {
    for i in 0..24 {
        let r = Record {
            time_ms: 1_772_323_200_000 + i * 900_000,
            src_ip: src.parse().ok(),
            dst_host: host.map(|h| Cow::Owned(h.to_string())),
            dst_ip: ip.and_then(|i| i.parse().ok()),
            dst_port: port,
            bytes_out: Some(100),
            user: user.map(|u| Cow::Owned(u.to_string())),
            user_agent: Some(Cow::Borrowed("python-requests/2.31.0")),
            ..Record::default()
        };
        agg.fold(&r, &Networks::default());
    }
}

fn reconciled(agg: Aggregate, rows: &str, leavers: Option<&str>) -> (Vec<Finding>, reconcile::Summary) {
    let agg = agg.canonical();
    let inv = Inventory::parse(format!("{HEADER}{rows}").as_bytes()).unwrap();
    let leavers = leavers.map(Leavers::parse);
    let mut f = findings::build(&agg, &BuildOptions::default());
    let s = reconcile::reconcile(
        &mut f,
        &agg,
        &Options {
            inventory: Some(&inv),
            leavers: leavers.as_ref(),
            ..Options::default()
        },
    );
    (f, s)
}

fn by_dest<'a>(f: &'a [Finding], d: &str) -> &'a Finding {
    f.iter()
        .find(|x| x.destination == d)
        .unwrap_or_else(|| panic!("no finding for {d}: {f:#?}"))
}

#[test]
fn wildcard_covers_subdomains_not_the_bare_domain() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("example.com"), None, Some(443), None);
    channel(&mut agg, "10.0.0.1", Some("a.b.example.com"), None, Some(443), None);
    channel(&mut agg, "10.0.0.1", Some("notexample.com"), None, Some(443), None);
    let (f, _) = reconciled(agg, "W,n,,*.example.com,443,d,every 15 minutes,a,c,o,,active,\n", None);
    assert_eq!(by_dest(&f, "a.b.example.com").status, Status::Documented);
    assert_eq!(by_dest(&f, "example.com").status, Status::Undocumented);
    assert_eq!(by_dest(&f, "notexample.com").status, Status::Undocumented);
}

#[test]
fn the_bare_domain_matches_when_listed_itself() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("example.com"), None, Some(443), None);
    let (f, _) = reconciled(agg, "W,n,,*.example.com;example.com,443,d,every 15 minutes,a,c,o,,active,\n", None);
    assert_eq!(f[0].status, Status::Documented);
}

#[test]
fn cidr_destination_matches_the_ip_a_host_resolved_to() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("api.example.com"), Some("203.0.113.9"), Some(443), None);
    channel(&mut agg, "10.0.0.1", None, Some("198.51.100.9"), Some(443), None);
    let (f, _) = reconciled(
        agg,
        "N,n,,203.0.113.0/24,443,d,every 15 minutes,a,c,o,,active,\nM,n,,198.51.100.9,443,d,every 15 minutes,a,c,o,,active,\n",
        None,
    );
    assert_eq!(
        (
            by_dest(&f, "api.example.com").status,
            by_dest(&f, "api.example.com").inventory_id.as_str()
        ),
        (Status::Documented, "N")
    );
    let ip = by_dest(&f, "198.51.100.9");
    assert_eq!((ip.status, ip.inventory_id.as_str()), (Status::Documented, "M"));
    assert!(ip.flags.contains(&"direct_ip".to_string()));
}

#[test]
fn ports_ranges_and_unknown_ports() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("a.example.com"), None, Some(8050), None);
    channel(&mut agg, "10.0.0.1", Some("b.example.com"), None, Some(8101), None);
    channel(&mut agg, "10.0.0.1", Some("c.example.com"), None, None, None);
    let rows = "R,n,,a.example.com;b.example.com;c.example.com,8000-8100,d,every 15 minutes,a,c,o,2026-01-01,active,\n";
    let (f, _) = reconciled(agg, rows, None);
    assert!(by_dest(&f, "a.example.com").flags.is_empty());
    let b = by_dest(&f, "b.example.com");
    assert_eq!(b.status, Status::Documented);
    assert_eq!(b.flags, vec!["unexpected_port".to_string()]);
    assert!(b
        .evidence
        .iter()
        .any(|e| e == "unexpected port: 8101 (the inventory allows 8000-8100)"));
    assert!(by_dest(&f, "c.example.com").flags.is_empty(), "an unknown port is no mismatch");
}

#[test]
fn the_best_fitting_row_wins() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.7", Some("api.example.com"), None, Some(443), None);
    // A wildcard row for the right source beats an exact row for another source,
    // and an active row beats an equally good decommissioned one.
    let rows = concat!(
        "X,n,10.9.9.9,api.example.com,443,d,every 15 minutes,a,c,o,,active,\n",
        "Old,n,10.0.0.0/24,*.example.com,443,d,every 15 minutes,a,c,o,,retired,\n",
        "W,n,10.0.0.0/24,*.example.com,443,d,every 15 minutes,a,c,o,,active,\n",
    );
    let (f, s) = reconciled(agg, rows, None);
    let seen: Vec<_> = f.iter().filter(|x| x.status != Status::Stale).collect();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].status, seen[0].inventory_id.as_str()), (Status::Documented, "W"));
    // X has no traffic from its own source: stale.
    assert_eq!(s.stale, vec!["X".to_string()]);
}

#[test]
fn decommissioned_row_with_all_traffic_before_its_end_is_documented() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("api.example.com"), None, Some(443), None);
    let (f, _) = reconciled(
        agg,
        "D,n,,api.example.com,443,d,every 15 minutes,a,c,o,,decommissioned,2026-03-01\n",
        None,
    );
    assert_eq!(f[0].status, Status::Documented);
    assert!(f[0]
        .evidence
        .iter()
        .any(|e| e.contains("on or before the row's end_date 2026-03-01")));
}

#[test]
fn stale_needs_two_expected_runs_in_the_window() {
    let mut agg = Aggregate::new();
    // A 5h45m window.
    channel(&mut agg, "10.0.0.1", Some("busy.example.com"), None, Some(443), None);
    let rows = concat!(
        "H,n,10.0.0.2,quiet.example.com,443,d,hourly,a,c,o,,active,\n",
        "T,n,10.0.0.2,quiet2.example.com,443,d,every 3 hours,a,c,o,,active,\n",
        "D,n,10.0.0.2,quiet3.example.com,443,d,daily,a,c,o,,active,\n",
        "C,n,10.0.0.2,quiet4.example.com,443,d,continuous,a,c,o,,active,\n",
        "E,n,10.0.0.2,quiet5.example.com,443,d,hourly,a,c,o,,active,2026-02-01\n",
    );
    let (f, s) = reconciled(agg, rows, None);
    assert_eq!(s.stale, vec!["H".to_string(), "C".to_string()]);
    let short: Vec<&str> = s.too_short.iter().map(|t| t.inventory_id.as_str()).collect();
    assert_eq!(short, vec!["T", "D"]);
    assert_eq!(s.ended_before_window, vec!["E".to_string()]);
    let h = by_dest(&f, "quiet.example.com");
    assert_eq!(
        (h.status, h.connections, h.source.clone()),
        (Status::Stale, 0, vec!["10.0.0.2".to_string()])
    );
}

#[test]
fn background_keeps_its_status_unless_a_row_matches() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("ocsp.example.com"), None, Some(80), None);
    channel(&mut agg, "10.0.0.1", Some("update.example.com"), None, Some(443), None);
    let agg = agg.canonical();
    let inv = Inventory::parse(format!("{HEADER}U,n,,update.example.com,443,d,every 15 minutes,a,c,o,,active,\n").as_bytes()).unwrap();
    let mut f = findings::build(&agg, &BuildOptions::default());
    for x in &mut f {
        x.status = Status::Background;
    }
    let risk_before: Vec<u32> = f.iter().map(|x| x.risk).collect();
    reconcile::reconcile(
        &mut f,
        &agg,
        &Options {
            inventory: Some(&inv),
            ..Options::default()
        },
    );
    let ocsp = by_dest(&f, "ocsp.example.com");
    assert_eq!(ocsp.status, Status::Background);
    assert!(risk_before.contains(&ocsp.risk), "no undocumented risk for background");
    assert_eq!(by_dest(&f, "update.example.com").status, Status::Documented);
}

#[test]
fn no_owner_words_and_never_reviewed() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("a.example.com"), None, Some(443), None);
    channel(&mut agg, "10.0.0.1", Some("b.example.com"), None, Some(443), None);
    let rows = "A,n,,a.example.com,443,d,every 15 minutes,a,c,TBD,,active,\nB,n,,b.example.com,443,d,every 15 minutes,a,c,Ops,2026-02-28,active,\n";
    let (f, _) = reconciled(agg, rows, None);
    let a = by_dest(&f, "a.example.com");
    assert_eq!(a.flags, vec!["no_owner".to_string(), "review_overdue".to_string()]);
    assert!(a
        .evidence
        .iter()
        .any(|e| e == "review overdue: never reviewed (last_reviewed is empty)"));
    assert!(by_dest(&f, "b.example.com").flags.is_empty());
}

#[test]
fn departed_account_matches_domain_and_upn_forms() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("a.example.com"), None, Some(443), Some("CORP\\JDoe"));
    channel(
        &mut agg,
        "10.0.0.2",
        Some("b.example.com"),
        None,
        Some(443),
        Some("jdoe@corp.example.com"),
    );
    channel(&mut agg, "10.0.0.3", Some("c.example.com"), None, Some(443), Some("jdoe2"));
    let (f, _) = reconciled(agg, "", Some("# leavers\njdoe\n"));
    assert!(by_dest(&f, "a.example.com").flags.contains(&"departed_account".to_string()));
    assert!(by_dest(&f, "b.example.com").flags.contains(&"departed_account".to_string()));
    assert!(!by_dest(&f, "c.example.com").flags.contains(&"departed_account".to_string()));
}

#[test]
fn schedule_drift_tolerates_jitter() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("a.example.com"), None, Some(443), None);
    channel(&mut agg, "10.0.0.1", Some("b.example.com"), None, Some(443), None);
    channel(&mut agg, "10.0.0.1", Some("c.example.com"), None, Some(443), None);
    let rows = concat!(
        "A,n,,a.example.com,443,d,every 16 minutes,a,c,o,2026-01-01,active,\n",
        "B,n,,b.example.com,443,d,every 30 minutes,a,c,o,2026-01-01,active,\n",
        "C,n,,c.example.com,443,d,continuous,a,c,o,2026-01-01,active,\n",
    );
    let (f, _) = reconciled(agg, rows, None);
    assert!(by_dest(&f, "a.example.com").flags.is_empty(), "15 vs 16 minutes is jitter");
    assert_eq!(by_dest(&f, "b.example.com").flags, vec!["schedule_drift".to_string()]);
    assert!(
        by_dest(&f, "c.example.com").flags.is_empty(),
        "every 15 minutes is close enough to continuous"
    );
}

#[test]
fn no_inventory_leaves_statuses_and_risk_alone() {
    let mut agg = Aggregate::new();
    channel(&mut agg, "10.0.0.1", Some("a.example.com"), None, Some(443), None);
    let agg = agg.canonical();
    let before = findings::build(&agg, &BuildOptions::default());
    let mut after = before.clone();
    let s = reconcile::reconcile(&mut after, &agg, &Options::default());
    assert_eq!(before, after);
    assert_eq!(s.inventory_rows, 0);
    assert_eq!(after[0].change, None::<Change>);
}
