//! The `capol` command line: exit codes, what reaches stdout and stderr, the JSON error format
//! and file output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn capol() -> Command {
    let mut cmd = Command::cargo_bin("capol").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR");
    cmd
}

const UNKNOWN_GROUP: &str = r#"group hr_onboarding { id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2" }

policy "Require MFA for new hires" {
  state = enabled
  users { include group hr_onbaording }
  target apps all
  grant mfa
}
"#;

const HOST_BITS: &str = "location corporate_hq {\n  trusted\n  ip 203.0.113.17/24\n}\n";

/// A temporary directory holding one file.
fn workspace(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn check_examples_succeeds() {
    capol().args(["check", "examples/"]).assert().success().stdout(predicate::str::contains("checked"));
}

#[test]
fn check_each_example_succeeds() {
    for example in ["examples/combined-registration", "examples/baseline"] {
        capol().args(["check", "--deny-warnings", example]).assert().success().stderr("");
    }
}

#[test]
fn unknown_group_exits_2_naming_file_line_code_and_suggestion() {
    let (_dir, path) = workspace("policies.capol", UNKNOWN_GROUP);
    let output = capol().arg("check").arg(&path).assert().code(2).get_output().clone();
    let stderr = stderr_of(&output);
    let location = format!("{}:5:25", path.display());
    assert!(stderr.contains(&location), "no `{location}` in:\n{stderr}");
    assert!(stderr.contains("capol::check::unknown_group"), "{stderr}");
    assert!(stderr.contains("unknown group `hr_onbaording`"), "{stderr}");
    assert!(stderr.contains("did you mean `hr_onboarding`?"), "{stderr}");
    assert!(output.stdout.is_empty(), "a failed check prints nothing on stdout");
}

#[test]
fn json_error_format_prints_one_object_per_diagnostic() {
    let text = format!("{UNKNOWN_GROUP}\n{HOST_BITS}");
    let (_dir, path) = workspace("policies.capol", &text);
    let output =
        capol().args(["check", "--error-format", "json"]).arg(&path).assert().code(2).get_output().clone();
    let stderr = stderr_of(&output);
    let objects: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is one JSON object"))
        .collect();
    assert_eq!(objects.len(), 2, "{stderr}");

    let group = &objects[0];
    assert_eq!(group["code"], "capol::check::unknown_group");
    assert_eq!(group["severity"], "error");
    assert_eq!(group["message"], "unknown group `hr_onbaording`");
    assert_eq!(group["file"], path.display().to_string());
    assert_eq!(group["span"]["start"], serde_json::json!({"line": 5, "column": 25}));
    assert_eq!(group["span"]["end"], serde_json::json!({"line": 5, "column": 38}));
    assert_eq!(group["span"]["offset"], UNKNOWN_GROUP.find("hr_onbaording").unwrap());
    assert_eq!(group["span"]["length"], "hr_onbaording".len());
    assert_eq!(group["help"], "did you mean `hr_onboarding`?");
    assert_eq!(group["labels"][0]["message"], "no group of this name is declared");

    let bits = &objects[1];
    assert_eq!(bits["code"], "capol::check::host_bits_set");
    assert_eq!(bits["severity"], "warning");
    assert_eq!(bits["span"]["start"]["line"], 12);
    assert_eq!(bits["help"], "write the network as `203.0.113.0/24`");
    assert!(output.stdout.is_empty());
}

#[test]
fn json_error_format_for_io_errors() {
    let output = capol()
        .args(["check", "--error-format", "json", "does/not/exist.capol"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    let object: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(object["severity"], "error");
    assert!(object["message"].as_str().unwrap().contains("does/not/exist.capol"), "{stderr}");
}

#[test]
fn warnings_pass_unless_denied() {
    let (_dir, path) = workspace("locations.capol", HOST_BITS);
    capol()
        .arg("check")
        .arg(&path)
        .assert()
        .success()
        .stderr(predicate::str::contains("capol::check::host_bits_set"))
        .stderr(predicate::str::contains("1 warning"));
    capol().args(["check", "--deny-warnings"]).arg(&path).assert().code(2);
    capol().args(["compile", "--deny-warnings"]).arg(&path).assert().code(2).stdout("");
}

#[test]
fn missing_path_exits_1_with_a_clear_message() {
    capol()
        .args(["check", "no/such/dir"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("cannot read `no/such/dir`: no such file or directory"));
    capol()
        .args(["compile", "no/such/file.capol"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("no/such/file.capol"));
}

#[test]
fn directory_without_capol_files_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a policy").unwrap();
    capol()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no `.capol` files under"));
}

#[test]
fn usage_errors_exit_1() {
    capol().assert().code(1);
    capol().arg("check").assert().code(1).stderr(predicate::str::contains("PATHS"));
    capol().args(["check", "--error-format", "xml", "examples/"]).assert().code(1);
    capol().arg("--version").assert().success().stdout(predicate::str::contains("capol"));
}

#[test]
fn compile_writes_the_ir_file_and_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ir.json");
    capol().args(["compile", "examples/combined-registration", "-o"]).arg(&out).assert().success().stdout("");
    let written = std::fs::read_to_string(&out).unwrap();
    let to_stdout = capol().args(["compile", "examples/combined-registration"]).assert().success();
    let printed = String::from_utf8(to_stdout.get_output().stdout.clone()).unwrap();
    assert_eq!(written, printed, "the file and stdout hold the same IR");
    let value: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(value["capol_ir"], 1);
    assert_eq!(entries(dir.path()), ["ir.json"], "no temporary file is left behind");
}

#[test]
fn compile_is_byte_identical_across_runs() {
    let run = || {
        let output = capol().args(["compile", "examples/baseline"]).assert().success();
        output.get_output().stdout.clone()
    };
    let first = run();
    assert!(!first.is_empty());
    assert_eq!(first, run());
}

#[test]
fn compile_into_a_missing_directory_exits_1_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing").join("ir.json");
    capol()
        .args(["compile", "examples/combined-registration", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("does not exist"));
    assert!(entries(dir.path()).is_empty(), "nothing may be created: {:?}", entries(dir.path()));
}

#[test]
fn compile_with_errors_exits_2_and_writes_nothing() {
    let (dir, path) = workspace("policies.capol", UNKNOWN_GROUP);
    let out = dir.path().join("ir.json");
    capol()
        .arg("compile")
        .arg(&path)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("capol::check::unknown_group"));
    assert_eq!(entries(dir.path()), ["policies.capol"]);
}

#[test]
fn compile_keeps_an_existing_output_when_the_input_is_invalid() {
    let (dir, path) = workspace("policies.capol", UNKNOWN_GROUP);
    let out = dir.path().join("ir.json");
    std::fs::write(&out, "previous").unwrap();
    capol().arg("compile").arg(&path).arg("-o").arg(&out).assert().code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
}

#[test]
fn undecodable_files_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.capol");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("tenant { edition = p2 }\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(&path, utf16).unwrap();
    capol()
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("capol::syntax::utf16"))
        .stderr(predicate::str::contains("export.capol"));
}

#[test]
fn no_ansi_escapes_when_not_a_terminal_or_under_no_color() {
    let (_dir, path) = workspace("policies.capol", UNKNOWN_GROUP);
    for no_color in [None, Some("1")] {
        let mut cmd = capol();
        if let Some(value) = no_color {
            cmd.env("NO_COLOR", value);
        }
        let output = cmd.arg("check").arg(&path).assert().code(2).get_output().clone();
        assert!(!output.stderr.contains(&0x1b), "ANSI escape in stderr (NO_COLOR={no_color:?})");
        assert!(!output.stdout.contains(&0x1b), "ANSI escape in stdout (NO_COLOR={no_color:?})");
    }
    let output = capol().env("NO_COLOR", "1").args(["check", "examples/"]).assert().success();
    assert!(!output.get_output().stdout.contains(&0x1b));
}
