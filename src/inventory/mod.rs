//! The integration inventory: the spreadsheet an IT team keeps of its
//! machine-to-machine integrations, loaded from CSV and validated, and the
//! helpers that match observed traffic against its rows.
//!
//! Columns (a header row is required; names are case-insensitive, spaces and
//! `-` read as `_`; unknown extra columns are kept and ignored): `id`,
//! `name`, `source`, `destination`, `ports`, `data`, `frequency`, `auth`,
//! `credential_store`, `owner`, `last_reviewed`, `status`, and optionally
//! `end_date`.
//!
//! Loading is strict: every bad cell is reported with its line number,
//! column and reason, and the inventory is refused. Nothing is dropped
//! silently; only rows whose cells are all empty (what spreadsheets export
//! for blank rows) are passed over.
//!
//! Inventory cells are quoted in error messages only after credentials are
//! redacted ([`crate::redact::redact`]) and control characters escaped.

use chrono::NaiveDate;
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use thiserror::Error;

mod frequency;
pub use frequency::{Frequency, CONTINUOUS_PERIOD_S};

/// Required columns, in the order the issue lists them.
pub const REQUIRED_COLUMNS: [&str; 12] = [
    "id",
    "name",
    "source",
    "destination",
    "ports",
    "data",
    "frequency",
    "auth",
    "credential_store",
    "owner",
    "last_reviewed",
    "status",
];

/// Optional columns seam reads.
pub const OPTIONAL_COLUMNS: [&str; 1] = ["end_date"];

/// At most this many problems are listed before the report stops.
pub const MAX_ERRORS: usize = 50;

/// One problem in the inventory file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}{}: {reason}", column_label(.column))]
pub struct RowError {
    /// 1-based line number in the file (the first line of a multi-line row).
    pub line: u64,
    /// The column: spreadsheet letter (`A`, `B`, …) and header name.
    pub column: Option<(String, String)>,
    pub reason: String,
}

fn column_label(c: &Option<(String, String)>) -> String {
    match c {
        Some((letter, name)) => format!(", column {letter} ({name})"),
        None => String::new(),
    }
}

/// Why an inventory could not be loaded.
#[derive(Debug, Error)]
pub enum InventoryError {
    #[error("cannot read inventory {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("inventory {path} has {} problem(s); fix them and run again:\n{}", .errors.len(), list(.errors))]
    Invalid { path: String, errors: Vec<RowError> },
}

fn list(errors: &[RowError]) -> String {
    let mut out: Vec<String> = errors.iter().take(MAX_ERRORS).map(|e| format!("  {e}")).collect();
    if errors.len() > MAX_ERRORS {
        out.push(format!("  ... and {} more", errors.len() - MAX_ERRORS));
    }
    out.join("\n")
}

/// The spreadsheet column letter of a 0-based index: 0 → `A`, 26 → `AA`.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// A cell value fit for an error message: credentials redacted, control
/// characters escaped, at most 80 characters.
pub fn quote(s: &str) -> String {
    let red = crate::redact::redact(s);
    let mut out = String::from("'");
    for (n, c) in red.chars().enumerate() {
        if n >= 80 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Whether a row's relationship is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowStatus {
    Active,
    /// decommissioned, retired, ended or inactive.
    Ended,
}

impl RowStatus {
    pub fn parse(s: &str) -> Result<RowStatus, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" => Ok(RowStatus::Active),
            "decommissioned" | "retired" | "ended" | "inactive" => Ok(RowStatus::Ended),
            "" => Err("status is empty (use active or decommissioned)".into()),
            _ => Err(format!(
                "{} is not a status (use active, or decommissioned / retired / ended / inactive)",
                quote(s)
            )),
        }
    }
}

/// One entry of the `source` column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// `*` or `any`.
    Any,
    /// An IP (as a /32 or /128) or a CIDR range.
    Net(IpNet),
    /// A host name: logs name sources by IP, and seam does not resolve
    /// names, so such an entry cannot be checked.
    Host(String),
}

impl SourceSpec {
    pub fn parse(s: &str) -> Result<SourceSpec, String> {
        let t = s.trim();
        if t == "*" || t.eq_ignore_ascii_case("any") {
            return Ok(SourceSpec::Any);
        }
        if let Some(net) = parse_net(t) {
            return Ok(SourceSpec::Net(net));
        }
        if t.contains('/') && t.chars().next().is_some_and(|c| c.is_ascii_digit() || c == ':') {
            return Err(format!("{} is not a valid CIDR range", quote(t)));
        }
        check_host(t).map(SourceSpec::Host)
    }
}

/// One entry of the `destination` column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestSpec {
    /// An exact host name (lower-case, no trailing dot).
    Host(String),
    /// `*.example.com`: any subdomain of `example.com` (stored without the
    /// `*.`), not `example.com` itself.
    Wildcard(String),
    /// An IP (as a /32 or /128) or a CIDR range.
    Net(IpNet),
}

impl DestSpec {
    pub fn parse(s: &str) -> Result<DestSpec, String> {
        let t = s.trim();
        if t.contains("://") {
            return Err(format!(
                "{} is a URL; write only the host name (for example api.example.com) and put the port in the ports column",
                quote(t)
            ));
        }
        if let Some(net) = parse_net(t) {
            return Ok(DestSpec::Net(net));
        }
        if let Some(rest) = t.strip_prefix("*.") {
            if rest.contains('*') {
                return Err(format!("{}: only one leading '*.' is allowed", quote(t)));
            }
            let host = check_host(rest)?;
            if !host.contains('.') {
                return Err(format!(
                    "{} would match every name under a top-level domain; name the organisation's domain",
                    quote(t)
                ));
            }
            return Ok(DestSpec::Wildcard(host));
        }
        if t.contains('*') {
            return Err(format!(
                "{}: a wildcard is only allowed as a leading '*.' (as in *.example.com)",
                quote(t)
            ));
        }
        if t.contains('/') && t.chars().next().is_some_and(|c| c.is_ascii_digit() || c == ':') {
            return Err(format!("{} is not a valid CIDR range", quote(t)));
        }
        check_host(t).map(DestSpec::Host)
    }

    /// How well this entry matches a destination, if it does: higher is
    /// more specific (an exact name or address beats a wildcard or range,
    /// a longer wildcard or prefix beats a shorter one). `host` is the
    /// destination's name (lower-case) when the log named one; `ips` are
    /// the addresses seen for it.
    pub fn specificity(&self, host: Option<&str>, ips: &[IpAddr]) -> Option<u32> {
        match self {
            DestSpec::Host(h) => host.filter(|d| d == h).map(|_| 1000),
            DestSpec::Wildcard(suffix) => {
                let d = host?;
                let tail = d.strip_suffix(suffix.as_str())?;
                // Subdomains only: `a.example.com`, never `example.com` or `badexample.com`.
                (tail.len() > 1 && tail.ends_with('.')).then(|| 100 + 10 * suffix.split('.').count() as u32)
            }
            DestSpec::Net(net) => {
                let full = net.prefix_len() == net.max_prefix_len();
                ips.iter()
                    .any(|ip| net_contains(net, ip))
                    .then_some(if full { 1000 } else { 100 + u32::from(net.prefix_len()) })
            }
        }
    }
}

/// An IP or CIDR, with optional `[]` around IPv6; host bits are cleared.
fn parse_net(t: &str) -> Option<IpNet> {
    let t = t.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(t);
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some(IpNet::from(ip));
    }
    t.parse::<IpNet>().ok().map(|n| n.trunc())
}

/// IPv4-mapped IPv6 addresses match IPv4 ranges.
fn net_contains(net: &IpNet, ip: &IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(*ip),
        v4 => *v4,
    };
    net.contains(&ip)
}

/// Validates a host name and returns it lower-case without a trailing dot.
fn check_host(t: &str) -> Result<String, String> {
    if t.is_empty() {
        return Err("empty entry (check for a doubled or trailing ';')".into());
    }
    if t.contains(':') {
        return Err(format!("{} looks like host:port; put the port in the ports column", quote(t)));
    }
    let h = t.strip_suffix('.').unwrap_or(t).to_ascii_lowercase();
    // `10.0.0.300` is a mistyped address, not a name: no top-level domain is numeric.
    let numeric_tld = h
        .rsplit('.')
        .next()
        .is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()));
    if numeric_tld {
        return Err(format!("{} is not a valid IP address", quote(t)));
    }
    let ok = h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty() && label.len() <= 63 && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(h)
    } else {
        Err(format!("{} is not a host name, IP address or CIDR range", quote(t)))
    }
}

/// An inclusive port range (a single port is `lo == hi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub lo: u16,
    pub hi: u16,
}

impl PortRange {
    /// `443`, `8000-8100`, optionally with a `/tcp` or `/udp` suffix.
    pub fn parse(s: &str) -> Result<PortRange, String> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let t2 = lower.strip_suffix("/tcp").or_else(|| lower.strip_suffix("/udp")).unwrap_or(&lower);
        let num = |x: &str| -> Result<u16, String> {
            match x.trim().parse::<u16>() {
                Ok(0) | Err(_) => Err(format!("{} is not a port (1-65535, or a range like 8000-8100)", quote(t))),
                Ok(p) => Ok(p),
            }
        };
        let (lo, hi) = match t2.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => {
                let p = num(t2)?;
                (p, p)
            }
        };
        if lo > hi {
            return Err(format!("{}: the range runs backwards", quote(t)));
        }
        Ok(PortRange { lo, hi })
    }

    pub fn contains(&self, p: u16) -> bool {
        (self.lo..=self.hi).contains(&p)
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}-{}", self.lo, self.hi)
        }
    }
}

/// An ISO date `YYYY-MM-DD` (a time after it, as spreadsheets sometimes
/// add, is ignored).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    let day = match t.find(['T', ' ']) {
        Some(i) => t.get(..i).unwrap_or(t),
        None => t,
    };
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| format!("{} is not an ISO date (YYYY-MM-DD)", quote(t)))
}

/// One validated inventory row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line number of the row in the file.
    pub line: u64,
    pub id: String,
    pub name: String,
    /// The `source` column's entries as written (for stale findings).
    pub source_text: Vec<String>,
    /// Empty means any source.
    pub sources: Vec<SourceSpec>,
    /// The `destination` column's entries as written.
    pub destination_text: Vec<String>,
    pub destinations: Vec<DestSpec>,
    /// Empty means any port.
    pub ports: Vec<PortRange>,
    pub data: String,
    pub frequency_text: String,
    pub frequency: Frequency,
    pub auth: String,
    pub credential_store: String,
    pub owner: String,
    pub last_reviewed: Option<NaiveDate>,
    pub status: RowStatus,
    pub end_date: Option<NaiveDate>,
    /// Columns seam does not use, by header name: kept, not interpreted.
    pub extra: BTreeMap<String, String>,
}

/// How a row's `source` column relates to the sources seen in traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceFit {
    /// Every source is listed (or the row allows any).
    Listed,
    /// Not every source is listed by IP or range, but the row names hosts
    /// by name, which logs cannot confirm or rule out.
    Unverified,
    /// These sources are not listed.
    Unlisted(Vec<IpAddr>),
}

impl Row {
    /// How well the row's destination matches, if it does (see
    /// [`DestSpec::specificity`]).
    pub fn dest_match(&self, host: Option<&str>, ips: &[IpAddr]) -> Option<u32> {
        self.destinations.iter().filter_map(|d| d.specificity(host, ips)).max()
    }

    pub fn source_fit(&self, sources: &[IpAddr]) -> SourceFit {
        if self.sources.is_empty() || self.sources.contains(&SourceSpec::Any) {
            return SourceFit::Listed;
        }
        let unlisted: Vec<IpAddr> = sources
            .iter()
            .filter(|ip| {
                !self.sources.iter().any(|s| match s {
                    SourceSpec::Net(n) => net_contains(n, ip),
                    _ => false,
                })
            })
            .copied()
            .collect();
        if unlisted.is_empty() {
            SourceFit::Listed
        } else if self.sources.iter().any(|s| matches!(s, SourceSpec::Host(_))) {
            SourceFit::Unverified
        } else {
            SourceFit::Unlisted(unlisted)
        }
    }

    /// True when the port is allowed; an unknown port (`None`) always is.
    pub fn port_ok(&self, port: Option<u16>) -> bool {
        match port {
            None => true,
            Some(p) => self.ports.is_empty() || self.ports.iter().any(|r| r.contains(p)),
        }
    }

    pub fn ports_text(&self) -> String {
        if self.ports.is_empty() {
            "any".to_string()
        } else {
            self.ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(";")
        }
    }
}

/// A loaded, validated inventory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub rows: Vec<Row>,
}

/// Positions of the columns seam reads.
struct Columns {
    /// Index of each of [`REQUIRED_COLUMNS`] then [`OPTIONAL_COLUMNS`].
    idx: [Option<usize>; 13],
    names: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Columns, Vec<RowError>> {
        let mut errors = Vec::new();
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 { h.trim_start_matches('\u{feff}') } else { h };
                h.trim().to_ascii_lowercase().replace([' ', '-'], "_")
            })
            .collect();
        let mut idx = [None; 13];
        let wanted = REQUIRED_COLUMNS.iter().chain(OPTIONAL_COLUMNS.iter());
        for (slot, want) in idx.iter_mut().zip(wanted) {
            let found: Vec<usize> = names.iter().enumerate().filter(|(_, n)| n == want).map(|(i, _)| i).collect();
            match found.as_slice() {
                [] => {}
                [i] => *slot = Some(*i),
                [first, rest @ ..] => {
                    for r in rest {
                        errors.push(RowError {
                            line: 1,
                            column: Some((column_letter(*r), want.to_string())),
                            reason: format!("duplicate column '{want}' (first in column {})", column_letter(*first)),
                        });
                    }
                }
            }
        }
        for (i, want) in REQUIRED_COLUMNS.iter().enumerate() {
            if idx.get(i).copied().flatten().is_none() {
                errors.push(RowError {
                    line: 1,
                    column: None,
                    reason: format!(
                        "missing required column '{want}' (the header must name: {})",
                        REQUIRED_COLUMNS.join(", ")
                    ),
                });
            }
        }
        if errors.is_empty() {
            Ok(Columns { idx, names })
        } else {
            Err(errors)
        }
    }
}

/// Reads cells of one record by column name, recording problems.
struct Cells<'r> {
    rec: &'r csv::StringRecord,
    cols: &'r Columns,
    line: u64,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn index(&self, name: &str) -> Option<usize> {
        let pos = REQUIRED_COLUMNS.iter().chain(OPTIONAL_COLUMNS.iter()).position(|c| *c == name)?;
        self.cols.idx.get(pos).copied().flatten()
    }

    fn get(&self, name: &str) -> &str {
        self.index(name).and_then(|i| self.rec.get(i)).map_or("", str::trim)
    }

    fn fail(&mut self, name: &str, reason: String) {
        self.errors.push(RowError {
            line: self.line,
            column: Some((self.index(name).map_or_else(|| "?".into(), column_letter), name.to_string())),
            reason,
        });
    }

    /// Parses a cell; on failure records the error and returns `None`.
    fn parse<T>(&mut self, name: &str, f: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        let v = self.get(name).to_string();
        match f(&v) {
            Ok(t) => Some(t),
            Err(reason) => {
                self.fail(name, reason);
                None
            }
        }
    }

    /// Parses a `;`-separated list cell, entry by entry.
    fn list<T>(&mut self, name: &str, f: impl Fn(&str) -> Result<T, String>) -> (Vec<String>, Vec<T>) {
        let v = self.get(name).to_string();
        let mut texts = Vec::new();
        let mut out = Vec::new();
        if v.trim().is_empty() {
            return (texts, out);
        }
        for item in v.split(';') {
            let item = item.trim();
            match f(item) {
                Ok(t) => {
                    texts.push(item.to_string());
                    out.push(t);
                }
                Err(reason) => self.fail(name, reason),
            }
        }
        (texts, out)
    }
}

impl Inventory {
    /// Loads and validates an inventory file.
    pub fn load(path: &Path) -> Result<Inventory, InventoryError> {
        let shown = path.display().to_string();
        let data = std::fs::read(path).map_err(|source| InventoryError::Io {
            path: shown.clone(),
            source,
        })?;
        Inventory::parse(&data).map_err(|errors| InventoryError::Invalid { path: shown, errors })
    }

    /// Parses and validates inventory CSV text; on failure returns every
    /// problem found, in file order.
    pub fn parse(data: &[u8]) -> Result<Inventory, Vec<RowError>> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
        let mut records = rdr.records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(vec![csv_error(&e)]),
            None => {
                return Err(vec![RowError {
                    line: 1,
                    column: None,
                    reason: "the file is empty; a header row is required".into(),
                }])
            }
        };
        let cols = Columns::from_header(&header)?;
        let mut errors = Vec::new();
        let mut rows: Vec<Row> = Vec::new();
        let mut ids: BTreeMap<String, u64> = BTreeMap::new();
        for rec in records {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    errors.push(csv_error(&e));
                    if errors.len() > MAX_ERRORS {
                        break;
                    }
                    continue;
                }
            };
            let line = rec.position().map_or(0, |p| p.line());
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if rec.len() > cols.names.len() && rec.iter().skip(cols.names.len()).any(|c| !c.trim().is_empty()) {
                errors.push(RowError {
                    line,
                    column: Some((column_letter(cols.names.len()), "?".into())),
                    reason: format!(
                        "the row has {} cells but the header only {} (an unquoted ',' inside a cell?)",
                        rec.len(),
                        cols.names.len()
                    ),
                });
                continue;
            }
            match parse_row(&rec, &cols, line) {
                Ok(row) => {
                    if let Some(first) = ids.get(&row.id.to_ascii_lowercase()) {
                        errors.push(RowError {
                            line,
                            column: Some((column_letter(cols.idx.first().copied().flatten().unwrap_or(0)), "id".into())),
                            reason: format!("duplicate id {} (first on line {first})", quote(&row.id)),
                        });
                    } else {
                        ids.insert(row.id.to_ascii_lowercase(), line);
                        rows.push(row);
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
            if errors.len() > MAX_ERRORS {
                break;
            }
        }
        if errors.is_empty() {
            Ok(Inventory { rows })
        } else {
            Err(errors)
        }
    }

    pub fn active(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.status == RowStatus::Active)
    }
}

fn csv_error(e: &csv::Error) -> RowError {
    let line = e.position().map_or(0, |p| p.line());
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text (save it as 'CSV UTF-8')".to_string(),
        _ => format!("unreadable CSV: {e}"),
    };
    RowError {
        line,
        column: None,
        reason,
    }
}

fn parse_row(rec: &csv::StringRecord, cols: &Columns, line: u64) -> Result<Row, Vec<RowError>> {
    let mut c = Cells {
        rec,
        cols,
        line,
        errors: Vec::new(),
    };
    let id = c.get("id").to_string();
    if id.is_empty() {
        c.fail("id", "id is empty; every row needs a unique id".into());
    }
    let name = c.get("name").to_string();
    let (source_text, sources) = c.list("source", SourceSpec::parse);
    let (destination_text, destinations) = c.list("destination", DestSpec::parse);
    if destination_text.is_empty() && !c.errors.iter().any(|e| e.column.as_ref().is_some_and(|(_, n)| n == "destination")) {
        c.fail("destination", "destination is empty; name a host, *.domain, IP or CIDR".into());
    }
    let ports = {
        let v = c.get("ports").to_string();
        let t = v.trim();
        if t.is_empty() || t == "*" || t.eq_ignore_ascii_case("any") {
            Vec::new()
        } else {
            c.list("ports", PortRange::parse).1
        }
    };
    let frequency_text = c.get("frequency").to_string();
    let frequency = c.parse("frequency", Frequency::parse);
    let last_reviewed = c.parse("last_reviewed", |s| if s.is_empty() { Ok(None) } else { parse_date(s).map(Some) });
    let status = c.parse("status", RowStatus::parse);
    let end_date = c.parse("end_date", |s| if s.is_empty() { Ok(None) } else { parse_date(s).map(Some) });
    let extra: BTreeMap<String, String> = cols
        .names
        .iter()
        .enumerate()
        .filter(|(i, _)| !cols.idx.contains(&Some(*i)))
        .filter_map(|(i, n)| rec.get(i).map(|v| (n.clone(), v.to_string())))
        .collect();
    let data = c.get("data").to_string();
    let auth = c.get("auth").to_string();
    let credential_store = c.get("credential_store").to_string();
    let owner = c.get("owner").to_string();
    match (frequency, last_reviewed, status, end_date) {
        (Some(frequency), Some(last_reviewed), Some(status), Some(end_date)) if c.errors.is_empty() => Ok(Row {
            line,
            id,
            name,
            source_text,
            sources,
            destination_text,
            destinations,
            ports,
            data,
            frequency_text,
            frequency,
            auth,
            credential_store,
            owner,
            last_reviewed,
            status,
            end_date,
            extra,
        }),
        _ => Err(c.errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,name,source,destination,ports,data,frequency,auth,credential_store,owner,last_reviewed,status,end_date\n";

    fn inv(rows: &str) -> Result<Inventory, Vec<RowError>> {
        Inventory::parse(format!("{HEADER}{rows}").as_bytes())
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_a_good_row() {
        let i = inv("INV-1,CRM sync,10.1.0.10;10.2.0.0/16;crm01,api.crm.example.com;*.crm.example.com,443;8000-8100/tcp,contacts,every 15 minutes,oauth,vault,Alice,2026-01-10,active,\n").unwrap();
        let r = &i.rows[0];
        assert_eq!((r.line, r.id.as_str(), r.status), (2, "INV-1", RowStatus::Active));
        assert_eq!(r.sources.len(), 3);
        assert_eq!(r.destinations[1], DestSpec::Wildcard("crm.example.com".into()));
        assert_eq!(r.ports, vec![PortRange { lo: 443, hi: 443 }, PortRange { lo: 8000, hi: 8100 }]);
        assert_eq!(r.frequency, Frequency::Every { seconds: 900, at: None });
        assert_eq!(r.last_reviewed, NaiveDate::from_ymd_opt(2026, 1, 10));
        assert_eq!(r.end_date, None);
    }

    #[test]
    fn header_is_case_insensitive_with_bom_spaces_and_extra_columns() {
        let csv = "\u{feff}ID,Name,Source,Destination,Ports,Data,Frequency,Auth,Credential Store,Owner,Last-Reviewed,STATUS,Cost centre\nA,n,10.0.0.1,x.example.com,,d,hourly,a,c,o,,Retired,CC-9\n";
        let i = Inventory::parse(csv.as_bytes()).unwrap();
        assert_eq!(i.rows[0].status, RowStatus::Ended);
        assert_eq!(i.rows[0].extra.get("cost_centre").map(String::as_str), Some("CC-9"));
        assert!(i.rows[0].ports.is_empty());
    }

    #[test]
    fn missing_column_is_reported_on_line_one() {
        let e =
            Inventory::parse(b"id,name,source,destination,ports,data,frequency,auth,credential_store,last_reviewed,status\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 1);
        assert!(e[0].reason.contains("missing required column 'owner'"), "{}", e[0]);
        let dup = Inventory::parse(HEADER.replace("end_date", "owner").as_bytes()).unwrap_err();
        assert!(
            dup[0].to_string().starts_with("line 1, column M (owner): duplicate column"),
            "{}",
            dup[0]
        );
    }

    #[test]
    fn bad_cells_name_line_column_and_reason() {
        let e = inv(concat!(
            "A,n,10.0.0.1,api.example.com,443,d,hourly,a,c,o,2026-01-01,active,\n",
            "B,n,10.0.0.1,https://api.example.com/x,70000,d,sometimes,a,c,o,01/02/2026,paused,2026-13-01\n",
        ))
        .unwrap_err();
        let text: Vec<String> = e.iter().map(|x| x.to_string()).collect();
        assert_eq!(e.len(), 6, "{text:#?}");
        assert!(
            text[0].starts_with("line 3, column D (destination): 'https://api.example.com/x' is a URL"),
            "{}",
            text[0]
        );
        assert!(
            text[1].starts_with("line 3, column E (ports): '70000' is not a port"),
            "{}",
            text[1]
        );
        assert!(
            text[2].starts_with("line 3, column G (frequency): 'sometimes' is not a frequency"),
            "{}",
            text[2]
        );
        assert!(text[3].starts_with("line 3, column K (last_reviewed): '01/02/2026' is not an ISO date"));
        assert!(text[4].starts_with("line 3, column L (status): 'paused' is not a status"));
        assert!(text[5].starts_with("line 3, column M (end_date)"));
    }

    #[test]
    fn multi_line_cells_keep_the_rows_first_line() {
        let e = inv("A,\"two\nlines\",10.0.0.1,api.example.com,443,d,hourly,a,c,o,,active,\nB,n,10.0.0.1,api.example.com,443,d,hourly,a,c,o,,active,\nA,n,10.0.0.1,x.example,1,d,hourly,a,c,o,,active,\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 5);
        assert!(e[0].reason.contains("duplicate id 'A' (first on line 2)"), "{}", e[0]);
    }

    #[test]
    fn empty_rows_are_passed_over_and_overlong_rows_refused() {
        let ok = inv(",,,,,,,,,,,,\nA,n,,api.example.com,,d,,a,c,o,,active,\n").unwrap();
        assert_eq!(ok.rows.len(), 1);
        assert!(ok.rows[0].sources.is_empty());
        let e = inv("A,n,10.0.0.1,api.example.com,443,d,hourly,a,c,o,,active,,surprise\n").unwrap_err();
        assert!(e[0].reason.contains("the row has 14 cells"), "{}", e[0]);
    }

    #[test]
    fn empty_id_destination_status_are_errors() {
        let e = inv(",n,10.0.0.1,,443,d,hourly,a,c,o,,,\n").unwrap_err();
        let cols: Vec<&str> = e.iter().filter_map(|x| x.column.as_ref().map(|c| c.1.as_str())).collect();
        assert_eq!(cols, vec!["id", "destination", "status"]);
    }

    #[test]
    fn errors_redact_secrets_in_cells() {
        let e = inv("A,n,10.0.0.1,https://u:hunter2@api.example.com/?api_key=SEKRIT,443,d,hourly,a,c,o,,active,\n").unwrap_err();
        let msg = e[0].to_string();
        assert!(!msg.contains("SEKRIT") && !msg.contains("hunter2"), "{msg}");
        assert!(msg.contains("REDACTED"));
    }

    #[test]
    fn non_utf8_file_is_refused_with_a_hint() {
        let mut data = HEADER.as_bytes().to_vec();
        data.extend_from_slice(b"A,M\xfcller,10.0.0.1,api.example.com,443,d,hourly,a,c,o,,active,\n");
        let e = Inventory::parse(&data).unwrap_err();
        assert_eq!(e[0].line, 2);
        assert!(e[0].reason.contains("UTF-8"));
    }

    #[test]
    fn wildcard_matches_subdomains_only() {
        let w = DestSpec::parse("*.Example.com").unwrap();
        assert_eq!(w.specificity(Some("api.example.com"), &[]), Some(120));
        assert!(w.specificity(Some("a.b.example.com"), &[]).is_some());
        assert_eq!(w.specificity(Some("example.com"), &[]), None);
        assert_eq!(w.specificity(Some("badexample.com"), &[]), None);
        assert_eq!(w.specificity(Some("example.com.evil.test"), &[]), None);
        assert_eq!(w.specificity(None, &[ip("192.0.2.1")]), None);
        let bare = DestSpec::parse("example.com.").unwrap();
        assert_eq!(bare.specificity(Some("example.com"), &[]), Some(1000));
        assert_eq!(bare.specificity(Some("api.example.com"), &[]), None);
    }

    #[test]
    fn bad_wildcards_are_refused() {
        for bad in [
            "*",
            "*.com",
            "api.*.com",
            "*example.com",
            "*.*.example.com",
            "a..b",
            "api.example.com:443",
            "",
        ] {
            assert!(DestSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cidr_and_ip_destinations_match_observed_addresses() {
        let n = DestSpec::parse("203.0.113.0/24").unwrap();
        assert_eq!(n.specificity(None, &[ip("203.0.113.255")]), Some(124));
        assert_eq!(
            n.specificity(Some("api.example.com"), &[ip("198.51.100.1"), ip("203.0.113.9")]),
            Some(124)
        );
        assert_eq!(n.specificity(None, &[ip("203.0.114.0")]), None);
        assert_eq!(n.specificity(None, &[ip("::ffff:203.0.113.7")]), Some(124));
        let one = DestSpec::parse("[2001:db8::1]").unwrap();
        assert_eq!(one.specificity(None, &[ip("2001:db8::1")]), Some(1000));
        // Host bits set: the range is what counts.
        let loose = DestSpec::parse("198.51.100.77/25").unwrap();
        assert!(loose.specificity(None, &[ip("198.51.100.1")]).is_some());
        assert!(DestSpec::parse("198.51.100.0/33").is_err());
    }

    #[test]
    fn ports_single_ranges_any_and_unknown() {
        let i = inv("A,n,,h.example,443;8000-8001/udp,d,,a,c,o,,active,\nB,n,,h.example,any,d,,a,c,o,,active,\n").unwrap();
        let (a, b) = (&i.rows[0], &i.rows[1]);
        assert!(a.port_ok(Some(443)) && a.port_ok(Some(8001)) && !a.port_ok(Some(8002)) && !a.port_ok(Some(80)));
        assert!(a.port_ok(None), "an unknown port is not a mismatch");
        assert!(b.port_ok(Some(1)));
        for bad in ["0", "65536", "-1", "443-80", "https", "80-"] {
            assert!(PortRange::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn source_fit_by_ip_cidr_and_host_name() {
        let i = inv("A,n,10.1.0.0/24;10.9.9.9,h.example,,d,,a,c,o,,active,\nB,n,10.1.0.0/24;batch01,h.example,,d,,a,c,o,,active,\nC,n,any,h.example,,d,,a,c,o,,active,\n").unwrap();
        let (a, b, c) = (&i.rows[0], &i.rows[1], &i.rows[2]);
        assert_eq!(a.source_fit(&[ip("10.1.0.5"), ip("10.9.9.9")]), SourceFit::Listed);
        assert_eq!(
            a.source_fit(&[ip("10.1.0.5"), ip("10.2.0.5")]),
            SourceFit::Unlisted(vec![ip("10.2.0.5")])
        );
        assert_eq!(b.source_fit(&[ip("10.2.0.5")]), SourceFit::Unverified);
        assert_eq!(c.source_fit(&[ip("10.2.0.5")]), SourceFit::Listed);
        assert!(SourceSpec::parse("10.0.0.0/40").is_err());
        assert!(SourceSpec::parse("10.0.0.300").is_err());
        assert!(DestSpec::parse("192.0.2").is_err());
    }

    #[test]
    fn junk_never_panics() {
        // A deterministic stream of hostile bytes, cut into rows under a valid header.
        let alphabet: &[u8] = b",;\"\n\r*./:-[]09azAZ \t\x00\xff\xc3\xa9=@+";
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..300 {
            let mut data = HEADER.as_bytes().to_vec();
            for _ in 0..200 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                data.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            let _ = Inventory::parse(&data);
            let text = String::from_utf8_lossy(&data[HEADER.len()..]).into_owned();
            let _ = Frequency::parse(&text);
            let _ = DestSpec::parse(&text);
            let _ = PortRange::parse(&text);
        }
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
