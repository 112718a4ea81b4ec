//! Parser throughput, one benchmark per format that has sample lines in
//! `testdata/formats/<name>/sample.log` (the lines are repeated to about
//! 4 MiB). Two measurements each: parsing alone, and parsing plus folding
//! into the channel aggregate (what a scan does per line).
//!
//! `cargo bench --bench parsers` (add a format name to run just that one).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use seam::aggregate::Aggregate;
use seam::config::Networks;
use seam::formats::{self, FORMATS};
use seam::scan::{scan_whole, ScanOptions};
use seam::time::TimeCtx;
use std::hint::black_box;

const TARGET_BYTES: usize = 4 << 20;

fn sample(name: &str) -> Option<Vec<u8>> {
    let path = format!("{}/testdata/formats/{name}/sample.log", env!("CARGO_MANIFEST_DIR"));
    let one = std::fs::read(path).ok()?;
    if one.is_empty() {
        return None;
    }
    let mut data = Vec::with_capacity(TARGET_BYTES + one.len());
    while data.len() < TARGET_BYTES {
        data.extend_from_slice(&one);
        if data.last() != Some(&b'\n') {
            data.push(b'\n');
        }
    }
    Some(data)
}

fn parsers(c: &mut Criterion) {
    let ctx = TimeCtx {
        year: 2026,
        ..TimeCtx::default()
    };
    let nets = Networks::default();
    for f in FORMATS {
        let Some(data) = sample(f.name()) else { continue };
        let Ok(parser) = formats::bind(*f, &data) else { continue };
        let mut g = c.benchmark_group(f.name());
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.sample_size(20);
        g.bench_function(BenchmarkId::new("parse", data.len()), |b| {
            b.iter(|| {
                let mut n = 0usize;
                for line in data.split(|&b| b == b'\n') {
                    if parser
                        .parse_multi(formats::trim_line(line), &ctx, &mut |r| n += r.time_ms as usize & 1)
                        .is_ok()
                    {
                        n += 1;
                    }
                }
                black_box(n)
            })
        });
        g.bench_function(BenchmarkId::new("parse+fold", data.len()), |b| {
            b.iter(|| {
                let mut agg = Aggregate::new();
                for line in data.split(|&b| b == b'\n') {
                    let _ = parser.parse_multi(formats::trim_line(line), &ctx, &mut |r| agg.fold(&r, &nets));
                }
                black_box(agg.channels.len())
            })
        });
        g.bench_function(BenchmarkId::new("scan-1-thread", data.len()), |b| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
            b.iter(|| pool.install(|| black_box(scan_whole(&data, parser.as_ref(), &ctx, &ScanOptions::default()).1.parsed)))
        });
        g.finish();
    }
}

criterion_group!(benches, parsers);
criterion_main!(benches);
