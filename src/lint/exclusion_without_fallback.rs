//! Rule `exclusion_without_fallback`: an excluded principal no other policy protects.
//!
//! ## What it does
//! For every enabled policy with a grant, and every user, group, role or guest type it excludes
//! (emergency-access principals aside, which `breakglass_unprotected` covers), asks the
//! evaluation engine about the sign-ins the policy is for: its target, every location class,
//! its platforms and client apps, and its risk and flow conditions. For each sign-in the policy
//! applies to for someone it includes, the excluded principal (a member of the group alone, a
//! holder of the role alone, the declared user, a guest of that type) must get a comparable
//! control from the other enabled policies: a block for a blocking policy; MFA or an
//! authentication strength when the policy requires one; any grant otherwise.
//!
//! ## Why is this bad?
//! An exclusion is meant to hand the principal to another policy, not to drop its protection.
//! An excluded principal with no compensating policy is an unprotected identity.
//!
//! ## Example
//! ```capol
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all  exclude group contractors }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Contractors: MFA and compliant device" {
//!   state = enabled
//!   users { include group contractors }
//!   target apps all
//!   grant all(mfa, compliant_device)
//! }
//! ```
//!
//! ## Source
//! Reference EXC004 `exclusion-without-fallback`; Maester MT.1036 (`Test-MtCaGap`).

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::signin::Principal;
use crate::ir::{self, UserType};

/// The rule.
pub static RULE: Rule = Rule {
    id: "exclusion_without_fallback",
    reference: "EXC004",
    summary: "a principal excluded from a policy that no other enabled policy protects comparably",
    default_level: Level::Warning,
    docs: Docs(include_str!("exclusion_without_fallback.rs")),
    check,
};

/// At most this many of a policy's sign-ins are tried per excluded principal.
const MAX_SIGN_INS: usize = 24;
/// At most this many of a policy's candidate sign-ins are evaluated to find those it applies to
/// (its own included locations come first).
const MAX_TRIED: usize = 96;

fn excluded(ctx: &LintContext<'_>, p: &ir::Policy) -> Vec<(String, String, Principal)> {
    let engine = ctx.engine;
    let exclude = &p.users.exclude;
    let mut out = Vec::new();
    for g in exclude.groups.iter().filter(|g| !ctx.emergency.groups.contains(&g.name)) {
        out.push((format!("group `{}`", g.name), g.name.clone(), probe::group_member(engine, &g.name)));
    }
    for r in &exclude.roles {
        out.push((format!("role `{}`", r.name), r.name.clone(), probe::role_holder(engine, &r.name)));
    }
    for u in exclude.users.iter().filter(|u| !ctx.emergency.users.contains(&u.name)) {
        if let Some(principal) = probe::workspace_user(engine, &u.name) {
            out.push((format!("user `{}`", u.name), u.name.clone(), principal));
        }
    }
    if exclude.all_guests {
        out.push(("guests".into(), "guests".into(), probe::guest(engine, UserType::B2bCollaborationGuest)));
    } else if let Some(g) = &exclude.guests
        && let Some(t) = g.types.first()
    {
        out.push((format!("`{}` guests", t.word()), "guests".into(), probe::guest(engine, *t)));
    }
    out
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let engine = ctx.engine;
    let policies = engine.policies();
    let mut buffer = crate::eval::Applicable::default();
    for p in ctx.policies() {
        if p.state != ir::PolicyState::Enabled || p.grant.is_none() || p.service_principals.is_some() {
            continue;
        }
        let exclusions = excluded(ctx, p);
        if exclusions.is_empty() {
            continue;
        }
        let Some(index) = ctx.engine_index(&p.display_name) else { continue };
        let Some((_, twin)) = probe::in_scope_principal(engine, p, index) else { continue };
        let mfa = probe::requires(p, probe::is_mfa);
        let comparable = |e: &probe::Enforced| {
            if e.blocked() {
                return true;
            }
            let others =
                e.applied.iter().filter(|&&i| i as usize != index).filter_map(|&i| policies.get(i as usize));
            match &p.grant {
                Some(ir::Grant::Block) => false,
                _ if mfa => others.into_iter().any(|q| probe::requires(q, probe::is_mfa)),
                _ => others.into_iter().any(
                    |q| matches!(&q.grant, Some(ir::Grant::Require { controls, .. }) if !controls.is_empty()),
                ),
            }
        };
        // A fallback with no condition besides users and target covers every sign-in at once.
        let context = probe::target_context(engine, p);
        let mut gaps = vec![false; exclusions.len()];
        let mut done: Vec<bool> = exclusions
            .iter()
            .map(|(_, _, principal)| {
                let Some(context) = context else { return true };
                let s = probe::sign_in(principal, context);
                let e = probe::enforced(engine, &s, &mut buffer);
                e.applied.iter().filter(|&&i| i as usize != index).any(|&i| {
                    policies.get(i as usize).is_some_and(|q| {
                        let alone = probe::Enforced {
                            blocked_by: if q.grant == Some(ir::Grant::Block) { vec![i] } else { Vec::new() },
                            applied: vec![i],
                        };
                        probe::unconditional(q) && comparable(&alone)
                    })
                })
            })
            .collect();
        // Walk the policy's sign-ins lazily, stopping once every exclusion is decided.
        let mut matched = 0;
        let sign_ins = probe::condition_sign_ins(ctx.places(), ctx.platforms(), engine, p, &twin);
        for s in sign_ins.take(if done.iter().all(|d| *d) { 0 } else { MAX_TRIED }) {
            engine.applicable_into(&s, &mut buffer);
            if !buffer.policies.contains(&(index as u32)) {
                continue;
            }
            for (((_, _, principal), gap), done) in
                exclusions.iter().zip(gaps.iter_mut()).zip(done.iter_mut())
            {
                if !*done {
                    let s = probe::with_principal(&s, principal);
                    *gap = !comparable(&probe::enforced(engine, &s, &mut buffer));
                    *done = *gap;
                }
            }
            matched += 1;
            if matched >= MAX_SIGN_INS || done.iter().all(|d| *d) {
                break;
            }
        }
        for ((words, key, _), gap) in exclusions.into_iter().zip(gaps) {
            if !gap {
                continue;
            }
            let name = &p.display_name;
            let control = match &p.grant {
                Some(ir::Grant::Block) => "blocks them",
                _ if mfa => "requires MFA of them",
                _ => "applies a control to them",
            };
            let loc = ctx.principal_loc(name, &key, false).unwrap_or_else(|| ctx.setting_loc(name, "users"));
            out.push(
                LintWarning::new(
                    &RULE,
                    loc,
                    format!("policy `{name}` excludes {words}, and no other enabled policy {control}"),
                )
                .label("excluded with no fallback")
                .help("add a policy for them with a comparable control, or remove the exclusion"),
            );
        }
    }
}
