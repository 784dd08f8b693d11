//! Rule `suppression_without_reason`: a suppression comment with no reason, or malformed.
//!
//! ## What it does
//! Flags a `// capol: allow(rule)` comment without a non-empty `reason: ...`, and a comment
//! starting with `// capol:` that is not `allow(rule, ...)` followed by `reason:`. A suppression
//! without a reason still suppresses.
//!
//! ## Why is this bad?
//! A suppression is an accepted risk; the next reviewer needs to know why it was accepted and
//! by whom.
//!
//! ## Example
//! ```capol
//! policy "Pilot" {
//!   state = disabled  // capol: allow(disabled_policy)
//!   users { include group pilot }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Pilot" {
//!   state = disabled  // capol: allow(disabled_policy) reason: re-enabled each spring for the intern intake
//!   users { include group pilot }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Source
//! capol's own rule; the reference list's EXC005 asks every exclusion for a justification.

use super::{Docs, Level, LintContext, LintWarning, Rule, suppress};

/// The rule.
pub static RULE: Rule = Rule {
    id: "suppression_without_reason",
    reference: "capol",
    summary: "a `// capol: allow(...)` comment without a `reason:`, or not in that form",
    default_level: Level::Warning,
    docs: Docs(include_str!("suppression_without_reason.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for s in suppress::suppressions(ctx) {
        if !s.well_formed {
            out.push(
                LintWarning::new(&RULE, s.loc, "malformed suppression")
                    .label("not `capol: allow(rule) reason: ...`")
                    .help("write `// capol: allow(rule_id) reason: why this is accepted`"),
            );
        } else if s.reason.is_none() {
            out.push(
                LintWarning::new(
                    &RULE,
                    s.loc,
                    format!("suppression of {} gives no reason", super::quoted_list(&s.rules)),
                )
                .label("no `reason:`")
                .help("add `reason: ...` saying why the finding is accepted"),
            );
        }
    }
}
