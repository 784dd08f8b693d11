//! Timing statistics, heap accounting and the machine description.

use std::time::Instant;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

/// Every heap allocation of the process is counted.
#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Latency statistics over many sign-ins.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Median, nanoseconds.
    pub median: f64,
    /// 99th percentile, nanoseconds.
    pub p99: f64,
    /// Number of samples.
    pub samples: usize,
}

/// Statistics of nanosecond samples.
pub fn latency(mut samples: Vec<f64>) -> Latency {
    samples.sort_by(f64::total_cmp);
    let n = samples.len().max(1);
    let at = |q: f64| samples.get(((n as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    Latency { median: at(0.5), p99: at(0.99), samples: samples.len() }
}

/// The median cost of reading the clock twice, nanoseconds: subtracted from per-call samples.
pub fn timer_overhead() -> f64 {
    let mut v: Vec<f64> = (0..20_000)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(());
            t.elapsed().as_nanos() as f64
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Time `f` once per item, `passes` times over all items (the first pass warms up and is not
/// kept), minus the clock's own cost.
pub fn per_call<T>(items: &[T], passes: usize, overhead: f64, mut f: impl FnMut(&T)) -> Latency {
    let mut samples = Vec::with_capacity(items.len() * passes.saturating_sub(1).max(1));
    for pass in 0..passes.max(1) {
        for x in items {
            let t = Instant::now();
            f(x);
            let ns = t.elapsed().as_nanos() as f64;
            if pass > 0 || passes == 1 {
                samples.push((ns - overhead).max(1.0));
            }
        }
    }
    latency(samples)
}

/// Sign-ins per second of `f` over all items, `passes` times, with no clock read per call.
pub fn throughput<T>(items: &[T], passes: usize, mut f: impl FnMut(&T)) -> f64 {
    let t = Instant::now();
    for _ in 0..passes {
        for x in items {
            f(x);
        }
    }
    (items.len() * passes) as f64 / t.elapsed().as_secs_f64()
}

/// Heap change while running `f`: (net bytes still allocated, allocations made).
pub fn heap<R>(f: impl FnOnce() -> R) -> (R, i64, usize) {
    let region = Region::new(GLOBAL);
    let r = f();
    let s = region.change();
    let net = s.bytes_allocated as i64 - s.bytes_deallocated as i64 + s.bytes_reallocated as i64;
    (r, net, s.allocations + s.reallocations)
}

/// The machine: CPU model, logical CPUs, memory, and the CPUs this process may run on.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown", str::trim)
        .to_owned();
    let cpus = cpuinfo.lines().filter(|l| l.starts_with("processor")).count();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let allowed = status
        .lines()
        .find(|l| l.starts_with("Cpus_allowed_list"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("?", str::trim)
        .to_owned();
    format!(
        "{model}; nproc {cpus}; {:.1} GiB memory; this run on CPU(s) {allowed}; rustc release profile",
        mem_kib as f64 / 1024.0 / 1024.0
    )
}

/// A duration in the most readable unit.
pub fn ns(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2} ms", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.2} µs", x / 1e3)
    } else {
        format!("{x:.0} ns")
    }
}

/// A ratio, rounded, with thousands separators: `1,234×`.
pub fn times(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push('×');
    out
}

/// A rate in sign-ins per second.
pub fn rate(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2} M/s", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1} k/s", x / 1e3)
    } else {
        format!("{x:.1} /s")
    }
}

/// Replace the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `path` (appending
/// the marked section when absent).
pub fn write_section(path: &str, name: &str, body: &str) -> std::io::Result<()> {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{begin}\n{body}\n{end}");
    let new = match (old.find(&begin), old.find(&end)) {
        (Some(b), Some(e)) if b < e => format!("{}{section}{}", &old[..b], &old[e + end.len()..]),
        _ => format!("{old}{}{section}\n", if old.is_empty() || old.ends_with("\n\n") { "" } else { "\n" }),
    };
    std::fs::write(path, new)
}
