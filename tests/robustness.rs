//! Robustness at the edges: input far past Entra's limits finishes with a diagnostic, and a
//! write interrupted by a kill never leaves a partial output file.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

#[path = "support/files.rs"]
mod files;

use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_hundred_thousand_policies_are_refused_with_the_limit() {
    let mut text = String::from("group g { id = \"3ee3a9de-0a86-4e12-a287-9769accf1ba2\" }\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "policy \"P{i}\" {{ state = enabled users {{ include group g }} target apps all grant mfa }}\n"
        ));
    }
    let mut sources = capol::Sources::new();
    sources.add("many.capol", text);
    let (program, diags) = capol::compile_workspace(&sources);
    assert!(program.is_none());
    let codes: Vec<String> = diags.items.iter().map(|d| d.error.code_str()).collect();
    assert_eq!(codes, vec!["capol::check::too_many_policies".to_owned()], "exactly the limit error");
}

/// `capol compile -o FILE` killed at several points of its run: `FILE` is always either the old
/// content or the whole new IR, never a prefix of it (output goes to a temporary file that is
/// renamed over `FILE` once complete).
#[test]
fn killing_a_write_never_leaves_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("big.capol");
    std::fs::write(&workspace, capol::generate::workspace(3, 195, 60, 2000)).unwrap();
    let out = dir.path().join("ir.json");
    let binary = assert_cmd::cargo::cargo_bin("capol");
    let mut outcomes = (0, 0);
    for delay_ms in [0u64, 5, 20, 50, 100, 200, 400, 800, 1600] {
        std::fs::write(&out, "OLD").unwrap();
        let mut child = Command::new(&binary)
            .args(["compile", "-o"])
            .arg(&out)
            .arg(&workspace)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&out).unwrap();
        if text == "OLD" {
            outcomes.0 += 1;
        } else {
            let ir: capol::ir::Program = serde_json::from_str(&text).expect("a complete IR, not a prefix");
            assert_eq!(ir.policies.len(), 195);
            outcomes.1 += 1;
        }
    }
    // Both outcomes are fine; the point is that nothing in between was ever seen.
    assert_eq!(outcomes.0 + outcomes.1, 9);
}

/// Run `capol ARGS` and kill it after each delay, calling `check` after every run.
fn kill_at_delays(args: &[&std::ffi::OsStr], mut before: impl FnMut(), mut check: impl FnMut()) {
    let binary = assert_cmd::cargo::cargo_bin("capol");
    for delay_ms in [0u64, 10, 40, 100, 250, 600, 1500] {
        before();
        let mut child =
            Command::new(&binary).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        check();
    }
}

/// `capol fmt FILE` killed at several points: `FILE` holds the old text or the whole formatted
/// text, nothing in between, and no temporary file is left beside it.
#[test]
fn killing_fmt_never_leaves_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let original = capol::generate::workspace(5, 195, 40, 2000).replace("\n  ", "\n      ");
    let file = dir.path().join("ws.capol");
    // The whole formatted text, from an uninterrupted run on a copy.
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    std::fs::write(copy.join("ws.capol"), &original).unwrap();
    assert_cmd::Command::cargo_bin("capol").unwrap().arg("fmt").arg(copy.join("ws.capol")).assert().success();
    let formatted = std::fs::read_to_string(copy.join("ws.capol")).unwrap();
    assert_ne!(formatted, original);
    let args = [std::ffi::OsStr::new("fmt"), file.as_os_str()];
    kill_at_delays(
        &args,
        || std::fs::write(&file, &original).unwrap(),
        || {
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(text == original || text == formatted, "a partial file: {} bytes", text.len());
            let names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect();
            // A kill can leave the temporary file the write went to; it is never the target, and it
            // is recognisably capol's.
            assert!(names.iter().all(|n| n.starts_with(".capol-")), "{names:?}");
        },
    );
}

/// `capol import` killed at several points: every `.capol` file it left is whole (identical to
/// the file of an uninterrupted import).
#[test]
fn killing_import_never_leaves_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ws.capol"), capol::generate::workspace(6, 195, 40, 2000)).unwrap();
    let capol = || assert_cmd::Command::cargo_bin("capol").unwrap();
    let graph = dir.path().join("graph");
    capol()
        .arg("compile")
        .arg(dir.path().join("ws.capol"))
        .args(["--target", "graph", "-o"])
        .arg(&graph)
        .assert()
        .success();
    let complete = dir.path().join("complete");
    capol().arg("import").arg(&graph).arg("-o").arg(&complete).assert().success();
    let out = dir.path().join("out");
    let args =
        [std::ffi::OsStr::new("import"), graph.as_os_str(), std::ffi::OsStr::new("-o"), out.as_os_str()];
    let mut seen = 0;
    kill_at_delays(
        &args,
        || {
            let _ = std::fs::remove_dir_all(&out);
        },
        || {
            for entry in files::with_extension(&out, "capol") {
                let relative = entry.strip_prefix(&out).unwrap();
                let expected = std::fs::read(complete.join(relative)).unwrap();
                assert_eq!(std::fs::read(&entry).unwrap(), expected, "{} is partial", relative.display());
                seen += 1;
            }
        },
    );
    println!("{seen} whole files seen in interrupted imports");
}
