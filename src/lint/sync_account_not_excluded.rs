//! Rule `sync_account_not_excluded`: the directory synchronization account is challenged.
//!
//! ## What it does
//! When the workspace declares the "Directory Synchronization Accounts" role (template
//! `d29b2b05-8046-44ba-8758-1e26182fcf32`), or a user holding it, asks the evaluation engine
//! about that account's everyday sign-in: a `mobile_desktop` client on windows, with no IP
//! address and from an untrusted public address, to an app no app-specific policy names. It
//! flags each enabled all-users, all-apps policy that applies to that sign-in with a grant.
//!
//! ## Why is this bad?
//! The Entra Connect sync account cannot answer MFA or present a compliant device: a policy
//! that challenges or blocks it stops directory synchronization. Microsoft lists it among the
//! standard exclusions.
//!
//! ## Example
//! ```capol
//! role directory_sync = builtin("Directory Synchronization Accounts")
//!
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all  exclude group break_glass, role directory_sync }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Source
//! Reference EXC006 `sync-account-not-excluded` (the role is declared in the workspace instead
//! of read from the tenant); Maester MT.1020; Microsoft Learn, shared "User exclusions" guidance.

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::signin::Client;
use crate::ir::{self, Platform};

/// The rule.
pub static RULE: Rule = Rule {
    id: "sync_account_not_excluded",
    reference: "EXC006",
    summary: "an all-users, all-apps policy that challenges the directory synchronization account",
    default_level: Level::Warning,
    docs: Docs(include_str!("sync_account_not_excluded.rs")),
    check,
};

/// The template id of "Directory Synchronization Accounts".
const SYNC_ROLE: &str = "d29b2b05-8046-44ba-8758-1e26182fcf32";

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let Some(role) = ctx.program.roles.iter().find(|r| r.template_id.eq_ignore_ascii_case(SYNC_ROLE)) else {
        return;
    };
    let mut principals =
        vec![(format!("holders of role `{}`", role.name), probe::role_holder(ctx.engine, &role.name))];
    for u in ctx.program.users.iter().filter(|u| u.roles.contains(&role.name)) {
        if let Some(p) = probe::workspace_user(ctx.engine, &u.name) {
            principals.push((format!("user `{}`", u.name), p));
        }
    }
    let places = ctx.places();
    let mut buffer = crate::eval::Applicable::default();
    let mut flagged: Vec<(usize, String)> = Vec::new();
    for (words, principal) in &principals {
        for place in places.iter().take(2) {
            let s = probe::at(
                principal,
                probe::unlisted_app(),
                place,
                Some(Platform::Windows),
                Some(Client::MobileDesktop),
            );
            for i in probe::enforced(ctx.engine, &s, &mut buffer).applied {
                if flagged.iter().any(|(f, _)| *f == i as usize) {
                    continue;
                }
                flagged.push((i as usize, words.clone()));
            }
        }
    }
    for p in ctx.policies() {
        let Some(index) = ctx.engine_index(&p.display_name) else { continue };
        let Some((_, words)) = flagged.iter().find(|(i, _)| *i == index) else { continue };
        let all_apps = matches!(&p.target, ir::Target::Apps { include, .. } if include.all);
        if !p.users.include.all || !all_apps || p.grant.is_none() {
            continue;
        }
        let name = &p.display_name;
        out.push(
            LintWarning::new(
                &RULE,
                ctx.setting_loc(name, "users"),
                format!("policy `{name}` applies to the directory synchronization account ({words})"),
            )
            .label("includes the sync account")
            .help(format!("exclude it: `exclude role {}`", role.name)),
        );
    }
}
