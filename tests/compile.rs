//! The IR of the examples: snapshots, byte-identical output whatever the order of files, and
//! validity against the shipped JSON Schema `docs/ir.schema.json`, which must match the types.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/files.rs"]
mod files;

use std::path::{Path, PathBuf};

use capol::ir::Program;
use capol::{Sources, compile_workspace};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.capol` file under `dir`, sorted.
fn capol_files(dir: &Path) -> Vec<PathBuf> {
    files::with_extension(dir, "capol")
}

/// The example workspaces: every directory under `examples/` holding `.capol` files.
fn examples() -> Vec<(String, Vec<PathBuf>)> {
    let mut out: Vec<(String, Vec<PathBuf>)> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), capol_files(&p)))
        .filter(|(_, files)| !files.is_empty())
        .collect();
    out.sort();
    assert!(out.iter().any(|(name, _)| name == "combined-registration"), "the seed example is missing");
    out
}

/// Compile files in the given order; paths are relative to the crate so they never depend on
/// where the checkout lives.
fn compile(files: &[PathBuf]) -> String {
    let mut sources = Sources::new();
    for file in files {
        let path = file.strip_prefix(root()).unwrap_or(file).display().to_string();
        let (_, diag) = sources.add_bytes(path, &std::fs::read(file).unwrap());
        assert!(diag.is_none(), "{} does not decode", file.display());
    }
    compile_sources(&sources)
}

fn compile_sources(sources: &Sources) -> String {
    let (program, diags) = compile_workspace(sources);
    assert!(!diags.has_errors(), "errors: {:?}", diags.items);
    program.expect("a workspace without errors compiles").to_json()
}

#[test]
fn examples_ir_snapshots() {
    for (name, files) in examples() {
        let json = compile(&files);
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            omit_expression => true,
            snapshot_path => "snapshots",
            info => &files.iter().map(|f| f.strip_prefix(root()).unwrap().display().to_string()).collect::<Vec<_>>(),
        }, {
            insta::assert_snapshot!(format!("ir_{name}"), json);
        });
    }
}

#[test]
fn examples_compile_byte_identically_in_any_order() {
    for (name, files) in examples() {
        let first = compile(&files);
        assert_eq!(first, compile(&files), "{name}: two runs differ");
        let reversed: Vec<PathBuf> = files.iter().rev().cloned().collect();
        assert_eq!(first, compile(&reversed), "{name}: reversed file order changes the IR");

        // All declarations in one file, files concatenated last to first: still the same IR.
        let mut merged = String::new();
        for file in &reversed {
            merged.push_str(&std::fs::read_to_string(file).unwrap());
            merged.push('\n');
        }
        let mut sources = Sources::new();
        sources.add("merged.capol", merged);
        assert_eq!(first, compile_sources(&sources), "{name}: merging the files changes the IR");
    }
}

#[test]
fn ir_is_versioned_pretty_json() {
    for (name, files) in examples() {
        let json = compile(&files);
        assert!(json.ends_with("}\n"), "{name}: IR must end with a newline");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["capol_ir"], 1, "{name}");
        // The IR reads back into the same program.
        let program: Program = serde_json::from_str(&json).unwrap();
        assert_eq!(program.to_json(), json, "{name}: IR does not round-trip");
    }
}

fn schema_path() -> PathBuf {
    root().join("docs/ir.schema.json")
}

fn committed_schema() -> serde_json::Value {
    let text = std::fs::read_to_string(schema_path())
        .expect("docs/ir.schema.json is missing; run with CAPOL_UPDATE_SCHEMA=1 to write it");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn committed_schema_matches_the_types() {
    let fresh = Program::json_schema();
    let mut pretty = serde_json::to_string_pretty(&fresh).unwrap();
    pretty.push('\n');
    if std::env::var_os("CAPOL_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(root().join("docs")).unwrap();
        std::fs::write(schema_path(), &pretty).unwrap();
    }
    let committed = std::fs::read_to_string(schema_path())
        .expect("docs/ir.schema.json is missing; run with CAPOL_UPDATE_SCHEMA=1 to write it");
    assert!(
        committed == pretty,
        "docs/ir.schema.json is out of date with src/ir.rs; run `CAPOL_UPDATE_SCHEMA=1 cargo test --test compile`"
    );
}

/// Every IR capol produces, from the examples and from the `ok` fixtures.
fn every_ir() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        examples().into_iter().map(|(name, files)| (name, compile(&files))).collect();
    for dir in ["tests/fixtures/syntax/ok", "tests/fixtures/check/ok"] {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(root().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for entry in entries {
            let files = if entry.is_dir() { capol_files(&entry) } else { vec![entry.clone()] };
            out.push((entry.display().to_string(), compile(&files)));
        }
    }
    out
}

#[test]
fn every_ir_validates_against_the_schema() {
    let validator = jsonschema::validator_for(&committed_schema()).unwrap();
    for (name, json) in every_ir() {
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: IR does not match docs/ir.schema.json:\n{}", errors.join("\n"));
    }
}

#[test]
fn schema_rejects_malformed_ir() {
    let validator = jsonschema::validator_for(&committed_schema()).unwrap();
    let (_, files) = examples().into_iter().find(|(n, _)| n == "combined-registration").unwrap();
    let good: serde_json::Value = serde_json::from_str(&compile(&files)).unwrap();
    assert!(validator.is_valid(&good));

    let mut unknown_field = good.clone();
    unknown_field["policies"][0]["colour"] = "blue".into();
    assert!(!validator.is_valid(&unknown_field), "unknown fields must be rejected");

    let mut bad_state = good.clone();
    bad_state["policies"][0]["state"] = "enabledForReportingButNotEnforced".into();
    assert!(!validator.is_valid(&bad_state), "Graph spellings are not IR values");

    let mut missing = good;
    missing.as_object_mut().unwrap().remove("policies");
    assert!(!validator.is_valid(&missing), "required fields must be present");
}
