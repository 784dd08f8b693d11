//! `capol test`: the meaning of every expectation (`tests/fixtures/test/semantics/`), the tests
//! of the examples with full policy coverage, a deliberately failing workspace (snapshotted
//! report), JUnit and JSON output, filters and empty runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use capol::eval::Engine;
use capol::testing::{self, Status};
use predicates::prelude::*;
use serde_json::Value;

const FAILING: &str = "tests/fixtures/test/failing";
const SEMANTICS: &str = "tests/fixtures/test/semantics/workspace.capol";

fn capol() -> Command {
    Command::cargo_bin("capol").unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn every_expectation_means_what_its_test_name_says() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEMANTICS)).unwrap();
    let mut sources = capol::Sources::new();
    sources.add("workspace.capol", text);
    let (checked, diags) = capol::check_workspace(&sources);
    assert!(!diags.has_errors(), "{:?}", diags.items);
    let (files, checked) = checked.unwrap();
    let engine = Engine::new(&capol::compile::compile(&checked));
    let cases = testing::cases(&files, None);
    assert!(cases.len() > 25);
    let results = testing::run(&engine, &cases);
    let mut wrong = Vec::new();
    for r in &results {
        let want = if r.name.starts_with("pass: ") { Status::Passed } else { Status::Failed };
        assert!(r.name.starts_with("pass: ") || r.name.starts_with("fail: "), "{}", r.name);
        if r.status() != want {
            wrong.push(format!("{}: {:?} {:?} {:?}", r.name, r.status(), r.failures, r.error));
        }
        for f in &r.failures {
            assert!(!f.expected.is_empty() && !f.actual.is_empty() && f.expectation.starts_with("expect "));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(testing::cases(&files, Some("report_only")).len(), 2);
}

#[test]
fn grant_failures_name_both_sides() {
    let output = capol().args(["test", SEMANTICS, "--filter", "two policies, one line"]).assert().code(2);
    let out = stdout(output.get_output());
    assert!(out.contains("    expected: grant mfa\n"), "{out}");
    assert!(
        out.contains("    actual:   grant mfa AND any(compliant_device, domain_joined_device)\n"),
        "{out}"
    );
}

#[test]
fn the_examples_pass_with_every_policy_applied() {
    capol()
        .args(["test", "examples/"])
        .assert()
        .success()
        .stdout(predicate::str::contains("running 21 tests in examples/baseline"))
        .stdout(predicate::str::contains("running 5 tests in examples/combined-registration"))
        .stdout(predicate::str::contains("all workspaces: test result: ok. 26 passed; 0 failed; 0 errors"));
    let output = capol().args(["test", "examples/", "--coverage", "--format", "json"]).assert().success();
    let json: Value = serde_json::from_str(&stdout(output.get_output())).unwrap();
    let workspaces = json["workspaces"].as_array().unwrap();
    assert_eq!(workspaces.len(), 2);
    for ws in workspaces {
        let summary = &ws["coverage"]["summary"];
        assert_eq!(summary["policy_percent"], 100.0, "{}: {summary}", ws["workspace"]);
        assert_eq!(summary["never_applied"], serde_json::json!([]), "{}", ws["workspace"]);
        assert_eq!(summary["applied"], summary["policies"]);
        assert_eq!(summary["condition_percent"], 100.0, "{}: {summary}", ws["workspace"]);
        for p in ws["coverage"]["policies"].as_array().unwrap() {
            if p["never_evaluated"] == false {
                assert!(!p["applied_by"].as_array().unwrap().is_empty(), "{p}");
            }
        }
    }
    // The seed scenario, by name.
    let seed = &workspaces[1];
    assert_eq!(seed["workspace"], "examples/combined-registration");
    let outcome = |name: &str| {
        seed["tests"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["outcome"].clone()
    };
    assert_eq!(outcome("new hire registers security info from HQ"), "allow (no enforced policy applies)");
    assert_eq!(
        outcome("new hire registering security info from home is blocked"),
        "block by `Combined Security Info Registration on Trusted Networks`"
    );
    assert_eq!(
        outcome("break-glass account registers security info from home"),
        "allow (no enforced policy applies)"
    );
}

#[test]
fn coverage_table_flags_policies_no_test_applies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("w.capol"),
        r#"group staff { id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2" }
app exchange_online = builtin("Office 365 Exchange Online")
policy "Staff MFA" { state = enabled  users { include group staff }  target apps all  grant mfa }
policy "Legacy clients" { state = enabled  users { include all }  target apps all  client_apps other  grant block }
policy "Old" { state = disabled  users { include all }  target apps all  grant block }
test "staff" { sign_in { groups = [staff]  app = exchange_online } expect grant mfa }
"#,
    )
    .unwrap();
    let output = capol().arg("test").arg(dir.path()).arg("--coverage").assert().success();
    let out = stdout(output.get_output());
    assert!(out.contains("  Legacy clients  [NEVER APPLIED by a test]\n"), "{out}");
    assert!(out.contains("  Old  [disabled: never evaluated, not counted]\n"), "{out}");
    assert!(
        out.contains("policies applied by a test: 1 of 2 (50%); 1 never evaluated, not counted\n"),
        "{out}"
    );
    assert!(out.contains("never applied: `Legacy clients`\n"), "{out}");
    assert!(out.contains("NOT COVERED: matched by 1, not matched by 0"), "{out}");
}

#[test]
fn a_wrong_expectation_fails_with_a_readable_report() {
    let output = capol().args(["test", FAILING]).assert().code(2);
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("test_failing_human", stdout(output.get_output()));
    });
}

#[test]
fn junit_output_is_xml_with_the_counts() {
    use quick_xml::events::Event;
    let output = capol().args(["test", FAILING, "--format", "junit"]).assert().code(2);
    let xml = stdout(output.get_output());
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut errors, mut suites) = (0, 0, 0, 0);
    let mut root = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs: Vec<(String, String)> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.normalized_value(quick_xml::XmlVersion::default()).unwrap().into_owned(),
                        )
                    })
                    .collect();
                match name.as_str() {
                    "testsuites" => root = Some(attrs),
                    "testsuite" => suites += 1,
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    "error" => errors += 1,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((suites, cases, failures, errors), (1, 3, 2, 0));
    let root = root.expect("a testsuites element");
    let attr = |k: &str| root.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!((attr("tests"), attr("failures"), attr("errors")), ("3".into(), "2".into(), "0".into()));
    assert!(xml.contains("message=\"expected grant compliant_device, got grant mfa\""), "{xml}");
}

#[test]
fn json_output_lists_every_test() {
    let output = capol().args(["test", FAILING, "--format", "json"]).assert().code(2);
    let json: Value = serde_json::from_str(&stdout(output.get_output())).unwrap();
    assert_eq!(json["summary"], serde_json::json!({"passed": 1, "failed": 2, "errors": 0}));
    let tests = json["workspaces"][0]["tests"].as_array().unwrap();
    let statuses: Vec<&str> = tests.iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["passed", "failed", "failed"]);
    assert_eq!(tests[1]["failures"][0]["expected"], "grant compliant_device");
    assert_eq!(tests[1]["failures"][0]["actual"], "grant mfa");
    assert_eq!(tests[1]["line"], 46);
    assert_eq!(tests[0]["decision"]["outcome"], "grant");
}

#[test]
fn filter_runs_matching_tests_only() {
    capol()
        .args(["test", FAILING, "--filter", "needs MFA"])
        .assert()
        .success()
        .stdout(predicate::str::contains("running 1 test in"))
        .stdout(predicate::str::contains("test result: ok. 1 passed; 0 failed; 0 errors"));
    capol()
        .args(["test", FAILING, "--filter", "nothing like this"])
        .assert()
        .code(2)
        .stderr("error: no test name contains `nothing like this`\n");
    capol().args(["test", FAILING, "--filter", "nothing like this", "--allow-empty"]).assert().success();
}

#[test]
fn no_test_is_an_error_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("w.capol"), "group g { id = \"3ee3a9de-0a86-4e12-a287-9769accf1ba2\" }\n")
        .unwrap();
    capol()
        .arg("test")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr("error: no test to run: the workspaces have no `test` block\n");
    capol().arg("test").arg(dir.path()).arg("--allow-empty").assert().success().stdout("");
}

#[test]
fn a_workspace_with_errors_is_reported_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("w.capol"), "test \"t\" { sign_in { user = nobody } expect allow }\n")
        .unwrap();
    capol()
        .arg("test")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("capol::check::unknown_user"))
        .stderr(predicate::str::contains("no test to run").not());
}

#[test]
fn coverage_with_junit_is_a_usage_error() {
    capol().args(["test", FAILING, "--coverage", "--format", "junit"]).assert().code(1);
}

/// The checker rejects tests that cannot be evaluated (`capol::check::sign_in_without_target`),
/// so an evaluation error reaches a report only through the library; it is reported as an
/// error, not as a failure, in every format.
#[test]
fn an_evaluation_error_is_an_error_in_every_report() {
    let text = "user alice { upn = \"alice@contoso.example\" }\n\
                policy \"P\" { state = enabled users { include all } target apps all grant mfa }\n\
                test \"no target\" { sign_in { user = alice } expect allow }\n";
    let mut sources = capol::Sources::new();
    let file = sources.add("w.capol", text.to_owned());
    let (parsed, _) = capol::syntax::parse(file, text);
    // The checker refuses this test, so the engine comes from the policies alone.
    let mut policies = capol::Sources::new();
    policies.add("p.capol", text.lines().take(2).collect::<Vec<_>>().join("\n"));
    let (program, _) = capol::compile_workspace(&policies);
    let engine = capol::eval::Engine::new(&program.unwrap());
    let files = [parsed];
    let cases: Vec<capol::testing::TestCase<'_>> = files[0]
        .decls
        .iter()
        .filter_map(|d| match d {
            capol::syntax::ast::Decl::Test(t) => Some(capol::testing::TestCase { file, decl: t }),
            _ => None,
        })
        .collect();
    let results = capol::testing::run(&engine, &cases);
    assert_eq!(results[0].status(), capol::testing::Status::Error);
    assert_eq!(results[0].error.as_ref().unwrap().kind.code(), "capol::eval::missing_field");
    let suite = capol::testing::report::Suite { label: "w".into(), sources: &sources, results };
    assert!(suite.human().contains("1 error"), "{}", suite.human());
    let junit = capol::testing::report::junit(std::slice::from_ref(&suite));
    assert!(junit.contains("errors=\"1\"") && junit.contains("<error "), "{junit}");
    let json = capol::testing::report::json(&[(suite, None)]);
    assert_eq!(json["summary"]["errors"], 1);
}
