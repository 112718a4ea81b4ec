//! Every format has a fuzz target, and every input that once crashed a
//! target is replayed here (fuzz/regressions/<target>/*).

use std::path::Path;

fn fuzz_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz"))
}

#[test]
fn every_format_has_a_fuzz_target() {
    let mut missing = Vec::new();
    for f in seam::formats::FORMATS {
        let file = fuzz_dir().join("fuzz_targets").join(format!("{}.rs", f.name().replace('-', "_")));
        match std::fs::read_to_string(&file) {
            Ok(src) if src.contains(&format!("one_format(\"{}\"", f.name())) => {}
            _ => missing.push(f.name()),
        }
    }
    assert!(missing.is_empty(), "no fuzz target for {missing:?}: run fuzz/gen-targets.sh");
}

#[test]
fn crashing_inputs_stay_fixed() {
    let Ok(targets) = std::fs::read_dir(fuzz_dir().join("regressions")) else {
        return;
    };
    let mut replayed = 0;
    for t in targets.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()) {
        let target = t.file_name().to_string_lossy().into_owned();
        for input in std::fs::read_dir(t.path()).into_iter().flatten().filter_map(|e| e.ok()) {
            let data = std::fs::read(input.path()).expect("read regression input");
            if target == "pipeline" {
                seam::fuzzing::whole_pipeline(&data);
            } else {
                seam::fuzzing::one_format(&target.replace('_', "-"), &data);
            }
            replayed += 1;
        }
    }
    println!("replayed {replayed} regression input(s)");
}
