//! Benchmark: `capol lint` over a generated workspace of 195 policies (the tenant limit), 40
//! named locations and 30 groups. The goal is under 20 ms for the lint itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;

use capol::Sources;
use capol::eval::Engine;
use capol::lint::{self, Date, LintConfig};
use criterion::{Criterion, criterion_group, criterion_main};

/// A deterministic workspace: the shapes of a real baseline (all-users policies excluding the
/// break-glass group, group- and role-scoped ones, legacy, risk, location, platform and
/// registration policies) in every state.
fn workspace(n_policies: usize) -> String {
    let mut out = String::from("tenant { edition = p2 }\ngroup break_glass { emergency_access }\n");
    for g in 0..30 {
        writeln!(out, "group g{g} {{ display_name = \"Group {g}\" }}").unwrap();
    }
    for (i, role) in
        ["Global Administrator", "Security Administrator", "Exchange Administrator", "User Administrator"]
            .iter()
            .enumerate()
    {
        writeln!(out, "role r{i} = builtin(\"{role}\")").unwrap();
    }
    out.push_str("role directory_sync = builtin(\"Directory Synchronization Accounts\")\n");
    out.push_str("auth_strength phishing_resistant = builtin(\"Phishing-resistant MFA\")\n");
    for a in 0..10 {
        writeln!(out, "app a{a} = \"{:08x}-0000-4000-8000-000000000000\"", 0x1000 + a).unwrap();
    }
    for l in 0..35 {
        write!(out, "location l{l} {{ {} ip ", if l % 3 == 0 { "trusted" } else { "" }).unwrap();
        let ranges: Vec<String> =
            (0..40).map(|r| format!("{}.{}.{}.0/24", 20 + l, r / 4, (r % 4) * 64)).collect();
        writeln!(out, "{} }}", ranges.join(", ")).unwrap();
    }
    for c in 0..5 {
        writeln!(out, "location c{c} {{ countries {} }}", ["KP", "IR", "SY", "CU", "RU"][c]).unwrap();
    }
    let states = ["enabled", "enabled", "enabled", "report_only", "disabled"];
    for p in 0..n_policies {
        let state = states[p % states.len()];
        let users = match p % 4 {
            0 => "include all  exclude group break_glass".to_owned(),
            1 => format!("include group g{}  exclude group break_glass, group g{}", p % 30, (p + 7) % 30),
            2 => format!("include role r{}  exclude group break_glass", p % 4),
            _ => "include all  exclude group break_glass, role directory_sync".to_owned(),
        };
        let target = match p % 5 {
            0 | 1 => "target apps all".to_owned(),
            2 => "target apps office365".to_owned(),
            3 => format!("target apps a{}, a{}", p % 10, (p + 3) % 10),
            _ => "target action register_security_info".to_owned(),
        };
        let condition = match p % 6 {
            0 => format!("locations {{ include any  exclude l{} }}", p % 35),
            1 => "client_apps exchange_active_sync, other".to_owned(),
            2 => "platforms { include ios, android }".to_owned(),
            3 => "sign_in_risk high".to_owned(),
            4 => format!("locations {{ include c{} }}", p % 5),
            _ => String::new(),
        };
        let grant = match (p % 5 == 4, p % 7) {
            (true, _) => "grant block",
            (_, 0 | 1) => "grant block",
            (_, 2) => "grant auth_strength phishing_resistant",
            (_, 3) => "grant any(compliant_device, domain_joined_device)",
            _ => "grant mfa",
        };
        let since = if state == "report_only" { "  report_only_since = \"2026-10-01\"\n" } else { "" };
        writeln!(
            out,
            "policy \"P{p:03}\" {{\n  state = {state}\n{since}  users {{ {users} }}\n  {target}\n  {condition}\n  {grant}\n}}"
        )
        .unwrap();
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut sources = Sources::new();
    sources.add("bench.capol", workspace(195));
    let config = LintConfig { today: Date::parse("2026-11-25"), ..LintConfig::default() };
    let (checked, diags) = capol::check_workspace(&sources);
    assert!(!diags.has_errors(), "{diags:?}");
    let (files, checked) = checked.unwrap();
    let program = capol::compile::compile(&checked);
    assert_eq!(program.policies.len(), 195);
    let findings = {
        let engine = Engine::new(&program);
        lint::lint(&sources, &files, &checked, &program, &engine, &config)
    };
    assert!(!findings.is_empty());
    c.bench_function("lint 195 policies (engine built, rules run)", |b| {
        b.iter(|| {
            let engine = Engine::new(&program);
            lint::lint(&sources, &files, &checked, &program, &engine, &config)
        });
    });
    c.bench_function("lint 195 policies (parse, check, compile and lint)", |b| {
        b.iter(|| lint::lint_workspace(&sources, &config));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
