//! Comparing a run with an earlier one (`--baseline PREVIOUS.json`), and
//! the `--fail-on` gate that lets a nightly job exit 3.
//!
//! Findings are paired by `finding_id`. A finding whose sources changed
//! gets a new id; when exactly one unpaired previous finding has the same
//! destination and port, the two are paired as `changed` instead of
//! `new` + `gone`.
//!
//! `changed` means a difference in what the finding *is*, not in how much
//! traffic it carried: status, inventory id, owner, flags, sources, users,
//! port, schedule, or a period that moved by more than 10 %. Counts,
//! bytes, first/last seen, risk and evidence change on every run and are
//! not compared (risk follows from status and flags).

use crate::findings::{Change, Finding, Status};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("baseline {path} is not a seam JSON report (--json): {reason}")]
    Format { path: String, reason: String },
}

/// The findings of an earlier run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    pub findings: Vec<Finding>,
}

#[derive(Deserialize)]
struct PreviousDocument {
    findings: Vec<Finding>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let data = std::fs::read(path).map_err(|source| BaselineError::Io {
            path: shown.clone(),
            source,
        })?;
        Baseline::parse(&data).map_err(|reason| BaselineError::Format { path: shown, reason })
    }

    /// Reads a seam JSON report. Findings that were already `gone` in it
    /// are not part of that run and are left out.
    pub fn parse(data: &[u8]) -> Result<Baseline, String> {
        let doc: PreviousDocument = serde_json::from_slice(data).map_err(|e| {
            // serde_json's messages quote at most a type name or a field
            // name, never a value, so they are safe to show.
            e.to_string()
        })?;
        Ok(Baseline {
            findings: doc.findings.into_iter().filter(|f| f.change != Some(Change::Gone)).collect(),
        })
    }
}

/// Counts for the summary and the JSON `run` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub path: String,
    pub new: usize,
    pub unchanged: usize,
    pub changed: usize,
    pub gone: usize,
}

fn set(v: &[String]) -> BTreeSet<&str> {
    v.iter().map(String::as_str).collect()
}

fn diff_list(name: &str, old: &[String], new: &[String], out: &mut Vec<String>) {
    let (o, n) = (set(old), set(new));
    if o == n {
        return;
    }
    let added: Vec<&str> = n.difference(&o).copied().collect();
    let removed: Vec<&str> = o.difference(&n).copied().collect();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("+{}", added.join(",+")));
    }
    if !removed.is_empty() {
        parts.push(format!("-{}", removed.join(",-")));
    }
    out.push(format!("{name} {}", parts.join(" ")));
}

/// What changed between a previous and a current finding; empty when the
/// finding is unchanged.
pub fn differences(old: &Finding, new: &Finding) -> Vec<String> {
    let mut out = Vec::new();
    if old.status != new.status {
        out.push(format!("status {} → {}", old.status.as_str(), new.status.as_str()));
    }
    if old.inventory_id != new.inventory_id {
        out.push(format!("inventory_id '{}' → '{}'", old.inventory_id, new.inventory_id));
    }
    if old.owner != new.owner {
        out.push(format!("owner '{}' → '{}'", old.owner, new.owner));
    }
    diff_list("flags", &old.flags, &new.flags, &mut out);
    diff_list("source", &old.source, &new.source, &mut out);
    diff_list("users", &old.users, &new.users, &mut out);
    if old.port != new.port {
        let p = |p: Option<u16>| p.map_or_else(|| "any".to_string(), |p| p.to_string());
        out.push(format!("port {} → {}", p(old.port), p(new.port)));
    }
    let period_moved = match (old.period_seconds, new.period_seconds) {
        (Some(a), Some(b)) => a.abs_diff(b) as f64 > 0.10 * a.max(b) as f64,
        (a, b) => a.is_some() != b.is_some(),
    };
    if old.schedule != new.schedule && period_moved {
        out.push(format!("schedule '{}' → '{}'", old.schedule, new.schedule));
    }
    out
}

/// Marks every finding `new`, `unchanged` or `changed` against the
/// baseline (with a `changed since baseline: …` evidence line), then
/// appends the baseline's findings that are gone, marked `gone`, sorted
/// by id.
pub fn compare(findings: &mut Vec<Finding>, base: &Baseline, path: &str) -> Summary {
    let mut prev: BTreeMap<&str, &Finding> = base.findings.iter().map(|f| (f.finding_id.as_str(), f)).collect();
    let mut summary = Summary {
        path: path.to_string(),
        ..Summary::default()
    };
    let mut unpaired: Vec<usize> = Vec::new();
    for (i, f) in findings.iter_mut().enumerate() {
        match prev.remove(f.finding_id.as_str()) {
            Some(old) => mark(f, old, None, &mut summary),
            None => unpaired.push(i),
        }
    }
    // Same destination and port, different sources: one finding that changed.
    let mut by_dest: BTreeMap<(&str, Option<u16>), Vec<&str>> = BTreeMap::new();
    for (id, f) in &prev {
        by_dest.entry((f.destination.as_str(), f.port)).or_default().push(id);
    }
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for i in unpaired {
        let Some(f) = findings.get_mut(i) else { continue };
        let candidates = by_dest
            .get(&(f.destination.as_str(), f.port))
            .map(Vec::as_slice)
            .unwrap_or_default();
        match candidates {
            [id] if !taken.contains(*id) => {
                taken.insert(id.to_string());
                if let Some(old) = prev.get(id) {
                    mark(f, old, Some(id), &mut summary);
                }
            }
            _ => {
                f.change = Some(Change::New);
                summary.new += 1;
            }
        }
    }
    let mut gone: Vec<Finding> = prev
        .into_iter()
        .filter(|(id, _)| !taken.contains(*id))
        .map(|(_, f)| {
            let mut g = f.clone();
            g.change = Some(Change::Gone);
            g.evidence.push("gone: in the baseline, not in this run".to_string());
            g
        })
        .collect();
    summary.gone = gone.len();
    findings.append(&mut gone);
    summary
}

fn mark(f: &mut Finding, old: &Finding, renamed_from: Option<&str>, summary: &mut Summary) {
    let mut d = differences(old, f);
    if let Some(id) = renamed_from {
        d.insert(0, format!("previous id {id}"));
    }
    if d.is_empty() {
        f.change = Some(Change::Unchanged);
        summary.unchanged += 1;
    } else {
        f.change = Some(Change::Changed);
        f.evidence.push(format!("changed since baseline: {}", d.join("; ")));
        summary.changed += 1;
    }
}

/// `--fail-on`: which findings make the run exit 3.
///
/// Status values (`undocumented`, `orphaned`, `stale`, `documented`,
/// `background`) select findings by status; `new` and `changed` select
/// findings by their baseline change. Given both kinds, a finding must
/// match one of each (`--fail-on new,undocumented`: new undocumented
/// findings). Given only change values, any status except `background`
/// counts. `gone` findings never count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailOn {
    pub statuses: Vec<Status>,
    pub changes: Vec<Change>,
}

/// The values `--fail-on` accepts.
pub const FAIL_ON_VALUES: &[&str] = &["undocumented", "orphaned", "stale", "documented", "background", "new", "changed"];

impl FailOn {
    /// Parses values as given (repeated flags and/or comma lists).
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Result<FailOn, String> {
        let mut out = FailOn::default();
        for raw in values
            .iter()
            .flat_map(|v| v.as_ref().split(',').map(str::to_string).collect::<Vec<_>>())
        {
            let v = raw.trim().to_ascii_lowercase();
            let status = match v.as_str() {
                "undocumented" => Some(Status::Undocumented),
                "orphaned" => Some(Status::Orphaned),
                "stale" => Some(Status::Stale),
                "documented" => Some(Status::Documented),
                "background" => Some(Status::Background),
                _ => None,
            };
            match (status, v.as_str()) {
                (Some(s), _) => out.statuses.push(s),
                (None, "new") => out.changes.push(Change::New),
                (None, "changed") => out.changes.push(Change::Changed),
                (None, "") => {}
                _ => {
                    return Err(format!(
                        "--fail-on: unknown value '{}' (use {})",
                        crate::report::terminal::safe(raw.trim()),
                        FAIL_ON_VALUES.join(", ")
                    ))
                }
            }
        }
        out.statuses.sort_unstable();
        out.statuses.dedup();
        out.changes.sort_unstable();
        out.changes.dedup();
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.statuses.is_empty() && self.changes.is_empty()
    }

    /// True when the gate needs `--baseline`.
    pub fn needs_baseline(&self) -> bool {
        !self.changes.is_empty()
    }

    pub fn matches(&self, f: &Finding) -> bool {
        if self.is_empty() || f.change == Some(Change::Gone) {
            return false;
        }
        let status_ok = if self.statuses.is_empty() {
            f.status != Status::Background
        } else {
            self.statuses.contains(&f.status)
        };
        let change_ok = self.changes.is_empty() || f.change.is_some_and(|c| self.changes.contains(&c));
        status_ok && change_ok
    }

    /// The ids of the findings that trip the gate.
    pub fn tripped<'a>(&self, findings: &'a [Finding]) -> Vec<&'a str> {
        findings.iter().filter(|f| self.matches(f)).map(|f| f.finding_id.as_str()).collect()
    }
}

impl std::fmt::Display for FailOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v: Vec<&str> = self
            .changes
            .iter()
            .map(|c| c.as_str())
            .chain(self.statuses.iter().map(|s| s.as_str()))
            .collect();
        f.write_str(&v.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(id: &str, status: Status, src: &str, dest: &str) -> Finding {
        Finding {
            finding_id: id.into(),
            status,
            source: vec![src.into()],
            destination: dest.into(),
            port: Some(443),
            service: String::new(),
            first_seen: String::new(),
            last_seen: String::new(),
            connections: 10,
            runs: 3,
            bytes_out: 100,
            bytes_in: 100,
            schedule: "every 15m".into(),
            period_seconds: Some(900),
            users: vec!["svc".into()],
            user_agents: vec![],
            risk: 30,
            flags: vec!["cleartext".into()],
            inventory_id: String::new(),
            owner: String::new(),
            evidence: vec![],
            change: None,
        }
    }

    #[test]
    fn traffic_volume_and_period_jitter_are_not_changes() {
        let old = f("S-1", Status::Undocumented, "10.0.0.1", "a.example");
        let mut new = old.clone();
        new.connections = 99;
        new.bytes_out = 5;
        new.risk = 40;
        new.period_seconds = Some(905);
        new.schedule = "every 15m5s".into();
        new.first_seen = "2026-01-01T00:00:00Z".into();
        assert!(differences(&old, &new).is_empty());
        new.period_seconds = Some(3600);
        new.schedule = "every 1h".into();
        new.flags.push("departed_account".into());
        new.status = Status::Documented;
        assert_eq!(
            differences(&old, &new),
            vec![
                "status undocumented → documented".to_string(),
                "flags +departed_account".to_string(),
                "schedule 'every 15m' → 'every 1h'".to_string()
            ]
        );
    }

    #[test]
    fn new_unchanged_changed_gone_and_renamed() {
        let base = Baseline {
            findings: vec![
                f("S-1", Status::Undocumented, "10.0.0.1", "a.example"),
                f("S-2", Status::Undocumented, "10.0.0.1", "b.example"),
                f("S-3", Status::Documented, "10.0.0.1", "c.example"),
                f("S-4", Status::Undocumented, "10.0.0.1", "d.example"),
            ],
        };
        let mut changed = f("S-2", Status::Undocumented, "10.0.0.1", "b.example");
        changed.users.push("bob".into());
        let mut cur = vec![
            f("S-1", Status::Undocumented, "10.0.0.1", "a.example"),
            changed,
            f("S-9", Status::Documented, "10.0.0.2", "c.example"),
            f("S-5", Status::Undocumented, "10.0.0.1", "e.example"),
        ];
        let s = compare(&mut cur, &base, "prev.json");
        let marks: Vec<(&str, Option<Change>)> = cur.iter().map(|x| (x.finding_id.as_str(), x.change)).collect();
        assert_eq!(
            marks,
            vec![
                ("S-1", Some(Change::Unchanged)),
                ("S-2", Some(Change::Changed)),
                ("S-9", Some(Change::Changed)),
                ("S-5", Some(Change::New)),
                ("S-4", Some(Change::Gone)),
            ]
        );
        assert_eq!((s.new, s.unchanged, s.changed, s.gone), (1, 1, 2, 1));
        assert!(cur[1].evidence.iter().any(|e| e == "changed since baseline: users +bob"));
        assert!(cur[2]
            .evidence
            .iter()
            .any(|e| e.starts_with("changed since baseline: previous id S-3; source +10.0.0.2 -10.0.0.1")));
    }

    #[test]
    fn gone_in_the_baseline_is_not_gone_again() {
        let mut g = f("S-7", Status::Undocumented, "10.0.0.1", "a.example");
        g.change = Some(Change::Gone);
        let doc = serde_json::json!({"run": {}, "findings": [g]});
        let base = Baseline::parse(doc.to_string().as_bytes()).unwrap();
        assert!(base.findings.is_empty());
        assert!(Baseline::parse(b"{\"findings\": 3}").is_err());
        assert!(Baseline::parse(b"not json").is_err());
    }

    #[test]
    fn fail_on_statuses_changes_and_combinations() {
        let mut undoc_new = f("S-1", Status::Undocumented, "10.0.0.1", "a.example");
        undoc_new.change = Some(Change::New);
        let mut doc_new = f("S-2", Status::Documented, "10.0.0.1", "b.example");
        doc_new.change = Some(Change::New);
        let mut orphan_old = f("S-3", Status::Orphaned, "10.0.0.1", "c.example");
        orphan_old.change = Some(Change::Unchanged);
        let mut bg_new = f("S-4", Status::Background, "10.0.0.1", "d.example");
        bg_new.change = Some(Change::New);
        let mut gone = f("S-5", Status::Undocumented, "10.0.0.1", "e.example");
        gone.change = Some(Change::Gone);
        let all = vec![undoc_new, doc_new, orphan_old, bg_new, gone];
        let trip = |v: &[&str]| FailOn::parse(v).unwrap().tripped(&all);
        assert_eq!(trip(&["undocumented"]), vec!["S-1"]);
        assert_eq!(trip(&["orphaned", "undocumented"]), vec!["S-1", "S-3"]);
        assert_eq!(trip(&["undocumented,orphaned"]), vec!["S-1", "S-3"]);
        assert_eq!(trip(&["new"]), vec!["S-1", "S-2"]);
        assert_eq!(trip(&["new,undocumented"]), vec!["S-1"]);
        assert_eq!(trip(&["new", "orphaned"]), Vec::<&str>::new());
        assert_eq!(trip(&[]), Vec::<&str>::new());
        assert!(FailOn::parse(&["new"]).unwrap().needs_baseline());
        assert!(!FailOn::parse(&["orphaned"]).unwrap().needs_baseline());
        let e = FailOn::parse(&["undocumented,bogus\x1b"]).unwrap_err();
        assert!(e.contains("'bogus\\x1b'"), "{e}");
    }
}
