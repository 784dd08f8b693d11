//! Rule `included_and_excluded`: the same user, group, role, app, location or platform both
//! included and excluded.
//!
//! ## What it does
//! Flags a policy that names something on both sides of `users`, of `target apps` /
//! `exclude apps`, of `locations` or of `platforms`, or whose exclusion covers every included
//! guest type or platform. It says when the exclusions leave the policy applying to nobody.
//!
//! ## Why is this bad?
//! Exclusion wins over inclusion, so the include is dead configuration, or the exclude is a
//! mistake that takes people out of the policy.
//!
//! ## Example
//! ```capol
//! policy "MFA for sales" {
//!   state = enabled
//!   users { include group sales  exclude group sales }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "MFA for sales" {
//!   state = enabled
//!   users { include group sales  exclude group break_glass }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Source
//! Reference STR008 `include-and-exclude-same`; Microsoft Learn, "Users, groups, and workload
//! identities" ("the exclude action overrides the include action").

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir::{self, Platform};
use crate::span::Loc;

/// The rule.
pub static RULE: Rule = Rule {
    id: "included_and_excluded",
    reference: "STR008",
    summary: "something both included and excluded by one policy (exclusion wins)",
    default_level: Level::Warning,
    docs: Docs(include_str!("included_and_excluded.rs")),
    check,
};

fn both(include: &[ir::Ref], exclude: &[ir::Ref], kind: &str, out: &mut Vec<(String, String)>) {
    for r in include.iter().filter(|r| exclude.iter().any(|e| e.name == r.name)) {
        out.push((format!("{kind} `{}`", r.name), r.name.clone()));
    }
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        let name = &p.display_name;
        let (inc, exc) = (&p.users.include, &p.users.exclude);
        let mut users = Vec::new();
        both(&inc.users, &exc.users, "user", &mut users);
        both(&inc.groups, &exc.groups, "group", &mut users);
        both(&inc.roles, &exc.roles, "role", &mut users);
        let guests_covered = exc.all_guests
            || match (&inc.guests, &exc.guests) {
                (Some(i), Some(e)) => e.tenants.is_none() && i.types.iter().all(|t| e.types.contains(t)),
                _ => false,
            };
        if (inc.all_guests || inc.guests.is_some()) && guests_covered {
            users.push(("guests".to_owned(), "guests".to_owned()));
        }
        let included_items = inc.users.len()
            + inc.groups.len()
            + inc.roles.len()
            + usize::from(inc.all_guests || inc.guests.is_some());
        let nobody = !inc.all && included_items > 0 && users.len() == included_items;
        report(ctx, out, name, "users", &users, nobody, |item| ctx.principal_loc(name, item, false));

        if let ir::Target::Apps { include, exclude, .. } = &p.target {
            let mut apps = Vec::new();
            both(&include.apps, &exclude.apps, "app", &mut apps);
            if include.office365 && exclude.office365 {
                apps.push(("app group `office365`".into(), String::new()));
            }
            if include.admin_portals && exclude.admin_portals {
                apps.push(("app group `admin_portals`".into(), String::new()));
            }
            let included =
                include.apps.len() + usize::from(include.office365) + usize::from(include.admin_portals);
            let nobody = !include.all && included > 0 && apps.len() == included;
            report(ctx, out, name, "target", &apps, nobody, |_| None);
        }
        if let Some(l) = &p.locations {
            let mut locations = Vec::new();
            both(&l.include.named, &l.exclude.named, "location", &mut locations);
            if l.include.trusted && l.exclude.trusted {
                locations.push(("`trusted`".into(), String::new()));
            }
            let included = l.include.named.len() + usize::from(l.include.trusted);
            let nobody = !l.include.any && included > 0 && locations.len() == included;
            report(ctx, out, name, "locations", &locations, nobody, |_| None);
        }
        if let Some(pl) = &p.platforms {
            let mut platforms = Vec::new();
            let exclude_all = pl.exclude.contains(&Platform::All);
            for platform in &pl.include {
                if exclude_all || pl.exclude.contains(platform) {
                    platforms.push((format!("platform `{}`", platform_word(*platform)), String::new()));
                }
            }
            let nobody = !pl.include.is_empty() && platforms.len() == pl.include.len();
            report(ctx, out, name, "platforms", &platforms, nobody, |_| None);
        }
    }
}

fn report(
    ctx: &LintContext<'_>,
    out: &mut Vec<LintWarning>,
    policy: &str,
    setting: &str,
    items: &[(String, String)],
    nobody: bool,
    exclude_loc: impl Fn(&str) -> Option<Loc>,
) {
    let Some((first, key)) = items.first() else { return };
    let names: Vec<&str> = items.iter().map(|(t, _)| t.as_str()).collect();
    let loc = exclude_loc(key).unwrap_or_else(|| ctx.setting_loc(policy, setting));
    let consequence = if nobody { ": the policy matches nothing it includes" } else { "" };
    out.push(
        LintWarning::new(
            &RULE,
            loc,
            format!("policy `{policy}` both includes and excludes {}{consequence}", names.join(", ")),
        )
        .label(format!("{first} is excluded here"))
        .help("exclusion wins: remove it from one side"),
    );
}

fn platform_word(p: Platform) -> &'static str {
    match p {
        Platform::All => "all",
        Platform::Android => "android",
        Platform::Ios => "ios",
        Platform::Windows => "windows",
        Platform::WindowsPhone => "windows_phone",
        Platform::Macos => "macos",
        Platform::Linux => "linux",
    }
}
