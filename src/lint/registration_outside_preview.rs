//! Rule `registration_outside_preview`: a registration policy including users outside the
//! combined registration preview.
//!
//! ## What it does
//! When the workspace declares `preview combined_registration`, asks the evaluation engine,
//! for each principal a `register_security_info` policy includes (a member in no group for
//! `all`, a member of each included group, a holder of each included role, each included
//! user with its declared memberships, each included guest type), whether the policy governs
//! that principal's registration. Principals outside the preview get the legacy registration
//! experience, which user-action policies do not govern. Disabled policies are skipped.
//! `capol lint` reports this instead of the check warning
//! `capol::check::registration_outside_preview`, which it supersedes: the engine also sees
//! that a listed user is in the preview group.
//!
//! ## Why is this bad?
//! The seed scenario's own warning: "Users must be enabled for the combined registration
//! preview." The policy looks like it protects registration for everyone it names, but for
//! users outside the preview it does nothing.
//!
//! ## Example
//! ```capol
//! preview combined_registration { enabled_for = group hr_onboarding }
//!
//! policy "Register security info on trusted networks" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target action register_security_info
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Register security info on trusted networks" {
//!   state = enabled
//!   users { include group hr_onboarding  exclude group break_glass }
//!   target action register_security_info
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//! or enable the preview for everyone (`enabled_for = all`).
//!
//! ## Source
//! The seed scenario: "Enable combined security information registration (preview)",
//! "Conditional access policies for combined registration" (warning: users must be enabled for
//! the preview).

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::signin::Context;
use crate::eval::{Miss, PolicyResult, Why};
use crate::ir::{self, UserAction};

/// The rule.
pub static RULE: Rule = Rule {
    id: "registration_outside_preview",
    reference: "seed",
    summary: "a `register_security_info` policy including users outside the combined registration preview",
    default_level: Level::Warning,
    docs: Docs(include_str!("registration_outside_preview.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    if ctx.program.combined_registration.is_none() {
        return;
    }
    let engine = ctx.scope_engine();
    for p in ctx.policies() {
        let registers = matches!(&p.target, ir::Target::UserActions { actions } if actions.contains(&UserAction::RegisterSecurityInfo));
        if !registers || p.state == ir::PolicyState::Disabled {
            continue;
        }
        let Some(index) = ctx.engine_index(&p.display_name) else { continue };
        let outside: Vec<String> = probe::included_principals(engine, p)
            .into_iter()
            .filter(|(_, principal)| {
                let s = probe::sign_in(principal, Context::Action(UserAction::RegisterSecurityInfo));
                matches!(
                    engine.evaluate(&s).results.get(index),
                    Some(PolicyResult::NotApplies(Miss { why: Why::LegacyRegistration, .. }))
                )
            })
            .map(|(words, _)| words)
            .collect();
        if outside.is_empty() {
            continue;
        }
        let name = &p.display_name;
        let preview = ctx.checked.spans.preview;
        let mut finding = LintWarning::new(
            &RULE,
            ctx.setting_loc(name, "users"),
            format!(
                "policy `{name}` includes {} outside the combined registration preview, where it does not apply",
                outside.join(", ")
            ),
        )
        .label("includes users with the legacy registration experience")
        .help("include only the preview's users, or enable the preview for them");
        if let Some(loc) = preview {
            finding = finding.related(loc, "the preview's scope");
        }
        out.push(finding);
    }
}
