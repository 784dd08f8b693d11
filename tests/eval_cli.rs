//! `capol eval` end to end: exit codes, formats, inputs, batch mode.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use predicates::prelude::*;

const SEED: &str = "examples/combined-registration";
const TENANT: &str = "tests/fixtures/eval/tenant/workspace";

fn capol() -> Command {
    let mut cmd = Command::cargo_bin("capol").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn scenario(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
    f
}

#[test]
fn seed_from_home_blocks_and_from_hq_allows() {
    capol()
        .args(["eval", SEED, "-s", "tests/fixtures/eval/seed/scenarios/registration_from_home.json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("decision: block"));
    capol()
        .args(["eval", SEED, "-s", "tests/fixtures/eval/seed/scenarios/registration_from_hq.json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("decision: allow"));
}

#[test]
fn json_format_is_a_what_if_response_with_a_decision() {
    let out = capol()
        .args([
            "eval",
            SEED,
            "--format",
            "json",
            "-s",
            "tests/fixtures/eval/seed/scenarios/registration_break_glass.json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["value"][0]["policyApplies"], false);
    assert_eq!(v["value"][0]["analysisReasons"], "users");
    assert_eq!(v["decision"]["outcome"], "allow");
}

#[test]
fn scenario_from_standard_input() {
    capol()
        .args(["eval", SEED, "-s", "-"])
        .write_stdin(r#"{"user":"hr_alice","action":"register_security_info","ip":"2001:db8:1000::1"}"#)
        .assert()
        .success()
        .stdout(predicate::str::contains("decision: allow"));
}

#[test]
fn malformed_scenarios_exit_2_naming_the_field() {
    for (text, needle) in [
        (
            r#"{"user":"hr_alice","action":"register_security_info","ip":"192.0.2.300"}"#,
            "field `ip`: invalid IP address `192.0.2.300`",
        ),
        (
            r#"{"user":"hr_alice","action":"register_securty_info"}"#,
            "field `action`: unknown user action `register_securty_info`",
        ),
        (r#"{"user":"hr_alise","action":"register_security_info"}"#, "field `user`: unknown user `hr_alise`"),
        (r#"{"user":"hr_alice","action":"register_security_info","platform":"iphone"}"#, "field `platform`"),
        (
            r#"{"user":"hr_alice","action":"register_security_info","colour":"blue"}"#,
            "field `colour`: unknown field",
        ),
        (r#"{"user":"hr_alice""#, "invalid JSON"),
    ] {
        let f = scenario(text);
        capol()
            .args(["eval", SEED, "-s"])
            .arg(f.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle));
    }
    let f = scenario(r#"{"user":"hr_alise","action":"register_security_info"}"#);
    capol()
        .args(["eval", SEED, "--format", "json", "-s"])
        .arg(f.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(r#""code":"capol::eval::unknown_name""#))
        .stderr(predicate::str::contains("did you mean `hr_alice`?"));
}

#[test]
fn io_errors_exit_1() {
    capol()
        .args(["eval", SEED, "-s", "no/such/file.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read"));
    capol()
        .args(["eval", "no/such/dir", "-s", "tests/fixtures/eval/seed/scenarios/registration_from_hq.json"])
        .assert()
        .code(1);
    capol().args(["eval", SEED]).assert().code(1);
}

#[test]
fn workspace_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.capol"), "policy \"x\" { state = enabeld }").unwrap();
    capol()
        .arg("eval")
        .arg(dir.path())
        .args(["-s", "tests/fixtures/eval/seed/scenarios/registration_from_hq.json"])
        .assert()
        .code(2);
}

#[test]
fn compiled_ir_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let ir = dir.path().join("seed.json");
    capol().args(["compile", SEED, "-o"]).arg(&ir).assert().success();
    let home = "tests/fixtures/eval/seed/scenarios/registration_from_home.json";
    capol()
        .arg("eval")
        .arg(&ir)
        .args(["-s", home])
        .assert()
        .success()
        .stdout(predicate::str::contains("decision: block"));
    capol().args(["eval", "--ir"]).arg(&ir).args(["-s", home]).assert().success();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"capol_ir\": 1}").unwrap();
    capol()
        .arg("eval")
        .arg(&bad)
        .args(["-s", home])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a capol IR file"));
}

#[test]
fn graph_example_runs_unchanged_with_a_directory() {
    let out = capol()
        .args([
            "eval",
            "tests/fixtures/eval/graph/workspace",
            "--directory",
            "tests/fixtures/eval/graph/directory.json",
            "--format",
            "json",
            "-s",
            "tests/fixtures/eval/graph/scenarios/example3_user_action.json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    // appliedPoliciesOnly: only applying policies are listed.
    assert!(v["value"].as_array().unwrap().iter().all(|p| p["policyApplies"] == true));
    assert_eq!(v["decision"]["outcome"], "block");
    // Without the directory the user is unknown.
    capol()
        .args([
            "eval",
            "tests/fixtures/eval/graph/workspace",
            "-s",
            "tests/fixtures/eval/graph/scenarios/example3_user_action.json",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("field `signInIdentity.userId`"));
}

#[test]
fn batch_reports_every_line_and_a_summary() {
    let out = capol()
        .args(["eval", TENANT, "--format", "json", "--batch", "tests/fixtures/eval/tenant/batch.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"line\":4"))
        .stderr(predicate::str::contains("\"line\":8"))
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 10, "9 documents and a summary");
    assert_eq!(lines[0]["outcome"], "grant");
    assert_eq!(lines[1]["outcome"], "block");
    assert_eq!(lines[2]["line"], 4);
    assert_eq!(lines[2]["error"]["field"], "ip");
    assert_eq!(lines[3]["requires"], "auth_strength phishing_resistant");
    assert_eq!(lines[4]["name"], "log-1");
    assert_eq!(lines[5]["error"]["code"], "capol::eval::unknown_name");
    assert_eq!(lines[6]["error"]["code"], "capol::eval::invalid_json");
    let summary = &lines[9]["summary"];
    assert_eq!(summary["lines"], 9);
    assert_eq!(summary["errors"], 3);
    assert_eq!(summary["outcomes"]["block"], 1);
    let hits = summary["hits"].as_array().unwrap();
    let mfa = hits.iter().find(|h| h["policy"] == "MFA outside trusted networks").unwrap();
    assert_eq!(mfa["applied"], 2);
}

#[test]
fn batch_output_is_ordered_whatever_the_threads_and_written_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (one, many) = (dir.path().join("one.jsonl"), dir.path().join("many.jsonl"));
    for (jobs, path) in [("1", &one), ("4", &many)] {
        capol()
            .args([
                "eval",
                TENANT,
                "--format",
                "json",
                "--batch",
                "tests/fixtures/eval/tenant/batch.jsonl",
                "--jobs",
                jobs,
                "-o",
            ])
            .arg(path)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty());
    }
    assert_eq!(std::fs::read_to_string(&one).unwrap(), std::fs::read_to_string(&many).unwrap());
}

#[test]
fn batch_human_output_and_success() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("ok.jsonl");
    std::fs::write(
        &batch,
        "{\"user\":\"hr_alice\",\"action\":\"register_security_info\",\"ip\":\"192.0.2.1\"}\n{\"user\":\"bg_admin\",\"action\":\"register_security_info\",\"ip\":\"192.0.2.1\"}\n",
    )
    .unwrap();
    let out =
        capol().args(["eval", SEED, "--batch"]).arg(&batch).assert().success().get_output().stdout.clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn batch_human_snapshot_with_errors() {
    let out = capol()
        .args(["eval", TENANT, "--batch", "tests/fixtures/eval/tenant/batch.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[capol::eval::invalid_value]: line 4: field `ip`"))
        .stderr(predicate::str::contains("3 of 9 lines could not be evaluated"))
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn batch_summary_only_writes_the_same_summary_alone() {
    let full = capol()
        .args(["eval", TENANT, "--format", "json", "--batch", "tests/fixtures/eval/tenant/batch.jsonl"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let full = String::from_utf8(full).unwrap();
    for (format, jobs) in [("json", "1"), ("json", "3"), ("human", "2")] {
        let out = capol()
            .args([
                "eval",
                TENANT,
                "--format",
                format,
                "--summary-only",
                "--jobs",
                jobs,
                "--batch",
                "tests/fixtures/eval/tenant/batch.jsonl",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("`300.1.1.1`"))
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).unwrap();
        if format == "json" {
            assert_eq!(out.lines().collect::<Vec<_>>(), [full.lines().last().unwrap()]);
        } else {
            assert!(out.starts_with("9 lines: 6 evaluated, 3 errors\n"), "{out}");
        }
    }
}
