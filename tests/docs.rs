//! The documentation's claims about `capol fmt` and `capol test`: the examples in
//! `docs/testing-policies.md` and `docs/formatting.md` do what the text says, and the README's
//! `capol test examples/` output is what the command prints.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The fenced blocks of a Markdown text with this info string, in order.
fn blocks(markdown: &str, info: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line == format!("```{info}") => current = Some(String::new()),
            Some(block) if line == "```" => {
                out.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn the_testing_example_passes_with_both_policies_applied() {
    let example = &blocks(&read("docs/testing-policies.md"), "capol")[0];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.capol"), example).unwrap();
    let output = Command::cargo_bin("capol")
        .unwrap()
        .arg("test")
        .arg(dir.path())
        .args(["--coverage", "--format", "json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(json["summary"], serde_json::json!({"passed": 3, "failed": 0, "errors": 0}));
    let summary = &json["workspaces"][0]["coverage"]["summary"];
    assert_eq!((summary["applied"].as_u64(), summary["policies"].as_u64()), (Some(2), Some(2)));
}

#[test]
fn the_formatting_example_formats_as_shown() {
    let examples = blocks(&read("docs/formatting.md"), "capol");
    let (before, after) = (&examples[0], &examples[1]);
    assert_eq!(capol::fmt::format(before).unwrap(), *after);
}

#[test]
fn the_readme_shows_what_capol_test_examples_prints() {
    let readme = read("README.md");
    assert!(readme.contains("| `capol fmt PATH…"), "the command table lists fmt");
    assert!(readme.contains("| `capol test PATH…"), "the command table lists test");
    let shown = blocks(&readme, "console")
        .into_iter()
        .find(|b| b.starts_with("$ capol test examples/\n"))
        .expect("a console block with `capol test examples/`");
    let output = Command::cargo_bin("capol").unwrap().args(["test", "examples/"]).assert().success();
    let printed = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    // Every line shown (elisions aside) is printed, in the same order.
    let mut rest = printed.as_str();
    for line in shown.lines().skip(1).filter(|l| *l != "...") {
        let at =
            rest.find(&format!("{line}\n")).unwrap_or_else(|| panic!("`{line}` is not printed:\n{printed}"));
        rest = &rest[at + line.len()..];
    }
}

#[test]
fn the_language_reference_test_example_passes() {
    let example = blocks(&read("docs/language.md"), "capol")
        .into_iter()
        .find(|b| b.contains("test \"registration from home is blocked\""))
        .expect("the example of section 4.1");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.capol"), example).unwrap();
    Command::cargo_bin("capol")
        .unwrap()
        .arg("test")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("test result: ok. 3 passed; 0 failed; 0 errors"));
}
