//! Findings: the rows of the risk register, built from merged channels.

use crate::aggregate::{Aggregate, CappedSet, ChannelKey, ChannelStats, Dest};
use crate::background::{self, Prevalence};
use crate::fingerprint::agent::AgentClass;
use crate::fingerprint::risk::{self, RiskInput};
use crate::fingerprint::{self, Fingerprint};
use crate::record::Scheme;
use crate::time::rfc3339;
use ahash::AHashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

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
    /// Keep background findings in the output (`--show-background`).
    /// Without it they are only counted ([`Built::hidden_background`]),
    /// and their channels are fingerprinted only as far as the count needs.
    pub show_background: bool,
    pub prevalence: Prevalence,
}

/// Findings and how many background findings were left out.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub findings: Vec<Finding>,
    pub hidden_background: usize,
}

/// Builds the findings, sorted by risk (descending), then finding_id.
/// Background findings are left out unless `opts.show_background`.
pub fn build(agg: &Aggregate, opts: &BuildOptions) -> Vec<Finding> {
    build_all(agg, opts).findings
}

/// Why a destination is background.
enum BackgroundReason {
    Catalogue(background::Entry),
    Prevalence(usize),
}

/// Grouping key: channels with equal keys become one finding. Background
/// channels group by destination and port alone; others also need the same
/// schedule (cluster nodes running the same job).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct GroupKey {
    dest: u32,
    port: u16,
    background: bool,
    schedule: String,
    period: Option<u64>,
}

/// Fingerprints every channel (in parallel), drops people's browsing,
/// marks fleet background, groups clusters, and scores risk.
pub fn build_all(agg: &Aggregate, opts: &BuildOptions) -> Built {
    let channels = agg.sorted_channels();

    // Prevalence: distinct internal sources per destination, over all channels.
    let mut pairs: Vec<(u32, IpAddr)> = channels.iter().map(|(k, _)| (k.dest, k.src)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut per_dest: AHashMap<u32, usize> = AHashMap::new();
    for (d, _) in &pairs {
        *per_dest.entry(*d).or_insert(0) += 1;
    }
    let mut sources: Vec<IpAddr> = pairs.iter().map(|(_, s)| *s).collect();
    sources.sort_unstable();
    sources.dedup();
    let total_sources = sources.len();
    let reason = |k: &ChannelKey| -> Option<BackgroundReason> {
        if let Some(Dest::Host(h)) = agg.dest(k) {
            if let Some(e) = background::lookup(h) {
                return Some(BackgroundReason::Catalogue(e));
            }
        }
        let n = per_dest.get(&k.dest).copied().unwrap_or(0);
        opts.prevalence
            .is_background(n, total_sources)
            .then_some(BackgroundReason::Prevalence(n))
    };

    // Whether each channel's destination is background (channels of one
    // destination are adjacent: it is looked up once per destination).
    let mut background: Vec<bool> = Vec::with_capacity(channels.len());
    let mut last: Option<(u32, bool)> = None;
    for (k, _) in &channels {
        let bg = match last {
            Some((d, bg)) if d == k.dest => bg,
            _ => reason(k).is_some(),
        };
        last = Some((k.dest, bg));
        background.push(bg);
    }
    let hidden = |i: usize| !opts.show_background && background.get(i).copied().unwrap_or(false);

    // Only automated channels need all of their fingerprint: most are a
    // person's, and the period is the dearest part. Hidden background
    // needs none of it (below).
    let fps: Vec<Option<Fingerprint>> = channels
        .par_iter()
        .enumerate()
        .map(|(i, (_, s))| {
            if hidden(i) {
                None
            } else {
                fingerprint::finding(s, &opts.fingerprint)
            }
        })
        .collect();

    let mut out = Built::default();
    // A hidden background finding is only counted: one per destination and
    // port that has an automated channel. Its channels (adjacent, in
    // sorted order) are fingerprinted only as far as that verdict, and
    // only until one is automated. Most of a proxy's channels are such
    // background.
    let mut hidden_groups: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, (k, _)) in channels.iter().enumerate() {
        if !hidden(i) {
            continue;
        }
        match hidden_groups.last_mut() {
            Some(r) if r.end == i && channels.get(r.start).is_some_and(|(f, _)| (f.dest, f.port) == (k.dest, k.port)) => r.end = i + 1,
            _ => hidden_groups.push(i..i + 1),
        }
    }
    out.hidden_background = hidden_groups
        .par_iter()
        .filter(|r| {
            channels
                .get((*r).clone())
                .unwrap_or_default()
                .iter()
                .any(|(_, s)| fingerprint::automated(s, &opts.fingerprint))
        })
        .count();

    let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
    for (i, ((key, _), fp)) in channels.iter().zip(&fps).enumerate() {
        let Some(fp) = fp else { continue };
        let bg = background.get(i).copied().unwrap_or(false);
        let gk = GroupKey {
            dest: key.dest,
            port: key.port,
            background: bg,
            schedule: if bg { String::new() } else { fp.schedule.clone() },
            period: if bg { None } else { fp.period_seconds },
        };
        groups.entry(gk).or_default().push(i);
    }

    for (gk, members) in groups {
        let Some(&first) = members.first() else { continue };
        let Some((key, _)) = channels.get(first) else { continue };
        let Some(dest) = agg.dest(key) else { continue };
        let group: Vec<(&ChannelKey, &ChannelStats, &Fingerprint)> = members
            .iter()
            .filter_map(|&i| Some((channels.get(i)?.0, channels.get(i)?.1, fps.get(i)?.as_ref()?)))
            .collect();
        let Some(&(_, _, rep)) = group.first() else { continue };
        let bg = if gk.background { reason(key) } else { None };
        out.findings.push(finding(dest, rep, &group, bg, total_sources));
    }
    sort(&mut out.findings);
    out
}

/// Sorts by risk (descending), then finding_id.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| b.risk.cmp(&a.risk).then_with(|| a.finding_id.cmp(&b.finding_id)));
}

/// The most common value (ties: the smallest).
fn mode<T: Ord + Clone>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_insert(0) += 1;
    }
    let max = counts.values().copied().max()?;
    counts.into_iter().find(|(_, c)| *c == max).map(|(v, _)| v)
}

/// One finding from a non-empty group of channels; `rep` is the first
/// member's fingerprint, whose evidence the finding shows.
fn finding(
    dest: &Dest,
    rep: &Fingerprint,
    group: &[(&ChannelKey, &ChannelStats, &Fingerprint)],
    bg: Option<BackgroundReason>,
    total_sources: usize,
) -> Finding {
    let mut ips: Vec<IpAddr> = group.iter().map(|(k, _, _)| k.src).collect();
    ips.sort_unstable();
    ips.dedup();
    let source: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
    let destination = dest.to_string();
    let port = group.first().map(|(k, _, _)| k.port).filter(|&p| p != 0);

    // Totals over the group's channels.
    let (mut connections, mut runs, mut bytes_out, mut bytes_in, mut denied) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut first_ms, mut last_ms) = (i64::MAX, i64::MIN);
    let (mut users, mut agents, mut services, mut cred_params) = (
        CappedSet::default(),
        CappedSet::default(),
        CappedSet::default(),
        CappedSet::default(),
    );
    let (mut cred_hits, mut schemes) = (0u64, 0u8);
    let mut off_weighted = 0.0;
    for (_, s, fp) in group {
        connections += s.connections;
        runs += fp.runs;
        bytes_out += s.bytes_out;
        bytes_in += s.bytes_in;
        denied += s.denied;
        first_ms = first_ms.min(s.first_ms);
        last_ms = last_ms.max(s.last_ms);
        users.merge_from(&s.users);
        agents.merge_from(&s.agents);
        services.merge_from(&s.services);
        cred_params.merge_from(&s.credential_params);
        cred_hits += s.credential_hits;
        schemes |= s.schemes;
        off_weighted += fp.off_hours * fp.runs as f64;
    }
    let off_hours = off_weighted / runs.max(1) as f64;
    let schedule = mode(group.iter().map(|(_, _, fp)| fp.schedule.as_str()))
        .unwrap_or_default()
        .to_string();
    let period_seconds = mode(group.iter().map(|(_, _, fp)| fp.period_seconds)).flatten();

    let saw = |sch: Scheme| schemes & (1 << (sch as u8)) != 0;
    let cleartext = if saw(Scheme::Http) {
        Some("http".to_string())
    } else if saw(Scheme::Ftp) {
        Some("ftp".to_string())
    } else {
        port.filter(|p| matches!(p, 21 | 23 | 80)).map(|p| format!("port {p}"))
    };
    let direct_ip = matches!(dest, Dest::Ip(_));
    let disguised = rep.agent == AgentClass::Browser;
    let upload = (bytes_out >= 1_000_000 && bytes_out >= 2 * bytes_in).then_some((bytes_out, bytes_in));

    let mut flags = Vec::new();
    if cred_hits > 0 {
        flags.push("credential_in_url".to_string());
    }
    if cleartext.is_some() {
        flags.push("cleartext".to_string());
    }
    if direct_ip {
        flags.push("direct_ip".to_string());
    }
    if upload.is_some() {
        flags.push("upload_heavy".to_string());
    }
    if disguised {
        flags.push("disguised_browser".to_string());
    }

    let mut evidence = Vec::new();
    if group.len() > 1 {
        evidence.push(format!("sources: {} hosts with the same schedule ({schedule})", ips.len()));
    }
    if let Some(&(_, rep_stats, _)) = group.first() {
        evidence.extend(fingerprint::evidence(rep, rep_stats));
    }
    if cred_hits > 0 {
        evidence.push(format!(
            "credential in URL: {} request(s), parameter(s) {} (values redacted)",
            cred_hits,
            cred_params.to_vec().join(",")
        ));
    }
    let (status, risk) = match &bg {
        Some(reason) => {
            evidence.push(match reason {
                BackgroundReason::Catalogue(e) => {
                    format!("background: catalogue entry {} (group {}: {})", e.domain, e.group, e.description)
                }
                BackgroundReason::Prevalence(n) => format!(
                    "background: reached by {n} of {total_sources} internal sources ({:.0}%)",
                    *n as f64 * 100.0 / total_sources.max(1) as f64
                ),
            });
            evidence.push("risk 0: background traffic is not scored".into());
            (Status::Background, 0)
        }
        None => {
            let r = risk::assess(&RiskInput {
                credential_params: cred_params.to_vec(),
                cleartext,
                off_hours_share: off_hours,
                upload,
                direct_ip,
                disguised_browser: disguised,
                port,
                denied_share: denied as f64 / connections.max(1) as f64,
            });
            evidence.extend(r.evidence());
            (Status::Undocumented, r.score)
        }
    };
    let service = services.iter().next().unwrap_or_default().to_string();
    Finding {
        finding_id: finding_id(&source, &destination, port),
        status,
        source,
        destination,
        port,
        service,
        first_seen: rfc3339(first_ms),
        last_seen: rfc3339(last_ms),
        connections,
        runs,
        bytes_out,
        bytes_in,
        schedule,
        period_seconds,
        users: users.to_vec(),
        user_agents: agents.to_vec(),
        risk,
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
