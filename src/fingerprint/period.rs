//! Estimating the period of a channel's runs, robust to jitter, missed
//! runs, extra runs, and night or weekend pauses.
//!
//! Works on run start times in local wall-clock seconds (so a daily job at
//! 02:00 stays 24 h apart across a daylight-saving change) over the whole
//! window, however long.
//!
//! Candidates are the median gap between runs (and that median rounded to
//! the minute) plus the calendar values people schedule with
//! ([`CALENDAR`]). A candidate `P` is scored by the share of gaps that lie
//! within a tolerance of a whole multiple `k·P`: a missed run is a gap of
//! `2P`, a night pause of `13P`, and both still count. At least
//! [`MIN_K1_SHARE`] of the matching gaps must be single periods (`k = 1`),
//! which rules out the harmonics below the true period (every 15-minute
//! gap is also three 5-minute periods). A claim must also be unlikely by
//! chance: a gap at least half a period long fits by accident with
//! probability `(2·tol + 1) / P`, and the Chernoff bound on that many
//! fitting gaps must stay below [`SIGNIFICANCE`] (a few sessions that
//! happen to lie six hours apart are not a schedule). The phase coherence of the run
//! starts on the period, Rayleigh's `R = |mean(exp(2πi·t/P))|`, is near 1
//! for wall-clock jobs and near 0 for random traffic; it breaks ties and
//! decides whether a time of day can be claimed. Among equally good
//! candidates within 10 % of each other a calendar value wins, so a
//! `sleep 300` loop that drifts by its run time reads as every 5 minutes.

/// Periods people schedule with, in seconds.
pub const CALENDAR: [i64; 13] = [60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400, 604_800];
/// Fewer runs than this never carry a period.
pub const MIN_RUNS: usize = 3;
/// Share of gaps that must fit the period.
pub const MIN_FIT: f64 = 0.7;
/// Share of fitting gaps that must be exactly one period.
pub const MIN_K1_SHARE: f64 = 0.4;
/// Phase coherence needed to claim a time of day or minute of the hour.
pub const PHASE_LOCKED: f64 = 0.7;
/// Largest chance, under random timing, of as many gaps fitting as did.
pub const SIGNIFICANCE: f64 = 0.01;

/// Chernoff bound on the chance that at least `hits` of `n` gaps fit when
/// each fits with probability `p` by accident: `exp(-n·D(hits/n ‖ p))`.
pub fn chance(hits: usize, n: usize, p: f64) -> f64 {
    if n == 0 || p >= 1.0 {
        return 1.0;
    }
    let q = hits as f64 / n as f64;
    if q <= p {
        return 1.0;
    }
    let p = p.max(1e-12);
    let term = |a: f64, b: f64| if a <= 0.0 { 0.0 } else { a * (a / b).ln() };
    let d = term(q, p) + term(1.0 - q, 1.0 - p);
    (-(n as f64) * d).exp()
}

/// How far a gap may be from `k·P` and still fit: a tenth of the period,
/// at least 2 s and at most 30 min.
pub fn tolerance(p: i64) -> i64 {
    (p / 10).clamp(2, 1800)
}

/// A period claim and what supports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodFit {
    pub period: i64,
    /// Gaps between consecutive runs, and how many fit `k·P`.
    pub gaps: usize,
    pub fitting: usize,
    /// Fitting gaps with `k = 1`.
    pub single: usize,
    /// Runs at either end of a fitting gap: the runs behind the claim.
    pub runs_behind: usize,
    /// Rayleigh phase coherence in [0, 1].
    pub coherence: f64,
    /// Mean phase in seconds within the period (local wall clock; for a
    /// weekly period, seconds since Monday 00:00).
    pub phase: i64,
    /// 90th percentile of the runs' distance from the schedule, seconds
    /// (from the phase when it is locked, else from the gaps).
    pub jitter: i64,
    pub calendar: bool,
    /// Bound on the chance of this many fitting gaps under random timing.
    pub chance: f64,
}

impl PeriodFit {
    /// The scheduled slot a run at `t` belongs to: `t` moved by its
    /// distance from the phase (identity when the phase is not locked).
    pub fn slot(&self, t: i64) -> i64 {
        self.slots().at(t)
    }

    /// [`PeriodFit::slot`] for many runs: the slot phase is worked out once.
    pub fn slots(&self) -> Slots {
        let p = self.period;
        let locked = self.phase_locked();
        if !locked {
            return Slots {
                locked,
                period: p,
                phase: 0,
            };
        }
        // Slots sit on whole minutes, as the schedule text does.
        let phase = if p >= 120 {
            (self.phase + 30).div_euclid(60) * 60
        } else {
            self.phase
        };
        Slots {
            locked,
            period: p,
            // Reduced once here, so that each run needs one remainder only.
            phase: phase.rem_euclid(p),
        }
    }

    pub fn fit_share(&self) -> f64 {
        self.fitting as f64 / self.gaps.max(1) as f64
    }

    pub fn phase_locked(&self) -> bool {
        self.coherence >= PHASE_LOCKED
    }
}

/// The scheduled slots of a [`PeriodFit`] (see [`PeriodFit::slots`]).
#[derive(Debug, Clone, Copy)]
pub struct Slots {
    locked: bool,
    period: i64,
    /// In [0, period).
    phase: i64,
}

impl Slots {
    /// The slot a run at `t` belongs to.
    #[inline]
    pub fn at(&self, t: i64) -> i64 {
        if !self.locked {
            return t;
        }
        t - from_phase(position(t, self.period), self.phase, self.period)
    }

    /// [`Slots::at`] of each of `times`. A run's slot is the one scheduled
    /// point (phase plus whole periods) that lies within (-p/2, p/2] of
    /// it as [`from_phase`] rounds; sorted runs mostly share the previous
    /// run's slot or the next one, so the slot is looked up by a
    /// subtraction and a comparison or two instead of a remainder.
    pub fn walk(self, times: &[i64]) -> impl Iterator<Item = i64> + '_ {
        let p = self.period;
        // from_phase's range is [p/2 + 1 - p, p/2]: `t` is within it from
        // `slot` when t - slot - (p/2 + 1 - p), as unsigned, is below p.
        let low = p / 2 + 1 - p;
        let within = move |t: i64, slot: i64| {
            t.checked_sub(slot)
                .and_then(|r| r.checked_sub(low))
                .is_some_and(|x| (x as u64) < p as u64)
        };
        let mut prev: Option<i64> = None;
        times.iter().map(move |&t| {
            if !self.locked {
                return t;
            }
            // One run per slot is the common case: try the next slot first.
            let slot = match prev {
                Some(s) if s.checked_add(p).is_some_and(|next| within(t, next)) => s + p,
                Some(s) if within(t, s) => s,
                _ => self.at(t),
            };
            prev = Some(slot);
            slot
        })
    }
}

/// Offset that makes local seconds count from a Monday 00:00 (1970-01-01 was a Thursday).
const MONDAY_SHIFT: i64 = 3 * 86_400;

/// Position of `t` within period `p`, in [0, p).
pub fn position(t: i64, p: i64) -> i64 {
    if p == 604_800 {
        (t + MONDAY_SHIFT).rem_euclid(p)
    } else {
        t.rem_euclid(p)
    }
}

struct Score {
    fitting: usize,
    single: usize,
    runs_behind: usize,
    /// Gaps of at least half a period (the ones that could fit).
    eligible: usize,
}

/// Scores period `p` on the gaps between `starts`. Kept out of line: the
/// loop runs for every gap of every candidate, and on its own its counts
/// stay in registers.
#[inline(never)]
fn score(starts: &[i64], p: i64) -> Score {
    let tol = tolerance(p);
    // Fitting gaps with k = 1 and with k > 1, and eligible ones.
    let (mut single, mut multiple, mut eligible) = (0, 0, 0);
    // Fitting gaps right after a fitting gap: they share a run with it.
    let mut pairs = 0;
    let mut prev_fit = false;
    // k = (d + p/2) / p, the nearest multiple, is at least 1 from `one` on
    // and at least 2 from `two` on. Below `one` (k of 0 or less) a gap is
    // neither eligible nor fitting; up to `two` k is 1, and the gap fits
    // when it lies within tol of p (as unsigned: 0 <= d - (p - tol) <=
    // 2·tol); only longer gaps need the division.
    let (one, two) = (p - p / 2, 2 * p - p / 2);
    let (near, width) = (p - tol, 2 * tol as u64);
    for (a, b) in starts.iter().zip(starts.iter().skip(1)) {
        let d = b - a;
        if d < one {
            prev_fit = false;
            continue;
        }
        eligible += 1;
        let fit = if d < two {
            let fit = (d.wrapping_sub(near) as u64) <= width;
            single += usize::from(fit);
            fit
        } else {
            let k = (d + p / 2) / p;
            let fit = (d - k * p).abs() <= tol;
            multiple += usize::from(fit);
            fit
        };
        pairs += usize::from(fit && prev_fit);
        prev_fit = fit;
    }
    let fitting = single + multiple;
    Score {
        fitting,
        single,
        // Each fitting gap adds the runs at both ends, less the one it
        // shares with a fitting gap just before.
        runs_behind: 2 * fitting - pairs,
        eligible,
    }
}

/// Entries in the [`UnitCircle`] memo (a power of two).
const CIRCLE_SLOTS: usize = 1024;

/// One remembered point: period, position, cos and sin (period 0: empty).
#[derive(Clone, Copy)]
struct Point {
    period: i64,
    pos: i64,
    cos: f64,
    sin: f64,
}

const EMPTY_POINT: Point = Point {
    period: 0,
    pos: 0,
    cos: 0.0,
    sin: 0.0,
};

/// cos and sin of `pos · 2π / p`, remembered per (period, position) in a
/// direct-mapped table. The runs of a scheduled job mostly fall on a few
/// positions in the period, the chosen period's phase is measured twice,
/// and many channels share calendar periods and positions, so most points
/// come from the table instead of computing both again. The value depends
/// on `p` and `pos` only, so a remembered one is bit for bit the one that
/// would be computed. The table is allocated on first use, so a one-off
/// [`estimate`] that accepts no candidate does not pay for it.
#[derive(Default)]
struct UnitCircle {
    points: Option<Box<[Point; CIRCLE_SLOTS]>>,
}

impl UnitCircle {
    /// The lookups for period `p`.
    fn period(&mut self, p: i64) -> Circle<'_> {
        Circle {
            points: self.points.get_or_insert_with(|| Box::new([EMPTY_POINT; CIRCLE_SLOTS])),
            p,
            w: std::f64::consts::TAU / p as f64,
            // Within one period, positions close together land in
            // different entries (the period only flips the same high bits
            // for all of them).
            mix: (p as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40,
        }
    }
}

/// A [`UnitCircle`] for one period `p`, `w` = 2π / p.
struct Circle<'a> {
    points: &'a mut [Point; CIRCLE_SLOTS],
    p: i64,
    w: f64,
    mix: u64,
}

impl Circle<'_> {
    /// cos and sin of `pos · w`.
    #[inline]
    fn at(&mut self, pos: i64) -> (f64, f64) {
        let (p, w) = (self.p, self.w);
        match self.points.get_mut(((pos as u64) ^ self.mix) as usize % CIRCLE_SLOTS) {
            Some(e) if e.period == p && e.pos == pos => (e.cos, e.sin),
            Some(e) => {
                let (s, c) = (pos as f64 * w).sin_cos();
                *e = Point {
                    period: p,
                    pos,
                    cos: c,
                    sin: s,
                };
                (c, s)
            }
            None => {
                let (s, c) = (pos as f64 * w).sin_cos();
                (c, s)
            }
        }
    }
}

/// Buffers and the [`UnitCircle`] memo that [`estimate_with`] reuses from
/// one channel to the next instead of allocating them per channel.
#[derive(Default)]
pub struct Scratch {
    gaps: Vec<i64>,
    /// Positions of the runs in the period of each accepted candidate.
    positions: Vec<Vec<i64>>,
    residuals: Vec<i64>,
    /// Per-value counts for the jitter's percentile.
    counts: Vec<u32>,
    accepted: Vec<PeriodFit>,
    circle: UnitCircle,
}

/// [`position`] of `t` in period `p`, from the position `prev_pos` of an
/// earlier time `prev`. Consecutive starts are usually less than two
/// periods apart, so the position mostly follows by an addition and a
/// subtraction instead of a division; the arithmetic is exact, so the
/// result is the same.
#[inline]
fn step(prev: i64, prev_pos: i64, t: i64, p: i64) -> i64 {
    let Some(x) = t.checked_sub(prev).and_then(|d| d.checked_add(prev_pos)) else {
        return position(t, p);
    };
    // Periods are positive, so as unsigned numbers `x < p` also says
    // `x >= 0`, and `x - p` wraps to above `p` when x is negative.
    let below = |v: i64| (v as u64) < p as u64;
    if below(x) {
        x
    } else if below(x.wrapping_sub(p)) {
        x - p
    } else {
        // x ≡ t + shift (mod p), so its remainder is the position.
        x.rem_euclid(p)
    }
}

/// Fills `out` with [`position`] of every start in period `p`, each by
/// [`step`] from the one before.
fn positions_in(starts: &[i64], p: i64, out: &mut Vec<i64>) {
    out.clear();
    let Some((&first, rest)) = starts.split_first() else {
        return;
    };
    let (mut prev, mut pos) = (first, position(first, p));
    // Written in place: a push per run would check the capacity each time.
    out.resize(starts.len(), pos);
    for (&t, slot) in rest.iter().zip(out.iter_mut().skip(1)) {
        pos = step(prev, pos, t, p);
        prev = t;
        *slot = pos;
    }
}

/// Distance of a position from the phase, in (-p/2, p/2]; both lie in
/// [0, p), so one conditional addition replaces the remainder.
#[inline]
fn from_phase(pos: i64, phase: i64, p: i64) -> i64 {
    let mut r = pos - phase;
    if r < 0 {
        r += p;
    }
    if r > p / 2 {
        r -= p;
    }
    r
}

/// Rayleigh coherence and mean phase (seconds in [0, p)) of the runs at
/// positions `pos` in period `p`.
fn coherence(pos: &[i64], p: i64, circle: &mut UnitCircle) -> (f64, i64) {
    let (mut c, mut s) = (0.0f64, 0.0f64);
    let w = std::f64::consts::TAU / p as f64;
    let mut circle = circle.period(p);
    for &x in pos {
        let (dc, ds) = circle.at(x);
        c += dc;
        s += ds;
    }
    let n = pos.len().max(1) as f64;
    let r = (c * c + s * s).sqrt() / n;
    let phase = (s.atan2(c) / w).round() as i64;
    (r, phase.rem_euclid(p))
}

/// The mean phase again, from the runs within tolerance of `phase` only, so
/// that extra runs and a daylight-saving day's shifted run do not pull it.
fn inlier_phase(pos: &[i64], p: i64, phase: i64, circle: &mut UnitCircle) -> i64 {
    let tol = tolerance(p);
    let w = std::f64::consts::TAU / p as f64;
    let (mut c, mut s, mut n) = (0.0f64, 0.0f64, 0usize);
    let mut circle = circle.period(p);
    for &x in pos {
        if from_phase(x, phase, p).abs() <= tol {
            let (dc, ds) = circle.at(x);
            c += dc;
            s += ds;
            n += 1;
        }
    }
    if n == 0 {
        return phase;
    }
    ((s.atan2(c) / w).round() as i64).rem_euclid(p)
}

/// The 90th percentile of `v`, whose values should lie in [0, `max`].
/// When there are many values for that range they are counted per value
/// (`counts` is a buffer) and the rank is found in the running count, else
/// (or when a value lies outside) it is selected; both give the value at
/// that rank.
fn p90(v: &mut [i64], max: i64, counts: &mut Vec<u32>) -> i64 {
    if v.is_empty() {
        return 0;
    }
    let i = (((v.len() - 1) as f64 * 0.9).round() as usize).min(v.len() - 1);
    if let Some(x) = rank_by_counting(v, i, max, counts) {
        return x;
    }
    let (_, x, _) = v.select_nth_unstable(i);
    *x
}

/// The value at rank `i` of `v` (values in [0, `max`]) from a count per
/// value; `None` when counting does not pay (few values for the range) or
/// a value lies outside the range.
fn rank_by_counting(v: &[i64], i: usize, max: i64, counts: &mut Vec<u32>) -> Option<i64> {
    let range = usize::try_from(max).ok()?.checked_add(1)?;
    if v.len() < range / 4 || u32::try_from(v.len()).is_err() {
        return None;
    }
    counts.clear();
    counts.resize(range, 0);
    for &x in v {
        *usize::try_from(x).ok().and_then(|x| counts.get_mut(x))? += 1;
    }
    let mut below = 0usize;
    for (x, &c) in (0..).zip(counts.iter()) {
        below += c as usize;
        if below > i {
            return Some(x);
        }
    }
    None
}

/// Jitter: from the phase when locked (inliers only, from the positions
/// `pos`), else from the gaps between `starts`. `res` and `counts` are
/// buffers.
fn jitter(starts: &[i64], pos: &[i64], p: i64, locked: bool, phase: i64, res: &mut Vec<i64>, counts: &mut Vec<u32>) -> i64 {
    let tol = tolerance(p);
    res.clear();
    if locked {
        res.extend(pos.iter().map(|&x| from_phase(x, phase, p).abs()).filter(|&r| r <= tol));
    } else {
        res.extend(starts.iter().zip(starts.iter().skip(1)).filter_map(|(a, b)| {
            let d = b - a;
            let k = (d + p / 2) / p;
            let off = (d - k * p).abs();
            (k >= 1 && off <= tol).then_some(off)
        }));
    }
    p90(res, tol, counts)
}

/// Estimates the period of sorted run start times (local seconds). `None`
/// when fewer than [`MIN_RUNS`] runs or no candidate fits well enough.
pub fn estimate(starts: &[i64]) -> Option<PeriodFit> {
    estimate_with(starts, &mut Scratch::default())
}

/// [`estimate`] with buffers kept in `scratch` between calls.
pub fn estimate_with(starts: &[i64], scratch: &mut Scratch) -> Option<PeriodFit> {
    if starts.len() < MIN_RUNS {
        return None;
    }
    let Scratch {
        gaps,
        positions,
        residuals,
        counts,
        accepted,
        circle,
    } = scratch;
    gaps.clear();
    gaps.extend(starts.iter().zip(starts.iter().skip(1)).map(|(a, b)| b - a));
    gaps.sort_unstable();
    let gaps = &gaps[..];
    let n_gaps = gaps.len();
    let med = gaps.get(n_gaps / 2).copied().unwrap_or(0);
    // The calendar values, then the median and the median rounded to the minute.
    let mut candidates = [(0i64, false); CALENDAR.len() + 2];
    for (c, &p) in candidates.iter_mut().zip(CALENDAR.iter()) {
        *c = (p, true);
    }
    let mut n_candidates = CALENDAR.len();
    if med >= 2 && !CALENDAR.contains(&med) {
        if let Some(c) = candidates.get_mut(n_candidates) {
            *c = (med, false);
            n_candidates += 1;
        }
        let rounded = (med + 30) / 60 * 60;
        if med >= 120 && rounded != med && !CALENDAR.contains(&rounded) {
            if let Some(c) = candidates.get_mut(n_candidates) {
                *c = (rounded, false);
                n_candidates += 1;
            }
        }
    }
    // A candidate passes only if single-period gaps make up at least
    // MIN_FIT · MIN_K1_SHARE of all gaps: count them on the sorted gaps first.
    let min_single = (MIN_FIT * MIN_K1_SHARE * n_gaps as f64).ceil() as usize;
    let (shortest, longest) = (gaps.first().copied().unwrap_or(0), gaps.last().copied().unwrap_or(0));
    let near = |p: i64| {
        let tol = tolerance(p);
        // Most candidates lie wholly above or below the channel's gaps.
        if p + tol < shortest || p - tol > longest {
            return 0;
        }
        gaps.partition_point(|&g| g <= p + tol) - gaps.partition_point(|&g| g < p - tol)
    };
    accepted.clear();
    for &(p, calendar) in candidates.iter().take(n_candidates) {
        if near(p) < min_single.max(1) {
            continue;
        }
        let s = score(starts, p);
        let share = s.fitting as f64 / n_gaps as f64;
        if s.fitting < 2 || share < MIN_FIT || (s.single as f64) < MIN_K1_SHARE * s.fitting as f64 {
            continue;
        }
        let p_accident = ((2 * tolerance(p) + 1) as f64 / p as f64).min(1.0);
        let by_chance = chance(s.fitting, s.eligible, p_accident);
        if by_chance > SIGNIFICANCE {
            continue;
        }
        if positions.len() <= accepted.len() {
            positions.push(Vec::new());
        }
        let Some(pos) = positions.get_mut(accepted.len()) else {
            continue;
        };
        positions_in(starts, p, pos);
        let (r, phase) = coherence(pos, p, circle);
        accepted.push(PeriodFit {
            period: p,
            gaps: n_gaps,
            fitting: s.fitting,
            single: s.single,
            runs_behind: s.runs_behind,
            coherence: r,
            phase,
            jitter: 0,
            calendar,
            chance: by_chance,
        });
    }
    let quality = |f: &PeriodFit| f.fit_share() + 0.1 * f.coherence;
    let best = accepted.iter().max_by(|a, b| {
        quality(a)
            .total_cmp(&quality(b))
            .then(a.calendar.cmp(&b.calendar))
            .then(b.period.cmp(&a.period))
    })?;
    let chosen = if best.calendar {
        best
    } else {
        accepted
            .iter()
            .filter(|f| f.calendar && (f.period - best.period).abs() * 10 <= best.period && f.fit_share() >= best.fit_share() - 0.05)
            .max_by(|a, b| a.fit_share().total_cmp(&b.fit_share()))
            .unwrap_or(best)
    };
    let mut fit = chosen.clone();
    // The chosen candidate's positions, kept from its coherence (candidates
    // have distinct periods).
    let chosen_at = accepted.iter().position(|f| f.period == fit.period);
    let mut fresh = Vec::new();
    let pos: &[i64] = match chosen_at.and_then(|i| positions.get(i)) {
        Some(pos) => pos,
        None => {
            positions_in(starts, fit.period, &mut fresh);
            &fresh
        }
    };
    if fit.phase_locked() {
        fit.phase = inlier_phase(pos, fit.period, fit.phase, circle);
    }
    fit.jitter = jitter(starts, pos, fit.period, fit.phase_locked(), fit.phase, residuals, counts);
    Some(fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic jitter in [-j, j].
    fn wobble(i: i64, j: i64) -> i64 {
        if j == 0 {
            0
        } else {
            (i * 7919 + 13).rem_euclid(2 * j + 1) - j
        }
    }

    #[test]
    fn quarter_hour_with_jitter_and_missed_runs() {
        let starts: Vec<i64> = (0..400).filter(|i| i % 17 != 0).map(|i| 300 + i * 900 + wobble(i, 20)).collect();
        let f = estimate(&starts).unwrap();
        assert_eq!(f.period, 900);
        assert!(f.calendar && f.phase_locked());
        assert!(f.jitter <= 20, "{f:?}");
        assert!((f.phase - 300).abs() <= 5);
    }

    #[test]
    fn an_outlier_run_does_not_pull_the_time_of_day() {
        // Daily at 02:00 for 21 days; on one day (a daylight-saving change)
        // the job ran an hour late.
        let starts: Vec<i64> = (0..21)
            .map(|d| d * 86_400 + 7200 + if d == 10 { 3600 } else { wobble(d, 120) })
            .collect();
        let f = estimate(&starts).unwrap();
        assert!((f.phase - 7200).abs() <= 60, "{f:?}");
    }

    #[test]
    fn harmonics_below_the_period_are_rejected() {
        let starts: Vec<i64> = (0..100).map(|i| i * 1800).collect();
        assert_eq!(estimate(&starts).unwrap().period, 1800);
    }

    #[test]
    fn business_hours_with_night_and_weekend_gaps() {
        // Hourly at :05 from 07 to 18 on weekdays of three weeks.
        let starts: Vec<i64> = (0..21)
            .filter(|d| (d + 3) % 7 < 5)
            .flat_map(|d| (7..19).map(move |h| d * 86_400 + h * 3600 + 300))
            .collect();
        let f = estimate(&starts).unwrap();
        assert_eq!((f.period, f.phase % 3600), (3600, 300));
    }

    #[test]
    fn drifting_sleep_loop_reads_as_calendar_period() {
        let starts: Vec<i64> = (0..2000).map(|i| i * 304 + wobble(i, 1)).collect();
        let f = estimate(&starts).unwrap();
        assert_eq!(f.period, 300);
        assert!(!f.phase_locked());
    }

    #[test]
    fn odd_period_from_the_median() {
        let starts: Vec<i64> = (0..500).map(|i| 17 + i * 420 + wobble(i, 3)).collect();
        assert_eq!(estimate(&starts).unwrap().period, 420);
    }

    #[test]
    fn poisson_traffic_has_no_period() {
        let mut x: u64 = 42;
        let mut t = 0i64;
        let starts: Vec<i64> = (0..500)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let u = ((x >> 11) as f64 / (1u64 << 53) as f64).max(1e-12);
                t += (-1200.0 * u.ln()) as i64 + 1;
                t
            })
            .collect();
        assert_eq!(estimate(&starts), None);
    }

    #[test]
    fn weekly_phase_counts_from_monday() {
        // 1970-01-05 was a Monday: Mondays at 03:00 for four weeks.
        let starts: Vec<i64> = (0..4).map(|w| 4 * 86_400 + w * 604_800 + 3 * 3600).collect();
        let f = estimate(&starts).unwrap();
        assert_eq!((f.period, f.phase), (604_800, 3 * 3600));
    }

    #[test]
    fn a_page_burst_is_not_a_two_second_period() {
        assert_eq!(estimate(&[100, 101, 103, 105, 106, 108]), None);
    }

    #[test]
    fn few_sessions_that_happen_to_fit_are_not_significant() {
        // Four gaps, three of them near multiples of 6 h.
        let h = 3600;
        assert_eq!(estimate(&[0, 6 * h + 600, 18 * h + 300, 23 * h, 30 * h + 900]), None);
        assert!(chance(3, 4, 1.0 / 6.0) > SIGNIFICANCE);
        assert!(chance(2, 2, 0.006) < SIGNIFICANCE);
    }

    #[test]
    fn walked_slots_and_positions_match_one_at_a_time() {
        let times: Vec<i64> = (0..3000i64).map(|i| i * i * 37 % 9_000_000 - 4_000_000).collect();
        let mut sorted = times.clone();
        sorted.sort_unstable();
        for p in [7, 60, 600, 1024, 3600, 86_400, 604_800] {
            for coherence in [0.2, 0.9] {
                let fit = PeriodFit {
                    period: p,
                    gaps: 0,
                    fitting: 0,
                    single: 0,
                    runs_behind: 0,
                    coherence,
                    phase: p / 3 + 47,
                    jitter: 0,
                    calendar: false,
                    chance: 0.0,
                };
                for v in [&times, &sorted] {
                    let one: Vec<i64> = v.iter().map(|&t| fit.slot(t)).collect();
                    assert_eq!(fit.slots().walk(v).collect::<Vec<_>>(), one, "{p}");
                    let mut pos = Vec::new();
                    positions_in(v, p, &mut pos);
                    assert_eq!(pos, v.iter().map(|&t| position(t, p)).collect::<Vec<_>>(), "{p}");
                }
            }
        }
    }

    #[test]
    fn score_counts_as_dividing_every_gap_does() {
        let mut rng = crate::synth::rng::Rng::new(3);
        let mut next = |n: u64| rng.below(n);
        let (mut all_single, mut all_multiple) = (0, 0);
        for case in 0..2000 {
            let p = [2, 3, 7, 60, 600, 1024, 1020, 3600, 86_400, 604_800][case % 10];
            let spread = [p / 3 + 1, p, 5 * p][case / 10 % 3] as u64;
            let mut t = 0i64;
            let starts: Vec<i64> = (0..next(300))
                .map(|_| {
                    // Mostly forward, sometimes back (a daylight-saving change).
                    t += p - spread as i64 / 2 + next(spread) as i64 - if next(50) == 0 { 2 * p } else { 0 };
                    t
                })
                .collect();
            let tol = tolerance(p);
            let (mut fitting, mut single, mut runs_behind, mut eligible, mut prev_fit) = (0, 0, 0, 0, false);
            for w in starts.windows(2) {
                let d = w[1] - w[0];
                let k = (d + p / 2) / p;
                eligible += usize::from(k >= 1);
                let fit = k >= 1 && (d - k * p).abs() <= tol;
                if fit {
                    fitting += 1;
                    single += usize::from(k == 1);
                    runs_behind += if prev_fit { 1 } else { 2 };
                }
                prev_fit = fit;
            }
            let s = score(&starts, p);
            assert_eq!(
                (s.fitting, s.single, s.runs_behind, s.eligible),
                (fitting, single, runs_behind, eligible),
                "case {case}"
            );
            (all_single, all_multiple) = (all_single + single, all_multiple + fitting - single);
        }
        assert!(all_single > 10_000 && all_multiple > 1000, "{all_single} {all_multiple}");
    }

    #[test]
    fn counted_and_selected_percentiles_agree() {
        let mut counts = Vec::new();
        for n in [1usize, 2, 3, 10, 99, 100, 1000] {
            for max in [0i64, 1, 6, 60, 1800] {
                let v: Vec<i64> = (0..n as i64).map(|i| (i * 7919 + 11) % (max + 1)).collect();
                let mut selected = v.clone();
                let i = (((n - 1) as f64 * 0.9).round() as usize).min(n - 1);
                let (_, want, _) = selected.select_nth_unstable(i);
                assert_eq!(p90(&mut v.clone(), max, &mut counts), *want, "{n} {max}");
                // A value outside the range falls back to selecting.
                let mut wide = v.clone();
                wide[0] = max + 5;
                let mut selected = wide.clone();
                let (_, want, _) = selected.select_nth_unstable(i);
                assert_eq!(p90(&mut wide, max, &mut counts), *want, "{n} {max}");
            }
        }
        assert_eq!(p90(&mut [], 10, &mut counts), 0);
    }

    #[test]
    fn never_from_fewer_than_three_runs() {
        assert_eq!(estimate(&[0, 3600]), None);
        assert_eq!(estimate(&[]), None);
    }
}
