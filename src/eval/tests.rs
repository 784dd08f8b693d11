//! Semantic tests of the interpreter: one test per documented rule (entra-ca-facts §4) and per
//! choice capol makes where Microsoft documents nothing.

use super::decision::{Effect, Experience, Outcome};
use super::*;
use crate::ir;

const INVENTORY: &str = r#"
tenant { edition = p2 }
group staff { id = "11111111-1111-4111-8111-111111111111" display_name = "Staff" }
group admins { id = "22222222-2222-4222-8222-222222222222" }
group break_glass { id = "33333333-3333-4333-8333-333333333333" emergency_access }
group nameless { display_name = "Nameless Group" }
role global_admin = builtin("Global Administrator")
app exchange = builtin("Office 365 Exchange Online")
app teams = builtin("Microsoft Teams")
app azure_portal = builtin("Azure Portal")
app hr_app = "44444444-4444-4444-8444-444444444444"
auth_context sensitive = "c1"
service_principal build_bot { id = "55555555-5555-4555-8555-555555555555" }
service_principal other_bot { id = "66666666-6666-4666-8666-666666666666" }
user alice { id = "aaaaaaaa-0000-4000-8000-000000000001" upn = "alice@contoso.example" member_of = [staff] }
user root { id = "aaaaaaaa-0000-4000-8000-000000000002" member_of = [admins] roles = [global_admin] }
user glass { id = "aaaaaaaa-0000-4000-8000-000000000003" member_of = [staff, break_glass] emergency_access }
user guest { id = "aaaaaaaa-0000-4000-8000-000000000004" user_type = b2b_collaboration_guest }
location hq { trusted  ip 203.0.113.0/24, 2001:db8:1000::/48 }
location branch { trusted  ip 198.51.100.0/25 }
location vendor { ip 192.0.2.0/24, 2001:db8:2000::/48 }
location embargo { countries KP, IR  include_unknown }
location europe { countries FR, DE }
location home_gps { countries FR  lookup = gps }
"#;

struct World {
    engine: Engine,
}

fn world(policies: &str) -> World {
    world_with(INVENTORY, policies)
}

fn world_with(inventory: &str, policies: &str) -> World {
    let mut sources = crate::Sources::new();
    sources.add("inventory.capol", inventory);
    sources.add("policies.capol", policies);
    let (program, diags) = crate::compile_workspace(&sources);
    let errors: Vec<String> =
        diags.items.iter().filter(|d| !d.error.is_warning()).map(|d| d.error.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    World { engine: Engine::new(&program.unwrap()) }
}

impl World {
    fn run(&self, scenario: &str) -> Run {
        let resolver = Resolver::new(&self.engine);
        let run = evaluate_document(&resolver, scenario, Input::Scenario).unwrap();
        // The word-at-a-time evaluation must agree with checking each policy on its own.
        assert_eq!(self.engine.evaluate_reference(&run.sign_in), run.evaluation.results, "{scenario}");
        // The fast path must agree with the full evaluation.
        let mut fast = engine::Applicable::default();
        self.engine.applicable_into(&run.sign_in, &mut fast);
        assert_eq!(fast.policies, run.evaluation.applied, "applicable_into disagrees for {scenario}");
        run
    }

    fn result(&self, scenario: &str, policy: &str) -> PolicyResult {
        let run = self.run(scenario);
        let i = self.engine.policies().iter().position(|p| p.display_name == policy).unwrap();
        run.evaluation.results[i]
    }

    fn reason(&self, scenario: &str, policy: &str) -> Option<(Reason, Why)> {
        match self.result(scenario, policy) {
            PolicyResult::Applies => None,
            PolicyResult::NotApplies(m) => Some((m.reason, m.why)),
        }
    }

    fn decision(&self, scenario: &str) -> Decision {
        self.run(scenario).decision
    }
}

const NOT: Option<(Reason, Why)> = None;

#[test]
fn and_across_conditions_or_within() {
    let w = world(
        r#"policy "P" { state = enabled users { include all } target apps all
             platforms { include ios, android } client_apps browser grant mfa }"#,
    );
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange","platform":"ios","client_app":"browser"}"#, "P"),
        NOT
    );
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange","platform":"android","client_app":"browser"}"#, "P"),
        NOT
    );
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange","platform":"ios","client_app":"mobile_desktop"}"#, "P"),
        Some((Reason::ClientApps, Why::NotIncluded))
    );
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange","platform":"windows","client_app":"browser"}"#, "P"),
        Some((Reason::DevicePlatform, Why::NotIncluded))
    );
}

#[test]
fn exclusion_wins_over_inclusion() {
    let w = world(
        r#"policy "P" { state = enabled users { include group staff, user glass  exclude group break_glass }
             target apps all grant mfa }"#,
    );
    assert_eq!(w.reason(r#"{"user":"alice","app":"exchange"}"#, "P"), NOT);
    assert_eq!(w.reason(r#"{"user":"glass","app":"exchange"}"#, "P"), Some((Reason::Users, Why::Excluded)));
    assert_eq!(w.reason(r#"{"user":"root","app":"exchange"}"#, "P"), Some((Reason::Users, Why::NotIncluded)));
}

#[test]
fn unset_conditions_match_everything() {
    let w = world(r#"policy "P" { state = enabled users { include all } target apps all grant mfa }"#);
    for s in [
        r#"{"user":"alice","app":"exchange"}"#,
        r#"{"user":"alice","app":"hr_app","ip":"2001:db8::1","platform":"linux","client_app":"other","sign_in_risk":"high","user_risk":"high","insider_risk":"elevated","auth_flow":"device_code"}"#,
    ] {
        assert_eq!(w.reason(s, "P"), NOT, "{s}");
    }
}

#[test]
fn first_unmet_condition_in_graph_order() {
    let w = world(
        r#"policy "P" { state = enabled users { include group admins } target apps teams
             platforms { include ios } locations { include hq } grant mfa }"#,
    );
    // Users comes before application, platform and location.
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange","platform":"android","ip":"192.0.2.1"}"#, "P"),
        Some((Reason::Users, Why::NotIncluded))
    );
    assert_eq!(
        w.reason(r#"{"user":"root","app":"exchange","platform":"android","ip":"192.0.2.1"}"#, "P"),
        Some((Reason::Application, Why::NotIncluded))
    );
    assert_eq!(
        w.reason(r#"{"user":"root","app":"teams","platform":"android","ip":"192.0.2.1"}"#, "P"),
        Some((Reason::DevicePlatform, Why::NotIncluded))
    );
    assert_eq!(
        w.reason(r#"{"user":"root","app":"teams","platform":"ios","ip":"192.0.2.1"}"#, "P"),
        Some((Reason::Location, Why::NotIncluded))
    );
    assert_eq!(w.reason(r#"{"user":"root","app":"teams","platform":"ios","ip":"203.0.113.1"}"#, "P"), NOT);
}

#[test]
fn disabled_policies_are_not_evaluated() {
    let w = world(r#"policy "Off" { state = disabled users { include all } target apps all grant block }"#);
    let s = r#"{"user":"alice","app":"exchange"}"#;
    assert_eq!(w.reason(s, "Off"), Some((Reason::PolicyNotEnabled, Why::Disabled)));
    assert_eq!(w.decision(s).outcome, Outcome::Allow);
}

#[test]
fn report_only_is_evaluated_never_enforced() {
    let w = world(
        r#"policy "Watch" { state = report_only users { include all } target apps all grant block }
           policy "Enforce" { state = enabled users { include all } target apps all grant mfa }"#,
    );
    let d = w.decision(r#"{"user":"alice","app":"exchange"}"#);
    assert_eq!(d.outcome, Outcome::Grant);
    assert_eq!(d.requirements_text(), "mfa");
    assert_eq!(d.applied, vec!["Enforce".to_owned()]);
    assert_eq!(d.report_only.len(), 1);
    assert_eq!(d.report_only[0].policy, "Watch");
    assert_eq!(d.report_only[0].effect, Effect::Block);
}

#[test]
fn report_only_does_not_evaluate_user_actions() {
    let w = world(
        r#"policy "RO" { state = report_only users { include all } target action register_security_info grant mfa }
           policy "On" { state = enabled users { include all } target action register_security_info grant mfa }"#,
    );
    let s = r#"{"user":"alice","action":"register_security_info"}"#;
    assert_eq!(w.reason(s, "RO"), Some((Reason::UserActions, Why::ReportOnlyUserAction)));
    assert_eq!(w.reason(s, "On"), NOT);
    assert!(w.decision(s).report_only.is_empty());
}

#[test]
fn block_wins_over_grants() {
    let w = world(
        r#"policy "Block" { state = enabled users { include all } target apps exchange grant block }
           policy "MFA" { state = enabled users { include all } target apps all grant mfa
             session { sign_in_frequency = 4h } }"#,
    );
    let d = w.decision(r#"{"user":"alice","app":"exchange"}"#);
    assert_eq!(d.outcome, Outcome::Block);
    assert_eq!(d.blocked_by, vec!["Block".to_owned()]);
    assert!(d.requirements.is_empty() && d.session.is_empty());
    assert_eq!(d.applied.len(), 2);
    assert_eq!(w.decision(r#"{"user":"alice","app":"teams"}"#).outcome, Outcome::Grant);
}

#[test]
fn grants_and_across_policies_or_within() {
    let w = world(
        r#"policy "Device" { state = enabled users { include all } target apps all
             grant any(compliant_device, domain_joined_device) }
           policy "Device again" { state = enabled users { include group staff } target apps office365
             grant any(domain_joined_device, compliant_device) }
           policy "MFA and terms" { state = enabled users { include all } target apps all grant all(mfa, compliant_app) }
           policy "Session only" { state = enabled users { include all } target apps all session { persistent_browser = never } }"#,
    );
    let d = w.decision(r#"{"user":"alice","app":"exchange"}"#);
    assert_eq!(d.outcome, Outcome::Grant);
    assert_eq!(d.requirements.len(), 2, "identical groups are merged");
    assert_eq!(d.requirements[0].policies, vec!["Device".to_owned(), "Device again".to_owned()]);
    assert_eq!(
        d.requirements_text(),
        "any(compliant_device, domain_joined_device) AND all(mfa, compliant_app)"
    );
    let s = w.decision(r#"{"user":"root","app":"hr_app"}"#);
    assert_eq!(s.requirements[0].policies, vec!["Device".to_owned()]);
}

#[test]
fn session_only_policies_allow_with_session() {
    let w = world(
        r#"policy "S" { state = enabled users { include all } target apps all session { persistent_browser = never } }"#,
    );
    let d = w.decision(r#"{"user":"alice","app":"exchange"}"#);
    assert_eq!(d.outcome, Outcome::Allow);
    assert_eq!(d.session.persistent_browser.as_ref().map(|m| m.value), Some(ir::PersistentBrowser::Never));
}

#[test]
fn session_controls_merge() {
    let w = world(
        r#"policy "A" { state = enabled users { include all } target apps all
             session { sign_in_frequency = 1d persistent_browser = always cloud_app_security = monitor_only } }
           policy "B" { state = enabled users { include all } target apps all
             session { sign_in_frequency = 12h persistent_browser = never cloud_app_security = block_downloads app_enforced_restrictions } }
           policy "C" { state = enabled users { include all } target apps exchange
             session { sign_in_frequency = every_time } }
           policy "D" { state = enabled users { include all } target apps all session { sign_in_frequency = 12h } }"#,
    );
    let d = w.decision(r#"{"user":"alice","app":"teams"}"#);
    let sif = d.session.sign_in_frequency.unwrap();
    assert_eq!(decision::frequency_text(&sif.value), "12h");
    assert_eq!(sif.policies, vec!["B".to_owned(), "D".to_owned()]);
    assert_eq!(d.session.persistent_browser.unwrap().value, ir::PersistentBrowser::Never);
    assert_eq!(d.session.cloud_app_security.unwrap().value, ir::CloudAppSecurity::BlockDownloads);
    assert_eq!(d.session.app_enforced_restrictions, vec!["B".to_owned()]);
    let e = w.decision(r#"{"user":"alice","app":"exchange"}"#);
    assert_eq!(decision::frequency_text(&e.session.sign_in_frequency.unwrap().value), "every_time");
}

#[test]
fn locations_any_trusted_named_ipv4_ipv6() {
    let w = world(
        r#"policy "Any" { state = enabled users { include all } target apps all locations { include any } grant mfa }
           policy "Untrusted" { state = enabled users { include all } target apps all
             locations { include any exclude trusted } grant mfa }
           policy "Vendor" { state = enabled users { include all } target apps all locations { include vendor } grant mfa }"#,
    );
    let at = |ip: &str| format!(r#"{{"user":"alice","app":"exchange","ip":"{ip}"}}"#);
    for ip in ["203.0.113.7", "2001:db8:1000::1", "8.8.8.8", "::1"] {
        assert_eq!(w.reason(&at(ip), "Any"), NOT, "{ip}");
    }
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange"}"#, "Any"),
        NOT,
        "any location holds without an IP"
    );
    for ip in ["203.0.113.7", "2001:db8:1000:ffff::1", "198.51.100.127", "::ffff:203.0.113.9"] {
        assert_eq!(w.reason(&at(ip), "Untrusted"), Some((Reason::Location, Why::Excluded)), "{ip}");
    }
    for ip in ["198.51.100.128", "2001:db8:1001::1", "192.0.2.1"] {
        assert_eq!(w.reason(&at(ip), "Untrusted"), NOT, "{ip}");
    }
    assert_eq!(w.reason(&at("192.0.2.200"), "Vendor"), NOT);
    assert_eq!(w.reason(&at("2001:db8:2000:1::9"), "Vendor"), NOT);
    assert_eq!(w.reason(&at("2001:db8:2001::9"), "Vendor"), Some((Reason::Location, Why::NotIncluded)));
    // No IP: in no named location, so `include vendor` does not match and `exclude trusted` does
    // not exclude.
    let none = r#"{"user":"alice","app":"exchange"}"#;
    assert_eq!(w.reason(none, "Vendor"), Some((Reason::Location, Why::NotIncluded)));
    assert_eq!(w.reason(none, "Untrusted"), NOT);
    assert!(w.decision(none).notes.iter().any(|n| n.starts_with("no IP address given")));
}

#[test]
fn country_locations_and_unknown_countries() {
    let w = world(
        r#"policy "Embargo" { state = enabled users { include all } target apps all locations { include embargo } grant block }
           policy "Europe" { state = enabled users { include all } target apps all locations { include europe } grant mfa }
           policy "Home GPS" { state = enabled users { include all } target apps all locations { include home_gps } grant mfa }"#,
    );
    let s = |extra: &str| format!(r#"{{"user":"alice","app":"exchange"{extra}}}"#);
    assert_eq!(w.reason(&s(r#","country":"KP""#), "Embargo"), NOT);
    assert_eq!(w.reason(&s(r#","country":"FR""#), "Embargo"), Some((Reason::Location, Why::NotIncluded)));
    assert_eq!(w.reason(&s(""), "Embargo"), NOT, "unknown country matches include_unknown");
    assert_eq!(w.reason(&s(""), "Europe"), Some((Reason::Location, Why::NotIncluded)));
    assert_eq!(w.reason(&s(r#","country":"de""#), "Europe"), NOT);
    assert_eq!(w.reason(&s(r#","country":"FR""#), "Home GPS"), NOT, "gps falls back to the IP country");
    assert_eq!(
        w.reason(&s(r#","country":"FR","gps_country":"US""#), "Home GPS"),
        Some((Reason::Location, Why::NotIncluded))
    );
    assert_eq!(w.reason(&s(r#","country":"US","gps_country":"FR""#), "Home GPS"), NOT);
    assert!(w.decision(&s("")).notes.iter().any(|n| n.starts_with("no country given")));
}

#[test]
fn targets_only_match_their_kind() {
    let w = world(
        r#"policy "Apps" { state = enabled users { include all } target apps all grant mfa }
           policy "Action" { state = enabled users { include all } target action register_security_info grant mfa }
           policy "Device" { state = enabled users { include all } target action register_device grant mfa }
           policy "Context" { state = enabled users { include all } target auth_context sensitive grant compliant_device }"#,
    );
    let action = r#"{"user":"alice","action":"register_security_info"}"#;
    assert_eq!(w.reason(action, "Apps"), Some((Reason::Application, Why::OtherContext)));
    assert_eq!(w.reason(action, "Action"), NOT);
    assert_eq!(w.reason(action, "Device"), Some((Reason::UserActions, Why::NotIncluded)));
    assert_eq!(w.reason(action, "Context"), Some((Reason::AuthenticationContext, Why::OtherContext)));
    let app = r#"{"user":"alice","app":"exchange"}"#;
    assert_eq!(w.reason(app, "Action"), Some((Reason::UserActions, Why::OtherContext)));
    assert_eq!(w.reason(app, "Apps"), NOT);
    for ctx in [r#""sensitive""#, r#""c1""#] {
        assert_eq!(w.reason(&format!(r#"{{"user":"alice","auth_context":{ctx}}}"#), "Context"), NOT);
    }
    assert_eq!(
        w.reason(r#"{"user":"alice","auth_context":"c2"}"#, "Context"),
        Some((Reason::AuthenticationContext, Why::NotIncluded))
    );
}

#[test]
fn app_groups_match_their_members() {
    let w = world(
        r#"policy "O365" { state = enabled users { include all } target apps office365 exclude apps teams grant mfa }
           policy "Admin" { state = enabled users { include all } target apps admin_portals grant mfa }
           policy "All but O365" { state = enabled users { include all } target apps all exclude apps office365 grant mfa }"#,
    );
    assert_eq!(w.reason(r#"{"user":"alice","app":"exchange"}"#, "O365"), NOT);
    assert_eq!(w.reason(r#"{"user":"alice","app":"00000003-0000-0ff1-ce00-000000000000"}"#, "O365"), NOT);
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"teams"}"#, "O365"),
        Some((Reason::Application, Why::Excluded))
    );
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"hr_app"}"#, "O365"),
        Some((Reason::Application, Why::NotIncluded))
    );
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"teams"}"#, "All but O365"),
        Some((Reason::Application, Why::Excluded))
    );
    assert_eq!(w.reason(r#"{"user":"alice","app":"hr_app"}"#, "All but O365"), NOT);
    assert_eq!(w.reason(r#"{"user":"alice","app":"azure_portal"}"#, "Admin"), NOT);
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"Windows Azure Service Management API"}"#, "Admin"),
        Some((Reason::Application, Why::NotIncluded))
    );
    // Naming the group itself: in the group, but not any one excluded member.
    let run = w.run(r#"{"user":"alice","app":"office365"}"#);
    assert!(
        run.evaluation
            .results
            .iter()
            .all(|r| r.applies()
                || matches!(r, PolicyResult::NotApplies(m) if m.reason == Reason::Application))
    );
    assert!(run.decision.notes.iter().any(|n| n.contains("app group `office365`")));
}

#[test]
fn guests_by_user_type_and_tenant() {
    let w = world(
        r#"policy "Guests" { state = enabled users { include guests } target apps all grant mfa }
           policy "B2B" { state = enabled users { include guests(b2b_collaboration_guest, b2b_direct_connect_user) } target apps all grant mfa }
           policy "Partner" { state = enabled users { include guests(b2b_collaboration_guest, internal_guest, tenants = ["77777777-7777-4777-8777-777777777777"]) } target apps all grant mfa }
           policy "All but guests" { state = enabled users { include all exclude guests } target apps all grant mfa }"#,
    );
    let s = |who: &str| format!(r#"{{"user":"{who}","app":"exchange"}}"#);
    assert_eq!(w.reason(&s("guest"), "Guests"), NOT);
    assert_eq!(w.reason(&s("alice"), "Guests"), Some((Reason::Users, Why::NotIncluded)));
    assert_eq!(w.reason(&s("guest"), "B2B"), NOT);
    assert_eq!(w.reason(&s("guest"), "All but guests"), Some((Reason::Users, Why::Excluded)));
    assert_eq!(w.reason(&s("alice"), "All but guests"), NOT);
    let typed = r#"{"user_type":"other_external_user","app":"exchange"}"#;
    assert_eq!(w.reason(typed, "Guests"), NOT);
    assert_eq!(w.reason(typed, "B2B"), Some((Reason::Users, Why::NotIncluded)));
    assert_eq!(w.reason(&s("guest"), "Partner"), Some((Reason::Users, Why::NotIncluded)), "tenant unknown");
    let partner =
        r#"{"user":"guest","external_tenant":"77777777-7777-4777-8777-777777777777","app":"exchange"}"#;
    assert_eq!(w.reason(partner, "Partner"), NOT);
    let internal = r#"{"user_type":"internal_guest","app":"exchange"}"#;
    assert_eq!(w.reason(internal, "Partner"), NOT, "internal guests are not restricted by tenant");
}

#[test]
fn roles_and_inline_memberships() {
    let w = world(
        r#"policy "Admins" { state = enabled users { include role global_admin } target apps all grant mfa }
           policy "Staff" { state = enabled users { include group staff } target apps all grant mfa }"#,
    );
    assert_eq!(w.reason(r#"{"user":"root","app":"exchange"}"#, "Admins"), NOT);
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange"}"#, "Admins"),
        Some((Reason::Users, Why::NotIncluded))
    );
    for role in ["global_admin", "Global Administrator", "62e90394-69f5-4237-9190-012177145e10"] {
        let s = format!(r#"{{"roles":["{role}"],"app":"exchange"}}"#);
        assert_eq!(w.reason(&s, "Admins"), NOT, "{role}");
    }
    for group in ["staff", "11111111-1111-4111-8111-111111111111"] {
        let s = format!(r#"{{"groups":["{group}"],"app":"exchange"}}"#);
        assert_eq!(w.reason(&s, "Staff"), NOT, "{group}");
    }
    // Users by object id and UPN.
    assert_eq!(w.reason(r#"{"user":"aaaaaaaa-0000-4000-8000-000000000001","app":"exchange"}"#, "Staff"), NOT);
    assert_eq!(w.reason(r#"{"user":"ALICE@contoso.example","app":"exchange"}"#, "Staff"), NOT);
}

#[test]
fn device_filters_and_unregistered_devices() {
    let w = world(
        r#"policy "Unmanaged" { state = enabled users { include all } target apps all
             device_filter exclude "device.trustType -eq \"AzureAD\"" grant mfa }
           policy "Non-compliant" { state = enabled users { include all } target apps all
             device_filter include "device.isCompliant -ne True" grant block }
           policy "SAW" { state = enabled users { include all } target apps all
             device_filter include "device.extensionAttribute1 -eq \"SAW\"" grant mfa }"#,
    );
    let unregistered = r#"{"user":"alice","app":"exchange"}"#;
    assert_eq!(w.reason(unregistered, "Unmanaged"), NOT, "null trustType is not AzureAD");
    assert_eq!(w.reason(unregistered, "Non-compliant"), NOT, "negative operators hold for null");
    assert_eq!(
        w.reason(unregistered, "SAW"),
        Some((Reason::Devices, Why::NotIncluded)),
        "positive operators never hold for null"
    );
    let joined = r#"{"user":"alice","app":"exchange","device":{"trust_type":"AzureAD","isCompliant":true,"extensionAttribute1":"saw"}}"#;
    assert_eq!(w.reason(joined, "Unmanaged"), Some((Reason::Devices, Why::Excluded)));
    assert_eq!(w.reason(joined, "Non-compliant"), Some((Reason::Devices, Why::NotIncluded)));
    assert_eq!(w.reason(joined, "SAW"), NOT, "comparisons ignore case");
    // Properties of a device declared unregistered are null.
    let declared = r#"{"user":"alice","app":"exchange","device":{"registered":false,"trustType":"AzureAD"}}"#;
    assert_eq!(w.reason(declared, "Unmanaged"), NOT);
}

#[test]
fn platforms_include_all_exclude_and_unknown() {
    let w = world(
        r#"policy "Not iOS" { state = enabled users { include all } target apps all platforms { include all exclude ios } grant mfa }
           policy "Windows" { state = enabled users { include all } target apps all platforms { include windows } grant mfa }"#,
    );
    let s = |p: &str| format!(r#"{{"user":"alice","app":"exchange"{p}}}"#);
    assert_eq!(
        w.reason(&s(r#","platform":"ios""#), "Not iOS"),
        Some((Reason::DevicePlatform, Why::Excluded))
    );
    assert_eq!(w.reason(&s(r#","platform":"linux""#), "Not iOS"), NOT);
    assert_eq!(w.reason(&s(""), "Not iOS"), NOT, "an unknown platform is in `all`");
    assert_eq!(w.reason(&s(""), "Windows"), Some((Reason::DevicePlatform, Why::NotIncluded)));
}

#[test]
fn client_apps_and_exchange_active_sync() {
    let w = world(
        r#"policy "Legacy" { state = enabled users { include all } target apps exchange client_apps exchange_active_sync, other grant block }
           policy "EAS supported" { state = enabled users { include all } target apps exchange client_apps eas_supported grant block }"#,
    );
    let s = |c: &str, p: &str| {
        format!(r#"{{"user":"alice","app":"exchange","client_app":"{c}","platform":"{p}"}}"#)
    };
    assert_eq!(w.reason(&s("exchange_active_sync", "linux"), "Legacy"), NOT);
    assert_eq!(w.reason(&s("other", "linux"), "Legacy"), NOT);
    assert_eq!(w.reason(&s("browser", "linux"), "Legacy"), Some((Reason::ClientApps, Why::NotIncluded)));
    assert_eq!(w.reason(&s("exchange_active_sync", "ios"), "EAS supported"), NOT);
    assert_eq!(
        w.reason(&s("exchange_active_sync", "linux"), "EAS supported"),
        Some((Reason::ClientApps, Why::NotIncluded))
    );
    assert_eq!(w.reason(&s("eas_supported", "linux"), "EAS supported"), NOT);
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange"}"#, "Legacy"),
        Some((Reason::ClientApps, Why::NotIncluded)),
        "no client app matches only `all`"
    );
}

#[test]
fn risks_and_flows() {
    let w = world(
        r#"policy "Risky" { state = enabled users { include all } target apps all sign_in_risk high, medium grant mfa }
           policy "No risk" { state = enabled users { include all } target apps all sign_in_risk none grant mfa }
           policy "User risk" { state = enabled users { include all } target apps all user_risk high grant all(mfa, password_change) }
           policy "Insider" { state = enabled users { include all } target apps all insider_risk elevated grant block }
           policy "Device code" { state = enabled users { include all } target apps all auth_flows device_code grant block }"#,
    );
    let s = |extra: &str| format!(r#"{{"user":"alice","app":"exchange"{extra}}}"#);
    assert_eq!(w.reason(&s(r#","sign_in_risk":"medium""#), "Risky"), NOT);
    assert_eq!(w.reason(&s(""), "Risky"), Some((Reason::SignInRisk, Why::NotIncluded)));
    assert_eq!(w.reason(&s(""), "No risk"), NOT, "risk defaults to none");
    assert_eq!(
        w.reason(&s(r#","sign_in_risk":"hidden""#), "No risk"),
        Some((Reason::SignInRisk, Why::NotIncluded))
    );
    assert_eq!(w.reason(&s(r#","user_risk":"high""#), "User risk"), NOT);
    assert_eq!(
        w.reason(&s(r#","user_risk":"low""#), "User risk"),
        Some((Reason::UserRisk, Why::NotIncluded))
    );
    assert_eq!(w.reason(&s(r#","insider_risk":"elevated""#), "Insider"), NOT);
    assert_eq!(
        w.reason(&s(r#","insider_risk":"none""#), "Insider"),
        Some((Reason::InsiderRisk, Why::NotIncluded))
    );
    assert_eq!(w.reason(&s(r#","auth_flow":"device_code""#), "Device code"), NOT);
    assert_eq!(w.reason(&s(""), "Device code"), Some((Reason::AuthenticationFlow, Why::NotIncluded)));
}

#[test]
fn workload_identities() {
    let w = world(
        r#"policy "Bots" { state = enabled service_principals { include all exclude other_bot } target apps all
             locations { include any exclude trusted } grant block }
           policy "Risky bots" { state = enabled service_principals { include build_bot } target apps all
             service_principal_risk high grant block }
           policy "Users" { state = enabled users { include all } target apps all grant mfa }"#,
    );
    let bot =
        |name: &str, extra: &str| format!(r#"{{"service_principal":"{name}","app":"exchange"{extra}}}"#);
    assert_eq!(w.reason(&bot("build_bot", r#","ip":"192.0.2.1""#), "Bots"), NOT);
    assert_eq!(
        w.reason(&bot("build_bot", r#","ip":"203.0.113.1""#), "Bots"),
        Some((Reason::Location, Why::Excluded))
    );
    assert_eq!(w.reason(&bot("other_bot", ""), "Bots"), Some((Reason::WorkloadIdentities, Why::Excluded)));
    assert_eq!(w.reason(&bot("build_bot", ""), "Users"), Some((Reason::Users, Why::OtherIdentity)));
    assert_eq!(w.reason(&bot("build_bot", r#","service_principal_risk":"high""#), "Risky bots"), NOT);
    assert_eq!(
        w.reason(&bot("build_bot", ""), "Risky bots"),
        Some((Reason::WorkloadIdentities, Why::NotIncluded))
    );
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange"}"#, "Bots"),
        Some((Reason::WorkloadIdentities, Why::OtherIdentity))
    );
}

const SEED_POLICY: &str = r#"
policy "Registration" { state = enabled users { include all exclude group break_glass }
  target action register_security_info locations { include any exclude trusted } grant block }
policy "MFA" { state = enabled users { include all } target apps all grant mfa }
"#;

#[test]
fn combined_registration_scope() {
    let inventory = format!("{INVENTORY}\npreview combined_registration {{ enabled_for = group staff }}\n");
    let w = world_with(&inventory, SEED_POLICY);
    let home = |who: &str, extra: &str| {
        format!(r#"{{"user":"{who}","action":"register_security_info","ip":"192.0.2.44"{extra}}}"#)
    };
    // In scope: the registration policy governs.
    let d = w.decision(&home("alice", ""));
    assert_eq!(d.outcome, Outcome::Block);
    assert_eq!(d.registration.unwrap().experience, Experience::Combined);
    // Out of scope: legacy experience, the user-action policy does not apply.
    assert_eq!(
        w.reason(&home("root", ""), "Registration"),
        Some((Reason::UserActions, Why::LegacyRegistration))
    );
    let d = w.decision(&home("root", r#","used_combined_registration":true"#));
    assert_eq!(d.outcome, Outcome::Allow);
    let r = d.registration.unwrap();
    assert_eq!((r.experience, r.legacy_page_requires_mfa), (Experience::Legacy, Some(true)));
    assert!(d.notes.iter().any(|n| n.contains("requires multifactor authentication first")));
    assert_eq!(w.decision(&home("root", "")).registration.unwrap().legacy_page_requires_mfa, None);
    // Apps are unaffected by the preview.
    assert_eq!(w.reason(r#"{"user":"root","app":"exchange"}"#, "MFA"), NOT);

    let nobody = format!("{INVENTORY}\npreview combined_registration {{ enabled_for = none }}\n");
    let w = world_with(&nobody, SEED_POLICY);
    assert_eq!(
        w.reason(&home("alice", ""), "Registration"),
        Some((Reason::UserActions, Why::LegacyRegistration))
    );
    let everyone = format!("{INVENTORY}\npreview combined_registration {{ enabled_for = all }}\n");
    let w = world_with(&everyone, SEED_POLICY);
    assert_eq!(w.reason(&home("root", ""), "Registration"), NOT);
    // Without a preview block combined registration is on for everyone (default since 2023).
    let w = world(SEED_POLICY);
    assert_eq!(w.reason(&home("root", ""), "Registration"), NOT);
    assert!(!w.engine.has_registration_preview());
}

fn seed() -> World {
    let mut sources = crate::Sources::new();
    for name in ["inventory.capol", "registration.capol"] {
        let path = format!("{}/examples/combined-registration/{name}", env!("CARGO_MANIFEST_DIR"));
        sources.add(name, std::fs::read_to_string(path).unwrap());
    }
    let (program, diags) = crate::compile_workspace(&sources);
    assert!(!diags.has_errors());
    World { engine: Engine::new(&program.unwrap()) }
}

#[test]
fn seed_from_hq_home_and_break_glass() {
    let w = seed();
    let policy = "Combined Security Info Registration on Trusted Networks";
    let s =
        |who: &str, ip: &str| format!(r#"{{"user":"{who}","action":"register_security_info","ip":"{ip}"}}"#);
    // From HQ, over IPv4 and IPv6: the trusted location is excluded, nothing applies.
    for ip in ["203.0.113.9", "198.51.100.20", "2001:db8:1000::42"] {
        assert_eq!(w.reason(&s("hr_alice", ip), policy), Some((Reason::Location, Why::Excluded)), "{ip}");
        assert_eq!(w.decision(&s("hr_alice", ip)).outcome, Outcome::Allow);
    }
    // From home: blocked.
    let d = w.decision(&s("hr_alice", "192.0.2.44"));
    assert_eq!(d.outcome, Outcome::Block);
    assert_eq!(d.blocked_by, vec![policy.to_owned()]);
    // Just outside HQ's /25.
    assert_eq!(w.decision(&s("hr_alice", "198.51.100.200")).outcome, Outcome::Block);
    // Break-glass: excluded wherever it is.
    assert_eq!(w.reason(&s("bg_admin", "192.0.2.44"), policy), Some((Reason::Users, Why::Excluded)));
    assert_eq!(w.decision(&s("bg_admin", "192.0.2.44")).outcome, Outcome::Allow);
    // A user outside HR onboarding is outside the preview and outside the policy's users.
    assert_eq!(
        w.reason(r#"{"groups":[],"action":"register_security_info","ip":"192.0.2.44"}"#, policy),
        Some((Reason::Users, Why::NotIncluded))
    );
}

#[test]
fn invalid_device_filters_make_invalid_policies() {
    let w = world(r#"policy "P" { state = enabled users { include all } target apps all grant mfa }"#);
    let mut program = w.engine.program().clone();
    program.policies[0].device_filter =
        Some(ir::Filter { mode: ir::FilterMode::Include, rule: "device.nope -eq 1".into() });
    let engine = Engine::new(&program);
    assert_eq!(engine.warnings().len(), 1);
    let w = World { engine };
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"exchange"}"#, "P"),
        Some((Reason::InvalidPolicy, Why::Invalid))
    );
}

// --- scenario errors -------------------------------------------------------------------------

fn error(w: &World, scenario: &str) -> ScenarioError {
    evaluate_document(&Resolver::new(&w.engine), scenario, Input::Auto).unwrap_err()
}

#[test]
fn malformed_scenarios_name_the_field() {
    let w = world(r#"policy "P" { state = enabled users { include all } target apps all grant mfa }"#);
    let e = error(&w, r#"{"user":"alice","app":"exchange","ip":"300.1.1.1"}"#);
    assert_eq!((e.kind, e.field.as_str()), (ErrorKind::InvalidValue, "ip"));
    assert_eq!(e.to_string(), "field `ip`: invalid IP address `300.1.1.1`");
    let e = error(&w, r#"{"user":"alice","app":"exchange","platform":"iphone"}"#);
    assert_eq!(e.field, "platform");
    let e = error(&w, r#"{"user":"alice","app":"exchange","platform":"IOS"}"#);
    assert_eq!(e.help.as_deref(), Some("did you mean `ios`?"));
    let e = error(&w, r#"{"user":"alcie","app":"exchange"}"#);
    assert_eq!((e.kind, e.field.as_str()), (ErrorKind::UnknownName, "user"));
    assert_eq!(e.help.as_deref(), Some("did you mean `alice`?"));
    let e = error(&w, r#"{"user":"alice","app":"exchange","sign_in_risks":"high"}"#);
    assert_eq!((e.kind, e.field.as_str()), (ErrorKind::UnknownField, "sign_in_risks"));
    assert_eq!(e.help.as_deref(), Some("did you mean `sign_in_risk`?"));
    let e = error(&w, r#"{"user":"alice","app":"exchange","action":"register_device"}"#);
    assert_eq!(e.kind, ErrorKind::Conflict);
    let e = error(&w, r#"{"user":"alice"}"#);
    assert_eq!(e.kind, ErrorKind::MissingField);
    let e = error(&w, r#"{"user":"alice","app":"exchnge"}"#);
    assert_eq!((e.field.as_str(), e.help.as_deref()), ("app", Some("did you mean `exchange`?")));
    let e = error(&w, r#"{"user":"alice","app":"exchange","country":"XX"}"#);
    assert_eq!(e.field, "country");
    let e = error(&w, r#"{"user":"alice","app":"exchange","device":{"trust_typ":"AzureAD"}}"#);
    assert_eq!((e.kind, e.field.as_str()), (ErrorKind::UnknownField, "device.trust_typ"));
    let e = error(&w, r#"{"groups":["staf"],"app":"exchange"}"#);
    assert_eq!((e.field.as_str(), e.help.as_deref()), ("groups", Some("did you mean `staff`?")));
    let e = error(&w, r#"{"user": "alice", "#);
    assert_eq!(e.kind, ErrorKind::Json);
    let e = error(&w, r#"["not an object"]"#);
    assert_eq!(e.kind, ErrorKind::Json);
}

#[test]
fn unknown_users_can_be_members() {
    let w = world(r#"policy "P" { state = enabled users { include all } target apps all grant mfa }"#);
    let s =
        Scenario::from_json(r#"{"user":"99999999-9999-4999-8999-999999999999","app":"exchange"}"#).unwrap();
    let strict = Resolver::new(&w.engine);
    assert!(strict.resolve(&s).is_err());
    let lenient = Resolver { unknown_users: UnknownUsers::Member, ..strict };
    let sign_in = lenient.resolve(&s).unwrap();
    assert!(w.engine.evaluate(&sign_in).results[0].applies());
}

// --- Graph What If requests and directories ---------------------------------------------------

/// entra-ca-facts §6, Example 3, unchanged.
const GRAPH_EXAMPLE_3: &str = r##"{
  "signInIdentity": { "@odata.type": "#microsoft.graph.userSignIn", "userId": "15dc174b-f34c-4588-ac45-61d6e05dce93" },
  "signInContext": { "@odata.type": "#microsoft.graph.userActionContext", "userAction": "registerSecurityInformation" },
  "signInConditions": {
    "devicePlatform": "macOS", "clientAppType": "browser", "signInRiskLevel": "low", "userRiskLevel": "high",
    "servicePrincipalRiskLevel": "none", "country": "CA", "ipAddress": "40.77.182.32", "insiderRiskLevel": "minor",
    "authenticationFlow": { "transferMethod": "deviceCodeFlow" }, "deviceInfo": { "trustType": "EntraID" }
  },
  "appliedPoliciesOnly": true
}"##;

#[test]
fn graph_request_example_runs_with_a_directory() {
    let w = world(
        r#"policy "RS info" { state = enabled users { include all exclude user alice } target action register_security_info grant mfa }
           policy "Staff" { state = enabled users { include group staff } target action register_security_info grant block }"#,
    );
    let directory = Directory::from_json(
        r#"{"users":[{"id":"15dc174b-f34c-4588-ac45-61d6e05dce93","userPrincipalName":"x@contoso.example","userType":"Member","memberOf":["11111111-1111-4111-8111-111111111111"],"roles":[]}],
            "groups":[{"id":"11111111-1111-4111-8111-111111111111","displayName":"Staff"}]}"#,
    )
    .unwrap()
    .bind(&w.engine);
    let resolver = Resolver { directory: Some(&directory), ..Resolver::new(&w.engine) };
    let run = evaluate_document(&resolver, GRAPH_EXAMPLE_3, Input::Auto).unwrap();
    assert!(run.applied_only);
    assert_eq!(run.sign_in.platform, Some(ir::Platform::Macos));
    assert_eq!(run.sign_in.auth_flow, Some(ir::AuthFlow::DeviceCode));
    assert_eq!(run.decision.outcome, Outcome::Block);
    assert_eq!(run.decision.applied, vec!["RS info".to_owned(), "Staff".to_owned()]);
    // Without the directory the user is unknown, and the error names Graph's field.
    let e = evaluate_document(&Resolver::new(&w.engine), GRAPH_EXAMPLE_3, Input::Auto).unwrap_err();
    assert_eq!((e.kind, e.field.as_str()), (ErrorKind::UnknownName, "signInIdentity.userId"));
}

#[test]
fn graph_requests_name_graph_fields_in_errors() {
    let w = world(r#"policy "P" { state = enabled users { include all } target apps all grant mfa }"#);
    let req = |conditions: &str| {
        format!(
            r##"{{"signInIdentity":{{"@odata.type":"#microsoft.graph.userSignIn","userId":"aaaaaaaa-0000-4000-8000-000000000001"}},
                 "signInContext":{{"@odata.type":"#microsoft.graph.applicationContext","includeApplications":["00000002-0000-0ff1-ce00-000000000000"]}},
                 "signInConditions":{{{conditions}}}}}"##
        )
    };
    let ok = evaluate_document(
        &Resolver::new(&w.engine),
        &req(r#""devicePlatform":"iOS","ipAddress":"2001:db8::1""#),
        Input::Auto,
    )
    .unwrap();
    assert_eq!(ok.decision.requirements_text(), "mfa");
    for (conditions, field) in [
        (r#""ipAddress":"1.2.3.4.5""#, "signInConditions.ipAddress"),
        (r#""devicePlatform":"iPhone""#, "signInConditions.devicePlatform"),
        (r#""clientAppType":"legacy""#, "signInConditions.clientAppType"),
        (r#""country":"ZZ""#, "signInConditions.country"),
        (r#""agentIdRiskLevel":"low""#, "signInConditions.agentIdRiskLevel"),
    ] {
        let e = evaluate_document(&Resolver::new(&w.engine), &req(conditions), Input::Auto).unwrap_err();
        assert_eq!(e.field, field, "{conditions}");
    }
}

#[test]
fn directory_groups_by_display_name_when_the_workspace_has_no_id() {
    let w =
        world(r#"policy "P" { state = enabled users { include group nameless } target apps all grant mfa }"#);
    let directory = Directory::from_json(
        r#"{"users":[{"id":"12121212-1212-4121-8121-121212121212","memberOf":[{"id":"abababab-abab-4bab-8bab-abababababab"}]}],
            "groups":[{"id":"abababab-abab-4bab-8bab-abababababab","displayName":"Nameless Group"}]}"#,
    )
    .unwrap()
    .bind(&w.engine);
    let resolver = Resolver { directory: Some(&directory), ..Resolver::new(&w.engine) };
    let run = evaluate_document(
        &resolver,
        r#"{"user":"12121212-1212-4121-8121-121212121212","app":"exchange"}"#,
        Input::Auto,
    )
    .unwrap();
    assert!(run.evaluation.results[0].applies());
    assert!(Directory::from_json(r#"{"users":[{"userType":"Member"}]}"#).is_err());
    assert!(Directory::from_json(r#"{"users":[{"id":"x","userType":"Alien"}]}"#).is_err());
}

#[test]
fn sign_in_log_records_evaluate() {
    let w = world(
        r#"policy "Legacy" { state = enabled users { include all } target apps all client_apps exchange_active_sync, other grant block }
           policy "O365 MFA" { state = enabled users { include all } target apps office365 grant mfa }"#,
    );
    let record = r#"{"id":"r1","userId":"aaaaaaaa-0000-4000-8000-000000000001","appId":"5d661950-3475-41cd-a2c3-d671a3162bc1",
        "resourceId":"00000002-0000-0ff1-ce00-000000000000","ipAddress":"192.0.2.9","clientAppUsed":"IMAP4",
        "location":{"countryOrRegion":"FR"},"deviceDetail":{"operatingSystem":"Windows 10"}}"#;
    let run = evaluate_document(&Resolver::new(&w.engine), record, Input::Auto).unwrap();
    assert_eq!(run.scenario.source, scenario::Source::SignInLog);
    assert_eq!(run.decision.outcome, Outcome::Block);
    assert_eq!(run.decision.applied, vec!["Legacy".to_owned(), "O365 MFA".to_owned()]);
}

#[test]
fn generated_workspaces_agree_between_full_and_fast_paths() {
    let text = crate::generate::workspace(3, 80, 10, 30);
    let mut sources = crate::Sources::new();
    sources.add("gen.capol", text);
    let (program, _) = crate::compile_workspace(&sources);
    let program = program.unwrap();
    let engine = Engine::new(&program);
    let mut rng = crate::generate::Rng::new(11);
    let apps = ["exchange", "sharepoint", "teams", "azure_portal", "office365", "admin_portals", "hr"];
    let mut fast = engine::Applicable::default();
    let mut full = Evaluation::default();
    let (mut applied, mut empty) = (0, 0);
    for i in 0..3000 {
        let user = format!("usr_{}", rng.below(120));
        let target = match rng.below(10) {
            0 => r#""action":"register_security_info""#.to_owned(),
            1 => r#""auth_context":"sensitive""#.to_owned(),
            _ => {
                let app = apps[rng.below(apps.len())];
                if app == "hr" {
                    r#""app":"44444444-4444-4444-8444-444444444444""#.into()
                } else {
                    format!(r#""app":"{app}""#)
                }
            }
        };
        let ip = if rng.chance(50) {
            format!("11.{}.{}.{}", rng.below(2), rng.below(256), rng.below(256))
        } else {
            format!("2001:db8:{:x}::{:x}", rng.below(700), rng.below(65536))
        };
        let pick = |rng: &mut crate::generate::Rng, field: &str, words: &[&str]| {
            let i = rng.below(words.len() + 1);
            words.get(i).map(|w| format!(r#","{field}":"{w}""#)).unwrap_or_default()
        };
        let platform =
            pick(&mut rng, "platform", &["ios", "android", "windows", "macos", "linux", "windows_phone"]);
        let client = pick(
            &mut rng,
            "client_app",
            &["browser", "mobile_desktop", "exchange_active_sync", "eas_supported", "other"],
        );
        let risk = pick(&mut rng, "sign_in_risk", &["none", "low", "medium", "high", "hidden"]);
        let user_risk = pick(&mut rng, "user_risk", &["none", "low", "medium", "high"]);
        let insider = pick(&mut rng, "insider_risk", &["none", "minor", "moderate", "elevated"]);
        let flow = pick(&mut rng, "auth_flow", &["none", "device_code", "auth_transfer"]);
        let country = pick(&mut rng, "country", &["FR", "KP", "US", "DE"]);
        let device =
            ["", r#","device":{"trust_type":"AzureAD"}"#, r#","device":{"isCompliant":true}"#][rng.below(3)];
        let ip = if rng.chance(90) { format!(r#","ip":"{ip}""#) } else { String::new() };
        // Inline groups make another principal for the same user: the scratch's user cache must
        // not serve it.
        let groups =
            if rng.chance(10) { format!(r#","groups":["grp_{}"]"#, rng.below(40)) } else { String::new() };
        let scenario = format!(
            r#"{{"user":"{user}",{target}{ip}{platform}{client}{risk}{user_risk}{insider}{flow}{country}{device}{groups}}}"#
        );
        let s = Scenario::from_json(&scenario).unwrap();
        let sign_in = Resolver::new(&engine).resolve(&s).unwrap();
        engine.evaluate_into(&sign_in, &mut full);
        assert_eq!(engine.evaluate_reference(&sign_in), full.results, "sign-in {i}: {scenario}");
        engine.applicable_into(&sign_in, &mut fast);
        assert_eq!(fast.policies, full.applied, "sign-in {i}: {scenario}");
        applied += full.applied.len();
        empty += usize::from(full.applied.is_empty());
    }
    // The sample exercises both outcomes.
    assert!(applied > 3000 && empty > 10, "{applied} applied, {empty} sign-ins with none");
}

#[test]
fn app_and_workload_filters_match_nothing() {
    let w = world(
        r#"policy "Filtered" { state = enabled users { include all } target apps hr_app
             app_filter include "CustomSecurityAttribute.Engineering_Project -eq \"Baker\"" grant mfa }
           policy "Excluding" { state = enabled users { include all } target apps all
             app_filter exclude "CustomSecurityAttribute.Engineering_Project -eq \"Baker\"" grant mfa }
           policy "Bots" { state = enabled service_principals { include all
             filter include "CustomSecurityAttribute.Engineering_Project -eq \"Baker\"" } target apps all grant block }"#,
    );
    let d = w.decision(r#"{"user":"alice","app":"exchange"}"#);
    assert_eq!(d.applied, vec!["Excluding".to_owned()], "an exclude filter excludes nothing");
    assert_eq!(d.notes.iter().filter(|n| n.contains("custom security attributes")).count(), 2);
    assert_eq!(
        w.reason(r#"{"user":"alice","app":"hr_app"}"#, "Filtered"),
        NOT,
        "explicitly included apps stay in"
    );
    let bot = r#"{"service_principal":"build_bot","app":"exchange"}"#;
    assert_eq!(w.reason(bot, "Bots"), NOT, "include all still admits the workload");
    assert!(w.decision(bot).notes.iter().any(|n| n.contains("filters workload identities")));
}

#[test]
fn one_scratch_serves_two_engines() {
    let engines: Vec<Engine> = [4u64, 5]
        .iter()
        .map(|&seed| {
            let mut sources = crate::Sources::new();
            sources.add("gen.capol", crate::generate::workspace(seed, 60, 6, 20));
            Engine::new(&crate::compile_workspace(&sources).0.unwrap())
        })
        .collect();
    let mut shared = engine::Applicable::default();
    let mut differ = 0;
    for i in 0..600 {
        let engine = &engines[i % 2];
        let scenario = format!(r#"{{"user":"usr_{}","app":"exchange","ip":"11.0.{}.9"}}"#, i % 7, i % 200);
        let sign_in = Resolver::new(engine).resolve(&Scenario::from_json(&scenario).unwrap()).unwrap();
        let mut fresh = engine::Applicable::default();
        engine.applicable_into(&sign_in, &mut fresh);
        engine.applicable_into(&sign_in, &mut shared);
        assert_eq!(shared.policies, fresh.policies, "sign-in {i}: {scenario}");
        let other = &engines[(i + 1) % 2];
        let other_sign_in = Resolver::new(other).resolve(&Scenario::from_json(&scenario).unwrap()).unwrap();
        let mut theirs = engine::Applicable::default();
        other.applicable_into(&other_sign_in, &mut theirs);
        differ += usize::from(theirs.policies != fresh.policies);
    }
    assert!(differ > 100, "the two engines must disagree often for this test to mean anything: {differ}");
}
