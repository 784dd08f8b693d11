//! Property test: importing what `compile --target graph` writes gives back the same workspace,
//! measured by compiling the import again — every request body and the manifest are identical.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

#[path = "support/files.rs"]
mod files;

use std::path::Path;

use capol::import::{Input, import};
use capol::targets::OutputFile;
use capol::targets::graph::{self, compare};
use proptest::prelude::*;
use serde_json::{Value, json};

fn render(diags: &capol::Diagnostics, sources: &capol::Sources) -> String {
    diags.items.iter().map(|d| capol::diagnostic::render_human(d, sources, false, 100)).collect()
}

/// Graph output of a workspace given as `(path, text)` sources.
fn graph_of(files: &[(String, String)]) -> Result<Vec<OutputFile>, String> {
    let mut sources = capol::Sources::new();
    for (path, text) in files {
        sources.add(path.clone(), text.clone());
    }
    let (program, diags) = capol::compile_workspace(&sources);
    match program {
        Some(p) if !diags.has_errors() => Ok(graph::compile(&p).files),
        _ => Err(render(&diags, &sources)),
    }
}

/// The output directory read back by `import` and compiled again.
fn round_trip(output: &[OutputFile]) -> Result<Vec<OutputFile>, String> {
    let inputs: Vec<Input> = output
        .iter()
        .map(|f| Input { path: format!("out/{}", f.path), bytes: f.contents.clone().into_bytes() })
        .collect();
    let imported = import(&inputs);
    if imported.diags.has_errors() || imported.diags.warning_count() > 0 {
        return Err(render(&imported.diags, &imported.sources));
    }
    let files: Vec<(String, String)> = imported.files.into_iter().map(|f| (f.path, f.text)).collect();
    graph_of(&files)
}

/// Request bodies compared for meaning (`compare::normalise_*`: Graph's lists are sets, so the
/// order of ids, which follows workspace names, may change); the manifest compared on what it
/// says about files and placeholders. Its `notes` are left out: they describe declarations with
/// no Graph form (`methods`, `preview`), which an import cannot see.
fn assert_same(before: &[OutputFile], after: &[OutputFile]) -> Result<(), TestCaseError> {
    let paths = |files: &[OutputFile]| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    prop_assert_eq!(paths(before), paths(after));
    for (b, a) in before.iter().zip(after) {
        let parse = |f: &OutputFile| serde_json::from_str::<Value>(&f.contents).unwrap();
        let (b_json, a_json) = (parse(b), parse(a));
        let (left, right) = if b.path.starts_with("locations/") {
            (compare::normalise_location(&b_json), compare::normalise_location(&a_json))
        } else if b.path.starts_with("policies/") {
            (compare::normalise_policy(&b_json), compare::normalise_policy(&a_json))
        } else {
            let keep = |m: &Value| json!({"files": m["files"], "placeholders": m["placeholders"]});
            (keep(&b_json), keep(&a_json))
        };
        prop_assert!(
            left == right,
            "{} differs after the round trip at {:?}",
            b.path,
            compare::diff(&left, &right).iter().map(ToString::to_string).collect::<Vec<_>>()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn import_of_graph_output_is_the_identity(
        seed in any::<u64>(),
        policies in 1usize..40,
        locations in 1usize..12,
        ranges in 1usize..20,
    ) {
        let text = capol::generate::workspace(seed, policies, locations, ranges);
        let before = graph_of(&[("generated.capol".into(), text)]).map_err(TestCaseError::fail)?;
        let after = round_trip(&before).map_err(TestCaseError::fail)?;
        assert_same(&before, &after)?;
    }
}

fn capol_files(dir: &Path, out: &mut Vec<(String, String)>) {
    for path in files::with_extension(dir, "capol") {
        out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
    }
}

/// The shipped examples and every `ok` fixture that compiles round-trip too: they use
/// constructs the generator does not (user actions, session controls, id-less objects).
#[test]
fn examples_and_fixtures_round_trip() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut workspaces: Vec<Vec<(String, String)>> = Vec::new();
    for example in ["examples/baseline", "examples/combined-registration"] {
        let mut files = Vec::new();
        capol_files(&root.join(example), &mut files);
        workspaces.push(files);
    }
    for dir in ["tests/fixtures/check/ok", "tests/fixtures/syntax/ok", "tests/fixtures/fmt/ok"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for entry in entries {
            let mut files = Vec::new();
            let path = entry.unwrap().path();
            if path.is_dir() {
                capol_files(&path, &mut files);
            } else if path.extension().is_some_and(|e| e == "capol") {
                files.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
            workspaces.push(files);
        }
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for files in &workspaces {
        let Ok(before) = graph_of(files) else { continue };
        let name = files.first().map(|f| f.0.clone()).unwrap_or_default();
        match round_trip(&before) {
            Ok(after) => {
                if let Err(e) = assert_same(&before, &after) {
                    failures.push(format!("{name}: {e}"));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} workspaces compiled");
    assert!(
        failures.is_empty(),
        "{} of {checked} workspaces do not round-trip:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
