//! Tests of the symbolic model against the engine.

use super::*;

fn analyse(dir: &str) -> (Analysis, Vec<assertion::Assertion>, crate::eval::Engine) {
    let mut sources = crate::Sources::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for p in paths {
        if p.extension().is_some_and(|e| e == "capol") {
            sources.add(p.display().to_string(), std::fs::read_to_string(&p).unwrap());
        }
    }
    let (checked, diags) = crate::check_workspace(&sources);
    assert!(!diags.has_errors(), "{diags:?}");
    let (files, checked) = checked.unwrap();
    let program = crate::compile::compile(&checked);
    let (asserts, diags) = assertion::lower(&files, &program);
    assert!(diags.is_empty());
    let engine = crate::eval::Engine::new(&program);
    (Analysis::new(vec![program], &assertion::atoms(&asserts)), asserts, engine)
}

#[test]
fn smoke_baseline() {
    let (a, asserts, engine) = analyse(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/baseline"));
    for r in a.check(&asserts, &engine) {
        eprintln!("{} -> {:?}", r.assertion.text, r.counterexample.as_ref().map(|c| (&c.region, &c.example.scenario, c.replay.as_ref().map(|r| &r.verdict))));
    }
    for ans in a.gaps(&engine, 5) {
        eprintln!("{}: more={}", ans.question.title(), ans.more);
        for g in &ans.gaps {
            eprintln!("   {} :: {} :: {:?}", g.words, g.example.scenario, g.replay.as_ref().map(|r| &r.verdict));
        }
    }
}

#[test]
fn debug_cover() {
    let (a, _asserts, _engine) = analyse(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/baseline"));
    let s = &a.semantics[0];
    let region = s.allow.clone();
    let seed = a.pick(&region).unwrap();
    let cube = a.expand(&seed, &region);
    let cb = a.cube_bdd(&cube);
    let v = a.layout.valuation(&seed);
    eprintln!("seed in region {} in cube {} cube-in-region {}", region.eval_in(&v), cb.eval_in(&v), cb.and_not(&region).is_false());
    eprintln!("{:?}", a.cube_json(&cube));
    let rem = region.and_not(&cb);
    let seed2 = a.pick(&rem).unwrap();
    eprintln!("{:?}\n{:?}", seed, seed2);
}

#[test]
fn debug_gaps() {
    let (a, _asserts, _engine) = analyse(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/baseline"));
    let s = &a.semantics[0];
    let incidental = a.incidental_vars();
    let region = s.allow.exists(&incidental);
    let cover = a.cover(&region, 4);
    for (c, seed) in &cover.cubes {
        eprintln!("{:?}\n  {:?}", a.cube_json(c), seed);
    }
}
