//! Rule `registration_location_weak`: registration allowed from locations that are not trusted
//! networks.
//!
//! ## What it does
//! For each enabled or report-only `register_security_info` policy, looks at the locations it
//! excludes (where registration is allowed): flags a country location, an untrusted IP
//! location, and a location (named, or trusted through `exclude trusted`) with ranges in
//! private or documentation space (`non_public_range`) or a trusted range wider than /16
//! (`trusted_range_too_broad`).
//!
//! ## Why is this bad?
//! Microsoft's guidance is a trusted network. Countries are coarse and a VPN away; an untrusted
//! location is by definition not vetted; private ranges never match (registration becomes
//! impossible when the grant blocks, or unrestricted when it is MFA); a wide trusted range
//! lets in half the internet.
//!
//! ## Example
//! ```capol
//! location home_country { countries FR }
//!
//! policy "Register security info at home" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target action register_security_info
//!   locations { include any  exclude home_country }
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! location hq { trusted  ip 20.1.4.0/24 }
//!
//! policy "Register security info at the office" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target action register_security_info
//!   locations { include any  exclude hq }
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference REG003 `registration-location-weak`; Microsoft Learn, "Protect security info
//! registration with Conditional Access policy" and "Conditional Access: Network assignment".

use super::{Docs, Level, LintContext, LintWarning, Rule};
use super::{non_public_range::reserved_block, trusted_range_too_broad::too_broad};
use crate::ir::{self, UserAction};

/// The rule.
pub static RULE: Rule = Rule {
    id: "registration_location_weak",
    reference: "REG003",
    summary: "a registration policy allowing registration from a country, untrusted, private or too wide location",
    default_level: Level::Warning,
    docs: Docs(include_str!("registration_location_weak.rs")),
    check,
};

fn weakness(l: &ir::Location) -> Option<String> {
    match &l.kind {
        ir::LocationKind::Country { .. } => Some(format!("`{}` is a country location", l.name)),
        ir::LocationKind::Ip { trusted: false, .. } | ir::LocationKind::Unmanaged { trusted: false } => {
            Some(format!("`{}` is not trusted", l.name))
        }
        // Managed outside the workspace: its ranges cannot be judged here.
        ir::LocationKind::Unmanaged { trusted: true } => None,
        ir::LocationKind::Ip { trusted: true, ranges } => ranges.iter().find_map(|r| {
            if let Some((block, kind)) = reserved_block(*r) {
                Some(format!("`{}` holds `{r}`, in {kind} space `{block}`, which never matches", l.name))
            } else if too_broad(*r) {
                Some(format!("`{}` trusts all of `{r}`", l.name))
            } else {
                None
            }
        }),
    }
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        let registers = matches!(&p.target, ir::Target::UserActions { actions } if actions.contains(&UserAction::RegisterSecurityInfo));
        let Some(locations) = &p.locations else { continue };
        if !registers || p.state == ir::PolicyState::Disabled {
            continue;
        }
        let exclude = &locations.exclude;
        let mut reasons = Vec::new();
        for l in &ctx.program.locations {
            let named = exclude.named.iter().any(|r| r.name == l.name);
            let via_trusted = exclude.trusted && matches!(l.kind, ir::LocationKind::Ip { trusted: true, .. });
            if (named || via_trusted)
                && let Some(reason) = weakness(l)
            {
                reasons.push(reason);
            }
        }
        if reasons.is_empty() {
            continue;
        }
        let name = &p.display_name;
        out.push(
            LintWarning::new(
                &RULE,
                ctx.setting_loc(name, "locations"),
                format!("registration policy `{name}` allows registration from weak locations: {}", reasons.join("; ")),
            )
            .label("allowed locations")
            .help("allow registration only from trusted IP locations holding the networks' public egress ranges"),
        );
    }
}
