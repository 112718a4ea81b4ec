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
pub fn coalesce(times: &[i64], gap: i64) -> Vec<Run> {
    let mut runs = Vec::new();
    coalesce_into(times, gap, &mut runs);
    runs
}

/// [`coalesce`] into `runs` (cleared first), reusing its allocation.
pub fn coalesce_into(times: &[i64], gap: i64, runs: &mut Vec<Run>) {
    runs.clear();
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
    breaks: Vec<(f64, i64)>,
    spans: Vec<i64>,
    between: Vec<i64>,
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
        breaks,
        spans,
        between,
    } = scratch;
    gaps.clear();
    gaps.extend(diffs(times).filter(|&g| g > 0));
    gaps.sort_unstable();
    let m = (gaps.len() / 50).max(1);
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

    #[test]
    fn single_requests_stay_apart() {
        let times: Vec<i64> = (0..100).map(|i| i * 900 + (i * 7 % 20)).collect();
        assert_eq!(choose_gap(&times, 1), 0);
        assert!(choose_gap(&[1, 2], 1) == 0);
    }
}
