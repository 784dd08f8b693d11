//! `capol import` on the fixture tenant export: encodings, list responses, migration tables,
//! placeholders, unmodelled properties and policies that cannot be expressed; the generated
//! workspace checks; and the CLI never overwrites without `--force`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use capol::Error;
use capol::import::{self, Input};
use capol::targets::graph::{self, compare};
use predicates::prelude::*;
use serde_json::Value;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/tenant")
}

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let bom: [u8; 2] = if little { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
    bom.into_iter()
        .chain(text.encode_utf16().flat_map(move |u| if little { u.to_le_bytes() } else { u.to_be_bytes() }))
        .collect()
}

/// The fixture export in every encoding Graph exports come in.
fn inputs() -> Vec<Input> {
    let read = |name: &str| std::fs::read_to_string(fixture_dir().join(name)).unwrap();
    vec![
        Input { path: "tenant/policies.json".into(), bytes: read("policies.json").into_bytes() },
        Input { path: "tenant/office.json".into(), bytes: utf16(&read("office.json"), true) },
        Input { path: "tenant/countries.json".into(), bytes: utf16(&read("countries.json"), false) },
        Input {
            path: "tenant/MigrationTable.json".into(),
            bytes: [0xEF, 0xBB, 0xBF].into_iter().chain(read("MigrationTable.json").into_bytes()).collect(),
        },
    ]
}

#[test]
fn the_fixture_export_imports_as_readable_capol() {
    let out = import::import(&inputs());
    assert!(!out.diags.has_errors(), "{:?}", out.diags);
    let mut text = String::new();
    for file in &out.files {
        text.push_str(&format!("=== {}\n{}", file.path, file.text));
    }
    text.push_str("=== diagnostics\n");
    for d in &out.diags.items {
        text.push_str(&format!("{} {}: {}\n", out.sources.path(d.file), d.error.code_str(), d.error));
    }
    insta::assert_snapshot!("tenant_import", text);
    assert_eq!(out.summary.policies, 2);
    assert_eq!(out.summary.skipped, 1);
    assert_eq!(out.summary.placeholders, 1);
}

#[test]
fn the_imported_workspace_checks_and_compiles_back() {
    let out = import::import(&inputs());
    let mut sources = capol::Sources::new();
    for file in &out.files {
        sources.add(file.path.clone(), file.text.clone());
    }
    let (program, diags) = capol::compile_workspace(&sources);
    let codes: Vec<String> = diags.items.iter().map(|d| d.error.code_str()).collect();
    assert_eq!(codes, ["capol::check::placeholder_id"], "{diags:?}");
    let program = program.unwrap();

    let original: Value = serde_json::from_str(&out.sources.get(out.policies[0].file).unwrap().text).unwrap();
    for (index, record) in out.policies.iter().enumerate().filter(|(_, r)| r.skipped.is_none()) {
        let policy = program.policies.iter().find(|p| p.display_name == record.imported_as).unwrap();
        let compiled = graph::policy_json(&program, policy);
        let differences = compare::diff(
            &compare::normalise_policy(&original["value"][index]),
            &compare::normalise_policy(&compiled),
        );
        for d in &differences {
            let prefixed = format!("value[{index}].{d}");
            assert!(
                record
                    .warned
                    .iter()
                    .any(|w| w.to_string().starts_with(&prefixed) || prefixed.starts_with(&w.to_string())),
                "{}: {prefixed} differs without a warning",
                record.display_name
            );
        }
        if record.display_name == "Block legacy authentication" {
            assert!(differences.is_empty(), "{differences:?}");
        }
    }
}

#[test]
fn nothing_is_dropped_silently() {
    let out = import::import(&inputs());
    let unmodelled: Vec<String> = out
        .diags
        .items
        .iter()
        .filter_map(|d| match &d.error {
            Error::ImportUnmodelled { property, span, .. } => {
                assert!(span.is_some(), "{property} has no span");
                Some(property.clone())
            }
            _ => None,
        })
        .collect();
    for expected in [
        "value[1].conditions.times",
        "value[1].sessionControls.continuousAccessEvaluation",
        "value[2].conditions.applications.includeApplications[0]",
        "value[2].conditions.agents",
    ] {
        assert!(unmodelled.iter().any(|p| p == expected), "{expected} is not reported: {unmodelled:?}");
    }
    // Empty and switched-off properties carry nothing and are not reported.
    assert!(
        !unmodelled
            .iter()
            .any(|p| p.contains("partialEnablementStrategy") || p.contains("persistentBrowser"))
    );
    assert!(
        out.diags
            .items
            .iter()
            .any(|d| matches!(&d.error, Error::ImportPolicySkipped { name, .. } if name == "Agents only"))
    );
    assert!(
        out.diags
            .items
            .iter()
            .any(|d| matches!(&d.error, Error::ImportInvalidId { value, .. } if value == "ToU"))
    );
    assert!(out.diags.items.iter().any(
        |d| matches!(&d.error, Error::ImportMissingLocation { id, .. } if id == "00000000-0000-0000-0000-000000000000")
    ));
}

#[test]
fn broken_inputs_give_diagnostics_not_panics() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("bad.json", b"{ \"displayName\": ".to_vec()),
        ("odd.json", vec![0xFF, 0xFE, 0x7B]),
        ("latin1.json", vec![0x7B, 0xE9, 0x7D]),
        ("array.json", b"[1, \"x\", null]".to_vec()),
        ("wrong-types.json", br#"{"displayName": 3, "conditions": 4, "state": []}"#.to_vec()),
        (
            "half.json",
            br#"{"displayName": "H", "state": "on", "conditions": {"users": {"includeUsers": "All"}}}"#.to_vec(),
        ),
        (
            "types.json",
            br#"{"displayName": "T", "state": "enabled", "conditions": {"users": {"includeUsers": [1, "All"]},
              "applications": {"includeApplications": ["All"]}, "clientAppTypes": "all"},
              "grantControls": {"builtInControls": ["mfa", "teleport"], "operator": "XOR"},
              "sessionControls": {"signInFrequency": {"value": "four", "type": "weeks"}}}"#
                .to_vec(),
        ),
    ];
    for (path, bytes) in cases {
        let out = import::import(&[Input { path: path.into(), bytes }]);
        assert!(!out.diags.is_empty(), "{path}: no diagnostic");
    }
}

#[test]
fn input_order_does_not_matter() {
    let mut reversed = inputs();
    reversed.reverse();
    assert_eq!(import::import(&inputs()).files, import::import(&reversed).files);
}

fn capol() -> Command {
    Command::cargo_bin("capol").unwrap()
}

#[test]
fn cli_imports_a_folder_and_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    capol()
        .arg("import")
        .arg(fixture_dir())
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 2 policies (1 policy not imported)"))
        .stderr(predicate::str::contains("capol::import::unmodelled_property"));
    assert!(out.join(import::INVENTORY_FILE).is_file());
    capol().arg("check").arg(&out).assert().success();
    let inventory = out.join(import::INVENTORY_FILE);
    std::fs::write(&inventory, "// edited by hand\n").unwrap();
    capol()
        .arg("import")
        .arg(fixture_dir())
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("exist already").and(predicate::str::contains("--force")));
    assert_eq!(std::fs::read_to_string(&inventory).unwrap(), "// edited by hand\n");
    capol().arg("import").arg(fixture_dir()).arg("-o").arg(&out).arg("--force").assert().success();
    assert_ne!(std::fs::read_to_string(&inventory).unwrap(), "// edited by hand\n");
}

#[test]
fn cli_reports_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ nope").unwrap();
    capol()
        .arg("import")
        .arg(&bad)
        .arg("-o")
        .arg(dir.path().join("ws"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("capol::import::unreadable"));
    assert!(!dir.path().join("ws").exists());
}

/// `compile --target graph` then `import` of its output directory gives back a workspace that
/// compiles to the same request bodies: locations the deployment creates keep their names and
/// ranges through the manifest.
#[test]
fn cli_round_trips_graph_output_through_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (first, ws, second) = (dir.path().join("g1"), dir.path().join("ws"), dir.path().join("g2"));
    capol()
        .arg("compile")
        .arg("--target")
        .arg("graph")
        .arg(root.join("examples/baseline"))
        .arg("-o")
        .arg(&first)
        .assert()
        .success();
    capol()
        .arg("import")
        .arg(&first)
        .arg("-o")
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 named locations").and(predicate::str::contains("0 warnings")));
    let inventory = std::fs::read_to_string(ws.join(import::INVENTORY_FILE)).unwrap();
    assert!(inventory.contains("location blocked_countries {"), "{inventory}");
    assert!(inventory.contains("location headquarters {"), "{inventory}");
    capol().arg("compile").arg("--target").arg("graph").arg(&ws).arg("-o").arg(&second).assert().success();
    for sub in ["locations", "policies"] {
        for entry in std::fs::read_dir(first.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let other = second.join(sub).join(path.file_name().unwrap());
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                std::fs::read_to_string(&other).unwrap(),
                "{}",
                path.display()
            );
        }
    }
}

/// Without the location files, a `${location:NAME}` placeholder is declared as an empty location
/// under its own name, with a warning that says what to import.
#[test]
fn a_created_location_without_its_file_is_reported() {
    let policy = br#"{"displayName": "P", "state": "enabled",
      "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]},
        "locations": {"includeLocations": ["All"], "excludeLocations": ["${location:hq}"]}},
      "grantControls": {"operator": "OR", "builtInControls": ["block"]}}"#;
    let out = import::import(&[Input { path: "p.json".into(), bytes: policy.to_vec() }]);
    let codes: Vec<String> = out.diags.items.iter().map(|d| d.error.code_str()).collect();
    assert_eq!(codes, ["capol::import::uncreated_location"]);
    assert!(out.files[0].text.contains("location hq {"), "{}", out.files[0].text);
    assert!(out.files[1].text.contains("exclude hq"), "{}", out.files[1].text);
}

/// A location file without an id (one a deployment would create) is imported under its display
/// name when no manifest names it, and a `${location:NAME}` placeholder with that name finds it.
#[test]
fn an_id_less_location_is_named_after_its_display_name() {
    let location = br##"{"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Head Office",
      "isTrusted": true, "ipRanges": [{"cidrAddress": "203.0.113.0/24"}]}"##;
    let policy = br#"{"displayName": "P", "state": "enabled",
      "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]},
        "locations": {"includeLocations": ["All"], "excludeLocations": ["${location:head_office}"]}},
      "grantControls": {"operator": "OR", "builtInControls": ["block"]}}"#;
    let out = import::import(&[
        Input { path: "loc.json".into(), bytes: location.to_vec() },
        Input { path: "p.json".into(), bytes: policy.to_vec() },
    ]);
    assert!(out.diags.is_empty(), "{:?}", out.diags);
    let inventory = &out.files[0].text;
    assert!(
        inventory.contains("location head_office {") && inventory.contains("ip 203.0.113.0/24"),
        "{inventory}"
    );
    assert!(!inventory.contains("id ="), "{inventory}");
}

/// Two location files without ids that would take the same name: the second is reported, not
/// dropped silently.
#[test]
fn two_id_less_locations_with_one_name_are_reported() {
    let location = |range: &str| {
        format!(r#"{{"displayName": "Head Office", "ipRanges": [{{"cidrAddress": "{range}"}}]}}"#)
            .into_bytes()
    };
    let out = import::import(&[
        Input { path: "a.json".into(), bytes: location("203.0.113.0/24") },
        Input { path: "b.json".into(), bytes: location("198.51.100.0/24") },
    ]);
    let messages: Vec<String> =
        out.diags.items.iter().map(|d| format!("{} {}", out.sources.path(d.file), d.error)).collect();
    assert_eq!(
        messages,
        [
            "b.json `displayName` names a second named location `head_office` without an id; only the first is imported"
        ]
    );
    assert!(out.files[0].text.contains("203.0.113.0/24"), "{}", out.files[0].text);
}
