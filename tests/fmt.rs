//! The formatter: the comment-preservation fixtures (`tests/fixtures/fmt/`, snapshotted), and
//! idempotence and tree preservation over the examples, every fixture that parses, the imported
//! corpus and generated workspaces; then `capol fmt` on the command line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/files.rs"]
mod files;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use capol::fmt::{self, FormatError};
use capol::span::FileId;
use capol::syntax;
use predicates::prelude::*;
use proptest::prelude::*;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn capol() -> Command {
    Command::cargo_bin("capol").unwrap()
}

/// The comment texts of a text, in order.
fn comments(text: &str) -> Vec<String> {
    syntax::parse(FileId(0), text).0.comments.iter().map(|c| c.text.trim_end().to_owned()).collect()
}

/// Format, and check what `format` promises: same tree, same comments, and a fixed point.
fn format_checked(label: &str, text: &str) -> String {
    let out = fmt::format(text).unwrap_or_else(|e| panic!("{label}: refused: {e:?}"));
    let (before, _) = syntax::parse(FileId(0), text);
    let (after, diags) = syntax::parse(FileId(0), &out);
    assert!(!diags.has_errors(), "{label}: the output does not parse:\n{out}");
    assert!(fmt::same_decls(&before.decls, &after.decls), "{label}: the tree changed:\n{out}");
    assert_eq!(comments(text), comments(&out), "{label}: the comments changed:\n{out}");
    assert_eq!(fmt::format(&out).as_ref(), Ok(&out), "{label}: formatting twice changes the text");
    out
}

fn capol_files(dir: &Path, out: &mut Vec<PathBuf>) {
    out.extend(files::with_extension(dir, "capol"));
}

#[test]
fn comment_fixtures() {
    insta::glob!("fixtures/fmt/*.capol", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let out = format_checked(&path.display().to_string(), &text);
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!("fmt", out);
        });
    });
}

#[test]
fn fmt_examples_are_formatted() {
    let mut files = Vec::new();
    capol_files(&root().join("examples"), &mut files);
    assert!(files.len() >= 10, "the examples are missing");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let out = format_checked(&file.display().to_string(), &text);
        assert_eq!(out, text, "{} is not formatted: run `capol fmt examples/`", file.display());
    }
}

#[test]
fn fmt_every_fixture_that_parses_is_idempotent() {
    let mut files = Vec::new();
    capol_files(&root().join("tests/fixtures"), &mut files);
    let (mut formatted, mut refused) = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let ok_fixture = file.components().any(|c| c.as_os_str() == "ok");
        match fmt::format(&text) {
            Ok(_) => {
                format_checked(&file.display().to_string(), &text);
                formatted += 1;
            }
            Err(FormatError::Syntax(_)) if !ok_fixture => refused += 1,
            Err(e) => panic!("{}: {e:?}", file.display()),
        }
    }
    println!("{formatted} fixtures formatted, {refused} with syntax errors left alone");
    assert!(formatted > 100 && refused > 10, "{formatted} formatted, {refused} refused");
}

#[test]
fn fmt_imported_corpus_is_idempotent() {
    let corpus = root().join("../shared/corpus");
    if !corpus.is_dir() {
        println!("skipped: ../shared/corpus is absent");
        return;
    }
    let mut paths = Vec::new();
    paths.extend(files::with_extension(&corpus, "json"));
    let inputs: Vec<capol::import::Input> = paths
        .iter()
        .map(|p| capol::import::Input { path: p.display().to_string(), bytes: std::fs::read(p).unwrap() })
        .collect();
    let imported = capol::import::import(&inputs);
    let dir = tempfile::tempdir().unwrap();
    for file in &imported.files {
        let path = dir.path().join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.text).unwrap();
    }
    let mut files = Vec::new();
    capol_files(dir.path(), &mut files);
    assert!(files.len() > 100, "only {} files imported", files.len());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let out = format_checked(&file.display().to_string(), &text);
        assert_eq!(out, text, "{}: the importer's output is not in canonical form", file.display());
    }
    println!("{} imported files are formatted and stable", files.len());
}

/// Comments inserted at whitespace outside strings of `text`, at the spots `picks` choose.
fn with_comments(text: &str, picks: &[(prop::sample::Index, u8)]) -> String {
    let bytes = text.as_bytes();
    let mut spots = Vec::new();
    let mut in_string = false;
    let mut in_comment = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' if !in_comment => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => in_comment = true,
            b'\n' => {
                in_comment = false;
                spots.push(i);
            }
            b' ' if !in_string && !in_comment => spots.push(i),
            _ => {}
        }
        i += 1;
    }
    let mut chosen: Vec<(usize, u8, usize)> = picks
        .iter()
        .enumerate()
        .map(|(n, (index, kind))| (spots[index.index(spots.len())], *kind, n))
        .collect();
    chosen.sort();
    chosen.dedup_by_key(|c| c.0);
    let mut out = text.to_owned();
    for (at, kind, n) in chosen.into_iter().rev() {
        let comment = match kind {
            0 => format!(" // c{n}\n"),
            1 => format!("\n    // c{n} on its own line\n"),
            _ => format!("\n\n\n// c{n} after blank lines\n\n"),
        };
        out.replace_range(at..at + 1, &comment);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn fmt_generated_workspaces_keep_their_tree_and_comments(
        seed in any::<u64>(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3), 0..40),
    ) {
        let text = capol::generate::workspace(seed, 12, 3, 20);
        let out = format_checked("generated", &text);
        let (a, _) = syntax::parse(FileId(0), &text);
        let (b, _) = syntax::parse(FileId(0), &out);
        prop_assert!(fmt::same_decls(&a.decls, &b.decls));
        let commented = with_comments(&text, &picks);
        format_checked(&format!("generated with comments:\n{commented}"), &commented);
    }
}

// --- the command line --------------------------------------------------------------------------

const MESSY: &str = "// keep me\ngroup g { id = \"3ee3a9de-0a86-4e12-a287-9769accf1ba2\" } // and me\n";
const TIDY: &str = "// keep me\ngroup g {\n  id = \"3ee3a9de-0a86-4e12-a287-9769accf1ba2\"\n} // and me\n";

fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn fmt_rewrites_only_files_that_change() {
    let dir = workspace(&[("messy.capol", MESSY), ("tidy.capol", TIDY)]);
    let (messy, tidy) = (dir.path().join("messy.capol"), dir.path().join("tidy.capol"));
    let inode = |p: &Path| {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(p).unwrap().ino()
    };
    let (messy_before, tidy_before) = (inode(&messy), inode(&tidy));
    capol()
        .arg("fmt")
        .arg(dir.path())
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("reformatted 1 file, 1 already formatted"));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
    assert_eq!(std::fs::read_to_string(&tidy).unwrap(), TIDY);
    // A changed file is replaced by a new one (written aside, then renamed); the other is untouched.
    assert_ne!(inode(&messy), messy_before);
    assert_eq!(inode(&tidy), tidy_before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    capol().arg("fmt").arg("--check").arg(dir.path()).assert().success().stdout("");
}

#[test]
fn fmt_check_lists_files_and_exits_1_without_writing() {
    let dir = workspace(&[("messy.capol", MESSY), ("tidy.capol", TIDY)]);
    let messy = dir.path().join("messy.capol");
    capol()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(format!("{}\n", messy.display()));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY);
}

#[test]
fn fmt_diff_prints_a_unified_diff() {
    let dir = workspace(&[("messy.capol", MESSY)]);
    let messy = dir.path().join("messy.capol");
    let output = capol().args(["fmt", "--diff"]).arg(&messy).assert().code(1).get_output().clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let path = messy.display().to_string();
    let path = path.trim_start_matches('/');
    assert!(stdout.starts_with(&format!("--- a/{path}\n+++ b/{path}\n@@ -1,2 +1,4 @@\n")), "{stdout}");
    assert!(stdout.contains("-group g { id = \"3ee3a9de-0a86-4e12-a287-9769accf1ba2\" } // and me\n"));
    assert!(stdout.contains("+group g {\n+  id = \"3ee3a9de-0a86-4e12-a287-9769accf1ba2\"\n+} // and me\n"));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY);
}

#[test]
fn fmt_leaves_files_with_syntax_errors_alone() {
    let broken = "policy \"x\" { state = enabled\n";
    let dir = workspace(&[("broken.capol", broken), ("messy.capol", MESSY)]);
    let output = capol().arg("fmt").arg(dir.path()).assert().code(2).get_output().clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("capol::syntax::"), "{stderr}");
    assert!(stderr.contains("broken.capol` has errors and was left unchanged"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("broken.capol")).unwrap(), broken);
    // The other file is still formatted.
    assert_eq!(std::fs::read_to_string(dir.path().join("messy.capol")).unwrap(), TIDY);
}

#[test]
fn fmt_check_passes_on_the_examples() {
    capol().args(["fmt", "--check", "examples/"]).assert().success().stdout("");
}

#[test]
fn fmt_missing_path_is_an_io_error() {
    capol()
        .args(["fmt", "no/such/dir"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read `no/such/dir`"));
}
