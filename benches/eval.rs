//! Evaluation benchmarks on a generated 195-policy workspace with 195 named locations of 2,000
//! ranges each: one sign-in (full What If trace, and applying policies only), batches of resolved
//! sign-ins, and JSON lines end to end (parse, resolve, evaluate, decide).
//!
//! `cargo bench --bench eval`
//!
//! For instruction counts (stable on a busy machine), run the bench binary under callgrind with
//! `CAPOL_EVAL_MODE=full|applicable|jsonl|general-json|fast-json|fast-human|fast-summary` and
//! `CAPOL_EVAL_ITERS=N` twice, with two values of `N`: the difference of the totals divided by the
//! difference of `N` is the cost of one sign-in. `jsonl` is the general path's `evaluate_line`
//! (a decision, no output), `general-json` the same plus `LineResult::to_json`; the `fast-*` modes are `Batch::line` writing JSON lines, human
//! lines, or only counting into the summary.
//!
//! `CAPOL_EVAL_WRITE=DIR CAPOL_EVAL_ITERS=N` writes the workspace (`DIR/ws`) and N scenario lines
//! (`DIR/lines.jsonl`) instead, for timing `capol eval --batch` itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use capol::eval::batch::{Batch, LineOutput, Scratch, evaluate_line};
use capol::eval::{Engine, Evaluation, Input, Resolver, Scenario, SignIn};
use capol::generate::{Rng, workspace};
use criterion::{Criterion, Throughput, criterion_group};

const POLICIES: usize = 195;
const LOCATIONS: usize = 195;
const RANGES: usize = 2000;
const SIGN_INS: usize = 4096;

fn engine() -> Engine {
    let text = workspace(42, POLICIES, LOCATIONS, RANGES);
    let mut sources = capol::Sources::new();
    sources.add("gen.capol", text);
    let (program, diags) = capol::compile_workspace(&sources);
    assert!(!diags.has_errors());
    Engine::new(&program.expect("the generated workspace compiles"))
}

/// Realistic sign-ins: users of the workspace, a mix of targets, IPv4 and IPv6 addresses that
/// mostly fall inside some named location's range, platforms, client apps and risks.
fn scenarios(n: usize) -> Vec<String> {
    let mut rng = Rng::new(7);
    let apps =
        ["exchange", "sharepoint", "teams", "azure_portal", "azure_management", "office365", "power_bi"];
    (0..n)
        .map(|_| {
            let user = format!("usr_{}", rng.below(capol::generate::USERS));
            let target = match rng.below(20) {
                0 => r#""action":"register_security_info""#.to_owned(),
                1 => r#""auth_context":"sensitive""#.to_owned(),
                _ => format!(r#""app":"{}""#, apps[rng.below(apps.len())]),
            };
            // Ranges live in /24 blocks from 11.0.0.0 (IPv4) and /48s under 2001:db8::/32.
            let block = 1 + rng.below(LOCATIONS * RANGES);
            let ip = if rng.chance(85) {
                let a = (11u64 << 24) + ((block as u64) << 8) + rng.below(256) as u64;
                format!("{}.{}.{}.{}", a >> 24 & 255, a >> 16 & 255, a >> 8 & 255, a & 255)
            } else {
                format!("2001:db8:{:x}::{:x}", block & 0xffff, rng.below(65536))
            };
            let platform = ["ios", "android", "windows", "macos", "linux"][rng.below(5)];
            let client = ["browser", "mobile_desktop", "exchange_active_sync", "other"][rng.below(4)];
            let risk = ["none", "none", "low", "medium", "high"][rng.below(5)];
            let country = ["FR", "DE", "US", "KP", "BR"][rng.below(5)];
            format!(
                r#"{{"user":"{user}",{target},"ip":"{ip}","country":"{country}","platform":"{platform}","client_app":"{client}","sign_in_risk":"{risk}","device":{{"trustType":"AzureAD","isCompliant":true}}}}"#
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let engine = engine();
    let (v4, v6) = engine.ip_intervals();
    eprintln!("engine: {} policies, {v4} IPv4 and {v6} IPv6 intervals", engine.policies().len());
    let lines = scenarios(SIGN_INS);
    let resolver = Resolver::new(&engine);
    let sign_ins: Vec<SignIn> = lines
        .iter()
        .map(|l| resolver.resolve(&Scenario::from_json(l).expect("valid scenario")).expect("resolves"))
        .collect();

    let mut group = c.benchmark_group("eval");
    let mut evaluation = Evaluation::default();
    let mut i = 0usize;
    group.bench_function("one sign-in, every policy explained", |b| {
        b.iter(|| {
            i = (i + 1) % sign_ins.len();
            engine.evaluate_into(black_box(&sign_ins[i]), &mut evaluation);
            black_box(evaluation.applied.len())
        })
    });
    let mut applied = capol::eval::Applicable::default();
    group.bench_function("one sign-in, applying policies only", |b| {
        b.iter(|| {
            i = (i + 1) % sign_ins.len();
            engine.applicable_into(black_box(&sign_ins[i]), &mut applied);
            black_box(applied.policies.len())
        })
    });
    group.throughput(Throughput::Elements(sign_ins.len() as u64));
    group.bench_function("batch of resolved sign-ins, applying policies", |b| {
        b.iter(|| {
            let mut total = 0;
            for s in &sign_ins {
                engine.applicable_into(s, &mut applied);
                total += applied.policies.len();
            }
            black_box(total)
        })
    });
    group.bench_function("batch of resolved sign-ins, every policy explained", |b| {
        b.iter(|| {
            let mut total = 0;
            for s in &sign_ins {
                engine.evaluate_into(s, &mut evaluation);
                total += evaluation.applied.len();
            }
            black_box(total)
        })
    });
    let mut scratch = Scratch::default();
    group.bench_function("batch of JSON lines, parsed, resolved, decided", |b| {
        b.iter(|| {
            let mut blocked = 0;
            for (n, l) in lines.iter().enumerate() {
                let r =
                    evaluate_line(&resolver, Input::Scenario, n as u64, l, &mut scratch).expect("evaluates");
                blocked += usize::from(r.decision.outcome == capol::eval::Outcome::Block);
            }
            black_box(blocked)
        })
    });
    let mut out = Vec::with_capacity(1 << 22);
    group.bench_function("batch of JSON lines, general path, JSON output", |b| {
        let batch = Batch::new(resolver, Input::Auto, LineOutput::Json);
        b.iter(|| {
            let mut summary = batch.summary();
            out.clear();
            for (n, l) in lines.iter().enumerate() {
                batch.general_line(n as u64, l, &mut scratch, &mut summary, &mut out).expect("evaluates");
            }
            black_box((summary.block, out.len()))
        })
    });
    for (label, output) in [
        ("batch of JSON lines, fast path, JSON output", LineOutput::Json),
        ("batch of JSON lines, fast path, summary only", LineOutput::None),
    ] {
        let batch = Batch::new(resolver, Input::Auto, output);
        let mut scratch = batch.scratch();
        group.bench_function(label, |b| {
            b.iter(|| {
                let mut summary = batch.summary();
                out.clear();
                for (n, l) in lines.iter().enumerate() {
                    batch.line(n as u64, l, &mut scratch, &mut summary, &mut out).expect("evaluates");
                }
                black_box((summary.block, out.len()))
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = bench
}

/// A fixed number of evaluations, for instruction counting.
fn counted(mode: &str, iterations: usize) {
    let engine = engine();
    let lines = scenarios(SIGN_INS);
    let resolver = Resolver::new(&engine);
    let sign_ins: Vec<SignIn> =
        lines.iter().map(|l| resolver.resolve(&Scenario::from_json(l).unwrap()).unwrap()).collect();
    let mut evaluation = Evaluation::default();
    let mut applied = capol::eval::Applicable::default();
    let mut scratch = Scratch::default();
    let output = match mode {
        "fast-json" => LineOutput::Json,
        "fast-human" => LineOutput::Human,
        _ => LineOutput::None,
    };
    let batch = Batch::new(resolver, Input::Auto, output);
    let mut summary = batch.summary();
    let mut out = Vec::new();
    let mut total = 0;
    for n in 0..iterations {
        let i = n % SIGN_INS;
        match mode {
            "full" => {
                engine.evaluate_into(&sign_ins[i], &mut evaluation);
                total += evaluation.applied.len();
            }
            "applicable" => {
                engine.applicable_into(&sign_ins[i], &mut applied);
                total += applied.policies.len();
            }
            "fast-json" | "fast-human" | "fast-summary" => {
                // The output buffer is drained as a writer would be.
                out.clear();
                batch.line(n as u64, &lines[i], &mut scratch, &mut summary, &mut out).unwrap();
                total += out.len();
            }
            "general-json" => {
                let r = evaluate_line(&resolver, Input::Scenario, n as u64, &lines[i], &mut scratch).unwrap();
                total += r.to_json().len();
            }
            _ => {
                let r = evaluate_line(&resolver, Input::Scenario, n as u64, &lines[i], &mut scratch).unwrap();
                total += r.applied.len();
            }
        }
    }
    println!(
        "{mode}: {iterations} sign-ins, {total} (policies applied or output bytes), {} blocked",
        summary.block
    );
}

/// The benchmark's workspace (`DIR/ws/gen.capol`) and `n` of its scenario lines
/// (`DIR/lines.jsonl`), for timing `capol eval --batch` end to end.
fn write_files(dir: &str, n: usize) {
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir.join("ws")).unwrap();
    std::fs::write(dir.join("ws/gen.capol"), workspace(42, POLICIES, LOCATIONS, RANGES)).unwrap();
    let mut lines = scenarios(n).join("\n");
    lines.push('\n');
    std::fs::write(dir.join("lines.jsonl"), lines).unwrap();
}

fn main() {
    if let (Ok(dir), Ok(n)) = (std::env::var("CAPOL_EVAL_WRITE"), std::env::var("CAPOL_EVAL_ITERS")) {
        write_files(&dir, n.parse().unwrap());
        return;
    }
    if let (Ok(mode), Ok(n)) = (std::env::var("CAPOL_EVAL_MODE"), std::env::var("CAPOL_EVAL_ITERS")) {
        counted(&mode, n.parse().unwrap());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
