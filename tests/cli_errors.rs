//! Every exit status of every command, and every I/O failure users meet (missing file, folder
//! without inputs, unreadable file, output into a missing folder, invalid UTF-8, byte order
//! marks), with the message they see. Exit 1 is for usage and I/O, exit 2 for bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn capol(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("capol").unwrap();
    cmd.current_dir(dir);
    cmd.env("NO_COLOR", "1");
    cmd
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/combined-registration")
}

/// A scratch folder with a valid workspace (`ws/`), a scenario for it, a workspace with an
/// unknown name (`broken/`), one with a syntax error (`unparsable/`) and a folder with no inputs
/// (`empty/`).
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    for entry in std::fs::read_dir(example()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, ws.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.path().join("scenario.json"),
        r#"{"user": "hr_alice", "action": "register_security_info", "ip": "203.0.113.10"}"#,
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("broken")).unwrap();
    std::fs::write(
        dir.path().join("broken/p.capol"),
        "policy \"P\" {\n  users { include group nobody }\n}\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("unparsable")).unwrap();
    std::fs::write(dir.path().join("unparsable/p.capol"), "policy \"P\" {\n  users { include group = }\n}\n")
        .unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(dir.path().join("empty/notes.txt"), "nothing to see").unwrap();
    dir
}

/// Each command with the arguments that make it read the workspace at `{ws}` (replaced).
const COMMANDS: &[&[&str]] = &[
    &["check", "{ws}"],
    &["compile", "{ws}"],
    &["lint", "{ws}"],
    &["fmt", "--check", "{ws}"],
    &["test", "{ws}"],
    &["verify", "{ws}"],
    &["diff", "{ws}", "{ws}"],
    &["eval", "--scenario", "scenario.json", "{ws}"],
];

fn args(command: &[&str], ws: &str) -> Vec<String> {
    command.iter().map(|a| a.replace("{ws}", ws)).collect()
}

#[test]
fn every_command_succeeds_on_a_valid_workspace() {
    let dir = scratch();
    for command in COMMANDS {
        capol(dir.path()).args(args(command, "ws")).assert().success();
    }
    capol(dir.path()).args(["compile", "ws", "--target", "graph", "-o", "graph"]).assert().success();
    capol(dir.path()).args(["import", "graph", "-o", "imported"]).assert().success();
}

#[test]
fn every_command_exits_2_on_an_invalid_workspace() {
    let dir = scratch();
    for command in COMMANDS {
        capol(dir.path())
            .args(args(command, "unparsable"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("capol::syntax::"))
            .stderr(predicate::str::contains("p.capol:2:"));
        // The formatter reads syntax only; names are the checker's business.
        if command[0] == "fmt" {
            continue;
        }
        capol(dir.path())
            .args(args(command, "broken"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("capol::check::unknown_group"))
            .stderr(predicate::str::contains("p.capol:2:"));
    }
}

#[test]
fn every_command_exits_1_on_a_usage_error() {
    let dir = scratch();
    for command in COMMANDS.iter().map(|c| c[0]).chain(["import"]) {
        capol(dir.path())
            .args([command, "--no-such-flag", "ws"])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("--no-such-flag"));
    }
    capol(dir.path()).args(["frobnicate"]).assert().code(1).stderr(predicate::str::contains("frobnicate"));
}

#[test]
fn a_missing_file_exits_1_naming_it() {
    let dir = scratch();
    for command in COMMANDS {
        capol(dir.path())
            .args(args(command, "no/such.capol"))
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("cannot read `no/such.capol`: no such file or directory"));
    }
    capol(dir.path())
        .args(["eval", "--scenario", "no/such.json", "ws"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read `no/such.json`: no such file or directory"));
    capol(dir.path())
        .args(["eval", "--batch", "no/such.jsonl", "ws"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read `no/such.jsonl`: no such file or directory"));
    capol(dir.path())
        .args(["import", "no/such.json", "-o", "out"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read `no/such.json`: no such file or directory"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_folder_without_inputs_exits_1() {
    let dir = scratch();
    for command in COMMANDS {
        capol(dir.path())
            .args(args(command, "empty"))
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("no `.capol` files under `empty`"));
    }
    capol(dir.path())
        .args(["import", "empty", "-o", "out"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no `.json` files under `empty`"));
}

/// A file the process cannot read. Permissions do not stop a privileged user, so on Linux the
/// file is a link to `/proc/self/mem`, whose first page nobody can read (`EIO`); the
/// permission case runs too where permissions apply.
#[test]
fn an_unreadable_file_exits_1_naming_it() {
    let dir = scratch();
    let mut cases: Vec<(String, &str)> = Vec::new();
    #[cfg(target_os = "linux")]
    {
        std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("ws/unreadable.capol")).unwrap();
        std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("unreadable.json")).unwrap();
        cases.push(("unreadable.capol".into(), "input/output error"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::write(locked.join("p.capol"), "tenant { edition = p2 }\n").unwrap();
        std::fs::set_permissions(locked.join("p.capol"), std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(locked.join("p.capol")).is_ok() {
            println!(
                "skipped the permission case: this process reads files whatever their mode (a privileged user)"
            );
        } else {
            cases.push(("../locked/p.capol".into(), "permission denied"));
        }
    }
    if cases.is_empty() {
        println!("skipped: no way to make an unreadable file on this platform");
        return;
    }
    for (file, reason) in &cases {
        for command in COMMANDS {
            let target = if file.starts_with("..") { "locked".to_owned() } else { "ws".to_owned() };
            let shown =
                if file.starts_with("..") { "locked/p.capol".to_owned() } else { format!("ws/{file}") };
            capol(dir.path())
                .args(args(command, &target))
                .assert()
                .code(1)
                .stdout("")
                .stderr(predicate::str::contains(format!("cannot read `{shown}`: {reason}")));
        }
    }
    #[cfg(target_os = "linux")]
    {
        std::fs::remove_file(dir.path().join("ws/unreadable.capol")).unwrap();
        for flag in ["--scenario", "--batch", "--directory"] {
            let mut extra = vec!["eval", flag, "unreadable.json", "ws"];
            if flag == "--directory" {
                extra.extend(["--scenario", "scenario.json"]);
            }
            capol(dir.path())
                .args(&extra)
                .assert()
                .code(1)
                .stderr(predicate::str::contains("cannot read `unreadable.json`: input/output error"));
        }
        capol(dir.path())
            .args(["import", "unreadable.json", "-o", "out"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("cannot read `unreadable.json`: input/output error"));
        assert!(!dir.path().join("out").exists());
    }
}

#[test]
fn output_into_a_missing_folder_exits_1_and_creates_nothing() {
    let dir = scratch();
    let cases: &[&[&str]] = &[
        &["compile", "ws", "-o", "missing/ir.json"],
        &["compile", "ws", "--target", "terraform", "-o", "missing/main.tf.json"],
        &["eval", "ws", "--batch", "scenario.json", "-o", "missing/decisions.jsonl"],
    ];
    for case in cases {
        capol(dir.path()).args(*case).assert().code(1).stdout("").stderr(
            predicate::str::contains("`missing`").and(
                predicate::str::contains("no such file or directory")
                    .or(predicate::str::contains("does not exist")),
            ),
        );
        assert!(!dir.path().join("missing").exists(), "{case:?} created the folder");
    }
    // Folder outputs are created, parents included: they name a folder to fill, not a file.
    capol(dir.path()).args(["compile", "ws", "--target", "graph", "-o", "new/graph"]).assert().success();
    assert!(dir.path().join("new/graph/manifest.json").is_file());
    capol(dir.path()).args(["import", "new/graph", "-o", "new/imported"]).assert().success();
    assert!(dir.path().join("new/imported/inventory.capol").is_file());
}

#[test]
fn output_onto_a_folder_exits_1_and_keeps_it() {
    let dir = scratch();
    capol(dir.path())
        .args(["compile", "ws", "-o", "empty"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write `empty`"));
    assert!(dir.path().join("empty/notes.txt").is_file());
}

#[test]
fn invalid_utf8_is_a_diagnostic_with_exit_2() {
    let dir = scratch();
    std::fs::write(dir.path().join("ws/latin1.capol"), b"// caf\xe9\ntenant { edition = p2 }\n").unwrap();
    for command in COMMANDS {
        capol(dir.path())
            .args(args(command, "ws"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("capol::syntax::invalid_utf8"))
            .stderr(predicate::str::contains("latin1.capol:1:"))
            .stderr(predicate::str::contains("file is not valid UTF-8"));
    }
    std::fs::remove_file(dir.path().join("ws/latin1.capol")).unwrap();
    std::fs::write(dir.path().join("latin1.json"), b"{\"user\": \"caf\xe9\"}").unwrap();
    capol(dir.path())
        .args(["eval", "--scenario", "latin1.json", "ws"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("capol::eval::invalid_json"))
        .stderr(predicate::str::contains("`latin1.json` is not text: invalid UTF-8 at byte 13"))
        .stderr(predicate::str::contains("save the file as UTF-8"));
    capol(dir.path())
        .args(["eval", "--batch", "latin1.json", "ws"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 1: the line is not valid UTF-8"));
    capol(dir.path())
        .args(["import", "latin1.json", "-o", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("capol::import::unreadable"))
        .stderr(predicate::str::contains("invalid UTF-8 at byte 13"));
    assert!(!dir.path().join("out").exists());
}

/// Windows tools write byte order marks: UTF-8 ones are read everywhere, UTF-16 ones wherever
/// Graph JSON is read. A `.capol` file in UTF-16 gets a diagnostic that says how to convert it.
#[test]
fn byte_order_marks() {
    let dir = scratch();
    let bom = |text: &str| [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
    let utf16 = |text: &str| -> Vec<u8> {
        [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
    };
    let inventory = std::fs::read_to_string(dir.path().join("ws/inventory.capol")).unwrap();
    std::fs::write(dir.path().join("ws/inventory.capol"), bom(&inventory)).unwrap();
    for command in
        [&["check", "ws"][..], &["compile", "ws"], &["test", "ws"], &["verify", "ws"], &["lint", "ws"]]
    {
        capol(dir.path()).args(command).assert().success();
    }
    let scenario = std::fs::read_to_string(dir.path().join("scenario.json")).unwrap();
    for (name, bytes) in [("bom.json", bom(&scenario)), ("utf16.json", utf16(&scenario))] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        capol(dir.path())
            .args(["eval", "--scenario", name, "ws"])
            .assert()
            .success()
            .stdout(predicate::str::contains("allow"));
    }
    // Batches stream: a UTF-8 mark is dropped and UTF-16 (Windows PowerShell's default) is
    // transcoded line by line.
    let lines = format!("{scenario}\n{}\n", scenario.replace("203.0.113.10", "192.0.2.1"));
    for (name, bytes) in [("bom.jsonl", bom(&lines)), ("utf16.jsonl", utf16(&lines))] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        capol(dir.path())
            .args(["eval", "--batch", name, "ws"])
            .assert()
            .success()
            .stdout(predicate::str::contains("line 1: allow"))
            .stdout(predicate::str::contains("line 2: block"))
            .stdout(predicate::str::contains("2 lines: 2 evaluated, 0 errors"));
    }
    capol(dir.path()).args(["compile", "ws", "--target", "graph", "-o", "graph"]).assert().success();
    let policy =
        std::fs::read_dir(dir.path().join("graph/policies")).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, utf16(&text)).unwrap();
    capol(dir.path()).args(["import", "graph", "-o", "imported"]).assert().success();
    std::fs::write(dir.path().join("ws/inventory.capol"), utf16(&inventory)).unwrap();
    capol(dir.path())
        .args(["check", "ws"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("capol::syntax::utf16"))
        .stderr(predicate::str::contains("inventory.capol"));
}
