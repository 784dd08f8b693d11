//! Fuzz target: `capol::fuzzing::format_round_trip` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capol::fuzzing::format_round_trip(data));
