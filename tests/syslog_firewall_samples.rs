//! The sample logs of the syslog firewall formats (testdata/formats/<name>/
//! sample.log, written from the vendors' documented formats): each file is
//! detected as its format, and every line is parsed or deliberately
//! ignored, never skipped. The mixed-device sample goes through a whole
//! scan, each line to the parser that recognises it.

use seam::formats::{self, LineError};
use seam::input::Source;
use seam::record::Action;
use seam::scan::{scan, ScanOptions};
use seam::time::{TimeCtx, Zone};
use std::path::PathBuf;

const FORMATS: &[&str] = &[
    "iptables",
    "filterlog",
    "pf",
    "juniper-srx",
    "netscreen",
    "sophos-xg",
    "sophos-utm",
    "sonicwall",
    "watchguard",
    "barracuda",
    "stormshield",
    "clavister",
    "huawei-usg",
    "syslog-mixed",
];

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/formats")
        .join(name)
        .join("sample.log")
}

#[test]
fn every_sample_line_is_parsed_or_ignored_by_its_detected_format() {
    let ctx = TimeCtx {
        year: 2026,
        zone: Zone::Fixed(0),
        ref_ms: None,
    };
    for name in FORMATS {
        let data = std::fs::read(sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let format = formats::detect(&data).unwrap_or_else(|| panic!("{name}: not detected"));
        assert_eq!(format.name(), *name, "detection of {name}/sample.log");
        let parser = formats::bind(format, &data).unwrap();
        let (mut parsed, mut ignored) = (0, 0);
        for line in data.split(|&b| b == b'\n').map(formats::trim_line).filter(|l| !l.is_empty()) {
            match parser.parse(line, &ctx) {
                Ok(r) => {
                    assert!(
                        r.src_ip.is_some() && (r.dst_ip.is_some() || r.dst_host.is_some()),
                        "{name}: {}",
                        String::from_utf8_lossy(line)
                    );
                    assert!(r.time_ms > 0, "{name}: undated {}", String::from_utf8_lossy(line));
                    parsed += 1;
                }
                Err(LineError::Ignored(_)) => ignored += 1,
                Err(e) => panic!("{name}: {e:?}: {}", String::from_utf8_lossy(line)),
            }
        }
        assert!(parsed >= 4 && ignored >= 1, "{name}: {parsed} parsed, {ignored} ignored");
    }
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
