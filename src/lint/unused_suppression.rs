//! Rule `unused_suppression`: a suppression comment that suppresses nothing.
//!
//! ## What it does
//! Flags a `// capol: allow(rule) reason: ...` comment that matches no finding: the rule did
//! not fire where it applies (the line it ends; or, on a line of its own, the next line that is
//! not a comment, and the whole declaration when a declaration starts there), or the rule does
//! not exist. Suppressions of rules turned `off` in `capol.toml`
//! are not reported. The driver computes this after every other rule.
//!
//! ## Why is this bad?
//! A stale suppression hides the next real finding on that line, and it claims a justification
//! for something that no longer exists.
//!
//! ## Example
//! ```capol
//! // capol: allow(disabled_policy) reason: kept for the 2025 audit
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! Delete the comment.
//!
//! ## Source
//! capol's own rule, after ruff's `unused-noqa` (RUF100).

use super::{Docs, Level, LintContext, LintWarning, Rule};

/// The rule.
pub static RULE: Rule = Rule {
    id: "unused_suppression",
    reference: "capol",
    summary: "a `// capol: allow(...)` comment that suppresses no finding",
    default_level: Level::Warning,
    docs: Docs(include_str!("unused_suppression.rs")),
    check,
};

// Unused suppressions are known only once every other rule has run: see `suppress::apply`.
fn check(_ctx: &LintContext<'_>, _out: &mut Vec<LintWarning>) {}
