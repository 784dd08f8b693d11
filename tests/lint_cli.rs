//! `capol lint` on the command line: `--list`, `--explain`, the output formats, exit codes and
//! `capol.toml` errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use predicates::prelude::*;

fn capol() -> Command {
    let mut cmd = Command::cargo_bin("capol").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A workspace directory with a `capol.toml` and one `.capol` file.
fn workspace(toml: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("capol.toml"), toml).unwrap();
    std::fs::write(dir.path().join("w.capol"), text).unwrap();
    dir
}

const DISABLED: &str =
    "policy \"Old\" {\n  state = disabled\n  users { include none }\n  target apps all\n  grant mfa\n}\n";

/// Everything but the rule under test turned off.
fn only(rule: &str, level: &str) -> String {
    let mut toml = String::from("[lint]\ntoday = \"2026-11-25\"\n[lint.rules]\n");
    for r in capol::lint::RULES {
        let l = if r.id == rule { level } else { "off" };
        toml.push_str(&format!("{} = \"{l}\"\n", r.id));
    }
    toml
}

#[test]
fn list_and_explain() {
    let out = capol().args(["lint", "--list"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    for rule in capol::lint::RULES {
        assert!(text.contains(rule.id), "--list misses {}", rule.id);
    }
    capol()
        .args(["lint", "--explain", "legacy_auth_not_blocked"])
        .assert()
        .success()
        .stdout(predicate::str::contains("## What it does").and(predicate::str::contains("BASE001")));
    capol()
        .args(["lint", "--explain", "legacy_auth_not_blokced"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean `legacy_auth_not_blocked`?"));
}

#[test]
fn exit_codes_follow_levels_and_deny_warnings() {
    let info = workspace(&only("disabled_policy", "info"), DISABLED);
    capol()
        .arg("lint")
        .arg(info.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("0 errors, 0 warnings, 1 info"));
    capol().arg("lint").arg("--deny-warnings").arg(info.path()).assert().success();
    let warning = workspace(&only("disabled_policy", "warning"), DISABLED);
    capol().arg("lint").arg(warning.path()).assert().success();
    capol().arg("lint").arg("--deny-warnings").arg(warning.path()).assert().code(2);
    let error = workspace(&only("disabled_policy", "error"), DISABLED);
    capol().arg("lint").arg(error.path()).assert().code(2);
    let clean = workspace(&only("disabled_policy", "error"), &DISABLED.replace("disabled", "enabled"));
    capol().arg("lint").arg(clean.path()).assert().success().stderr(predicate::str::contains("no findings"));
    let broken = workspace("", "policy \"P\" { state = enabled }\n");
    capol()
        .arg("lint")
        .arg(broken.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not check"));
}

#[test]
fn machine_formats() {
    let ws = workspace(&only("disabled_policy", "warning"), DISABLED);
    let out = capol()
        .args(["lint", "--format", "json"])
        .arg(ws.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let line: serde_json::Value = serde_json::from_slice(out.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["code"], "capol::lint::disabled_policy");
    assert_eq!(line["severity"], "warning");
    assert_eq!(line["span"]["start"]["line"], 2);
    capol().args(["lint", "--format", "github"]).arg(ws.path()).assert().success().stdout(
        predicate::str::starts_with("::warning file=")
            .and(predicate::str::contains(",line=2,endLine=2,col=3,")),
    );
    let out = capol()
        .args(["lint", "--format", "sarif"])
        .arg(ws.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "capol::lint::disabled_policy");
    assert_eq!(log["runs"][0]["results"][0]["level"], "warning");
}

#[test]
fn examples_lint_clean_but_for_information() {
    // The shipped examples carry only informational findings (and justified suppressions);
    // `--deny-warnings` keeps passing because info never fails a run.
    capol().args(["lint", "--deny-warnings", "examples/"]).assert().code(0).stderr(
        predicate::str::contains("linted examples/baseline")
            .and(predicate::str::contains("capol::lint::all_trusted_dependency")),
    );
}

#[test]
fn configuration_errors_are_usage_errors() {
    let ws = workspace("[lint.rules]\nlegacy_auth_not_blokced = \"off\"\n", DISABLED);
    capol().arg("lint").arg(ws.path()).assert().code(1).stderr(
        predicate::str::contains("capol::lint::invalid_config")
            .and(predicate::str::contains("did you mean `legacy_auth_not_blocked`?")),
    );
    let ws = workspace("[lint]\nemergency_access = { users = [\"nobody\"] }\n", DISABLED);
    capol()
        .arg("lint")
        .arg(ws.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown user `nobody`"));
}
