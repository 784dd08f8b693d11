//! `capol import`: Graph exports to `.capol` files.

use std::path::{Path, PathBuf};

use clap::Args;

use super::output::plural;
use super::{ErrorFormat, Printer, Status, workspace};
use crate::import::{self, Input};

/// Arguments of `capol import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Graph JSON files or directories (searched recursively for `.json` files): policies,
    /// named locations, groups, users, authentication strengths, list responses and
    /// `MigrationTable.json`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The directory to write the `.capol` files to (created when missing).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Overwrite files that exist already.
    #[arg(long)]
    pub force: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
}

/// Run `capol import`.
pub fn run(args: &ImportArgs) -> Status {
    let printer = Printer::new(args.error_format);
    let inputs = match read_inputs(&args.paths) {
        Ok(inputs) => inputs,
        Err(e) => {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    };
    let out = import::import(&inputs);
    printer.diagnostics(&out.diags, &out.sources);
    if out.diags.has_errors() {
        printer.summary(&out.diags, "import");
        return Status::Invalid;
    }
    let targets: Vec<(PathBuf, &str)> = out
        .files
        .iter()
        .map(|f| (f.path.split('/').fold(args.output.clone(), |p, part| p.join(part)), f.text.as_str()))
        .collect();
    if !args.force {
        let existing: Vec<String> =
            targets.iter().filter(|(p, _)| p.exists()).map(|(p, _)| format!("`{}`", p.display())).collect();
        if !existing.is_empty() {
            printer.plain_error(&format!(
                "{} exist already: {}; nothing was written (use `--force` to overwrite)",
                plural(existing.len(), "file"),
                existing.join(", ")
            ));
            return Status::Failure;
        }
    }
    for (path, text) in &targets {
        if let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            printer.plain_error(&format!(
                "cannot create directory `{}`: {}",
                parent.display(),
                workspace::describe(&e)
            ));
            return Status::Failure;
        }
        if let Err(e) = workspace::write_atomic(path, text.as_bytes()) {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    }
    let s = &out.summary;
    if args.error_format == ErrorFormat::Human {
        let skipped = if s.skipped > 0 {
            format!(" ({} not imported)", plural(s.skipped, "policy").replace("policys", "policies"))
        } else {
            String::new()
        };
        println!(
            "imported {}{skipped}, {} and {} into `{}`: {} ({} not modelled, {})",
            plural(s.policies, "policy").replace("policys", "policies"),
            plural(s.locations, "named location"),
            plural(s.objects, "directory object"),
            args.output.display(),
            plural(s.warnings, "warning"),
            plural(s.unmodelled, "property").replace("propertys", "properties"),
            plural(s.placeholders, "placeholder"),
        );
    }
    Status::Success
}

/// Read every input: files as given, `.json` files of directories recursively, in path order.
fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, workspace::IoError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            workspace::IoError(format!("cannot read `{}`: {}", path.display(), workspace::describe(&e)))
        })?;
        if meta.is_dir() {
            let before = files.len();
            walk(path, &mut files)?;
            if files.len() == before {
                return Err(workspace::IoError(format!("no `.json` files under `{}`", path.display())));
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).map_err(|e| {
                workspace::IoError(format!("cannot read `{}`: {}", path.display(), workspace::describe(&e)))
            })?;
            Ok(Input { path: path.display().to_string(), bytes })
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), workspace::IoError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        workspace::IoError(format!("cannot read directory `{}`: {}", dir.display(), workspace::describe(&e)))
    })?;
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
            out.push(path);
        }
    }
    Ok(())
}
