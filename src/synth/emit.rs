//! Turning actors into timed requests, one local day at a time.

use super::rng::Rng;
use super::{Actor, Event, Pattern, Sink, World, DAY};
use std::net::Ipv4Addr;

/// Per-day event buffers, one per sink.
pub type DayEvents = [Vec<Event>; 3];

impl World {
    /// UTC seconds of local midnight of `day`.
    fn day_start_utc(&self, day: u32) -> i64 {
        self.zone.local_to_utc(self.local_start + i64::from(day) * DAY)
    }

    /// Every event of local day `day`, per sink, sorted by time.
    pub fn day_events(&self, day: u32) -> DayEvents {
        use rayon::prelude::*;
        let parts: Vec<DayEvents> = self
            .actors
            .par_iter()
            .map(|a| {
                let mut out: DayEvents = Default::default();
                for &src in &a.sources {
                    self.emit(a, src, day, &mut out);
                }
                out
            })
            .collect();
        let mut all: DayEvents = Default::default();
        for part in parts {
            for (dst, src) in all.iter_mut().zip(part) {
                dst.extend(src);
            }
        }
        all.par_iter_mut().for_each(|v| v.par_sort_unstable());
        all
    }

    fn emit(&self, a: &Actor, src: Ipv4Addr, day: u32, out: &mut DayEvents) {
        let seed = self.cfg.seed;
        let src_n = u32::from(src);
        let mut rng = Rng::derive(seed, &[2, a.id, u64::from(src_n), u64::from(day)]);
        let mut fixed = Rng::derive(seed, &[3, a.id, u64::from(src_n)]);
        let ds = self.day_start_utc(day) * 1000;
        let de = self.day_start_utc(day + 1) * 1000;
        let local_day = self.local_start + i64::from(day) * DAY;
        let weekday = self.weekday(day);
        let sink = a.sink as usize;
        let Some(buf) = out.get_mut(sink) else { return };
        match &a.pattern {
            Pattern::Cron {
                period,
                phase,
                days,
                hours,
            } => {
                let phase = if a.own_phase {
                    fixed.range(0, period - 1)
                } else if a.sources.len() > 1 {
                    phase + fixed.range(0, 8)
                } else {
                    *phase
                };
                if days & (1 << weekday) == 0 {
                    return;
                }
                let mut x = phase;
                while x < DAY {
                    let hour = (x / 3600) as u8;
                    let in_hours = hours.is_none_or(|(h0, h1)| hour >= h0 && hour < h1);
                    if in_hours {
                        if !rng.chance(a.p_miss) {
                            let t = self.zone.local_to_utc(local_day + x) * 1000 + rng.range(-a.jitter_s * 1000, a.jitter_s * 1000);
                            self.run(a, src_n, t, &mut rng, buf);
                        }
                        if rng.chance(a.p_extra) {
                            let t = rng.range(ds, de - 1);
                            self.run(a, src_n, t, &mut rng, buf);
                        }
                    }
                    x += period;
                }
            }
            Pattern::Every { period_ms, t0_ms } => {
                let p = (*period_ms).max(1000);
                let t0 = if a.own_phase { fixed.range(0, p - 1) } else { *t0_ms };
                let mut k = (ds - t0).div_euclid(p);
                loop {
                    let t = t0 + k * p;
                    k += 1;
                    if t < ds {
                        continue;
                    }
                    if t >= de {
                        break;
                    }
                    if rng.chance(a.p_miss) {
                        continue;
                    }
                    let t = t + rng.range(-a.jitter_s * 1000, a.jitter_s * 1000);
                    self.run(a, src_n, t, &mut rng, buf);
                }
            }
            Pattern::Poisson { mean_s, burst_p } => {
                let mut t = ds as f64;
                loop {
                    t += rng.exp(mean_s * 1000.0);
                    if t >= de as f64 {
                        break;
                    }
                    self.run(a, src_n, t as i64, &mut rng, buf);
                    if rng.chance(*burst_p) {
                        let mut u = t as i64;
                        for _ in 0..rng.range(2, 8) {
                            u += rng.range(1_000, 40_000);
                            self.run(a, src_n, u, &mut rng, buf);
                        }
                    }
                }
            }
            Pattern::Human { sites } => self.human(a, src_n, sites, local_day, weekday, &mut rng, &mut fixed, buf),
        }
    }

    /// One run: a burst of requests, maybe a failed first try and a retry.
    fn run(&self, a: &Actor, src: u32, t: i64, rng: &mut Rng, buf: &mut Vec<Event>) {
        let mut t = t;
        if rng.chance(a.p_retry) {
            buf.push(self.request(a, a.dest, a.agent, src, t, 0, 503, rng));
            t += rng.range(10_000, 40_000);
        }
        let n = rng.range(i64::from(a.burst.min), i64::from(a.burst.max.max(a.burst.min)));
        for i in 0..n {
            buf.push(self.request(a, a.dest, a.agent, src, t, i as u16, 200, rng));
            t += rng.range(a.burst.gap_ms.0, a.burst.gap_ms.1);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn request(&self, a: &Actor, dest: u32, agent: u16, src: u32, t: i64, page: u16, status: u16, rng: &mut Rng) -> Event {
        let vary = |base: u32, spread: f64, rng: &mut Rng| -> u32 {
            if spread <= 0.0 {
                return base;
            }
            let f = 1.0 + spread * (rng.f64() * 2.0 - 1.0);
            (f64::from(base) * f.max(0.05)) as u32
        };
        let (bo, bi) = if status >= 500 {
            (a.size.0.min(900), 180)
        } else {
            (vary(a.size.0, a.spread.0, rng), vary(a.size.1, a.spread.1, rng))
        };
        Event {
            t_ms: t,
            src,
            dest,
            agent,
            user: a.user,
            status,
            page,
            sport: rng.range(20_000, 65_000) as u16,
            bytes_out: bo,
            bytes_in: bi,
            elapsed_ms: rng.range(20, 1500) as u32,
        }
    }

    /// A working day at a workstation: arrive, browse in sessions, lunch, leave.
    #[allow(clippy::too_many_arguments)]
    fn human(
        &self,
        a: &Actor,
        src: u32,
        sites: &[u32],
        local_day: i64,
        weekday: u32,
        rng: &mut Rng,
        fixed: &mut Rng,
        buf: &mut Vec<Event>,
    ) {
        // Personal favourites: a few sites this person opens most.
        let favourites: Vec<u32> = (0..4).map(|_| zipf(fixed, sites)).collect();
        let (start, end) = if weekday >= 5 {
            if !rng.chance(0.05) {
                return;
            }
            let s = rng.range(9 * 3600, 14 * 3600);
            (s, s + rng.range(1800, 3 * 3600))
        } else {
            if rng.chance(0.06) {
                return; // leave, sick day
            }
            let s = rng.range(7 * 3600 + 1800, 9 * 3600 + 1800);
            let mut e = rng.range(16 * 3600 + 1800, 18 * 3600 + 1800);
            if rng.chance(0.1) {
                e += rng.range(1800, 2 * 3600);
            }
            (s, e)
        };
        let lunch = rng.chance(0.8).then(|| {
            let l = rng.range(11 * 3600 + 1800, 13 * 3600);
            (l, l + rng.range(1800, 3600))
        });
        let mut x = start as f64;
        loop {
            x += rng.exp(9.0 * 60.0);
            if x >= end as f64 {
                break;
            }
            let xi = x as i64;
            if lunch.is_some_and(|(l0, l1)| xi >= l0 && xi < l1) {
                continue;
            }
            let site = if rng.chance(0.6) {
                favourites.get(rng.below(favourites.len() as u64) as usize).copied().unwrap_or(0)
            } else {
                zipf(rng, sites)
            };
            let mut t = self.zone.local_to_utc(local_day + xi) * 1000 + rng.range(0, 999);
            for i in 0..rng.range(2, 10) {
                buf.push(self.request(a, site, a.agent, src, t, i as u16, 200, rng));
                t += rng.range(80, 1500);
            }
            if rng.chance(0.5) {
                let cdn = *rng.pick(&self.cdns);
                for i in 0..rng.range(1, 4) {
                    buf.push(self.request(a, cdn, a.agent, src, t, i as u16, 200, rng));
                    t += rng.range(50, 600);
                }
            }
            if rng.chance(0.08) {
                let agent = if a.sink == Sink::Forti { 0 } else { self.ocsp_agent };
                buf.push(self.request(a, self.ocsp, agent, src, t, 0, 200, rng));
            }
        }
    }
}

/// A site drawn with probability proportional to 1/rank.
fn zipf(rng: &mut Rng, sites: &[u32]) -> u32 {
    let h: f64 = (1..=sites.len()).map(|i| 1.0 / i as f64).sum();
    let mut u = rng.f64() * h;
    for (i, &s) in sites.iter().enumerate() {
        u -= 1.0 / (i + 1) as f64;
        if u <= 0.0 {
            return s;
        }
    }
    sites.last().copied().unwrap_or(0)
}
