//! The schedule as a person reads it: `every 15m`, `every 1h at :05,
//! weekdays 07-19`, `every 6h from 01:30`, `daily 02:00 ±3m`,
//! `weekly Mon 03:00`, or `irregular`.
//!
//! Times are local wall-clock times in the `--tz` zone; weekday sets and
//! hour windows are read from each run's scheduled slot (its time minus its
//! jitter) when the phase is locked. Rules:
//! - below an hour: `every <period>`;
//! - one hour, phase-locked: `every 1h at :MM`;
//! - hours that divide a day, phase-locked: `every <period> from HH:MM`
//!   (the first run after midnight);
//! - one day: `daily HH:MM`, or `weekdays HH:MM` / `Mon,Wed HH:MM` when
//!   runs skip observed days; one week: `weekly Ddd HH:MM`; either with
//!   ` ±Nm` when the jitter is a minute or more;
//! - anything else: `every <period>`;
//! - below a day, a weekday set (`, weekdays`, `, weekends`) and an hour
//!   window (`, 07-19`: from 07:00 to 19:00) when the runs keep to them.
//!
//! A time of day is rounded to the minute; when it lies closer to a
//! multiple of five minutes than the jitter (at least 45 s, at most 150 s)
//! it is snapped to it: people schedule at round times, and a mean of a few
//! jittered runs is rarely exactly on the minute. With fewer than
//! [`FEW_RUNS`] runs behind the claim the jitter itself is poorly known, so
//! the full 150 s applies.

use super::period::PeriodFit;
use super::push_duration;
use std::fmt::Write;

/// Below this many runs behind a claim, times snap within the full 150 s.
pub const FEW_RUNS: usize = 8;

pub const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const WEEKDAYS: u8 = 0b001_1111;
const WEEKEND: u8 = 0b110_0000;
const ALL_DAYS: u8 = 0b111_1111;

/// Local weekday (Mon = 0) of local seconds.
pub fn weekday(local: i64) -> usize {
    weekday_of_day(local.div_euclid(86_400))
}

/// Weekday (Mon = 0) of a day number (days since 1970-01-01, a Thursday).
fn weekday_of_day(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// Day number, weekday (Mon = 0) and hour of one local time (see [`DayClock`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHour {
    pub day: i64,
    pub weekday: usize,
    pub hour: usize,
}

/// [`DayHour`] of local times that mostly share their day with the one
/// before, as a channel's sorted run starts do: the day is divided out once
/// per new day, and a time within the remembered day needs a subtraction
/// and a division by a constant instead of three signed remainders. Any
/// order of times gives the same answers, only more slowly.
#[derive(Debug, Clone, Copy, Default)]
pub struct DayClock {
    /// The remembered day: its first second, number and weekday.
    day: Option<(i64, i64, usize)>,
}

impl DayClock {
    #[inline]
    pub fn at(&mut self, local: i64) -> DayHour {
        if let Some((start, day, weekday)) = self.day {
            // `local` lies in the remembered day when it is 0 to 86399
            // seconds past its start (in i128, which cannot overflow).
            let into = i128::from(local) - i128::from(start);
            if (into as u128) < 86_400 {
                return DayHour {
                    day,
                    weekday,
                    hour: into as usize / 3600,
                };
            }
        }
        let (day, into) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let weekday = weekday_of_day(day);
        // A day that starts before i64::MIN (only near it) is not remembered.
        if let Some(start) = local.checked_sub(into) {
            self.day = Some((start, day, weekday));
        }
        DayHour {
            day,
            weekday,
            hour: into as usize / 3600,
        }
    }
}

/// Which weekdays a local window [first, last] covers, as a bit set.
pub fn observed_days(first: i64, last: i64) -> u8 {
    let (d0, d1) = (first.div_euclid(86_400), last.div_euclid(86_400));
    if d1 - d0 >= 6 {
        return ALL_DAYS;
    }
    (d0..=d1).fold(0u8, |m, d| m | 1 << ((d + 3).rem_euclid(7)))
}

/// Appends `HH:MM` of a time of day.
fn push_hhmm(out: &mut String, s: i64) {
    let s = s.rem_euclid(86_400);
    let _ = write!(out, "{:02}:{:02}", s / 3600, s % 3600 / 60);
}

/// Rounds a time of day to the minute, snapping to a multiple of five
/// minutes when it is closer than the jitter (at least 45 s, at most 150 s).
fn round_time(s: i64, jitter: i64) -> i64 {
    let five = (s + 150).div_euclid(300) * 300;
    if (s - five).abs() < jitter.clamp(45, 150) {
        return five;
    }
    (s + 30).div_euclid(60) * 60
}

/// Runs per local weekday and per hour of the day, counted in one pass
/// over the scheduled slots instead of collecting the slots first.
struct Histogram {
    runs: usize,
    days: [usize; 7],
    hours: [usize; 24],
}

impl Histogram {
    fn new(starts: &[i64], fit: &PeriodFit) -> Histogram {
        let mut h = Histogram {
            runs: starts.len(),
            days: [0; 7],
            hours: [0; 24],
        };
        // Sorted starts have sorted slots, so the clock mostly stays on its day.
        let mut clock = DayClock::default();
        let mut count = |t: i64| {
            let at = clock.at(t);
            if let Some(c) = h.days.get_mut(at.weekday) {
                *c += 1;
            }
            if let Some(c) = h.hours.get_mut(at.hour) {
                *c += 1;
            }
        };
        // Without a locked phase each run is its own slot.
        if fit.phase_locked() {
            fit.slots().walk(starts).for_each(count);
        } else {
            starts.iter().for_each(|&t| count(t));
        }
        h
    }
}

/// Days the runs fall on, dropping days with at most 2 % of the runs.
fn active_days(h: &Histogram) -> u8 {
    let floor = h.runs / 50;
    h.days
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > floor)
        .fold(0u8, |m, (d, _)| m | 1 << d)
}

/// Appends the names of the days in `mask`, comma-separated.
fn push_day_list(out: &mut String, mask: u8) {
    let mut first = true;
    for (d, name) in WEEKDAY_NAMES.iter().enumerate() {
        if mask & (1 << d) != 0 {
            if !first {
                out.push(',');
            }
            out.push_str(name);
            first = false;
        }
    }
}

/// `weekdays`, `weekends`, or a list, when the runs skip days that were
/// observed: appended to `out` (after `sep`), and true; else false.
fn push_day_text(out: &mut String, sep: &str, h: &Histogram, observed: u8) -> bool {
    let active = active_days(h);
    if active & observed == observed || active == 0 {
        return false;
    }
    out.push_str(sep);
    match active {
        WEEKDAYS if observed & WEEKEND != 0 => out.push_str("weekdays"),
        WEEKEND => out.push_str("weekends"),
        m => push_day_list(out, m),
    }
    true
}

/// The hour window `HH-HH` runs keep to, when a job running all day would
/// have run at least twice outside it.
fn hour_window(h: &Histogram, period: i64) -> Option<(i64, i64)> {
    let floor = h.runs / 200;
    let active = h.hours.map(|c| c > floor);
    if active.iter().all(|&a| a) || !active.iter().any(|&a| a) {
        return None;
    }
    // Longest circular stretch of inactive hours, the earliest start among
    // equals. Some hour is active, so a stretch counted over two turns of
    // the clock ends within 24 hours of its start: `run[i]` is the length
    // of the stretch starting at hour `i % 24` on the doubled clock.
    let mut run = [0i64; 49];
    for i in (0..48usize).rev() {
        let inactive = !active.get(i % 24).copied().unwrap_or(true);
        let next = run.get(i + 1).copied().unwrap_or(0);
        if let Some(r) = run.get_mut(i) {
            *r = if inactive { next + 1 } else { 0 };
        }
    }
    let (mut best_len, mut best_start) = (0i64, 0i64);
    for (start, &len) in run.iter().take(24).enumerate() {
        if len > best_len {
            (best_len, best_start) = (len, start as i64);
        }
    }
    let width = 24 - best_len;
    if best_len < 2 || best_len * 3600 / period < 2 {
        return None;
    }
    let from = (best_start + best_len) % 24;
    Some((from, (from + width - 1) % 24 + 1))
}

/// Appends ` ±Nm` when the jitter is a minute or more.
fn push_plus_minus(out: &mut String, j: i64) {
    if j >= 60 {
        let _ = write!(out, " ±{}m", (j + 30) / 60);
    }
}

/// Schedule text for a channel with run starts `starts` (local seconds,
/// sorted), its period fit, and the weekdays the window observed.
pub fn describe(fit: Option<&PeriodFit>, starts: &[i64], observed: u8) -> String {
    let Some(f) = fit else {
        return "irregular".into();
    };
    let p = f.period;
    let locked = f.phase_locked();
    let snap = if f.runs_behind < FEW_RUNS { 150 } else { f.jitter };
    let mut s = String::new();
    // Weekday and hour patterns are read from the scheduled slots, so that
    // a 07:00 run that jitters to 06:59 still counts as 07:00; they are
    // only counted for the texts that show them.
    if p == 86_400 && locked {
        let h = Histogram::new(starts, f);
        if !push_day_text(&mut s, "", &h, observed) {
            s.push_str("daily");
        }
        s.push(' ');
        push_hhmm(&mut s, round_time(f.phase, snap));
        push_plus_minus(&mut s, f.jitter);
        return s;
    }
    if p == 604_800 && locked {
        let at = round_time(f.phase, snap);
        let day = WEEKDAY_NAMES
            .get((at.div_euclid(86_400)).rem_euclid(7) as usize)
            .copied()
            .unwrap_or("Mon");
        let _ = write!(s, "weekly {day} ");
        push_hhmm(&mut s, at);
        push_plus_minus(&mut s, f.jitter);
        return s;
    }
    s.push_str("every ");
    push_duration(&mut s, p);
    if p == 3600 && locked {
        let _ = write!(s, " at :{:02}", round_time(f.phase, snap) % 3600 / 60);
    } else if p > 3600 && p < 86_400 && 86_400 % p == 0 && locked {
        s.push_str(" from ");
        push_hhmm(&mut s, round_time(f.phase, snap));
    }
    if p < 86_400 {
        let h = Histogram::new(starts, f);
        let days = push_day_text(&mut s, ", ", &h, observed);
        let hours = if p <= 7200 { hour_window(&h, p) } else { None };
        if let Some((a, b)) = hours {
            let _ = write!(s, "{}{a:02}-{b:02}", if days { " " } else { ", " });
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::period::estimate;
    use super::*;

    fn text(starts: &[i64]) -> String {
        describe(estimate(starts).as_ref(), starts, ALL_DAYS)
    }

    // 1970-01-05 (day 4) was a Monday.
    const MON: i64 = 4 * 86_400;

    #[test]
    fn hourly_on_weekdays_in_office_hours() {
        let starts: Vec<i64> = (0..21)
            .filter(|d| (d + 4 + 3) % 7 < 5)
            .flat_map(|d| (7..19).map(move |h| MON + d * 86_400 + h * 3600 + 300 + (h % 3) * 10))
            .collect();
        assert_eq!(text(&starts), "every 1h at :05, weekdays 07-19");
    }

    #[test]
    fn daily_with_jitter_snaps_to_round_time() {
        let starts: Vec<i64> = (0..14)
            .map(|d| MON + d * 86_400 + 2 * 3600 + [-170, 120, -60, 175, 10][d as usize % 5])
            .collect();
        assert_eq!(text(&starts), "daily 02:00 ±3m");
    }

    #[test]
    fn round_times_snap_but_precise_odd_minutes_stay() {
        assert_eq!(round_time(4 * 3600 + 1769, 40), 4 * 3600 + 1800);
        assert_eq!(round_time(4 * 3600 + 29 * 60, 2), 4 * 3600 + 29 * 60);
        assert_eq!(round_time(4 * 3600 + 29 * 60 + 40, 5), 4 * 3600 + 30 * 60);
        assert_eq!(round_time(3 * 60 + 10, 200), 5 * 60);
    }

    #[test]
    fn weekly_and_multi_hourly() {
        let weekly: Vec<i64> = (0..4).map(|w| MON + w * 604_800 + 3 * 3600).collect();
        assert_eq!(text(&weekly), "weekly Mon 03:00");
        let six: Vec<i64> = (0..40).map(|i| MON + 5400 + i * 21_600).collect();
        assert_eq!(text(&six), "every 6h from 01:30");
    }

    #[test]
    fn quarter_hour_daytime_window_and_irregular() {
        let starts: Vec<i64> = (0..7)
            .flat_map(|d| (8 * 4..18 * 4).map(move |q| MON + d * 86_400 + q * 900 + 60))
            .collect();
        assert_eq!(text(&starts), "every 15m, 08-18");
        assert_eq!(describe(None, &starts, ALL_DAYS), "irregular");
    }

    #[test]
    fn day_clock_agrees_with_division() {
        let mut clock = DayClock::default();
        let times = [
            -200_000,
            -86_401,
            -86_400,
            -1,
            0,
            1,
            3599,
            3600,
            86_399,
            86_400,
            90_000,
            5,
            700_000,
            i64::MIN,
            i64::MIN + 1,
            i64::MAX,
        ];
        for t in times.into_iter().chain((0..2000).map(|i| i * 997 - 400_000)) {
            let want = DayHour {
                day: t.div_euclid(86_400),
                weekday: weekday(t),
                hour: (t.rem_euclid(86_400) / 3600) as usize,
            };
            assert_eq!(clock.at(t), want, "{t}");
        }
    }

    #[test]
    fn weekdays_only_claimed_when_a_weekend_was_observed() {
        let starts: Vec<i64> = (0..5).map(|d| MON + d * 86_400 + 4 * 3600).collect();
        let f = estimate(&starts);
        assert_eq!(
            describe(f.as_ref(), &starts, observed_days(MON, MON + 5 * 86_400 - 1)),
            "daily 04:00"
        );
        assert_eq!(describe(f.as_ref(), &starts, ALL_DAYS), "weekdays 04:00");
    }
}
