//! Command-line flags (raw; validated in [`crate::app`]). Flag names are a
//! contract with users' scripts: add, never rename.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "seam",
    version,
    about = "Find the integrations nobody documented: fingerprint machine-to-machine traffic in firewall and proxy logs and reconcile it with the integration inventory."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan log files and folders and report integrations.
    Scan(Box<ScanArgs>),
    /// List the supported log formats and the fields each carries.
    Formats(FormatsArgs),
}

#[derive(Debug, Args, Clone)]
pub struct FormatsArgs {
    /// Print the attribute matrix as a Markdown table (as in the README).
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Debug, Args, Clone)]
pub struct ScanArgs {
    /// Log files or folders (recursed in sorted order, hidden files skipped); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Force a format for every input instead of detecting it per file (see `seam formats`).
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,

    /// Describe an unknown device's format in a TOML file (with `--format custom`, which it implies).
    #[arg(long, value_name = "FILE.toml")]
    pub map: Option<PathBuf>,

    /// Read files instead of memory-mapping them.
    #[arg(long)]
    pub no_mmap: bool,

    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Internal networks, comma-separated CIDRs (default: RFC 1918, RFC 6598, loopback, link-local, fc00::/7).
    #[arg(long, value_name = "CIDR,...")]
    pub internal: Option<String>,

    /// Write the risk register as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub register: Option<PathBuf>,

    /// Write the full report as JSON.
    #[arg(long, value_name = "FILE.json")]
    pub json: Option<PathBuf>,

    /// Time zone of log times that carry none, and of schedules: UTC, +HH:MM or an IANA name.
    #[arg(long, value_name = "TZ", default_value = "UTC")]
    pub tz: String,

    /// Year for syslog time stamps without one (default: each file's modification time).
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,

    /// Integration inventory (CSV with a header row: id, name, source, destination, ports, data,
    /// frequency, auth, credential_store, owner, last_reviewed, status[, end_date]).
    #[arg(long, value_name = "FILE.csv")]
    pub inventory: Option<PathBuf>,

    /// Accounts of people who left, one per line; traffic authenticated as one is flagged departed_account.
    #[arg(long, value_name = "FILE")]
    pub leavers: Option<PathBuf>,

    /// Flag review_overdue when an inventory row's last_reviewed is older than this, counted back from the
    /// last day of the scanned window.
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    pub review_max_age: u32,

    /// Mark each finding new, unchanged, changed or gone against an earlier JSON report (--json).
    #[arg(long, value_name = "PREVIOUS.json")]
    pub baseline: Option<PathBuf>,

    /// Exit 3 when findings match: statuses (undocumented, orphaned, stale, documented, background) and/or
    /// changes (new, changed; need --baseline). Repeat the flag or give a comma list.
    #[arg(long, value_name = "WHAT", value_delimiter = ',')]
    pub fail_on: Vec<String>,

    /// Replace user names everywhere with a keyed hash (u- and 12 hex digits, HMAC-SHA256 with KEY);
    /// `@FILE` reads the key from the file's first line.
    #[arg(long, value_name = "KEY|@FILE")]
    pub pseudonymize: Option<String>,
    /// Also list fleet background traffic (updates, certificate checks, time
    /// sync, telemetry, CDNs) as findings with status `background`.
    #[arg(long)]
    pub show_background: bool,

    /// How many findings the terminal summary lists.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,

    /// No summary on standard output and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,

    /// Print how long each stage took (scan, fingerprint, reconcile,
    /// report) to standard error.
    #[arg(long)]
    pub timings: bool,

    /// Chunk size in bytes for parallel parsing (tuning and tests).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub chunk_size: Option<usize>,
}
