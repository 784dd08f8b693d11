//! `capol fmt`: rewrite `.capol` files in the canonical layout, keeping every comment.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::output::plural;
use super::{ErrorFormat, Printer, Status, workspace};
use crate::fmt::{self, FormatError};
use crate::source::Sources;
use crate::span::FileId;

/// Arguments of `capol fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// `.capol` files or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write nothing; list the files that are not formatted and exit 1 if there is any.
    #[arg(long)]
    pub check: bool,
    /// Write nothing; print a unified diff of every file that is not formatted and exit 1 if
    /// there is any.
    #[arg(long)]
    pub diff: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
}

/// Run `capol fmt`. Exit status: 0 every file is formatted (or was rewritten); 1 an I/O error, or
/// under `--check`/`--diff` some file would change; 2 some file has errors or could not be
/// formatted safely (those files are left as they are).
pub fn run(args: &FmtArgs) -> Status {
    let printer = Printer::new(args.error_format);
    let paths: Vec<PathBuf> = match workspace::find_workspaces(&args.paths) {
        Ok(workspaces) => {
            let mut files: Vec<PathBuf> = workspaces.into_iter().flat_map(|w| w.files).collect();
            files.sort();
            files.dedup();
            files
        }
        Err(e) => {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    };
    let mut sources = Sources::new();
    let (mut invalid, mut io_error) = (false, false);
    let (mut changed, mut unchanged) = (Vec::new(), 0usize);
    for path in &paths {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                printer.plain_error(&format!(
                    "cannot read `{}`: {}",
                    path.display(),
                    workspace::describe(&e)
                ));
                io_error = true;
                continue;
            }
        };
        let (id, decode_error) = sources.add_bytes(path.display().to_string(), &bytes);
        if let Some(diag) = decode_error {
            let mut diags = crate::Diagnostics::new();
            diags.items.push(diag);
            printer.diagnostics(&diags, &sources);
            invalid = true;
            continue;
        }
        let text = sources.get(id).map(|f| f.text.clone()).unwrap_or_default();
        let formatted = match fmt::format_file(id, &text) {
            Ok(out) => out,
            Err(e) => {
                let mut diags = e.diagnostics().clone();
                diags.sort();
                printer.diagnostics(&diags, &sources);
                if matches!(e, FormatError::Syntax(_)) {
                    printer.note(&format!("`{}` has errors and was left unchanged", path.display()));
                }
                invalid = true;
                continue;
            }
        };
        if formatted.as_bytes() == bytes.as_slice() {
            unchanged += 1;
            continue;
        }
        changed.push(path.clone());
        if args.check || args.diff {
            report_change(args, path, id, &sources, &formatted);
            continue;
        }
        if let Err(e) = workspace::write_atomic(path, formatted.as_bytes()) {
            printer.plain_error(&e.0);
            io_error = true;
        }
    }
    if args.error_format == ErrorFormat::Human {
        let verb = if args.check || args.diff { "would reformat" } else { "reformatted" };
        let _ = writeln!(
            std::io::stderr().lock(),
            "{verb} {}, {} already formatted",
            plural(changed.len(), "file"),
            unchanged
        );
    }
    if invalid {
        Status::Invalid
    } else if io_error || ((args.check || args.diff) && !changed.is_empty()) {
        Status::Failure
    } else {
        Status::Success
    }
}

fn report_change(args: &FmtArgs, path: &std::path::Path, id: FileId, sources: &Sources, formatted: &str) {
    let mut out = std::io::stdout().lock();
    if args.check {
        let _ = writeln!(out, "{}", path.display());
    }
    if args.diff {
        let original = sources.get(id).map_or("", |f| f.text.as_str());
        let _ = write!(out, "{}", unified_diff(&path.display().to_string(), original, formatted));
    }
}

/// A unified diff from `before` to `after`, with three lines of context.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    let path = path.trim_start_matches('/');
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
