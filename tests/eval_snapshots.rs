//! Snapshots of `capol eval` reports (human trace and JSON) for every fixture scenario under
//! `tests/fixtures/eval/<workspace>/scenarios/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use capol::eval::{Directory, Engine, Input, Resolver, evaluate_document};

/// The workspace of a fixture directory: its `workspace/` folder, or the seed example.
fn workspace_dir(fixture: &Path) -> PathBuf {
    let local = fixture.join("workspace");
    if local.is_dir() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/combined-registration")
    }
}

fn engine_for(fixture: &Path) -> Engine {
    let dir = workspace_dir(fixture);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "capol"))
        .collect();
    files.sort();
    let mut sources = capol::Sources::new();
    for f in files {
        sources
            .add(f.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&f).unwrap());
    }
    let (program, diags) = capol::compile_workspace(&sources);
    assert!(!diags.has_errors(), "{:?}", diags);
    Engine::new(&program.unwrap())
}

#[test]
fn fixture_reports() {
    insta::glob!("fixtures/eval/*/scenarios/*.json", |path| {
        let fixture = path.parent().unwrap().parent().unwrap();
        let engine = engine_for(fixture);
        let directory = fixture.join("directory.json");
        let bound = directory.is_file().then(|| {
            Directory::from_json(&std::fs::read_to_string(&directory).unwrap()).unwrap().bind(&engine)
        });
        let resolver = Resolver { directory: bound.as_ref(), ..Resolver::new(&engine) };
        let text = std::fs::read_to_string(path).unwrap();
        let run = evaluate_document(&resolver, &text, Input::Auto).unwrap();
        let report = run.report(&engine);
        insta::assert_snapshot!("human", report.human());
        insta::assert_snapshot!("json", serde_json::to_string_pretty(&report.json()).unwrap());
    });
}
