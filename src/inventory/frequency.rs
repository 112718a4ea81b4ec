//! The `frequency` column: free text such as `every 15 minutes`, `hourly`,
//! `daily 02:00`, `weekly`, `continuous` or `on demand`, read into an
//! expected period.

use super::quote;
use regex::Regex;
use std::sync::LazyLock;

/// The expected rhythm of an integration, from the free-text `frequency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// A run every `seconds`; `at` is the local time of day (hours,
    /// minutes) when the text names one (`daily 02:00`).
    Every { seconds: u64, at: Option<(u32, u32)> },
    /// Always connected (`continuous`, `real-time`, `streaming`).
    Continuous,
    /// No schedule (`on demand`, `ad hoc`, `manual`, `event-driven`, empty).
    Irregular,
}

/// How often a continuous integration is expected to show up at least:
/// used for the stale check only.
pub const CONTINUOUS_PERIOD_S: u64 = 60;

const MINUTE: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;
const WEEK: u64 = 7 * DAY;

// Compiled once; the patterns are constant (a failure would show in the
// frequency tests as "not a frequency", never as a panic).
static EVERY_N: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^
        (?:every|each)?\s*              # optional 'every'
        (?P<n>\d+)?\s*                  # count, default 1
        (?P<unit>s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)
        $",
    )
    .ok()
});

static TIMES_PER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^
        (?P<n>\d+|once|twice)\s*        # how many times
        (?:x|times)?\s*                 # '4x', '4 times', 'twice'
        (?:a|an|per|/)?\s*              # 'a day', 'per hour', '/day'
        (?P<unit>minute|hour|day|week)  # per what
        $",
    )
    .ok()
});

static TIME_OF_DAY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \s*(?:at\s*)?                   # optional 'at'
        (?P<h>\d{1,2}):(?P<m>\d{2})     # HH:MM, 24-hour clock
        (?::\d{2})?                     # optional seconds, ignored
        \s*$",
    )
    .ok()
});

fn unit_seconds(u: &str) -> u64 {
    match u.chars().next() {
        Some('s') => 1,
        Some('m') => MINUTE,
        Some('h') => HOUR,
        Some('d') => DAY,
        _ => WEEK,
    }
}

impl Frequency {
    /// Parses the free text of the `frequency` column: `every 15 minutes`,
    /// `every 2h`, `15 min`, `hourly`, `daily`, `daily 02:00`, `nightly at
    /// 23:30`, `twice daily`, `4 times a day`, `weekly` (a weekday after it
    /// is allowed and not checked), `monthly`, `quarterly`, `yearly`,
    /// `continuous` / `real-time` / `streaming`, and `on demand` / `ad hoc`
    /// / `manual` / `event-driven` / empty for no schedule.
    pub fn parse(text: &str) -> Result<Frequency, String> {
        let norm: String = text.trim().to_ascii_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
        let t = norm.as_str();
        const IRREGULAR: &[&str] = &[
            "",
            "on demand",
            "on-demand",
            "ad hoc",
            "ad-hoc",
            "adhoc",
            "manual",
            "manually",
            "event-driven",
            "event driven",
            "as needed",
            "irregular",
            "triggered",
            "on request",
            "n/a",
        ];
        const CONTINUOUS: &[&str] = &[
            "continuous",
            "continuously",
            "real-time",
            "realtime",
            "real time",
            "streaming",
            "always on",
            "always-on",
            "constant",
            "persistent",
        ];
        if IRREGULAR.contains(&t) {
            return Ok(Frequency::Irregular);
        }
        if CONTINUOUS.contains(&t) {
            return Ok(Frequency::Continuous);
        }
        let (head, at) = match TIME_OF_DAY.as_ref().and_then(|r| r.captures(t)) {
            Some(c) => {
                let h: u32 = c.name("h").and_then(|m| m.as_str().parse().ok()).unwrap_or(99);
                let m: u32 = c.name("m").and_then(|m| m.as_str().parse().ok()).unwrap_or(99);
                if h > 23 || m > 59 {
                    return Err(format!("{}: the time of day is not a valid HH:MM", quote(text)));
                }
                let start = c.get(0).map_or(t.len(), |m| m.start());
                (t.get(..start).unwrap_or_default().trim(), Some((h, m)))
            }
            None => (t, None),
        };
        let every = |seconds: u64| Ok(Frequency::Every { seconds, at });
        let head = head.trim_end_matches([',', ' ']);
        match head {
            "hourly" | "every hour" | "each hour" => return every(HOUR),
            "daily" | "nightly" | "every day" | "every night" | "each day" | "once a day" | "once daily" | "every weekday" | "weekdays" => {
                return every(DAY)
            }
            "twice daily" | "twice a day" => return every(DAY / 2),
            "monthly" | "every month" | "once a month" => return every(30 * DAY),
            "quarterly" | "every quarter" => return every(91 * DAY),
            "yearly" | "annually" | "every year" | "once a year" => return every(365 * DAY),
            _ => {}
        }
        if head == "weekly" || head == "every week" || head == "once a week" || weekly_on_day(head) {
            return every(WEEK);
        }
        if let Some(c) = EVERY_N.as_ref().and_then(|r| r.captures(head)) {
            let n: u64 = c.name("n").map_or(Some(1), |m| m.as_str().parse().ok()).unwrap_or(0);
            let unit = c.name("unit").map_or("", |m| m.as_str());
            if n == 0 {
                return Err(format!("{}: the interval must be at least 1", quote(text)));
            }
            return every(n.saturating_mul(unit_seconds(unit)));
        }
        if let Some(c) = TIMES_PER.as_ref().and_then(|r| r.captures(head)) {
            let n: u64 = match c.name("n").map_or("", |m| m.as_str()) {
                "once" => 1,
                "twice" => 2,
                d => d.parse().unwrap_or(0),
            };
            let unit = c.name("unit").map_or("", |m| m.as_str());
            if n == 0 {
                return Err(format!("{}: the count must be at least 1", quote(text)));
            }
            return every((unit_seconds(unit) / n).max(1));
        }
        Err(format!(
            "{} is not a frequency seam understands; use for example 'every 15 minutes', 'hourly', 'daily 02:00', 'weekly', 'continuous' or 'on demand'",
            quote(text)
        ))
    }

    /// The expected time between runs, if the integration has a schedule.
    pub fn period_seconds(&self) -> Option<u64> {
        match self {
            Frequency::Every { seconds, .. } => Some(*seconds),
            Frequency::Continuous => Some(CONTINUOUS_PERIOD_S),
            Frequency::Irregular => None,
        }
    }
}

/// `weekly mon`, `weekly on sunday`, `every monday`, `mondays`.
fn weekly_on_day(t: &str) -> bool {
    const DAYS: &[&str] = &[
        "mon",
        "monday",
        "tue",
        "tues",
        "tuesday",
        "wed",
        "wednesday",
        "thu",
        "thur",
        "thurs",
        "thursday",
        "fri",
        "friday",
        "sat",
        "saturday",
        "sun",
        "sunday",
    ];
    let rest = t
        .strip_prefix("weekly")
        .or_else(|| t.strip_prefix("every"))
        .map(|r| r.trim().trim_start_matches("on ").trim());
    match rest {
        Some(day) => DAYS.contains(&day.trim_end_matches('s')) || DAYS.contains(&day),
        None => DAYS.contains(&t.trim_end_matches('s')) && t.ends_with('s'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_free_text() {
        let every = |s: u64| Frequency::Every { seconds: s, at: None };
        for (text, want) in [
            ("every 15 minutes", every(900)),
            ("Every 15 Minutes", every(900)),
            ("every 2h", every(7200)),
            ("15 min", every(900)),
            ("every minute", every(60)),
            ("every 30 seconds", every(30)),
            ("hourly", every(3600)),
            ("daily", every(86_400)),
            ("nightly", every(86_400)),
            ("twice daily", every(43_200)),
            ("4 times a day", every(21_600)),
            ("3x per hour", every(1200)),
            ("weekly", every(604_800)),
            ("weekly on Sunday", every(604_800)),
            ("every monday", every(604_800)),
            ("monthly", every(2_592_000)),
            ("continuous", Frequency::Continuous),
            ("real-time", Frequency::Continuous),
            ("on demand", Frequency::Irregular),
            ("", Frequency::Irregular),
        ] {
            assert_eq!(Frequency::parse(text), Ok(want), "{text}");
        }
        assert_eq!(
            Frequency::parse("daily 02:00"),
            Ok(Frequency::Every {
                seconds: 86_400,
                at: Some((2, 0))
            })
        );
        assert_eq!(
            Frequency::parse("nightly at 23:30"),
            Ok(Frequency::Every {
                seconds: 86_400,
                at: Some((23, 30))
            })
        );
        for bad in ["daily 25:00", "every 0 minutes", "fortnightly-ish", "sometimes", "12:00"] {
            assert!(Frequency::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Frequency::Continuous.period_seconds(), Some(CONTINUOUS_PERIOD_S));
        assert_eq!(Frequency::Irregular.period_seconds(), None);
    }
}
