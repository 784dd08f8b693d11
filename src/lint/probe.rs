//! Representative sign-ins for the coverage rules: who signs in (a member in no group, the
//! member of one group, the holder of one role, a declared user, a guest), from where (no IP,
//! each named location, an untrusted public address), on which platform and with which client.
//! The rules ask the evaluation engine what the enforced policies do with them.
//!
//! The representatives cover every class the policies can tell apart for the attribute at hand:
//! location conditions only see named locations, `trusted` and "any", so one address inside each
//! named location plus one outside all of them reaches every location outcome; platforms are
//! finite. Attributes a rule does not vary take their defaults: no risk, an ordinary flow and an
//! unregistered device (every device property empty).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use crate::catalog;
use crate::eval::signin::{AppRef, Client, Context, Identity, Principal, Risk, SignIn, country_code};
use crate::eval::{Applicable, Engine, Miss, PolicyResult, Reason};
use crate::ir::{self, Platform, UserType};

/// Where a representative sign-in comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// How to say it: "with no IP address", "from `hq`", "from an untrusted IP address".
    pub label: String,
    /// The address.
    pub ip: Option<IpAddr>,
    /// The country of the address.
    pub country: Option<[u8; 2]>,
}

/// No address at all, a public address outside every location in a country no location lists,
/// then one address inside each IP location and one country of each country location that a
/// policy refers to (by name, or through `trusted`). A location no policy refers to behaves like
/// no location at all, so it needs no sign-in of its own.
pub fn places(program: &ir::Program) -> Vec<Place> {
    let outside = untrusted_address(program);
    let unlisted = unlisted_country(program);
    let mut out = vec![
        Place { label: "with no IP address".into(), ip: None, country: None },
        Place {
            label: format!("from an untrusted IP address ({outside})"),
            ip: Some(outside),
            country: unlisted,
        },
    ];
    let sets = || {
        program.policies.iter().filter_map(|p| p.locations.as_ref()).flat_map(|l| [&l.include, &l.exclude])
    };
    let uses_trusted = sets().any(|s| s.trusted);
    for location in &program.locations {
        let trusted = matches!(location.kind, ir::LocationKind::Ip { trusted: true, .. });
        let named = sets().any(|s| s.named.iter().any(|r| r.name == location.name));
        let referenced = named || (trusted && uses_trusted);
        if !referenced {
            continue;
        }
        match &location.kind {
            ir::LocationKind::Ip { ranges, .. } => {
                if let Some(r) = ranges.first() {
                    out.push(Place {
                        label: format!("from `{}` ({})", location.name, r.network),
                        ip: Some(r.network),
                        country: unlisted,
                    });
                }
            }
            ir::LocationKind::Country { countries, .. } => {
                if let Some(code) = countries.first().and_then(|c| country_code(c)) {
                    out.push(Place {
                        label: format!("from `{}` ({})", location.name, String::from_utf8_lossy(&code)),
                        ip: Some(outside),
                        country: Some(code),
                    });
                }
            }
            // Its addresses are unknown, so no sign-in can be placed in it (docs/eval.md).
            ir::LocationKind::Unmanaged { .. } => {}
        }
    }
    out
}

/// A public IPv4 address in no named location.
pub fn untrusted_address(program: &ir::Program) -> IpAddr {
    let mut intervals: Vec<(u128, u128)> = program
        .locations
        .iter()
        .filter_map(|l| match &l.kind {
            ir::LocationKind::Ip { ranges, .. } => Some(ranges),
            ir::LocationKind::Country { .. } | ir::LocationKind::Unmanaged { .. } => None,
        })
        .flatten()
        .filter(|r| r.network.is_ipv4())
        .map(|r| r.bounds())
        .collect();
    intervals.sort_unstable();
    // 20.0.0.1 is public address space; step over any range that holds the candidate.
    let mut candidate = u128::from(u32::from(Ipv4Addr::new(20, 0, 0, 1)));
    for (start, end) in intervals {
        if start <= candidate && candidate <= end {
            candidate = end + 1;
        }
    }
    let v4 = u32::try_from(candidate).unwrap_or(u32::from(Ipv4Addr::new(20, 0, 0, 1)));
    IpAddr::V4(Ipv4Addr::from(v4))
}

/// A country no country location lists.
pub fn unlisted_country(program: &ir::Program) -> Option<[u8; 2]> {
    let listed: Vec<&str> = program
        .locations
        .iter()
        .filter_map(|l| match &l.kind {
            ir::LocationKind::Country { countries, .. } => Some(countries),
            ir::LocationKind::Ip { .. } | ir::LocationKind::Unmanaged { .. } => None,
        })
        .flatten()
        .map(String::as_str)
        .collect();
    catalog::COUNTRIES.iter().map(|(code, _)| *code).find(|c| !listed.contains(c)).and_then(country_code)
}

/// No platform, then every platform.
pub const PLATFORMS: [Option<Platform>; 7] = [
    None,
    Some(Platform::Android),
    Some(Platform::Ios),
    Some(Platform::Windows),
    Some(Platform::WindowsPhone),
    Some(Platform::Macos),
    Some(Platform::Linux),
];

/// No platform, each platform some policy names, and one platform no policy names (those all
/// behave alike).
pub fn platforms(program: &ir::Program) -> Vec<Option<Platform>> {
    let named: Vec<Platform> = program
        .policies
        .iter()
        .filter_map(|p| p.platforms.as_ref())
        .flat_map(|pl| pl.include.iter().chain(&pl.exclude).copied())
        .collect();
    let mut out = vec![None];
    let mut unnamed = None;
    for p in PLATFORMS.iter().flatten() {
        if named.contains(p) {
            out.push(Some(*p));
        } else if unnamed.is_none() {
            unnamed = Some(*p);
        }
    }
    out.extend(unnamed.map(Some));
    out
}

/// The words of a platform probe.
pub fn platform_text(platform: Option<Platform>) -> &'static str {
    match platform {
        None => "no known platform",
        Some(Platform::Android) => "android",
        Some(Platform::Ios) => "ios",
        Some(Platform::Windows) => "windows",
        Some(Platform::WindowsPhone) => "windows_phone",
        Some(Platform::Macos) => "macos",
        Some(Platform::Linux) | Some(Platform::All) => "linux",
    }
}

/// A resource no policy targets by name: only policies on `all` apps see it.
pub fn unlisted_app() -> Context {
    Context::App(AppRef::default())
}

/// A member with no group, no role and no declared identity.
pub fn member(engine: &Engine) -> Principal {
    engine.empty_principal(UserType::Member)
}

/// A member of one group and nothing else.
pub fn group_member(engine: &Engine, group: &str) -> Principal {
    let mut p = member(engine);
    if let Some(i) = engine.group_index(group) {
        p.groups.insert(i);
    }
    p
}

/// The holder of one role (by workspace name or template id) and nothing else.
pub fn role_holder(engine: &Engine, role: &str) -> Principal {
    let mut p = member(engine);
    if let Some(i) = engine.role_index(role) {
        p.roles.insert(i);
    }
    p
}

/// A declared user with the memberships the workspace gives it.
pub fn workspace_user(engine: &Engine, user: &str) -> Option<Principal> {
    engine.workspace_user(user).and_then(|i| engine.workspace_principal(i)).map(|p| (*p).clone())
}

/// A guest of one type, from a tenant no policy names.
pub fn guest(engine: &Engine, user_type: UserType) -> Principal {
    engine.empty_principal(user_type)
}

/// A sign-in with every condition at its default.
pub fn sign_in(principal: &Principal, context: Context) -> SignIn {
    SignIn::new(Identity::User(Arc::new(principal.clone())), context)
}

/// A sign-in from a place, on a platform, with a client.
pub fn at(
    principal: &Principal,
    context: Context,
    place: &Place,
    platform: Option<Platform>,
    client: Option<Client>,
) -> SignIn {
    let mut s = sign_in(principal, context);
    s.ip = place.ip;
    s.country = place.country;
    s.platform = platform;
    s.client = client;
    s
}

/// What the enforced policies do with a sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enforced {
    /// Indices of the enabled policies that block it.
    pub blocked_by: Vec<u32>,
    /// Indices of the enabled policies that apply (blocking or not).
    pub applied: Vec<u32>,
}

impl Enforced {
    /// True when an enabled policy blocks.
    pub fn blocked(&self) -> bool {
        !self.blocked_by.is_empty()
    }
}

/// Evaluate a sign-in and keep the enabled policies that apply.
pub fn enforced(engine: &Engine, sign_in: &SignIn, buffer: &mut Applicable) -> Enforced {
    engine.applicable_into(sign_in, buffer);
    let policies = engine.policies();
    let mut out = Enforced::default();
    for &i in &buffer.policies {
        let Some(p) = policies.get(i as usize) else { continue };
        if p.state != ir::PolicyState::Enabled {
            continue;
        }
        out.applied.push(i);
        if p.grant == Some(ir::Grant::Block) {
            out.blocked_by.push(i);
        }
    }
    out
}

/// The grant of a policy requires a control satisfying `pred` on every path: a single control
/// or an `all(...)` holding one, or an `any(...)` all of whose alternatives do.
pub fn requires(policy: &ir::Policy, pred: impl Fn(&ir::Control) -> bool) -> bool {
    match &policy.grant {
        Some(ir::Grant::Require { operator: ir::Operator::And, controls }) => controls.iter().any(pred),
        Some(ir::Grant::Require { operator: ir::Operator::Or, controls }) => {
            !controls.is_empty() && controls.iter().all(pred)
        }
        _ => false,
    }
}

/// A principal the policy's user condition includes, with words for messages: a member in no
/// group for `all`, then one per included group, role, user and guest type.
pub fn included_principals(engine: &Engine, policy: &ir::Policy) -> Vec<(String, Principal)> {
    let include = &policy.users.include;
    let mut out = Vec::new();
    if include.all {
        out.push(("a member in no group".to_owned(), member(engine)));
    }
    for g in &include.groups {
        out.push((format!("members of group `{}`", g.name), group_member(engine, &g.name)));
    }
    for r in &include.roles {
        out.push((format!("holders of role `{}`", r.name), role_holder(engine, &r.name)));
    }
    for u in &include.users {
        if let Some(p) = workspace_user(engine, &u.name) {
            out.push((format!("user `{}`", u.name), p));
        }
    }
    if include.all_guests {
        out.push(("guests".to_owned(), guest(engine, UserType::B2bCollaborationGuest)));
    }
    if let Some(g) = &include.guests {
        for t in &g.types {
            out.push((format!("`{}` guests", t.word()), guest(engine, *t)));
        }
    }
    out
}

/// The first included principal whose user condition the policy (at `index` in `engine`)
/// matches, exclusions considered.
pub fn in_scope_principal(engine: &Engine, policy: &ir::Policy, index: usize) -> Option<(String, Principal)> {
    included_principals(engine, policy).into_iter().find(|(_, p)| {
        let s = sign_in(p, unlisted_app());
        !user_miss(engine.evaluate(&s).results.get(index).copied())
    })
}

/// Whether a result is a miss on the user or workload identity condition.
pub fn user_miss(result: Option<PolicyResult>) -> bool {
    matches!(
        result,
        Some(PolicyResult::NotApplies(Miss { reason: Reason::Users | Reason::WorkloadIdentities, .. }))
            | None
    )
}

/// A sign-in context inside the policy's target: an unnamed app for `all`, an Office 365 or
/// admin portal app for those groups, else the first named app, action or context.
pub fn target_context(engine: &Engine, policy: &ir::Policy) -> Option<Context> {
    match &policy.target {
        ir::Target::Apps { include, .. } if include.all => Some(unlisted_app()),
        ir::Target::Apps { include, .. } if include.office365 => {
            Some(Context::App(AppRef { office365: true, ..AppRef::default() }))
        }
        ir::Target::Apps { include, .. } if include.admin_portals => {
            Some(Context::App(AppRef { admin_portals: true, ..AppRef::default() }))
        }
        ir::Target::Apps { include, .. } => {
            include.apps.first().map(|a| Context::App(engine.app(a.id.as_deref().unwrap_or(&a.name))))
        }
        ir::Target::UserActions { actions } => actions.first().map(|a| Context::Action(*a)),
        ir::Target::AuthContexts { contexts } => {
            contexts.first().map(|c| Context::AuthContext(engine.context_index(&c.name)))
        }
    }
}

fn risk(levels: &[ir::RiskLevel]) -> Risk {
    match levels.first() {
        Some(ir::RiskLevel::High) => Risk::High,
        Some(ir::RiskLevel::Medium) => Risk::Medium,
        Some(ir::RiskLevel::Low) => Risk::Low,
        Some(ir::RiskLevel::None) | None => Risk::None,
    }
}

fn client_of(c: ir::ClientApp) -> Vec<Client> {
    match c {
        ir::ClientApp::All => vec![Client::Browser, Client::MobileDesktop],
        ir::ClientApp::Browser => vec![Client::Browser],
        ir::ClientApp::MobileDesktop => vec![Client::MobileDesktop],
        ir::ClientApp::ExchangeActiveSync => vec![Client::ExchangeActiveSync],
        ir::ClientApp::EasSupported => vec![Client::EasSupported],
        ir::ClientApp::Other => vec![Client::Other],
    }
}

/// Sign-ins a policy's conditions can match, for a principal, produced lazily: every place (the
/// locations the policy includes first), the platforms and client apps it names (browsers and
/// modern clients when it names none), and the first risk level, insider risk and flow it
/// requires. Which of them it really matches is for the engine.
pub fn condition_sign_ins<'a>(
    places: &'a [Place],
    all_platforms: &[Option<Platform>],
    engine: &Engine,
    policy: &'a ir::Policy,
    principal: &Principal,
) -> impl Iterator<Item = SignIn> + 'a {
    let context = target_context(engine, policy);
    let platforms: Vec<Option<Platform>> = match &policy.platforms {
        Some(pl) if !pl.include.contains(&Platform::All) => pl.include.iter().map(|p| Some(*p)).collect(),
        _ => all_platforms.to_vec(),
    };
    let included: Vec<&str> =
        policy.locations.iter().flat_map(|l| l.include.named.iter().map(|r| r.name.as_str())).collect();
    let mut ordered: Vec<&'a Place> = places.iter().collect();
    ordered.sort_by_key(|p| !included.iter().any(|n| p.label.starts_with(&format!("from `{n}`"))));
    let mut clients: Vec<Client> = policy.client_apps.iter().flat_map(|c| client_of(*c)).collect();
    clients.dedup();
    let identity = Identity::User(Arc::new(principal.clone()));
    let combos: Vec<(Option<Platform>, Client)> =
        platforms.iter().flat_map(|&p| clients.iter().map(move |&c| (p, c))).collect();
    ordered.into_iter().filter(move |_| context.is_some()).flat_map(move |place| {
        let identity = identity.clone();
        combos.clone().into_iter().filter_map(move |(platform, client)| {
            let mut s = SignIn::new(identity.clone(), context?);
            s.ip = place.ip;
            s.country = place.country;
            s.platform = platform;
            s.client = Some(client);
            s.sign_in_risk = risk(&policy.sign_in_risk);
            s.user_risk = risk(&policy.user_risk);
            s.insider_risk = policy.insider_risk.first().copied();
            s.auth_flow = policy.auth_flows.first().copied();
            Some(s)
        })
    })
}

/// The same sign-in by another principal.
pub fn with_principal(s: &SignIn, principal: &Principal) -> SignIn {
    let mut out = s.clone();
    out.identity = Identity::User(Arc::new(principal.clone()));
    out
}

/// A policy that is not enabled but would satisfy `pred` for this sign-in if it were: the
/// scope engine (every policy enabled) applies it and the real program has it off or
/// report-only.
pub fn dormant<'p>(
    program: &'p ir::Program,
    scope: &Engine,
    s: &SignIn,
    pred: impl Fn(&ir::Policy) -> bool,
) -> Option<&'p ir::Policy> {
    let mut buffer = Applicable::default();
    scope.applicable_into(s, &mut buffer);
    buffer
        .policies
        .iter()
        .filter_map(|&i| program.policies.get(i as usize))
        .find(|p| p.state != ir::PolicyState::Enabled && pred(p))
}

/// Whether a policy has no condition besides its users and target.
pub fn unconditional(p: &ir::Policy) -> bool {
    p.locations.is_none()
        && p.platforms.is_none()
        && p.client_apps.iter().all(|c| *c == ir::ClientApp::All)
        && p.sign_in_risk.is_empty()
        && p.user_risk.is_empty()
        && p.insider_risk.is_empty()
        && p.auth_flows.is_empty()
        && p.device_filter.is_none()
}

/// Multifactor authentication or an authentication strength.
pub fn is_mfa(control: &ir::Control) -> bool {
    matches!(control, ir::Control::Mfa | ir::Control::AuthStrength(_))
}

/// A representative sign-in the enforced policies leave uncovered.
#[derive(Debug, Clone)]
pub struct Gap {
    /// Where it comes from.
    pub place: Place,
    /// The platform.
    pub platform: Option<Platform>,
    /// The client app.
    pub client: Client,
    /// The sign-in.
    pub sign_in: SignIn,
}

impl Gap {
    /// "`other` sign-ins with no IP address on android".
    pub fn describe(&self) -> String {
        format!("`{}` sign-ins {} on {}", self.client.word(), self.place.label, platform_text(self.platform))
    }
}

/// The first sign-in (by `principal`, to `context`, from `places`, on `platforms`, with
/// `clients`, adjusted by `tweak`) for which `covered` is false.
#[expect(clippy::too_many_arguments, reason = "each argument is one axis of the probe")]
pub fn first_gap(
    places: &[Place],
    engine: &Engine,
    principal: &Principal,
    context: Context,
    clients: &[Client],
    platforms: &[Option<Platform>],
    tweak: impl Fn(&mut SignIn),
    covered: impl Fn(&Enforced) -> bool,
) -> Option<Gap> {
    let mut buffer = Applicable::default();
    // A policy with no condition besides users and target that covers one sign-in covers them
    // all: there is nothing left to vary.
    if let (Some(place), Some(&client)) = (places.first(), clients.first()) {
        let mut s = at(principal, context, place, None, Some(client));
        tweak(&mut s);
        let policies = engine.policies();
        let hit = enforced(engine, &s, &mut buffer).applied.into_iter().any(|i| {
            policies.get(i as usize).is_some_and(|p| {
                let alone = Enforced {
                    blocked_by: if p.grant == Some(ir::Grant::Block) { vec![i] } else { Vec::new() },
                    applied: vec![i],
                };
                unconditional(p) && covered(&alone)
            })
        });
        if hit {
            return None;
        }
    }
    for place in places {
        for &platform in platforms {
            for &client in clients {
                let mut s = at(principal, context, place, platform, Some(client));
                tweak(&mut s);
                if !covered(&enforced(engine, &s, &mut buffer)) {
                    return Some(Gap { place: place.clone(), platform, client, sign_in: s });
                }
            }
        }
    }
    None
}
