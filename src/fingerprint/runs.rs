//! Coalescing a channel's requests into runs.
//!
//! A job that pages through an API, retries, or opens a tunnel and a few
//! sub-requests makes several requests each time it runs. Periodicity is a
//! property of the runs, so requests closer together than a gap chosen per
//! channel are merged first.
//!
//! The gap is the natural break in the channel's own inter-request gaps: the
//! largest ratio between sorted gaps a few ranks apart, among gaps of at
//! most [`MAX_GAP_S`], that is at least [`MIN_BREAK`]. A break is only accepted
//! when the runs it makes are short next to the spacing between them (a
//! once-a-minute job with night pauses must not become one run per day);
//! otherwise the next-best break is tried, and without one every request is
//! its own run.

/// Longest gap that can still join two requests into one run.
pub const MAX_GAP_S: i64 = 300;
/// A break must separate gap sizes by at least this factor.
pub const MIN_BREAK: f64 = 3.0;
/// How many candidate breaks to try.
const TRIES: usize = 3;

/// One run: first and last request time (seconds) and the request-time buckets in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: i64,
    pub end: i64,
    pub events: u32,
}

/// Merges sorted times: a gap of at most `gap` seconds continues the run.
/// Fingerprinting reads only the runs' starts ([`starts_into`]); the whole
/// runs are for tests and readers.
pub fn coalesce(times: &[i64], gap: i64) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for &t in times {
        match runs.last_mut() {
            Some(r) if t - r.end <= gap => {
                r.end = t;
                r.events += 1;
            }
            _ => runs.push(Run {
                start: t,
                end: t,
                events: 1,
            }),
        }
    }
    runs
}

/// The first time of each run [`coalesce`] would make, through `map`, into
/// `starts` (cleared first): all that fingerprinting reads of the runs.
pub fn starts_into(times: &[i64], gap: i64, starts: &mut Vec<i64>, mut map: impl FnMut(i64) -> i64) {
    starts.clear();
    let Some((&first, rest)) = times.split_first() else {
        return;
    };
    starts.push(map(first));
    let mut end = first;
    for &t in rest {
        if t - end > gap {
            starts.push(map(t));
        }
        end = t;
    }
}

/// Differences between consecutive values.
pub fn diffs(v: &[i64]) -> impl Iterator<Item = i64> + '_ {
    v.iter().zip(v.iter().skip(1)).map(|(a, b)| b - a)
}

fn median(v: &mut [i64]) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable(mid);
    Some(*m)
}

/// Buffers [`choose_gap_with`] reuses from one channel to the next.
#[derive(Default)]
pub struct Scratch {
    gaps: Vec<i64>,
    long: Vec<i64>,
    counts: Vec<usize>,
    breaks: Vec<(f64, i64)>,
    spans: Vec<i64>,
    between: Vec<i64>,
}

/// Below this many gaps a comparison sort beats counting.
const COUNT_FROM: usize = 32;

/// Sorts gaps of 1 to [`MAX_GAP_S`] seconds. Many of them are counted per
/// value and written back in order instead: the values span at most
/// [`MAX_GAP_S`], and equal integers are interchangeable, so the order is
/// the one a sort gives.
fn sort_short(gaps: &mut [i64], counts: &mut Vec<usize>) {
    let (Some(&lo), Some(&hi)) = (gaps.iter().min(), gaps.iter().max()) else {
        return;
    };
    if gaps.len() < COUNT_FROM || hi - lo >= MAX_GAP_S {
        gaps.sort_unstable();
        return;
    }
    counts.clear();
    counts.resize((hi - lo + 1) as usize, 0);
    for &g in gaps.iter() {
        if let Some(c) = counts.get_mut((g - lo) as usize) {
            *c += 1;
        }
    }
    let mut out = gaps.iter_mut();
    for (value, &count) in (lo..).zip(counts.iter()) {
        for slot in out.by_ref().take(count) {
            *slot = value;
        }
    }
}

/// True when runs made with `gap` are short next to the gaps between them.
/// The runs are walked, not stored: only the spans of runs with more than
/// one event and the gaps between runs are needed.
fn runs_are_bursts(times: &[i64], gap: i64, spans: &mut Vec<i64>, between: &mut Vec<i64>) -> bool {
    spans.clear();
    between.clear();
    let Some((&first, rest)) = times.split_first() else {
        return false;
    };
    let (mut start, mut end, mut events) = (first, first, 1u32);
    for &t in rest {
        if t - end <= gap {
            end = t;
            events += 1;
        } else {
            if events > 1 {
                spans.push(end - start);
            }
            between.push(t - end);
            (start, end, events) = (t, t, 1);
        }
    }
    if events > 1 {
        spans.push(end - start);
    }
    if between.is_empty() {
        return false;
    }
    match (median(spans), median(between)) {
        (Some(span), Some(gap_between)) => span * 4 <= gap_between,
        _ => true,
    }
}

/// The run gap for a channel's sorted, distinct event times (seconds);
/// `res` is their resolution. Returns 0 when requests should not merge.
///
/// Breaks are found on ranks, not on distinct values: the ratio between the
/// gap at rank `i` and the gap `m` ranks later (`m` = 2 % of the gaps), so
/// that a few stray gaps (extra runs, retries) cannot fill the valley
/// between request spacing and run spacing.
pub fn choose_gap(times: &[i64], res: i64) -> i64 {
    choose_gap_with(times, res, &mut Scratch::default())
}

/// [`choose_gap`] with buffers kept in `scratch` between calls.
pub fn choose_gap_with(times: &[i64], res: i64, scratch: &mut Scratch) -> i64 {
    if times.len() < 3 {
        return 0;
    }
    let Scratch {
        gaps,
        long,
        counts,
        breaks,
        spans,
        between,
    } = scratch;
    // A break pairs a gap of at most MAX_GAP_S with the gap m ranks above
    // it, so without a short gap there is no break (a scheduled job's
    // channel, often): one look settles it, without collecting the gaps.
    if !diffs(times).any(|g| (1..=MAX_GAP_S).contains(&g)) {
        return 0;
    }
    // Only the sorted gaps up to m ranks past the last short one are read:
    // the short gaps in order, then the m shortest long ones in order. The
    // other long gaps are never sorted.
    gaps.clear();
    long.clear();
    for g in diffs(times) {
        if g > MAX_GAP_S {
            long.push(g);
        } else if g > 0 {
            gaps.push(g);
        }
    }
    let m = ((gaps.len() + long.len()) / 50).max(1);
    sort_short(gaps, counts);
    let shortest_long = if long.len() > m {
        // The m shortest, in some order, ahead of the m-th.
        let (shortest, _, _) = long.select_nth_unstable(m);
        shortest
    } else {
        &mut long[..]
    };
    shortest_long.sort_unstable();
    gaps.extend_from_slice(shortest_long);
    // Candidate breaks: (ratio, lower gap), best first, one per lower gap.
    breaks.clear();
    breaks.extend(
        gaps.iter()
            .zip(gaps.iter().skip(m))
            .filter(|(lo, _)| **lo <= MAX_GAP_S)
            .map(|(&lo, &hi)| (hi as f64 / lo.max(1) as f64, lo))
            .filter(|(ratio, _)| *ratio >= MIN_BREAK),
    );
    breaks.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    breaks.dedup_by_key(|b| b.1);
    let mut tried = 0;
    for &(_, lower) in breaks.iter() {
        let gap = lower.max(res);
        if runs_are_bursts(times, gap, spans, between) {
            return gap;
        }
        tried += 1;
        if tried == TRIES {
            break;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_the_starts_of_the_runs() {
        let mut rng = crate::synth::rng::Rng::new(5);
        let mut starts = vec![1];
        for _ in 0..500 {
            let mut t = rng.below(1 << 32) as i64 - (1 << 31);
            let times: Vec<i64> = (0..rng.below(200))
                .map(|_| {
                    t += 1 + rng.below(400) as i64;
                    t
                })
                .collect();
            for gap in [0, 1, 5, 60, 300] {
                starts_into(&times, gap, &mut starts, |t| t * 3 + 1);
                let want: Vec<i64> = coalesce(&times, gap).iter().map(|r| r.start * 3 + 1).collect();
                assert_eq!(starts, want);
            }
        }
    }

    #[test]
    fn pagination_bursts_become_one_run_each() {
        // Every hour, 5 pages two seconds apart.
        let times: Vec<i64> = (0..24).flat_map(|h| (0..5).map(move |p| h * 3600 + p * 2)).collect();
        let gap = choose_gap(&times, 1);
        assert!((2..=MAX_GAP_S).contains(&gap), "gap {gap}");
        let runs = coalesce(&times, gap);
        assert_eq!(runs.len(), 24);
        assert_eq!(
            runs[0],
            Run {
                start: 0,
                end: 8,
                events: 5
            }
        );
    }

    #[test]
    fn minutely_job_with_night_pause_is_not_merged_into_days() {
        // Every minute from 08:00 to 18:00 on 5 days: the only large break is
        // the night, and merging across minutes would make one run a day.
        let times: Vec<i64> = (0..5)
            .flat_map(|d| (0..600).map(move |m| d * 86_400 + 8 * 3600 + m * 60 + (m % 3)))
            .collect();
        assert_eq!(choose_gap(&times, 1), 0);
        assert_eq!(coalesce(&times, 0).len(), times.len());
    }

    #[test]
    fn stray_gaps_do_not_hide_the_break() {
        // Every 5 minutes, 2-3 requests a second apart, plus random extra
        // runs whose gaps land anywhere between the two scales.
        let mut times = Vec::new();
        for i in 0..2000i64 {
            let t = i * 300;
            times.extend([t, t + 1, t + 1 + i % 2]);
            if i % 50 == 7 {
                times.push(t + 7 + (i * 37) % 280);
            }
        }
        times.sort_unstable();
        times.dedup();
        let gap = choose_gap(&times, 1);
        assert!((1..=10).contains(&gap), "gap {gap}");
        assert!(coalesce(&times, gap).len() < 2100);
    }

    /// The gap as chosen from all gaps fully sorted.
    fn choose_gap_fully_sorted(times: &[i64], res: i64) -> i64 {
        if times.len() < 3 {
            return 0;
        }
        let mut gaps: Vec<i64> = diffs(times).filter(|&g| g > 0).collect();
        gaps.sort_unstable();
        let m = (gaps.len() / 50).max(1);
        let mut breaks: Vec<(f64, i64)> = gaps
            .iter()
            .zip(gaps.iter().skip(m))
            .filter(|(lo, _)| **lo <= MAX_GAP_S)
            .map(|(&lo, &hi)| (hi as f64 / lo.max(1) as f64, lo))
            .filter(|(ratio, _)| *ratio >= MIN_BREAK)
            .collect();
        breaks.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        breaks.dedup_by_key(|b| b.1);
        let (mut spans, mut between) = (Vec::new(), Vec::new());
        for &(_, lower) in breaks.iter().take(TRIES) {
            let gap = lower.max(res);
            if runs_are_bursts(times, gap, &mut spans, &mut between) {
                return gap;
            }
        }
        0
    }

    #[test]
    fn partly_sorted_gaps_choose_as_fully_sorted_ones() {
        let mut rng = crate::synth::rng::Rng::new(7);
        let mut next = |n: u64| rng.below(n);
        let mut scratch = Scratch::default();
        for case in 0..3000 {
            let (len, burst, spacing) = (3 + next(400) as usize, 1 + next(8), 1 + next([30, 400, 4000][case % 3]));
            let inner = [4, 20, 120][case / 3 % 3];
            let mut times = Vec::with_capacity(len);
            let mut t = next(100_000) as i64 - 50_000;
            while times.len() < len {
                for _ in 0..burst {
                    t += 1 + next(inner) as i64;
                    times.push(t);
                }
                t += (spacing + next(spacing)) as i64;
            }
            if case % 5 == 0 {
                times.push(t + 1);
                times.push(t + 1);
            }
            let res = 1 + next(3) as i64;
            assert_eq!(
                choose_gap_with(&times, res, &mut scratch),
                choose_gap_fully_sorted(&times, res),
                "case {case}"
            );
        }
    }

    #[test]
    fn single_requests_stay_apart() {
        let times: Vec<i64> = (0..100).map(|i| i * 900 + (i * 7 % 20)).collect();
        assert_eq!(choose_gap(&times, 1), 0);
        assert!(choose_gap(&[1, 2], 1) == 0);
    }
}
