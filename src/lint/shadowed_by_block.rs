//! Rule `shadowed_by_block`: a policy whose every sign-in an enabled block policy stops first.
//!
//! ## What it does
//! Flags an enabled, non-blocking policy P when an enabled blocking policy Q covers all of P's
//! scope: Q includes everyone P includes and excludes nobody P does not, targets everything P
//! targets, and each condition of Q is absent or at least as wide as P's (client apps, risk
//! levels, flows and platforms as sets; locations and device filters only when identical). The
//! comparison is conservative: whatever it cannot prove is taken as "not covered".
//!
//! ## Why is this bad?
//! Block wins over every other policy, so P never decides anything: it is dead weight, or Q is
//! broader than intended.
//!
//! ## Example
//! ```capol
//! policy "Block legacy clients" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   client_apps exchange_active_sync, other
//!   grant block
//! }
//!
//! policy "MFA for ActiveSync" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   client_apps exchange_active_sync
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! Delete the shadowed policy, or narrow the blocking one.
//!
//! ## Source
//! Reference SEM001 `shadowed-by-block`; Microsoft Learn, "Building a Conditional Access
//! policy" (block stops evaluation; every applicable policy must be satisfied).

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir::{self, ClientApp, Platform};

/// The rule.
pub static RULE: Rule = Rule {
    id: "shadowed_by_block",
    reference: "SEM001",
    summary: "an enabled policy entirely inside the scope of an enabled block policy",
    default_level: Level::Warning,
    docs: Docs(include_str!("shadowed_by_block.rs")),
    check,
};

fn refs_subset(small: &[ir::Ref], big: &[ir::Ref]) -> bool {
    small.iter().all(|r| big.iter().any(|b| b.name == r.name))
}

fn guests_subset(small: &ir::UserSet, big: &ir::UserSet) -> bool {
    if small.all_guests {
        return big.all_guests;
    }
    match &small.guests {
        None => true,
        Some(g) => {
            big.all_guests
                || big.guests.as_ref().is_some_and(|b| {
                    g.types.iter().all(|t| b.types.contains(t))
                        && (b.tenants.is_none() || b.tenants == g.tenants)
                })
        }
    }
}

fn user_set_subset(small: &ir::UserSet, big: &ir::UserSet) -> bool {
    if big.all {
        return true;
    }
    !small.all
        && refs_subset(&small.users, &big.users)
        && refs_subset(&small.groups, &big.groups)
        && refs_subset(&small.roles, &big.roles)
        && guests_subset(small, big)
}

fn app_set_subset(small: &ir::AppSet, big: &ir::AppSet) -> bool {
    big.all
        || (!small.all
            && (!small.office365 || big.office365)
            && (!small.admin_portals || big.admin_portals)
            && refs_subset(&small.apps, &big.apps))
}

fn optional_subset<T: PartialEq>(small: &[T], big: &[T]) -> bool {
    big.is_empty() || (!small.is_empty() && small.iter().all(|x| big.contains(x)))
}

/// Whether every sign-in `p` applies to is one `q` applies to, as far as can be proven from the
/// two policies alone.
pub(super) fn covers(q: &ir::Policy, p: &ir::Policy) -> bool {
    if q.service_principals.is_some() || p.service_principals.is_some() || p.users.include.none {
        return false;
    }
    // Users: q includes everyone p includes, and everyone q excludes p excludes too.
    if !user_set_subset(&p.users.include, &q.users.include)
        || !excludes_within(&q.users.exclude, &p.users.exclude)
    {
        return false;
    }
    let target = match (&q.target, &p.target) {
        (
            ir::Target::Apps { include: qi, exclude: qe, filter: None },
            ir::Target::Apps { include: pi, exclude: pe, filter: None },
        ) => !pi.none && app_set_subset(pi, qi) && (qe.is_empty() || app_set_subset(qe, pe)),
        (ir::Target::UserActions { actions: qa }, ir::Target::UserActions { actions: pa }) => {
            pa.iter().all(|a| qa.contains(a))
        }
        (ir::Target::AuthContexts { contexts: qc }, ir::Target::AuthContexts { contexts: pc }) => {
            refs_subset(pc, qc)
        }
        _ => false,
    };
    if !target {
        return false;
    }
    let locations = q.locations.is_none() || q.locations == p.locations;
    let platforms = match (&q.platforms, &p.platforms) {
        (None, _) => true,
        (Some(qp), Some(pp)) => {
            let included = qp.include.contains(&Platform::All)
                || (!pp.include.contains(&Platform::All)
                    && pp.include.iter().all(|x| qp.include.contains(x)));
            included && qp.exclude.iter().all(|x| pp.exclude.contains(x))
        }
        (Some(_), None) => false,
    };
    let clients = q.client_apps.contains(&ClientApp::All)
        || (!p.client_apps.contains(&ClientApp::All)
            && p.client_apps.iter().all(|c| q.client_apps.contains(c)));
    let device = q.device_filter.is_none() || q.device_filter == p.device_filter;
    locations
        && platforms
        && clients
        && device
        && optional_subset(&p.sign_in_risk, &q.sign_in_risk)
        && optional_subset(&p.user_risk, &q.user_risk)
        && optional_subset(&p.insider_risk, &q.insider_risk)
        && optional_subset(&p.auth_flows, &q.auth_flows)
}

/// Whether every principal `q_exclude` names is also excluded by `p_exclude`.
fn excludes_within(q_exclude: &ir::UserSet, p_exclude: &ir::UserSet) -> bool {
    refs_subset(&q_exclude.users, &p_exclude.users)
        && refs_subset(&q_exclude.groups, &p_exclude.groups)
        && refs_subset(&q_exclude.roles, &p_exclude.roles)
        && guests_subset(q_exclude, p_exclude)
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let policies = ctx.policies();
    let enabled = || policies.iter().filter(|p| p.state == ir::PolicyState::Enabled);
    for p in enabled().filter(|p| p.grant != Some(ir::Grant::Block)) {
        let Some(q) = enabled().find(|q| q.grant == Some(ir::Grant::Block) && covers(q, p)) else { continue };
        let name = &p.display_name;
        out.push(
            LintWarning::new(
                &RULE,
                ctx.policy_loc(name),
                format!(
                    "policy `{name}` never decides anything: policy `{}` blocks every sign-in it applies to",
                    q.display_name
                ),
            )
            .label("shadowed")
            .related(ctx.policy_loc(&q.display_name), "blocks all of it")
            .help("delete this policy, or narrow the blocking one"),
        );
    }
}
