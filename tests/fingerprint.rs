//! Fingerprinting and findings on hand-made traffic: grouping of cluster
//! nodes, a script and a browser on the same host, background by
//! prevalence, and the `--show-background` flag end to end.

use assert_cmd::Command;
use seam::aggregate::Aggregate;
use seam::config::Networks;
use seam::findings::{build_all, BuildOptions, Finding, Status};
use seam::fingerprint::Options;
use seam::record::Record;
use std::borrow::Cow;

const DAY: i64 = 86_400;
/// 2026-03-02, a Monday, 00:00 UTC.
const START: i64 = 1_772_409_600;

fn rec(t: i64, src: &str, host: &str, agent: Option<&str>) -> Record<'static> {
    Record {
        time_ms: t * 1000,
        src_ip: src.parse().ok(),
        dst_host: Some(Cow::Owned(host.to_string())),
        dst_port: Some(443),
        bytes_out: Some(900),
        bytes_in: Some(4000),
        user_agent: agent.map(|a| Cow::Owned(a.to_string())),
        ..Record::default()
    }
}

fn findings(records: &[Record], show_background: bool) -> (Vec<Finding>, usize) {
    let nets = Networks::default();
    let mut agg = Aggregate::new();
    for r in records {
        agg.fold(r, &nets);
    }
    let agg = agg.canonical();
    let opts = BuildOptions {
        fingerprint: Options {
            window: agg.traffic.first_ms.zip(agg.traffic.last_ms),
            ..Options::default()
        },
        show_background,
        ..BuildOptions::default()
    };
    let b = build_all(&agg, &opts);
    (b.findings, b.hidden_background)
}

/// Every `period` seconds from `offset`, for `days` days.
fn every(period: i64, offset: i64, days: i64) -> impl Iterator<Item = i64> {
    (0..days * DAY / period).map(move |i| START + offset + i * period)
}

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

#[test]
fn cluster_nodes_on_the_same_schedule_are_one_finding() {
    let mut v = Vec::new();
    for (i, node) in ["10.1.0.3", "10.1.0.1", "10.1.0.2"].iter().enumerate() {
        v.extend(every(600, 120 + i as i64 * 4, 7).map(|t| rec(t, node, "api.partner.example.com", Some("okhttp/4.12"))));
    }
    // Another host reaches the same API on its own, daily schedule.
    v.extend(every(DAY, 3 * 3600, 7).map(|t| rec(t, "10.1.0.9", "api.partner.example.com", Some("curl/8.5.0"))));
    let (f, _) = findings(&v, false);
    assert_eq!(f.len(), 2, "{f:#?}");
    let cluster = f.iter().find(|x| x.source.len() == 3).unwrap();
    assert_eq!(cluster.source, ["10.1.0.1", "10.1.0.2", "10.1.0.3"]);
    assert_eq!((cluster.schedule.as_str(), cluster.period_seconds), ("every 10m", Some(600)));
    assert!(cluster.evidence.iter().any(|e| e.starts_with("sources: 3 hosts")));
    let single = f.iter().find(|x| x.source.len() == 1).unwrap();
    assert_eq!(single.schedule, "daily 03:00");
}

#[test]
fn script_is_a_finding_and_browsing_on_the_same_host_is_not() {
    let host = "10.2.0.7";
    let mut v: Vec<Record> = every(1800, 300, 7)
        .map(|t| rec(t, host, "api.tickets.example.com", Some("python-requests/2.31.0")))
        .collect();
    // Daytime browsing on weekdays, at irregular moments.
    for d in 0..5 {
        for (k, m) in [7, 19, 31, 52, 77, 131, 170, 233, 301, 377].iter().enumerate() {
            let t = START + d * DAY + 9 * 3600 + m * 60 + (k as i64 * 37) % 50;
            v.push(rec(t, host, "news.example.org", Some(CHROME)));
            v.push(rec(t + 1, host, "news.example.org", Some(CHROME)));
        }
    }
    let (f, _) = findings(&v, true);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].destination, "api.tickets.example.com");
    assert!(f[0].evidence.iter().any(|e| e == "user agent: library (python-requests/2.31.0)"));
}

#[test]
fn a_browser_user_agent_on_a_round_the_clock_schedule_is_flagged() {
    let v: Vec<Record> = every(3600, 17 * 60, 7)
        .map(|t| rec(t, "10.3.0.5", "cdn-check.example.net", Some(CHROME)))
        .collect();
    let (f, _) = findings(&v, false);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].schedule, "every 1h at :17");
    assert!(f[0].flags.contains(&"disguised_browser".to_string()));
    assert!(f[0].evidence.iter().any(|e| e.starts_with("risk +10: disguised browser")));
}

#[test]
fn prevalent_destination_is_background_hidden_and_counted() {
    let mut v = Vec::new();
    for i in 0..8 {
        let src = format!("10.4.0.{}", i + 2);
        v.extend(every(900, 37 * i, 3).map(|t| rec(t, &src, "agent.fleet-vendor.example.net", Some("FleetAgent/2.0"))));
    }
    v.extend(every(900, 0, 3).map(|t| rec(t, "10.4.0.50", "api.one.example.com", Some("curl/8"))));
    let (shown, hidden) = findings(&v, false);
    assert_eq!(hidden, 1);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].destination, "api.one.example.com");
    let (all, hidden) = findings(&v, true);
    assert_eq!(hidden, 0);
    let bg = all.iter().find(|f| f.status == Status::Background).unwrap();
    assert_eq!(bg.source.len(), 8);
    assert!(bg
        .evidence
        .iter()
        .any(|e| e == "background: reached by 8 of 9 internal sources (89%)"));
    assert_eq!(bg.risk, 0);
}

/// Hidden background is counted without building its findings: the count
/// and the findings shown must be what building them all would give, with
/// the automated channel of a background destination first, later, or
/// missing (people only: no finding).
#[test]
fn hidden_background_counts_what_shown_background_would_show() {
    let mut v = Vec::new();
    // Reached by all ten sources: people browsing now and then ...
    for i in 0..10 {
        let src = format!("10.6.0.{}", i + 2);
        for k in 0..4 {
            v.push(rec(START + DAY * k + 10 * 3600 + 97 * i, &src, "news.example.org", Some(CHROME)));
            v.push(rec(START + DAY * k + 11 * 3600 + 61 * i, &src, "cdn.example.net", Some(CHROME)));
        }
    }
    // ... and on the CDN also a script on the last source (sorted after
    // the people), and a fleet agent everywhere on a third destination.
    v.extend(every(900, 5, 4).map(|t| rec(t, "10.6.0.11", "cdn.example.net", Some("python-requests/2.31"))));
    for i in 0..10 {
        let src = format!("10.6.0.{}", i + 2);
        v.extend(every(1800, 11 * i, 4).map(|t| rec(t, &src, "agent.example.com", Some("FleetAgent/3"))));
    }
    v.extend(every(600, 0, 4).map(|t| rec(t, "10.6.0.2", "api.partner.example.com", Some("curl/8"))));

    let (all, none_hidden) = findings(&v, true);
    assert_eq!(none_hidden, 0);
    let background: Vec<&Finding> = all.iter().filter(|f| f.status == Status::Background).collect();
    let mut dests: Vec<&str> = background.iter().map(|f| f.destination.as_str()).collect();
    dests.sort_unstable();
    assert_eq!(dests, ["agent.example.com", "cdn.example.net"]);

    let (shown, hidden) = findings(&v, false);
    assert_eq!(hidden, background.len());
    let foreground: Vec<Finding> = all.into_iter().filter(|f| f.status != Status::Background).collect();
    assert_eq!(shown, foreground);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].destination, "api.partner.example.com");
}

#[test]
fn catalogue_destination_is_background_even_from_one_host() {
    let v: Vec<Record> = every(1800, 0, 3)
        .map(|t| rec(t, "10.5.0.2", "v10.events.data.microsoft.com", Some("MSDW")))
        .collect();
    let (shown, hidden) = findings(&v, false);
    assert!(shown.is_empty());
    assert_eq!(hidden, 1);
    let (all, _) = findings(&v, true);
    assert!(all[0]
        .evidence
        .iter()
        .any(|e| e.contains("catalogue entry data.microsoft.com (group telemetry")));
}

#[test]
fn show_background_flag_end_to_end_on_the_demo() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo/logs");
    let out = Command::cargo_bin("seam").unwrap().args(["scan", demo]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("findings: 15 (15 undocumented, 10 background (hidden; --show-background))"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("register.csv");
    let out = Command::cargo_bin("seam")
        .unwrap()
        .args(["scan", demo, "--show-background", "-q", "--register"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success());
    let register = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(register.lines().filter(|l| l.contains(",background,")).count(), 10);
    assert!(register.contains("weekly Mon 01:30"));
}

/// `fingerprint::finding` skips the period of a browser that cannot count
/// as a machine's, and `fingerprint::automated` all the period it can: they
/// must answer exactly what the full fingerprint says, on every channel of
/// the demo (proxy and firewall logs: agents and none) and on browsers at
/// every mix of runs and office hours around the thresholds (six runs, a
/// quarter off hours).
#[test]
fn a_finding_is_the_full_fingerprint_of_an_automated_channel() {
    use seam::fingerprint::{automated as verdict, finding, fingerprint};
    let mut records = Vec::new();
    for (i, (runs, off)) in [(5i64, 2i64), (6, 1), (6, 2), (7, 2), (8, 2), (8, 1), (12, 3), (12, 2), (40, 10)]
        .into_iter()
        .enumerate()
    {
        // Hourly on a Monday, the last `off` runs from 19:00 on (off
        // hours): a schedule, so only the thresholds decide.
        let first = 19 - (runs - off);
        for k in 0..runs {
            let t = START + (first + k) * 3600 + 300 + k % 3;
            records.push(rec(t, &format!("10.9.0.{i}"), "portal.example.org", Some(CHROME)));
            // The same runs again as bursts of requests a few seconds
            // apart, more of them in the runs by day or by night: a run
            // is then several of the channel's times, so its times and
            // its runs give different shares off hours.
            for (j, burst_by_day) in [(1, 4i64), (2, 1)] {
                let n = if k < runs - off { burst_by_day } else { 5 - burst_by_day };
                for b in 0..n {
                    records.push(rec(t + 3 * b, &format!("10.9.{j}.{i}"), "portal.example.org", Some(CHROME)));
                }
            }
        }
    }
    let nets = Networks::default();
    let mut agg = Aggregate::new();
    for r in &records {
        agg.fold(r, &nets);
    }
    let demo = seam::input::expand(&[std::path::PathBuf::from("testdata/demo/logs")]).expect("demo logs");
    let mut scanned = seam::scan::scan(&demo, &seam::scan::ScanOptions::default()).agg;
    scanned.merge(agg);
    let agg = scanned.canonical();
    let opts = Options {
        window: agg.traffic.first_ms.zip(agg.traffic.last_ms),
        ..Options::default()
    };
    let (mut automated, mut people) = (0, 0);
    for (_, s) in agg.sorted_channels() {
        let full = fingerprint(s, &opts);
        assert_eq!(verdict(s, &opts), full.automated, "{full:?}");
        let want = full.automated.then_some(full);
        automated += usize::from(want.is_some());
        people += usize::from(want.is_none());
        assert_eq!(finding(s, &opts), want);
    }
    assert!(automated >= 10 && people >= 10, "{automated} automated, {people} people");
}
