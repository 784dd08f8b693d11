//! Rule `untargeted_policy`: a policy that targets no resource or no principal.
//!
//! ## What it does
//! Flags a policy whose resources are `target apps none` (without an app filter), or whose users
//! are `include none` without a `service_principals` block.
//!
//! ## Why is this bad?
//! It applies to nothing and enforces nothing: usually an unfinished draft or a template whose
//! placeholder was never filled in. It still counts towards the 195-policy limit. Other rules,
//! such as `lockout_risk`, ignore it.
//!
//! ## Example
//! ```capol
//! policy "Block specific apps" {
//!   state = report_only
//!   users { include all }
//!   target apps none
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Block specific apps" {
//!   state = report_only
//!   users { include all }
//!   target apps legacy_crm
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference STR002 `no-target`; Maester MT.1184 (`Test-MtCaUntargetedPolicy`); Microsoft Learn,
//! "Users, groups, and workload identities" (a policy must include a user, group or workload
//! identity).

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "untargeted_policy",
    reference: "STR002",
    summary: "a policy that targets no resource (`target apps none`) or no user (`include none`)",
    default_level: Level::Warning,
    docs: Docs(include_str!("untargeted_policy.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        let name = &p.display_name;
        if let ir::Target::Apps { include, filter: None, .. } = &p.target
            && include.none
        {
            out.push(
                LintWarning::new(
                    &RULE,
                    ctx.setting_loc(name, "target"),
                    format!("policy `{name}` targets no resource"),
                )
                .label("`none`: nothing is targeted")
                .help("name the apps the policy is for, or delete the policy"),
            );
        }
        if p.users.include.none && p.service_principals.is_none() {
            out.push(
                LintWarning::new(
                    &RULE,
                    ctx.setting_loc(name, "users"),
                    format!("policy `{name}` applies to nobody"),
                )
                .label("`include none`")
                .help("include the users or groups the policy is for, or delete the policy"),
            );
        }
    }
}
