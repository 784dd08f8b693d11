//! Criterion benchmarks of the front end: parse, check and compile of generated workspaces.
//!
//! `cargo bench --bench pipeline`. The headline figure is `pipeline/parse_check_compile/195`: 195
//! policies and 195 named locations of 2,000 ranges each (390,000 ranges, about 6 MB of text).

use capol::Sources;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// (policies, locations, ranges per location) of the measured workspaces.
const SIZES: [(usize, usize, usize); 3] = [(10, 10, 100), (195, 195, 2000), (2000, 195, 2000)];

fn sources_for(text: &str) -> Sources {
    let mut sources = Sources::new();
    sources.add("generated.capol", text);
    sources
}

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(20);
    for (policies, locations, ranges) in SIZES {
        let text = capol::generate::workspace(42, policies, locations, ranges);
        let sources = sources_for(&text);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("parse", policies), &sources, |b, sources| {
            b.iter(|| capol::parse_workspace(sources))
        });
        let (files, _) = capol::parse_workspace(&sources);
        group.bench_with_input(BenchmarkId::new("check", policies), &files, |b, files| {
            b.iter(|| capol::check::check_partial(&sources, files, &[]))
        });
        if let (Some(checked), _) = capol::check::check(&sources, &files) {
            group.bench_with_input(BenchmarkId::new("compile", policies), &checked, |b, checked| {
                b.iter(|| capol::compile::compile(checked))
            });
        }
        group.bench_with_input(BenchmarkId::new("parse_check_compile", policies), &sources, |b, sources| {
            b.iter(|| capol::compile_workspace(sources))
        });
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
