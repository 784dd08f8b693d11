//! Regression inputs of the fuzz targets (`fuzz/`): every file under
//! `tests/fixtures/fuzz/<target>/` runs through the same harness as the fuzzer, so an input that
//! once crashed capol is checked on every `cargo test`.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly on broken fixtures")]

use std::path::Path;

fn run(target: &str, harness: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        // A panic names the input through the test's output.
        eprintln!("{}", path.display());
        harness(&data);
        count += 1;
    }
    assert!(count > 0, "no regression inputs in {}", dir.display());
}

#[test]
fn parse_check_compile_inputs() {
    run("parse_check_compile", capol::fuzzing::parse_check_compile);
}

#[test]
fn format_round_trip_inputs() {
    run("format_round_trip", capol::fuzzing::format_round_trip);
}

#[test]
fn import_export_inputs() {
    run("import_export", capol::fuzzing::import_export);
}

#[test]
fn evaluate_document_inputs() {
    run("evaluate_document", capol::fuzzing::evaluate_document);
}

#[test]
fn batch_lines_inputs() {
    run("batch_lines", capol::fuzzing::batch_lines);
}

/// The import harness splits its input at NUL bytes into files, so the fuzzer can reach the
/// manifest of a Graph output: the seed made from the baseline's output imports its locations
/// by the manifest's names, with no warning.
#[test]
fn the_import_harness_reads_several_files() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/import_export/seed-graph-output.bin");
    let data = std::fs::read(path).unwrap();
    let inputs = capol::fuzzing::import_inputs(&data);
    assert_eq!(inputs.len(), 7);
    let output = capol::import::import(&inputs);
    assert_eq!(output.diags.warning_count(), 0, "{:?}", output.diags);
    assert_eq!((output.summary.policies, output.summary.locations), (3, 3));
    assert!(output.files[0].text.contains("location blocked_countries {"), "{}", output.files[0].text);
}
