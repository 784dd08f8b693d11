//! `capol lint`: check a workspace, then run the rule pack; findings for people, JSON lines,
//! SARIF 2.1.0 or GitHub workflow annotations.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::output::plural;
use super::{Status, workspace};
use crate::diagnostic::{self, Diagnostics, Error};
use crate::lint::config::ConfigError;
use crate::lint::{self, Date, Level, LintConfig, LintRun, RULES, output};
use crate::source::Sources;
use crate::suggest;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Source excerpts with labels, on standard error.
    #[default]
    Human,
    /// One JSON object per finding and per check diagnostic, on standard output.
    Json,
    /// One SARIF 2.1.0 log with one run, on standard output (for code scanning).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...`), on standard output.
    Github,
}

/// Arguments of `capol lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// `.capol` files or directories (searched recursively).
    #[arg(required_unless_present_any = ["explain", "list"])]
    pub paths: Vec<PathBuf>,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Fail (exit 2) on warnings too, not only on errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "RULE", conflicts_with = "list")]
    pub explain: Option<String>,
    /// List the rules with their default levels and exit.
    #[arg(long)]
    pub list: bool,
}

/// Run `capol lint`.
pub fn run(args: &LintArgs) -> Status {
    if args.list {
        let mut out = std::io::stdout().lock();
        for rule in RULES {
            let _ = writeln!(
                out,
                "{:<34} {:<8} {:<8} {}",
                rule.id,
                rule.default_level.word(),
                rule.reference,
                rule.summary
            );
        }
        return Status::Success;
    }
    if let Some(id) = &args.explain {
        return explain(id);
    }
    let workspaces = match workspace::find_workspaces(&args.paths) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {}", e.0);
            return Status::Failure;
        }
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut status = Status::Success;
    let mut runs: Vec<(Sources, LintRun, LintConfig)> = Vec::new();
    for ws in &workspaces {
        let (sources, load_diags) = match workspace::load(ws) {
            Ok(loaded) => loaded,
            Err(e) => {
                eprintln!("error: {}", e.0);
                return Status::Failure;
            }
        };
        let config = match read_config(ws, color) {
            Ok(c) => c,
            Err(()) => {
                status = Status::Failure;
                continue;
            }
        };
        let run = if load_diags.is_empty() {
            lint::lint_workspace(&sources, &config)
        } else {
            LintRun { diagnostics: load_diags, findings: None, config_errors: Vec::new() }
        };
        if !run.config_errors.is_empty() {
            let path = ws.root.as_ref().map(|r| r.join(workspace::MANIFEST)).unwrap_or_default();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            print_config_errors(&path.display().to_string(), &text, &run.config_errors, color);
            status = Status::Failure;
            continue;
        }
        let failed = run.diagnostics.has_errors()
            || run.has_errors()
            || (args.deny_warnings && (run.has_warnings() || !run.diagnostics.is_empty()));
        if failed && status == Status::Success {
            status = Status::Invalid;
        }
        print_run(args.format, &sources, &run, &ws.label(), color);
        runs.push((sources, run, config));
    }
    if args.format == Format::Sarif {
        let empty: Vec<lint::LintWarning> = Vec::new();
        let default = LintConfig::default();
        let config = runs.first().map_or(&default, |(_, _, c)| c);
        let log = output::sarif(
            runs.iter().map(|(s, r, _)| (s, &r.diagnostics, r.findings.as_deref().unwrap_or(&empty))),
            |rule| config.level(rule),
        );
        println!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
    }
    status
}

fn explain(id: &str) -> Status {
    match lint::rule(id) {
        Some(rule) => {
            println!(
                "# {}\n\n{}\n\nCode `{}` · default level `{}` · reference {}\n",
                rule.id,
                rule.summary,
                rule.code(),
                rule.default_level,
                rule.reference
            );
            print!("{}", rule.docs.text());
            Status::Success
        }
        None => {
            let help = suggest::did_you_mean(id, RULES.iter().map(|r| r.id))
                .unwrap_or_else(|| "`capol lint --list` lists the rules".into());
            eprintln!("error: unknown lint rule `{id}`\nhelp: {help}");
            Status::Failure
        }
    }
}

/// The `[lint]` section of the workspace's `capol.toml`, with today's date unless it fixes one.
fn read_config(ws: &workspace::Workspace, color: bool) -> Result<LintConfig, ()> {
    let mut config = match &ws.root {
        Some(root) => {
            let path = root.join(workspace::MANIFEST);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read `{}`: {}", path.display(), workspace::describe(&e));
                    return Err(());
                }
            };
            match LintConfig::parse(&text) {
                Ok(c) => c,
                Err(errors) => {
                    print_config_errors(&path.display().to_string(), &text, &errors, color);
                    return Err(());
                }
            }
        }
        None => LintConfig::default(),
    };
    if config.today.is_none() {
        config.today = system_today();
    }
    Ok(config)
}

fn system_today() -> Option<Date> {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(Date::from_days(i64::try_from(secs / 86_400).ok()?))
}

fn print_config_errors(path: &str, text: &str, errors: &[ConfigError], color: bool) {
    let mut sources = Sources::new();
    let file = sources.add(path, text);
    let mut err = std::io::stderr().lock();
    for e in errors {
        let error = Error::InvalidLintConfig {
            message: e.message.clone(),
            span: e.span.clone().map(|r| miette::SourceSpan::new(r.start.into(), r.end - r.start)),
            help: e.help.clone(),
        };
        let diag = diagnostic::Diag::new(file, error);
        let _ = err.write_all(diagnostic::render_human(&diag, &sources, color, 100).as_bytes());
    }
}

fn print_run(format: Format, sources: &Sources, run: &LintRun, label: &str, color: bool) {
    let findings = run.findings.as_deref().unwrap_or(&[]);
    match format {
        Format::Human => {
            let mut err = std::io::stderr().lock();
            for d in &run.diagnostics.items {
                let _ = err.write_all(diagnostic::render_human(d, sources, color, 100).as_bytes());
            }
            for f in findings {
                let _ = err.write_all(output::render_human(f, sources, color, 100).as_bytes());
            }
            let _ = err.write_all(summary(label, &run.diagnostics, run).as_bytes());
        }
        Format::Json => {
            let mut out = std::io::stdout().lock();
            for d in &run.diagnostics.items {
                let _ = writeln!(out, "{}", output::check_json(d, sources));
            }
            for f in findings {
                let _ = writeln!(out, "{}", output::to_json(f, sources));
            }
        }
        Format::Github => {
            let mut out = std::io::stdout().lock();
            for d in &run.diagnostics.items {
                let _ = out.write_all(output::github_check(d, sources).as_bytes());
            }
            for f in findings {
                let _ = out.write_all(output::github(f, sources).as_bytes());
            }
        }
        Format::Sarif => {}
    }
}

fn summary(label: &str, diags: &Diagnostics, run: &LintRun) -> String {
    let Some(findings) = &run.findings else {
        return format!(
            "error: lint of {label} stopped: the workspace does not check ({})\n",
            plural(diags.error_count(), "error")
        );
    };
    let count = |level: Level| findings.iter().filter(|f| f.level == level).count();
    let (errors, warnings, infos) = (count(Level::Error), count(Level::Warning), count(Level::Info));
    let check_warnings = diags.warning_count();
    if findings.is_empty() && check_warnings == 0 {
        return format!("linted {label}: no findings\n");
    }
    let mut parts = vec![plural(errors, "error"), plural(warnings, "warning"), format!("{infos} info")];
    if check_warnings > 0 {
        parts.push(plural(check_warnings, "check warning"));
    }
    format!("linted {label}: {}\n", parts.join(", "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn system_today_is_a_date() {
        let today = super::system_today().unwrap();
        assert!(today.year >= 2024);
    }
}
