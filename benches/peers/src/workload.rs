//! The shared workload: one generated workspace compiled once, its Graph JSON, the directory facts
//! every evaluator is given, and deterministic sign-ins, each in the shape each evaluator reads.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use capol::generate::Rng;
use capol::ir::{self, AuthFlow, ClientApp, InsiderRisk, LocationKind, Platform, RiskLevel, UserAction};
use serde_json::{Map, Value, json};

/// The compared workspace: Entra's maximum of 195 named locations.
pub const POLICIES: usize = 195;
/// Named IP locations.
pub const LOCATIONS: usize = 195;
/// Ranges per named location.
pub const RANGES: usize = 2000;

/// The generated text without device filters. Cedar and Rego have no natural encoding of Entra's
/// device-filter rule language, so the compared set leaves them out; the policies that had one
/// keep every other condition.
pub fn workspace_text(seed: u64, policies: usize, locations: usize, ranges: usize) -> String {
    capol::generate::workspace(seed, policies, locations, ranges)
        .lines()
        .filter(|l| !l.trim_start().starts_with("device_filter "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compile `.capol` text to IR, failing on any error.
pub fn compile(text: &str) -> Result<ir::Program, String> {
    let mut sources = capol::Sources::new();
    sources.add("generated.capol", text);
    let (program, diags) = capol::compile_workspace(&sources);
    if diags.has_errors() {
        let first: Vec<String> = diags.items.iter().take(3).map(|d| d.error.to_string()).collect();
        return Err(format!("the generated workspace does not compile: {first:?}"));
    }
    program.ok_or_else(|| "the generated workspace compiled to nothing".to_owned())
}

/// The IR of `workspace_text(42, policies, locations, ranges)`. Entra allows 195 policies, and
/// `capol check` enforces it; beyond that (scaling only) the IR is extended with the policies of
/// workspaces from further seeds, renamed, since the engine evaluates any IR.
pub fn program(policies: usize, locations: usize, ranges: usize) -> Result<ir::Program, String> {
    let limit = capol::check::MAX_POLICIES;
    let mut program = compile(&workspace_text(42, policies.min(limit), locations, ranges))?;
    let mut seed = 43;
    while program.policies.len() < policies {
        let extra = compile(&workspace_text(seed, limit, locations, 1))?;
        for mut p in extra.policies {
            if program.policies.len() == policies {
                break;
            }
            p.display_name = format!("{} (seed {seed})", p.display_name);
            program.policies.push(p);
        }
        seed += 1;
    }
    Ok(program)
}

/// The Graph JSON of a program: policies in program order, and named locations keyed by the
/// string policies use to reference them (the id, or capol's `${location:NAME}` placeholder for a
/// location the deployment creates).
pub struct Graph {
    /// `conditionalAccessPolicy` request bodies, in program (and engine) order.
    pub policies: Vec<Value>,
    /// `namedLocation` request bodies by reference.
    pub locations: Map<String, Value>,
}

/// Graph JSON for `program`, as `capol compile --target graph` writes it.
pub fn graph(program: &ir::Program) -> Graph {
    let policies = program.policies.iter().map(|p| capol::targets::graph::policy_json(program, p)).collect();
    let mut locations = Map::new();
    for l in &program.locations {
        if let Some(body) = capol::targets::graph::location_body(l) {
            let key = l.id.clone().unwrap_or_else(|| capol::targets::graph::placeholder("location", &l.name));
            locations.insert(key, body);
        }
    }
    Graph { policies, locations }
}

/// What a directory says about a user: the facts Entra looks up at sign-in.
#[derive(Debug, Clone)]
pub struct UserFacts {
    /// Object id.
    pub id: String,
    /// Graph's user type: `member` or a `guestOrExternalUserTypes` value.
    pub user_type: &'static str,
    /// Group object ids (transitive memberships).
    pub groups: Vec<String>,
    /// Role template ids.
    pub roles: Vec<String>,
}

/// The directory of the workspace's users, in program order.
pub fn directory(program: &ir::Program) -> Vec<UserFacts> {
    let group_id = |name: &str| program.groups.iter().find(|g| g.name == name).and_then(|g| g.id.clone());
    let role_id = |name: &str| program.roles.iter().find(|r| r.name == name).map(|r| r.template_id.clone());
    program
        .users
        .iter()
        .map(|u| UserFacts {
            id: u.id.clone().unwrap_or_else(|| u.name.clone()),
            user_type: if u.user_type == ir::UserType::Member { "member" } else { u.user_type.graph() },
            groups: u.member_of.iter().filter_map(|g| group_id(g)).collect(),
            roles: u.roles.iter().filter_map(|r| role_id(r)).collect(),
        })
        .collect()
}

/// What a sign-in is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A resource, by app id.
    App(String),
    /// A user action.
    Action(UserAction),
    /// An authentication context, by id (`c1`).
    Context(String),
}

/// One sign-in, before any evaluator's encoding.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// Index into the directory.
    pub user: usize,
    /// What for.
    pub target: Target,
    /// The public address.
    pub ip: IpAddr,
    /// Device platform.
    pub platform: Platform,
    /// Client app type.
    pub client: ClientApp,
    /// Sign-in risk.
    pub sign_in_risk: RiskLevel,
    /// User risk.
    pub user_risk: RiskLevel,
    /// Insider risk, `None` for none.
    pub insider_risk: Option<InsiderRisk>,
    /// Authentication flow, `None` for an ordinary sign-in.
    pub auth_flow: Option<AuthFlow>,
}

/// Every IP range of the program's named locations, as (first, last) address pairs per family.
struct Ranges {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

fn ranges(program: &ir::Program) -> Ranges {
    let mut out = Ranges { v4: Vec::new(), v6: Vec::new() };
    for l in &program.locations {
        if let LocationKind::Ip { ranges, .. } = &l.kind {
            for r in ranges {
                match r.network {
                    IpAddr::V4(a) => {
                        let first = u32::from(a);
                        let last = first | (u32::MAX.checked_shr(u32::from(r.prefix)).unwrap_or(0));
                        out.v4.push((first, last));
                    }
                    IpAddr::V6(a) => {
                        let first = u128::from(a);
                        let last = first | (u128::MAX.checked_shr(u32::from(r.prefix)).unwrap_or(0));
                        out.v6.push((first, last));
                    }
                }
            }
        }
    }
    out
}

fn between(rng: &mut Rng, first: u128, last: u128) -> u128 {
    let span = last - first;
    if span == u128::MAX {
        return u128::from(rng.next_u64());
    }
    let r = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
    first + r % (span + 1)
}

/// `n` deterministic sign-ins: workspace users (about one in ten a guest), 90% app sign-ins
/// across the workspace's apps, 5% security-info registration, 5% the authentication context;
/// 60% of addresses inside a random named-location range, 25% near one (same /24 or /48 block,
/// often outside every range), 15% outside every location; about 15% IPv6; every platform, client
/// app type and risk level; some insider risk and device-code flows.
pub fn sign_ins(program: &ir::Program, seed: u64, n: usize) -> Vec<SignIn> {
    let mut rng = Rng::new(seed);
    let apps: Vec<String> = program.apps.iter().filter_map(|a| a.id.clone()).collect();
    let contexts: Vec<String> = program.auth_contexts.iter().filter_map(|a| a.id.clone()).collect();
    let all = ranges(program);
    let users = program.users.len();
    (0..n)
        .map(|_| {
            let user = rng.below(users);
            let target = match rng.below(20) {
                0 => Target::Action(UserAction::RegisterSecurityInfo),
                1 if !contexts.is_empty() => Target::Context(contexts[rng.below(contexts.len())].clone()),
                _ => Target::App(apps[rng.below(apps.len())].clone()),
            };
            let v6 = rng.chance(15) && !all.v6.is_empty();
            let where_ = rng.below(100);
            let ip = if v6 {
                let (first, last) = all.v6[rng.below(all.v6.len())];
                let a = match where_ {
                    0..60 => between(&mut rng, first, last),
                    60..85 => between(&mut rng, first & !((1u128 << 80) - 1), first | ((1u128 << 80) - 1)),
                    _ => between(
                        &mut rng,
                        0x2001_0db9u128 << 96,
                        (0x2001_0db9u128 << 96) | ((1u128 << 96) - 1),
                    ),
                };
                IpAddr::V6(Ipv6Addr::from(a))
            } else if all.v4.is_empty() {
                IpAddr::V4(Ipv4Addr::new(198, 51, 100, rng.below(256) as u8))
            } else {
                let (first, last) = all.v4[rng.below(all.v4.len())];
                let a = match where_ {
                    0..60 => between(&mut rng, u128::from(first), u128::from(last)) as u32,
                    60..85 => (first & 0xffff_ff00) | rng.below(256) as u32,
                    _ => u32::from(Ipv4Addr::new(198, 51, 100, 0)) | rng.below(256) as u32,
                };
                IpAddr::V4(Ipv4Addr::from(a))
            };
            let platform =
                [Platform::Android, Platform::Ios, Platform::Windows, Platform::Macos, Platform::Linux]
                    [rng.below(5)];
            let client = [
                ClientApp::Browser,
                ClientApp::MobileDesktop,
                ClientApp::ExchangeActiveSync,
                ClientApp::Other,
            ][rng.below(4)];
            let risks =
                [RiskLevel::None, RiskLevel::None, RiskLevel::Low, RiskLevel::Medium, RiskLevel::High];
            let sign_in_risk = risks[rng.below(5)];
            let user_risk = risks[rng.below(5)];
            let insider_risk = match rng.below(10) {
                0 => Some(InsiderRisk::Minor),
                1 => Some(InsiderRisk::Moderate),
                2 | 3 => Some(InsiderRisk::Elevated),
                _ => None,
            };
            let auth_flow = match rng.below(10) {
                0 | 1 => Some(AuthFlow::DeviceCode),
                2 => Some(AuthFlow::AuthTransfer),
                _ => None,
            };
            SignIn { user, target, ip, platform, client, sign_in_risk, user_risk, insider_risk, auth_flow }
        })
        .collect()
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

fn client_word(c: ClientApp) -> &'static str {
    match c {
        ClientApp::All => "all",
        ClientApp::Browser => "browser",
        ClientApp::MobileDesktop => "mobile_desktop",
        ClientApp::ExchangeActiveSync => "exchange_active_sync",
        ClientApp::EasSupported => "eas_supported",
        ClientApp::Other => "other",
    }
}

fn flow_word(f: AuthFlow) -> &'static str {
    match f {
        AuthFlow::DeviceCode => "device_code",
        AuthFlow::AuthTransfer => "auth_transfer",
    }
}

impl SignIn {
    /// capol's scenario JSON (one JSON Lines line).
    pub fn scenario_json(&self, dir: &[UserFacts]) -> String {
        let mut o = Map::new();
        o.insert("user".into(), json!(dir[self.user].id));
        match &self.target {
            Target::App(id) => o.insert("app".into(), json!(id)),
            Target::Action(a) => o.insert("action".into(), json!(a.word())),
            Target::Context(c) => o.insert("auth_context".into(), json!(c)),
        };
        o.insert("ip".into(), json!(self.ip.to_string()));
        o.insert("platform".into(), json!(platform_word(self.platform)));
        o.insert("client_app".into(), json!(client_word(self.client)));
        o.insert("sign_in_risk".into(), json!(capol::targets::graph::risk(self.sign_in_risk)));
        o.insert("user_risk".into(), json!(capol::targets::graph::risk(self.user_risk)));
        if let Some(r) = self.insider_risk {
            o.insert("insider_risk".into(), json!(capol::targets::graph::insider_risk(r)));
        }
        if let Some(f) = self.auth_flow {
            o.insert("auth_flow".into(), json!(flow_word(f)));
        }
        Value::Object(o).to_string()
    }

    /// Graph spellings of the sign-in's conditions, shared by the Rego input, the Cedar context
    /// and the straightforward evaluator.
    pub fn graph_view<'a>(&'a self, dir: &'a [UserFacts]) -> View<'a> {
        let (app, app_groups, action, context) = match &self.target {
            Target::App(id) => {
                let mut groups = Vec::new();
                if capol::eval::apps::is_office365(id) {
                    groups.push("Office365");
                }
                if capol::eval::apps::is_admin_portal(id) {
                    groups.push("MicrosoftAdminPortals");
                }
                (Some(id.as_str()), groups, None, None)
            }
            Target::Action(a) => (None, Vec::new(), Some(a.urn()), None),
            Target::Context(c) => (None, Vec::new(), None, Some(c.as_str())),
        };
        View {
            user: &dir[self.user],
            app,
            app_groups,
            action,
            context,
            ip: self.ip,
            platform: capol::targets::graph::platform(self.platform),
            client: capol::targets::graph::client_app(self.client),
            sign_in_risk: capol::targets::graph::risk(self.sign_in_risk),
            user_risk: capol::targets::graph::risk(self.user_risk),
            insider_risk: self.insider_risk.map_or("none", capol::targets::graph::insider_risk),
            auth_flow: self.auth_flow.map_or("none", capol::targets::graph::auth_flow),
        }
    }
}

/// A sign-in in Graph's spellings.
#[derive(Debug, Clone)]
pub struct View<'a> {
    /// The user's directory facts.
    pub user: &'a UserFacts,
    /// The resource's app id, for an app sign-in.
    pub app: Option<&'a str>,
    /// The app groups (`Office365`, `MicrosoftAdminPortals`) the resource belongs to.
    pub app_groups: Vec<&'static str>,
    /// The user action URN.
    pub action: Option<&'static str>,
    /// The authentication context id.
    pub context: Option<&'a str>,
    /// The address.
    pub ip: IpAddr,
    /// `devicePlatform`.
    pub platform: &'static str,
    /// `clientAppType`.
    pub client: &'static str,
    /// `signInRiskLevel`.
    pub sign_in_risk: &'static str,
    /// `userRiskLevel`.
    pub user_risk: &'static str,
    /// `insiderRiskLevel` (`none` when none).
    pub insider_risk: &'static str,
    /// The transfer method (`none` for an ordinary sign-in).
    pub auth_flow: &'static str,
}

impl View<'_> {
    /// The JSON document the Rego policy reads as `input`.
    pub fn rego_input(&self) -> Value {
        let mut input = json!({
            "user": {
                "id": self.user.id,
                "userType": self.user.user_type,
                "groups": self.user.groups,
                "roles": self.user.roles,
            },
            "application": self.app,
            "applicationGroups": self.app_groups,
            "userAction": self.action,
            "authenticationContext": self.context,
            "ipAddress": self.ip.to_string(),
            "devicePlatform": self.platform,
            "clientAppType": self.client,
            "signInRiskLevel": self.sign_in_risk,
            "userRiskLevel": self.user_risk,
            "insiderRiskLevel": self.insider_risk,
            "authenticationFlow": self.auth_flow,
        });
        // Absent facts are absent keys, which Rego reads as undefined.
        if let Value::Object(o) = &mut input {
            o.retain(|_, v| !v.is_null());
        }
        input
    }
}
