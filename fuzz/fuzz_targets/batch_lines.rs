//! Fuzz target: `capol::fuzzing::batch_lines` (the fast batch path against the general one).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capol::fuzzing::batch_lines(data));
