#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| seam::fuzzing::one_format("cef", data));
