//! Printing diagnostics and summaries in the chosen format.

use std::io::{IsTerminal, Write};

use super::ErrorFormat;
use crate::diagnostic::{self, Diagnostics};
use crate::source::Sources;

/// Prints diagnostics to standard error.
pub struct Printer {
    format: ErrorFormat,
    color: bool,
}

impl Printer {
    /// A printer for the format; colours only on a terminal and when `NO_COLOR` is unset.
    pub fn new(format: ErrorFormat) -> Printer {
        let color =
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Printer { format, color }
    }

    /// Print every diagnostic.
    pub fn diagnostics(&self, diags: &Diagnostics, sources: &Sources) {
        let mut err = std::io::stderr().lock();
        for diag in &diags.items {
            let text = match self.format {
                ErrorFormat::Human => diagnostic::render_human(diag, sources, self.color, 100),
                ErrorFormat::Json => format!("{}\n", diagnostic::to_json(diag, sources)),
            };
            let _ = err.write_all(text.as_bytes());
        }
    }

    /// Print a one-line error that has no source location (usage and I/O errors).
    pub fn plain_error(&self, message: &str) {
        let mut err = std::io::stderr().lock();
        let _ = match self.format {
            ErrorFormat::Human => writeln!(err, "error: {message}"),
            ErrorFormat::Json => writeln!(
                err,
                "{}",
                serde_json::json!({"code": "capol::io::error", "severity": "error", "message": message})
            ),
        };
    }

    /// Print a note on standard error: something the user must know that is not a diagnostic
    /// of the input (for example a construct a compilation target cannot express).
    pub fn note(&self, message: &str) {
        let mut err = std::io::stderr().lock();
        let _ = match self.format {
            ErrorFormat::Human => writeln!(err, "note: {message}"),
            ErrorFormat::Json => writeln!(
                err,
                "{}",
                serde_json::json!({"code": "capol::note", "severity": "note", "message": message})
            ),
        };
    }

    /// Print the closing summary line in human mode.
    pub fn summary(&self, diags: &Diagnostics, what: &str) {
        if self.format != ErrorFormat::Human {
            return;
        }
        let (errors, warnings) = (diags.error_count(), diags.warning_count());
        let mut err = std::io::stderr().lock();
        let _ = if errors > 0 {
            writeln!(
                err,
                "error: {what} failed: {} and {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            )
        } else if warnings > 0 {
            writeln!(err, "warning: {}", plural(warnings, "warning"))
        } else {
            Ok(())
        };
    }
}

/// "1 error", "2 errors".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
