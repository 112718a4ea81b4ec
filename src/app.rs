//! Top level: validated options in, reports out, exit code back.

use crate::baseline::{self, Baseline, FailOn};
use crate::cli::{Command, ScanArgs};
use crate::config::Networks;
use crate::findings::{self, BuildOptions, Change, Status};
use crate::fingerprint;
use crate::formats::{self, FORMATS};
use crate::input;
use crate::inventory::Inventory;
use crate::pseudo::Pseudonymizer;
use crate::reconcile::{self, Leavers};
use crate::report::{self, Run, RunOptions, Window};
use crate::scan::{self, ScanOptions};
use crate::time::{rfc3339, Zone};
use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};

/// Exit codes.
pub const EXIT_OK: u8 = 0;
/// Usage or input errors: bad flags, unreadable files, unknown formats, a
/// bad inventory. Takes precedence over [`EXIT_FAIL_ON`]: a run that could
/// not read all its input has no complete answer.
pub const EXIT_INPUT: u8 = 2;
/// `--fail-on` matched at least one finding.
pub const EXIT_FAIL_ON: u8 = 3;

/// Runs a parsed command line; returns the process exit code. Made for
/// the `seam` binary, which exits next: a scan leaves its aggregate and
/// findings to the operating system instead of freeing them.
pub fn run(cmd: Command) -> Result<u8> {
    match cmd {
        Command::Formats(a) => {
            let mut out = std::io::stdout().lock();
            if a.markdown {
                out.write_all(format_matrix().as_bytes())?;
            } else {
                print_formats(&mut out)?;
            }
            Ok(EXIT_OK)
        }
        Command::Scan(args) => scan(&args),
    }
}

fn print_formats<W: Write>(w: &mut W) -> std::io::Result<()> {
    let width = FORMATS.iter().map(|f| f.name().len()).max().unwrap_or(0);
    for f in FORMATS {
        writeln!(w, "{:<width$} {}", f.name(), f.title())?;
        let fields: Vec<&str> = f.fields().iter().map(|x| x.as_str()).collect();
        writeln!(w, "{:<width$} fields: {}", "", fields.join(", "))?;
    }
    // Indented: not a registered format (fuzz/gen-targets.sh lists those).
    writeln!(
        w,
        "\n  custom: any other device, described in a TOML file: --format custom --map FILE"
    )?;
    Ok(())
}

/// The attribute matrix: one row per format, one column per record field.
pub fn format_matrix() -> String {
    use crate::formats::Field;
    let mut s = String::from("| format | reads |");
    for f in Field::ALL {
        s.push_str(&format!(" {} |", f.as_str()));
    }
    s.push_str("\n|---|---|");
    s.push_str(&"---|".repeat(Field::ALL.len()));
    s.push('\n');
    for f in FORMATS {
        s.push_str(&format!("| `{}` | {} |", f.name(), f.title()));
        for field in Field::ALL {
            s.push_str(if f.fields().contains(&field) { " ✓ |" } else { " |" });
        }
        s.push('\n');
    }
    s
}

/// Validated scan settings built from the flags.
fn scan_options(args: &ScanArgs) -> Result<ScanOptions> {
    let format = match (&args.format, &args.map) {
        (Some(name), None) if name.eq_ignore_ascii_case("custom") => {
            bail!("--format custom needs --map FILE, a TOML description of the log format")
        }
        (Some(name), Some(_)) if !name.eq_ignore_ascii_case("custom") => {
            bail!("--map describes a custom format; use it with --format custom, not --format {name}")
        }
        (_, Some(map)) => Some(formats::custom::MapSpec::load(map).map_err(|e| anyhow!(e))?.into_format()),
        (Some(name), None) => Some(formats::by_name(name).ok_or_else(|| {
            anyhow!(
                "unknown format '{name}' (known: {}, custom)",
                FORMATS.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            )
        })?),
        (None, None) => None,
    };
    let nets = match &args.internal {
        Some(list) => Networks::parse(list).map_err(|e| anyhow!("--internal: {e}"))?,
        None => Networks::default(),
    };
    let zone = Zone::parse(&args.tz).map_err(|e| anyhow!("--tz: {e}"))?;
    let mut opts = ScanOptions {
        format,
        no_mmap: args.no_mmap,
        nets,
        zone,
        year: args.year,
        ..ScanOptions::default()
    };
    if let Some(c) = args.chunk_size {
        if c == 0 {
            bail!("--chunk-size must be at least 1");
        }
        opts.chunk_bytes = c;
        opts.stream_block = c;
    }
    Ok(opts)
}

/// The reconciliation inputs, loaded and checked before any log is read,
/// so a bad inventory fails fast.
struct Extras {
    inventory: Option<Inventory>,
    leavers: Option<Leavers>,
    baseline: Option<(String, Baseline)>,
    fail_on: FailOn,
    pseudo: Option<Pseudonymizer>,
}

fn extras(args: &ScanArgs) -> Result<Extras> {
    let inventory = match &args.inventory {
        Some(p) => Some(Inventory::load(p)?),
        None => None,
    };
    let leavers = match &args.leavers {
        Some(p) => Some(Leavers::load(p).with_context(|| format!("cannot read leavers {}", p.display()))?),
        None => None,
    };
    let baseline = match &args.baseline {
        Some(p) => Some((p.display().to_string(), Baseline::load(p)?)),
        None => None,
    };
    let fail_on = FailOn::parse(&args.fail_on).map_err(|e| anyhow!(e))?;
    if fail_on.needs_baseline() && baseline.is_none() {
        bail!("--fail-on {fail_on} needs --baseline PREVIOUS.json to tell new and changed findings");
    }
    let pseudo = match &args.pseudonymize {
        Some(key) => {
            // `@FILE` reads the key from a file, so it shows in no process list or shell history.
            let key = match key.strip_prefix('@') {
                Some(path) => std::fs::read_to_string(path)
                    .with_context(|| format!("--pseudonymize: cannot read key file {path}"))?
                    .trim_end_matches(['\r', '\n'])
                    .to_string(),
                None => key.clone(),
            };
            Some(Pseudonymizer::new(&key).map_err(|e| anyhow!(e))?)
        }
        None => None,
    };
    Ok(Extras {
        inventory,
        leavers,
        baseline,
        fail_on,
        pseudo,
    })
}

fn progress_bar(args: &ScanArgs, total: u64) -> ProgressBar {
    if args.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}") {
        pb.set_style(style);
    }
    pb
}

fn scan(args: &ScanArgs) -> Result<u8> {
    let mut opts = scan_options(args)?;
    let extras = extras(args)?;
    let sources = input::expand(&args.paths).context("cannot list inputs")?;
    if sources.is_empty() {
        bail!(
            "no input files found in {}",
            args.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    let total: u64 = sources
        .iter()
        .filter_map(|s| match s {
            input::Source::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            input::Source::Stdin => None,
        })
        .sum();
    opts.progress = progress_bar(args, total);
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("cannot start worker threads")?;
    let mut clock = Stages::new(args.timings);
    let result = pool.install(|| scan::scan(&sources, &opts));
    opts.progress.finish_and_clear();
    clock.lap("scan (read, parse, fold, merge)");

    // Background findings are built and reconciled too (an inventory row
    // may document one, a leaver may use one, --fail-on and a baseline see
    // them all), and hidden afterwards unless --show-background. When
    // nothing reads them they are only counted.
    let unread_background = !args.show_background
        && extras.inventory.is_none()
        && extras.leavers.is_none()
        && extras.baseline.is_none()
        && extras.fail_on.is_empty();
    let build_opts = BuildOptions {
        fingerprint: fingerprint::Options {
            zone: opts.zone,
            window: result.agg.traffic.first_ms.zip(result.agg.traffic.last_ms),
        },
        show_background: !unread_background,
        ..BuildOptions::default()
    };
    let built = pool.install(|| findings::build_all(&result.agg, &build_opts));
    let mut findings = built.findings;
    clock.lap("fingerprint and findings");
    let summary = reconcile::reconcile(
        &mut findings,
        &result.agg,
        &reconcile::Options {
            inventory: extras.inventory.as_ref(),
            leavers: extras.leavers.as_ref(),
            review_max_age_days: args.review_max_age,
            zone: opts.zone,
        },
    );
    clock.lap("reconcile");
    if let Some(p) = &extras.pseudo {
        p.findings(&mut findings);
    }
    report::scrub(&mut findings);
    let baseline_summary = extras
        .baseline
        .as_ref()
        .map(|(path, base)| baseline::compare(&mut findings, base, path));
    // --fail-on looks at every finding, hidden background included.
    let tripped: Vec<String> = extras.fail_on.tripped(&findings).into_iter().map(str::to_string).collect();
    let mut hidden_background = built.hidden_background;
    if !args.show_background {
        findings.retain(|f| {
            let hide = f.status == Status::Background;
            hidden_background += usize::from(hide && f.change != Some(Change::Gone));
            !hide
        });
    }
    let mut run = Run {
        seam_version: env!("CARGO_PKG_VERSION"),
        inputs: sources.iter().map(|s| s.display()).collect(),
        options: RunOptions {
            format: args.format.clone().or_else(|| args.map.as_ref().map(|_| "custom".to_string())),
            internal: opts.nets.ranges().iter().map(|n| n.to_string()).collect(),
            tz: args.tz.clone(),
            year: args.year,
            inventory: args.inventory.as_ref().map(|p| p.display().to_string()),
            leavers: args.leavers.as_ref().map(|p| p.display().to_string()),
            review_max_age_days: args.review_max_age,
            baseline: args.baseline.as_ref().map(|p| p.display().to_string()),
            fail_on: (!extras.fail_on.is_empty()).then(|| extras.fail_on.to_string()),
            pseudonymized: extras.pseudo.is_some(),
        },
        window: Window {
            first: result.agg.traffic.first_ms.map(rfc3339),
            last: result.agg.traffic.last_ms.map(rfc3339),
        },
        traffic: result.agg.traffic,
        channels: result.agg.channels.len(),
        files: result.files.clone(),
        reconcile: (extras.inventory.is_some() || extras.leavers.is_some()).then_some(summary),
        baseline: baseline_summary,
    };
    if let Some(p) = &extras.pseudo {
        p.run(&mut run);
    }
    if let Some(path) = &args.register {
        let f = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
        report::csv::write_register(std::io::BufWriter::new(f), &findings).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        let f = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
        report::json::write(std::io::BufWriter::new(f), &run, &findings).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !args.quiet {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        report::terminal::print(&mut out, &run, &findings, hidden_background, args.top)?;
        out.flush()?;
    }
    clock.lap("report");
    let mut code = EXIT_OK;

    if !tripped.is_empty() {
        eprintln!(
            "seam: --fail-on {}: {} finding(s) match: {}",
            extras.fail_on,
            tripped.len(),
            tripped.iter().map(|id| report::terminal::safe(id)).collect::<Vec<_>>().join(", ")
        );
        code = EXIT_FAIL_ON;
    }
    for (path, err) in result.errors() {
        eprintln!("seam: {}: {err}", report::terminal::safe(path));
        code = EXIT_INPUT;
    }
    // The process ends next, and the operating system takes the memory
    // back at once: freeing tens of thousands of channels allocation by
    // allocation added about 25 ms to a scan of the 2 GB Squid log.
    std::mem::forget(result);
    std::mem::forget(findings);
    Ok(code)
}

/// `--timings`: wall time of each stage, printed to standard error.
struct Stages {
    on: bool,
    start: std::time::Instant,
    last: std::time::Instant,
}

impl Stages {
    fn new(on: bool) -> Stages {
        let now = std::time::Instant::now();
        Stages { on, start: now, last: now }
    }

    fn lap(&mut self, stage: &str) {
        if !self.on {
            return;
        }
        let now = std::time::Instant::now();
        eprintln!(
            "seam: {:>8.3}s  {stage} (total {:.3}s)",
            (now - self.last).as_secs_f64(),
            (now - self.start).as_secs_f64()
        );
        self.last = now;
    }
}
