//! Rule `many_individual_users`: a policy listing many individual users.
//!
//! ## What it does
//! Flags a policy whose `users` block names more individual users (include and exclude together)
//! than `max_users_per_policy` in `capol.toml` (default 20).
//!
//! ## Why is this bad?
//! Policies have a size limit, and long lists of people drift: leavers stay listed, joiners are
//! forgotten. Microsoft recommends groups or roles instead of individual users.
//!
//! ## Example
//! ```capol
//! policy "MFA for the finance team" {
//!   state = enabled
//!   users {
//!     include user ann, user bob, user cat, user dan, user eve  // ... and 16 more
//!   }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "MFA for the finance team" {
//!   state = enabled
//!   users { include group finance }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Source
//! Reference STR010 `policy-size`; Microsoft Learn, "Plan a Conditional Access deployment"
//! (minimize the number of policies) and "Users, groups, and workload identities".

use super::{Docs, Level, LintContext, LintWarning, Rule};

/// The rule.
pub static RULE: Rule = Rule {
    id: "many_individual_users",
    reference: "STR010",
    summary: "a policy naming more individual users than `max_users_per_policy` (20)",
    default_level: Level::Info,
    docs: Docs(include_str!("many_individual_users.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let max = ctx.config.max_users_per_policy;
    for p in ctx.policies() {
        let count = p.users.include.users.len() + p.users.exclude.users.len();
        if count > max {
            let name = &p.display_name;
            out.push(
                LintWarning::new(
                    &RULE,
                    ctx.setting_loc(name, "users"),
                    format!("policy `{name}` names {count} individual users"),
                )
                .label(format!("more than {max} users"))
                .help("target a group or a role instead of individual users"),
            );
        }
    }
}
