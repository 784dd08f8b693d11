//! `capol verify`: run the `assert` blocks of a workspace over every sign-in, and report the
//! sign-ins no enforced policy protects (`--gaps`).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::output::plural;
use super::{ErrorFormat, Printer, Status, workspace};
use crate::eval::Engine;
use crate::ir;
use crate::source::Sources;
use crate::syntax::ast;
use crate::verify::assertion::{self, Counterexample};
use crate::verify::gaps::Answer;
use crate::verify::{Analysis, Replay};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Readable text.
    #[default]
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// Arguments of `capol verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// `.capol` files or directories (searched recursively); each workspace is verified.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Also report the gaps: sign-ins no enforced policy requires anything of, for all users,
    /// admins, guests, legacy clients and security info registration.
    #[arg(long)]
    pub gaps: bool,
    /// How to print results.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Most regions listed per gap question.
    #[arg(long, default_value_t = 5)]
    pub max_regions: usize,
}

/// A workspace parsed, checked and compiled, with its trees for the assertions.
pub(super) struct Loaded {
    pub sources: Sources,
    pub files: Vec<ast::File>,
    pub program: ir::Program,
}

/// Load, check and compile one workspace; diagnostics are printed.
pub(super) fn load(ws: &workspace::Workspace, printer: &Printer) -> Result<Loaded, Status> {
    let (sources, load_diags) = workspace::load(ws).map_err(|e| {
        printer.plain_error(&e.0);
        Status::Failure
    })?;
    let (checked, diags) =
        if load_diags.is_empty() { crate::check_workspace(&sources) } else { (None, load_diags) };
    printer.diagnostics(&diags, &sources);
    match checked {
        Some((files, checked)) if !diags.has_errors() => {
            Ok(Loaded { program: crate::compile::compile(&checked), files, sources })
        }
        _ => {
            printer.summary(&diags, &format!("check of {}", ws.label()));
            Err(Status::Invalid)
        }
    }
}

/// The report of one workspace.
struct Report {
    label: String,
    sources: Sources,
    analysis: Analysis,
    results: Vec<assertion::Outcome>,
    gaps: Option<Vec<Answer>>,
}

/// Whether an example's replay confirms the model; the problem otherwise.
pub(super) fn confirm(
    analysis: &Analysis,
    replay: &Result<Replay, String>,
    claimed: &crate::verify::model::Verdict,
) -> Option<String> {
    match replay {
        Err(e) => Some(format!("the example does not evaluate: {e}")),
        Ok(r) if r.verdict.as_ref() != Some(claimed) => Some(format!(
            "the engine gives `{}` where the model says `{}`",
            r.verdict.as_ref().map_or_else(|| "an unknown requirement".into(), |v| analysis.verdict_text(v)),
            analysis.verdict_text(claimed)
        )),
        Ok(_) => None,
    }
}

/// Run `capol verify`.
pub fn run(args: &VerifyArgs) -> Status {
    let printer =
        Printer::new(if args.format == Format::Human { ErrorFormat::Human } else { ErrorFormat::Json });
    let workspaces = match workspace::find_workspaces(&args.paths) {
        Ok(w) => w,
        Err(e) => {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    };
    let mut status = Status::Success;
    let mut reports = Vec::new();
    for ws in &workspaces {
        let loaded = match load(ws, &printer) {
            Ok(l) => l,
            Err(s) => {
                if status != Status::Failure {
                    status = s;
                }
                continue;
            }
        };
        let (assertions, diags) = assertion::lower(&loaded.files, &loaded.program);
        if !diags.is_empty() {
            printer.diagnostics(&diags, &loaded.sources);
            printer.summary(&diags, &format!("verify of {}", ws.label()));
            if status != Status::Failure {
                status = Status::Invalid;
            }
            continue;
        }
        let engine = Engine::new(&loaded.program);
        let analysis = Analysis::new(vec![loaded.program], &assertion::atoms(&assertions));
        let results = analysis.check(&assertions, &engine);
        let gaps = args.gaps.then(|| analysis.gaps(&engine, args.max_regions));
        for r in &results {
            if let Some(c) = &r.counterexample {
                if let Some(problem) = confirm(&analysis, &c.replay, &c.verdict) {
                    printer.plain_error(&format!("assertion `{}`: {problem}", r.assertion.name));
                    status = Status::Failure;
                }
                if status == Status::Success {
                    status = Status::Invalid;
                }
            }
        }
        for g in gaps.iter().flatten().flat_map(|a| &a.gaps) {
            if let Some(problem) = confirm(&analysis, &g.replay, &crate::verify::model::Verdict::Allow) {
                printer.plain_error(&format!("gap example: {problem}"));
                status = Status::Failure;
            }
        }
        reports.push(Report { label: ws.label(), sources: loaded.sources, analysis, results, gaps });
    }
    let text = match args.format {
        Format::Human => reports.iter().map(human).collect::<Vec<_>>().join("\n"),
        Format::Json => {
            let docs: Vec<Value> = reports.iter().map(report_json).collect();
            format!("{}\n", serde_json::to_string_pretty(&json!({"workspaces": docs})).unwrap_or_default())
        }
        Format::Sarif => format!("{}\n", serde_json::to_string_pretty(&sarif(&reports)).unwrap_or_default()),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    status
}

fn location(sources: &Sources, loc: crate::span::Loc) -> (String, usize, usize) {
    let (line, col) = sources.line_col(loc);
    (sources.path(loc.file).to_owned(), line, col)
}

/// "blocked by `A`", "requires mfa (`A`) AND compliant_device (`B`)", "no requirement".
pub(super) fn decided_by(r: &Replay) -> String {
    let d = &r.decision;
    let quote = |names: &[String]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    match d.outcome {
        crate::eval::Outcome::Block => format!("blocked by {}", quote(&d.blocked_by)),
        crate::eval::Outcome::Grant => {
            let parts: Vec<String> =
                d.requirements.iter().map(|g| format!("{} ({})", g.text(), quote(&g.policies))).collect();
            format!("requires {}", parts.join(" AND "))
        }
        crate::eval::Outcome::Allow if d.applied.is_empty() => "no enforced policy applies".into(),
        crate::eval::Outcome::Allow => format!("only session controls apply ({})", quote(&d.applied)),
    }
}

fn counterexample_lines(a: &Analysis, c: &Counterexample, out: &mut String) {
    out.push_str(&format!("      counterexample: {}\n", c.example.scenario));
    match &c.replay {
        Ok(r) => {
            out.push_str(&format!("      outcome: {} — {}\n", a.verdict_text(&c.verdict), decided_by(r)))
        }
        Err(e) => out.push_str(&format!(
            "      outcome: {} (the example does not evaluate: {e})\n",
            a.verdict_text(&c.verdict)
        )),
    }
    if !c.example.device_found {
        out.push_str(
            "      note: no concrete device matches exactly these device filters; the example has none\n",
        );
    }
    out.push_str(&format!("      failing sign-ins around it: {}\n", c.region));
}

fn human(r: &Report) -> String {
    let mut out = String::new();
    let failed = r.results.iter().filter(|x| x.counterexample.is_some()).count();
    let u = &r.analysis.universe;
    out.push_str(&format!(
        "verified {}: {}, {} hold, {} failed (sign-ins in {} target classes, {} IP classes from {} intervals, {} country classes)\n",
        r.label,
        plural(r.results.len(), "assertion"),
        r.results.len() - failed,
        failed,
        u.targets.len(),
        u.ip.len(),
        u.ip_intervals,
        u.countries.len(),
    ));
    for x in &r.results {
        let (path, line, col) = location(&r.sources, x.assertion.loc);
        match &x.counterexample {
            None => out.push_str(&format!("  ok    {}\n", x.assertion.name)),
            Some(c) => {
                out.push_str(&format!("  FAIL  {}  ({path}:{line}:{col})\n", x.assertion.name));
                out.push_str(&format!("      {}\n", x.assertion.text));
                counterexample_lines(&r.analysis, c, &mut out);
            }
        }
    }
    if let Some(answers) = &r.gaps {
        out.push_str("gaps: sign-ins no enforced policy requires anything of\n");
        for a in answers {
            if let Some(why) = &a.skipped {
                out.push_str(&format!("  {}: not asked ({why})\n", a.question.title()));
                continue;
            }
            if a.gaps.is_empty() {
                out.push_str(&format!("  {}: none\n", a.question.title()));
                continue;
            }
            out.push_str(&format!(
                "  {}: {}{}\n",
                a.question.title(),
                plural(a.gaps.len(), "region"),
                if a.more { " and more (raise --max-regions)" } else { "" }
            ));
            for g in &a.gaps {
                out.push_str(&format!("    - {}\n      e.g. {}\n", g.words, g.example.scenario));
            }
        }
    }
    out
}

fn replay_json(a: &Analysis, r: &Result<Replay, String>) -> Value {
    match r {
        Ok(r) => json!({
            "outcome": r.verdict.as_ref().map(|v| a.verdict_json(v)),
            "decided_by": decided_by(r),
            "decision": r.decision.to_json(),
        }),
        Err(e) => json!({"error": e}),
    }
}

fn report_json(r: &Report) -> Value {
    let a = &r.analysis;
    let assertions: Vec<Value> = r
        .results
        .iter()
        .map(|x| {
            let (path, line, col) = location(&r.sources, x.assertion.loc);
            json!({
                "name": x.assertion.name,
                "assertion": x.assertion.text,
                "file": path, "line": line, "column": col,
                "holds": x.counterexample.is_none(),
                "counterexample": x.counterexample.as_ref().map(|c| json!({
                    "sign_in": c.example.scenario,
                    "device_found": c.example.device_found,
                    "outcome": a.verdict_json(&c.verdict),
                    "replay": replay_json(a, &c.replay),
                    "region": c.region,
                    "conditions": c.conditions,
                })),
            })
        })
        .collect();
    let gaps = r.gaps.as_ref().map(|answers| {
        answers
            .iter()
            .map(|ans| {
                json!({
                    "question": ans.question.id(),
                    "title": ans.question.title(),
                    "skipped": ans.skipped,
                    "more": ans.more,
                    "regions": ans.gaps.iter().map(|g| json!({
                        "region": g.words,
                        "conditions": g.conditions,
                        "example": g.example.scenario,
                        "device_found": g.example.device_found,
                        "replay": replay_json(a, &g.replay),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect::<Vec<_>>()
    });
    json!({
        "workspace": r.label,
        "model": {
            "targets": a.universe.targets.len(),
            "ip_classes": a.universe.ip.len(),
            "ip_intervals": a.universe.ip_intervals,
            "countries": a.universe.countries.len(),
            "groups": a.universe.groups.len(),
            "roles": a.universe.roles.len(),
            "device_filters": a.universe.filters.len(),
        },
        "assertions": assertions,
        "gaps": gaps,
    })
}

fn sarif(reports: &[Report]) -> Value {
    let mut results = Vec::new();
    for r in reports {
        let a = &r.analysis;
        for x in &r.results {
            let Some(c) = &x.counterexample else { continue };
            let (path, line, col) = location(&r.sources, x.assertion.loc);
            results.push(json!({
                "ruleId": "capol::verify::assertion_failed",
                "level": "error",
                "message": {"text": format!(
                    "assertion `{}` ({}) fails: {} gets {}; failing sign-ins: {}",
                    x.assertion.name, x.assertion.text, c.example.scenario, a.verdict_text(&c.verdict), c.region
                )},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": path.replace('\\', "/")},
                    "region": {"startLine": line, "startColumn": col},
                }}],
                "properties": {"counterexample": c.example.scenario, "outcome": a.verdict_json(&c.verdict)},
            }));
        }
        for ans in r.gaps.iter().flatten() {
            for g in &ans.gaps {
                results.push(json!({
                    "ruleId": "capol::verify::gap",
                    "level": "note",
                    "message": {"text": format!("{} ({}): {} get allow, e.g. {}", r.label, ans.question.title(), g.words, g.example.scenario)},
                    "properties": {"question": ans.question.id(), "example": g.example.scenario},
                }));
            }
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "capol",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [
                    {"id": "capol::verify::assertion_failed", "shortDescription": {"text": "An assertion does not hold for every sign-in"}},
                    {"id": "capol::verify::gap", "shortDescription": {"text": "Sign-ins no enforced policy requires anything of"}},
                ],
            }},
            "results": results,
        }],
    })
}
