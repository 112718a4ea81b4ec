//! Behavioural fingerprint of one channel: runs, period, schedule, and the
//! automation evidence, each kept as a separate readable signal.
//!
//! Steps: request times → runs ([`runs`], adaptive gap) → local wall-clock
//! run starts (`--tz`, daylight-saving aware) → period ([`period`]) →
//! schedule text ([`schedule`]) → evidence: regularity, user-agent class
//! ([`agent`]), off-hours activity, persistence, constant request sizes,
//! upload-heavy transfers. [`Fingerprint::automated`] says whether the
//! channel is a machine's (a finding) or a person's browsing (not one).

pub mod agent;
pub mod period;
pub mod risk;
pub mod runs;
pub mod schedule;

use crate::aggregate::ChannelStats;
use crate::time::Zone;
use agent::AgentClass;
use period::PeriodFit;
use std::cell::Cell;
use std::fmt::Write;

/// Office hours: weekdays from `OFFICE.0` to `OFFICE.1` o'clock, local time.
pub const OFFICE: (i64, i64) = (7, 19);

/// A browser with fewer runs than this, or with under `PERSON_OFF_SHARE`
/// of them starting off hours, is a person's whatever its period.
const PERSON_RUNS: usize = 6;
const PERSON_OFF_SHARE: f64 = 0.25;

/// Chance bound a schedule must beat before a daytime-only channel without
/// a user agent counts as a machine's.
pub const DAYTIME_CHANCE: f64 = 1e-4;

/// Tuning and context for fingerprinting.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Zone for schedules and office hours (`--tz`).
    pub zone: Zone,
    /// First and last record time of the whole scan (UTC ms): the window
    /// that persistence and weekday patterns are judged against.
    pub window: Option<(i64, i64)>,
}

/// What fingerprinting concluded about a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    pub runs: u64,
    /// Requests closer than this (seconds) were merged into one run (0: none).
    pub run_gap_s: i64,
    pub fit: Option<PeriodFit>,
    pub period_seconds: Option<u64>,
    /// The schedule in words; empty unless `automated` (only findings show it).
    pub schedule: String,
    pub agent: AgentClass,
    /// Share of runs outside office hours.
    pub off_hours: f64,
    pub days_active: u32,
    pub days_observed: u32,
    /// Mean request size when sizes are constant (cv ≤ 0.05).
    pub constant_size: Option<f64>,
    pub upload_heavy: bool,
    /// True when the channel looks machine-driven (a finding).
    pub automated: bool,
}

/// UTC seconds to local seconds, looking the offset up once per quarter hour.
struct Local {
    zone: Zone,
    /// The last quarter hour looked up: its first second and its offset.
    cache: Option<(i64, i32)>,
}

impl Local {
    fn new(zone: Zone) -> Local {
        Local { zone, cache: None }
    }

    #[inline]
    fn at(&mut self, utc: i64) -> i64 {
        // A fixed offset needs no lookup.
        if let Zone::Fixed(offset) = self.zone {
            return utc + i64::from(offset);
        }
        // Within the cached quarter hour, no division either.
        if let Some((start, offset)) = self.cache {
            if utc.checked_sub(start).is_some_and(|s| (0..900).contains(&s)) {
                return utc + i64::from(offset);
            }
        }
        utc + i64::from(self.look_up(utc))
    }

    /// The offset for the quarter hour of `utc`, remembered.
    #[inline(never)]
    fn look_up(&mut self, utc: i64) -> i32 {
        let q = utc.div_euclid(900);
        let offset = self.zone.offset_at_utc(q * 900);
        self.cache = q.checked_mul(900).map(|start| (start, offset));
        offset
    }
}

/// True when local seconds fall outside office hours.
pub fn off_hours(local: i64) -> bool {
    off_hours_at(schedule::DayClock::default().at(local))
}

/// [`off_hours`] of a time whose weekday and hour are known.
fn off_hours_at(at: schedule::DayHour) -> bool {
    let hour = at.hour as i64;
    at.weekday >= 5 || hour < OFFICE.0 || hour >= OFFICE.1
}

/// Printable, short copy of attacker-controlled text for evidence.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).map(|c| if c.is_control() { '?' } else { c }).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Buffers one thread reuses from channel to channel: a scan has tens of
/// thousands of channels, and allocating and growing these per channel
/// cost more than some of the work done in them.
#[derive(Default)]
struct Scratch {
    times: Vec<i64>,
    starts: Vec<i64>,
    gap: runs::Scratch,
    period: period::Scratch,
}

thread_local! {
    static SCRATCH: Cell<Option<Box<Scratch>>> = const { Cell::new(None) };
}

/// Runs `f` with this thread's [`Scratch`].
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    // Taken out of the thread's slot while in use, so a nested call (there
    // is none) would only get fresh buffers instead of sharing these.
    let mut scratch = SCRATCH.try_with(Cell::take).ok().flatten().unwrap_or_default();
    let out = f(&mut scratch);
    let _ = SCRATCH.try_with(|c| c.set(Some(scratch)));
    out
}

/// Fingerprints one channel (its times must be normalized: sorted, distinct).
/// The readable parts only findings need, the schedule text and
/// [`evidence`], are left to them: a scan has tens of thousands of channels
/// and a few hundred findings.
pub fn fingerprint(s: &ChannelStats, opts: &Options) -> Fingerprint {
    with_scratch(|scratch| assess(s, opts, scratch, Need::All))
}

/// The fingerprint of a channel that is automated (a finding), `None` for a
/// person's: the same as [`fingerprint`] where `automated` is true, without
/// estimating a period that cannot change a person's verdict.
pub fn finding(s: &ChannelStats, opts: &Options) -> Option<Fingerprint> {
    let fp = with_scratch(|scratch| assess(s, opts, scratch, Need::Finding));
    fp.automated.then_some(fp)
}

/// Whether the channel is automated, as [`fingerprint`] says, with no more
/// work than that verdict needs: the period is estimated only when the
/// verdict depends on it, and no schedule is written. For channels whose
/// findings nobody reads (hidden background), which need only be counted.
pub fn automated(s: &ChannelStats, opts: &Options) -> bool {
    with_scratch(|scratch| {
        // Whether a browser is a person's ([`PERSON_RUNS`]) is mostly
        // settled by bounds from its times alone, before its runs are
        // worked out.
        decode(s, &mut scratch.times);
        let (agent, _) = agent::channel_class(s.agents.iter());
        if agent == AgentClass::Browser && plainly_a_person(s, opts, &scratch.times) {
            return false;
        }
        assess_decoded(s, opts, scratch, Need::Verdict).automated
    })
}

/// True when a browser's times alone show it a person's: fewer than
/// [`PERSON_RUNS`] runs, or under [`PERSON_OFF_SHARE`] of them starting off
/// hours.
/// Every run starts at one of the times, so there are at most as many runs
/// as times and at most as many off-hours starts as off-hours times; and
/// times further apart than any run gap (at most [`runs::MAX_GAP_S`], or
/// the resolution) are in different runs, which bounds the runs from
/// below. `times` are the channel's, decoded.
fn plainly_a_person(s: &ChannelStats, opts: &Options, times: &[i64]) -> bool {
    if times.len() < PERSON_RUNS {
        return true;
    }
    let widest_gap = runs::MAX_GAP_S.max(i64::from(s.times.res_s));
    let mut local = Local::new(opts.zone);
    let mut clock = schedule::DayClock::default();
    let (mut off_times, mut fewest_runs, mut prev) = (0usize, 0usize, None);
    for &t in times {
        off_times += usize::from(off_hours_at(clock.at(local.at(t))));
        fewest_runs += usize::from(prev.is_none_or(|p: i64| t - p > widest_gap));
        prev = Some(t);
    }
    (off_times as f64 / fewest_runs.max(1) as f64) < PERSON_OFF_SHARE
}

/// The channel's times, in seconds, into `times` (cleared first).
fn decode(s: &ChannelStats, times: &mut Vec<i64>) {
    times.clear();
    s.times.seconds_into(times);
}

/// How much of a fingerprint [`assess`] works out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// All of it.
    All,
    /// All of it for an automated channel; a person's without the period
    /// when that cannot change the verdict.
    Finding,
    /// Only `automated`: the rest may be left out.
    Verdict,
}

/// The fingerprint, as much of it as `need` says.
fn assess(s: &ChannelStats, opts: &Options, scratch: &mut Scratch, need: Need) -> Fingerprint {
    decode(s, &mut scratch.times);
    assess_decoded(s, opts, scratch, need)
}

/// [`assess`] with the channel's times already in `scratch.times`.
fn assess_decoded(s: &ChannelStats, opts: &Options, scratch: &mut Scratch, need: Need) -> Fingerprint {
    let Scratch {
        times,
        starts,
        gap,
        period,
    } = scratch;
    let run_gap = runs::choose_gap_with(times, i64::from(s.times.res_s), gap);
    let mut local = Local::new(opts.zone);
    runs::starts_into(times, run_gap, starts, |t| local.at(t));
    let starts = &starts[..];

    let (first, last) = opts.window.unwrap_or((s.first_ms, s.last_ms));
    let (first, last) = (local.at(first.div_euclid(1000)), local.at(last.div_euclid(1000)));
    let observed = schedule::observed_days(first, last);

    let (agent, _) = agent::channel_class(s.agents.iter());
    // Off-hours runs and distinct run days (as a dedup of consecutive run
    // days would leave them) in one pass.
    let (mut off_runs, mut days_active, mut prev_day) = (0usize, 0usize, None);
    let mut clock = schedule::DayClock::default();
    for &t in starts {
        let at = clock.at(t);
        off_runs += usize::from(off_hours_at(at));
        if prev_day != Some(at.day) {
            days_active += 1;
            prev_day = Some(at.day);
        }
    }
    let off = off_runs as f64 / starts.len().max(1) as f64;
    let days_observed = (last.div_euclid(86_400) - first.div_euclid(86_400) + 1).max(1) as u32;
    let constant_size = (s.req_sizes.n >= 5 && s.req_sizes.cv() <= 0.05).then(|| s.req_sizes.mean());
    let upload_heavy = s.bytes_out >= 1_000_000 && s.bytes_out >= 2 * s.bytes_in;

    let n_runs = starts.len();
    // Most channels are such browsing.
    let person = agent == AgentClass::Browser && (n_runs < PERSON_RUNS || off < PERSON_OFF_SHARE);
    // Where the verdict below reads the period: a browser that is not
    // plainly a person's; a channel without a user agent, unless it is
    // active off hours enough to be a machine's anyway; another agent with
    // fewer than three runs (which carry no period: estimating it costs
    // nothing then).
    let verdict_reads_fit = match agent {
        AgentClass::Browser => !person,
        AgentClass::Missing if off < 0.25 => true,
        AgentClass::Missing => !(n_runs >= 10 && off >= 0.5 && days_active >= 3),
        _ => n_runs < 3,
    };
    let estimate = match need {
        Need::All => true,
        Need::Finding => !person,
        Need::Verdict => verdict_reads_fit,
    };
    let fit = if estimate { period::estimate_with(starts, period) } else { None };
    let automated = match agent {
        // A browser is a person unless it keeps a machine's schedule around the clock.
        AgentClass::Browser => fit.is_some() && !person,
        // No user agent (firewall logs): a daytime-only channel could be a
        // person, so it needs a schedule backed by at least five fitting
        // gaps that random timing would produce with chance below 1e-4.
        AgentClass::Missing if off < 0.25 => fit.as_ref().is_some_and(|f| f.fitting >= 5 && f.chance <= DAYTIME_CHANCE),
        // Irregular without a user agent: machine-like only when mostly
        // outside office hours (random round-the-clock traffic is 64 %).
        AgentClass::Missing => fit.is_some() || (n_runs >= 10 && off >= 0.5 && days_active >= 3),
        _ => fit.is_some() || n_runs >= 3,
    };

    let schedule = if automated && need != Need::Verdict {
        schedule::describe(fit.as_ref(), starts, observed)
    } else {
        String::new()
    };
    Fingerprint {
        runs: n_runs as u64,
        run_gap_s: run_gap,
        period_seconds: fit.as_ref().map(|f| f.period as u64),
        fit,
        schedule,
        agent,
        off_hours: off,
        days_active: days_active as u32,
        days_observed,
        constant_size,
        upload_heavy,
        automated,
    }
}

/// The readable evidence for a channel's fingerprint `f`, one signal per entry.
pub fn evidence(f: &Fingerprint, s: &ChannelStats) -> Vec<String> {
    let (n_runs, run_gap, fit, agent, off) = (f.runs, f.run_gap_s, &f.fit, f.agent, f.off_hours);
    let (_, sample) = agent::channel_class(s.agents.iter());
    let mut evidence = Vec::new();
    evidence.push(if run_gap > 0 {
        format!("runs: {n_runs} from {} requests (requests within {run_gap}s merged)", s.connections)
    } else {
        format!("runs: {n_runs} from {} requests", s.connections)
    });
    evidence.push(match &fit {
        Some(f) => format!(
            "regularity: period {}s from {} runs, {:.0}% of {} gaps within ±{}s of a multiple (chance {}), phase coherence {:.2}, jitter ±{}s",
            f.period,
            f.runs_behind,
            f.fit_share() * 100.0,
            f.gaps,
            period::tolerance(f.period),
            if f.chance < 1e-9 { "< 1e-9".to_string() } else { format!("{:.0e}", f.chance) },
            f.coherence,
            f.jitter
        ),
        None if n_runs < period::MIN_RUNS as u64 => format!("regularity: too few runs for a period ({n_runs} < {})", period::MIN_RUNS),
        None => "regularity: none (irregular)".into(),
    });
    evidence.push(match sample {
        Some(ua) => format!("user agent: {} ({})", agent.as_str(), clip(ua)),
        None => "user agent: missing".into(),
    });
    evidence.push(format!(
        "off-hours: {:.0}% of runs outside weekdays {:02}-{:02}",
        off * 100.0,
        OFFICE.0,
        OFFICE.1
    ));
    evidence.push(format!("persistence: active {} of {} days", f.days_active, f.days_observed));
    if s.times.truncated {
        evidence.push(format!(
            "dense channel: only the latest {} time buckets kept; runs and persistence counted from them",
            s.times.len()
        ));
    }
    if let Some(m) = f.constant_size {
        evidence.push(format!("constant request size: {:.0} bytes (cv {:.2})", m, s.req_sizes.cv()));
    }
    if f.upload_heavy {
        evidence.push(format!(
            "upload-heavy: {:.1} MB out, {:.1} MB in",
            s.bytes_out as f64 / 1e6,
            s.bytes_in as f64 / 1e6
        ));
    }
    evidence
}

/// `90` → `1m30s`, `3600` → `1h`, `86400` → `1d`.
pub fn human_duration(s: i64) -> String {
    let mut out = String::new();
    push_duration(&mut out, s);
    out
}

/// Appends [`human_duration`] of `s` to `out`.
pub fn push_duration(out: &mut String, s: i64) {
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let mut any = false;
    for (v, u) in [(d, 'd'), (h, 'h'), (m, 'm'), (sec, 's')] {
        if v > 0 {
            let _ = write!(out, "{v}{u}");
            any = true;
        }
    }
    if !any {
        out.push_str("0s");
    }
}
