//! A deterministic, labelled world of proxy and firewall logs, for the
//! evaluation harness, the demo and the benchmarks.
//!
//! [`World::new`] lays out hosts, destinations and actors from a seed:
//! workstations browsing with browser user agents (some behind the
//! FortiGate at a branch office, without a proxy), fleet background traffic
//! (operating-system updates, certificate checks, telemetry, time sync, an
//! endpoint agent that is in no catalogue), and planted integrations with
//! varied schedules, jitter, missed and extra runs, weekday windows, bursts,
//! retries, event-driven traffic, direct-to-IP transfers and clusters.
//! [`World::write`] writes the logs day by day (memory stays bounded however
//! many days or hosts) in three formats seam reads, and [`World::labels`]
//! says what seam should find.
//!
//! The same seed gives the same bytes: every actor draws from its own
//! stream keyed by (seed, actor, source, day), so output does not depend on
//! thread scheduling or on the order actors are visited.

pub mod demo;
mod emit;
pub mod eval;
pub mod names;
pub mod rng;
mod writer;

use crate::time::{civil_seconds, Zone};
use rayon::prelude::*;
use rng::Rng;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    /// Length of the world in days (local calendar days from `start`).
    pub days: u32,
    /// First local date (year, month, day).
    pub start: (i64, u32, u32),
    /// Zone the hosts' clocks and schedules follow (`UTC`, `+02:00`, IANA name).
    pub tz: String,
    /// Workstations behind the proxies (browser traffic with user agents).
    pub workstations: usize,
    /// Workstations at the branch office, logged by the firewall only.
    pub branch: usize,
    /// Servers (besides the three cluster nodes).
    pub servers: usize,
    /// Multiplies the host counts (for benchmark-sized logs).
    pub scale: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 7,
            days: 21,
            start: (2026, 3, 2),
            tz: "UTC".into(),
            workstations: 20,
            branch: 6,
            servers: 12,
            scale: 1,
        }
    }
}

impl Config {
    /// The demo in testdata/demo: seed 2026, 15 days (three runs of the
    /// weekly job), 15 hosts; written with [`World::write_gz`].
    pub fn demo() -> Config {
        Config {
            seed: 2026,
            days: 15,
            start: (2026, 3, 2),
            tz: "UTC".into(),
            workstations: 4,
            branch: 2,
            servers: 6,
            scale: 1,
        }
    }
}

/// Which log a record goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// Squid native access.log with referer and user agent appended (proxy 1).
    Squid = 0,
    /// Squid `combined` logformat (proxy 2).
    Combined = 1,
    /// FortiGate traffic log (key=value, with a syslog header).
    Forti = 2,
    /// PAN-OS TRAFFIC log, syslog CSV (benchmarks only: no actor logs here
    /// in a world; [`World::write_single`] can write every event this way).
    PanOs = 3,
}

impl Sink {
    pub const ALL: [Sink; 3] = [Sink::Squid, Sink::Combined, Sink::Forti];

    /// File the sink writes, relative to the output folder.
    pub fn file(self) -> &'static str {
        match self {
            Sink::Squid => "logs/proxy1/access.log",
            Sink::Combined => "logs/proxy2/access.log",
            Sink::Forti => "logs/firewall/fortigate.log",
            Sink::PanOs => "logs/firewall/panos.log",
        }
    }

    pub fn format(self) -> &'static str {
        match self {
            Sink::Squid => "squid",
            Sink::Combined => "combined",
            Sink::Forti => "fortigate",
            Sink::PanOs => "panos",
        }
    }

    /// The sink writing `format` (a seam format name).
    pub fn from_format(format: &str) -> Option<Sink> {
        [Sink::Squid, Sink::Combined, Sink::Forti, Sink::PanOs]
            .into_iter()
            .find(|s| s.format() == format)
    }
}

/// A destination: host name (absent for direct-to-IP), address and port.
#[derive(Debug, Clone)]
pub struct Dest {
    pub host: Option<String>,
    pub ip: Ipv4Addr,
    pub port: u16,
    pub udp: bool,
    /// Full URL logged for each request (cleartext HTTP or an inspecting
    /// proxy); `None` logs a `CONNECT host:port` tunnel.
    pub url: Option<String>,
    /// FortiGate `service=` name.
    pub service: &'static str,
}

impl Dest {
    /// The destination as seam names it (host, else IP).
    pub fn name(&self) -> String {
        self.host.clone().unwrap_or_else(|| self.ip.to_string())
    }
}

/// When an actor's runs happen.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// Wall-clock schedule in local time (cron): runs at `phase + k·period`
    /// seconds after local midnight (`period` divides a day), on the
    /// weekdays in `days` (bit 0 = Monday), within `hours` [from, to).
    Cron {
        period: i64,
        phase: i64,
        days: u8,
        hours: Option<(u8, u8)>,
    },
    /// A fixed interval from a start instant, not tied to the wall clock
    /// (a service's timer, or a `sleep` loop whose runtime adds to the period).
    Every { period_ms: i64, t0_ms: i64 },
    /// Event-driven: Poisson arrivals with the given mean gap, some in bursts.
    Poisson { mean_s: f64, burst_p: f64 },
    /// A person at a workstation browsing on working days.
    Human { sites: Vec<u32> },
}

/// Requests within one run.
#[derive(Debug, Clone, Copy)]
pub struct Burst {
    pub min: u32,
    pub max: u32,
    /// Spacing between requests of a run, milliseconds.
    pub gap_ms: (i64, i64),
}

impl Burst {
    pub const ONE: Burst = Burst {
        min: 1,
        max: 1,
        gap_ms: (0, 0),
    };
}

/// One traffic source and what it does.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: u64,
    pub sources: Vec<Ipv4Addr>,
    pub dest: u32,
    pub sink: Sink,
    /// Index into [`World::agents`] plus one; 0 sends no user agent.
    pub agent: u16,
    /// Index into [`World::users`] plus one; 0 logs no user.
    pub user: u16,
    pub pattern: Pattern,
    pub burst: Burst,
    /// Uniform jitter ± seconds around each scheduled run.
    pub jitter_s: i64,
    /// Each source gets its own random phase (fleet timers) instead of
    /// sharing the actor's (cluster nodes running the same cron entry).
    pub own_phase: bool,
    pub p_miss: f64,
    pub p_extra: f64,
    pub p_retry: f64,
    /// (bytes out, bytes in) per request, and the relative spread of each.
    pub size: (u32, u32),
    pub spread: (f64, f64),
}

/// One generated request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    pub t_ms: i64,
    pub src: u32,
    pub dest: u32,
    pub agent: u16,
    pub user: u16,
    pub status: u16,
    pub page: u16,
    pub sport: u16,
    pub bytes_out: u32,
    pub bytes_in: u32,
    pub elapsed_ms: u32,
}

/// What seam should find in the world.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Labels {
    pub seed: u64,
    pub days: u32,
    pub tz: String,
    /// First local day, `YYYY-MM-DD`.
    pub start: String,
    pub hosts: usize,
    pub integrations: Vec<IntegrationLabel>,
    pub background: Vec<BackgroundLabel>,
    /// Destinations only people browse: none may become a finding.
    pub browsing: Vec<String>,
    pub files: Vec<FileLabel>,
}

/// A planted integration: one finding expected.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IntegrationLabel {
    pub kind: String,
    pub sources: Vec<String>,
    pub destination: String,
    pub port: u16,
    /// Nominal period; `None` for event-driven traffic.
    pub period_seconds: Option<u64>,
    /// Expected `schedule` text. A trailing ` ±…` part is the planted
    /// jitter, which seam estimates; compare the text before it.
    pub schedule: String,
    pub log: String,
    /// Flags the finding must carry.
    pub flags: Vec<String>,
}

/// Fleet background: expected status `background`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BackgroundLabel {
    pub destination: String,
    pub port: u16,
    /// `catalogue` (a known infrastructure domain) or `prevalence` (only
    /// recognisable from how many hosts reach it).
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileLabel {
    pub path: String,
    pub format: String,
    pub lines: u64,
    /// Uncompressed size.
    pub bytes: u64,
}

/// The laid-out world.
pub struct World {
    pub cfg: Config,
    pub zone: Zone,
    /// Local midnight of day 0, as local seconds since the epoch.
    pub local_start: i64,
    pub dests: Vec<Dest>,
    pub agents: Vec<String>,
    pub users: Vec<String>,
    pub actors: Vec<Actor>,
    integrations: Vec<IntegrationLabel>,
    background: Vec<BackgroundLabel>,
    browsing: Vec<String>,
    hosts: usize,
    cdns: Vec<u32>,
    ocsp: u32,
    ocsp_agent: u16,
}

const DAY: i64 = 86_400;
const ALL_DAYS: u8 = 0x7f;
const WEEKDAYS: u8 = 0x1f;

fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

/// The n-th host address in a /16 (`10.x.0.0`), skipping .0 and .255.
fn host_ip(second: u8, n: usize) -> Ipv4Addr {
    let third = (n / 250) as u8 + 1;
    let fourth = (n % 250) as u8 + 2;
    ip(10, second, third, fourth)
}

/// Documentation addresses (RFC 5737) for external destinations.
fn external_ip(n: usize) -> Ipv4Addr {
    let nets = [(192, 0, 2), (198, 51, 100), (203, 0, 113)];
    let (a, b, c) = nets[n % 3];
    ip(a, b, c, (n / 3 % 250) as u8 + 3)
}

/// `90` → `1m30s`, `3600` → `1h`, `86400` → `1d` (as in schedules).
pub fn duration_text(s: i64) -> String {
    crate::fingerprint::human_duration(s)
}

impl World {
    /// Lays out the world for `cfg`.
    pub fn new(cfg: Config) -> Result<World, String> {
        let zone = Zone::parse(&cfg.tz)?;
        let (y, m, d) = cfg.start;
        let local_start = civil_seconds(y, m, d, 0, 0, 0).ok_or("bad start date")?;
        if cfg.days == 0 {
            return Err("days must be at least 1".into());
        }
        let mut w = World {
            cfg,
            zone,
            local_start,
            dests: Vec::new(),
            agents: Vec::new(),
            users: Vec::new(),
            actors: Vec::new(),
            integrations: Vec::new(),
            background: Vec::new(),
            browsing: Vec::new(),
            hosts: 0,
            cdns: Vec::new(),
            ocsp: 0,
            ocsp_agent: 0,
        };
        w.lay_out();
        Ok(w)
    }

    fn agent(&mut self, a: &str) -> u16 {
        match self.agents.iter().position(|x| x == a) {
            Some(i) => i as u16 + 1,
            None => {
                self.agents.push(a.to_string());
                self.agents.len() as u16
            }
        }
    }

    fn user(&mut self, u: &str) -> u16 {
        match self.users.iter().position(|x| x == u) {
            Some(i) => i as u16 + 1,
            None => {
                self.users.push(u.to_string());
                self.users.len() as u16
            }
        }
    }

    fn dest(&mut self, host: Option<&str>, port: u16, url: Option<String>, service: &'static str) -> u32 {
        let ip = external_ip(self.dests.len());
        self.dests.push(Dest {
            host: host.map(str::to_string),
            ip,
            port,
            udp: service == "NTP",
            url,
            service,
        });
        self.dests.len() as u32 - 1
    }

    fn push(&mut self, mut a: Actor) {
        a.id = self.actors.len() as u64;
        self.actors.push(a);
    }

    fn base_actor(sources: Vec<Ipv4Addr>, dest: u32, sink: Sink, pattern: Pattern) -> Actor {
        Actor {
            id: 0,
            sources,
            dest,
            sink,
            agent: 0,
            user: 0,
            pattern,
            burst: Burst::ONE,
            jitter_s: 0,
            own_phase: false,
            p_miss: 0.0,
            p_extra: 0.0,
            p_retry: 0.0,
            size: (600, 4000),
            spread: (0.0, 0.3),
        }
    }

    fn lay_out(&mut self) {
        let scale = self.cfg.scale.max(1) as usize;
        let mut rng = Rng::derive(self.cfg.seed, &[1]);
        let ws: Vec<Ipv4Addr> = (0..self.cfg.workstations * scale).map(|i| host_ip(20, i)).collect();
        let branch: Vec<Ipv4Addr> = (0..self.cfg.branch * scale).map(|i| host_ip(30, i)).collect();
        let servers: Vec<Ipv4Addr> = (0..self.cfg.servers.max(4) * scale).map(|i| host_ip(10, i)).collect();
        let cluster: Vec<Ipv4Addr> = (0..3).map(|i| ip(10, 11, 1, 11 + i)).collect();
        self.hosts = ws.len() + branch.len() + servers.len() + cluster.len();

        self.lay_out_browsing(&mut rng, &ws, &branch);
        self.lay_out_background(&ws, &branch, &servers, &cluster);
        self.lay_out_integrations(&mut rng, &ws, &servers, &cluster);
    }

    fn lay_out_browsing(&mut self, rng: &mut Rng, ws: &[Ipv4Addr], branch: &[Ipv4Addr]) {
        let sites: Vec<u32> = names::SITES.iter().map(|s| self.dest(Some(s), 443, None, "HTTPS")).collect();
        self.cdns = names::CDNS.iter().map(|s| self.dest(Some(s), 443, None, "HTTPS")).collect();
        self.ocsp = self.dest(
            Some("ocsp.digicert.com"),
            80,
            Some("http://ocsp.digicert.com/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ".into()),
            "HTTP",
        );
        self.ocsp_agent = self.agent("Microsoft-CryptoAPI/10.0");
        for s in names::SITES.iter().chain(names::CDNS) {
            self.browsing.push(s.to_string());
        }
        for (i, &src) in ws.iter().chain(branch).enumerate() {
            let behind_proxy = i < ws.len();
            let sink = match (behind_proxy, i % 2) {
                (false, _) => Sink::Forti,
                (true, 0) => Sink::Squid,
                (true, _) => Sink::Combined,
            };
            let mut a = Self::base_actor(vec![src], 0, sink, Pattern::Human { sites: sites.clone() });
            if behind_proxy {
                let browser = *rng.pick::<&str>(names::BROWSERS);
                a.agent = self.agent(browser);
                a.user = self.user(&format!("user{:03}", i + 1));
            }
            a.size = (700, 30_000);
            a.spread = (0.5, 1.5);
            self.push(a);
        }
    }

    fn lay_out_background(&mut self, ws: &[Ipv4Addr], branch: &[Ipv4Addr], servers: &[Ipv4Addr], cluster: &[Ipv4Addr]) {
        let windows: Vec<Ipv4Addr> = ws.iter().chain(branch).copied().collect();
        let linux: Vec<Ipv4Addr> = servers.iter().chain(cluster).copied().collect();
        let all: Vec<Ipv4Addr> = windows.iter().chain(&linux).copied().collect();
        let ws_proxied: Vec<(Ipv4Addr, Sink)> = ws
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, if i % 2 == 0 { Sink::Squid } else { Sink::Combined }))
            .chain(branch.iter().map(|&s| (s, Sink::Forti)))
            .collect();

        struct Bg {
            host: &'static str,
            port: u16,
            agent: &'static str,
            pattern: Pattern,
            jitter: i64,
            reason: &'static str,
            url: Option<&'static str>,
        }
        let m = 60_000;
        let windows_services = [
            Bg {
                host: "v10.events.data.microsoft.com",
                port: 443,
                agent: "MSDW",
                pattern: Pattern::Every {
                    period_ms: 30 * m,
                    t0_ms: 0,
                },
                jitter: 20,
                reason: "catalogue",
                url: None,
            },
            Bg {
                host: "fe2.update.microsoft.com",
                port: 443,
                agent: "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50",
                pattern: Pattern::Poisson {
                    mean_s: 5.0 * 3600.0,
                    burst_p: 0.5,
                },
                jitter: 0,
                reason: "catalogue",
                url: None,
            },
            Bg {
                host: "definitionupdates.microsoft.com",
                port: 443,
                agent: "MpCommunication",
                pattern: Pattern::Every {
                    period_ms: 120 * m,
                    t0_ms: 0,
                },
                jitter: 120,
                reason: "catalogue",
                url: None,
            },
            Bg {
                host: "update.googleapis.com",
                port: 443,
                agent: "Google Update/1.3.36.372;winhttp",
                pattern: Pattern::Every {
                    period_ms: 300 * m,
                    t0_ms: 0,
                },
                jitter: 600,
                reason: "catalogue",
                url: None,
            },
            Bg {
                host: "ctldl.windowsupdate.com",
                port: 80,
                agent: "Microsoft-CryptoAPI/10.0",
                pattern: Pattern::Poisson {
                    mean_s: 8.0 * 3600.0,
                    burst_p: 0.0,
                },
                jitter: 0,
                reason: "catalogue",
                url: Some("http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/authrootstl.cab"),
            },
        ];
        for b in windows_services {
            let dest = self.dest(
                Some(b.host),
                b.port,
                b.url.map(str::to_string),
                if b.port == 80 { "HTTP" } else { "HTTPS" },
            );
            let agent = self.agent(b.agent);
            for sink in Sink::ALL {
                let sources: Vec<Ipv4Addr> = ws_proxied.iter().filter(|(_, s)| *s == sink).map(|(ip, _)| *ip).collect();
                if sources.is_empty() {
                    continue;
                }
                let mut a = Self::base_actor(sources, dest, sink, b.pattern.clone());
                a.agent = if sink == Sink::Forti { 0 } else { agent };
                a.jitter_s = b.jitter;
                a.own_phase = true;
                a.p_miss = 0.03;
                self.push(a);
            }
            self.background.push(BackgroundLabel {
                destination: b.host.to_string(),
                port: b.port,
                reason: b.reason.into(),
            });
        }
        // Linux servers: package index checks (apt-daily.timer runs twice a
        // day with up to 12 h of random delay) over cleartext HTTP.
        let apt = self.dest(
            Some("security.ubuntu.com"),
            80,
            Some("http://security.ubuntu.com/ubuntu/dists/jammy-security/InRelease".into()),
            "HTTP",
        );
        let mut a = Self::base_actor(
            linux.clone(),
            apt,
            Sink::Squid,
            Pattern::Poisson {
                mean_s: 12.0 * 3600.0,
                burst_p: 0.0,
            },
        );
        a.agent = self.agent("Debian APT-HTTP/1.3 (2.4.11)");
        a.own_phase = true;
        self.push(a);
        self.background.push(BackgroundLabel {
            destination: "security.ubuntu.com".into(),
            port: 80,
            reason: "catalogue".into(),
        });
        // Every host: an endpoint-protection agent no catalogue lists; only
        // its prevalence marks it as fleet traffic.
        let edr = self.dest(Some("sensor.edr-vendor.example.net"), 443, None, "HTTPS");
        let edr_agent = self.agent("EDR-Sensor/4.2.1");
        for sink in [Sink::Squid, Sink::Combined, Sink::Forti] {
            let sources: Vec<Ipv4Addr> = match sink {
                Sink::Squid => ws_proxied
                    .iter()
                    .filter(|(_, s)| *s == Sink::Squid)
                    .map(|(ip, _)| *ip)
                    .chain(linux.iter().copied())
                    .collect(),
                _ => ws_proxied.iter().filter(|(_, s)| *s == sink).map(|(ip, _)| *ip).collect(),
            };
            let mut a = Self::base_actor(
                sources,
                edr,
                sink,
                Pattern::Every {
                    period_ms: 10 * m,
                    t0_ms: 0,
                },
            );
            a.agent = if sink == Sink::Forti { 0 } else { edr_agent };
            a.jitter_s = 5;
            a.own_phase = true;
            a.size = (1500, 300);
            a.spread = (0.1, 0.1);
            self.push(a);
        }
        self.background.push(BackgroundLabel {
            destination: "sensor.edr-vendor.example.net".into(),
            port: 443,
            reason: "prevalence".into(),
        });
        // Every host: NTP to two public servers, straight through the firewall.
        for k in 0..2 {
            let ntp = self.dest(None, 123, None, "NTP");
            let sources: Vec<Ipv4Addr> = all.iter().enumerate().filter(|(i, _)| i % 2 == k).map(|(_, ip)| *ip).collect();
            let mut a = Self::base_actor(
                sources,
                ntp,
                Sink::Forti,
                Pattern::Every {
                    period_ms: 1_024_000,
                    t0_ms: 0,
                },
            );
            a.own_phase = true;
            a.jitter_s = 2;
            a.size = (76, 76);
            a.spread = (0.0, 0.0);
            self.push(a);
            let d = self.dests[ntp as usize].ip.to_string();
            self.background.push(BackgroundLabel {
                destination: d,
                port: 123,
                reason: "prevalence".into(),
            });
        }
        // Certificate status checks that browsing triggers are emitted by the
        // human actors (see `emit::human`).
        self.background.push(BackgroundLabel {
            destination: "ocsp.digicert.com".into(),
            port: 80,
            reason: "catalogue".into(),
        });
    }
}

/// What one planted integration looks like before it becomes an [`Actor`].
struct Plant {
    kind: &'static str,
    sources: Vec<Ipv4Addr>,
    sink: Sink,
    agent: Option<&'static str>,
    user: Option<&'static str>,
    pattern: Pattern,
    jitter: i64,
    burst: Burst,
    port: u16,
    /// No host name: the firewall logs only the address.
    direct: bool,
    url: Option<String>,
    service: &'static str,
    size: (u32, u32),
    spread: (f64, f64),
    p_miss: f64,
    p_extra: f64,
    p_retry: f64,
    /// Nominal period and expected schedule text.
    period: Option<u64>,
    schedule: String,
    flags: Vec<&'static str>,
}

impl Plant {
    fn new(kind: &'static str, sources: Vec<Ipv4Addr>, sink: Sink, pattern: Pattern) -> Plant {
        Plant {
            kind,
            sources,
            sink,
            agent: None,
            user: None,
            pattern,
            jitter: 0,
            burst: Burst::ONE,
            port: 443,
            direct: false,
            url: None,
            service: "HTTPS",
            size: (800, 6000),
            spread: (0.05, 0.3),
            p_miss: 0.0,
            p_extra: 0.0,
            p_retry: 0.0,
            period: None,
            schedule: String::new(),
            flags: Vec::new(),
        }
    }
}

/// Local `HH:MM` of seconds after midnight.
fn hhmm(s: i64) -> String {
    format!("{:02}:{:02}", s / 3600 % 24, s % 3600 / 60)
}

/// The schedule text seam should print for a cron pattern.
pub fn cron_schedule(period: i64, phase: i64, days: u8, hours: Option<(u8, u8)>, jitter: i64) -> String {
    let mut s = if period < 3600 {
        format!("every {}", duration_text(period))
    } else if period == 3600 {
        format!("every 1h at :{:02}", phase % 3600 / 60)
    } else if period < DAY {
        format!("every {} from {}", duration_text(period), hhmm(phase))
    } else {
        let lead = match days {
            ALL_DAYS => "daily".to_string(),
            WEEKDAYS => "weekdays".to_string(),
            d if d.count_ones() == 1 => format!("weekly {}", names::WEEKDAYS[d.trailing_zeros() as usize]),
            _ => "daily".to_string(),
        };
        let mut s = format!("{lead} {}", hhmm(phase));
        if jitter >= 60 {
            s.push_str(&format!(" ±{}m", (jitter + 30) / 60));
        }
        return s;
    };
    match (days, hours) {
        (WEEKDAYS, Some((a, b))) => s.push_str(&format!(", weekdays {a:02}-{b:02}")),
        (WEEKDAYS, None) => s.push_str(", weekdays"),
        (_, Some((a, b))) => s.push_str(&format!(", {a:02}-{b:02}")),
        _ => {}
    }
    s
}

impl World {
    /// Weekday (Mon = 0) of local day `day`.
    fn weekday(&self, day: u32) -> u32 {
        ((self.local_start / DAY + i64::from(day) + 3).rem_euclid(7)) as u32
    }

    fn lay_out_integrations(&mut self, rng: &mut Rng, ws: &[Ipv4Addr], servers: &[Ipv4Addr], cluster: &[Ipv4Addr]) {
        let mut hosts: Vec<&str> = names::INTEGRATION_HOSTS.to_vec();
        for i in (1..hosts.len()).rev() {
            hosts.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut server_order: Vec<Ipv4Addr> = servers.to_vec();
        for i in (1..server_order.len()).rev() {
            server_order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut next_server = 0usize;
        let mut server = move || {
            let s = server_order[next_server % server_order.len()];
            next_server += 1;
            vec![s]
        };
        let proxy = |r: &mut Rng| if r.chance(0.5) { Sink::Squid } else { Sink::Combined };
        let minute_phase = |r: &mut Rng, period: i64| r.range(0, (period / 60 - 1).max(0)) * 60;
        let mut plants = Vec::new();

        // Calendar interval (cron */P), with retries, misses and extra runs.
        let p = *rng.pick(&[300i64, 600, 900, 1800]);
        let ph = minute_phase(rng, p);
        let mut x = Plant::new(
            "interval",
            server(),
            proxy(rng),
            Pattern::Cron {
                period: p,
                phase: ph,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.agent = Some("python-requests/2.31.0");
        x.user = Some("svc_crm");
        x.jitter = rng.range(2, 20);
        x.burst = Burst {
            min: 1,
            max: 3,
            gap_ms: (300, 2000),
        };
        (x.p_miss, x.p_extra, x.p_retry) = (0.03, 0.01, 0.02);
        x.period = Some(p as u64);
        x.schedule = cron_schedule(p, ph, ALL_DAYS, None, 0);
        plants.push(x);

        // Every minute, a request and its sub-request.
        let mut x = Plant::new(
            "minutely",
            server(),
            proxy(rng),
            Pattern::Cron {
                period: 60,
                phase: 0,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.agent = Some("Go-http-client/1.1");
        x.jitter = 3;
        x.burst = Burst {
            min: 1,
            max: 2,
            gap_ms: (1000, 2500),
        };
        x.p_miss = 0.01;
        x.period = Some(60);
        x.schedule = "every 1m".into();
        plants.push(x);

        // Hourly on working days within office hours.
        let ph = rng.range(1, 58) * 60;
        let hours = (rng.range(6, 8) as u8, rng.range(18, 20) as u8);
        let mut x = Plant::new(
            "business-hours",
            server(),
            proxy(rng),
            Pattern::Cron {
                period: 3600,
                phase: ph,
                days: WEEKDAYS,
                hours: Some(hours),
            },
        );
        x.agent = Some("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4291");
        x.jitter = 30;
        x.p_miss = 0.02;
        x.period = Some(3600);
        x.schedule = cron_schedule(3600, ph, WEEKDAYS, Some(hours), 0);
        plants.push(x);

        // Nightly upload straight through the firewall: pagination burst, big uploads.
        let ph = rng.range(0, 5) * 3600 + rng.range(0, 3) * 900;
        let j = rng.range(60, 300);
        let mut x = Plant::new(
            "daily-upload",
            server(),
            Sink::Forti,
            Pattern::Cron {
                period: DAY,
                phase: ph,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.jitter = j;
        x.burst = Burst {
            min: 5,
            max: 40,
            gap_ms: (200, 3000),
        };
        x.size = (4_000_000, 2_000);
        x.spread = (0.2, 0.1);
        x.period = Some(DAY as u64);
        x.schedule = cron_schedule(DAY, ph, ALL_DAYS, None, j);
        plants.push(x);

        // Weekly, on a weekday that occurs at least three times.
        let feasible: Vec<u32> = (0..7)
            .filter(|&wd| (0..self.cfg.days).filter(|&d| self.weekday(d) == wd).count() >= 3)
            .collect();
        let wd = if feasible.is_empty() {
            rng.below(7) as u32
        } else {
            *rng.pick(&feasible)
        };
        let ph = rng.range(1, 5) * 3600 + rng.range(0, 1) * 1800;
        let j = rng.range(20, 120);
        let mut x = Plant::new(
            "weekly",
            server(),
            proxy(rng),
            Pattern::Cron {
                period: DAY,
                phase: ph,
                days: 1 << wd,
                hours: None,
            },
        );
        x.agent = Some("rclone/v1.66.0");
        x.jitter = j;
        x.burst = Burst {
            min: 3,
            max: 12,
            gap_ms: (500, 4000),
        };
        if feasible.is_empty() {
            x.schedule = "irregular".into();
        } else {
            x.period = Some(7 * DAY as u64);
            x.schedule = cron_schedule(DAY, ph, 1 << wd, None, j);
        }
        plants.push(x);

        // Every few hours.
        let p = *rng.pick(&[7200i64, 14400, 21600, 43200]);
        let ph = minute_phase(rng, p);
        let mut x = Plant::new(
            "multi-hourly",
            server(),
            proxy(rng),
            Pattern::Cron {
                period: p,
                phase: ph,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.agent = Some("Java/17.0.10");
        x.jitter = rng.range(10, 60);
        x.period = Some(p as u64);
        x.schedule = cron_schedule(p, ph, ALL_DAYS, None, 0);
        plants.push(x);

        // A service timer with a period that is no calendar value.
        let p = *rng.pick(&[420i64, 780, 2700, 4500]);
        let t0 = rng.range(0, p * 1000);
        let mut x = Plant::new(
            "odd-interval",
            server(),
            proxy(rng),
            Pattern::Every {
                period_ms: p * 1000,
                t0_ms: t0,
            },
        );
        x.agent = Some("okhttp/4.12.0");
        x.jitter = rng.range(1, 5);
        x.p_miss = 0.02;
        x.period = Some(p as u64);
        x.schedule = format!("every {}", duration_text(p));
        plants.push(x);

        // `while true; do ...; sleep 300; done`: the run time adds to the
        // period, so the phase drifts against the clock.
        let p_ms = 300_000 + rng.range(2_000, 6_000);
        let mut x = Plant::new(
            "sleep-loop",
            server(),
            proxy(rng),
            Pattern::Every {
                period_ms: p_ms,
                t0_ms: rng.range(0, p_ms),
            },
        );
        x.agent = Some("Python-urllib/3.10");
        x.jitter = 1;
        x.period = Some(300);
        x.schedule = "every 5m".into();
        plants.push(x);

        // Event-driven webhooks, day and night, some in storms.
        let mut x = Plant::new(
            "event-driven",
            server(),
            proxy(rng),
            Pattern::Poisson {
                mean_s: rng.range(600, 1800) as f64,
                burst_p: 0.15,
            },
        );
        x.agent = Some("axios/1.6.8");
        x.size = (2000, 300);
        x.schedule = "irregular".into();
        plants.push(x);

        // SFTP to a partner's address, no host name anywhere.
        let p = *rng.pick(&[1800i64, 3600]);
        let ph = minute_phase(rng, p);
        let mut x = Plant::new(
            "direct-ip",
            server(),
            Sink::Forti,
            Pattern::Cron {
                period: p,
                phase: ph,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.direct = true;
        x.port = 22;
        x.service = "SSH";
        x.jitter = rng.range(1, 10);
        x.size = (48_000, 3_100);
        x.spread = (0.0, 0.02);
        x.period = Some(p as u64);
        x.schedule = cron_schedule(p, ph, ALL_DAYS, None, 0);
        x.flags = vec!["direct_ip"];
        plants.push(x);

        // Three cluster nodes running the same cron entry.
        let ph = minute_phase(rng, 600);
        let mut x = Plant::new(
            "cluster",
            cluster.to_vec(),
            Sink::Squid,
            Pattern::Cron {
                period: 600,
                phase: ph,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.agent = Some("Apache-HttpClient/4.5.14 (Java/11.0.22)");
        x.user = Some("svc_inventory");
        x.jitter = rng.range(3, 15);
        x.p_miss = 0.02;
        x.period = Some(600);
        x.schedule = "every 10m".into();
        plants.push(x);

        // A script on a workstation that is also used for browsing.
        let wi = rng.below(ws.len() as u64) as usize;
        let sink = if wi % 2 == 0 { Sink::Squid } else { Sink::Combined };
        let ph = minute_phase(rng, 1800);
        let mut x = Plant::new(
            "workstation-script",
            vec![ws[wi]],
            sink,
            Pattern::Cron {
                period: 1800,
                phase: ph,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.agent = Some("curl/8.5.0");
        x.user = Some("jdoe");
        x.jitter = 5;
        x.period = Some(1800);
        x.schedule = "every 30m".into();
        plants.push(x);

        // A legacy export over cleartext HTTP with the password in the URL.
        let ph = minute_phase(rng, 7200);
        let mut x = Plant::new(
            "cleartext-credential",
            server(),
            Sink::Squid,
            Pattern::Cron {
                period: 7200,
                phase: ph,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.agent = Some("Java/1.8.0_402");
        x.port = 80;
        x.service = "HTTP";
        x.jitter = rng.range(1, 20);
        x.period = Some(7200);
        x.schedule = cron_schedule(7200, ph, ALL_DAYS, None, 0);
        x.flags = vec!["credential_in_url", "cleartext"];
        plants.push(x);

        // A beacon that pretends to be a browser, around the clock.
        let ph = rng.range(1, 58) * 60;
        let mut x = Plant::new(
            "browser-beacon",
            server(),
            proxy(rng),
            Pattern::Cron {
                period: 3600,
                phase: ph,
                days: ALL_DAYS,
                hours: None,
            },
        );
        x.agent = Some(names::BROWSERS[0]);
        x.jitter = rng.range(5, 40);
        x.period = Some(3600);
        x.schedule = cron_schedule(3600, ph, ALL_DAYS, None, 0);
        plants.push(x);

        // Every 15 minutes during the day, through the firewall (no user agent).
        let hours = (rng.range(7, 9) as u8, rng.range(17, 19) as u8);
        let ph = minute_phase(rng, 900);
        let mut x = Plant::new(
            "daytime-window",
            server(),
            Sink::Forti,
            Pattern::Cron {
                period: 900,
                phase: ph,
                days: ALL_DAYS,
                hours: Some(hours),
            },
        );
        x.jitter = rng.range(2, 20);
        x.size = (1_200, 18_000);
        x.period = Some(900);
        x.schedule = cron_schedule(900, ph, ALL_DAYS, Some(hours), 0);
        plants.push(x);

        for (i, p) in plants.into_iter().enumerate() {
            let host = hosts[i % hosts.len()];
            let url = match (p.kind, p.port) {
                ("cleartext-credential", _) => Some(format!("http://{host}/export/orders.csv?user=svc_erp&password=Winter2026")),
                _ => p.url.clone(),
            };
            let dest = self.dest(if p.direct { None } else { Some(host) }, p.port, url, p.service);
            let mut a = Self::base_actor(p.sources.clone(), dest, p.sink, p.pattern);
            a.agent = match (p.sink, p.agent) {
                (Sink::Forti, _) | (_, None) => 0,
                (_, Some(ag)) => self.agent(ag),
            };
            a.user = match (p.sink, p.user) {
                (Sink::Forti, _) | (_, None) => 0,
                (_, Some(u)) => self.user(u),
            };
            a.jitter_s = p.jitter;
            a.burst = p.burst;
            a.size = p.size;
            a.spread = p.spread;
            (a.p_miss, a.p_extra, a.p_retry) = (p.p_miss, p.p_extra, p.p_retry);
            self.push(a);
            let mut sources: Vec<String> = p.sources.iter().map(|s| s.to_string()).collect();
            sources.sort();
            self.integrations.push(IntegrationLabel {
                kind: p.kind.into(),
                sources,
                destination: self.dests[dest as usize].name(),
                port: p.port,
                period_seconds: p.period,
                schedule: p.schedule,
                log: p.sink.format().into(),
                flags: p.flags.iter().map(|f| f.to_string()).collect(),
            });
        }
    }

    /// The labels (file sizes filled in by [`World::write`]).
    pub fn labels(&self) -> Labels {
        let (y, m, d) = self.cfg.start;
        Labels {
            seed: self.cfg.seed,
            days: self.cfg.days,
            tz: self.cfg.tz.clone(),
            start: format!("{y:04}-{m:02}-{d:02}"),
            hosts: self.hosts,
            integrations: self.integrations.clone(),
            background: self.background.clone(),
            browsing: self.browsing.clone(),
            files: Vec::new(),
        }
    }
}

impl World {
    /// Writes the logs for every day and `labels.json` into `dir`; returns
    /// the labels with file sizes filled in.
    pub fn write(&self, dir: &Path) -> io::Result<Labels> {
        self.write_to(dir, false)
    }

    /// Like [`World::write`], with each log gzip-compressed (`.gz`, no
    /// name or time in the header, so the bytes depend only on the world
    /// and the flate2 version pinned in Cargo.lock).
    pub fn write_gz(&self, dir: &Path) -> io::Result<Labels> {
        self.write_to(dir, true)
    }

    /// The demo: [`World::write_gz`] plus `inventory.csv` and `leavers.txt`
    /// (see [`demo`]).
    pub fn write_demo(&self, dir: &Path) -> io::Result<Labels> {
        let labels = self.write_gz(dir)?;
        std::fs::write(dir.join("inventory.csv"), demo::inventory(&labels))?;
        std::fs::write(dir.join("leavers.txt"), demo::LEAVERS)?;
        Ok(labels)
    }

    fn write_to(&self, dir: &Path, gzip: bool) -> io::Result<Labels> {
        let mut files = Vec::new();
        let mut outs: Vec<Out> = Vec::new();
        let name = |sink: Sink| {
            if gzip {
                format!("{}.gz", sink.file())
            } else {
                sink.file().to_string()
            }
        };
        for sink in Sink::ALL {
            let path = dir.join(name(sink));
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let file = std::fs::File::create(&path)?;
            outs.push(if gzip {
                let gz = flate2::GzBuilder::new().write(file, flate2::Compression::new(6));
                Out::Gz(Box::new(io::BufWriter::with_capacity(1 << 20, gz)))
            } else {
                Out::Plain(io::BufWriter::with_capacity(1 << 20, file))
            });
            files.push((path, 0u64, 0u64));
        }
        for day in 0..self.cfg.days {
            let events = self.day_events(day);
            let bufs: Vec<Vec<u8>> = Sink::ALL
                .par_iter()
                .zip(events.par_iter())
                .map(|(&sink, ev)| {
                    let mut clock = writer::Clock::new(self.zone);
                    let mut buf = Vec::with_capacity(ev.len() * 200);
                    for e in ev {
                        writer::line(&mut buf, self, &mut clock, sink, e);
                    }
                    buf
                })
                .collect();
            for (((out, buf), ev), f) in outs.iter_mut().zip(&bufs).zip(&events).zip(files.iter_mut()) {
                out.write_all(buf)?;
                f.1 += ev.len() as u64;
                f.2 += buf.len() as u64;
            }
        }
        for out in outs {
            out.finish()?;
        }
        let mut labels = self.labels();
        labels.files = Sink::ALL
            .iter()
            .zip(&files)
            .map(|(sink, (_, lines, bytes))| FileLabel {
                path: name(*sink),
                format: sink.format().into(),
                lines: *lines,
                bytes: *bytes,
            })
            .collect();
        let json = serde_json::to_string_pretty(&labels).map_err(io::Error::other)?;
        std::fs::write(dir.join("labels.json"), json + "\n")?;
        Ok(labels)
    }
}

impl World {
    /// Writes every event of every day, whichever log it belongs to, into
    /// one file in `sink`'s format (gzip-compressed at level 1 when `gzip`):
    /// benchmark input with a realistic mix of channels. With `copies` > 1
    /// every request is written that many times at the same instant (other
    /// page and source port): more input with the same channels, runs and
    /// time buckets. Returns (lines, uncompressed bytes).
    pub fn write_single(&self, path: &Path, sink: Sink, gzip: bool, copies: u16) -> io::Result<(u64, u64)> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = std::fs::File::create(path)?;
        let mut out = if gzip {
            let gz = flate2::GzBuilder::new().write(file, flate2::Compression::new(1));
            Out::Gz(Box::new(io::BufWriter::with_capacity(1 << 20, gz)))
        } else {
            Out::Plain(io::BufWriter::with_capacity(1 << 20, file))
        };
        let (mut lines, mut bytes) = (0u64, 0u64);
        for day in 0..self.cfg.days {
            let mut events: Vec<Event> = self
                .day_events(day)
                .into_iter()
                .flatten()
                .flat_map(|e| {
                    (0..copies.max(1)).map(move |k| Event {
                        page: e.page.wrapping_add(k),
                        sport: e.sport.wrapping_add(k),
                        ..e
                    })
                })
                .collect();
            events.par_sort_unstable();
            // Format in parallel slices; each slice keeps its own clock cache.
            let bufs: Vec<Vec<u8>> = events
                .par_chunks(1 << 16)
                .map(|ev| {
                    let mut clock = writer::Clock::new(self.zone);
                    let mut buf = Vec::with_capacity(ev.len() * 300);
                    for e in ev {
                        writer::line(&mut buf, self, &mut clock, sink, e);
                    }
                    buf
                })
                .collect();
            for b in &bufs {
                out.write_all(b)?;
                bytes += b.len() as u64;
            }
            lines += events.len() as u64;
        }
        out.finish()?;
        Ok((lines, bytes))
    }
}

/// A log file being written, plain or gzip-compressed.
enum Out {
    Plain(io::BufWriter<std::fs::File>),
    Gz(Box<io::BufWriter<flate2::write::GzEncoder<std::fs::File>>>),
}

impl Out {
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        match self {
            Out::Plain(w) => w.write_all(b),
            Out::Gz(w) => w.write_all(b),
        }
    }

    /// Flushes, and for gzip writes the trailer (reporting its errors).
    fn finish(self) -> io::Result<()> {
        match self {
            Out::Plain(mut w) => w.flush(),
            Out::Gz(w) => (*w).into_inner().map_err(|e| e.into_error())?.finish().map(drop),
        }
    }
}

impl World {
    /// The folder of logs [`World::write`] creates under `dir` (`labels.json` sits beside it).
    pub fn logs_dir(dir: &Path) -> PathBuf {
        dir.join("logs")
    }
}
