//! Evaluation harness: generate labelled worlds (src/synth), scan them like
//! `seam scan --show-background`, and check every planted integration is a
//! finding with the right sources, period (within 10 %) and schedule, that
//! no browsing destination becomes a finding, and that fleet background is
//! labelled `background`. Figures are printed (`--nocapture` shows them).

use seam::findings::{self, BuildOptions, Status};
use seam::synth::eval::{evaluate, scan_world, Evaluation};
use seam::synth::{Config, Labels, World};

/// A world small enough for a debug build: 15 days (three weekly runs), 31 hosts.
fn small(seed: u64, tz: &str, start: (i64, u32, u32)) -> Config {
    Config {
        seed,
        days: 15,
        start,
        tz: tz.into(),
        workstations: 12,
        branch: 4,
        servers: 12,
        scale: 1,
    }
}

fn run(cfg: Config) -> (Labels, Evaluation, usize) {
    let dir = tempfile::tempdir().unwrap();
    let world = World::new(cfg).unwrap();
    let labels = world.write(dir.path()).unwrap();
    let built = scan_world(dir.path(), &labels).unwrap();
    let ev = evaluate(&labels, &built.findings);
    let shown = built.findings.iter().filter(|f| f.status != Status::Background).count();
    (labels, ev, shown)
}

fn check(cfg: Config) {
    let (labels, ev, shown) = run(cfg);
    println!(
        "seed {} {} days {}: planted {} findings {} recall {:.3} precision {:.3} period {:.3} schedule {:.3} browsing {} background {}/{}",
        labels.seed,
        labels.days,
        labels.tz,
        labels.integrations.len(),
        shown,
        ev.recall(),
        ev.precision(),
        ev.period_accuracy(),
        ev.schedule_accuracy(),
        ev.browsing_findings.len(),
        ev.background_total - ev.background_errors.len(),
        ev.background_total
    );
    assert!(labels.integrations.len() >= 15);
    assert_eq!(ev.recall(), 1.0, "recall\n{}", ev.problems());
    assert_eq!(ev.precision(), 1.0, "precision\n{}", ev.problems());
    assert_eq!(ev.period_accuracy(), 1.0, "period\n{}", ev.problems());
    assert_eq!(ev.schedule_accuracy(), 1.0, "schedule\n{}", ev.problems());
    assert!(ev.browsing_findings.is_empty(), "browsing\n{}", ev.problems());
    assert!(ev.background_errors.is_empty(), "background\n{}", ev.problems());
    assert!(ev.perfect(), "{}", ev.problems());
}

#[test]
fn planted_integrations_found_with_period_and_schedule_seed_11() {
    check(small(11, "UTC", (2026, 3, 2)));
}

#[test]
fn planted_integrations_found_with_period_and_schedule_seed_22() {
    check(small(22, "UTC", (2026, 5, 13)));
}

#[test]
fn planted_integrations_found_with_period_and_schedule_seed_33() {
    check(small(33, "UTC", (2026, 9, 6)));
}

#[test]
fn schedules_stay_in_local_time_across_daylight_saving_change() {
    // Europe/Paris moves to summer time on 2026-03-29, inside this window.
    check(small(44, "Europe/Paris", (2026, 3, 20)));
}

#[test]
fn generator_is_deterministic_per_seed() {
    let files = |seed: u64| {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = small(seed, "UTC", (2026, 3, 2));
        cfg.days = 2;
        World::new(cfg).unwrap().write(dir.path()).unwrap();
        let mut out = Vec::new();
        for f in [
            "logs/proxy1/access.log",
            "logs/proxy2/access.log",
            "logs/firewall/fortigate.log",
            "labels.json",
        ] {
            out.push(std::fs::read(dir.path().join(f)).unwrap());
        }
        out
    };
    let a = files(5);
    assert_eq!(a, files(5));
    assert_ne!(a, files(6));
    assert!(a.iter().all(|f| !f.is_empty()));
}

#[test]
fn background_is_hidden_by_default_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = small(3, "UTC", (2026, 3, 2));
    cfg.days = 4;
    let labels = World::new(cfg).unwrap().write(dir.path()).unwrap();
    let shown = scan_world(dir.path(), &labels).unwrap();
    let n_background = shown.findings.iter().filter(|f| f.status == Status::Background).count();
    assert!(n_background >= labels.background.len());

    let sources = seam::input::expand(&[World::logs_dir(dir.path())]).unwrap();
    let result = seam::scan::scan(&sources, &seam::scan::ScanOptions::default());
    let opts = BuildOptions {
        fingerprint: seam::fingerprint::Options {
            window: result.agg.traffic.first_ms.zip(result.agg.traffic.last_ms),
            ..Default::default()
        },
        ..BuildOptions::default()
    };
    let hidden = findings::build_all(&result.agg, &opts);
    assert!(hidden.findings.iter().all(|f| f.status != Status::Background));
    assert_eq!(hidden.hidden_background, n_background);
    assert_eq!(hidden.findings.len() + n_background, shown.findings.len());
}

fn demo_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo")
}

#[test]
fn committed_demo_regenerates_byte_identically() {
    let dir = tempfile::tempdir().unwrap();
    let labels = World::new(Config::demo()).unwrap().write_demo(dir.path()).unwrap();
    let mut names: Vec<String> = labels.files.iter().map(|f| f.path.clone()).collect();
    names.extend(["labels.json".into(), "inventory.csv".into(), "leavers.txt".into()]);
    for name in names {
        let fresh = std::fs::read(dir.path().join(&name)).unwrap();
        let committed = std::fs::read(demo_dir().join(&name)).unwrap_or_default();
        assert!(
            fresh == committed,
            "testdata/demo/{name} differs: run sh testdata/demo/regenerate.sh"
        );
    }
}

#[test]
fn committed_demo_is_found_exactly() {
    let text = std::fs::read_to_string(demo_dir().join("labels.json")).unwrap();
    let labels: Labels = serde_json::from_str(&text).unwrap();
    let built = scan_world(&demo_dir(), &labels).unwrap();
    let ev = evaluate(&labels, &built.findings);
    assert!(ev.perfect(), "{}", ev.problems());
    assert_eq!(ev.outcomes.len(), 15);
}
