//! Verification benchmarks on the generated 195-policy workspace with 195 named locations of
//! 2,000 ranges each: `verify` (model, every assertion with its counterexample replayed, and the
//! gap report) and `diff` against an edited copy (model of both, every change with examples
//! replayed in both engines). Engines are built inside the measurement, as the commands do;
//! parsing and checking are not.
//!
//! `cargo bench --bench verify`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use capol::eval::Engine;
use capol::generate::workspace;
use capol::verify::{Analysis, assertion, space::Atoms};
use criterion::{Criterion, criterion_group, criterion_main};

const ASSERTS: &str = r#"
assert "break-glass is never blocked" { never block for group break_glass }
assert "admins need phishing-resistant MFA on admin portals" {
  always require auth_strength phishing_resistant when role global_admin and not group break_glass and target apps admin_portals
}
assert "security info only from trusted networks" { never allow action register_security_info from not trusted }
assert "legacy clients are blocked" { always block via client_app other and target apps all }
assert "guests always need terms of use" { always require terms_of_use guest_terms for guests and target apps all }
"#;

fn compile(text: String) -> (Vec<capol::syntax::ast::File>, capol::ir::Program) {
    let mut sources = capol::Sources::new();
    sources.add("gen.capol", text);
    let (checked, diags) = capol::check_workspace(&sources);
    assert!(!diags.has_errors());
    let (files, checked) = checked.expect("the generated workspace checks");
    let program = capol::compile::compile(&checked);
    (files, program)
}

/// The edit compared by `diff`: a few policies change state or grant.
fn edited(text: &str) -> String {
    text.replacen("state = enabled", "state = disabled", 3)
        .replacen("grant mfa\n", "grant compliant_device\n", 2)
        .replacen("state = report_only", "state = enabled", 2)
}

fn bench(c: &mut Criterion) {
    let text = workspace(42, 195, 195, 2000);
    let (files, program) = compile(text.clone() + ASSERTS);
    let (asserts, diags) = assertion::lower(&files, &program);
    assert!(diags.is_empty());
    let atoms = assertion::atoms(&asserts);
    let (_, old) = compile(text.clone());
    let (_, new) = compile(edited(&text));
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    group.bench_function("verify 195 policies, 5 assertions and gaps", |b| {
        b.iter(|| {
            let engine = Engine::new(&program);
            let analysis = Analysis::new(vec![program.clone()], &atoms);
            let results = analysis.check(&asserts, &engine);
            let gaps = analysis.gaps(&engine, 5);
            black_box((results, gaps))
        });
    });
    group.bench_function("diff 195 policies against an edited copy", |b| {
        b.iter(|| {
            let engines = [Engine::new(&old), Engine::new(&new)];
            let analysis = Analysis::new(vec![old.clone(), new.clone()], &Atoms::default());
            black_box(analysis.diff([&engines[0], &engines[1]], 5))
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
