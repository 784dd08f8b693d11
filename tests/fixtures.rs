//! Fixture sweeps: every `.capol` file (or directory of files) under `tests/fixtures/` is loaded,
//! checked, and snapshotted as its source followed by its rendered diagnostics.
//!
//! `ok/` fixtures must check without errors (their snapshot adds the compiled IR, so a construct
//! that is silently dropped shows up). `err/` fixtures must produce a diagnostic, including every
//! code named on a `// code: capol::...` line, so a check that stops firing fails the sweep.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use capol::diagnostic::{Diagnostics, render_human};
use capol::{Sources, check_workspace, compile_workspace};
use miette::Diagnostic as _;

/// Width of rendered diagnostics in snapshots.
const WIDTH: usize = 80;

/// `err` fixtures whose declared code does not fire yet: known checker bugs. Their snapshots
/// record the current behaviour, and the sweep fails as soon as the check fires, so the entry
/// cannot outlive the fix.
// TODO(check-bug): remove each entry once its check is fixed.
const KNOWN_MISSING: &[&str] = &[];

/// What a fixture directory promises.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// No error-level diagnostic.
    Ok,
    /// At least one diagnostic, including the declared codes.
    Err,
}

/// The `.capol` files of a fixture: the file itself, or the files of a fixture directory.
fn fixture_files(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "capol"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "fixture directory {} has no .capol file", path.display());
        files
    } else {
        vec![path.to_path_buf()]
    }
}

/// The path of a file relative to `tests/fixtures`, with `/` separators, as shown in snapshots.
fn display_path(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let rel = path.strip_prefix(&root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Load a fixture the way the CLI loads a workspace: undecodable files give diagnostics and
/// stop the pipeline.
fn load(path: &Path) -> (Sources, Diagnostics) {
    let mut sources = Sources::new();
    let mut diags = Diagnostics::new();
    for file in fixture_files(path) {
        let bytes = std::fs::read(&file).unwrap();
        let (_, diag) = sources.add_bytes(display_path(&file), &bytes);
        diags.items.extend(diag);
    }
    (sources, diags)
}

/// Check a workspace, returning every diagnostic in reporting order.
fn check(sources: &Sources, load_diags: Diagnostics) -> Diagnostics {
    if !load_diags.is_empty() {
        return load_diags;
    }
    check_workspace(sources).1
}

/// Every diagnostic rendered as the CLI renders it without colours.
fn render_all(sources: &Sources, diags: &Diagnostics) -> String {
    let mut out = String::new();
    for diag in &diags.items {
        out.push_str(&render_human(diag, sources, false, WIDTH));
        out.push('\n');
    }
    out
}

/// Codes a fixture declares on `// code: capol::...` lines.
fn declared_codes(sources: &Sources) -> Vec<String> {
    sources
        .files
        .iter()
        .flat_map(|f| f.text.lines())
        .filter_map(|line| line.trim().strip_prefix("// code:"))
        .map(|code| code.trim().to_owned())
        .collect()
}

/// Names of grammar rules such as `tenant_decl` that are not also words of the language: they
/// must never reach a user. Words of the language are the identifiers of the `ok` fixtures.
fn internal_rule_names() -> &'static [String] {
    static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let grammar = std::fs::read_to_string(root.join("grammar/capol.pest")).unwrap();
        let mut language = String::new();
        for dir in ["tests/fixtures/syntax/ok", "tests/fixtures/check/ok"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                for file in fixture_files(&entry.unwrap().path()) {
                    language.push_str(&std::fs::read_to_string(file).unwrap());
                }
            }
        }
        let language_words: Vec<&str> = words(&language).collect();
        grammar
            .lines()
            .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim()))
            .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            // Plain English rule names (`value`, `address`) may appear in messages as words.
            .filter(|name| name.contains('_') || *name == "EOI" || *name == "SOI")
            .filter(|name| !language_words.contains(name))
            .map(str::to_owned)
            .collect()
    });
    &NAMES
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

/// Properties every rendered diagnostic must have, whatever the fixture; problems are pushed
/// to `problems`.
fn check_well_formed(sources: &Sources, diags: &Diagnostics, problems: &mut Vec<String>) {
    let internal = internal_rule_names();
    assert!(internal.iter().any(|n| n == "tenant_decl"), "grammar rule names not found");
    for diag in &diags.items {
        let code = diag.error.code_str();
        // The words capol itself chose: message, labels and help (not the quoted source).
        let mut own = diag.error.to_string();
        for label in diag.error.labels().into_iter().flatten() {
            own.push('\n');
            own.push_str(label.label().unwrap_or(""));
        }
        if let Some(help) = diag.error.help() {
            own.push('\n');
            own.push_str(&help.to_string());
        }
        let leaked: Vec<&str> = words(&own).filter(|w| internal.iter().any(|n| n == w)).collect();
        if own.contains("Rule::") || own.contains("_decl") || !leaked.is_empty() {
            problems.push(format!("`{code}` leaks grammar rule names {leaked:?}"));
        }
        if !code.starts_with("capol::") {
            problems.push(format!("diagnostic without a stable code: {:?}", diag.error));
        }
        let message = diag.error.to_string();
        if message.starts_with(|c: char| c.is_ascii_uppercase()) || message.ends_with('.') {
            problems.push(format!("`{code}` message is not lowercase without a final period: {message}"));
        }
        let text = &sources.get(diag.file).unwrap().text;
        let span = diag.loc().span;
        if span.end as usize > text.len()
            || !text.is_char_boundary(span.start as usize)
            || !text.is_char_boundary(span.end as usize)
        {
            problems.push(format!("`{code}` has a span {span:?} outside the text or inside a character"));
        }
    }
}

/// What a fixture promises that it does not keep, given its diagnostics.
fn check_expectation(
    path: &Path,
    sources: &Sources,
    diags: &Diagnostics,
    expect: Expect,
    problems: &mut Vec<String>,
) {
    let codes: Vec<String> = diags.items.iter().map(|d| d.error.code_str()).collect();
    match expect {
        Expect::Ok if diags.has_errors() => problems.push(format!("an ok fixture has errors: {codes:?}")),
        Expect::Ok => {}
        Expect::Err => {
            let declared = declared_codes(sources);
            if declared.is_empty() {
                problems.push("an err fixture needs a `// code: capol::...` line".into());
            }
            let fixture = path.file_stem().unwrap().to_string_lossy().into_owned();
            let all_fire = declared.iter().all(|code| codes.contains(code));
            if KNOWN_MISSING.contains(&fixture.as_str()) {
                if all_fire {
                    problems.push("the check fires now; remove the fixture from KNOWN_MISSING".into());
                }
            } else if diags.is_empty() {
                problems.push("an err fixture produced no diagnostic".into());
            } else if !all_fire {
                problems.push(format!("expected {declared:?}, got {codes:?}"));
            }
        }
    }
}

/// Run one fixture: snapshot its source, diagnostics (and IR when it compiles), and return what
/// it got wrong.
fn run_fixture(sweep: &str, path: &Path, expect: Expect) -> Vec<String> {
    let (sources, load_diags) = load(path);
    let diags = check(&sources, load_diags);
    let rendered = render_all(&sources, &diags);
    let mut problems = Vec::new();
    check_well_formed(&sources, &diags, &mut problems);
    check_expectation(path, &sources, &diags, expect, &mut problems);

    let mut body = String::from("----- SOURCE\n");
    let several = sources.files.len() > 1;
    for file in &sources.files {
        if several {
            body.push_str(&format!("===== {}\n", file.path));
        }
        body.push_str(&file.text);
        if !file.text.is_empty() && !file.text.ends_with('\n') {
            body.push('\n');
        }
    }
    body.push_str("----- DIAGNOSTICS\n");
    body.push_str(if rendered.is_empty() { "(none)\n" } else { &rendered });
    if expect == Expect::Ok && !diags.has_errors() {
        match compile_workspace(&sources).0 {
            Some(program) => {
                body.push_str("----- IR\n");
                body.push_str(&program.to_json());
            }
            None => problems.push("checked without errors but did not compile".into()),
        }
    }
    insta::assert_snapshot!(sweep, body);
    let name = display_path(path);
    problems.into_iter().map(|p| format!("{name}: {p}")).collect()
}

/// One sweep over a fixture directory; every fixture runs (and is snapshotted) before the
/// problems of all of them are reported together.
macro_rules! sweep {
    ($test:ident, $pattern:literal, $expect:expr) => {
        #[test]
        fn $test() {
            let mut problems = Vec::new();
            insta::with_settings!({
                prepend_module_to_snapshot => false,
                omit_expression => true,
                snapshot_path => "snapshots",
            }, {
                insta::glob!($pattern, |path| problems.extend(run_fixture(stringify!($test), path, $expect)));
            });
            assert!(problems.is_empty(), "{}", problems.join("\n"));
        }
    };
}

sweep!(syntax_ok, "fixtures/syntax/ok/*", Expect::Ok);
sweep!(syntax_err, "fixtures/syntax/err/*", Expect::Err);
sweep!(check_ok, "fixtures/check/ok/*", Expect::Ok);
sweep!(check_err, "fixtures/check/err/*", Expect::Err);

/// No snapshot shows a grammar rule name where capol speaks (its messages, labels and help; the
/// quoted sources are the user's). `duplicate_declaration` is a code, not a rule.
#[test]
fn no_snapshot_shows_grammar_rule_names() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let diagnostics = text.split("----- DIAGNOSTICS").nth(1).unwrap_or(&text);
        let diagnostics = diagnostics.split("----- IR").next().unwrap_or("");
        let own: String = diagnostics
            .lines()
            // Drop quoted source lines and the `╭─[file:line:col]` headers.
            .filter(|line| !line.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .filter(|line| !line.contains("╭─["))
            .collect::<Vec<_>>()
            .join("\n")
            .replace("duplicate_declaration", "");
        assert!(!own.contains("Rule::") && !own.contains("_decl"), "{}", path.display());
        checked += 1;
    }
    assert!(checked > 40, "only {checked} snapshots found");
}

/// Every diagnostic code of `src/diagnostic.rs` that a `.capol` file can produce has an `err`
/// fixture that declares it, or a generated test in `tests/limits.rs`.
#[test]
fn every_code_has_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("src/diagnostic.rs")).unwrap();
    let codes: Vec<&str> = source
        .split("code(")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|code| code.starts_with("capol::syntax::") || code.starts_with("capol::check::"))
        .collect();
    assert!(codes.len() > 40, "found only {} codes in src/diagnostic.rs", codes.len());

    let mut covered = String::new();
    for dir in ["tests/fixtures/syntax/err", "tests/fixtures/check/err"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            for file in fixture_files(&entry.unwrap().path()) {
                covered.push_str(&std::fs::read_to_string(file).unwrap_or_default());
            }
        }
    }
    let generated = std::fs::read_to_string(root.join("tests/limits.rs")).unwrap();
    let missing: Vec<&&str> = codes
        .iter()
        .filter(|code| {
            let declared = covered.lines().any(|l| l.trim() == format!("// code: {code}"));
            !(declared || generated.contains(&format!("\"{code}\"")))
        })
        .collect();
    assert!(missing.is_empty(), "codes without an err fixture: {missing:?}");
}
