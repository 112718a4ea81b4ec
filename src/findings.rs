//! Findings: the rows of the risk register, built from merged channels.

use crate::aggregate::{Aggregate, ChannelKey, ChannelStats, Dest};
use crate::fingerprint::{self, Fingerprint};
use crate::record::Scheme;
use crate::time::rfc3339;
use serde::{Deserialize, Serialize};

/// Where a finding stands against the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Documented,
    Undocumented,
    Orphaned,
    Stale,
    Background,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Documented => "documented",
            Status::Undocumented => "undocumented",
            Status::Orphaned => "orphaned",
            Status::Stale => "stale",
            Status::Background => "background",
        }
    }
}

/// How a finding compares with an earlier run (`--baseline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Unchanged,
    Changed,
    /// In the baseline, not in this run.
    Gone,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Unchanged => "unchanged",
            Change::Changed => "changed",
            Change::Gone => "gone",
        }
    }
}

/// The register's columns, in order. A contract with users' spreadsheets:
/// add at the end, never rename or reorder.
pub const REGISTER_COLUMNS: [&str; 22] = [
    "finding_id",
    "status",
    "source",
    "destination",
    "port",
    "service",
    "first_seen",
    "last_seen",
    "connections",
    "runs",
    "bytes_out",
    "bytes_in",
    "schedule",
    "period_seconds",
    "users",
    "user_agents",
    "risk",
    "flags",
    "inventory_id",
    "owner",
    "evidence",
    "change",
];

/// One register row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub finding_id: String,
    pub status: Status,
    pub source: Vec<String>,
    pub destination: String,
    pub port: Option<u16>,
    pub service: String,
    pub first_seen: String,
    pub last_seen: String,
    pub connections: u64,
    pub runs: u64,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub schedule: String,
    pub period_seconds: Option<u64>,
    pub users: Vec<String>,
    pub user_agents: Vec<String>,
    pub risk: u32,
    pub flags: Vec<String>,
    pub inventory_id: String,
    pub owner: String,
    pub evidence: Vec<String>,
    /// Against `--baseline`; empty without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

/// A stable short id for a (sources, destination, port) triple: FNV-1a 64
/// over the canonical text, shown as 12 hex digits behind `S-`. The same
/// sources, destination and port give the same id in every run.
pub fn finding_id(sources: &[String], destination: &str, port: Option<u16>) -> String {
    let mut sorted: Vec<&str> = sources.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let text = format!(
        "{}|{}|{}",
        sorted.join(";"),
        destination,
        port.map_or(String::new(), |p| p.to_string())
    );
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("S-{:012x}", h >> 16)
}

/// Options for building findings.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub fingerprint: fingerprint::Options,
}

/// Builds one finding per channel that fingerprinting calls automated,
/// sorted by risk (descending), then finding_id.
pub fn build(agg: &Aggregate, opts: &BuildOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    for (key, stats) in agg.sorted_channels() {
        let Some(dest) = agg.dest(key) else { continue };
        let fp = fingerprint::fingerprint(stats, &opts.fingerprint);
        if !fp.automated {
            continue;
        }
        out.push(finding(key, dest, stats, &fp));
    }
    sort(&mut out);
    out
}

/// Sorts by risk (descending), then finding_id.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| b.risk.cmp(&a.risk).then_with(|| a.finding_id.cmp(&b.finding_id)));
}

fn finding(key: &ChannelKey, dest: &Dest, s: &ChannelStats, fp: &Fingerprint) -> Finding {
    let source = vec![key.src.to_string()];
    let destination = dest.to_string();
    let port = if key.port == 0 { None } else { Some(key.port) };
    let mut flags = Vec::new();
    if s.credential_hits > 0 {
        flags.push("credential_in_url".to_string());
    }
    if s.saw_scheme(Scheme::Http) || s.saw_scheme(Scheme::Ftp) || matches!(port, Some(21) | Some(23) | Some(80)) {
        flags.push("cleartext".to_string());
    }
    if matches!(dest, Dest::Ip(_)) {
        flags.push("direct_ip".to_string());
    }
    let mut evidence = fp.evidence.clone();
    if s.credential_hits > 0 {
        evidence.push(format!(
            "credential in URL: {} request(s), parameter(s) {} (values redacted)",
            s.credential_hits,
            s.credential_params.to_vec().join(",")
        ));
    }
    Finding {
        finding_id: finding_id(&source, &destination, port),
        status: Status::Undocumented,
        source,
        destination,
        port,
        service: s.services.iter().next().unwrap_or_default().to_string(),
        first_seen: rfc3339(s.first_ms),
        last_seen: rfc3339(s.last_ms),
        connections: s.connections,
        runs: fp.runs,
        bytes_out: s.bytes_out,
        bytes_in: s.bytes_in,
        schedule: fp.schedule.clone(),
        period_seconds: fp.period_seconds,
        users: s.users.to_vec(),
        user_agents: s.agents.to_vec(),
        risk: fp.risk,
        flags,
        inventory_id: String::new(),
        owner: String::new(),
        evidence,
        change: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_order_free() {
        let a = finding_id(&["10.0.0.2".into(), "10.0.0.1".into()], "api.example.com", Some(443));
        let b = finding_id(&["10.0.0.1".into(), "10.0.0.2".into()], "api.example.com", Some(443));
        assert_eq!(a, b);
        assert_eq!(a.len(), 14);
        assert_ne!(a, finding_id(&["10.0.0.1".into()], "api.example.com", Some(443)));
        assert_ne!(a, finding_id(&["10.0.0.2".into(), "10.0.0.1".into()], "api.example.com", None));
    }
}
