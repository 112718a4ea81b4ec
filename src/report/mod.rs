//! Reports: the CSV register, the JSON document, and the terminal summary.
//! One module per output format; all of them take the same [`Run`] and
//! findings.

pub mod csv;
pub mod json;
pub mod terminal;

use crate::aggregate::TrafficCounts;
use crate::findings::Finding;
use crate::scan::FileReport;
use serde::Serialize;

/// What was scanned and how: the `run` object of the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub seam_version: &'static str,
    pub inputs: Vec<String>,
    pub options: RunOptions,
    pub window: Window,
    pub traffic: TrafficCounts,
    pub channels: usize,
    pub files: Vec<FileReport>,
    /// Inventory reconciliation (`--inventory`, `--leavers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconcile: Option<crate::reconcile::Summary>,
    /// Comparison with `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::baseline::Summary>,
}

/// Options that shape the results (recorded so a run can be reproduced).
#[derive(Debug, Clone, Serialize)]
pub struct RunOptions {
    pub format: Option<String>,
    pub internal: Vec<String>,
    pub tz: String,
    pub year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leavers: Option<String>,
    pub review_max_age_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<String>,
    /// True under `--pseudonymize` (the key itself is never recorded).
    pub pseudonymized: bool,
}

/// First and last record time, RFC 3339, over all parsed records.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Window {
    pub first: Option<String>,
    pub last: Option<String>,
}

impl Run {
    pub fn lines(&self) -> (u64, u64, u64, u64) {
        self.files.iter().fold((0, 0, 0, 0), |(l, p, i, s), f| {
            (l + f.stats.lines, p + f.stats.parsed, i + f.stats.ignored, s + f.stats.skipped)
        })
    }
}

/// A finding's lists, joined for a single cell.
pub fn join(v: &[String]) -> String {
    v.join(";")
}

/// Redacts credentials ([`crate::redact::redact`]) in every text field of
/// every finding: a last line of defence, so that no report can carry a
/// secret even if a later stage quotes log text in a new place.
pub fn scrub(findings: &mut [Finding]) {
    fn one(s: &mut String) {
        if let std::borrow::Cow::Owned(r) = crate::redact::redact(s) {
            *s = r;
        }
    }
    for f in findings {
        for s in [
            &mut f.finding_id,
            &mut f.destination,
            &mut f.service,
            &mut f.schedule,
            &mut f.inventory_id,
            &mut f.owner,
        ] {
            one(s);
        }
        for v in [&mut f.source, &mut f.users, &mut f.user_agents, &mut f.flags, &mut f.evidence] {
            v.iter_mut().for_each(one);
        }
    }
}

/// The report document: run information and findings.
#[derive(Serialize)]
pub struct Document<'a> {
    pub run: &'a Run,
    pub findings: &'a [Finding],
}
