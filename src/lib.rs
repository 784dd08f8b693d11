//! capol: a compiler, linter and offline evaluator for Microsoft Entra ID Conditional Access.
//!
//! The pipeline: `syntax` (text → AST) → `check` (names resolved, every error collected) →
//! `compile` (checked workspace → versioned IR). Later phases read the IR. Only the `cli`
//! module does I/O.

pub mod catalog;
pub mod check;
pub mod cli;
pub mod compile;
pub mod devfilter;
pub mod diagnostic;
pub mod eval;
pub mod fmt;
pub mod fuzzing;
pub mod generate;
pub mod import;
pub mod ir;
pub mod lint;
pub mod source;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod targets;
pub mod testing;
pub mod verify;

pub use diagnostic::{Diag, Diagnostics, Error};
pub use source::{SourceFile, Sources};

use check::Checked;
use syntax::ast;

/// Parse every file of a workspace. The trees are indexed like `sources.files`.
pub fn parse_workspace(sources: &Sources) -> (Vec<ast::File>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut files = Vec::with_capacity(sources.files.len());
    for (index, file) in sources.files.iter().enumerate() {
        let (tree, file_diags) = syntax::parse(span::FileId(index as u32), &file.text);
        diags.extend(file_diags);
        files.push(tree);
    }
    (files, diags)
}

/// Parse and check a workspace. A file that does not parse stops the pipeline before `check`,
/// because references into it would all be reported as unknown; errors found while building the
/// tree (an unknown field, a bad escape) do not, so one run reports them with the check errors.
pub fn check_workspace(sources: &Sources) -> (Option<(Vec<ast::File>, Checked)>, Diagnostics) {
    let (files, mut diags) = parse_workspace(sources);
    if diags.items.iter().any(|d| d.error.is_fatal()) {
        diags.sort();
        return (None, diags);
    }
    let syntax_errors = diags.has_errors();
    let mut incomplete = vec![false; files.len()];
    for diag in diags.items.iter().filter(|d| !d.error.is_warning()) {
        if let Some(flag) = incomplete.get_mut(diag.file.0 as usize) {
            *flag = true;
        }
    }
    let (checked, check_diags) = check::check_partial(sources, &files, &incomplete);
    diags.extend(check_diags);
    diags.sort();
    let checked = if syntax_errors { None } else { checked };
    (checked.map(|c| (files, c)), diags)
}

/// Parse, check and compile a workspace to its IR.
pub fn compile_workspace(sources: &Sources) -> (Option<ir::Program>, Diagnostics) {
    let (checked, diags) = check_workspace(sources);
    (checked.map(|(_, c)| compile::compile(&c)), diags)
}
