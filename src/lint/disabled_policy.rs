//! Rule `disabled_policy`: a disabled policy that is not a contingency policy.
//!
//! ## What it does
//! Flags a `disabled` policy, unless it is marked `contingency` or its display name starts with
//! `ENABLE IN EMERGENCY` (Microsoft's naming standard for contingency policies).
//!
//! ## Why is this bad?
//! Disabled policies count towards the 195-policy limit and rot: nobody knows whether they are
//! still right when someone turns them on. "If a policy is disabled and no longer needed,
//! delete it." Contingency policies, kept off for emergencies, are the documented exception.
//!
//! ## Example
//! ```capol
//! policy "Old MFA policy" {
//!   state = disabled
//!   users { include all }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! Delete it, or mark a policy kept for emergencies:
//! ```capol
//! policy "ENABLE IN EMERGENCY: block outside trusted networks" {
//!   state = disabled
//!   contingency
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference LIFE001 `disabled-policy`; Microsoft Learn, "Plan a Conditional Access deployment"
//! (roll back policies; naming standards for emergency access controls).

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "disabled_policy",
    reference: "LIFE001",
    summary: "a disabled policy not marked `contingency`",
    default_level: Level::Info,
    docs: Docs(include_str!("disabled_policy.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        let contingency_name = p.display_name.to_ascii_uppercase().starts_with("ENABLE IN EMERGENCY");
        if p.state != ir::PolicyState::Disabled || p.contingency || contingency_name {
            continue;
        }
        let name = &p.display_name;
        out.push(
            LintWarning::new(&RULE, ctx.setting_loc(name, "state"), format!("policy `{name}` is disabled"))
                .label("disabled")
                .help("delete it if it is no longer needed, or mark it `contingency` if it is kept for emergencies"),
        );
    }
}
