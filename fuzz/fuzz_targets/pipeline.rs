#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| seam::fuzzing::whole_pipeline(data));
