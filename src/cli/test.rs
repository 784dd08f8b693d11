//! `capol test`: run the `test` blocks of every workspace, optionally with coverage.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{ErrorFormat, Printer, Status, workspace};
use crate::eval::Engine;
use crate::testing::{self, report};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// One line per test, then the failures with the evaluation trace.
    #[default]
    Human,
    /// One JSON document: every test with its decision, and the coverage.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
}

/// Arguments of `capol test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// `.capol` files or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose name contains this text.
    #[arg(long)]
    pub filter: Option<String>,
    /// How to print results.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Report which policies and conditions the tests exercise (human or JSON format).
    #[arg(long)]
    pub coverage: bool,
    /// Succeed when there is no test to run.
    #[arg(long)]
    pub allow_empty: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
}

/// A workspace that checked, with its tree and program.
struct Loaded {
    label: String,
    sources: crate::Sources,
    files: Vec<crate::syntax::ast::File>,
    program: crate::ir::Program,
}

/// Run `capol test`. Exit status: 0 every test passed; 1 usage or I/O error; 2 a workspace has
/// errors, a test failed or could not run, or there is no test (without `--allow-empty`).
pub fn run(args: &TestArgs) -> Status {
    let printer = Printer::new(args.error_format);
    if args.coverage && args.format == Format::Junit {
        printer.plain_error("`--coverage` prints with `--format human` or `--format json`, not `junit`");
        return Status::Failure;
    }
    let workspaces = match workspace::find_workspaces(&args.paths) {
        Ok(w) => w,
        Err(e) => {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    };
    let mut status = Status::Success;
    let mut loaded = Vec::new();
    for ws in &workspaces {
        match load(&printer, ws) {
            Ok(l) => loaded.push(l),
            Err(s) => {
                if status != Status::Failure {
                    status = s;
                }
            }
        }
    }
    let engines: Vec<Engine> = loaded.iter().map(|l| Engine::new(&l.program)).collect();
    let mut suites = Vec::new();
    for (l, engine) in loaded.iter().zip(&engines) {
        let cases = testing::cases(&l.files, args.filter.as_deref());
        if cases.is_empty() {
            continue;
        }
        let results = testing::run(engine, &cases);
        let coverage = args.coverage.then(|| testing::coverage::measure(engine, &results));
        suites.push((report::Suite { label: l.label.clone(), sources: &l.sources, results }, coverage));
    }
    let mut total = report::Counts::default();
    for (s, _) in &suites {
        total.add(s.counts());
    }
    if total.total() == 0 && !args.allow_empty {
        // A workspace that does not check has been reported already.
        if status == Status::Success {
            let message = match &args.filter {
                Some(f) => format!("no test name contains `{f}`"),
                None => "no test to run: the workspaces have no `test` block".to_owned(),
            };
            printer.plain_error(&message);
            status = Status::Invalid;
        }
        return status;
    }
    let mut out = std::io::stdout().lock();
    // A closed standard output (`capol test | head`) is not an error of the tests.
    let _ = match args.format {
        Format::Human => {
            let mut text = String::new();
            for (s, coverage) in &suites {
                text.push_str(&s.human());
                if let Some(c) = coverage {
                    text.push('\n');
                    text.push_str(&c.human(&s.label));
                }
                text.push('\n');
            }
            if suites.len() > 1 {
                text.push_str(&format!("all workspaces: {}\n", total.line()));
            }
            out.write_all(text.as_bytes())
        }
        Format::Json => {
            let with_coverage: Vec<(report::Suite<'_>, Option<serde_json::Value>)> =
                suites.iter().map(|(s, c)| (s.clone(), c.as_ref().map(testing::Coverage::to_json))).collect();
            let json = serde_json::to_string_pretty(&report::json(&with_coverage)).unwrap_or_default();
            writeln!(out, "{json}")
        }
        Format::Junit => {
            let plain: Vec<report::Suite<'_>> = suites.iter().map(|(s, _)| s.clone()).collect();
            out.write_all(report::junit(&plain).as_bytes())
        }
    };
    if total.failed + total.errors > 0 && status == Status::Success {
        status = Status::Invalid;
    }
    status
}

fn load(printer: &Printer, ws: &workspace::Workspace) -> Result<Loaded, Status> {
    let (sources, load_diags) = workspace::load(ws).map_err(|e| {
        printer.plain_error(&e.0);
        Status::Failure
    })?;
    if !load_diags.is_empty() {
        printer.diagnostics(&load_diags, &sources);
        return Err(Status::Invalid);
    }
    let (checked, mut diags) = crate::check_workspace(&sources);
    diags.sort();
    printer.diagnostics(&diags, &sources);
    match checked {
        Some((files, checked)) if !diags.has_errors() => {
            Ok(Loaded { label: ws.label(), program: crate::compile::compile(&checked), sources, files })
        }
        _ => {
            printer.summary(&diags, &format!("check of {}", ws.label()));
            Err(Status::Invalid)
        }
    }
}
