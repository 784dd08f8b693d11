//! Rule `registration_not_enforced`: registering security info is not protected for everyone.
//!
//! ## What it does
//! Asks the evaluation engine about `register_security_info` sign-ins with a `browser`, with no
//! IP address and from a public address outside every named location, by representative users: a member outside every group, a member of each group policies name,
//! a holder of each role policies name, and each declared member user (emergency-access
//! principals and guests aside). An enabled policy must block or require something for each.
//! Registration from inside named (trusted) locations may be free by design and is not
//! probed: `registration_not_location_scoped` and `registration_location_weak` look at that.
//! Users outside the combined registration preview get the legacy experience, which no policy
//! governs, so they are gaps too.
//!
//! ## Why is this bad?
//! Without it, an attacker with a stolen password registers their own authenticator and owns
//! the account for good. Securing registration is part of Microsoft's "secure foundation"
//! templates. A registration policy in report-only does nothing: report-only ignores user
//! actions.
//!
//! ## Example
//! ```capol
//! policy "Register security info from trusted networks" {
//!   state = report_only
//!   users { include all  exclude group break_glass }
//!   target action register_security_info
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Register security info from trusted networks" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target action register_security_info
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference REG001 `no-enforced-registration-policy`; Maester MT.1011
//! (`Test-MtCaSecureSecurityInfoRegistration`); ScubaGear MS.AAD.3.8v1; Microsoft Learn,
//! "Protect security info registration with Conditional Access policy" and "Conditional Access
//! policy templates".

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::signin::{Client, Context};
use crate::ir::{self, UserAction, UserType};

/// The rule.
pub static RULE: Rule = Rule {
    id: "registration_not_enforced",
    reference: "REG001",
    summary: "some user can register security info with no enabled policy applying a control",
    default_level: Level::Warning,
    docs: Docs(include_str!("registration_not_enforced.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let engine = ctx.engine;
    let mut reps = vec![("a member in no group".to_owned(), probe::member(engine))];
    let mut groups = Vec::new();
    let mut roles = Vec::new();
    for p in ctx.policies() {
        for set in [&p.users.include, &p.users.exclude] {
            groups.extend(set.groups.iter().map(|g| g.name.clone()));
            roles.extend(set.roles.iter().map(|r| r.name.clone()));
        }
    }
    groups.sort();
    groups.dedup();
    roles.sort();
    roles.dedup();
    for g in groups.iter().filter(|g| !ctx.emergency.groups.contains(g)) {
        reps.push((format!("members of group `{g}`"), probe::group_member(engine, g)));
    }
    for r in &roles {
        reps.push((format!("holders of role `{r}`"), probe::role_holder(engine, r)));
    }
    for u in &ctx.program.users {
        if u.user_type == UserType::Member
            && !ctx.emergency.users.contains(&u.name)
            && !u.member_of.iter().any(|g| ctx.emergency.groups.contains(g))
            && let Some(p) = probe::workspace_user(engine, &u.name)
        {
            reps.push((format!("user `{}`", u.name), p));
        }
    }
    let policies = engine.policies();
    let covered = |e: &probe::Enforced| {
        e.blocked()
            || e.applied.iter().filter_map(|&i| policies.get(i as usize)).any(
                |p| matches!(&p.grant, Some(ir::Grant::Require { controls, .. }) if !controls.is_empty()),
            )
    };
    let context = Context::Action(UserAction::RegisterSecurityInfo);
    // Registration from trusted networks may be free by design: only sign-ins from outside every
    // named location must meet a control.
    let outside: Vec<probe::Place> = ctx.places().iter().take(2).cloned().collect();
    for (words, principal) in reps {
        let Some(gap) = probe::first_gap(
            &outside,
            engine,
            &principal,
            context,
            &[Client::Browser],
            &[None],
            |_| {},
            covered,
        ) else {
            continue;
        };
        let legacy = !engine.env(&gap.sign_in).combined_registration;
        let why = if legacy {
            " (they are outside the combined registration preview, whose legacy experience no policy governs)"
        } else {
            ""
        };
        let message = format!(
            "registering security info is not protected: {words} can register {} with no enabled policy applying{why}",
            gap.place.label
        );
        let dormant = probe::dormant(ctx.program, ctx.scope_engine(), &gap.sign_in, |p| p.grant.is_some());
        out.push(ctx.gap_warning(
            &RULE,
            dormant,
            message,
            "this policy would apply, but is not enabled (report-only ignores user actions)",
            "",
            "add an enabled `target action register_security_info` policy for all users that blocks outside trusted locations or requires an authentication strength",
        ));
        return;
    }
}
