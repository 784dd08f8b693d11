//! `capol compile`: the IR (default), Microsoft Graph request bodies, or Terraform JSON.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{ErrorFormat, Printer, Status, workspace};
use crate::targets::{self, Note, OutputFile};

/// What `capol compile` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Target {
    /// The versioned JSON IR, to standard output or `-o FILE`.
    #[default]
    Ir,
    /// Microsoft Graph v1.0 request bodies and a manifest, into `-o DIR`.
    Graph,
    /// Terraform JSON for the azuread provider, into `-o FILE.tf.json`.
    Terraform,
}

/// Arguments of `capol compile`.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// `.capol` files or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// What to compile to.
    #[arg(long, value_enum, default_value_t)]
    pub target: Target,
    /// Where to write: a file for `ir` (default: standard output), a directory for `graph`,
    /// a `.tf.json` file for `terraform`. Files are written atomically.
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
    // Usage errors come before any work, so a wrong command line never half-writes output.
    match (args.target, &args.output) {
        (Target::Graph, None) => {
            printer.plain_error("`--target graph` writes a directory: give it with `-o DIR`");
            return Status::Failure;
        }
        (Target::Terraform, None) => {
            printer.plain_error("`--target terraform` writes a file: give it with `-o FILE.tf.json`");
            return Status::Failure;
        }
        (Target::Terraform, Some(path)) if !path.to_string_lossy().ends_with(".tf.json") => {
            printer.plain_error(&format!(
                "`{}` does not end in `.tf.json`: Terraform reads JSON configuration only from such files",
                path.display()
            ));
            return Status::Failure;
        }
        _ => {}
    }
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
    let result = match (args.target, &args.output) {
        (Target::Ir, None) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            return if out.write_all(program.to_json().as_bytes()).is_err() {
                Status::Failure
            } else {
                Status::Success
            };
        }
        (Target::Ir, Some(path)) => workspace::write_atomic(path, program.to_json().as_bytes()),
        (Target::Graph, Some(dir)) => {
            let out = targets::graph::compile(&program);
            print_notes(&printer, &out.notes);
            write_dir(dir, &out.files)
        }
        (Target::Terraform, Some(path)) => {
            let out = targets::terraform::compile(&program);
            print_notes(&printer, &out.notes);
            workspace::write_atomic(path, out.contents.as_bytes())
        }
        (_, None) => return Status::Failure,
    };
    match result {
        Ok(()) => Status::Success,
        Err(e) => {
            printer.plain_error(&e.0);
            Status::Failure
        }
    }
}

fn print_notes(printer: &Printer, notes: &[Note]) {
    for note in notes {
        printer.note(&note.0);
    }
}

/// Write every file under `dir`, creating it and its subdirectories as needed.
fn write_dir(dir: &Path, files: &[OutputFile]) -> Result<(), workspace::IoError> {
    for file in files {
        let path = file.path.split('/').fold(dir.to_path_buf(), |p, part| p.join(part));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                workspace::IoError(format!(
                    "cannot create directory `{}`: {}",
                    parent.display(),
                    workspace::describe(&e)
                ))
            })?;
        }
        workspace::write_atomic(&path, file.contents.as_bytes())?;
    }
    Ok(())
}
