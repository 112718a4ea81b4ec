//! Scoring seam's findings against a world's labels: recall, precision,
//! period accuracy (within 10 %), schedule text, background labelling, and
//! that no browsing destination became a finding.

use super::{IntegrationLabel, Labels, World};
use crate::findings::{self, BuildOptions, Built, Finding, Status};
use crate::fingerprint;
use crate::scan::{self, ScanOptions};
use crate::time::Zone;
use std::fmt::Write as _;
use std::path::Path;

/// Scans the logs of a world written to `dir` the way `seam scan --tz
/// <world tz> --show-background` would, and returns the findings.
pub fn scan_world(dir: &Path, labels: &Labels) -> std::io::Result<Built> {
    let zone = Zone::parse(&labels.tz).map_err(std::io::Error::other)?;
    let sources = crate::input::expand(&[World::logs_dir(dir)])?;
    let opts = ScanOptions {
        zone,
        ..ScanOptions::default()
    };
    let result = scan::scan(&sources, &opts);
    if let Some((path, err)) = result.errors().next() {
        return Err(std::io::Error::other(format!("{path}: {err}")));
    }
    let build = BuildOptions {
        fingerprint: fingerprint::Options {
            zone,
            window: result.agg.traffic.first_ms.zip(result.agg.traffic.last_ms),
        },
        show_background: true,
        ..BuildOptions::default()
    };
    Ok(findings::build_all(&result.agg, &build))
}

/// How a planted integration fared.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub label: IntegrationLabel,
    /// A non-background finding for the destination and port exists.
    pub found: bool,
    pub sources_ok: bool,
    pub period_ok: bool,
    pub schedule_ok: bool,
    pub flags_ok: bool,
    pub got_schedule: String,
    pub got_period: Option<u64>,
}

/// The figures for one world.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub outcomes: Vec<Outcome>,
    /// Non-background findings that match no planted integration.
    pub false_findings: Vec<String>,
    /// Findings (any status) on destinations only people browse.
    pub browsing_findings: Vec<String>,
    /// Background destinations that are missing as `background` or that
    /// also appear with another status.
    pub background_errors: Vec<String>,
    pub background_total: usize,
}

/// The schedule text without a trailing ` ±…` jitter part.
pub fn without_jitter(s: &str) -> &str {
    s.split(" ±").next().unwrap_or(s)
}

impl Evaluation {
    /// Share of planted integrations found as a finding with the right sources.
    pub fn recall(&self) -> f64 {
        ratio(
            self.outcomes.iter().filter(|o| o.found && o.sources_ok).count(),
            self.outcomes.len(),
        )
    }

    /// Share of non-background findings that are planted integrations.
    pub fn precision(&self) -> f64 {
        let tp = self.outcomes.iter().filter(|o| o.found).count();
        ratio(tp, tp + self.false_findings.len())
    }

    /// Share of planted integrations whose period is within 10 % (or that
    /// are event-driven and got none).
    pub fn period_accuracy(&self) -> f64 {
        ratio(self.outcomes.iter().filter(|o| o.period_ok).count(), self.outcomes.len())
    }

    pub fn schedule_accuracy(&self) -> f64 {
        ratio(self.outcomes.iter().filter(|o| o.schedule_ok).count(), self.outcomes.len())
    }

    /// True when everything is as planted.
    pub fn perfect(&self) -> bool {
        self.outcomes
            .iter()
            .all(|o| o.found && o.sources_ok && o.period_ok && o.schedule_ok && o.flags_ok)
            && self.false_findings.is_empty()
            && self.browsing_findings.is_empty()
            && self.background_errors.is_empty()
    }

    /// A readable report of everything that is not as planted.
    pub fn problems(&self) -> String {
        let mut s = String::new();
        for o in &self.outcomes {
            if !(o.found && o.sources_ok && o.period_ok && o.schedule_ok && o.flags_ok) {
                let _ = writeln!(
                    s,
                    "  {} {}:{} want {:?} {:?} got {:?} {:?} (found {}, sources {}, flags {})",
                    o.label.kind,
                    o.label.destination,
                    o.label.port,
                    o.label.schedule,
                    o.label.period_seconds,
                    o.got_schedule,
                    o.got_period,
                    o.found,
                    o.sources_ok,
                    o.flags_ok
                );
            }
        }
        for f in &self.false_findings {
            let _ = writeln!(s, "  false finding: {f}");
        }
        for f in &self.browsing_findings {
            let _ = writeln!(s, "  browsing as finding: {f}");
        }
        for f in &self.background_errors {
            let _ = writeln!(s, "  background: {f}");
        }
        s
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn describe(f: &Finding) -> String {
    format!(
        "{} {} -> {}:{} {} [{}]",
        f.status.as_str(),
        f.source.join(";"),
        f.destination,
        f.port.unwrap_or(0),
        f.schedule,
        f.user_agents.join(" | ")
    )
}

/// Scores `findings` (built with background shown) against `labels`.
pub fn evaluate(labels: &Labels, findings: &[Finding]) -> Evaluation {
    let mut ev = Evaluation {
        background_total: labels.background.len(),
        ..Evaluation::default()
    };
    let matches = |f: &Finding, dest: &str, port: u16| f.destination == dest && f.port == Some(port);
    for l in &labels.integrations {
        let hit = findings
            .iter()
            .find(|f| f.status != Status::Background && matches(f, &l.destination, l.port));
        let outcome = match hit {
            None => Outcome {
                label: l.clone(),
                found: false,
                sources_ok: false,
                period_ok: false,
                schedule_ok: false,
                flags_ok: false,
                got_schedule: String::new(),
                got_period: None,
            },
            Some(f) => {
                let mut got = f.source.clone();
                got.sort();
                let period_ok = match (l.period_seconds, f.period_seconds) {
                    (Some(want), Some(got)) => (got as f64 - want as f64).abs() <= 0.1 * want as f64,
                    (None, None) => true,
                    _ => false,
                };
                Outcome {
                    label: l.clone(),
                    found: true,
                    sources_ok: got == l.sources,
                    period_ok,
                    schedule_ok: without_jitter(&f.schedule) == without_jitter(&l.schedule),
                    flags_ok: l.flags.iter().all(|x| f.flags.contains(x)),
                    got_schedule: f.schedule.clone(),
                    got_period: f.period_seconds,
                }
            }
        };
        ev.outcomes.push(outcome);
    }
    let mut used = vec![false; labels.integrations.len()];
    for f in findings {
        if labels.browsing.contains(&f.destination) {
            ev.browsing_findings.push(describe(f));
            continue;
        }
        if f.status == Status::Background {
            continue;
        }
        let planted = labels.integrations.iter().position(|l| matches(f, &l.destination, l.port));
        let bg_label = labels.background.iter().any(|b| matches(f, &b.destination, b.port));
        if bg_label {
            ev.background_errors
                .push(format!("labelled {} instead of background: {}", f.status.as_str(), describe(f)));
        } else {
            match planted.and_then(|i| used.get_mut(i)) {
                Some(u) if !*u => *u = true,
                Some(_) => ev
                    .false_findings
                    .push(format!("second finding for a planted integration: {}", describe(f))),
                None => ev.false_findings.push(describe(f)),
            }
        }
    }
    for b in &labels.background {
        let ok = findings
            .iter()
            .any(|f| f.status == Status::Background && matches(f, &b.destination, b.port));
        if !ok {
            ev.background_errors
                .push(format!("no background finding for {}:{} ({})", b.destination, b.port, b.reason));
        }
    }
    ev
}
