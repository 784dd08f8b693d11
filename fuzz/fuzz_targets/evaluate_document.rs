//! Fuzz target: `capol::fuzzing::evaluate_document` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capol::fuzzing::evaluate_document(data));
