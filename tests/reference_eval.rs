//! Property test (issue 8): capol's evaluation engine against a small, obviously-correct
//! reference evaluator written straight from `docs/eval.md` ("Semantics" and "Choices where
//! Microsoft documents nothing"), on generated workspaces (`capol::generate::workspace`) and
//! generated sign-ins, 10,000+ cases per run, deterministic (`capol::generate::Rng`) so a failure
//! names its seed and scenario.
//!
//! The reference walks the IR one policy and one condition at a time; it shares nothing with the
//! engine but the IR types and the published app-group member lists (`capol::eval::apps`).
//!
//! What the reference leaves out, and how the comparison avoids it:
//! - devices: sign-ins never carry a `device` field, and policies with a device filter are left
//!   out of the comparison (the null-property semantics of `crate::devfilter` are not re-derived);
//! - workload identities: sign-ins are always users; policies with a service-principal condition
//!   or workload-identity risk are left out (the generator makes none);
//! - app filters (custom security attributes): policies with one are left out (none generated);
//! - sign-ins naming an app group itself (`"app": "office365"`), inline `groups`/`roles`,
//!   `external_tenant`, `hidden` risk, and the sign-in client app `eas_supported` are not
//!   generated (the docs do not spell out the last two for the sign-in side);
//! - the decision (grant/session combination) is not compared: only which policies apply.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test")]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use capol::generate::Rng;
use capol::ir;

/// A sign-in as the reference sees it.
#[derive(Debug)]
struct RefSignIn {
    user: ir::User,
    target: RefTarget,
    ip: Option<IpAddr>,
    country: Option<String>,
    gps_country: Option<String>,
    platform: Option<ir::Platform>,
    client_app: Option<ir::ClientApp>,
    sign_in_risk: ir::RiskLevel,
    user_risk: ir::RiskLevel,
    insider_risk: Option<ir::InsiderRisk>,
    auth_flow: Option<ir::AuthFlow>,
}

#[derive(Debug)]
enum RefTarget {
    /// A workspace app: name and app id.
    App(String, String),
    Action(ir::UserAction),
    AuthContext(String),
}

/// Policies the reference does not model (see the module doc).
fn modelled(p: &ir::Policy) -> bool {
    p.device_filter.is_none()
        && p.service_principals.is_none()
        && p.service_principal_risk.is_empty()
        && !matches!(&p.target, ir::Target::Apps { filter: Some(_), .. })
}

fn in_user_set(set: &ir::UserSet, u: &ir::User) -> bool {
    if set.none {
        return false;
    }
    set.all
        || (set.all_guests && u.user_type.is_guest())
        || set.guests.as_ref().is_some_and(|g| {
            // No sign-in carries an external tenant: a tenant-restricted set only keeps internal
            // guests, who are not restricted by it.
            g.types.contains(&u.user_type)
                && (g.tenants.is_none() || u.user_type == ir::UserType::InternalGuest)
        })
        || set.users.iter().any(|r| r.name == u.name)
        || set.groups.iter().any(|r| u.member_of.contains(&r.name))
        || set.roles.iter().any(|r| u.roles.contains(&r.name))
}

fn in_app_set(set: &ir::AppSet, name: &str, id: &str) -> bool {
    if set.none {
        return false;
    }
    set.all
        || (set.office365 && capol::eval::apps::is_office365(id))
        || (set.admin_portals && capol::eval::apps::is_admin_portal(id))
        || set.apps.iter().any(|r| r.name == name)
}

fn ip_in(ranges: &[ir::Cidr], ip: IpAddr) -> bool {
    let (value, v4) = match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), true),
        IpAddr::V6(a) => (u128::from(a), false),
    };
    ranges.iter().any(|c| {
        let (lo, hi) = c.bounds();
        c.network.is_ipv4() == v4 && lo <= value && value <= hi
    })
}

/// Whether the sign-in is in the named location.
fn in_location(loc: &ir::Location, s: &RefSignIn) -> bool {
    match &loc.kind {
        ir::LocationKind::Ip { ranges, .. } => s.ip.is_some_and(|ip| ip_in(ranges, ip)),
        ir::LocationKind::Country { countries, include_unknown, lookup } => {
            let country = match lookup {
                ir::CountryLookup::AuthenticatorGps => s.gps_country.as_ref().or(s.country.as_ref()),
                ir::CountryLookup::ClientIp => s.country.as_ref(),
            };
            match country {
                Some(c) => countries.contains(c),
                None => *include_unknown,
            }
        }
        ir::LocationKind::Unmanaged { .. } => false,
    }
}

fn in_location_set(program: &ir::Program, set: &ir::LocationSet, s: &RefSignIn) -> bool {
    let named = |name: &str| program.locations.iter().find(|l| l.name == name).expect("declared location");
    set.any
        || (set.trusted
            && program.locations.iter().any(|l| {
                matches!(&l.kind, ir::LocationKind::Ip { trusted: true, ranges }
                    if s.ip.is_some_and(|ip| ip_in(ranges, ip)))
            }))
        || set.named.iter().any(|r| in_location(named(&r.name), s))
}

fn combined_registration(program: &ir::Program, u: &ir::User) -> bool {
    match &program.combined_registration {
        None => true,
        Some(c) => match &c.enabled_for {
            ir::RegistrationScope::All => true,
            ir::RegistrationScope::None => false,
            ir::RegistrationScope::Group(g) => u.member_of.contains(&g.name),
        },
    }
}

/// The reference: does `policy` apply to `s`? Condition by condition, from docs/eval.md.
fn applies(program: &ir::Program, s: &RefSignIn, policy: &ir::Policy) -> bool {
    // State: disabled policies are not evaluated; report-only ones are.
    if policy.state == ir::PolicyState::Disabled {
        return false;
    }
    // Users: exclusion beats inclusion.
    if !in_user_set(&policy.users.include, &s.user) || in_user_set(&policy.users.exclude, &s.user) {
        return false;
    }
    // Target: apps only match app sign-ins, actions their action, contexts their context.
    let target = match (&policy.target, &s.target) {
        (ir::Target::Apps { include, exclude, .. }, RefTarget::App(name, id)) => {
            in_app_set(include, name, id) && !in_app_set(exclude, name, id)
        }
        (ir::Target::UserActions { actions }, RefTarget::Action(a)) => {
            actions.contains(a)
                // Report-only does not cover user actions.
                && policy.state != ir::PolicyState::ReportOnly
                // Outside the combined registration scope: the legacy experience.
                && (*a != ir::UserAction::RegisterSecurityInfo || combined_registration(program, &s.user))
        }
        (ir::Target::AuthContexts { contexts }, RefTarget::AuthContext(c)) => {
            contexts.iter().any(|r| &r.name == c)
        }
        _ => false,
    };
    if !target {
        return false;
    }
    // Platforms: missing ⇒ unknown: inside `all`, outside any listed platform.
    if let Some(p) = &policy.platforms {
        let inc =
            p.include.contains(&ir::Platform::All) || s.platform.is_some_and(|x| p.include.contains(&x));
        let exc =
            p.exclude.contains(&ir::Platform::All) || s.platform.is_some_and(|x| p.exclude.contains(&x));
        if !inc || exc {
            return false;
        }
    }
    // Client apps: unconfigured or `all` match everything; a missing client app matches nothing
    // else. `eas_supported` is Exchange ActiveSync on Android, iOS and Windows.
    let c = &policy.client_apps;
    if !c.is_empty() && !c.contains(&ir::ClientApp::All) {
        let ok = match s.client_app {
            None => false,
            Some(ir::ClientApp::ExchangeActiveSync) => {
                c.contains(&ir::ClientApp::ExchangeActiveSync)
                    || (c.contains(&ir::ClientApp::EasSupported)
                        && matches!(
                            s.platform,
                            Some(ir::Platform::Android | ir::Platform::Ios | ir::Platform::Windows)
                        ))
            }
            Some(x) => c.contains(&x),
        };
        if !ok {
            return false;
        }
    }
    // Locations: exclusion wins; no IP ⇒ in no IP location, `any` still matches.
    if let Some(l) = &policy.locations
        && (!in_location_set(program, &l.include, s) || in_location_set(program, &l.exclude, s))
    {
        return false;
    }
    // Risks: missing ⇒ none.
    if !policy.sign_in_risk.is_empty() && !policy.sign_in_risk.contains(&s.sign_in_risk) {
        return false;
    }
    if !policy.user_risk.is_empty() && !policy.user_risk.contains(&s.user_risk) {
        return false;
    }
    // Insider risk and flows: missing ⇒ none, so a policy listing any does not apply.
    if !policy.insider_risk.is_empty() && !s.insider_risk.is_some_and(|r| policy.insider_risk.contains(&r)) {
        return false;
    }
    if !policy.auth_flows.is_empty() && !s.auth_flow.is_some_and(|f| policy.auth_flows.contains(&f)) {
        return false;
    }
    true
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len())]
}

/// An address inside one of the workspace's ranges, or outside all of them.
fn random_ip(rng: &mut Rng, program: &ir::Program) -> IpAddr {
    let ranges: Vec<ir::Cidr> = program
        .locations
        .iter()
        .flat_map(|l| match &l.kind {
            ir::LocationKind::Ip { ranges, .. } => ranges.clone(),
            _ => Vec::new(),
        })
        .collect();
    if ranges.is_empty() || rng.chance(25) {
        return if rng.chance(80) {
            IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | (rng.next_u64() as u32 & 0x00ff_ffff)))
        } else {
            IpAddr::V6(Ipv6Addr::from((0x2001_0db9_u128 << 96) | u128::from(rng.next_u64())))
        };
    }
    let c = *pick(rng, &ranges);
    let (lo, hi) = c.bounds();
    // Edges and interior, plus just past either edge.
    let span = hi - lo;
    let v = match rng.below(5) {
        0 => lo,
        1 => hi,
        2 => lo.wrapping_sub(1),
        3 => hi.wrapping_add(1),
        _ => lo + (u128::from(rng.next_u64()) % (span.saturating_add(1).max(1))),
    };
    match c.network {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(v as u32)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(v)),
    }
}

fn word<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v).unwrap().as_str().unwrap().to_owned()
}

/// A random sign-in: the reference's view and the scenario JSON for the engine.
fn random_sign_in(rng: &mut Rng, program: &ir::Program) -> (RefSignIn, String) {
    let mut json = serde_json::Map::new();
    let mut user = pick(rng, &program.users).clone();
    json.insert("user".into(), user.name.clone().into());
    if rng.chance(15) {
        let t = if rng.chance(20) { ir::UserType::Member } else { *pick(rng, &ir::UserType::GUEST_TYPES) };
        user.user_type = t;
        json.insert("user_type".into(), word(t).into());
    }
    let target = match rng.below(10) {
        0 => {
            let a = *pick(rng, &[ir::UserAction::RegisterSecurityInfo, ir::UserAction::RegisterDevice]);
            json.insert("action".into(), word(a).into());
            RefTarget::Action(a)
        }
        1 if !program.auth_contexts.is_empty() => {
            let c = pick(rng, &program.auth_contexts);
            let by_id = rng.chance(50) && c.id.is_some();
            json.insert(
                "auth_context".into(),
                if by_id { c.id.clone().unwrap() } else { c.name.clone() }.into(),
            );
            RefTarget::AuthContext(c.name.clone())
        }
        _ => {
            let a = pick(rng, &program.apps);
            let id = a.id.clone().expect("generated apps have ids");
            json.insert("app".into(), if rng.chance(30) { id.clone() } else { a.name.clone() }.into());
            RefTarget::App(a.name.clone(), id)
        }
    };
    let ip = rng.chance(85).then(|| random_ip(rng, program));
    if let Some(ip) = ip {
        json.insert("ip".into(), ip.to_string().into());
    }
    const COUNTRIES: &[&str] = &["KP", "IR", "RU", "FR", "DE", "GB", "US", "CA", "JP"];
    let country = rng.chance(60).then(|| (*pick(rng, COUNTRIES)).to_owned());
    if let Some(c) = &country {
        json.insert("country".into(), c.clone().into());
    }
    let gps_country = rng.chance(20).then(|| (*pick(rng, COUNTRIES)).to_owned());
    if let Some(c) = &gps_country {
        json.insert("gps_country".into(), c.clone().into());
    }
    use ir::Platform as P;
    let platform = rng
        .chance(80)
        .then(|| *pick(rng, &[P::Android, P::Ios, P::Windows, P::WindowsPhone, P::Macos, P::Linux]));
    if let Some(p) = platform {
        json.insert("platform".into(), word(p).into());
    }
    use ir::ClientApp as C;
    let client_app =
        rng.chance(80).then(|| *pick(rng, &[C::Browser, C::MobileDesktop, C::ExchangeActiveSync, C::Other]));
    if let Some(c) = client_app {
        json.insert("client_app".into(), word(c).into());
    }
    use ir::RiskLevel as R;
    let mut risk = |rng: &mut Rng, field: &str| {
        if rng.chance(50) {
            let r = *pick(rng, &[R::None, R::Low, R::Medium, R::High]);
            json.insert(field.into(), word(r).into());
            r
        } else {
            R::None
        }
    };
    let sign_in_risk = risk(rng, "sign_in_risk");
    let user_risk = risk(rng, "user_risk");
    let insider_risk = match rng.below(5) {
        0 => {
            json.insert("insider_risk".into(), "none".into());
            None
        }
        1 | 2 => {
            let r =
                *pick(rng, &[ir::InsiderRisk::Minor, ir::InsiderRisk::Moderate, ir::InsiderRisk::Elevated]);
            json.insert("insider_risk".into(), word(r).into());
            Some(r)
        }
        _ => None,
    };
    let auth_flow = match rng.below(5) {
        0 => {
            json.insert("auth_flow".into(), "none".into());
            None
        }
        1 | 2 => {
            let f = *pick(rng, &[ir::AuthFlow::DeviceCode, ir::AuthFlow::AuthTransfer]);
            json.insert("auth_flow".into(), word(f).into());
            Some(f)
        }
        _ => None,
    };
    let s = RefSignIn {
        user,
        target,
        ip,
        country,
        gps_country,
        platform,
        client_app,
        sign_in_risk,
        user_risk,
        insider_risk,
        auth_flow,
    };
    (s, serde_json::Value::Object(json).to_string())
}

const WORKSPACES: u64 = 30;
const SIGN_INS: usize = 400;

#[test]
fn engine_agrees_with_the_reference_evaluator() {
    let mut cases = 0usize;
    let mut compared = 0usize;
    let mut applied = 0usize;
    for seed in 0..WORKSPACES {
        let mut rng = Rng::new(0xCA_0000 + seed);
        let n_policies = 20 + rng.below(21);
        let n_locations = 4 + rng.below(5);
        let ranges = 5 + rng.below(16);
        let text = capol::generate::workspace(seed, n_policies, n_locations, ranges);
        let mut sources = capol::Sources::new();
        sources.add("gen.capol", text);
        let (program, diags) = capol::compile_workspace(&sources);
        assert!(!diags.has_errors(), "workspace seed {seed} does not compile");
        let program = program.unwrap();
        let engine = capol::eval::Engine::new(&program);
        let resolver = capol::eval::Resolver::new(&engine);
        let policies = engine.policies();
        for case in 0..SIGN_INS {
            let (s, json) = random_sign_in(&mut rng, &program);
            let run = capol::eval::evaluate_document(&resolver, &json, capol::eval::Input::Auto)
                .unwrap_or_else(|e| panic!("seed {seed} case {case}: {json}: {e:?}"));
            let got: BTreeSet<&str> = run
                .evaluation
                .applied
                .iter()
                .map(|&i| &policies[i as usize])
                .filter(|p| modelled(p))
                .map(|p| p.display_name.as_str())
                .collect();
            let want: BTreeSet<&str> = policies
                .iter()
                .filter(|p| modelled(p) && applies(&program, &s, p))
                .map(|p| p.display_name.as_str())
                .collect();
            if got != want {
                let mut msg = String::new();
                let _ = writeln!(
                    msg,
                    "workspace seed {seed} ({n_policies} policies, {n_locations} locations, {ranges} ranges), case {case}"
                );
                let _ = writeln!(msg, "scenario: {json}");
                let _ = writeln!(msg, "engine only:    {:?}", got.difference(&want).collect::<Vec<_>>());
                let _ = writeln!(msg, "reference only: {:?}", want.difference(&got).collect::<Vec<_>>());
                let _ = writeln!(msg, "engine:    {got:?}\nreference: {want:?}");
                panic!("{msg}");
            }
            cases += 1;
            compared += policies.iter().filter(|p| modelled(p)).count();
            applied += want.len();
        }
    }
    assert!(cases >= 10_000, "{cases} cases");
    // The generated sign-ins must exercise something: a fair share of (sign-in, policy) pairs apply.
    assert!(applied * 20 > compared, "only {applied} of {compared} policy checks applied");
    println!("{cases} sign-ins, {compared} policy checks, {applied} applied");
}
