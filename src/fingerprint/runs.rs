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

/// True when runs made with `gap` are short next to the gaps between them.
fn runs_are_bursts(times: &[i64], gap: i64) -> bool {
    let runs = coalesce(times, gap);
    if runs.len() < 2 {
        return false;
    }
    let mut spans: Vec<i64> = runs.iter().filter(|r| r.events > 1).map(|r| r.end - r.start).collect();
    let mut between: Vec<i64> = runs.iter().zip(runs.iter().skip(1)).map(|(a, b)| b.start - a.end).collect();
    match (median(&mut spans), median(&mut between)) {
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
    if times.len() < 3 {
        return 0;
    }
    let mut gaps: Vec<i64> = diffs(times).filter(|&g| g > 0).collect();
    gaps.sort_unstable();
    let m = (gaps.len() / 50).max(1);
    // Candidate breaks: (ratio, lower gap), best first, one per lower gap.
    let mut breaks: Vec<(f64, i64)> = gaps
        .iter()
        .zip(gaps.iter().skip(m))
        .filter(|(lo, _)| **lo <= MAX_GAP_S)
        .map(|(&lo, &hi)| (hi as f64 / lo.max(1) as f64, lo))
        .filter(|(ratio, _)| *ratio >= MIN_BREAK)
        .collect();
    breaks.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    breaks.dedup_by_key(|b| b.1);
    let mut tried = 0;
    for &(_, lower) in &breaks {
        let gap = lower.max(res);
        if runs_are_bursts(times, gap) {
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
