//! capol's evaluator side by side with Cedar, Rego (regorus) and a straightforward Rust evaluator
//! on the same generated policy set and the same sign-ins, after checking that all four agree on
//! which policies apply to every sign-in; and capol's scaling with policies and ranges.
//!
//! ```text
//! cargo build --release
//! taskset -c 1 target/release/capol-peers compare --write ../../BENCHMARKS.md
//! taskset -c 1 target/release/capol-peers scaling --write ../../BENCHMARKS.md
//! ```

mod cedar;
mod measure;
mod rego;
mod scaling;
mod straightforward;
mod workload;

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use capol::eval::batch::{Batch, LineOutput, Scratch, evaluate_line};
use capol::eval::{Applicable, Engine, Evaluation, Input, Resolver, Scenario};
use measure::{Latency, ns, rate};

use workload::{LOCATIONS, POLICIES, RANGES};

/// Command-line options.
struct Options {
    command: String,
    sign_ins: usize,
    timed: usize,
    write: Option<String>,
    evaluator: String,
    policies: usize,
    ranges: usize,
    agree_ranges: usize,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        command: "compare".into(),
        sign_ins: 10_000,
        timed: 200,
        write: None,
        evaluator: "capol".into(),
        policies: POLICIES,
        ranges: RANGES,
        agree_ranges: 20,
    };
    let mut first = true;
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("`{name}` needs a value"));
        match a.as_str() {
            "compare" | "scaling" | "instr" if first => o.command = a,
            "--evaluator" => o.evaluator = value("--evaluator")?,
            "--policies" => {
                o.policies = value("--policies")?.parse().map_err(|e| format!("--policies: {e}"))?
            }
            "--agree-ranges" => {
                o.agree_ranges =
                    value("--agree-ranges")?.parse().map_err(|e| format!("--agree-ranges: {e}"))?
            }
            "--ranges" => o.ranges = value("--ranges")?.parse().map_err(|e| format!("--ranges: {e}"))?,
            "--sign-ins" => {
                o.sign_ins = value("--sign-ins")?.parse().map_err(|e| format!("--sign-ins: {e}"))?
            }
            "--timed" => o.timed = value("--timed")?.parse().map_err(|e| format!("--timed: {e}"))?,
            "--write" => o.write = Some(value("--write")?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: capol-peers [compare|scaling|instr] [--sign-ins N] [--timed N] [--write FILE] [--evaluator capol|capol-devices|explain|jsonl|jsonl-fast|jsonl-summary|plain|cedar|rego|compile] [--policies N] [--ranges N] [--agree-ranges N]"
                ));
            }
        }
        first = false;
    }
    Ok(o)
}

fn main() -> ExitCode {
    let result = options().and_then(|o| {
        let report = match o.command.as_str() {
            "scaling" => scaling::run()?,
            "instr" => instr(&o)?,
            _ => compare(&o)?,
        };
        println!("{report}");
        if let Some(path) = &o.write {
            let section = if o.command == "scaling" { "scaling" } else { "peers" };
            measure::write_section(path, section, &report).map_err(|e| format!("{path}: {e}"))?;
            eprintln!("wrote the `{section}` section of {path}");
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One row of the comparison table.
struct Row {
    name: String,
    latency: Latency,
    throughput: f64,
    sign_ins: usize,
}

fn progress(what: &str, i: usize, n: usize) {
    if i.is_multiple_of(1000) || i + 1 == n {
        eprint!("\r{what}: {}/{n}   ", i + 1);
        if i + 1 == n {
            eprintln!();
        }
    }
}

fn compare(o: &Options) -> Result<String, String> {
    let started = Instant::now();
    let (policies, ranges) = (o.policies, o.ranges);
    eprintln!("generating and compiling {policies} policies, {LOCATIONS} locations × {ranges} ranges");
    let text = workload::workspace_text(42, policies, LOCATIONS, ranges);
    let t = Instant::now();
    let program = workload::compile(&text)?;
    let compile_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let (engine, engine_heap, _) = measure::heap(|| Engine::new(&program));
    let engine_ms = t.elapsed().as_secs_f64() * 1e3;
    let (v4, v6) = engine.ip_intervals();
    let graph = workload::graph(&program);
    let dir = workload::directory(&program);
    let sign_ins = workload::sign_ins(&program, 7, o.sign_ins);
    let n = sign_ins.len();
    let timed = o.timed.min(n);

    // capol: scenarios resolved once (as a batch resolves them), then the engine.
    let lines: Vec<String> = sign_ins.iter().map(|s| s.scenario_json(&dir)).collect();
    let resolver = Resolver::new(&engine);
    let resolved = lines
        .iter()
        .map(|l| Scenario::from_json(l).and_then(|s| resolver.resolve(&s)).map_err(|e| format!("{l}: {e:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    let views: Vec<workload::View<'_>> = sign_ins.iter().map(|s| s.graph_view(&dir)).collect();

    eprintln!("building the straightforward evaluator");
    let plain = straightforward::Straightforward::new(&graph.policies, &graph.locations);

    eprintln!("encoding and parsing the Cedar policies");
    let t = Instant::now();
    let (cedar, cedar_heap, _) = measure::heap(|| cedar::Cedar::new(&graph.policies, &graph.locations, &dir));
    let mut cedar = cedar?;
    cedar.add_resources(&views)?;
    let cedar_ms = t.elapsed().as_secs_f64() * 1e3;
    let requests = views.iter().map(|v| cedar.request(v)).collect::<Result<Vec<_>, _>>()?;

    eprintln!("loading the Rego policy and data into regorus (interpreter and RVM)");
    let data = serde_json::json!({"policies": graph.policies, "locations": graph.locations});
    let t = Instant::now();
    let (interp, rego_heap, _) = measure::heap(|| rego::Rego::new(data.clone(), rego::Mode::Interpreter));
    let mut interp = interp?;
    let rego_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut vm = rego::Rego::new(data, rego::Mode::Vm)?;
    let inputs: Vec<regorus::Value> = views.iter().map(|v| regorus::Value::from(v.rego_input())).collect();

    // --- agreement -------------------------------------------------------------------------
    let sample = 50.min(n);
    let mut buf = Vec::new();
    let mut errors = Vec::new();
    let interp_t = measure::per_call(&inputs[..sample], 1, 0.0, |x| {
        if let Err(e) = interp.applicable_into(x, &mut buf) {
            errors.push(format!("interpreter: {e}"));
        }
    });
    let vm_t = measure::per_call(&inputs[..sample], 1, 0.0, |x| {
        if let Err(e) = vm.applicable_into(x, &mut buf) {
            errors.push(format!("RVM: {e}"));
        }
    });
    if let Some(e) = errors.first() {
        return Err(format!("regorus failed on {} of {sample} sign-ins; first: {e}", errors.len()));
    }
    let (mut rego, rego_mode, other_mode, other_t) = if vm_t.median <= interp_t.median {
        (vm, rego::Mode::Vm, rego::Mode::Interpreter, interp_t)
    } else {
        (interp, rego::Mode::Interpreter, rego::Mode::Vm, vm_t)
    };
    let rego_t = if rego_mode == rego::Mode::Vm { vm_t } else { interp_t };
    eprintln!(
        "regorus on {sample} sign-ins: {} median {}, {} median {} — using {}",
        rego_mode.label(),
        ns(rego_t.median),
        other_mode.label(),
        ns(other_t.median),
        rego_mode.label()
    );

    eprintln!(
        "checking agreement: capol and straightforward on {n} sign-ins, Cedar and Rego on the first {timed}"
    );
    let mut applicable = Applicable::default();
    let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut disagreements = Vec::new();
    let mut applied_total = 0usize;
    let mut with_ranges = 0usize;
    for i in 0..n {
        progress("agreement", i, n);
        engine.applicable_into(&resolved[i], &mut applicable);
        a.clear();
        a.extend_from_slice(&applicable.policies);
        plain.applicable_into(&views[i], &mut b);
        applied_total += a.len();
        with_ranges += usize::from(applicable.env.ip_set != 0);
        let slow = i < timed;
        if slow {
            cedar.applicable_into(&requests[i], &mut c)?;
            rego.applicable_into(&inputs[i], &mut d)?;
        }
        if a != b || (slow && (a != c || a != d)) {
            disagreements.push(format!(
                "sign-in {i} {}: capol {a:?}, straightforward {b:?}, cedar {c:?}, rego {d:?}",
                lines[i]
            ));
        }
    }
    if !disagreements.is_empty() {
        return Err(format!(
            "{} of {n} sign-ins disagree; first:\n{}",
            disagreements.len(),
            disagreements.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
        ));
    }
    eprintln!("agreement holds ({applied_total} applying policies in all)");

    // --- timing ----------------------------------------------------------------------------
    let overhead = measure::timer_overhead();
    eprintln!("timing capol (clock overhead {overhead:.0} ns, subtracted)");
    let (capol_lat, _, capol_allocs) = measure::heap(|| {
        measure::per_call(&resolved, 4, overhead, |s| {
            engine.applicable_into(s, &mut applicable);
            std::hint::black_box(applicable.policies.len());
        })
    });
    let capol_same = measure::per_call(&resolved[..timed], 4, overhead, |s| {
        engine.applicable_into(s, &mut applicable);
        std::hint::black_box(applicable.policies.len());
    });
    let capol_tp = measure::throughput(&resolved, 20, |s| {
        engine.applicable_into(s, &mut applicable);
        std::hint::black_box(applicable.policies.len());
    });
    let mut evaluation = Evaluation::default();
    let explain_lat = measure::per_call(&resolved, 3, overhead, |s| {
        engine.evaluate_into(s, &mut evaluation);
        std::hint::black_box(evaluation.applied.len());
    });
    let explain_tp = measure::throughput(&resolved, 10, |s| {
        engine.evaluate_into(s, &mut evaluation);
        std::hint::black_box(evaluation.applied.len());
    });
    let mut scratch = Scratch::default();
    let numbered: Vec<(u64, &String)> = lines.iter().enumerate().map(|(i, l)| (i as u64 + 1, l)).collect();
    let mut line_error = None;
    let jsonl_lat = measure::per_call(&numbered, 3, overhead, |(i, l)| {
        if let Err(e) = evaluate_line(&resolver, Input::Scenario, *i, l, &mut scratch) {
            line_error = Some(e);
        }
    });
    let jsonl_tp = measure::throughput(&numbered, 5, |(i, l)| {
        let _ = std::hint::black_box(evaluate_line(&resolver, Input::Scenario, *i, l, &mut scratch));
    });
    if let Some(e) = line_error {
        return Err(format!("capol could not evaluate a line: {e:?}"));
    }

    eprintln!("timing the straightforward evaluator");
    let plain_lat = measure::per_call(&views, 2, overhead, |v| {
        plain.applicable_into(v, &mut b);
    });
    let plain_tp = measure::throughput(&views, 1, |v| plain.applicable_into(v, &mut b));

    eprintln!("timing Cedar on {timed} sign-ins");
    let t = Instant::now();
    let cedar_lat = measure::per_call(&requests[..timed], 1, overhead, |r| {
        let _ = cedar.applicable_into(r, &mut c);
    });
    let cedar_tp = timed as f64 / t.elapsed().as_secs_f64();

    eprintln!("timing Rego ({}) on {timed} sign-ins", rego_mode.label());
    let t = Instant::now();
    let rego_lat = measure::per_call(&inputs[..timed], 1, overhead, |x| {
        let _ = rego.applicable_into(x, &mut d);
    });
    let rego_tp = timed as f64 / t.elapsed().as_secs_f64();

    // --- report ----------------------------------------------------------------------------
    let rows = [
        Row {
            name: "**capol** `Engine::applicable_into`".into(),
            latency: capol_lat,
            throughput: capol_tp,
            sign_ins: n,
        },
        Row {
            name: "capol `Engine::evaluate_into` (every policy explained)".into(),
            latency: explain_lat,
            throughput: explain_tp,
            sign_ins: n,
        },
        Row {
            name: "capol JSON line → decision (parse, resolve, evaluate, decide)".into(),
            latency: jsonl_lat,
            throughput: jsonl_tp,
            sign_ins: n,
        },
        Row {
            name: "straightforward Rust (ipnetwork `contains`)".into(),
            latency: plain_lat,
            throughput: plain_tp,
            sign_ins: n,
        },
        Row {
            name: "Cedar (`cedar-policy` 4.14, `isInRange`)".into(),
            latency: cedar_lat,
            throughput: cedar_tp,
            sign_ins: timed,
        },
        Row {
            name: format!("Rego (`regorus` 0.14, {}, `net.cidr_contains`)", rego_mode.label()),
            latency: rego_lat,
            throughput: rego_tp,
            sign_ins: timed,
        },
    ];
    let mut r = String::new();
    let _ = writeln!(r, "## Peer comparison (`capol-peers compare`)\n");
    let _ = writeln!(r, "Machine: {}.\n", measure::machine());
    let _ = writeln!(
        r,
        "Workload: `capol::generate::workspace(42, {policies}, {LOCATIONS}, {ranges})` without its device-filter lines \
         ({} policies: {} enabled, {} report-only, {} disabled; {} named locations, {} ranges, {v4} IPv4 and {v6} \
         IPv6 intervals after folding); {n} sign-ins from `workload::sign_ins(seed 7)`, {:.0}% of them from an \
         address inside some named location, {:.1} applying policies per sign-in on average.\n",
        program.policies.len(),
        program.policies.iter().filter(|p| p.state == capol::ir::PolicyState::Enabled).count(),
        program.policies.iter().filter(|p| p.state == capol::ir::PolicyState::ReportOnly).count(),
        program.policies.iter().filter(|p| p.state == capol::ir::PolicyState::Disabled).count(),
        program.locations.len(),
        program
            .locations
            .iter()
            .map(|l| match &l.kind {
                capol::ir::LocationKind::Ip { ranges, .. } => ranges.len(),
                _ => 0,
            })
            .sum::<usize>(),
        100.0 * with_ranges as f64 / n as f64,
        applied_total as f64 / n as f64,
    );
    let _ = writeln!(
        r,
        "Agreement on this set, checked before any timing (the run fails otherwise): capol and the \
         straightforward evaluator return the same applying policies for all {n} sign-ins, and Cedar and \
         Rego for the first {timed} (at about a second per sign-in, Cedar cannot do all {n} here; see the \
         agreement set below for all four on {n}).\n"
    );
    let _ = writeln!(
        r,
        "| Evaluator | median / sign-in | p99 / sign-in | throughput (1 core) | timed sign-ins |"
    );
    let _ = writeln!(r, "|---|---:|---:|---:|---:|");
    for row in &rows {
        let _ = writeln!(
            r,
            "| {} | {} | {} | {} | {} |",
            row.name,
            ns(row.latency.median),
            ns(row.latency.p99),
            rate(row.throughput),
            row.sign_ins
        );
    }
    // Cedar and Rego are compared on the same first sign-ins they were timed on.
    let ratio =
        |x: &Row| x.latency.median / if x.sign_ins < n { capol_same.median } else { capol_lat.median };
    let ratio_tp = |x: &Row| capol_tp / x.throughput;
    let _ = writeln!(r, "\nRatios (how many times faster capol's `applicable_into` is; goal in brackets):\n");
    let _ = writeln!(r, "| vs | median latency | throughput | goal |");
    let _ = writeln!(r, "|---|---:|---:|---|");
    for (row, goal) in [(&rows[4], "≥ 1,000×"), (&rows[5], "≥ 1,000×"), (&rows[3], "≥ 40×")] {
        let _ = writeln!(
            r,
            "| {} | {} | {} | {goal} |",
            row.name,
            measure::times(ratio(row)),
            measure::times(ratio_tp(row))
        );
    }
    let _ = writeln!(
        r,
        "\nOther figures from the same run: capol check + compile of the workspace text {compile_ms:.0} ms \
         (wall, see the criterion figure below); `Engine::new` {engine_ms:.0} ms, {:.1} MiB of heap; \
         heap allocations during {} timed `applicable_into` calls: {capol_allocs}. Cedar: {} policies emitted, \
         {} `isInRange` terms, {:.1} MB of policy text, encoded and parsed in {cedar_ms:.0} ms, {:.0} MiB of heap. \
         regorus: data loaded in {rego_ms:.0} ms, {:.0} MiB of heap; on the first {sample} sign-ins the {} \
         took {} and the {} {} (median), so the table uses the {}. Latencies are per call, minus the \
         clock's own {overhead:.0} ns; throughputs are back-to-back calls without clock reads (capol: 20 passes \
         over the {n} sign-ins). Total run {:.0} s.\n",
        engine_heap as f64 / 1048576.0,
        capol_lat.samples,
        cedar.emitted(),
        cedar.ip_terms,
        cedar.text_bytes as f64 / 1e6,
        cedar_heap as f64 / 1048576.0,
        rego_heap as f64 / 1048576.0,
        rego_mode.label(),
        ns(rego_t.median),
        other_mode.label(),
        ns(other_t.median),
        rego_mode.label(),
        started.elapsed().as_secs_f64(),
    );
    drop((cedar, requests, rego, inputs));
    let (agreed, agreed_applied, agreed_s) = agreement_set(o.agree_ranges, n)?;
    let _ = writeln!(
        r,
        "Agreement set: `workspace(42, {policies}, {LOCATIONS}, {})` (the same generator with {} ranges per \
         location, so Cedar and Rego are fast enough for every sign-in), {agreed} sign-ins from the same sign-in \
         generator: **all four evaluators return the same applying policies for all {agreed} sign-ins** \
         ({agreed_applied} applying policies in all; checked in {agreed_s:.0} s).\n",
        o.agree_ranges, o.agree_ranges
    );
    Ok(r)
}

/// All four evaluators on `n` sign-ins of `workspace(42, 195, 195, ranges)`: the sign-ins on
/// which they disagree make an error. Returns (sign-ins, applying policies, seconds).
fn agreement_set(ranges: usize, n: usize) -> Result<(usize, usize, f64), String> {
    let t = Instant::now();
    eprintln!("agreement set: {POLICIES} policies, {LOCATIONS} locations × {ranges} ranges, {n} sign-ins");
    let program = workload::compile(&workload::workspace_text(42, POLICIES, LOCATIONS, ranges))?;
    let engine = Engine::new(&program);
    let graph = workload::graph(&program);
    let dir = workload::directory(&program);
    let sign_ins = workload::sign_ins(&program, 7, n);
    let resolver = Resolver::new(&engine);
    let lines: Vec<String> = sign_ins.iter().map(|s| s.scenario_json(&dir)).collect();
    let resolved = lines
        .iter()
        .map(|l| Scenario::from_json(l).and_then(|s| resolver.resolve(&s)).map_err(|e| format!("{l}: {e:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    let views: Vec<workload::View<'_>> = sign_ins.iter().map(|s| s.graph_view(&dir)).collect();
    let plain = straightforward::Straightforward::new(&graph.policies, &graph.locations);
    let mut cedar = cedar::Cedar::new(&graph.policies, &graph.locations, &dir)?;
    cedar.add_resources(&views)?;
    let data = serde_json::json!({"policies": graph.policies, "locations": graph.locations});
    let mut rego = rego::Rego::new(data, rego::Mode::Vm)?;
    let mut applicable = Applicable::default();
    let (mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new());
    let mut bad = Vec::new();
    let mut total = 0;
    for i in 0..n {
        progress("agreement set", i, n);
        engine.applicable_into(&resolved[i], &mut applicable);
        let a = &applicable.policies;
        plain.applicable_into(&views[i], &mut b);
        cedar.applicable_into(&cedar.request(&views[i])?, &mut c)?;
        rego.applicable_into(&regorus::Value::from(views[i].rego_input()), &mut d)?;
        total += a.len();
        if *a != b || *a != c || *a != d {
            bad.push(format!(
                "sign-in {i} {}: capol {a:?}, straightforward {b:?}, cedar {c:?}, rego {d:?}",
                lines[i]
            ));
        }
    }
    if let Some(first) = bad.first() {
        return Err(format!("agreement set: {} of {n} sign-ins disagree; first: {first}", bad.len()));
    }
    Ok((n, total, t.elapsed().as_secs_f64()))
}

/// Run `f` over every item once. Not inlined, so `valgrind --tool=callgrind
/// --toggle-collect='*measured*'` counts the instructions of exactly these calls.
#[inline(never)]
fn measured<T>(items: &[T], mut f: impl FnMut(&T)) {
    for x in items {
        f(x);
    }
}

/// One evaluator over `--sign-ins` sign-ins of a `workspace(42, --policies, 195, --ranges)`, once,
/// for instruction counting under callgrind (see `measured`).
fn instr(o: &Options) -> Result<String, String> {
    if o.evaluator == "compile" {
        // Parse, check and compile the workspace text once.
        let text = capol::generate::workspace(42, o.policies, LOCATIONS, o.ranges);
        let mut policies = 0;
        measured(std::slice::from_ref(&text), |t| {
            policies = workload::compile(t).map_or(0, |p| p.policies.len());
        });
        return Ok(format!("compile: {policies} policies"));
    }
    // `capol-devices`: the generator's workspace as it is, device filters included, and sign-ins
    // from a registered, compliant, Entra-joined device (as `benches/eval.rs` has them).
    let devices = o.evaluator == "capol-devices";
    let text = if devices {
        capol::generate::workspace(42, o.policies, LOCATIONS, o.ranges)
    } else {
        workload::workspace_text(42, o.policies, LOCATIONS, o.ranges)
    };
    let program = workload::compile(&text)?;
    let engine = Engine::new(&program);
    let dir = workload::directory(&program);
    let sign_ins = workload::sign_ins(&program, 7, o.sign_ins);
    let views: Vec<workload::View<'_>> = sign_ins.iter().map(|s| s.graph_view(&dir)).collect();
    let mut out = Vec::new();
    let mut total = 0usize;
    match o.evaluator.as_str() {
        "capol" | "capol-devices" | "explain" => {
            let resolver = Resolver::new(&engine);
            let device = |mut line: String| {
                if devices {
                    line.pop();
                    line.push_str(r#","device":{"trustType":"AzureAD","isCompliant":true}}"#);
                }
                line
            };
            let resolved = sign_ins
                .iter()
                .map(|s| {
                    Scenario::from_json(&device(s.scenario_json(&dir))).and_then(|x| resolver.resolve(&x))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{e:?}"))?;
            if o.evaluator != "explain" {
                let mut a = Applicable::default();
                measured(&resolved, |s| {
                    engine.applicable_into(s, &mut a);
                    total += a.policies.len();
                });
            } else {
                let mut e = Evaluation::default();
                measured(&resolved, |s| {
                    engine.evaluate_into(s, &mut e);
                    total += e.applied.len();
                });
            }
        }
        "jsonl" => {
            let resolver = Resolver::new(&engine);
            let lines: Vec<String> = sign_ins.iter().map(|s| s.scenario_json(&dir)).collect();
            let mut scratch = Scratch::default();
            let mut n = 0u64;
            measured(&lines, |l| {
                n += 1;
                if let Ok(r) = evaluate_line(&resolver, Input::Scenario, n, l, &mut scratch) {
                    total += r.applied.len();
                }
            });
        }
        "jsonl-fast" | "jsonl-summary" => {
            // `Batch::line`, as `capol eval --batch` runs it: JSON output lines (drained as a
            // writer would), or the summary alone (`--summary-only`).
            let output = if o.evaluator == "jsonl-fast" { LineOutput::Json } else { LineOutput::None };
            let batch = Batch::new(Resolver::new(&engine), Input::Auto, output);
            let lines: Vec<String> = sign_ins.iter().map(|s| s.scenario_json(&dir)).collect();
            let mut scratch = batch.scratch();
            let mut summary = batch.summary();
            let mut buf = Vec::new();
            let mut n = 0u64;
            measured(&lines, |l| {
                n += 1;
                buf.clear();
                if batch.line(n, l, &mut scratch, &mut summary, &mut buf).is_ok() {
                    total += buf.len();
                }
            });
            total += summary.hits.iter().sum::<u64>() as usize;
        }
        "plain" => {
            let graph = workload::graph(&program);
            let plain = straightforward::Straightforward::new(&graph.policies, &graph.locations);
            measured(&views, |v| {
                plain.applicable_into(v, &mut out);
                total += out.len();
            });
        }
        "cedar" => {
            let graph = workload::graph(&program);
            let mut cedar = cedar::Cedar::new(&graph.policies, &graph.locations, &dir)?;
            cedar.add_resources(&views)?;
            let requests = views.iter().map(|v| cedar.request(v)).collect::<Result<Vec<_>, _>>()?;
            measured(&requests, |r| {
                let _ = cedar.applicable_into(r, &mut out);
                total += out.len();
            });
        }
        "rego" => {
            let graph = workload::graph(&program);
            let data = serde_json::json!({"policies": graph.policies, "locations": graph.locations});
            let mut rego = rego::Rego::new(data, rego::Mode::Vm)?;
            let inputs: Vec<regorus::Value> =
                views.iter().map(|v| regorus::Value::from(v.rego_input())).collect();
            measured(&inputs, |x| {
                let _ = rego.applicable_into(x, &mut out);
                total += out.len();
            });
        }
        other => return Err(format!("unknown evaluator `{other}`")),
    }
    Ok(format!("{}: {} sign-ins, {total} applying policies", o.evaluator, sign_ins.len()))
}
