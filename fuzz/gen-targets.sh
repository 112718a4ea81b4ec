#!/usr/bin/env bash
# Writes one fuzz target per format listed by `seam formats`, plus `pipeline`,
# and the [[bin]] entries for them. Run after adding a format:
#   fuzz/gen-targets.sh
set -euo pipefail
cd "$(dirname "$0")"
names=$(cargo run -q --manifest-path ../Cargo.toml --bin seam -- formats | awk 'NF && $1 != "fields:" && substr($0,1,1) != " " {print $1}')
rm -f fuzz_targets/*.rs
sed -i '/^\[\[bin\]\]/,$d' Cargo.toml
for n in $names; do
  t=$(echo "$n" | tr '-' '_')
  printf '#![no_main]\nlibfuzzer_sys::fuzz_target!(|data: &[u8]| seam::fuzzing::one_format("%s", data));\n' "$n" > "fuzz_targets/$t.rs"
  printf '\n[[bin]]\nname = "%s"\npath = "fuzz_targets/%s.rs"\ntest = false\ndoc = false\nbench = false\n' "$t" "$t" >> Cargo.toml
done
printf '#![no_main]\nlibfuzzer_sys::fuzz_target!(|data: &[u8]| seam::fuzzing::whole_pipeline(data));\n' > fuzz_targets/pipeline.rs
printf '\n[[bin]]\nname = "pipeline"\npath = "fuzz_targets/pipeline.rs"\ntest = false\ndoc = false\nbench = false\n' >> Cargo.toml
ls fuzz_targets
