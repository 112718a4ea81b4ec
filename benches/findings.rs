//! The stage after the scan: fingerprinting every channel and building the
//! findings, on the channels of a generated benchmark world (`seam-gen
//! bench` at scale 3 over 11 days, Squid: a tenth of the world of
//! `bench/run.sh`, about 3,300 channels), on one thread.
//!
//! `cargo bench --bench findings`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use seam::findings::{self, BuildOptions};
use seam::fingerprint;
use seam::scan::{self, ScanOptions};
use seam::synth::{Config, Sink, World};
use std::hint::black_box;

fn build(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("squid.log");
    let world = World::new(Config {
        days: 11,
        scale: 3,
        ..Config::default()
    })
    .expect("world");
    world.write_single(&path, Sink::Squid, false, 1).expect("benchmark log");
    let sources = seam::input::expand(&[path]).expect("input");
    let result = scan::scan(&sources, &ScanOptions::default());
    let agg = &result.agg;
    // As `seam scan` builds them: background too (it is reconciled, then hidden).
    let opts = BuildOptions {
        fingerprint: fingerprint::Options {
            window: agg.traffic.first_ms.zip(agg.traffic.last_ms),
            ..fingerprint::Options::default()
        },
        show_background: true,
        ..BuildOptions::default()
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let mut g = c.benchmark_group("findings");
    g.throughput(Throughput::Elements(agg.channels.len() as u64));
    g.sample_size(20);
    g.bench_function(BenchmarkId::new("build-1-thread", agg.channels.len()), |b| {
        b.iter(|| pool.install(|| black_box(findings::build_all(agg, &opts).findings.len())))
    });
    g.finish();
}

criterion_group!(benches, build);
criterion_main!(benches);
