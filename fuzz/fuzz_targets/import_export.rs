//! Fuzz target: `capol::fuzzing::import_export` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capol::fuzzing::import_export(data));
