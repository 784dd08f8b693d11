//! Fuzz target: `capol::fuzzing::parse_check_compile` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capol::fuzzing::parse_check_compile(data));
