//! Behavioural fingerprint of one channel: runs, period, schedule, evidence.
//!
//! This first version coalesces requests into runs with a fixed gap and
//! takes the median gap between runs as the period.

use crate::aggregate::ChannelStats;

/// Tuning for fingerprinting.
#[derive(Debug, Clone)]
pub struct Options {
    /// Requests closer than this (seconds) belong to the same run.
    pub run_gap_s: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options { run_gap_s: 60 }
    }
}

/// What fingerprinting concluded about a channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fingerprint {
    pub runs: u64,
    pub period_seconds: Option<u64>,
    pub schedule: String,
    /// True when the channel looks machine-driven (a finding).
    pub automated: bool,
    pub risk: u32,
    /// Readable signals, one per entry.
    pub evidence: Vec<String>,
}

/// Fingerprints one channel.
pub fn fingerprint(s: &ChannelStats, opts: &Options) -> Fingerprint {
    let mut starts: Vec<i64> = Vec::new();
    let mut last: Option<i64> = None;
    for t in s.times.seconds() {
        if last.is_none_or(|l| t - l > opts.run_gap_s) {
            starts.push(t);
        }
        last = Some(t);
    }
    let mut gaps: Vec<i64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_unstable();
    let period = if starts.len() >= 3 {
        gaps.get(gaps.len() / 2).copied()
    } else {
        None
    };
    let schedule = match period {
        Some(p) => format!("every {}", human_duration(p)),
        None => "irregular".to_string(),
    };
    let mut evidence = vec![format!("runs: {} over {} request(s)", starts.len(), s.connections)];
    if let Some(p) = period {
        evidence.push(format!("median gap between runs: {p}s"));
    }
    Fingerprint {
        runs: starts.len() as u64,
        period_seconds: period.map(|p| p as u64),
        schedule,
        automated: true,
        risk: 10,
        evidence,
    }
}

/// `90` → `1m30s`, `3600` → `1h`, `86400` → `1d`.
pub fn human_duration(s: i64) -> String {
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let mut out = String::new();
    for (v, u) in [(d, "d"), (h, "h"), (m, "m"), (sec, "s")] {
        if v > 0 {
            out.push_str(&format!("{v}{u}"));
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}
