//! The scan driver: inputs → format detection → parallel parse and fold →
//! merged [`Aggregate`] plus per-file [`ParseStats`].
//!
//! Whole files are cut into line-aligned chunks parsed in parallel, each
//! thread walking a span of consecutive chunks into one aggregate (see
//! `Spans`); streams (stdin, .gz, .zst) are decompressed on their own
//! thread, which hands line-aligned blocks to the parser threads.

use crate::aggregate::{Accumulator, Aggregate, BATCH};
use crate::config::Networks;
use crate::formats::{self, Format, Framing, LineError, LineParser};
use crate::input::{self, chunk, framing, Blocks, Compression, Opened, Source};
use crate::record::Record;
use crate::stats::ParseStats;
use crate::time::{civil_from_seconds, TimeCtx, Zone};
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde::Serialize;

/// Default size of a chunk of a whole file.
pub const CHUNK_BYTES: usize = 4 << 20;
/// How many bytes of a file format detection looks at.
pub const HEAD_BYTES: usize = 64 << 10;

/// What a scan needs to know.
#[derive(Clone)]
pub struct ScanOptions {
    /// Forced format (`--format`); `None` detects per file.
    pub format: Option<&'static dyn Format>,
    pub no_mmap: bool,
    /// Split each whole file into exactly this many chunks (tests); `None`
    /// splits by [`ScanOptions::chunk_bytes`].
    pub chunks: Option<usize>,
    pub chunk_bytes: usize,
    pub stream_block: usize,
    /// Threads that parse one compressed or piped stream (its decoder has
    /// a thread of its own).
    pub stream_workers: usize,
    pub nets: Networks,
    pub zone: Zone,
    /// Year for syslog stamps without one; `None` takes the file's mtime.
    pub year: Option<i32>,
    pub progress: ProgressBar,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            format: None,
            no_mmap: false,
            chunks: None,
            chunk_bytes: CHUNK_BYTES,
            stream_block: input::STREAM_BLOCK,
            stream_workers: rayon::current_num_threads(),
            nets: Networks::default(),
            zone: Zone::default(),
            year: None,
            progress: ProgressBar::hidden(),
        }
    }
}

/// What happened to one input.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub format: Option<&'static str>,
    pub compression: &'static str,
    #[serde(flatten)]
    pub stats: ParseStats,
    /// Why the file could not be read or recognised (then it counts as an
    /// input error and seam exits 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The merged result of a scan.
pub struct ScanResult {
    pub agg: Aggregate,
    pub files: Vec<FileReport>,
}

impl ScanResult {
    pub fn errors(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().filter_map(|f| f.error.as_deref().map(|e| (f.path.as_str(), e)))
    }
}

/// Scans every source; files are processed in parallel, each file's chunks too.
pub fn scan(sources: &[Source], opts: &ScanOptions) -> ScanResult {
    // Several inputs already keep the cores busy in parallel: then each
    // stream gets one parsing thread beside its decoder.
    let streams = sources.len().max(1);
    let opts = &ScanOptions {
        stream_workers: (rayon::current_num_threads() / streams).max(1),
        ..opts.clone()
    };
    let results: Vec<(Aggregate, FileReport)> = sources.par_iter().map(|s| scan_source(s, opts)).collect();
    let mut agg = Aggregate::new();
    let mut files = Vec::with_capacity(results.len());
    for (a, f) in results {
        agg.merge(a);
        files.push(f);
    }
    ScanResult {
        agg: agg.canonical(),
        files,
    }
}

fn comp_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "none",
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
    }
}

/// Scans one input.
pub fn scan_source(src: &Source, opts: &ScanOptions) -> (Aggregate, FileReport) {
    let path = src.display();
    let mut report = FileReport {
        path: path.clone(),
        format: None,
        compression: "none",
        stats: ParseStats::default(),
        error: None,
    };
    let (opened, meta) = match input::open(src, opts.no_mmap, &opts.progress) {
        Ok(o) => o,
        Err(e) => {
            report.error = Some(format!("cannot read: {e}"));
            return (Aggregate::new(), report);
        }
    };
    let mtime = meta.mtime.or_else(|| stdin_mtime(src));
    let ctx = TimeCtx {
        year: opts.year.unwrap_or_else(|| mtime.map_or(1970, |m| civil_from_seconds(m).0 as i32)),
        zone: opts.zone,
        ref_ms: if opts.year.is_some() { None } else { mtime.map(|m| m * 1000) },
    };
    match opened {
        Opened::Whole(data) => {
            let head = data.get(..HEAD_BYTES.min(data.len())).unwrap_or_default();
            let parser = match bind(head, opts, &mut report) {
                Some(p) => p,
                None => return (Aggregate::new(), report),
            };
            let (agg, stats) = scan_whole(&data, parser.as_ref(), &ctx, opts);
            data.release();
            report.stats = stats;
            (agg, report)
        }
        Opened::Stream(reader, comp) => {
            report.compression = comp_name(comp);
            scan_stream(reader, &ctx, opts, report)
        }
    }
}

fn stdin_mtime(src: &Source) -> Option<i64> {
    if *src != Source::Stdin {
        return None;
    }
    let m = std::fs::metadata("/dev/stdin").ok()?.modified().ok()?;
    m.duration_since(std::time::SystemTime::UNIX_EPOCH).ok().map(|d| d.as_secs() as i64)
}

fn bind(head: &[u8], opts: &ScanOptions, report: &mut FileReport) -> Option<Box<dyn LineParser>> {
    let format = match opts.format.or_else(|| formats::detect(head)) {
        Some(f) => f,
        None if head.iter().all(|b| b.is_ascii_whitespace()) => formats::FORMATS.first().copied()?,
        None => {
            report.error = Some(
                "unknown log format (no supported format recognises its first lines; see `seam formats`, or force one with --format)"
                    .into(),
            );
            return None;
        }
    };
    report.format = Some(format.name());
    match formats::bind(format, head) {
        Ok(p) => Some(p),
        Err(e) => {
            report.error = Some(format!("{}: {e}", format.name()));
            None
        }
    }
}

/// The framing to use for a file: JSON files that hold one object per line
/// are read as lines (cheaper, and the same records).
fn effective_framing(parser: &dyn LineParser, head: &[u8]) -> Framing {
    match parser.framing() {
        Framing::Json if framing::is_ndjson(head) => Framing::Lines,
        f => f,
    }
}

/// Parses and folds a whole buffer, chunked per `opts`.
pub fn scan_whole(data: &[u8], parser: &dyn LineParser, ctx: &TimeCtx, opts: &ScanOptions) -> (Aggregate, ParseStats) {
    let head = data.get(..HEAD_BYTES.min(data.len())).unwrap_or_default();
    scan_framed(data, parser, effective_framing(parser, head), ctx, opts)
}

fn scan_framed(data: &[u8], parser: &dyn LineParser, framing: Framing, ctx: &TimeCtx, opts: &ScanOptions) -> (Aggregate, ParseStats) {
    let n = opts.chunks.unwrap_or_else(|| data.len().div_ceil(opts.chunk_bytes.max(1)).max(1));
    // Each unit of parallel work is a list of record ranges: one range for
    // line and CSV framing (records are found inside it), one range per
    // record for JSON.
    let units: Vec<Vec<std::ops::Range<usize>>> = match framing {
        Framing::Lines => chunk::split(data, n).into_iter().map(|r| vec![r]).collect(),
        Framing::QuotedCsv => framing::split_csv(data, n).into_iter().map(|r| vec![r]).collect(),
        Framing::Json => {
            let (recs, rest) = framing::json_records(data);
            let mut recs = recs;
            if rest < data.len() {
                recs.push(rest..data.len());
            }
            let per = recs.len().div_ceil(n.max(1)).max(1);
            recs.chunks(per).map(<[_]>::to_vec).collect()
        }
    };
    // One accumulator per worker thread, each walking a span of units (see
    // `Spans`): a channel is copied once per thread, not once per unit.
    // Statistics are kept per unit, to be appended in file order (sample
    // line numbers depend on it).
    let workers = rayon::current_num_threads().clamp(1, units.len().max(1));
    let spans = Spans::new(units.len(), workers);
    // Per worker: an aggregate per span it walked (tagged with the span's
    // first unit), and statistics per unit.
    type Walked = (Vec<(usize, Aggregate)>, Vec<(usize, ParseStats)>);
    let per_worker: Vec<Walked> = (0..workers)
        .into_par_iter()
        .map(|k| {
            let mut w = Worker::default();
            // A stolen span starts a new aggregate.
            let (mut done, mut parts) = (Vec::new(), Vec::new());
            let mut span: Option<(usize, usize)> = None;
            while let Some(i) = spans.next(k) {
                let Some(ranges) = units.get(i) else { break };
                match span {
                    Some((first, last)) if i == last + 1 => span = Some((first, i)),
                    Some((first, _)) => {
                        done.push((first, std::mem::take(&mut w.acc).finish_parallel()));
                        span = Some((i, i));
                    }
                    None => span = Some((i, i)),
                }
                let mut stats = ParseStats::default();
                let parts_of_unit = ranges.iter().map(|r| data.get(r.clone()).unwrap_or_default());
                match framing {
                    // JSON units are already one range per record: one
                    // batch for them all.
                    Framing::Json => parse_records(parts_of_unit.clone(), plain(parser, ctx), &opts.nets, &mut w.acc, &mut stats),
                    _ => parts_of_unit
                        .clone()
                        .for_each(|part| fold_buffer(part, framing, parser, ctx, &opts.nets, &mut w, &mut stats)),
                }
                opts.progress.inc(parts_of_unit.map(|p| p.len() as u64).sum());
                parts.push((i, stats));
            }
            if let Some((first, _)) = span {
                done.push((first, w.acc.finish_parallel()));
            }
            (done, parts)
        })
        .collect();
    // Merged in file order: each next aggregate's times follow the ones
    // merged so far, and lists join end to end.
    let (mut aggs, mut parts): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
    for (a, p) in per_worker {
        aggs.extend(a);
        parts.extend(p);
    }
    aggs.sort_by_key(|(first, _)| *first);
    let mut agg = Aggregate::new();
    for (_, a) in aggs {
        agg.merge(a);
    }
    parts.sort_by_key(|(i, _)| *i);
    let mut stats = ParseStats::default();
    for (_, s) in parts {
        stats.append(s);
    }
    (agg, stats)
}

/// Shortest span a worker takes half of: the last few units are left to
/// their owner, as a stolen span costs an aggregate of its own to finish
/// and merge.
const MIN_STEAL: usize = 4;

/// Hands out a file's units (chunks, in file order) to `workers` threads.
/// Each worker walks a span of consecutive units of its own, so that its
/// records arrive in time order and the workers' results cover separate
/// stretches of time: merging them then mostly joins lists end to end (see
/// [`Times::merge`](crate::aggregate::Times::merge)) instead of
/// interleaving every channel's times. A worker that finishes its span
/// takes the span of a worker that has not started (its thread busy
/// elsewhere, as when several files are scanned at once) whole, else the
/// back half of the longest span left, so the load still balances like a
/// shared queue's.
struct Spans(std::sync::Mutex<Vec<Span>>);

struct Span {
    units: std::ops::Range<usize>,
    started: bool,
}

impl Spans {
    fn new(units: usize, workers: usize) -> Spans {
        let workers = workers.max(1);
        let spans = (0..workers)
            .map(|k| Span {
                units: units * k / workers..units * (k + 1) / workers,
                started: false,
            })
            .collect();
        Spans(std::sync::Mutex::new(spans))
    }

    /// The next unit for worker `k`; `None` when every unit is taken.
    fn next(&self, k: usize) -> Option<usize> {
        // A worker that panicked leaves the spans consistent: every change
        // below is made under the lock in one step.
        let mut spans = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let own = spans.get_mut(k)?;
        own.started = true;
        let mine = if !own.units.is_empty() {
            own.units.clone()
        } else if let Some(idle) = spans.iter_mut().find(|s| !s.started && !s.units.is_empty()) {
            // Taken whole: it then follows the thief's own span when it
            // was the next one, and the two make one stretch.
            let whole = idle.units.clone();
            idle.units.start = whole.end;
            whole
        } else {
            let longest = spans.iter_mut().max_by_key(|s| s.units.len())?;
            if longest.units.len() < MIN_STEAL {
                return None;
            }
            let back = longest.units.start + longest.units.len() / 2..longest.units.end;
            longest.units.end = back.start;
            back
        };
        let own = spans.get_mut(k)?;
        own.units = mine.start + 1..mine.end;
        Some(mine.start)
    }
}

/// End of the last complete record of a stream block (the rest is carried
/// into the next block).
fn complete_prefix(framing: Framing, buf: &[u8]) -> usize {
    match framing {
        Framing::Lines => chunk::last_line_end(buf),
        Framing::QuotedCsv => framing::csv_complete_prefix(buf),
        Framing::Json => framing::json_records(buf).1,
    }
}

fn scan_stream(
    reader: Box<dyn std::io::Read + Send>,
    ctx: &TimeCtx,
    opts: &ScanOptions,
    mut report: FileReport,
) -> (Aggregate, FileReport) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(2);
    let block = opts.stream_block;
    let reader_thread = std::thread::spawn(move || {
        let mut blocks = Blocks::new(reader, block);
        loop {
            match blocks.next_block() {
                Ok(Some(b)) => {
                    if tx.send(Ok(b)).is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
    });
    // The first block decides the format.
    let first = match rx.recv() {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            report.error = Some(format!("cannot read: {e}"));
            let _ = reader_thread.join();
            return (Aggregate::new(), report);
        }
        Err(_) => Vec::new(),
    };
    let head = first.get(..HEAD_BYTES.min(first.len())).unwrap_or_default();
    let Some(parser) = bind(head, opts, &mut report) else {
        drop(rx);
        let _ = reader_thread.join();
        return (Aggregate::new(), report);
    };
    let framing = effective_framing(parser.as_ref(), head);
    let parser = parser.as_ref();
    // This thread cuts blocks at record boundaries (a record cut by the end
    // of a block, such as a pretty-printed JSON object or a CSV record with
    // a quoted newline, is carried into the next block) and hands them to
    // `workers` threads, each folding into its own accumulator for the
    // whole stream.
    let workers = opts.stream_workers.max(1);
    let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(workers);
    let work_rx = std::sync::Mutex::new(work_rx);
    let mut read_error = None;
    let (agg, mut parts) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let work_rx = &work_rx;
                scope.spawn(move || {
                    let mut w = Worker::default();
                    let mut parts = Vec::new();
                    loop {
                        let next = work_rx.lock().map(|rx| rx.recv());
                        let Ok(Ok((i, buf))) = next else { break };
                        let mut stats = ParseStats::default();
                        fold_buffer(&buf, framing, parser, ctx, &opts.nets, &mut w, &mut stats);
                        parts.push((i, stats));
                    }
                    (w.acc.finish(), parts)
                })
            })
            .collect();
        let mut carry: Vec<u8> = Vec::new();
        let mut n = 0;
        let blocks = std::iter::once(Ok(first)).chain(rx.iter());
        for item in blocks {
            let block = match item {
                Ok(b) => b,
                Err(e) => {
                    read_error = Some(format!("cannot read: {e}"));
                    break;
                }
            };
            let mut buf = if carry.is_empty() {
                block
            } else {
                let mut b = std::mem::take(&mut carry);
                b.extend_from_slice(&block);
                b
            };
            let cut = complete_prefix(framing, &buf);
            carry = buf.split_off(cut);
            if work_tx.send((n, buf)).is_err() {
                break;
            }
            n += 1;
        }
        if !carry.is_empty() {
            let _ = work_tx.send((n, std::mem::take(&mut carry)));
        }
        drop(work_tx);
        let mut agg = Aggregate::new();
        let mut parts = Vec::new();
        for h in handles {
            if let Ok((a, p)) = h.join() {
                agg.merge(a);
                parts.extend(p);
            }
        }
        (agg, parts)
    });
    drop(rx);
    let _ = reader_thread.join();
    parts.sort_by_key(|(i, _)| *i);
    for (_, s) in parts {
        report.stats.append(s);
    }
    report.error = report.error.or(read_error);
    (agg, report)
}

/// What a worker thread keeps from one buffer to the next: its
/// accumulator, and the memo of the Squid parser.
#[derive(Default)]
struct Worker {
    acc: Accumulator,
    squid: formats::squid::TailMemo,
}

/// Parses and folds every record of a buffer that holds whole records.
fn fold_buffer(
    buf: &[u8],
    framing: Framing,
    parser: &dyn LineParser,
    ctx: &TimeCtx,
    nets: &Networks,
    w: &mut Worker,
    stats: &mut ParseStats,
) {
    // The formats of the largest logs get a loop of their own, with the
    // parser and the fold inlined into it (see `direct`).
    macro_rules! direct {
        ($records:expr) => {{
            let acc = &mut w.acc;
            match parser.stateless().map(|f| f.name()) {
                Some("squid") => {
                    let parse = squid(&mut w.squid);
                    parse_records($records, parse, nets, acc, stats)
                }
                Some("fortigate") => parse_records($records, direct(&formats::fortigate::FortiGate, ctx), nets, acc, stats),
                Some("panos") => parse_records($records, direct(&formats::panos::PanOs, ctx), nets, acc, stats),
                _ => parse_records($records, plain(parser, ctx), nets, acc, stats),
            }
        }};
    }
    match framing {
        Framing::Lines => direct!(chunk::lines(buf)),
        Framing::QuotedCsv => direct!(framing::csv_records(buf)),
        Framing::Json => {
            let (recs, rest) = framing::json_records(buf);
            let tail = (rest < buf.len()).then_some(rest..buf.len());
            let records = recs.into_iter().chain(tail).filter_map(|r| buf.get(r));
            parse_records(records, plain(parser, ctx), nets, &mut w.acc, stats)
        }
    }
}

/// A format's parser called statically, for a format with one record per
/// line: the loop of [`parse_records`] inlines the parser and the fold
/// that consumes its records, instead of two calls through vtables.
#[inline(always)]
fn direct<'a, 'f, F: Format>(f: &'f F, ctx: &'f TimeCtx) -> impl FnMut(&'a [u8], &mut Batch<'a, '_>) -> Result<usize, LineError> + 'f {
    move |line, batch| {
        batch.push(f.parse(line, ctx)?);
        Ok(1)
    }
}

/// Squid's parser, with the worker's memo, writing records in place.
#[inline(always)]
fn squid<'a, 'm>(memo: &'m mut formats::squid::TailMemo) -> impl FnMut(&'a [u8], &mut Batch<'a, '_>) -> Result<usize, LineError> + 'm {
    move |line, batch| {
        let Some(slot) = batch.slot() else { return Ok(0) };
        memo.parse_into(line, slot)?;
        batch.keep();
        Ok(1)
    }
}

/// A parser called through its vtable.
fn plain<'a, 'p>(p: &'p dyn LineParser, ctx: &'p TimeCtx) -> impl FnMut(&'a [u8], &mut Batch<'a, '_>) -> Result<usize, LineError> + 'p {
    move |line, batch| p.parse_multi(line, ctx, &mut |r| batch.push(r))
}

/// Records parsed and not yet folded: they are folded a batch at a time
/// (see `Accumulator::fold_batch`). A parser can write a record straight
/// into its place ([`Batch::slot`], then [`Batch::keep`]) instead of
/// returning it, which copied each record twice on its way here.
struct Batch<'a, 'w> {
    /// The first `n` are waiting; the rest are old records, to be overwritten.
    recs: Vec<Record<'a>>,
    n: usize,
    acc: &'w mut Accumulator,
    nets: &'w Networks,
}

impl<'a, 'w> Batch<'a, 'w> {
    fn new(acc: &'w mut Accumulator, nets: &'w Networks) -> Self {
        Batch {
            recs: (0..BATCH).map(|_| Record::default()).collect(),
            n: 0,
            acc,
            nets,
        }
    }

    /// Where the next record goes (whatever it holds is to be overwritten).
    #[inline(always)]
    fn slot(&mut self) -> Option<&mut Record<'a>> {
        self.recs.get_mut(self.n)
    }

    /// Keeps the record written to [`Batch::slot`].
    #[inline(always)]
    fn keep(&mut self) {
        self.n += 1;
        if self.n == BATCH {
            self.flush();
        }
    }

    #[inline(always)]
    fn push(&mut self, rec: Record<'a>) {
        if let Some(slot) = self.slot() {
            *slot = rec;
            self.keep();
        }
    }

    fn flush(&mut self) {
        self.acc.fold_batch(self.recs.get(..self.n).unwrap_or_default(), self.nets);
        self.n = 0;
    }
}

/// Parses and folds records (lines, CSV records or JSON values) with
/// `parse`, which puts each record of a line into the batch and returns
/// how many there were; each line counts once in the statistics.
fn parse_records<'a>(
    records: impl Iterator<Item = &'a [u8]>,
    mut parse: impl FnMut(&'a [u8], &mut Batch<'a, '_>) -> Result<usize, LineError>,
    nets: &Networks,
    acc: &mut Accumulator,
    stats: &mut ParseStats,
) {
    let mut batch = Batch::new(acc, nets);
    for raw in records {
        stats.lines += 1;
        let line = formats::trim_line(raw);
        if line.is_empty() {
            stats.ignore("empty line");
            continue;
        }
        match parse(line, &mut batch) {
            Ok(_) => stats.parsed += 1,
            Err(LineError::Ignored(r)) => stats.ignore(r),
            Err(LineError::Skipped(r)) => stats.skip(r, stats.lines, line),
        }
    }
    batch.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{Field, LineResult};
    use crate::record::Record;

    /// A JSON-framed format for tests: `{"src": "IP", "host": "NAME"}`.
    struct TestJson;

    impl Format for TestJson {
        fn name(&self) -> &'static str {
            "test-json"
        }
        fn title(&self) -> &'static str {
            "test"
        }
        fn fields(&self) -> &'static [Field] {
            &[]
        }
        fn sniff(&self, _: &[u8]) -> bool {
            true
        }
        fn framing(&self) -> Framing {
            Framing::Json
        }
        fn parse<'a>(&self, line: &'a [u8], _: &TimeCtx) -> LineResult<'a> {
            let v: serde_json::Value = serde_json::from_slice(line).map_err(|_| LineError::Skipped("bad json"))?;
            let src = v.get("src").and_then(|s| s.as_str()).and_then(|s| s.parse().ok());
            let host = v
                .get("host")
                .and_then(|s| s.as_str())
                .map(|h| std::borrow::Cow::Owned(h.to_string()));
            Ok(Record {
                src_ip: src,
                dst_host: host,
                dst_port: Some(443),
                ..Record::default()
            })
        }
    }

    static TEST_JSON: TestJson = TestJson;

    fn doc(n: usize) -> Vec<u8> {
        let mut s = String::from("[\n");
        for i in 0..n {
            s.push_str(&format!(
                "  {{\n    \"src\": \"10.0.0.{}\",\n    \"host\": \"h{}.example\"\n  }}{}\n",
                i % 5,
                i % 3,
                if i + 1 < n { "," } else { "" }
            ));
        }
        s.push_str("]\n");
        s.into_bytes()
    }

    #[test]
    fn spans_hand_out_every_unit_once_in_runs_of_consecutive_units() {
        let mut rng = crate::synth::rng::Rng::new(5);
        for units in [0, 1, 3, 4, 7, 64, 481] {
            for workers in 1..=4 {
                let spans = Spans::new(units, workers);
                let mut got: Vec<Vec<usize>> = vec![Vec::new(); workers];
                let mut live: Vec<usize> = (0..workers).collect();
                // Workers ask in a random order, as threads of uneven speed would.
                while !live.is_empty() {
                    let at = rng.below(live.len() as u64) as usize;
                    let k = live[at];
                    match spans.next(k) {
                        Some(i) => got[k].push(i),
                        None => {
                            live.swap_remove(at);
                        }
                    }
                }
                let mut all: Vec<usize> = got.concat();
                all.sort_unstable();
                assert_eq!(all, (0..units).collect::<Vec<_>>(), "{units} units, {workers} workers");
                // A worker's units only jump where it took another span: an
                // idle worker's whole (once per worker at most) or the back
                // half of one of at least MIN_STEAL units (so at least
                // MIN_STEAL / 2 units each time).
                let jumps: usize = got.iter().map(|seq| seq.windows(2).filter(|w| w[1] != w[0] + 1).count()).sum();
                assert!(jumps < workers + 2 * units / MIN_STEAL, "{got:?}");
            }
        }
    }

    #[test]
    fn a_worker_alone_walks_every_unit_in_order() {
        // Its partners' threads busy elsewhere until it is done: their
        // spans are taken whole, so the units come in one stretch.
        for workers in 1..=4 {
            let spans = Spans::new(100, workers);
            let seq: Vec<usize> = std::iter::from_fn(|| spans.next(0)).collect();
            assert_eq!(seq, (0..100).collect::<Vec<_>>(), "{workers} workers");
            assert!((1..workers).all(|k| spans.next(k).is_none()));
        }
    }

    #[test]
    fn pretty_json_gives_the_same_records_whole_and_streamed_in_small_blocks() {
        let data = doc(40);
        let opts = ScanOptions {
            format: Some(&TEST_JSON),
            ..ScanOptions::default()
        };
        let parser = formats::bind(&TEST_JSON, &data).expect("bind");
        let (whole, ws) = scan_whole(&data, parser.as_ref(), &TimeCtx::default(), &opts);
        assert_eq!((ws.lines, ws.parsed, ws.skipped), (40, 40, 0));
        for block in [7, 64, 1000] {
            let report = FileReport {
                path: "-".into(),
                format: None,
                compression: "none",
                stats: ParseStats::default(),
                error: None,
            };
            let o = ScanOptions {
                stream_block: block,
                ..opts.clone()
            };
            let (agg, r) = scan_stream(Box::new(std::io::Cursor::new(data.clone())), &TimeCtx::default(), &o, report);
            assert_eq!((r.stats.lines, r.stats.parsed, r.stats.skipped), (40, 40, 0), "block {block}");
            let a = serde_json::to_string(&agg.canonical()).expect("json");
            let b = serde_json::to_string(&whole.clone().canonical()).expect("json");
            assert_eq!(a, b, "block {block}");
        }
    }
}
