//! The command line: argument parsing, reading and writing files, printing, exit codes.
//!
//! INVARIANT: this is the only module that does I/O or picks an exit code. Exit codes: 0 success;
//! 1 usage or I/O error (and `fmt --check`/`--diff` when a file would change); 2 error
//! diagnostics (or warnings under `--deny-warnings`), and `test` when a test fails. Files are
//! written whole: to a temporary file in the target directory, then renamed.

mod check;
mod compile;
mod diff;
mod eval;
mod fmt;
mod import;
mod lint;
mod output;
mod test;
mod verify;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use output::Printer;

/// Exit status of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything went well.
    Success,
    /// Usage or I/O error.
    Failure,
    /// The input has error diagnostics.
    Invalid,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Success => ExitCode::SUCCESS,
            Status::Failure => ExitCode::from(1),
            Status::Invalid => ExitCode::from(2),
        }
    }
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ErrorFormat {
    /// Source excerpts with labels, for people.
    #[default]
    Human,
    /// One JSON object per line, for tools.
    Json,
}

/// capol: compile, lint and evaluate Microsoft Entra ID Conditional Access policies.
#[derive(Debug, Parser)]
#[command(name = "capol", version, about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a workspace: parse every `.capol` file and resolve and validate every name.
    Check(check::CheckArgs),
    /// Compile a workspace to its IR, to Microsoft Graph request bodies or to Terraform JSON.
    Compile(compile::CompileArgs),
    /// Import Microsoft Graph exports (policies, named locations, groups) as `.capol` files.
    Import(import::ImportArgs),
    /// Evaluate sign-ins offline, like Entra's What If: which policies apply, why the others do
    /// not, and the combined decision.
    Eval(eval::EvalArgs),
    /// Lint a workspace: check it, then run the Conditional Access rule pack (`--list` shows the
    /// rules, `--explain RULE` their docs).
    Lint(lint::LintArgs),
    /// Rewrite `.capol` files in the canonical layout, keeping every comment.
    Fmt(fmt::FmtArgs),
    /// Run the `test` blocks of each workspace; `--coverage` reports what they exercise.
    Test(test::TestArgs),
    /// Prove the `assert` blocks of a workspace for every sign-in, with a counterexample for each
    /// that fails; `--gaps` also lists the sign-ins no enforced policy protects.
    Verify(verify::VerifyArgs),
    /// Compare two workspaces: the sign-ins whose outcome changes, in words, each with an
    /// example, classed as weakened or strengthened.
    Diff(diff::DiffArgs),
}

/// Run the command line and return the process exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    let status = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Diff(args) => diff::run(&args),
    };
    status.into()
}
