//! Lint tests: every rule's fixtures (one that fires, one that does not), the registry's
//! meta-tests, the generated rule reference, the examples, and SARIF output against the OASIS
//! SARIF 2.1.0 schema.
//!
//! A fixture is `tests/fixtures/lint/<rule_id>/{fires,passes}.capol`, with an optional
//! `capol.toml` beside it. Lines where the rule must report end in `// expect: <rule_id>`
//! (or the next line is `// expect-above: <rule_id>`); `fires` must report exactly on those
//! lines, `passes` nowhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use capol::Sources;
use capol::lint::{self, Date, Level, LintConfig, LintRun, LintWarning, RULES, output};

const WIDTH: usize = 80;
const TODAY: &str = "2026-11-25";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rel(path: &Path) -> String {
    let rel = path.strip_prefix(root()).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The configuration of a fixture or example directory, with a fixed date.
fn config_in(dir: &Path) -> LintConfig {
    let path = dir.join("capol.toml");
    let mut config = if path.exists() {
        LintConfig::parse(&std::fs::read_to_string(&path).unwrap()).unwrap()
    } else {
        LintConfig::default()
    };
    if config.today.is_none() {
        config.today = Date::parse(TODAY);
    }
    config
}

fn lint_files(files: &[PathBuf], config: &LintConfig) -> (Sources, LintRun) {
    let mut sources = Sources::new();
    for f in files {
        sources.add(rel(f), std::fs::read_to_string(f).unwrap());
    }
    let run = lint::lint_workspace(&sources, config);
    (sources, run)
}

fn line_of(sources: &Sources, f: &LintWarning) -> usize {
    sources.line_col(f.loc).0
}

/// The lines a fixture marks for `rule`.
fn expected_lines(text: &str, rule: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.contains(&format!("expect: {rule}")) && !line.contains("expect-above:") {
            out.push(i + 1);
        }
        if line.contains(&format!("expect-above: {rule}")) {
            out.push(i);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/lint", "*/*.capol", |path| {
        let dir = path.parent().unwrap();
        let rule_id = dir.file_name().unwrap().to_string_lossy().to_string();
        let rule =
            lint::rule(&rule_id).unwrap_or_else(|| panic!("fixture directory `{rule_id}` names no rule"));
        let config = config_in(dir);
        let (sources, run) = lint_files(&[path.to_path_buf()], &config);
        assert!(
            !run.diagnostics.has_errors() && run.findings.is_some(),
            "{}: the fixture does not check: {:?}",
            path.display(),
            run.diagnostics
        );
        let mine: Vec<&LintWarning> =
            run.findings.iter().flatten().filter(|f| f.rule.id == rule.id).collect();
        let text = &sources.files[0].text;
        let mut actual: Vec<usize> = mine.iter().map(|f| line_of(&sources, f)).collect();
        actual.sort_unstable();
        actual.dedup();
        let expected = expected_lines(text, rule.id);
        let fires = path.file_stem().unwrap() == "fires";
        if fires {
            assert!(!expected.is_empty(), "{}: a `fires` fixture needs `// expect:` lines", path.display());
        } else {
            assert!(expected.is_empty(), "{}: a `passes` fixture has `// expect:` lines", path.display());
        }
        assert_eq!(actual, expected, "{}: lines reported by `{}`", path.display(), rule.id);
        let mut body = format!("----- SOURCE\n{text}----- FINDINGS\n");
        for f in &mine {
            body.push_str(&output::render_human(f, &sources, false, WIDTH));
        }
        if mine.is_empty() {
            body.push_str("(none)\n");
        }
        insta::with_settings!({prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(body);
        });
    });
}

// --- registry meta-tests --------------------------------------------------------------------

const HEADINGS: &[&str] = &["What it does", "Why is this bad?", "Example", "Use instead", "Source"];
const HELPER_MODULES: &[&str] = &["config", "output", "probe", "suppress"];

#[test]
fn registry_is_sorted_unique_and_well_named() {
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "RULES must be sorted by id, without duplicates");
    for id in ids {
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !id.starts_with('_'),
            "`{id}` is not snake_case"
        );
        for banned in ["no_", "avoid_", "use_", "prefer_"] {
            assert!(!id.starts_with(banned), "`{id}` starts with `{banned}`: name the pattern flagged");
        }
    }
    assert!(RULES.len() >= 30);
}

#[test]
fn every_rule_has_docs_under_the_fixed_headings() {
    for rule in RULES {
        let text = rule.docs.text();
        let mut last = 0;
        for heading in HEADINGS {
            let at = text
                .find(&format!("## {heading}\n"))
                .unwrap_or_else(|| panic!("`{}` has no `## {heading}`", rule.id));
            assert!(at >= last, "`{}`: `## {heading}` is out of order", rule.id);
            last = at;
            assert!(
                !rule.docs.section(heading).unwrap().is_empty(),
                "`{}`: `## {heading}` is empty",
                rule.id
            );
        }
        assert!(
            rule.docs.0.starts_with(&format!("//! Rule `{}`", rule.id)),
            "`{}`: the file's first line names another rule",
            rule.id
        );
        assert!(
            !rule.summary.is_empty() && !rule.summary.chars().next().unwrap().is_uppercase(),
            "`{}`: summary",
            rule.id
        );
        assert!(!rule.reference.is_empty());
    }
}

#[test]
fn every_rule_file_is_registered_and_every_rule_has_fixtures_and_snapshots() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("src/lint"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .filter(|s| !HELPER_MODULES.contains(&s.as_str()))
        .collect();
    files.sort();
    let ids: Vec<String> = RULES.iter().map(|r| r.id.to_owned()).collect();
    assert_eq!(files, ids, "every `src/lint/<rule>.rs` must be registered in `RULES`, and only those");
    for rule in RULES {
        for kind in ["fires", "passes"] {
            let fixture = root().join(format!("tests/fixtures/lint/{}/{kind}.capol", rule.id));
            assert!(fixture.is_file(), "`{}` has no {}", rule.id, rel(&fixture));
            let snapshot = root().join(format!("tests/snapshots/fixtures@{}__{kind}.capol.snap", rule.id));
            assert!(snapshot.is_file(), "`{}` has no snapshot {}", rule.id, rel(&snapshot));
        }
    }
}

#[test]
fn rule_reference_is_up_to_date() {
    let path = root().join("docs/lint-rules.md");
    let generated = output::docs_markdown();
    if std::env::var_os("CAPOL_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/lint-rules.md is stale: run `CAPOL_UPDATE_DOCS=1 cargo test --test lint`"
    );
}

// --- examples and SARIF ---------------------------------------------------------------------

fn capol_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "capol"))
        .collect();
    files.sort();
    files
}

fn compact(sources: &Sources, run: &LintRun) -> String {
    let mut out = String::new();
    for d in &run.diagnostics.items {
        let (line, col) = sources.line_col(d.loc());
        out.push_str(&format!("{} {}:{line}:{col} {}\n", d.error.code_str(), sources.path(d.file), d.error));
    }
    for f in run.findings.iter().flatten() {
        let (line, col) = sources.line_col(f.loc);
        out.push_str(&format!(
            "{} [{}] {}:{line}:{col} {}\n",
            f.code(),
            f.level,
            sources.path(f.loc.file),
            f.message
        ));
    }
    out
}

#[test]
fn examples_lint_without_crashing() {
    for name in ["baseline", "combined-registration"] {
        let dir = root().join("examples").join(name);
        let (sources, run) = lint_files(&capol_files(&dir), &config_in(&dir));
        assert!(run.findings.is_some(), "example {name} does not check");
        insta::with_settings!({prepend_module_to_snapshot => false, omit_expression => true, snapshot_suffix => name}, {
            insta::assert_snapshot!("examples", compact(&sources, &run));
        });
    }
}

/// The OASIS SARIF 2.1.0 schema as published with the Committee Specification (draft-07).
fn sarif_schema() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("tests/sarif-2.1.0.schema.json")).unwrap())
        .unwrap()
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let schema = sarif_schema();
    // Formats (`uri-reference` for artifact locations, `uri`) are checked too.
    let validator = jsonschema::draft7::options().should_validate_formats(true).build(&schema).unwrap();
    let mut runs = Vec::new();
    for name in ["baseline", "combined-registration"] {
        let dir = root().join("examples").join(name);
        runs.push(lint_files(&capol_files(&dir), &config_in(&dir)));
    }
    let fixture = root().join("tests/fixtures/lint/overlapping_ranges/fires.capol");
    runs.push(lint_files(&[fixture], &LintConfig::default()));
    let empty = Vec::new();
    let log = output::sarif(
        runs.iter().map(|(s, r)| (s, &r.diagnostics, r.findings.as_deref().unwrap_or(&empty))),
        |rule| rule.default_level,
    );
    let errors: Vec<String> =
        validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF output is invalid: {errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 10);
    assert_eq!(log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(), RULES.len());
    // The validator does reject a broken log.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    assert!(!validator.is_valid(&broken));
}

// --- configuration and suppressions ---------------------------------------------------------

fn lint_text(text: &str, config: &LintConfig) -> (Sources, LintRun) {
    let mut sources = Sources::new();
    sources.add("w.capol", text);
    let run = lint::lint_workspace(&sources, config);
    (sources, run)
}

const DISABLED: &str =
    "policy \"Old\" {\n  state = disabled\n  users { include all }\n  target apps all\n  grant mfa\n}\n";

#[test]
fn configured_levels_apply_and_off_disables() {
    let mut config = LintConfig::parse("[lint.rules]\ndisabled_policy = \"error\"\n").unwrap();
    config.today = Date::parse(TODAY);
    let (_, run) = lint_text(DISABLED, &config);
    let found: Vec<&LintWarning> =
        run.findings.iter().flatten().filter(|f| f.rule.id == "disabled_policy").collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].level, Level::Error);
    assert!(run.has_errors());
    let config = LintConfig::parse("[lint.rules]\ndisabled_policy = \"off\"\n").unwrap();
    let (_, run) = lint_text(DISABLED, &config);
    assert!(run.findings.iter().flatten().all(|f| f.rule.id != "disabled_policy"));
}

#[test]
fn a_lower_tier_follows_the_configured_level() {
    // `stale_report_only` reports an unknown age one level below its own.
    let text =
        "policy \"P\" {\n  state = report_only\n  users { include all }\n  target apps all\n  grant mfa\n}\n";
    let mut config = LintConfig::parse("[lint.rules]\nstale_report_only = \"error\"\n").unwrap();
    config.today = Date::parse(TODAY);
    let (_, run) = lint_text(text, &config);
    let f = run.findings.iter().flatten().find(|f| f.rule.id == "stale_report_only").unwrap();
    assert_eq!(f.level, Level::Warning);
}

#[test]
fn suppressions_of_rules_turned_off_are_not_unused() {
    let text =
        format!("// capol: allow(disabled_policy) reason: kept\n{}", DISABLED.replace("disabled", "enabled"));
    let config = LintConfig::parse("[lint.rules]\ndisabled_policy = \"off\"\n").unwrap();
    let (_, run) = lint_text(&text, &config);
    assert!(run.findings.iter().flatten().all(|f| f.rule.id != "unused_suppression"));
    let (_, run) = lint_text(&text, &LintConfig::default());
    assert!(run.findings.iter().flatten().any(|f| f.rule.id == "unused_suppression"));
}

#[test]
fn emergency_access_from_the_configuration() {
    let text = "group bg { display_name = \"BG\" }\npolicy \"MFA\" {\n  state = enabled\n  users { include all }\n  target apps all\n  grant mfa\n}\n";
    let config = LintConfig::parse("[lint]\nemergency_access = { groups = [\"bg\"] }\n").unwrap();
    let (_, run) = lint_text(text, &config);
    let f = run.findings.iter().flatten().find(|f| f.rule.id == "breakglass_not_excluded").unwrap();
    assert!(f.message.contains("group `bg`"), "{}", f.message);
    let config = LintConfig::parse("[lint]\nemergency_access = { groups = [\"bgg\"] }\n").unwrap();
    let (_, run) = lint_text(text, &config);
    assert!(run.findings.is_none());
    assert_eq!(run.config_errors[0].help.as_deref(), Some("did you mean `bg`?"));
}

#[test]
fn a_workspace_that_does_not_check_is_not_linted() {
    let (_, run) = lint_text("policy \"P\" { state = enabled }\n", &LintConfig::default());
    assert!(run.findings.is_none());
    assert!(run.diagnostics.has_errors());
}
