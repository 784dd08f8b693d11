//! Rule `policy_without_controls`: a policy whose only control is an empty `session { }`.
//!
//! ## What it does
//! Flags a policy that has no `grant` and whose `session` block sets nothing. The checker
//! already rejects a policy with neither `grant` nor `session`; this rule catches the empty
//! block it accepts.
//!
//! ## Why is this bad?
//! A policy with no control does nothing when it applies, yet it looks like protection in the
//! portal and in reviews. Microsoft's minimum viable policy has users, resources and a grant or
//! block control.
//!
//! ## Example
//! ```capol
//! policy "Browser sessions" {
//!   state = enabled
//!   users { include all }
//!   target apps office365
//!   session { }
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Browser sessions" {
//!   state = enabled
//!   users { include all }
//!   target apps office365
//!   session { sign_in_frequency = 12h }
//! }
//! ```
//!
//! ## Source
//! Reference STR001 `no-access-controls`; Microsoft Learn, "Building a Conditional Access
//! policy" (simple policies).

use super::{Docs, Level, LintContext, LintWarning, Rule};

/// The rule.
pub static RULE: Rule = Rule {
    id: "policy_without_controls",
    reference: "STR001",
    summary: "a policy whose only control is an empty `session { }`",
    default_level: Level::Error,
    docs: Docs(include_str!("policy_without_controls.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        if p.grant.is_none() && p.session.is_empty() {
            out.push(
                LintWarning::new(
                    &RULE,
                    ctx.setting_loc(&p.display_name, "session"),
                    format!("policy `{}` enforces nothing", p.display_name),
                )
                .label("sets no session control")
                .help("add a `grant`, or a session control such as `sign_in_frequency = 12h`"),
            );
        }
    }
}
