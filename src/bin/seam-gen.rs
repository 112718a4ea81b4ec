//! seam-gen: writes a deterministic, labelled world of proxy and firewall
//! logs (see `seam::synth`) for evaluation, demos and benchmarks.

use clap::{Args, Parser, Subcommand};
use seam::synth::eval::{evaluate, scan_world};
use seam::synth::{Config, World};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "seam-gen", version, about = "Generate a labelled world of proxy and firewall logs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a world: logs in Squid native, Squid combined and FortiGate formats plus labels.json.
    World(WorldArgs),
    /// Write the small demo shipped in testdata/demo: `world` with the demo's
    /// settings (seed 2026, 15 days, 15 hosts), logs gzip-compressed, plus an
    /// inventory and a leavers list.
    Demo {
        #[arg(long, value_name = "DIR", default_value = "testdata/demo")]
        out: PathBuf,
    },
    /// Write one benchmark log: every event of a world (all proxies and the
    /// firewall) in a single format, in time order.
    Bench(BenchArgs),
    /// Generate worlds for several seeds, scan them, and print recall,
    /// precision, period and schedule accuracy against the labels.
    Eval(EvalArgs),
}

#[derive(Args)]
struct EvalArgs {
    /// Comma-separated seeds.
    #[arg(long, default_value = "1,2,3", value_delimiter = ',')]
    seeds: Vec<u64>,
    #[arg(long, default_value_t = 21)]
    days: u32,
    #[arg(long, default_value = "UTC")]
    tz: String,
    #[arg(long, default_value = "2026-03-02")]
    start: String,
    #[arg(long, default_value_t = 1)]
    scale: u32,
    #[arg(long, default_value_t = 20)]
    workstations: usize,
    #[arg(long, default_value_t = 6)]
    branch: usize,
    #[arg(long, default_value_t = 12)]
    servers: usize,
    /// Scratch folder for the generated logs (removed afterwards).
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
}

fn eval(a: EvalArgs) -> ExitCode {
    let Some(start) = parse_date(&a.start) else {
        eprintln!("seam-gen: --start must be YYYY-MM-DD");
        return ExitCode::from(2);
    };
    let work = a
        .work
        .unwrap_or_else(|| std::env::temp_dir().join(format!("seam-eval-{}", std::process::id())));
    println!("seed  days  tz                planted  findings  recall  precision  period  schedule  browsing  background");
    let mut all_perfect = true;
    for seed in a.seeds {
        let cfg = Config {
            seed,
            days: a.days,
            start,
            tz: a.tz.clone(),
            scale: a.scale,
            workstations: a.workstations,
            branch: a.branch,
            servers: a.servers,
        };
        let dir = work.join(format!("seed-{seed}"));
        let result = World::new(cfg)
            .map_err(std::io::Error::other)
            .and_then(|w| w.write(&dir))
            .and_then(|labels| scan_world(&dir, &labels).map(|b| (labels, b)));
        let _ = std::fs::remove_dir_all(&dir);
        let (labels, built) = match result {
            Ok(x) => x,
            Err(e) => {
                eprintln!("seam-gen: seed {seed}: {e}");
                return ExitCode::from(2);
            }
        };
        let ev = evaluate(&labels, &built.findings);
        let shown = built
            .findings
            .iter()
            .filter(|f| f.status != seam::findings::Status::Background)
            .count();
        println!(
            "{seed:<4}  {:<4}  {:<16}  {:>7}  {:>8}  {:>6.3}  {:>9.3}  {:>6.3}  {:>8.3}  {:>8}  {}/{}",
            labels.days,
            labels.tz,
            labels.integrations.len(),
            shown,
            ev.recall(),
            ev.precision(),
            ev.period_accuracy(),
            ev.schedule_accuracy(),
            ev.browsing_findings.len(),
            ev.background_total - ev.background_errors.iter().filter(|e| e.starts_with("no background")).count(),
            ev.background_total
        );
        if !ev.perfect() {
            all_perfect = false;
            print!("{}", ev.problems());
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    if all_perfect {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[derive(Args)]
struct BenchArgs {
    /// Output file.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// squid, combined, fortigate or panos.
    #[arg(long, default_value = "squid")]
    format: String,
    /// Compress with gzip (level 1).
    #[arg(long)]
    gzip: bool,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    #[arg(long, default_value_t = 21)]
    days: u32,
    /// Multiply all host counts (each unit adds about 45 hosts).
    #[arg(long, default_value_t = 10)]
    scale: u32,
    /// Write every request this many times at the same instant: more input
    /// with the same channels and runs.
    #[arg(long, default_value_t = 1)]
    copies: u16,
}

fn bench(a: BenchArgs) -> ExitCode {
    let Some(sink) = seam::synth::Sink::from_format(&a.format) else {
        eprintln!("seam-gen: --format must be squid, combined, fortigate or panos");
        return ExitCode::from(2);
    };
    let cfg = Config {
        seed: a.seed,
        days: a.days,
        scale: a.scale,
        ..Config::default()
    };
    let world = match new_world(cfg) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let t = Instant::now();
    match world.write_single(&a.out, sink, a.gzip, a.copies) {
        Ok((lines, bytes)) => {
            eprintln!(
                "seam-gen: {lines} lines, {:.1} MB ({}) in {:.2}s -> {}",
                bytes as f64 / 1e6,
                a.format,
                t.elapsed().as_secs_f64(),
                a.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seam-gen: cannot write {}: {e}", a.out.display());
            ExitCode::from(2)
        }
    }
}

#[derive(Args)]
struct WorldArgs {
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Days of logs (schedules need 3 runs: weekly jobs need 15 days or more).
    #[arg(long, default_value_t = 21)]
    days: u32,
    /// First day, YYYY-MM-DD (local).
    #[arg(long, default_value = "2026-03-02")]
    start: String,
    /// Zone of the hosts' clocks: UTC, +HH:MM or an IANA name.
    #[arg(long, default_value = "UTC")]
    tz: String,
    /// Workstations behind the proxies.
    #[arg(long, default_value_t = 20)]
    workstations: usize,
    /// Branch-office workstations (firewall only).
    #[arg(long, default_value_t = 6)]
    branch: usize,
    #[arg(long, default_value_t = 12)]
    servers: usize,
    /// Multiply all host counts (benchmark-sized logs: each unit adds about 45 hosts).
    #[arg(long, default_value_t = 1)]
    scale: u32,
}

/// Lays out a world, or reports why the settings cannot make one.
fn new_world(cfg: Config) -> Result<World, ExitCode> {
    World::new(cfg).map_err(|e| {
        eprintln!("seam-gen: {e}");
        ExitCode::from(2)
    })
}

fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut it = s.split('-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    it.next().is_none().then_some((y, m, d))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut gzip = false;
    let (cfg, out) = match cli.command {
        Command::World(a) => {
            let Some(start) = parse_date(&a.start) else {
                eprintln!("seam-gen: --start must be YYYY-MM-DD");
                return ExitCode::from(2);
            };
            let cfg = Config {
                seed: a.seed,
                days: a.days,
                start,
                tz: a.tz,
                workstations: a.workstations,
                branch: a.branch,
                servers: a.servers,
                scale: a.scale,
            };
            (cfg, a.out)
        }
        Command::Demo { out } => {
            gzip = true;
            (Config::demo(), out)
        }
        Command::Eval(a) => return eval(a),
        Command::Bench(a) => return bench(a),
    };
    let world = match new_world(cfg) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let t = Instant::now();
    let written = if gzip { world.write_demo(&out) } else { world.write(&out) };
    match written {
        Ok(labels) => {
            let secs = t.elapsed().as_secs_f64();
            let bytes: u64 = labels.files.iter().map(|f| f.bytes).sum();
            let lines: u64 = labels.files.iter().map(|f| f.lines).sum();
            eprintln!(
                "seam-gen: {} lines, {:.1} MB in {:.2}s ({:.0} MB/s) -> {}; {} planted integrations",
                lines,
                bytes as f64 / 1e6,
                secs,
                bytes as f64 / 1e6 / secs.max(1e-9),
                out.display(),
                labels.integrations.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seam-gen: cannot write {}: {e}", out.display());
            ExitCode::from(2)
        }
    }
}
