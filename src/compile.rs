//! Phase 3, compile: a checked workspace to its normalised, deterministic IR.
//!
//! INVARIANT: compiling the same workspace gives byte-identical JSON whatever the order of its
//! files or declarations: tables are sorted by name, policies by display name, and every set
//! is sorted and deduplicated.

use crate::check::Checked;
use crate::ir::{self, Program};

/// Normalise a checked workspace into the IR.
pub fn compile(checked: &Checked) -> Program {
    let mut program = checked.program.clone();
    program.groups.sort_by(|a, b| a.name.cmp(&b.name));
    program.users.sort_by(|a, b| a.name.cmp(&b.name));
    for user in &mut program.users {
        user.member_of.sort();
        user.member_of.dedup();
        user.roles.sort();
        user.roles.dedup();
    }
    program.roles.sort_by(|a, b| a.name.cmp(&b.name));
    for table in [
        &mut program.apps,
        &mut program.auth_contexts,
        &mut program.terms_of_use,
        &mut program.custom_controls,
        &mut program.service_principals,
    ] {
        table.sort_by(|a, b| a.name.cmp(&b.name));
    }
    program.auth_strengths.sort_by(|a, b| a.name.cmp(&b.name));
    program.locations.sort_by(|a, b| a.name.cmp(&b.name));
    for location in &mut program.locations {
        normalise_location(location);
    }
    if let Some(methods) = &mut program.methods {
        methods.mfa.sort();
        methods.mfa.dedup();
        methods.sspr.sort();
        methods.sspr.dedup();
    }
    program.policies.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    for policy in &mut program.policies {
        normalise_policy(policy);
    }
    program
}

fn normalise_location(location: &mut ir::Location) {
    match &mut location.kind {
        ir::LocationKind::Ip { ranges, .. } => {
            // IPv4 before IPv6, then by address and prefix (`Cidr`'s order), so diffs stay small.
            // Lists usually arrive sorted within each family: split the families (linear) and
            // sort only a family that is not in order already.
            if !ranges.is_sorted() {
                let (mut v4, mut v6): (Vec<ir::Cidr>, Vec<ir::Cidr>) =
                    ranges.drain(..).partition(|r| r.network.is_ipv4());
                for family in [&mut v4, &mut v6] {
                    if !family.is_sorted() {
                        family.sort_unstable();
                    }
                }
                ranges.append(&mut v4);
                ranges.append(&mut v6);
            }
            ranges.dedup();
        }
        ir::LocationKind::Country { countries, .. } => {
            countries.sort();
            countries.dedup();
        }
        ir::LocationKind::Unmanaged { .. } => {}
    }
}

fn sorted<T: Ord>(items: &mut Vec<T>) {
    items.sort();
    items.dedup();
}

fn normalise_user_set(set: &mut ir::UserSet) {
    sorted(&mut set.users);
    sorted(&mut set.groups);
    sorted(&mut set.roles);
}

fn normalise_policy(policy: &mut ir::Policy) {
    normalise_user_set(&mut policy.users.include);
    normalise_user_set(&mut policy.users.exclude);
    if let Some(sps) = &mut policy.service_principals {
        sorted(&mut sps.include);
        sorted(&mut sps.exclude);
    }
    match &mut policy.target {
        ir::Target::Apps { include, exclude, .. } => {
            sorted(&mut include.apps);
            sorted(&mut exclude.apps);
        }
        ir::Target::UserActions { actions } => sorted(actions),
        ir::Target::AuthContexts { contexts } => sorted(contexts),
    }
    if let Some(locations) = &mut policy.locations {
        sorted(&mut locations.include.named);
        sorted(&mut locations.exclude.named);
    }
    if let Some(platforms) = &mut policy.platforms {
        sorted(&mut platforms.include);
        sorted(&mut platforms.exclude);
    }
    sorted(&mut policy.client_apps);
    sorted(&mut policy.sign_in_risk);
    sorted(&mut policy.user_risk);
    sorted(&mut policy.service_principal_risk);
    sorted(&mut policy.insider_risk);
    sorted(&mut policy.auth_flows);
    if let Some(ir::Grant::Require { controls, .. }) = &mut policy.grant {
        sorted(controls);
    }
}
