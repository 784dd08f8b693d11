//! Robustness at the edges: input far past Entra's limits finishes with a diagnostic, and a
//! write interrupted by a kill never leaves a partial output file.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

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
