//! `capol verify` and `capol diff` from the command line: outputs, exit codes, and every example
//! they print replayed through `capol eval`, which must give exactly the outcome claimed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn capol() -> Command {
    let mut cmd = Command::cargo_bin("capol").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

const FAILING: &str = "tests/fixtures/verify/failing";
const BEFORE: &str = "tests/fixtures/verify/before";
const AFTER: &str = "tests/fixtures/verify/after";

fn json_of(args: &[&str], code: i32) -> Value {
    let out = capol().args(args).assert().code(code).get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

/// `capol eval` on a scenario: `{"outcome", "requires"}` like the reports print.
fn eval(workspace: &str, scenario: &Value) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    std::fs::write(&path, scenario.to_string()).unwrap();
    let out = capol()
        .args(["eval", workspace, "--format", "json", "--unknown-users", "member", "-s"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let d = &v["decision"];
    let outcome = d["outcome"].as_str().unwrap().to_owned();
    let mut requires: Vec<String> = d["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let controls: Vec<&str> =
                g["controls"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
            match (controls.as_slice(), g["operator"].as_str().unwrap()) {
                ([one], _) => (*one).to_owned(),
                (_, "and") => format!("all({})", controls.join(", ")),
                (_, _) => format!("any({})", controls.join(", ")),
            }
        })
        .collect();
    requires.sort();
    if outcome == "grant" {
        serde_json::json!({"outcome": outcome, "requires": requires})
    } else {
        serde_json::json!({"outcome": outcome})
    }
}

fn normalised(claimed: &Value) -> Value {
    let mut v = claimed.clone();
    if let Some(list) = v.get_mut("requires").and_then(Value::as_array_mut) {
        list.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    v
}

#[test]
fn the_examples_verify() {
    capol()
        .args(["verify", "examples/"])
        .assert()
        .success()
        .stdout(predicate::str::contains("verified examples/baseline: 7 assertions, 7 hold, 0 failed"))
        .stdout(predicate::str::contains(
            "verified examples/combined-registration: 3 assertions, 3 hold, 0 failed",
        ));
}

#[test]
fn a_failing_assertion_prints_its_counterexample() {
    capol()
        .args(["verify", FAILING])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("FAIL  break-glass accounts are never blocked"))
        .stdout(predicate::str::contains("blocked by `Service accounts only from the office`"))
        .stdout(predicate::str::contains("ok    everyone else needs MFA"))
        .stdout(predicate::str::contains("counterexample: {"));
}

#[test]
fn every_counterexample_replays_through_eval() {
    for (ws, code) in [(FAILING, 2), ("examples/baseline", 0), ("examples/combined-registration", 0)] {
        let report = json_of(&["verify", ws, "--gaps", "--format", "json"], code);
        let mut replayed = 0;
        for w in report["workspaces"].as_array().unwrap() {
            for a in w["assertions"].as_array().unwrap() {
                let c = &a["counterexample"];
                if c.is_null() {
                    continue;
                }
                assert!(c["device_found"].as_bool().unwrap());
                assert_eq!(eval(ws, &c["sign_in"]), normalised(&c["outcome"]), "{}", a["name"]);
                replayed += 1;
            }
            for q in w["gaps"].as_array().unwrap() {
                for r in q["regions"].as_array().unwrap() {
                    assert_eq!(
                        eval(ws, &r["example"]),
                        serde_json::json!({"outcome": "allow"}),
                        "{}",
                        r["region"]
                    );
                    replayed += 1;
                }
            }
        }
        assert!(replayed > 0, "{ws}");
    }
}

#[test]
fn sarif_output() {
    let sarif = json_of(&["verify", FAILING, "--format", "sarif"], 2);
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "capol::verify::assertion_failed");
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 34);
}

#[test]
fn gaps_are_reported() {
    capol()
        .args(["verify", "examples/combined-registration", "--gaps"])
        .assert()
        .success()
        .stdout(predicate::str::contains("gaps: sign-ins no enforced policy requires anything of"))
        .stdout(predicate::str::contains("registration of security info: 3 regions"))
        .stdout(predicate::str::contains(
            "users not in group hr_onboarding on action register_security_info",
        ));
}

#[test]
fn unsupported_conditions_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("w.capol"),
        "terms_of_use t = \"ce580154-086a-40fd-91df-8a60abac81a0\"\nassert \"x\" { never block for terms_of_use t }\n",
    )
    .unwrap();
    capol()
        .arg("verify")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("capol::verify::unsupported_condition"));
}

#[test]
fn diff_names_the_weakenings() {
    capol()
        .args(["diff", BEFORE, AFTER])
        .assert()
        .success()
        .stdout(predicate::str::contains("weakened: was grant mfa, now allow"))
        .stdout(predicate::str::contains(
            "guests not in group break_glass on any app from corporate_hq on ios or android",
        ))
        .stdout(predicate::str::contains("2 changes of outcome"));
    capol().args(["diff", BEFORE, AFTER, "--fail-on", "weakened"]).assert().code(2);
    capol().args(["diff", AFTER, BEFORE, "--fail-on", "weakened"]).assert().success();
    capol().args(["diff", AFTER, BEFORE, "--fail-on", "any"]).assert().code(2);
    capol()
        .args(["diff", BEFORE, BEFORE, "--fail-on", "any"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no sign-in changes outcome"));
}

#[test]
fn every_diff_example_replays_through_eval() {
    for (old, new) in
        [(BEFORE, AFTER), (AFTER, BEFORE), ("examples/combined-registration", "examples/baseline")]
    {
        let report = json_of(&["diff", old, new, "--format", "json", "--max-regions", "2"], 0);
        let changes = report["changes"].as_array().unwrap();
        assert!(!changes.is_empty());
        for c in changes {
            for r in c["regions"].as_array().unwrap() {
                assert_eq!(eval(old, &r["example"]), normalised(&c["old"]), "{}", r["region"]);
                assert_eq!(eval(new, &r["example"]), normalised(&c["new"]), "{}", r["region"]);
            }
        }
    }
}

#[test]
fn readme_commands_run() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let commands: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.trim().strip_prefix("$ capol "))
        .filter(|l| l.starts_with("verify") || l.starts_with("diff"))
        .collect();
    assert!(commands.len() >= 2, "{commands:?}");
    for line in commands {
        let args: Vec<&str> = line.split('#').next().unwrap().split_whitespace().collect();
        let expect_fail = args.contains(&"--fail-on");
        let assert = capol().args(&args).assert();
        if expect_fail {
            assert.code(2);
        } else {
            assert.success();
        }
    }
}
