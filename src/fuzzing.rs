//! Entry points for the fuzz targets in `fuzz/` (one per format, plus the
//! whole pipeline). Kept in the library so that the targets stay one line
//! each and a test can check that every format has one.

use crate::config::Networks;
use crate::formats::{self, Format};
use crate::scan::{scan_whole, ScanOptions};
use crate::time::{TimeCtx, Zone};

/// Feeds `data` to the format named `name` the way a scan would: sniff and
/// parse every line, bind with `data` as the file head (header-driven
/// formats), and run the framed scan of the whole buffer.
pub fn one_format(name: &str, data: &[u8]) {
    let Some(f) = formats::by_name(name) else { return };
    let ctx = TimeCtx {
        year: 2026,
        zone: Zone::Fixed(3600),
        ref_ms: Some(1_790_000_000_000),
    };
    let mut memo = (name == "squid").then(formats::squid::TailMemo::default);
    let mut tagged = std::collections::HashMap::new();
    for line in data.split(|&b| b == b'\n') {
        let _ = f.sniff(line);
        let _ = f.parse_multi(line, &ctx, &mut |_| {});
        if let Some(memo) = memo.as_mut() {
            // The scan's memoized parser must give what the plain one does,
            // on first sight of a tail and from its template, and keep the
            // promise of its tags.
            let want = f.parse(line, &ctx);
            for _ in 0..2 {
                let got = memo.parse(line);
                if let Ok(r) = &got {
                    if r.tail != 0 {
                        let first = tagged.entry(r.tail).or_insert_with(|| r.clone());
                        assert_eq!(first.tail_fields(), r.tail_fields());
                    }
                }
                assert_eq!(got.map(crate::record::Record::untagged), want);
            }
        }
    }
    if let Ok(p) = formats::bind(f, data) {
        let opts = ScanOptions {
            format: Some(f),
            chunks: Some(3),
            nets: Networks::default(),
            ..ScanOptions::default()
        };
        let _ = scan_whole(data, p.as_ref(), &ctx, &opts);
    }
}

/// Detection plus every format's parser, then the findings, on arbitrary bytes.
pub fn whole_pipeline(data: &[u8]) {
    let ctx = TimeCtx::default();
    let format: Option<&'static dyn Format> = formats::detect(data);
    if let Some(f) = format {
        if let Ok(p) = formats::bind(f, data) {
            let (agg, _) = scan_whole(
                data,
                p.as_ref(),
                &ctx,
                &ScanOptions {
                    chunks: Some(2),
                    ..ScanOptions::default()
                },
            );
            let _ = crate::findings::build(&agg.canonical(), &Default::default());
        }
    }
    let _ = crate::redact::redact(&String::from_utf8_lossy(data));
    let _ = crate::stats::sample_text(data);
}
