//! The import round trip over the shared corpus of real policy exports: every folder is
//! imported, the result must pass `check`, every policy is compiled back to Graph and compared
//! with its export after normalisation (`targets::graph::compare`), and every re-compiled body
//! must validate against the Graph v1.0 schema.
//!
//! A policy round-trips exactly when the two normal forms are equal. A policy with import
//! warnings may differ, but only at the JSON paths the warnings name. Skipped (with a printed
//! reason) when `../shared/corpus` is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/files.rs"]
mod files;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use capol::Error;
use capol::import::{self, Input, JsonPath};
use capol::targets::graph::{self, compare};
use serde_json::Value;

const SETS: &[&str] = &[
    "j0eyv-ConditionalAccessBaseline",
    "AlexFilipin-ConditionalAccess",
    "Cloudshield-io-Conditional-Access-Framework",
];

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/graph-ca-v1.0.schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn at<'v>(value: &'v Value, path: &JsonPath) -> &'v Value {
    let text = path.to_string();
    if text == "(document)" {
        return value;
    }
    // Only list responses put policies below the root, as `value[i]`.
    let index: usize = text.trim_start_matches("value[").trim_end_matches(']').parse().unwrap();
    &value["value"][index]
}

#[derive(Default)]
struct Tally {
    files: usize,
    exact: usize,
    within_warnings: usize,
    not_imported: usize,
    locations: usize,
    unmodelled: BTreeSet<String>,
}

#[test]
fn corpus_round_trips_through_import_check_and_graph() {
    let Some(root) = corpus() else {
        println!("skipped: ../shared/corpus is absent");
        return;
    };
    let validator = schema();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    println!("{:<10} {:<92} notes", "result", "file");
    for set in SETS {
        let mut paths = Vec::new();
        paths.extend(files::with_extension(&root.join(set), "json"));
        let inputs: Vec<Input> = paths
            .iter()
            .map(|p| Input { path: p.display().to_string(), bytes: std::fs::read(p).unwrap() })
            .collect();
        let out = import::import(&inputs);
        assert!(!out.diags.has_errors(), "{set}: import errors: {:?}", out.diags);

        // The imported workspace must pass check (placeholders are warnings).
        let mut sources = capol::Sources::new();
        for file in &out.files {
            sources.add(file.path.clone(), file.text.clone());
        }
        let (program, diags) = capol::compile_workspace(&sources);
        let errors: Vec<String> = diags
            .items
            .iter()
            .filter(|d| !d.error.is_warning())
            .map(|d| format!("{}: {}", sources.path(d.file), d.error))
            .collect();
        assert!(errors.is_empty(), "{set}: the imported workspace does not check:\n{}", errors.join("\n"));
        assert!(
            diags
                .items
                .iter()
                .all(|d| matches!(d.error, Error::PlaceholderId { .. } | Error::RedundantInclude { .. })),
            "{set}: unexpected check warnings: {:?}",
            diags.items.iter().map(|d| d.error.to_string()).collect::<Vec<_>>()
        );
        let program = program.unwrap();

        // The canonical printer leaves every generated file unchanged (below its header).
        for file in &out.files {
            let body: String = file
                .text
                .lines()
                .skip_while(|l| l.starts_with("//") || l.is_empty())
                .map(|l| format!("{l}\n"))
                .collect();
            let (tree, diags) = capol::syntax::parse(capol::span::FileId(0), &file.text);
            assert!(!diags.has_errors(), "{}: {diags:?}", file.path);
            assert_eq!(capol::fmt::print_file(&tree), body, "{set}/{}: not in canonical form", file.path);
        }

        // Named locations come back too.
        for (file_index, source) in out.sources.files.iter().enumerate() {
            let Ok(value) = serde_json::from_str::<Value>(&source.text) else { continue };
            let odata = value["@odata.type"].as_str().unwrap_or("");
            if !(odata.ends_with("ipNamedLocation") || odata.ends_with("countryNamedLocation")) {
                continue;
            }
            let id = value["id"].as_str().unwrap();
            let location = program.locations.iter().find(|l| l.id.as_deref() == Some(id)).unwrap();
            let compiled = graph::location_body(location).unwrap();
            let errors: Vec<String> = validator.iter_errors(&compiled).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", source.path);
            let differences =
                compare::diff(&compare::normalise_location(&value), &compare::normalise_location(&compiled));
            assert!(differences.is_empty(), "{} (file {file_index}) differs at {differences:?}", source.path);
            tally.locations += 1;
        }

        for record in &out.policies {
            tally.files += 1;
            let file = out.sources.path(record.file).to_owned();
            let short = file.split(&format!("{set}/")).last().unwrap_or(&file).to_owned();
            let label = format!("{set}/{short}");
            let unmodelled: Vec<String> = out
                .diags
                .items
                .iter()
                .filter(|d| d.file == record.file)
                .filter_map(|d| match &d.error {
                    Error::ImportUnmodelled { property, .. } => Some(property.clone()),
                    _ => None,
                })
                .collect();
            tally.unmodelled.extend(unmodelled.iter().cloned());
            if let Some(reason) = &record.skipped {
                tally.not_imported += 1;
                println!("{:<10} {label:<92} {reason}", "skipped");
                if unmodelled.is_empty() {
                    failures.push(format!("{label}: not imported although nothing is unmodelled: {reason}"));
                }
                continue;
            }
            let policy = program.policies.iter().find(|p| p.display_name == record.imported_as).unwrap();
            let compiled = graph::policy_json(&program, policy);
            let errors: Vec<String> =
                validator.iter_errors(&compiled).map(|e| format!("{} at {}", e, e.instance_path())).collect();
            if !errors.is_empty() {
                failures.push(format!("{label}: re-compiled policy fails the Graph schema: {errors:?}"));
            }
            let original: Value = serde_json::from_str(&out.sources.get(record.file).unwrap().text).unwrap();
            let original = at(&original, &record.path);
            let differences =
                compare::diff(&compare::normalise_policy(original), &compare::normalise_policy(&compiled));
            let outside: Vec<&JsonPath> =
                differences.iter().filter(|d| !record.warned.iter().any(|w| w.overlaps(d))).collect();
            let only_placeholders = out
                .diags
                .items
                .iter()
                .filter(|d| d.file == record.file)
                .all(|d| matches!(d.error, Error::ImportPlaceholder { .. }));
            if differences.is_empty() {
                tally.exact += 1;
                println!("{:<10} {label}", "exact");
            } else if outside.is_empty() && !only_placeholders {
                tally.within_warnings += 1;
                let names: Vec<String> = differences.iter().map(ToString::to_string).collect();
                println!("{:<10} {label:<92} differs only where warned: {}", "warned", names.join(", "));
            } else {
                println!(
                    "{:<10} {label:<92} {:?}",
                    "FAILED",
                    differences.iter().map(ToString::to_string).collect::<Vec<_>>()
                );
                failures.push(format!(
                    "{label}: differs at {:?}",
                    outside.iter().map(ToString::to_string).collect::<Vec<_>>()
                ));
            }
        }
    }
    println!(
        "\n{} policy files: {} round-trip exactly, {} differ only where the import warned, {} not imported",
        tally.files, tally.exact, tally.within_warnings, tally.not_imported
    );
    println!("{} named locations round-trip exactly", tally.locations);
    println!(
        "unmodelled properties found: {}",
        tally.unmodelled.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    assert_eq!(tally.files, 137, "the corpus has 137 policy files");
    assert_eq!(tally.locations, 5, "the corpus has 5 IP or country named locations");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
