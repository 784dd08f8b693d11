//! `capol diff OLD NEW`: the sign-ins whose outcome changes between two workspaces, in words,
//! with an example each, classed as weakened or strengthened.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::verify::{confirm, decided_by, load};
use super::{ErrorFormat, Printer, Status, workspace};
use crate::eval::Engine;
use crate::verify::diff::Delta;
use crate::verify::order::Change;
use crate::verify::{Analysis, space::Atoms};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Readable text.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

/// Which changes fail the command (exit status 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Some sign-in loses a requirement or a block: weakened or changed regions.
    Weakened,
    /// Any change of outcome.
    Any,
}

/// Arguments of `capol diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The workspace before the change: a `.capol` file or a directory.
    pub old: PathBuf,
    /// The workspace after the change.
    pub new: PathBuf,
    /// How to print results.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Exit with status 2 when such a change exists.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Most regions listed per change of outcome.
    #[arg(long, default_value_t = 5)]
    pub max_regions: usize,
}

/// Run `capol diff`.
pub fn run(args: &DiffArgs) -> Status {
    let printer =
        Printer::new(if args.format == Format::Human { ErrorFormat::Human } else { ErrorFormat::Json });
    let mut programs = Vec::new();
    for path in [&args.old, &args.new] {
        let loaded = workspace::single_workspace(std::slice::from_ref(path))
            .map_err(|e| {
                printer.plain_error(&e.0);
                Status::Failure
            })
            .and_then(|ws| load(&ws, &printer));
        match loaded {
            Ok(l) => programs.push(l.program),
            Err(s) => return s,
        }
    }
    let engines: Vec<Engine> = programs.iter().map(Engine::new).collect();
    let (Some(old_engine), Some(new_engine)) = (engines.first(), engines.get(1)) else {
        return Status::Failure;
    };
    let analysis = Analysis::new(programs, &Atoms::default());
    let deltas = analysis.diff([old_engine, new_engine], args.max_regions);
    let mut status = Status::Success;
    for d in &deltas {
        for r in &d.regions {
            for (replay, claimed) in [(&r.old, &d.old), (&r.new, &d.new)] {
                if let Some(problem) = confirm(&analysis, replay, claimed) {
                    printer.plain_error(&format!("diff example {}: {problem}", r.example.scenario));
                    status = Status::Failure;
                }
            }
        }
    }
    let labels = [args.old.display().to_string(), args.new.display().to_string()];
    let text = match args.format {
        Format::Human => human(&analysis, &deltas, &labels),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&to_json(&analysis, &deltas, &labels)).unwrap_or_default()
        ),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let failing = deltas.iter().any(|d| match args.fail_on {
        Some(FailOn::Weakened) => d.change.loses_protection(),
        Some(FailOn::Any) => true,
        None => false,
    });
    if failing && status == Status::Success {
        status = Status::Invalid;
    }
    status
}

fn count(deltas: &[Delta], change: Change) -> usize {
    deltas.iter().filter(|d| d.change == change).count()
}

fn human(a: &Analysis, deltas: &[Delta], labels: &[String; 2]) -> String {
    let mut out = String::new();
    if deltas.is_empty() {
        out.push_str(&format!("no sign-in changes outcome between {} and {}\n", labels[0], labels[1]));
        return out;
    }
    for d in deltas {
        let was = format!("was {}, now {}", a.verdict_text(&d.old), a.verdict_text(&d.new));
        out.push_str(&format!("{}: {was}\n", d.change.word()));
        for r in &d.regions {
            out.push_str(&format!("  - {}: {was}\n    e.g. {}\n", r.words, r.example.scenario));
            if let (Ok(old), Ok(new)) = (&r.old, &r.new) {
                out.push_str(&format!("    before: {}; after: {}\n", decided_by(old), decided_by(new)));
            }
            if !r.example.device_found {
                out.push_str("    note: no concrete device matches exactly these device filters; the example has none\n");
            }
        }
        if d.more {
            out.push_str("  - and more sign-ins (raise --max-regions)\n");
        }
    }
    out.push_str(&format!(
        "{} between {} and {}: {} weakened, {} changed, {} strengthened, {} equivalent\n",
        if deltas.len() == 1 {
            "1 change of outcome".to_owned()
        } else {
            format!("{} changes of outcome", deltas.len())
        },
        labels[0],
        labels[1],
        count(deltas, Change::Weakened),
        count(deltas, Change::Changed),
        count(deltas, Change::Strengthened),
        count(deltas, Change::Equivalent),
    ));
    out
}

fn to_json(a: &Analysis, deltas: &[Delta], labels: &[String; 2]) -> Value {
    let replay = |r: &Result<crate::verify::Replay, String>| match r {
        Ok(r) => {
            json!({"outcome": r.verdict.as_ref().map(|v| a.verdict_json(v)), "decided_by": decided_by(r)})
        }
        Err(e) => json!({"error": e}),
    };
    let changes: Vec<Value> = deltas
        .iter()
        .map(|d| {
            json!({
                "change": d.change.word(),
                "old": a.verdict_json(&d.old),
                "new": a.verdict_json(&d.new),
                "summary": format!("was {}, now {}", a.verdict_text(&d.old), a.verdict_text(&d.new)),
                "more": d.more,
                "regions": d.regions.iter().map(|r| json!({
                    "region": r.words,
                    "conditions": r.conditions,
                    "example": r.example.scenario,
                    "device_found": r.example.device_found,
                    "old": replay(&r.old),
                    "new": replay(&r.new),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "old": labels[0],
        "new": labels[1],
        "changes": changes,
        "summary": {
            "weakened": count(deltas, Change::Weakened),
            "changed": count(deltas, Change::Changed),
            "strengthened": count(deltas, Change::Strengthened),
            "equivalent": count(deltas, Change::Equivalent),
        },
    })
}
