//! capol's scaling: evaluation time against the number of policies and of ranges per location,
//! and heap per policy. Each point is a fresh workspace from the same generator (device-filter
//! lines removed, as in the comparison), 10,000 sign-ins from the same sign-in generator.

use std::fmt::Write as _;

use capol::eval::{Applicable, Engine, Evaluation, Resolver, Scenario, SignIn};

use crate::measure::{self, ns, rate};
use crate::straightforward::Straightforward;
use crate::workload;

const SIGN_INS: usize = 10_000;

/// One measured point.
struct Point {
    policies: usize,
    ranges: usize,
    intervals: usize,
    applicable: measure::Latency,
    throughput: f64,
    explain: measure::Latency,
    engine_heap: i64,
    program_heap: i64,
    plain: Option<measure::Latency>,
}

fn point(policies: usize, locations: usize, ranges: usize, with_plain: bool) -> Result<Point, String> {
    eprintln!("scaling: {policies} policies, {locations} locations × {ranges} ranges");
    let (program, program_heap, _) = measure::heap(|| workload::program(policies, locations, ranges));
    let program = program?;
    let (engine, engine_heap, _) = measure::heap(|| Engine::new(&program));
    let dir = workload::directory(&program);
    let sign_ins = workload::sign_ins(&program, 7, SIGN_INS);
    let resolver = Resolver::new(&engine);
    let resolved: Vec<SignIn> = sign_ins
        .iter()
        .map(|s| {
            let line = s.scenario_json(&dir);
            Scenario::from_json(&line)
                .and_then(|x| resolver.resolve(&x))
                .map_err(|e| format!("{line}: {e:?}"))
        })
        .collect::<Result<_, _>>()?;
    let overhead = measure::timer_overhead();
    let mut out = Applicable::default();
    let applicable = measure::per_call(&resolved, 4, overhead, |s| {
        engine.applicable_into(s, &mut out);
        std::hint::black_box(out.policies.len());
    });
    let throughput = measure::throughput(&resolved, 10, |s| {
        engine.applicable_into(s, &mut out);
        std::hint::black_box(out.policies.len());
    });
    let mut ev = Evaluation::default();
    let explain = measure::per_call(&resolved, 3, overhead, |s| {
        engine.evaluate_into(s, &mut ev);
        std::hint::black_box(ev.applied.len());
    });
    let plain = with_plain.then(|| {
        let graph = workload::graph(&program);
        let plain = Straightforward::new(&graph.policies, &graph.locations);
        let views: Vec<workload::View<'_>> = sign_ins.iter().map(|s| s.graph_view(&dir)).collect();
        let mut buf = Vec::new();
        let sample = &views[..views.len().min(2000)];
        measure::per_call(sample, 2, overhead, |v| plain.applicable_into(v, &mut buf))
    });
    let (v4, v6) = engine.ip_intervals();
    Ok(Point {
        policies: program.policies.len(),
        ranges,
        intervals: v4 + v6,
        applicable,
        throughput,
        explain,
        engine_heap,
        program_heap,
        plain,
    })
}

/// Run every point and format the tables.
pub fn run() -> Result<String, String> {
    let mut by_policies = Vec::new();
    for p in [10, 50, 195, 1000, 2000] {
        by_policies.push(point(p, 195, 2000, false)?);
    }
    let mut by_ranges = Vec::new();
    for r in [10, 100, 1000, 2000] {
        by_ranges.push(point(195, 195, r, true)?);
    }
    let mib = |b: i64| b as f64 / 1048576.0;
    let mut r = String::new();
    let _ = writeln!(r, "## Scaling (`capol-peers scaling`)\n");
    let _ = writeln!(r, "Machine: {}.\n", measure::machine());
    let _ = writeln!(
        r,
        "Each row is a fresh `workspace(42, policies, 195, ranges)` (device-filter lines removed) and \
         {SIGN_INS} sign-ins from the comparison's generator. Entra allows at most 195 policies (`capol check` \
         enforces it), so the 1,000- and 2,000-policy rows extend the IR with the policies of workspaces from \
         further seeds (the engine evaluates any IR). Latencies are per call (clock cost \
         subtracted), throughput back-to-back; heap is counted by a global allocator \
         (`stats_alloc`): bytes still allocated after `Engine::new` (the engine keeps its own copy of \
         the IR) and after compiling the text to IR.\n"
    );
    let _ = writeln!(r, "**Policies** (195 locations × 2,000 ranges):\n");
    let _ = writeln!(
        r,
        "| policies | `applicable_into` median | p99 | throughput | `evaluate_into` median | engine heap | IR heap |"
    );
    let _ = writeln!(r, "|---:|---:|---:|---:|---:|---:|---:|");
    for p in &by_policies {
        let _ = writeln!(
            r,
            "| {} | {} | {} | {} | {} | {:.1} MiB | {:.1} MiB |",
            p.policies,
            ns(p.applicable.median),
            ns(p.applicable.p99),
            rate(p.throughput),
            ns(p.explain.median),
            mib(p.engine_heap),
            mib(p.program_heap)
        );
    }
    if let (Some(first), Some(last)) = (by_policies.first(), by_policies.last()) {
        let dp = (last.policies - first.policies) as f64;
        let _ = writeln!(
            r,
            "\nHeap per policy (marginal, {} → {} policies): engine {:.0} bytes, IR {:.0} bytes; \
             `applicable_into` median grows {:.1}× for {:.0}× the policies.\n",
            first.policies,
            last.policies,
            (last.engine_heap - first.engine_heap) as f64 / dp,
            (last.program_heap - first.program_heap) as f64 / dp,
            last.applicable.median / first.applicable.median,
            last.policies as f64 / first.policies as f64
        );
    }
    let _ = writeln!(r, "**Ranges per location** (195 policies, 195 locations):\n");
    let _ = writeln!(
        r,
        "| ranges / location | total ranges | intervals | capol `applicable_into` median | p99 | straightforward median | engine heap |"
    );
    let _ = writeln!(r, "|---:|---:|---:|---:|---:|---:|---:|");
    for p in &by_ranges {
        let _ = writeln!(
            r,
            "| {} | {} | {} | {} | {} | {} | {:.1} MiB |",
            p.ranges,
            p.ranges * 195,
            p.intervals,
            ns(p.applicable.median),
            ns(p.applicable.p99),
            p.plain.map_or("-".to_owned(), |l| ns(l.median)),
            mib(p.engine_heap)
        );
    }
    if let (Some(first), Some(last)) = (by_ranges.first(), by_ranges.last()) {
        let _ = writeln!(
            r,
            "\nFrom {} to {} ranges per location ({:.0}× the ranges) capol's median grows {:.2}×; the \
             straightforward evaluator's {:.0}×.",
            first.ranges,
            last.ranges,
            last.ranges as f64 / first.ranges as f64,
            last.applicable.median / first.applicable.median,
            match (first.plain, last.plain) {
                (Some(a), Some(b)) => b.median / a.median,
                _ => f64::NAN,
            }
        );
    }
    Ok(r)
}
