//! `--format custom --map FILE`: a format for devices seam does not know,
//! described by the user in a small TOML file ([`MapSpec`]).
//!
//! Three kinds of line are described:
//!
//! - `delimited`: columns split by one character (`delimiter`, `"\t"` for
//!   tabs, or `"whitespace"` for runs of spaces and tabs), optionally
//!   quoted (`quote = "\""`, a doubled quote inside a quoted value is a
//!   quote; with `"`, quoted values may hold newlines); fields are named by
//!   0-based column index, or by column name when `header = true` (the
//!   first line of each file names the columns);
//! - `kv`: `key=value` pairs (`separator` between key and value, default
//!   `=`; `delimiter` between pairs, default a space; values may be in
//!   double quotes); fields are named by key;
//! - `json`: one JSON object per record (NDJSON, pretty-printed, or a
//!   top-level array); fields are named by dotted paths (`source.ip`).
//!
//! `time_format` is `epoch` (seconds, fraction allowed), `epoch_ms`,
//! `iso8601`, `clf` (`05/Oct/2026:00:15:02 +0000`), `syslog`
//! (`Oct  5 00:15:02`, year from `--year` or the file), or a strftime
//! pattern (`%Y-%m-%d %H:%M:%S`; `%Y %y %m %d %e %H %I %p %M %S %f %b %z
//! %Z %s %a %T %F %%`). Stamps without a zone take `--tz`. `time` may name
//! several fields (`["date", "time"]`), joined by a space before parsing.
//!
//! Example (`testdata/custom/edge.toml`):
//!
//! ```toml
//! kind = "delimited"
//! delimiter = ","
//! quote = "\""
//! header = true
//! time_format = "%Y-%m-%d %H:%M:%S"
//!
//! [fields]
//! time = "timestamp"
//! src_ip = "client"
//! dst_host = "host"
//! dst_port = "port"
//! bytes_out = "sent"
//! bytes_in = "received"
//! action = "verdict"
//!
//! [actions]
//! allowed = ["PASS"]
//! denied = ["BLOCK"]
//! ```

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::siem::action_word;
use super::timefmt::{check_pattern, parse_pattern, Dialect};
use super::url::split_url;
use super::{parse_ip, Field, Format, Framing, LineError, LineParser, LineResult};
use crate::record::{account, Action, Proto, Record};
use crate::time::{parse_bsd_syslog, parse_clf, parse_epoch_frac, parse_iso8601, parse_u16, parse_u64, TimeCtx};

/// The map file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    kind: String,
    delimiter: Option<String>,
    quote: Option<String>,
    separator: Option<String>,
    header: Option<bool>,
    comment: Option<String>,
    time_format: String,
    fields: RawFields,
    actions: Option<RawActions>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFields {
    time: TimeKeys,
    src_ip: Key,
    src_port: Option<Key>,
    dst_ip: Option<Key>,
    dst_port: Option<Key>,
    dst_host: Option<Key>,
    url: Option<Key>,
    user: Option<Key>,
    user_agent: Option<Key>,
    method: Option<Key>,
    status: Option<Key>,
    bytes_out: Option<Key>,
    bytes_in: Option<Key>,
    proto: Option<Key>,
    action: Option<Key>,
    service: Option<Key>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActions {
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    denied: Vec<String>,
    default: Option<String>,
}

/// A column index or a name (column name, key or dotted JSON path).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
enum Key {
    Index(usize),
    Name(String),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TimeKeys {
    One(Key),
    Many(Vec<Key>),
}

/// The record fields a map can fill, as slots in a fixed array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    SrcIp = 0,
    SrcPort,
    DstIp,
    DstPort,
    DstHost,
    Url,
    User,
    UserAgent,
    Method,
    Status,
    BytesOut,
    BytesIn,
    Proto,
    Action,
    Service,
    /// Parts of the time (up to [`MAX_TIME_PARTS`]).
    Time0,
    Time1,
    Time2,
}

const SLOTS: usize = Slot::Time2 as usize + 1;
const MAX_TIME_PARTS: usize = 3;
const TIME_SLOTS: [Slot; MAX_TIME_PARTS] = [Slot::Time0, Slot::Time1, Slot::Time2];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Delimited,
    Kv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    Byte(u8),
    Whitespace,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TimeFormat {
    Epoch,
    EpochMs,
    Iso8601,
    Clf,
    Syslog,
    Pattern(String),
}

/// A validated map: how to find each field in a line of the described
/// format. Load it with [`MapSpec::load`] and use it as a [`Format`].
#[derive(Debug, Clone)]
pub struct MapSpec {
    inner: Arc<Spec>,
}

#[derive(Debug)]
struct Spec {
    kind: Kind,
    delimiter: Delim,
    quote: Option<u8>,
    separator: u8,
    header: bool,
    comment: Option<Vec<u8>>,
    time: TimeFormat,
    time_parts: usize,
    keys: Vec<(Key, Slot)>,
    allowed: Vec<String>,
    denied: Vec<String>,
    default_action: Action,
}

/// A one-byte setting: one character, or `\t` / `tab`.
fn one_byte(key: &str, v: &str) -> Result<u8, String> {
    match v {
        "\t" | "\\t" | "tab" => Ok(b'\t'),
        _ if v.len() == 1 => Ok(v.as_bytes().first().copied().unwrap_or(b',')),
        _ => Err(format!("key `{key}`: must be a single character, \"\\t\" or \"tab\" (got {v:?})")),
    }
}

impl MapSpec {
    /// Reads and validates a map file. Errors name the file and the key.
    pub fn load(path: &Path) -> Result<MapSpec, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read map {}: {e}", path.display()))?;
        MapSpec::from_toml(&text).map_err(|e| format!("map {}: {e}", path.display()))
    }

    /// Validates a map from its TOML text.
    pub fn from_toml(text: &str) -> Result<MapSpec, String> {
        let raw: RawSpec = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
        let kind = match raw.kind.as_str() {
            "delimited" | "csv" => Kind::Delimited,
            "kv" => Kind::Kv,
            "json" => Kind::Json,
            k => return Err(format!("key `kind`: must be \"delimited\", \"kv\" or \"json\" (got {k:?})")),
        };
        let delimiter = match (kind, raw.delimiter.as_deref()) {
            (_, Some("whitespace")) => Delim::Whitespace,
            (_, Some(d)) => Delim::Byte(one_byte("delimiter", d)?),
            (Kind::Delimited, None) => return Err("key `delimiter`: required for kind = \"delimited\"".into()),
            (_, None) => Delim::Byte(b' '),
        };
        let quote = raw.quote.as_deref().map(|q| one_byte("quote", q)).transpose()?;
        let separator = one_byte("separator", raw.separator.as_deref().unwrap_or("="))?;
        let header = raw.header.unwrap_or(false);
        if header && kind != Kind::Delimited {
            return Err("key `header`: only for kind = \"delimited\"".into());
        }
        let time = match raw.time_format.as_str() {
            "epoch" => TimeFormat::Epoch,
            "epoch_ms" => TimeFormat::EpochMs,
            "iso8601" => TimeFormat::Iso8601,
            "clf" => TimeFormat::Clf,
            "syslog" => TimeFormat::Syslog,
            p => {
                check_pattern(p, Dialect::Strftime).map_err(|e| format!("key `time_format`: {e} in {p:?}"))?;
                TimeFormat::Pattern(p.to_string())
            }
        };
        let f = raw.fields;
        let time_keys = match f.time {
            TimeKeys::One(k) => vec![k],
            TimeKeys::Many(v) => v,
        };
        if time_keys.is_empty() || time_keys.len() > MAX_TIME_PARTS {
            return Err(format!("key `fields.time`: name 1 to {MAX_TIME_PARTS} fields"));
        }
        let mut keys: Vec<(Key, Slot, &str)> = Vec::new();
        for (i, k) in time_keys.into_iter().enumerate() {
            let slot = TIME_SLOTS.get(i).copied().unwrap_or(Slot::Time0);
            keys.push((k, slot, "time"));
        }
        let time_parts = keys.len();
        let optional = [
            (Some(f.src_ip), Slot::SrcIp, "src_ip"),
            (f.src_port, Slot::SrcPort, "src_port"),
            (f.dst_ip, Slot::DstIp, "dst_ip"),
            (f.dst_port, Slot::DstPort, "dst_port"),
            (f.dst_host, Slot::DstHost, "dst_host"),
            (f.url, Slot::Url, "url"),
            (f.user, Slot::User, "user"),
            (f.user_agent, Slot::UserAgent, "user_agent"),
            (f.method, Slot::Method, "method"),
            (f.status, Slot::Status, "status"),
            (f.bytes_out, Slot::BytesOut, "bytes_out"),
            (f.bytes_in, Slot::BytesIn, "bytes_in"),
            (f.proto, Slot::Proto, "proto"),
            (f.action, Slot::Action, "action"),
            (f.service, Slot::Service, "service"),
        ];
        for (k, slot, name) in optional {
            if let Some(k) = k {
                keys.push((k, slot, name));
            }
        }
        if !keys.iter().any(|(_, s, _)| matches!(s, Slot::DstIp | Slot::DstHost | Slot::Url)) {
            return Err("key `fields`: name at least one of dst_ip, dst_host or url".into());
        }
        for (k, _, name) in &keys {
            match (kind, k, header) {
                (Kind::Delimited, Key::Name(_), false) => {
                    return Err(format!(
                        "key `fields.{name}`: a column name needs header = true (or give a 0-based column index)"
                    ))
                }
                (Kind::Kv | Kind::Json, Key::Index(_), _) => {
                    return Err(format!(
                        "key `fields.{name}`: kind = \"{}\" names fields by key, not by index",
                        raw.kind
                    ))
                }
                (_, Key::Name(n), _) if n.is_empty() => return Err(format!("key `fields.{name}`: empty name")),
                (_, Key::Index(i), _) if *i > 4096 => return Err(format!("key `fields.{name}`: column index {i} is too large")),
                _ => {}
            }
        }
        let (allowed, denied, default_action) = match raw.actions {
            Some(a) => {
                let d = match a.default.as_deref() {
                    None | Some("unknown") => Action::Unknown,
                    Some("allowed") => Action::Allowed,
                    Some("denied") => Action::Denied,
                    Some(x) => {
                        return Err(format!(
                            "key `actions.default`: must be \"allowed\", \"denied\" or \"unknown\" (got {x:?})"
                        ))
                    }
                };
                (a.allowed, a.denied, d)
            }
            None => (Vec::new(), Vec::new(), Action::Unknown),
        };
        Ok(MapSpec {
            inner: Arc::new(Spec {
                kind,
                delimiter,
                quote,
                separator,
                header,
                comment: raw.comment.filter(|c| !c.is_empty()).map(String::into_bytes),
                time,
                time_parts,
                keys: keys.into_iter().map(|(k, s, _)| (k, s)).collect(),
                allowed,
                denied,
                default_action,
            }),
        })
    }

    /// The map as a [`Format`] for [`crate::scan::ScanOptions::format`],
    /// which holds `&'static` formats: the map lives until the process ends
    /// (one per run).
    pub fn into_format(self) -> &'static dyn Format {
        Box::leak(Box::new(self))
    }

    /// A parser whose named columns come from the header line in `head`.
    fn bind(&self, head: &[u8]) -> Result<Parser, String> {
        let spec = Arc::clone(&self.inner);
        let mut columns: Vec<Option<Slot>> = Vec::new();
        let mut names: Vec<(Vec<u8>, Slot)> = Vec::new();
        let mut header_line = None;
        match spec.kind {
            Kind::Delimited => {
                let mut header_cols: Vec<Vec<u8>> = Vec::new();
                if spec.header {
                    let line = head
                        .split(|&b| b == b'\n')
                        .map(super::trim_line)
                        .find(|l| !l.is_empty() && !spec.is_comment(l))
                        .ok_or("the map says header = true but the file has no header line")?;
                    split_delimited(line, spec.delimiter, spec.quote, |_, v| {
                        header_cols.push(v.trim_ascii().to_vec());
                        true
                    });
                    header_line = Some(line.to_vec());
                }
                for (k, slot) in &spec.keys {
                    let col = match k {
                        Key::Index(i) => *i,
                        Key::Name(n) => header_cols
                            .iter()
                            .position(|c| c.as_slice() == n.as_bytes())
                            .ok_or_else(|| format!("column {n:?} named in the map is not in the header line"))?,
                    };
                    if columns.len() <= col {
                        columns.resize(col + 1, None);
                    }
                    if let Some(c) = columns.get_mut(col) {
                        *c = Some(*slot);
                    }
                }
            }
            Kind::Kv | Kind::Json => {
                for (k, slot) in &spec.keys {
                    if let Key::Name(n) = k {
                        names.push((n.as_bytes().to_vec(), *slot));
                    }
                }
            }
        }
        Ok(Parser {
            spec,
            columns,
            names,
            header_line,
        })
    }
}

impl Spec {
    fn is_comment(&self, line: &[u8]) -> bool {
        self.comment.as_deref().is_some_and(|c| line.starts_with(c))
    }

    fn framing(&self) -> Framing {
        match (self.kind, self.quote) {
            (Kind::Json, _) => Framing::Json,
            (Kind::Delimited, Some(b'"')) => Framing::QuotedCsv,
            _ => Framing::Lines,
        }
    }
}

impl Format for MapSpec {
    fn name(&self) -> &'static str {
        "custom"
    }

    fn title(&self) -> &'static str {
        "a format described by a --map file (delimited, key=value or JSON)"
    }

    fn fields(&self) -> &'static [Field] {
        &Field::ALL
    }

    /// Never detected: a map is only used when asked for.
    fn sniff(&self, _line: &[u8]) -> bool {
        false
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        match self.bind(b"") {
            Ok(p) => p.parse(line, ctx),
            Err(_) => Err(LineError::Skipped("map needs the file's header line")),
        }
    }

    fn framing(&self) -> Framing {
        self.inner.framing()
    }

    fn bind_header(&self, head: &[u8]) -> Option<Result<Box<dyn LineParser>, String>> {
        Some(self.bind(head).map(|p| Box::new(p) as Box<dyn LineParser>))
    }
}

/// A map bound to one file.
#[derive(Debug)]
struct Parser {
    spec: Arc<Spec>,
    /// Delimited: the slot of each column (by index).
    columns: Vec<Option<Slot>>,
    /// kv and JSON: the slot of each key or dotted path.
    names: Vec<(Vec<u8>, Slot)>,
    /// Delimited with a header: the header line, recognised and ignored.
    header_line: Option<Vec<u8>>,
}

/// The values of one record by slot.
type Values<'a> = [Option<Cow<'a, [u8]>>; SLOTS];

impl LineParser for Parser {
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        let spec = &*self.spec;
        if spec.is_comment(line) {
            return Err(LineError::Ignored("comment"));
        }
        if self.header_line.as_deref() == Some(line) {
            return Err(LineError::Ignored("header line"));
        }
        let mut v: Values<'a> = Default::default();
        match spec.kind {
            Kind::Delimited => {
                let last = self.columns.len();
                split_delimited(line, spec.delimiter, spec.quote, |i, val| {
                    if let Some(Some(slot)) = self.columns.get(i) {
                        if let Some(s) = v.get_mut(*slot as usize) {
                            *s = Some(val);
                        }
                    }
                    i + 1 < last
                });
            }
            Kind::Kv => {
                for (k, val) in kv_pairs(line, spec.delimiter, spec.separator) {
                    if let Some((_, slot)) = self.names.iter().find(|(n, _)| n.as_slice() == k) {
                        if let Some(s) = v.get_mut(*slot as usize) {
                            if s.is_none() {
                                *s = Some(Cow::Borrowed(val));
                            }
                        }
                    }
                }
            }
            Kind::Json => {
                let doc: serde_json::Value = serde_json::from_slice(line).map_err(|_| LineError::Skipped("not a JSON object"))?;
                for (path, slot) in &self.names {
                    let found = std::str::from_utf8(path)
                        .ok()
                        .and_then(|p| json_path(&doc, p))
                        .and_then(json_scalar);
                    if let (Some(s), Some(val)) = (v.get_mut(*slot as usize), found) {
                        *s = Some(Cow::Owned(val.into_bytes()));
                    }
                }
            }
        }
        assemble(spec, v, ctx)
    }

    fn framing(&self) -> Framing {
        self.spec.framing()
    }
}

/// A dotted path into a JSON document; a literal key with dots wins.
fn json_path<'d>(doc: &'d serde_json::Value, path: &str) -> Option<&'d serde_json::Value> {
    if let Some(v) = doc.get(path) {
        return Some(v);
    }
    let (head, rest) = path.split_once('.')?;
    json_path(doc.get(head)?, rest)
}

/// The text of a JSON scalar; `None` for null, arrays and objects.
fn json_scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Calls `f(column, value)` for each column until it returns false. Quoted
/// values lose their quotes; a doubled quote inside is one quote.
fn split_delimited<'a>(line: &'a [u8], delim: Delim, quote: Option<u8>, mut f: impl FnMut(usize, Cow<'a, [u8]>) -> bool) {
    let is_delim = |c: u8| match delim {
        Delim::Byte(d) => c == d,
        Delim::Whitespace => c == b' ' || c == b'\t',
    };
    let mut pos = 0;
    let mut col = 0;
    if delim == Delim::Whitespace {
        pos = line.iter().take_while(|&&c| is_delim(c)).count();
    }
    loop {
        let rest = line.get(pos..).unwrap_or_default();
        let (value, used): (Cow<'a, [u8]>, usize) = match (quote, rest.first()) {
            (Some(q), Some(&c)) if c == q => {
                let body = rest.get(1..).unwrap_or_default();
                let mut i = 0;
                let mut doubled = false;
                let end = loop {
                    match body.get(i..).and_then(|b| memchr::memchr(q, b)) {
                        Some(off) if body.get(i + off + 1) == Some(&q) => {
                            doubled = true;
                            i += off + 2;
                        }
                        Some(off) => break i + off,
                        None => break body.len(),
                    }
                };
                let inner = body.get(..end).unwrap_or_default();
                let value = if doubled {
                    let mut out = Vec::with_capacity(inner.len());
                    let mut j = 0;
                    while let Some(&c) = inner.get(j) {
                        out.push(c);
                        j += if c == q && inner.get(j + 1) == Some(&q) { 2 } else { 1 };
                    }
                    Cow::Owned(out)
                } else {
                    Cow::Borrowed(inner)
                };
                // Up to the delimiter after the closing quote.
                let after = (end + 2).min(rest.len());
                let tail = rest.get(after..).unwrap_or_default();
                let skip = tail.iter().position(|&c| is_delim(c)).unwrap_or(tail.len());
                (value, after + skip)
            }
            _ => {
                let n = rest.iter().position(|&c| is_delim(c)).unwrap_or(rest.len());
                (Cow::Borrowed(rest.get(..n).unwrap_or_default()), n)
            }
        };
        if !f(col, value) {
            return;
        }
        pos += used;
        if pos >= line.len() {
            return;
        }
        // Past the delimiter (all of a whitespace run).
        pos += 1;
        if delim == Delim::Whitespace {
            pos += line.get(pos..).map_or(0, |r| r.iter().take_while(|&&c| is_delim(c)).count());
        }
        col += 1;
    }
}

/// `key<sep>value` pairs separated by `delim`; values may be in double
/// quotes (which may hold the delimiter).
fn kv_pairs(line: &[u8], delim: Delim, sep: u8) -> impl Iterator<Item = (&[u8], &[u8])> {
    let is_delim = move |c: u8| match delim {
        Delim::Byte(d) => c == d,
        Delim::Whitespace => c == b' ' || c == b'\t',
    };
    let mut rest = line;
    std::iter::from_fn(move || loop {
        let start = rest.iter().position(|&c| !is_delim(c) && c != b' ')?;
        let s = rest.get(start..)?;
        let (pair, next) = if let Some(eq) = memchr::memchr(sep, s) {
            let key_end = s.get(..eq)?.iter().position(|&c| is_delim(c)).unwrap_or(eq);
            if key_end < eq {
                // A word without separator: skip it.
                rest = s.get(key_end..)?;
                continue;
            }
            let v = s.get(eq + 1..)?;
            let vlen = if v.first() == Some(&b'"') {
                super::kv::closing_quote(v.get(1..)?) + 2
            } else {
                v.iter().position(|&c| is_delim(c)).unwrap_or(v.len())
            };
            let end = (eq + 1 + vlen).min(s.len());
            (s.get(..end)?, s.get(end..).unwrap_or_default())
        } else {
            return None;
        };
        rest = next;
        let eq = memchr::memchr(sep, pair)?;
        let k = pair.get(..eq)?;
        let v = pair.get(eq + 1..)?;
        let v = match v {
            [b'"', inner @ .., b'"'] => inner,
            [b'"', inner @ ..] => inner,
            _ => v,
        };
        return Some((k, v));
    })
}

/// Text of a value, `None` when empty or `-`.
fn text(v: Option<Cow<'_, [u8]>>) -> Option<Cow<'_, str>> {
    let v = v?;
    let t = match v {
        Cow::Borrowed(b) => crate::record::text(b.trim_ascii()),
        Cow::Owned(o) => Cow::Owned(crate::record::text(o.trim_ascii()).into_owned()),
    };
    if t.is_empty() || t == "-" {
        None
    } else {
        Some(t)
    }
}

fn number<T>(v: &Option<Cow<'_, [u8]>>, f: fn(&[u8]) -> Option<T>) -> Option<T> {
    v.as_deref().and_then(|b| f(b.trim_ascii()))
}

fn parse_time(spec: &Spec, v: &[u8], ctx: &TimeCtx) -> Option<i64> {
    let v = v.trim_ascii();
    match &spec.time {
        TimeFormat::Epoch => parse_epoch_frac(v),
        TimeFormat::EpochMs => parse_u64(v).and_then(|ms| i64::try_from(ms).ok()),
        TimeFormat::Iso8601 => parse_iso8601(v, &ctx.zone),
        TimeFormat::Clf => {
            let v = v.strip_prefix(b"[").unwrap_or(v);
            parse_clf(v.strip_suffix(b"]").unwrap_or(v), &ctx.zone)
        }
        TimeFormat::Syslog => parse_bsd_syslog(v, ctx).filter(|&(_, n)| n == v.len()).map(|(t, _)| t),
        TimeFormat::Pattern(p) => parse_pattern(p.as_bytes(), Dialect::Strftime, v, ctx, &ctx.zone),
    }
}

/// Builds the record from the collected values.
fn assemble<'a>(spec: &Spec, mut v: Values<'a>, ctx: &TimeCtx) -> LineResult<'a> {
    let mut take = |s: Slot| v.get_mut(s as usize).and_then(Option::take);
    // The time, from one field or several joined by a space.
    let time_ms = if spec.time_parts == 1 {
        take(Slot::Time0).and_then(|t| parse_time(spec, &t, ctx))
    } else {
        let mut joined = Vec::new();
        for s in TIME_SLOTS.iter().take(spec.time_parts) {
            let part = take(*s).ok_or(LineError::Skipped("bad or missing time"))?;
            if !joined.is_empty() {
                joined.push(b' ');
            }
            joined.extend_from_slice(part.trim_ascii());
        }
        parse_time(spec, &joined, ctx)
    };
    let time_ms = time_ms.ok_or(LineError::Skipped("bad or missing time"))?;
    let src_ip = take(Slot::SrcIp)
        .and_then(|s| parse_ip(s.trim_ascii()))
        .ok_or(LineError::Skipped("bad or missing source address"))?;
    let mut rec = Record {
        time_ms,
        src_ip: Some(src_ip),
        src_port: number(&take(Slot::SrcPort), parse_u16),
        dst_ip: take(Slot::DstIp).and_then(|s| parse_ip(s.trim_ascii())),
        dst_port: number(&take(Slot::DstPort), parse_u16),
        status: number(&take(Slot::Status), parse_u16),
        bytes_out: number(&take(Slot::BytesOut), parse_u64),
        bytes_in: number(&take(Slot::BytesIn), parse_u64),
        proto: take(Slot::Proto).map(|p| Proto::parse(p.trim_ascii())).unwrap_or_default(),
        ..Record::default()
    };
    rec.dst_host = text(take(Slot::DstHost)).filter(|h| parse_ip(h.as_bytes()).is_none());
    if let Some(u) = text(take(Slot::Url)) {
        let parts = split_url(u.as_bytes());
        rec.scheme = parts.scheme;
        rec.url_query = parts.query;
        if rec.dst_port.is_none() {
            rec.dst_port = parts.port;
        }
        if rec.dst_host.is_none() && !parts.host.is_empty() {
            match parse_ip(parts.host) {
                Some(ip) => rec.dst_ip = rec.dst_ip.or(Some(ip)),
                None => rec.dst_host = Some(Cow::Owned(crate::record::text(parts.host).into_owned())),
            }
        }
        rec.url = Some(u);
    }
    if rec.dst_ip.is_none() && rec.dst_host.is_none() {
        return Err(LineError::Skipped("no destination"));
    }
    rec.user = text(take(Slot::User)).map(|u| match u {
        Cow::Borrowed(b) => Cow::Borrowed(account(b)),
        Cow::Owned(o) => Cow::Owned(account(&o).to_string()),
    });
    rec.user_agent = text(take(Slot::UserAgent));
    rec.method = text(take(Slot::Method));
    rec.service = text(take(Slot::Service));
    rec.action = match text(take(Slot::Action)) {
        Some(a) if spec.allowed.iter().any(|w| w.eq_ignore_ascii_case(&a)) => Action::Allowed,
        Some(a) if spec.denied.iter().any(|w| w.eq_ignore_ascii_case(&a)) => Action::Denied,
        Some(a) => match action_word(a.as_bytes()) {
            Action::Unknown => spec.default_action,
            x => x,
        },
        None => spec.default_action,
    };
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    fn bound(toml: &str, head: &str) -> Parser {
        MapSpec::from_toml(toml).unwrap().bind(head.as_bytes()).unwrap()
    }

    const CSV: &str = r#"
kind = "delimited"
delimiter = ","
quote = "\""
header = true
time_format = "%Y-%m-%d %H:%M:%S"
[fields]
time = "timestamp"
src_ip = "client"
dst_host = "host"
dst_port = "port"
bytes_out = "sent"
user = "user"
action = "verdict"
[actions]
allowed = ["PASS"]
denied = ["BLOCK"]
"#;

    #[test]
    fn delimited_with_header_names_and_quoted_values() {
        let head = "timestamp,client,user,host,port,sent,verdict\n";
        let p = bound(CSV, head);
        assert_eq!(
            p.parse(b"timestamp,client,user,host,port,sent,verdict", &ctx()),
            Err(LineError::Ignored("header line"))
        );
        let r = p
            .parse(
                br#"2026-10-05 00:15:02,10.1.2.3,"EXAMPLE\jdoe","api.example.com",443,"1,200",PASS"#,
                &ctx(),
            )
            .unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("api.example.com"), Some(443)));
        assert_eq!(r.user.as_deref(), Some("jdoe"));
        assert_eq!(r.bytes_out, None, "1,200 is not a number");
        assert_eq!(r.action, Action::Allowed);
        let r = p
            .parse(
                br#"2026-10-05 00:15:03,10.1.2.3,"a ""quoted"" name",x.example.com,80,5,BLOCK"#,
                &ctx(),
            )
            .unwrap();
        assert_eq!(r.user.as_deref(), Some("a \"quoted\" name"));
        assert_eq!(r.action, Action::Denied);
        assert_eq!(MapSpec::from_toml(CSV).unwrap().framing(), Framing::QuotedCsv);
    }

    #[test]
    fn delimited_by_index_and_whitespace_runs_with_two_time_columns() {
        let toml = r#"
kind = "delimited"
delimiter = "whitespace"
time_format = "%d/%m/%Y %H:%M"
[fields]
time = [0, 1]
src_ip = 2
dst_ip = 3
dst_port = 4
proto = 5
"#;
        let p = bound(toml, "");
        let r = p.parse(b"  05/10/2026   00:15   10.1.2.3\t203.0.113.5  22 tcp", &ctx()).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:00Z");
        assert_eq!((r.dst_ip, r.dst_port, r.proto), ("203.0.113.5".parse().ok(), Some(22), Proto::Tcp));
        assert_eq!(
            p.parse(b"05/10/2026 00:15 not-an-ip 203.0.113.5 22", &ctx()),
            Err(LineError::Skipped("bad or missing source address"))
        );
        assert_eq!(p.parse(b"05/10/2026", &ctx()), Err(LineError::Skipped("bad or missing time")));
    }

    #[test]
    fn kv_with_custom_separator_and_quoted_values() {
        let toml = r#"
kind = "kv"
delimiter = ";"
separator = ":"
time_format = "epoch"
[fields]
time = "ts"
src_ip = "from"
url = "req"
user_agent = "ua"
"#;
        let p = bound(toml, "");
        let r = p
            .parse(
                br#"ts:1791159302.250; from:10.1.2.3; ua:"Agent; v1"; req:https://files.example.com:8443/x?y=1"#,
                &ctx(),
            )
            .unwrap();
        assert_eq!(r.time_ms, 1_791_159_302_250);
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("files.example.com"), Some(8443)));
        assert_eq!(r.user_agent.as_deref(), Some("Agent; v1"));
        assert!(r.url_query);
    }

    #[test]
    fn json_dotted_paths_and_numbers() {
        let toml = r#"
kind = "json"
time_format = "iso8601"
[fields]
time = "event.time"
src_ip = "source.ip"
src_port = "source.port"
dst_host = "destination.domain"
bytes_in = "destination.bytes"
"#;
        let p = bound(toml, "");
        let r = p
            .parse(br#"{"event":{"time":"2026-10-05T02:15:02+02:00"},"source":{"ip":"10.1.2.3","port":50000},"destination":{"domain":"api.example.com","bytes":512}}"#, &ctx())
            .unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-10-05T00:15:02Z");
        assert_eq!((r.src_port, r.bytes_in), (Some(50000), Some(512)));
        assert_eq!(p.parse(b"{not json", &ctx()), Err(LineError::Skipped("not a JSON object")));
        assert_eq!(MapSpec::from_toml(toml).unwrap().framing(), Framing::Json);
    }

    #[test]
    fn bad_maps_name_the_key() {
        let err = |t: &str| MapSpec::from_toml(t).unwrap_err();
        assert!(err("kind = \"xml\"\ntime_format = \"epoch\"\n[fields]\ntime = 0\nsrc_ip = 1\ndst_ip = 2").contains("`kind`"));
        assert!(err("kind = \"delimited\"\ntime_format = \"epoch\"\n[fields]\ntime = 0\nsrc_ip = 1\ndst_ip = 2").contains("`delimiter`"));
        assert!(
            err("kind = \"kv\"\ntime_format = \"%Q\"\n[fields]\ntime = \"t\"\nsrc_ip = \"s\"\ndst_ip = \"d\"").contains("`time_format`")
        );
        assert!(err("kind = \"kv\"\ntime_format = \"epoch\"\n[fields]\ntime = \"t\"\nsrc_ip = \"s\"").contains("dst_ip, dst_host or url"));
        assert!(
            err("kind = \"kv\"\ntime_format = \"epoch\"\n[fields]\ntime = \"t\"\nsrc_ip = 3\ndst_ip = \"d\"").contains("`fields.src_ip`")
        );
        assert!(
            err("kind = \"delimited\"\ndelimiter = \",\"\ntime_format = \"epoch\"\n[fields]\ntime = \"t\"\nsrc_ip = 1\ndst_ip = 2")
                .contains("header = true")
        );
        assert!(
            err("kind = \"kv\"\ntime_format = \"epoch\"\n[fields]\ntime = \"t\"\nsrc_ip = \"s\"\ndst_ip = \"d\"\ndestination = \"x\"")
                .contains("destination")
        );
        assert!(
            err("kind = \"kv\"\ntime_format = \"epoch\"\ndelimiter = \"ab\"\n[fields]\ntime = \"t\"\nsrc_ip = \"s\"\ndst_ip = \"d\"")
                .contains("`delimiter`")
        );
        assert!(err("kind = ").contains("line 1"));
        let spec = MapSpec::from_toml(CSV).unwrap();
        assert!(spec.bind(b"time,src,dst\n").unwrap_err().contains("\"timestamp\""));
    }

    #[test]
    fn hostile_lines_never_panic() {
        let p = bound(CSV, "timestamp,client,user,host,port,sent,verdict\n");
        for l in [
            "",
            "\"",
            ",,,,,,,,",
            "\"\"\"",
            "a,\"b",
            "\u{0}\u{ff}",
            "2026-10-05 00:15:02,10.0.0.1,\"x\"y\",h,1,2,3",
        ] {
            let _ = p.parse(l.as_bytes(), &ctx());
        }
        let kv = bound(
            "kind = \"kv\"\ntime_format = \"epoch\"\n[fields]\ntime = \"t\"\nsrc_ip = \"s\"\ndst_ip = \"d\"",
            "",
        );
        for l in ["=", "a=\"", "t=1 s= d", "==== \"\" =", "t=\"1"] {
            let _ = kv.parse(l.as_bytes(), &ctx());
        }
    }
}
