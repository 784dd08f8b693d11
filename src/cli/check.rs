//! `capol check`.

use std::path::PathBuf;

use clap::Args;

use super::output::plural;
use super::{ErrorFormat, Printer, Status, workspace};

/// Arguments of `capol check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// `.capol` files or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Fail (exit 2) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
}

/// Run `capol check` on every workspace under the paths.
pub fn run(args: &CheckArgs) -> Status {
    let printer = Printer::new(args.error_format);
    let workspaces = match workspace::find_workspaces(&args.paths) {
        Ok(w) => w,
        Err(e) => {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    };
    let mut status = Status::Success;
    for ws in &workspaces {
        let this = check_one(args, &printer, ws);
        if this != Status::Success && status != Status::Failure {
            status = this;
        }
    }
    status
}

fn check_one(args: &CheckArgs, printer: &Printer, ws: &workspace::Workspace) -> Status {
    let (sources, load_diags) = match workspace::load(ws) {
        Ok(loaded) => loaded,
        Err(e) => {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    };
    let (checked, mut diags) =
        if load_diags.is_empty() { crate::check_workspace(&sources) } else { (None, load_diags) };
    diags.sort();
    printer.diagnostics(&diags, &sources);
    printer.summary(&diags, &format!("check of {}", ws.label()));
    if diags.has_errors() || (args.deny_warnings && !diags.is_empty()) {
        return Status::Invalid;
    }
    if let Some((_, checked)) = checked
        && args.error_format == ErrorFormat::Human
    {
        let p = &checked.program;
        let policies = if p.policies.len() == 1 {
            "1 policy".to_owned()
        } else {
            format!("{} policies", p.policies.len())
        };
        println!(
            "checked {}: {}, {}, {}, {}, {}",
            ws.label(),
            plural(sources.files.len(), "file"),
            policies,
            plural(p.locations.len(), "location"),
            plural(p.groups.len() + p.users.len() + p.roles.len() + p.apps.len(), "directory object"),
            if diags.is_empty() {
                "no problems".to_owned()
            } else {
                plural(diags.warning_count(), "warning")
            }
        );
    }
    Status::Success
}
