//! Reconciliation: compares the findings with the integration inventory and
//! the leavers list, and sets each finding's status, flags, inventory id,
//! owner, evidence and risk. Runs after [`crate::findings::build`].
//!
//! Statuses:
//! - `documented`: the best-matching inventory row is active (and, if it
//!   has an `end_date`, no traffic came after it).
//! - `undocumented`: no row explains an automated finding.
//! - `orphaned`: the best-matching row is decommissioned (or retired,
//!   ended, inactive), or traffic came after the row's `end_date`. The
//!   evidence names the first and last flow after the end.
//! - `stale`: an active row without matching traffic, when the scanned
//!   window covers at least two expected runs; otherwise the
//!   [`Summary`] lists the row as "window too short to tell".
//! - `background` findings keep their status unless a row matches them.
//!
//! Every change to the risk score is written to the evidence as
//! `risk +N: reason` (or `risk -N: reason`); the score stays within 0–100.
//!
//! Dates are judged against the end of the scanned window in the `--tz`
//! zone, never the clock, so the same input gives the same register on any
//! day.

use crate::aggregate::{Aggregate, ChannelStats};
use crate::findings::{finding_id, Finding, Status};
use crate::inventory::{Frequency, Inventory, Row, RowStatus, SourceFit};
use crate::time::{rfc3339, Zone};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::net::IpAddr;
use std::path::Path;

/// Risk contributions, one per status or flag this stage sets.
pub mod risk {
    pub const UNDOCUMENTED: i32 = 20;
    pub const ORPHANED: i32 = 30;
    pub const DOCUMENTED: i32 = -10;
    pub const STALE: i32 = 10;
    pub const DEPARTED_ACCOUNT: i32 = 30;
    pub const NO_OWNER: i32 = 10;
    pub const REVIEW_OVERDUE: i32 = 5;
    pub const SCHEDULE_DRIFT: i32 = 5;
    pub const UNEXPECTED_SOURCE: i32 = 15;
    pub const UNEXPECTED_PORT: i32 = 10;
}

/// A schedule differs when the observed period is off by more than this
/// share of the expected one (and by more than [`DRIFT_MIN_S`]).
pub const DRIFT_SHARE: f64 = 0.25;
pub const DRIFT_MIN_S: u64 = 120;
/// A `continuous` integration drifts when its runs are this far apart.
pub const CONTINUOUS_MAX_PERIOD_S: u64 = 3600;
/// A daily run at a named time drifts when it starts this far from it.
pub const TIME_OF_DAY_TOLERANCE_S: i64 = 3600;

/// Values the `owner` column uses for "nobody".
const NO_OWNER_WORDS: &[&str] = &["", "-", "n/a", "na", "none", "tbd", "tba", "unknown", "?", "nobody", "vacant"];

/// The accounts of people who left (`--leavers FILE`, one per line).
///
/// Matching ignores case and the domain: `CORP\jdoe`, `jdoe@corp.example`
/// and `jdoe` are the same account, both in the file and in the logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Leavers {
    accounts: BTreeSet<String>,
}

/// `CORP\jdoe`, `jdoe@corp.example.com`, `JDoe` → `jdoe`.
pub fn bare_account(user: &str) -> String {
    let u = user.trim();
    let u = u.rsplit('\\').next().unwrap_or(u);
    let u = u.split('@').next().unwrap_or(u);
    u.trim().to_lowercase()
}

impl Leavers {
    /// One account per line; blank lines and lines starting with `#` are
    /// skipped.
    pub fn parse(text: &str) -> Leavers {
        let accounts = text
            .lines()
            .map(|l| l.trim_start_matches('\u{feff}').trim())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(bare_account)
            .filter(|a| !a.is_empty())
            .collect();
        Leavers { accounts }
    }

    pub fn load(path: &Path) -> std::io::Result<Leavers> {
        let data = std::fs::read(path)?;
        match std::str::from_utf8(&data) {
            Ok(t) => Ok(Leavers::parse(t)),
            Err(e) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not UTF-8 text (first bad byte at offset {})", e.valid_up_to()),
            )),
        }
    }

    pub fn contains(&self, user: &str) -> bool {
        !self.accounts.is_empty() && self.accounts.contains(&bare_account(user))
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

/// What reconciliation needs besides the findings.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub inventory: Option<&'a Inventory>,
    pub leavers: Option<&'a Leavers>,
    /// `--review-max-age` in days.
    pub review_max_age_days: u32,
    /// `--tz`: the zone of inventory dates and times of day.
    pub zone: Zone,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            inventory: None,
            leavers: None,
            review_max_age_days: 365,
            zone: Zone::default(),
        }
    }
}

/// An active row without traffic that the window cannot judge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TooShort {
    pub inventory_id: String,
    pub frequency: String,
    /// Window length needed to expect two runs.
    pub needs_seconds: u64,
}

/// What reconciliation found, for the summary and the JSON `run` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub inventory_rows: usize,
    pub active_rows: usize,
    pub ended_rows: usize,
    /// Rows that some traffic matched.
    pub rows_with_traffic: usize,
    /// Length of the scanned window (first to last record).
    pub window_seconds: u64,
    /// The date reviews and end dates are judged against (end of window).
    pub reference_date: Option<String>,
    pub review_max_age_days: u32,
    /// Ids of active rows reported stale.
    pub stale: Vec<String>,
    /// Active rows without traffic whose frequency needs a longer window.
    pub too_short: Vec<TooShort>,
    /// Active rows without traffic and without a schedule (`on demand`):
    /// no traffic is expected, so they cannot be called stale.
    pub unscheduled_without_traffic: Vec<String>,
    /// Active rows whose `end_date` came before the window: not expected.
    pub ended_before_window: Vec<String>,
    pub leavers: usize,
}

/// The traffic behind one finding.
#[derive(Debug, Default)]
struct Observed {
    sources: Vec<IpAddr>,
    host: Option<String>,
    ips: Vec<IpAddr>,
    /// Request times in seconds, sorted.
    times: Vec<i64>,
    first_ms: Option<i64>,
    last_ms: Option<i64>,
}

/// Channels by (destination text, port).
type ChannelIndex<'a> = BTreeMap<(String, u16), Vec<(IpAddr, &'a ChannelStats)>>;

/// The channels of the findings' (destination, port) pairs (what
/// [`observe`] reads; the order within a pair does not matter to it).
fn index<'a>(agg: &'a Aggregate, findings: &[Finding]) -> ChannelIndex<'a> {
    let mut m: ChannelIndex<'_> = findings
        .iter()
        .map(|f| ((f.destination.clone(), f.port.unwrap_or(0)), Vec::new()))
        .collect();
    let wanted: ahash::AHashSet<&str> = findings.iter().map(|f| f.destination.as_str()).collect();
    let mut name = String::new();
    for (k, s) in &agg.channels {
        let Some(d) = agg.dest(k) else { continue };
        name.clear();
        let _ = write!(name, "{d}");
        if !wanted.contains(name.as_str()) {
            continue;
        }
        if let Some(v) = m.get_mut(&(name.clone(), k.port)) {
            v.push((k.src, &**s));
        }
    }
    m
}

fn parse_time(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp_millis())
}

fn observe(f: &Finding, idx: &ChannelIndex<'_>) -> Observed {
    let sources: Vec<IpAddr> = f.source.iter().filter_map(|s| s.parse().ok()).collect();
    let dest_ip: Option<IpAddr> = f.destination.parse().ok();
    let mut o = Observed {
        host: match dest_ip {
            Some(_) => None,
            None => Some(f.destination.trim_end_matches('.').to_ascii_lowercase()),
        },
        ips: dest_ip.into_iter().collect(),
        ..Observed::default()
    };
    let empty = Vec::new();
    let all = idx.get(&(f.destination.clone(), f.port.unwrap_or(0))).unwrap_or(&empty);
    let mine: Vec<&(IpAddr, &ChannelStats)> = all.iter().filter(|(src, _)| sources.contains(src)).collect();
    let chans: Vec<&(IpAddr, &ChannelStats)> = if mine.is_empty() { all.iter().collect() } else { mine };
    let mut seen_src = BTreeSet::new();
    for (src, s) in chans {
        seen_src.insert(*src);
        o.ips.extend(s.dst_ips.iter().copied());
        o.times.extend(s.times.seconds());
        if s.connections > 0 {
            o.first_ms = Some(o.first_ms.map_or(s.first_ms, |t| t.min(s.first_ms)));
            o.last_ms = Some(o.last_ms.map_or(s.last_ms, |t| t.max(s.last_ms)));
        }
    }
    o.sources = if sources.is_empty() {
        seen_src.into_iter().collect()
    } else {
        sources
    };
    o.ips.sort_unstable();
    o.ips.dedup();
    o.times.sort_unstable();
    o.times.dedup();
    // A finding built without channel data (tests, saved state): its own times.
    if o.first_ms.is_none() {
        o.first_ms = parse_time(&f.first_seen);
        o.last_ms = parse_time(&f.last_seen);
    }
    o
}

/// The row that best explains a finding and how well it fits.
struct Match<'a> {
    row: &'a Row,
    source: SourceFit,
    port_ok: bool,
}

fn best_row<'a>(inv: &'a Inventory, o: &Observed, port: Option<u16>) -> Option<Match<'a>> {
    inv.rows
        .iter()
        .filter_map(|row| {
            let spec = row.dest_match(o.host.as_deref(), &o.ips)?;
            let source = row.source_fit(&o.sources);
            let port_ok = row.port_ok(port);
            let src_ok = !matches!(source, SourceFit::Unlisted(_));
            let rank = (src_ok, port_ok, spec, row.status == RowStatus::Active, std::cmp::Reverse(row.line));
            Some((rank, Match { row, source, port_ok }))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, m)| m)
}

/// UTC ms of the local midnight that starts `d`.
fn day_start_ms(d: NaiveDate, zone: &Zone) -> i64 {
    let local = d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp());
    zone.local_to_utc(local) * 1000
}

/// The local date of a UTC instant.
fn local_date(ms: i64, zone: &Zone) -> Option<NaiveDate> {
    let s = ms.div_euclid(1000);
    let local = s + i64::from(zone.offset_at_utc(s));
    chrono::DateTime::from_timestamp(local, 0).map(|d| d.date_naive())
}

/// Flows on the end date still belong to the relationship; from the next
/// local midnight on they come after its end.
fn end_cutoff_ms(row: &Row, zone: &Zone) -> Option<i64> {
    row.end_date.and_then(|d| d.succ_opt()).map(|d| day_start_ms(d, zone))
}

fn add_flag(f: &mut Finding, flag: &str) {
    if !f.flags.iter().any(|x| x == flag) {
        f.flags.push(flag.to_string());
    }
}

/// Adds `delta` to the risk (within 0–100) and says why in the evidence.
pub fn add_risk(f: &mut Finding, delta: i32, reason: &str) {
    let new = (i64::from(f.risk) + i64::from(delta)).clamp(0, 100);
    f.risk = new as u32;
    let sign = if delta < 0 { '-' } else { '+' };
    f.evidence.push(format!("risk {sign}{}: {reason}", delta.unsigned_abs()));
}

fn human(s: u64) -> String {
    crate::fingerprint::human_duration(s.min(i64::MAX as u64) as i64)
}

fn no_owner(owner: &str) -> bool {
    NO_OWNER_WORDS.contains(&owner.trim().to_ascii_lowercase().as_str())
}

/// Context shared by every finding in one run.
struct Ctx<'a> {
    opts: &'a Options<'a>,
    reference: Option<NaiveDate>,
}

/// Reconciles `findings` in place (adding stale findings) and re-sorts
/// them by risk; returns the summary.
pub fn reconcile(findings: &mut Vec<Finding>, agg: &Aggregate, opts: &Options<'_>) -> Summary {
    let idx = if opts.inventory.is_some() {
        index(agg, findings)
    } else {
        ChannelIndex::new()
    };
    let (wfirst, wlast) = (agg.traffic.first_ms, agg.traffic.last_ms);
    let window_seconds = match (wfirst, wlast) {
        (Some(a), Some(b)) => u64::try_from((b - a) / 1000).unwrap_or(0),
        _ => 0,
    };
    let ctx = Ctx {
        opts,
        reference: wlast.and_then(|ms| local_date(ms, &opts.zone)),
    };
    let mut summary = Summary {
        window_seconds,
        reference_date: ctx.reference.map(|d| d.to_string()),
        review_max_age_days: opts.review_max_age_days,
        leavers: opts.leavers.map_or(0, Leavers::len),
        ..Summary::default()
    };
    let mut matched: BTreeSet<u64> = BTreeSet::new();
    for f in findings.iter_mut() {
        if let Some(inv) = opts.inventory {
            let o = observe(f, &idx);
            match best_row(inv, &o, f.port) {
                Some(m) => {
                    matched.insert(m.row.line);
                    apply_row(f, &m, &o, &ctx);
                }
                None if f.status == Status::Background => {}
                None => {
                    f.status = Status::Undocumented;
                    add_risk(f, risk::UNDOCUMENTED, "undocumented: no inventory row explains this traffic");
                }
            }
        }
        if let Some(leavers) = opts.leavers {
            let departed: Vec<String> = f.users.iter().filter(|u| leavers.contains(u)).cloned().collect();
            if !departed.is_empty() {
                add_flag(f, "departed_account");
                f.evidence
                    .push(format!("departed account: {} (on the leavers list)", departed.join(", ")));
                add_risk(f, risk::DEPARTED_ACCOUNT, "departed_account");
            }
        }
    }
    if let Some(inv) = opts.inventory {
        summary.inventory_rows = inv.rows.len();
        summary.active_rows = inv.active().count();
        summary.ended_rows = summary.inventory_rows - summary.active_rows;
        let channels = channel_views(agg);
        for row in inv.active() {
            if matched.contains(&row.line) || has_traffic(row, &channels) {
                matched.insert(row.line);
                continue;
            }
            if let (Some(end), Some(first)) = (end_cutoff_ms(row, &opts.zone), wfirst) {
                if end <= first {
                    summary.ended_before_window.push(row.id.clone());
                    continue;
                }
            }
            match row.frequency.period_seconds() {
                None => summary.unscheduled_without_traffic.push(row.id.clone()),
                Some(p) if window_seconds >= p.saturating_mul(2) => {
                    summary.stale.push(row.id.clone());
                    findings.push(stale_finding(row, wfirst, wlast, window_seconds, p));
                }
                Some(p) => summary.too_short.push(TooShort {
                    inventory_id: row.id.clone(),
                    frequency: row.frequency_text.clone(),
                    needs_seconds: p.saturating_mul(2),
                }),
            }
        }
        summary.rows_with_traffic = inv.rows.iter().filter(|r| matched.contains(&r.line)).count();
    }
    crate::findings::sort(findings);
    summary
}

/// A channel reduced to what row matching needs.
struct ChannelView {
    host: Option<String>,
    ips: Vec<IpAddr>,
    port: Option<u16>,
    src: IpAddr,
}

fn channel_views(agg: &Aggregate) -> Vec<ChannelView> {
    agg.channels
        .iter()
        .filter_map(|(k, s)| {
            let d = agg.dest(k)?;
            let (host, mut ips) = match d {
                crate::aggregate::Dest::Host(h) => (Some(h.clone()), Vec::new()),
                crate::aggregate::Dest::Ip(ip) => (None, vec![*ip]),
            };
            ips.extend(s.dst_ips.iter().copied());
            let port = if k.port == 0 { None } else { Some(k.port) };
            Some(ChannelView {
                host,
                ips,
                port,
                src: k.src,
            })
        })
        .collect()
}

/// True when any channel (automated or not) matches the row's
/// destination, sources and ports.
fn has_traffic(row: &Row, channels: &[ChannelView]) -> bool {
    channels.iter().any(|c| {
        row.dest_match(c.host.as_deref(), &c.ips).is_some()
            && !matches!(row.source_fit(&[c.src]), SourceFit::Unlisted(_))
            && row.port_ok(c.port)
    })
}

fn apply_row(f: &mut Finding, m: &Match<'_>, o: &Observed, ctx: &Ctx<'_>) {
    let row = m.row;
    let zone = &ctx.opts.zone;
    f.inventory_id = row.id.clone();
    f.owner = row.owner.clone();
    f.evidence.push(format!(
        "inventory: {} '{}' (line {}), {}",
        row.id,
        row.name,
        row.line,
        match row.status {
            RowStatus::Active => "active",
            RowStatus::Ended => "decommissioned",
        }
    ));
    // Orphaned: the relationship ended and the data still moves.
    let after_end: Option<(i64, i64)> = match (row.status, end_cutoff_ms(row, zone)) {
        (RowStatus::Ended, None) => o.first_ms.zip(o.last_ms),
        (_, Some(cut)) => match o.last_ms {
            Some(last) if last >= cut => {
                let first = o
                    .times
                    .iter()
                    .map(|s| s * 1000)
                    .find(|&t| t >= cut)
                    .or(o.first_ms.filter(|&t| t >= cut))
                    .unwrap_or(cut);
                Some((first, last))
            }
            _ => None,
        },
        (RowStatus::Active, None) => None,
    };
    let background = f.status == Status::Background;
    match after_end {
        Some((first, last)) => {
            f.status = Status::Orphaned;
            let why = match (row.status, row.end_date) {
                (_, Some(d)) => format!("end_date {d}"),
                (_, None) => "row is decommissioned".to_string(),
            };
            f.evidence.push(format!(
                "orphaned: traffic after the end ({why}): first flow after the end {}, last {}",
                rfc3339(first),
                rfc3339(last)
            ));
            add_risk(f, risk::ORPHANED, "orphaned: the relationship ended and the data still moves");
        }
        None => {
            f.status = Status::Documented;
            if let (RowStatus::Ended, Some(d)) = (row.status, row.end_date) {
                f.evidence
                    .push(format!("all matching traffic is on or before the row's end_date {d}"));
            }
            if !background {
                add_risk(f, risk::DOCUMENTED, "documented in the inventory");
            }
        }
    }
    if no_owner(&row.owner) {
        add_flag(f, "no_owner");
        f.evidence.push(format!("no owner: inventory row {} names none", row.id));
        add_risk(f, risk::NO_OWNER, "no_owner");
    }
    if let Some(reference) = ctx.reference {
        let max = i64::from(ctx.opts.review_max_age_days);
        let overdue = match row.last_reviewed {
            None => Some("never reviewed (last_reviewed is empty)".to_string()),
            Some(d) => {
                let age = (reference - d).num_days();
                (age > max).then(|| format!("last reviewed {d}, {age} days before {reference} (limit {max})"))
            }
        };
        if let Some(why) = overdue {
            add_flag(f, "review_overdue");
            f.evidence.push(format!("review overdue: {why}"));
            add_risk(f, risk::REVIEW_OVERDUE, "review_overdue");
        }
    }
    if let Some(why) = drift(row, f.period_seconds, o, zone) {
        add_flag(f, "schedule_drift");
        f.evidence.push(format!("schedule drift: {why}"));
        add_risk(f, risk::SCHEDULE_DRIFT, "schedule_drift");
    }
    match &m.source {
        SourceFit::Listed => {}
        SourceFit::Unverified => f.evidence.push(format!(
            "source not verified: the inventory names it by host name ({}); seam does not resolve names",
            row.source_text.join(";")
        )),
        SourceFit::Unlisted(ips) => {
            add_flag(f, "unexpected_source");
            f.evidence.push(format!(
                "unexpected source: {} not in the inventory's source {}",
                ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "),
                row.source_text.join(";")
            ));
            add_risk(f, risk::UNEXPECTED_SOURCE, "unexpected_source");
        }
    }
    if !m.port_ok {
        add_flag(f, "unexpected_port");
        f.evidence.push(format!(
            "unexpected port: {} (the inventory allows {})",
            f.port.map_or_else(String::new, |p| p.to_string()),
            row.ports_text()
        ));
        add_risk(f, risk::UNEXPECTED_PORT, "unexpected_port");
    }
}

/// Why the observed schedule differs from the row's frequency, if it does.
fn drift(row: &Row, observed: Option<u64>, o: &Observed, zone: &Zone) -> Option<String> {
    match row.frequency {
        Frequency::Irregular => None,
        Frequency::Continuous => observed
            .filter(|&p| p >= CONTINUOUS_MAX_PERIOD_S)
            .map(|p| format!("runs every {} ({p}s); the inventory says '{}'", human(p), row.frequency_text)),
        Frequency::Every { seconds: want, at } => {
            if let Some(p) = observed {
                let tol = ((want as f64 * DRIFT_SHARE) as u64).max(DRIFT_MIN_S);
                if p.abs_diff(want) > tol {
                    return Some(format!(
                        "runs every {} ({p}s); the inventory says '{}' ({want}s)",
                        human(p),
                        row.frequency_text
                    ));
                }
            }
            let (h, mi) = at?;
            if want != 86_400 {
                return None;
            }
            let start = time_of_day_offset(&o.times, zone, i64::from(h * 3600 + mi * 60))?;
            (start.abs() > TIME_OF_DAY_TOLERANCE_S).then(|| {
                let actual = (i64::from(h * 3600 + mi * 60) + start).rem_euclid(86_400);
                format!(
                    "runs start around {:02}:{:02} local time; the inventory says '{}'",
                    actual / 3600,
                    actual % 3600 / 60,
                    row.frequency_text
                )
            })
        }
    }
}

/// Median offset (seconds, -12h..12h) of each local day's first request
/// from the expected time of day; needs two days.
fn time_of_day_offset(times: &[i64], zone: &Zone, want: i64) -> Option<i64> {
    let mut first_per_day: BTreeMap<i64, i64> = BTreeMap::new();
    for &t in times {
        let local = t + i64::from(zone.offset_at_utc(t));
        first_per_day.entry(local.div_euclid(86_400)).or_insert(local.rem_euclid(86_400));
    }
    if first_per_day.len() < 2 {
        return None;
    }
    let mut offs: Vec<i64> = first_per_day
        .values()
        .map(|&tod| (tod - want + 43_200).rem_euclid(86_400) - 43_200)
        .collect();
    offs.sort_unstable();
    offs.get(offs.len() / 2).copied()
}

fn stale_finding(row: &Row, first: Option<i64>, last: Option<i64>, window_s: u64, period: u64) -> Finding {
    let destination = row.destination_text.join(";");
    let port = match row.ports.as_slice() {
        [p] if p.lo == p.hi => Some(p.lo),
        _ => None,
    };
    let source = row.source_text.clone();
    let mut f = Finding {
        finding_id: finding_id(&source, &destination, port),
        status: Status::Stale,
        source,
        destination,
        port,
        service: String::new(),
        first_seen: String::new(),
        last_seen: String::new(),
        connections: 0,
        runs: 0,
        bytes_out: 0,
        bytes_in: 0,
        schedule: format!("expected: {}", row.frequency_text),
        period_seconds: None,
        users: Vec::new(),
        user_agents: Vec::new(),
        risk: 0,
        flags: Vec::new(),
        inventory_id: row.id.clone(),
        owner: row.owner.clone(),
        evidence: vec![
            format!("inventory: {} '{}' (line {}), active", row.id, row.name, row.line),
            format!(
                "stale: no matching traffic (destination {}, ports {}) in the window {} .. {} ({}), where '{}' expects about {} run(s)",
                row.destination_text.join(";"),
                row.ports_text(),
                first.map_or_else(String::new, rfc3339),
                last.map_or_else(String::new, rfc3339),
                human(window_s),
                row.frequency_text,
                window_s / period.max(1)
            ),
        ],
        change: None,
    };
    add_risk(
        &mut f,
        risk::STALE,
        "stale: active in the inventory, no traffic; its credentials may still be live",
    );
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_account_forms() {
        for u in ["jdoe", "JDoe", "CORP\\jdoe", "jdoe@corp.example.com", " corp\\JDOE ", "a\\b\\jdoe"] {
            assert_eq!(bare_account(u), "jdoe", "{u}");
        }
        let l = Leavers::parse("\u{feff}# leavers\n\nCORP\\JDoe\r\nmsmith@corp.example.com\n");
        assert_eq!(l.len(), 2);
        assert!(l.contains("jdoe@corp.example.com") && l.contains("OTHERDOM\\msmith") && l.contains("msmith"));
        assert!(!l.contains("jdoe2") && !l.contains("") && !l.contains("corp"));
    }

    #[test]
    fn risk_is_clamped_and_explained() {
        let mut f = sample();
        f.risk = 95;
        add_risk(&mut f, 30, "x");
        assert_eq!(f.risk, 100);
        add_risk(&mut f, -200, "y");
        assert_eq!(f.risk, 0);
        assert_eq!(f.evidence, vec!["risk +30: x".to_string(), "risk -200: y".to_string()]);
    }

    #[test]
    fn time_of_day_offset_wraps_midnight() {
        // Runs at 23:50 on three days, expected 00:10: 20 minutes early, not 23h40 late.
        let times: Vec<i64> = (0..3).map(|d| d * 86_400 + 23 * 3600 + 50 * 60).collect();
        assert_eq!(time_of_day_offset(&times, &Zone::Fixed(0), 600), Some(-1200));
        assert_eq!(time_of_day_offset(&times[..1], &Zone::Fixed(0), 600), None);
        // The same instants seen from UTC+02:00 start at 01:50.
        assert_eq!(time_of_day_offset(&times, &Zone::Fixed(7200), 6600), Some(0));
    }

    #[test]
    fn end_cutoff_is_the_next_local_midnight() {
        let inv = Inventory::parse(
            b"id,name,source,destination,ports,data,frequency,auth,credential_store,owner,last_reviewed,status,end_date\nA,n,,h.example,,d,,a,c,o,,active,2026-03-01\n",
        )
        .unwrap();
        let row = &inv.rows[0];
        assert_eq!(
            end_cutoff_ms(row, &Zone::Fixed(0)).map(rfc3339).as_deref(),
            Some("2026-03-02T00:00:00Z")
        );
        assert_eq!(
            end_cutoff_ms(row, &Zone::Fixed(3600)).map(rfc3339).as_deref(),
            Some("2026-03-01T23:00:00Z")
        );
    }

    fn sample() -> Finding {
        Finding {
            finding_id: "S-1".into(),
            status: Status::Undocumented,
            source: vec!["10.0.0.1".into()],
            destination: "h.example".into(),
            port: Some(443),
            service: String::new(),
            first_seen: String::new(),
            last_seen: String::new(),
            connections: 1,
            runs: 1,
            bytes_out: 0,
            bytes_in: 0,
            schedule: String::new(),
            period_seconds: None,
            users: vec![],
            user_agents: vec![],
            risk: 0,
            flags: vec![],
            inventory_id: String::new(),
            owner: String::new(),
            evidence: vec![],
            change: None,
        }
    }
}
