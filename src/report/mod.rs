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
}

/// Options that shape the results (recorded so a run can be reproduced).
#[derive(Debug, Clone, Serialize)]
pub struct RunOptions {
    pub format: Option<String>,
    pub internal: Vec<String>,
    pub tz: String,
    pub year: Option<i32>,
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

/// The report document: run information and findings.
#[derive(Serialize)]
pub struct Document<'a> {
    pub run: &'a Run,
    pub findings: &'a [Finding],
}
