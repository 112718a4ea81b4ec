//! A syslog file where several devices log (testdata/formats/syslog-mixed/
//! sample.log: FortiGate, Linux netfilter and Juniper SRX lines, written
//! from the vendors' documented formats) goes through a whole scan, each
//! line to the parser that recognises it.

use seam::formats;
use seam::input::Source;
use seam::record::Action;
use seam::scan::{scan, ScanOptions};
use seam::time::{TimeCtx, Zone};
use std::path::PathBuf;

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/formats")
        .join(name)
        .join("sample.log")
}

#[test]
fn a_syslog_file_mixing_fortigate_netfilter_and_srx_goes_line_by_line() {
    let opts = ScanOptions {
        year: Some(2026),
        ..ScanOptions::default()
    };
    let res = scan(&[Source::File(sample("syslog-mixed"))], &opts);
    let file = res.files.first().unwrap();
    assert_eq!(file.error, None);
    assert_eq!(file.format, Some("syslog-mixed"));
    // 2 FortiGate traffic + 3 netfilter packets + 1 SRX close; the FortiGate
    // admin-login event is ignored.
    assert_eq!((file.stats.parsed, file.stats.ignored, file.stats.skipped), (6, 1, 0));

    // Each line keeps its own parser's reading of it.
    let ctx = TimeCtx {
        year: 2026,
        zone: Zone::Fixed(0),
        ref_ms: None,
    };
    let data = std::fs::read(sample("syslog-mixed")).unwrap();
    let mixed = formats::by_name("syslog-mixed").unwrap();
    let recs: Vec<_> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| mixed.parse(l, &ctx).ok())
        .collect();
    assert_eq!(recs.first().and_then(|r| r.dst_host.as_deref()), Some("backup.example.com"));
    assert_eq!(recs.get(1).map(|r| r.action), Some(Action::Denied));
    assert_eq!(recs.get(2).map(|r| (r.bytes_out, r.bytes_in)), Some((Some(2210), Some(8810))));
}
