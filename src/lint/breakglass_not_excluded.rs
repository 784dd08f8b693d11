//! Rule `breakglass_not_excluded`: a policy whose users include an emergency-access account.
//!
//! ## What it does
//! For every emergency-access account and group (marked `emergency_access` in the workspace or
//! listed under `emergency_access` in `capol.toml`), asks the evaluation engine whether each
//! policy's user condition matches it: a declared account with the groups and roles the
//! workspace gives it, and for a group, a member of that group alone. Policies are evaluated as
//! if enabled, so the rule sees what a report-only or disabled policy would do once turned on.
//! A policy that matches one is an `error` when enabled and a `warning` otherwise.
//!
//! Skipped: policies that include only emergency-access principals (the ones protecting them),
//! authentication-context policies and workload-identity policies. When the workspace declares
//! no emergency-access principal at all, the first enabled policy on all users gets a warning.
//!
//! ## Why is this bad?
//! Emergency-access accounts exist for the day Conditional Access locks everyone out. A policy
//! that applies to them can lock them out too, and then nobody can fix the tenant.
//!
//! ## Example
//! ```capol
//! group break_glass { emergency_access }
//!
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Source
//! Reference EXC002 `breakglass-not-excluded`; Maester MT.1005 (`Test-MtCaEmergencyAccessExists`)
//! and MT.1191; Microsoft Learn, "Manage emergency access accounts" and the shared "User
//! exclusions" guidance.

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::signin::Principal;
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "breakglass_not_excluded",
    reference: "EXC002",
    summary: "a policy whose users include an emergency-access account or group",
    default_level: Level::Error,
    docs: Docs(include_str!("breakglass_not_excluded.rs")),
    check,
};

/// The emergency-access principals, with words for messages.
pub(super) fn breakglass_principals(ctx: &LintContext<'_>) -> Vec<(String, Principal, crate::span::Loc)> {
    let engine = ctx.scope_engine();
    let mut out = Vec::new();
    for g in &ctx.emergency.groups {
        out.push((format!("group `{g}`"), probe::group_member(engine, g), ctx.decl_loc(g)));
    }
    for u in &ctx.emergency.users {
        if let Some(p) = probe::workspace_user(engine, u) {
            out.push((format!("user `{u}`"), p, ctx.decl_loc(u)));
        }
    }
    out
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    if ctx.emergency.is_empty() {
        let first = ctx.policies().iter().find(|p| {
            p.state == ir::PolicyState::Enabled && p.users.include.all && p.service_principals.is_none()
        });
        if let Some(p) = first {
            out.push(
                LintWarning::new(&RULE, ctx.setting_loc(&p.display_name, "users"), "no emergency-access account or group is declared, so no policy excludes one")
                    .level(Level::Warning)
                    .label("applies to every user")
                    .help("mark the break-glass group with `emergency_access` (or list it under `emergency_access` in `capol.toml`) and exclude it from every policy"),
            );
        }
        return;
    }
    let engine = ctx.scope_engine();
    let principals = breakglass_principals(ctx);
    let evaluations: Vec<_> = principals
        .iter()
        .map(|(_, p, _)| engine.evaluate(&probe::sign_in(p, probe::unlisted_app())).results)
        .collect();
    for p in ctx.policies() {
        if p.service_principals.is_some()
            || matches!(p.target, ir::Target::AuthContexts { .. })
            || ctx.emergency.covers_only(&p.users.include)
        {
            continue;
        }
        let Some(index) = ctx.engine_index(&p.display_name) else { continue };
        let hit: Vec<&str> = principals
            .iter()
            .zip(&evaluations)
            .filter(|(_, results)| !probe::user_miss(results.get(index).copied()))
            .map(|((words, _, _), _)| words.as_str())
            .collect();
        if hit.is_empty() {
            continue;
        }
        let name = &p.display_name;
        let mut finding = LintWarning::new(
            &RULE,
            ctx.setting_loc(name, "users"),
            format!("policy `{name}` applies to emergency-access {}", hit.join(" and ")),
        )
        .label("does not exclude the emergency-access accounts")
        .help(format!(
            "exclude them: `exclude {}`",
            hit.first().map_or("group break_glass", |w| w).replace('`', "")
        ));
        if p.state != ir::PolicyState::Enabled {
            finding = finding.level(Level::Warning);
        }
        out.push(finding);
    }
}
