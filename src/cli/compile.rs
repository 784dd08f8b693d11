//! `capol compile`.

use std::path::PathBuf;

use clap::Args;

use super::{ErrorFormat, Printer, Status, workspace};

/// Arguments of `capol compile`.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// `.capol` files or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write the IR to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Fail (exit 2) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
}

/// Run `capol compile`.
pub fn run(args: &CompileArgs) -> Status {
    let printer = Printer::new(args.error_format);
    let loaded = workspace::single_workspace(&args.paths).and_then(|ws| workspace::load(&ws));
    let (sources, load_diags) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    };
    let (program, diags) =
        if load_diags.is_empty() { crate::compile_workspace(&sources) } else { (None, load_diags) };
    printer.diagnostics(&diags, &sources);
    printer.summary(&diags, "compile");
    if diags.has_errors() || (args.deny_warnings && !diags.is_empty()) {
        return Status::Invalid;
    }
    let Some(program) = program else { return Status::Invalid };
    let json = program.to_json();
    match &args.output {
        Some(path) => match workspace::write_atomic(path, json.as_bytes()) {
            Ok(()) => Status::Success,
            Err(e) => {
                printer.plain_error(&e.0);
                Status::Failure
            }
        },
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out.write_all(json.as_bytes()).is_err() {
                return Status::Failure;
            }
            Status::Success
        }
    }
}
