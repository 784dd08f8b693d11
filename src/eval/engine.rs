//! The evaluation engine: an `ir::Program` compiled once into dense indices, bitsets, interval
//! tables and per-target policy buckets, then asked about sign-ins.
//!
//! INVARIANT: `evaluate_into` and `applicable_into` allocate nothing once their output buffers
//! have grown to the number of policies; they never panic, whatever the program or sign-in.

use std::collections::HashMap;
use std::sync::Arc;

use ipnetwork::IpNetwork;

use super::bits::BitSet;
use super::iptable::{EMPTY, IpTable, SetId, SetTable};
use super::signin::{AppRef, Client, Context, Identity, Principal, Risk, SignIn, country_slot};
use crate::devfilter;
use crate::ir::{self, UserType};

/// Why a policy does not apply: Microsoft's `whatIfAnalysisReasons` value for the first
/// condition the sign-in does not satisfy. Declared in the order capol checks them, which is the
/// order of the enum in the Graph metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// The policy is disabled.
    PolicyNotEnabled,
    /// The policy cannot be evaluated (for example its device filter does not parse).
    InvalidPolicy,
    /// The user condition.
    Users,
    /// The workload identity condition (or its risk).
    WorkloadIdentities,
    /// The application condition.
    Application,
    /// The user action condition.
    UserActions,
    /// The authentication context condition.
    AuthenticationContext,
    /// The device platform condition.
    DevicePlatform,
    /// The filter for devices.
    Devices,
    /// The client app condition.
    ClientApps,
    /// The location condition.
    Location,
    /// The sign-in risk condition.
    SignInRisk,
    /// The user risk condition.
    UserRisk,
    /// The insider risk condition.
    InsiderRisk,
    /// The authentication flow condition.
    AuthenticationFlow,
}

impl Reason {
    /// Graph's spelling in `analysisReasons`.
    pub fn graph(self) -> &'static str {
        match self {
            Reason::PolicyNotEnabled => "policyNotEnabled",
            Reason::InvalidPolicy => "invalidPolicy",
            Reason::Users => "users",
            Reason::WorkloadIdentities => "workloadIdentities",
            Reason::Application => "application",
            Reason::UserActions => "userActions",
            Reason::AuthenticationContext => "authenticationContext",
            Reason::DevicePlatform => "devicePlatform",
            Reason::Devices => "devices",
            Reason::ClientApps => "clientApps",
            Reason::Location => "location",
            Reason::SignInRisk => "signInRisk",
            Reason::UserRisk => "userRisk",
            Reason::InsiderRisk => "insiderRisk",
            Reason::AuthenticationFlow => "authenticationFlow",
        }
    }
}

/// The detail behind a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Why {
    /// The sign-in is not in the included set.
    NotIncluded,
    /// The sign-in is in the excluded set (exclusion wins over inclusion).
    Excluded,
    /// The policy is disabled.
    Disabled,
    /// The policy is invalid.
    Invalid,
    /// Report-only policies do not evaluate user actions.
    ReportOnlyUserAction,
    /// The user is outside the combined registration preview and gets the legacy registration
    /// experience, which no user-action policy governs.
    LegacyRegistration,
    /// The sign-in targets another kind of resource (an app, a user action or an
    /// authentication context).
    OtherContext,
    /// A user signs in to a workload-identity policy, or a workload identity to a user policy.
    OtherIdentity,
}

impl Why {
    /// A short capol word for machine output.
    pub fn word(self) -> &'static str {
        match self {
            Why::NotIncluded => "not_included",
            Why::Excluded => "excluded",
            Why::Disabled => "disabled",
            Why::Invalid => "invalid",
            Why::ReportOnlyUserAction => "report_only_user_action",
            Why::LegacyRegistration => "legacy_registration",
            Why::OtherContext => "other_target_kind",
            Why::OtherIdentity => "other_identity_kind",
        }
    }
}

/// The first condition a sign-in misses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Miss {
    /// Microsoft's reason.
    pub reason: Reason,
    /// capol's detail.
    pub why: Why,
}

const fn miss(reason: Reason, why: Why) -> Miss {
    Miss { reason, why }
}

/// The result for one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyResult {
    /// Every condition holds.
    Applies,
    /// The first condition that does not hold.
    NotApplies(Miss),
}

impl PolicyResult {
    /// True for `Applies`.
    pub fn applies(self) -> bool {
        matches!(self, PolicyResult::Applies)
    }
}

/// Per-sign-in facts computed once before the policies are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Env {
    /// Named IP locations containing the sign-in's IP.
    pub ip_set: SetId,
    /// Country locations (looked up by IP) matching the sign-in's country.
    pub country_set: SetId,
    /// Country locations (looked up by GPS) matching the sign-in's GPS country.
    pub gps_set: SetId,
    /// Whether the user has the combined security-info registration experience.
    pub combined_registration: bool,
}

/// The evaluation of one sign-in against every policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// One result per policy, in the engine's policy order.
    pub results: Vec<PolicyResult>,
    /// The indices of the policies that apply (enabled and report-only), ascending.
    pub applied: Vec<u32>,
    /// The per-sign-in facts.
    pub env: Env,
}

/// Names and ids interned to dense indices.
#[derive(Debug, Clone, Default)]
struct Interner {
    names: Vec<String>,
    by_key: HashMap<String, u32>,
}

impl Interner {
    /// Intern under its name and, when given, its id (ids compare case-insensitively).
    fn intern(&mut self, name: &str, id: Option<&str>) -> u32 {
        if let Some(&i) = self.by_key.get(name) {
            if let Some(id) = id {
                self.by_key.entry(id.to_ascii_lowercase()).or_insert(i);
            }
            return i;
        }
        if let Some(&i) = id.and_then(|id| self.by_key.get(&id.to_ascii_lowercase())) {
            self.by_key.entry(name.to_owned()).or_insert(i);
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.by_key.insert(name.to_owned(), i);
        if let Some(id) = id {
            self.by_key.entry(id.to_ascii_lowercase()).or_insert(i);
        }
        i
    }

    fn find(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).or_else(|| self.by_key.get(&key.to_ascii_lowercase())).copied()
    }

    fn len(&self) -> usize {
        self.names.len()
    }
}

#[derive(Debug, Clone, Default)]
struct UserSetC {
    all: bool,
    none: bool,
    all_guests: bool,
    guest_types: u8,
    guest_tenants: Option<BitSet>,
    users: BitSet,
    groups: BitSet,
    roles: BitSet,
}

fn user_type_bit(t: UserType) -> u8 {
    1 << (t as u8)
}

impl UserSetC {
    #[inline]
    fn matches(&self, p: &Principal) -> bool {
        if self.none {
            return false;
        }
        self.all
            || (self.all_guests && p.user_type.is_guest())
            || (self.guest_types & user_type_bit(p.user_type) != 0 && self.tenant_matches(p))
            || p.user.is_some_and(|u| self.users.contains(u))
            || self.groups.intersects(&p.groups)
            || self.roles.intersects(&p.roles)
    }

    // Internal guests belong to this tenant, so an external-tenant list cannot restrict them.
    fn tenant_matches(&self, p: &Principal) -> bool {
        match &self.guest_tenants {
            None => true,
            Some(_) if p.user_type == UserType::InternalGuest => true,
            Some(list) => p.tenant.is_some_and(|t| list.contains(t)),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct AppSetC {
    all: bool,
    none: bool,
    office365: bool,
    admin_portals: bool,
    apps: BitSet,
}

impl AppSetC {
    #[inline]
    fn matches(&self, a: &AppRef) -> bool {
        !self.none
            && (self.all
                || (self.office365 && a.office365)
                || (self.admin_portals && a.admin_portals)
                || a.index.is_some_and(|i| self.apps.contains(i)))
    }
}

#[derive(Debug, Clone)]
enum TargetC {
    Apps { include: AppSetC, exclude: AppSetC },
    Actions(u8),
    Contexts(BitSet),
}

#[derive(Debug, Clone, Default)]
struct LocSetC {
    any: bool,
    trusted: bool,
    named: Option<BitSet>,
}

#[derive(Debug, Clone)]
struct WorkloadC {
    include_all: bool,
    include: BitSet,
    exclude: BitSet,
    // Filters on custom security attributes, which capol does not model: an include filter
    // matches nothing, so only `include_all`/`include` admit a workload; an exclude filter
    // excludes nothing.
    filter_only: bool,
}

#[derive(Debug)]
struct PolicyC {
    state: ir::PolicyState,
    invalid: bool,
    targets_users: bool,
    users_include: UserSetC,
    users_exclude: UserSetC,
    workload: Option<WorkloadC>,
    target: TargetC,
    locations: Option<(LocSetC, LocSetC)>,
    platforms: Option<(u8, u8)>,
    client_apps: u8,
    sign_in_risk: u8,
    user_risk: u8,
    sp_risk: u8,
    insider_risk: u8,
    auth_flows: u8,
    device_filter: Option<(ir::FilterMode, devfilter::Rule)>,
}

const PLATFORM_ALL: u8 = 1 << (ir::Platform::All as u8);
const CLIENT_ALL: u8 = 1 << (ir::ClientApp::All as u8);

fn platform_bit(p: ir::Platform) -> u8 {
    1 << (p as u8)
}

fn client_bit(c: ir::ClientApp) -> u8 {
    1 << (c as u8)
}

fn risk_bit(r: Risk) -> u8 {
    match r {
        Risk::High => 1 << (ir::RiskLevel::High as u8),
        Risk::Medium => 1 << (ir::RiskLevel::Medium as u8),
        Risk::Low => 1 << (ir::RiskLevel::Low as u8),
        Risk::None => 1 << (ir::RiskLevel::None as u8),
        Risk::Hidden => 0,
    }
}

fn mask<T: Copy>(items: &[T], bit: impl Fn(T) -> u8) -> u8 {
    items.iter().fold(0, |m, &x| m | bit(x))
}

/// Who has the combined registration experience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Everyone,
    Nobody,
    Group(u32),
}

#[derive(Debug, Clone, Default)]
struct Buckets {
    all_apps: Vec<u32>,
    office365: Vec<u32>,
    admin_portals: Vec<u32>,
    by_app: Vec<Vec<u32>>,
    register_security_info: Vec<u32>,
    register_device: Vec<u32>,
    by_context: Vec<Vec<u32>>,
}

/// A program compiled for evaluation.
#[derive(Debug)]
pub struct Engine {
    program: ir::Program,
    users: Interner,
    groups: Interner,
    roles: Interner,
    apps: Interner,
    contexts: Interner,
    service_principals: Interner,
    tenants: Interner,
    locations: Interner,
    workspace: Vec<Arc<Principal>>,
    workspace_keys: HashMap<String, usize>,
    policies: Vec<PolicyC>,
    sets: SetTable,
    ip: IpTable,
    set_trusted: Vec<bool>,
    country: Vec<SetId>,
    country_unknown: SetId,
    gps: Vec<SetId>,
    gps_unknown: SetId,
    country_locations: bool,
    registration: Option<Scope>,
    buckets: Buckets,
    warnings: Vec<String>,
}

impl Engine {
    /// Compile a program. Never fails: a range that does not parse is skipped and a policy whose
    /// device filter does not parse is marked invalid (it then never applies, with
    /// `invalidPolicy`); both are listed in `warnings`. The IR from `capol compile` has neither.
    pub fn new(program: &ir::Program) -> Engine {
        let mut engine = Engine {
            program: program.clone(),
            users: Interner::default(),
            groups: Interner::default(),
            roles: Interner::default(),
            apps: Interner::default(),
            contexts: Interner::default(),
            service_principals: Interner::default(),
            tenants: Interner::default(),
            locations: Interner::default(),
            workspace: Vec::new(),
            workspace_keys: HashMap::new(),
            policies: Vec::new(),
            sets: SetTable::new(0),
            ip: IpTable::default(),
            set_trusted: Vec::new(),
            country: Vec::new(),
            country_unknown: EMPTY,
            gps: Vec::new(),
            gps_unknown: EMPTY,
            country_locations: false,
            registration: None,
            buckets: Buckets::default(),
            warnings: Vec::new(),
        };
        engine.intern_everything();
        engine.compile_locations();
        engine.compile_workspace_users();
        let policies = engine.program.policies.clone();
        engine.policies = policies.iter().map(|p| engine.compile_policy(p)).collect();
        engine.build_buckets();
        engine
    }

    /// Pass 1: every name a policy (or the registration preview) mentions gets an index, so
    /// bitsets can be sized before policies are compiled.
    fn intern_everything(&mut self) {
        for u in &self.program.users {
            self.users.intern(&u.name, u.id.as_deref());
        }
        for l in &self.program.locations {
            self.locations.intern(&l.name, l.id.as_deref());
        }
        for a in &self.program.auth_contexts {
            self.contexts.intern(&a.name, a.id.as_deref());
        }
        for s in &self.program.service_principals {
            self.service_principals.intern(&s.name, s.id.as_deref());
        }
        if let Some(ir::CombinedRegistration { enabled_for: ir::RegistrationScope::Group(g) }) =
            &self.program.combined_registration
        {
            self.groups.intern(&g.name, g.id.as_deref());
        }
        for p in &self.program.policies {
            for set in [&p.users.include, &p.users.exclude] {
                for u in &set.users {
                    self.users.intern(&u.name, u.id.as_deref());
                }
                for g in &set.groups {
                    self.groups.intern(&g.name, g.id.as_deref());
                }
                for r in &set.roles {
                    self.roles.intern(&r.name, r.id.as_deref());
                }
                for t in set.guests.iter().flat_map(|g| g.tenants.iter().flatten()) {
                    self.tenants.intern(&t.to_ascii_lowercase(), None);
                }
            }
            match &p.target {
                ir::Target::Apps { include, exclude, .. } => {
                    for a in include.apps.iter().chain(&exclude.apps) {
                        let key = a.id.as_deref().unwrap_or(&a.name).to_ascii_lowercase();
                        self.apps.intern(&key, None);
                    }
                }
                ir::Target::AuthContexts { contexts } => {
                    for c in contexts {
                        self.contexts.intern(&c.name, c.id.as_deref());
                    }
                }
                ir::Target::UserActions { .. } => {}
            }
            if let Some(sp) = &p.service_principals {
                for s in sp.include.iter().chain(&sp.exclude) {
                    self.service_principals.intern(&s.name, s.id.as_deref());
                }
            }
            for set in p.locations.iter().flat_map(|l| [&l.include, &l.exclude]) {
                for n in &set.named {
                    self.locations.intern(&n.name, n.id.as_deref());
                }
            }
        }
        // Roles are also known by name in the workspace: map names to the template ids
        // policies use.
        for r in &self.program.roles {
            if let Some(i) = self.roles.find(&r.template_id) {
                self.roles.by_key.entry(r.name.clone()).or_insert(i);
            }
        }
        self.registration = self.program.combined_registration.as_ref().map(|c| match &c.enabled_for {
            ir::RegistrationScope::All => Scope::Everyone,
            ir::RegistrationScope::None => Scope::Nobody,
            ir::RegistrationScope::Group(g) => self.groups.find(&g.name).map_or(Scope::Nobody, Scope::Group),
        });
    }

    fn compile_locations(&mut self) {
        let n = self.locations.len();
        let mut sets = SetTable::new(n);
        let mut networks = Vec::new();
        let mut trusted = BitSet::new(n);
        let mut country = vec![BitSet::new(n); 26 * 26];
        let mut gps = vec![BitSet::new(n); 26 * 26];
        let mut country_unknown = BitSet::new(n);
        let mut gps_unknown = BitSet::new(n);
        for l in &self.program.locations {
            let Some(index) = self.locations.find(&l.name) else { continue };
            match &l.kind {
                ir::LocationKind::Ip { trusted: is_trusted, ranges } => {
                    if *is_trusted {
                        trusted.insert(index);
                    }
                    for r in ranges {
                        match IpNetwork::new(r.network, r.prefix) {
                            Ok(net) => networks.push((net, index)),
                            Err(_) => self
                                .warnings
                                .push(format!("location `{}`: skipped invalid range `{r}`", l.name)),
                        }
                    }
                }
                ir::LocationKind::Country { countries, include_unknown, lookup } => {
                    self.country_locations = true;
                    let (table, unknown) = match lookup {
                        ir::CountryLookup::ClientIp => (&mut country, &mut country_unknown),
                        ir::CountryLookup::AuthenticatorGps => (&mut gps, &mut gps_unknown),
                    };
                    for c in countries {
                        match super::signin::country_code(c) {
                            Some(code) => {
                                if let Some(set) = table.get_mut(country_slot(code)) {
                                    set.insert(index);
                                }
                            }
                            None => self
                                .warnings
                                .push(format!("location `{}`: skipped invalid country `{c}`", l.name)),
                        }
                    }
                    if *include_unknown {
                        unknown.insert(index);
                    }
                }
            }
        }
        self.ip = IpTable::build(&networks, &mut sets);
        self.country = country.iter().map(|s| sets.intern(s)).collect();
        self.gps = gps.iter().map(|s| sets.intern(s)).collect();
        self.country_unknown = sets.intern(&country_unknown);
        self.gps_unknown = sets.intern(&gps_unknown);
        self.set_trusted = (0..sets.len()).map(|id| sets.get(id as SetId).intersects(&trusted)).collect();
        self.sets = sets;
    }

    fn compile_workspace_users(&mut self) {
        let users = std::mem::take(&mut self.program.users);
        for (i, u) in users.iter().enumerate() {
            let mut groups = BitSet::new(self.groups.len());
            for g in &u.member_of {
                if let Some(gi) = self.groups.find(g) {
                    groups.insert(gi);
                }
            }
            let mut roles = BitSet::new(self.roles.len());
            for r in &u.roles {
                if let Some(ri) = self.roles.find(r) {
                    roles.insert(ri);
                }
            }
            self.workspace.push(Arc::new(Principal {
                user: self.users.find(&u.name),
                user_type: u.user_type,
                groups,
                roles,
                tenant: None,
            }));
            self.workspace_keys.insert(u.name.clone(), i);
            for key in [&u.id, &u.upn].into_iter().flatten() {
                self.workspace_keys.entry(key.to_ascii_lowercase()).or_insert(i);
            }
        }
        self.program.users = users;
    }

    fn user_set(&self, set: &ir::UserSet) -> UserSetC {
        let mut out = UserSetC {
            all: set.all,
            none: set.none,
            all_guests: set.all_guests,
            users: BitSet::new(self.users.len()),
            groups: BitSet::new(self.groups.len()),
            roles: BitSet::new(self.roles.len()),
            ..UserSetC::default()
        };
        for u in &set.users {
            if let Some(i) = self.users.find(&u.name) {
                out.users.insert(i);
            }
        }
        for g in &set.groups {
            if let Some(i) = self.groups.find(&g.name) {
                out.groups.insert(i);
            }
        }
        for r in &set.roles {
            if let Some(i) = self.roles.find(&r.name) {
                out.roles.insert(i);
            }
        }
        if let Some(guests) = &set.guests {
            out.guest_types = mask(&guests.types, user_type_bit);
            out.guest_tenants = guests.tenants.as_ref().map(|list| {
                let mut bits = BitSet::new(self.tenants.len());
                for t in list {
                    if let Some(i) = self.tenants.find(&t.to_ascii_lowercase()) {
                        bits.insert(i);
                    }
                }
                bits
            });
        }
        out
    }

    fn app_set(&self, set: &ir::AppSet) -> AppSetC {
        let mut apps = BitSet::new(self.apps.len());
        for a in &set.apps {
            if let Some(i) = self.apps.find(&a.id.as_deref().unwrap_or(&a.name).to_ascii_lowercase()) {
                apps.insert(i);
            }
        }
        AppSetC {
            all: set.all,
            none: set.none,
            office365: set.office365,
            admin_portals: set.admin_portals,
            apps,
        }
    }

    fn loc_set(&self, set: &ir::LocationSet) -> LocSetC {
        let named = (!set.named.is_empty()).then(|| {
            let mut bits = BitSet::new(self.locations.len());
            for n in &set.named {
                if let Some(i) = self.locations.find(&n.name) {
                    bits.insert(i);
                }
            }
            bits
        });
        LocSetC { any: set.any, trusted: set.trusted, named }
    }

    fn compile_policy(&mut self, p: &ir::Policy) -> PolicyC {
        let target = match &p.target {
            ir::Target::Apps { include, exclude, .. } => {
                TargetC::Apps { include: self.app_set(include), exclude: self.app_set(exclude) }
            }
            ir::Target::UserActions { actions } => TargetC::Actions(mask(actions, |a| 1 << (a as u8))),
            ir::Target::AuthContexts { contexts } => {
                let mut bits = BitSet::new(self.contexts.len());
                for c in contexts {
                    if let Some(i) = self.contexts.find(&c.name) {
                        bits.insert(i);
                    }
                }
                TargetC::Contexts(bits)
            }
        };
        let workload = p.service_principals.as_ref().map(|sp| {
            let mut include = BitSet::new(self.service_principals.len());
            let mut exclude = BitSet::new(self.service_principals.len());
            for s in &sp.include {
                if let Some(i) = self.service_principals.find(&s.name) {
                    include.insert(i);
                }
            }
            for s in &sp.exclude {
                if let Some(i) = self.service_principals.find(&s.name) {
                    exclude.insert(i);
                }
            }
            let filter_only = sp.filter.as_ref().is_some_and(|f| f.mode == ir::FilterMode::Include)
                && !sp.include_all
                && sp.include.is_empty();
            WorkloadC { include_all: sp.include_all, include, exclude, filter_only }
        });
        let mut invalid = false;
        let device_filter = match &p.device_filter {
            None => None,
            Some(f) => match devfilter::parse(&f.rule) {
                Ok(rule) => Some((f.mode, rule)),
                Err(e) => {
                    invalid = true;
                    self.warnings.push(format!(
                        "policy `{}`: invalid device filter ({}); the policy never applies",
                        p.display_name, e.message
                    ));
                    None
                }
            },
        };
        let client_apps = mask(&p.client_apps, client_bit);
        PolicyC {
            state: p.state,
            invalid,
            targets_users: !p.users.include.is_empty()
                || p.users.include.none
                || p.service_principals.is_none(),
            users_include: self.user_set(&p.users.include),
            users_exclude: self.user_set(&p.users.exclude),
            workload,
            target,
            locations: p.locations.as_ref().map(|l| {
                let mut include = self.loc_set(&l.include);
                // An include set with nothing in it cannot come from the checker; read it as the
                // portal's default, any location.
                if !include.any && !include.trusted && include.named.is_none() {
                    include.any = true;
                }
                (include, self.loc_set(&l.exclude))
            }),
            platforms: p.platforms.as_ref().map(|pl| {
                let include = mask(&pl.include, platform_bit);
                (if include == 0 { PLATFORM_ALL } else { include }, mask(&pl.exclude, platform_bit))
            }),
            client_apps: if client_apps == 0 { CLIENT_ALL } else { client_apps },
            sign_in_risk: mask(&p.sign_in_risk, |r| 1 << (r as u8)),
            user_risk: mask(&p.user_risk, |r| 1 << (r as u8)),
            sp_risk: mask(&p.service_principal_risk, |r| 1 << (r as u8)),
            insider_risk: mask(&p.insider_risk, |r| 1 << (r as u8)),
            auth_flows: mask(&p.auth_flows, |f| 1 << (f as u8)),
            device_filter,
        }
    }

    fn build_buckets(&mut self) {
        let mut b = Buckets {
            by_app: vec![Vec::new(); self.apps.len()],
            by_context: vec![Vec::new(); self.contexts.len()],
            ..Buckets::default()
        };
        for (i, p) in self.policies.iter().enumerate() {
            let i = i as u32;
            if p.state == ir::PolicyState::Disabled || p.invalid {
                continue;
            }
            match &p.target {
                TargetC::Apps { include, .. } => {
                    if include.none {
                        continue;
                    }
                    if include.all {
                        b.all_apps.push(i);
                        continue;
                    }
                    if include.office365 {
                        b.office365.push(i);
                    }
                    if include.admin_portals {
                        b.admin_portals.push(i);
                    }
                    for a in include.apps.iter() {
                        if let Some(list) = b.by_app.get_mut(a as usize) {
                            list.push(i);
                        }
                    }
                }
                TargetC::Actions(actions) => {
                    if p.state == ir::PolicyState::ReportOnly {
                        continue;
                    }
                    if actions & (1 << ir::UserAction::RegisterSecurityInfo as u8) != 0 {
                        b.register_security_info.push(i);
                    }
                    if actions & (1 << ir::UserAction::RegisterDevice as u8) != 0 {
                        b.register_device.push(i);
                    }
                }
                TargetC::Contexts(contexts) => {
                    for c in contexts.iter() {
                        if let Some(list) = b.by_context.get_mut(c as usize) {
                            list.push(i);
                        }
                    }
                }
            }
        }
        self.buckets = b;
    }

    // --- queries ----------------------------------------------------------------------------

    /// The program the engine was compiled from.
    pub fn program(&self) -> &ir::Program {
        &self.program
    }

    /// The policies, in evaluation order (the program's order).
    pub fn policies(&self) -> &[ir::Policy] {
        &self.program.policies
    }

    /// Problems met while compiling (never present for IR from `capol compile`).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Whether any country location exists.
    pub fn has_country_locations(&self) -> bool {
        self.country_locations
    }

    /// Whether the program declares the combined registration preview.
    pub fn has_registration_preview(&self) -> bool {
        self.registration.is_some()
    }

    /// The workspace user with this name, object id or UPN (ids and UPNs case-insensitively):
    /// its index in `program().users`.
    pub fn workspace_user(&self, key: &str) -> Option<usize> {
        self.workspace_keys.get(key).or_else(|| self.workspace_keys.get(&key.to_ascii_lowercase())).copied()
    }

    /// The precompiled facts of the workspace user at `index` in `program().users`.
    pub fn workspace_principal(&self, index: usize) -> Option<Arc<Principal>> {
        self.workspace.get(index).cloned()
    }

    /// The user index for a user object id or workspace name, when policies or the workspace
    /// know the user.
    pub fn user_index(&self, key: &str) -> Option<u32> {
        self.users.find(key)
    }

    /// The group index for a group name or object id, when a policy (or the registration
    /// preview) names the group.
    pub fn group_index(&self, key: &str) -> Option<u32> {
        self.groups.find(key)
    }

    /// The role index for a role name or template id, when a policy names the role.
    pub fn role_index(&self, key: &str) -> Option<u32> {
        self.roles.find(key)
    }

    /// The tenant index of an external tenant id, when a policy names it.
    pub fn tenant_index(&self, id: &str) -> Option<u32> {
        self.tenants.find(&id.to_ascii_lowercase())
    }

    /// The authentication context index for a name or id (`c1`).
    pub fn context_index(&self, key: &str) -> Option<u32> {
        self.contexts.find(key)
    }

    /// The service principal index for a name or id.
    pub fn service_principal_index(&self, key: &str) -> Option<u32> {
        self.service_principals.find(key)
    }

    /// A resource as the engine sees it, from its app id.
    pub fn app(&self, app_id: &str) -> AppRef {
        AppRef {
            index: self.apps.find(&app_id.to_ascii_lowercase()),
            office365: super::apps::is_office365(app_id),
            admin_portals: super::apps::is_admin_portal(app_id),
            named_group: false,
        }
    }

    /// An empty membership set sized for this engine's groups and roles.
    pub fn empty_principal(&self, user_type: UserType) -> Principal {
        Principal {
            user: None,
            user_type,
            groups: BitSet::new(self.groups.len()),
            roles: BitSet::new(self.roles.len()),
            tenant: None,
        }
    }

    /// The names of the named locations in an interned location set.
    pub fn location_names(&self, set: SetId) -> Vec<&str> {
        self.sets
            .get(set)
            .iter()
            .filter_map(|i| self.locations.names.get(i as usize))
            .map(String::as_str)
            .collect()
    }

    /// Whether a location set holds a trusted location.
    pub fn set_is_trusted(&self, set: SetId) -> bool {
        self.set_trusted.get(set as usize).copied().unwrap_or(false)
    }

    /// Number of IP intervals (IPv4, IPv6) in the lookup table.
    pub fn ip_intervals(&self) -> (usize, usize) {
        self.ip.len()
    }

    // --- evaluation -------------------------------------------------------------------------

    /// The per-sign-in facts: which locations hold the IP and country, and whether the user has
    /// the combined registration experience.
    #[inline]
    pub fn env(&self, s: &SignIn) -> Env {
        let ip_set = s.ip.map_or(EMPTY, |ip| self.ip.lookup(ip));
        let country_set = match s.country {
            Some(c) => self.country.get(country_slot(c)).copied().unwrap_or(EMPTY),
            None => self.country_unknown,
        };
        let gps_set = match s.gps_country.or(s.country) {
            Some(c) => self.gps.get(country_slot(c)).copied().unwrap_or(EMPTY),
            None => self.gps_unknown,
        };
        let combined_registration = match (self.registration, &s.identity) {
            (None | Some(Scope::Everyone), _) => true,
            (Some(Scope::Nobody), _) | (_, Identity::ServicePrincipal(_)) => false,
            (Some(Scope::Group(g)), Identity::User(p)) => p.groups.contains(g),
        };
        Env { ip_set, country_set, gps_set, combined_registration }
    }

    /// Evaluate every policy.
    pub fn evaluate(&self, s: &SignIn) -> Evaluation {
        let mut out = Evaluation::default();
        self.evaluate_into(s, &mut out);
        out
    }

    /// Evaluate every policy into a reusable buffer.
    pub fn evaluate_into(&self, s: &SignIn, out: &mut Evaluation) {
        let env = self.env(s);
        out.env = env;
        out.results.clear();
        out.applied.clear();
        for (i, p) in self.policies.iter().enumerate() {
            let result = match self.check(p, s, &env) {
                Ok(()) => {
                    out.applied.push(i as u32);
                    PolicyResult::Applies
                }
                Err(m) => PolicyResult::NotApplies(m),
            };
            out.results.push(result);
        }
    }

    /// Only the indices of the policies that apply, ascending, into a reusable buffer. Faster
    /// than `evaluate_into`: only the policies whose target can match the sign-in are checked.
    pub fn applicable_into(&self, s: &SignIn, out: &mut Vec<u32>) {
        let env = self.env(s);
        out.clear();
        let b = &self.buckets;
        let mut lists = 0;
        let mut add = |list: &[u32], out: &mut Vec<u32>| {
            if !list.is_empty() {
                lists += 1;
                out.extend_from_slice(list);
            }
        };
        match s.context {
            Context::App(a) => {
                add(&b.all_apps, out);
                if a.office365 {
                    add(&b.office365, out);
                }
                if a.admin_portals {
                    add(&b.admin_portals, out);
                }
                if let Some(list) = a.index.and_then(|i| b.by_app.get(i as usize)) {
                    add(list, out);
                }
            }
            Context::Action(ir::UserAction::RegisterSecurityInfo) => add(&b.register_security_info, out),
            Context::Action(ir::UserAction::RegisterDevice) => add(&b.register_device, out),
            Context::AuthContext(c) => {
                if let Some(list) = c.and_then(|c| b.by_context.get(c as usize)) {
                    add(list, out);
                }
            }
        }
        if lists > 1 {
            out.sort_unstable();
            out.dedup();
        }
        out.retain(|&i| self.policies.get(i as usize).is_some_and(|p| self.check(p, s, &env).is_ok()));
    }

    #[inline]
    fn check(&self, p: &PolicyC, s: &SignIn, env: &Env) -> Result<(), Miss> {
        use Reason as R;
        use Why as W;
        if p.state == ir::PolicyState::Disabled {
            return Err(miss(R::PolicyNotEnabled, W::Disabled));
        }
        if p.invalid {
            return Err(miss(R::InvalidPolicy, W::Invalid));
        }
        if p.state == ir::PolicyState::ReportOnly && matches!(p.target, TargetC::Actions(_)) {
            return Err(miss(R::UserActions, W::ReportOnlyUserAction));
        }
        match &s.identity {
            Identity::User(principal) => {
                if !p.targets_users {
                    return Err(miss(R::WorkloadIdentities, W::OtherIdentity));
                }
                if !p.users_include.matches(principal) {
                    return Err(miss(R::Users, W::NotIncluded));
                }
                if p.users_exclude.matches(principal) {
                    return Err(miss(R::Users, W::Excluded));
                }
            }
            Identity::ServicePrincipal(sp) => {
                let Some(w) = &p.workload else { return Err(miss(R::Users, W::OtherIdentity)) };
                let included = !w.filter_only && (w.include_all || sp.is_some_and(|i| w.include.contains(i)));
                if !included {
                    return Err(miss(R::WorkloadIdentities, W::NotIncluded));
                }
                if sp.is_some_and(|i| w.exclude.contains(i)) {
                    return Err(miss(R::WorkloadIdentities, W::Excluded));
                }
                if p.sp_risk != 0 && p.sp_risk & risk_bit(s.service_principal_risk) == 0 {
                    return Err(miss(R::WorkloadIdentities, W::NotIncluded));
                }
            }
        }
        match (&p.target, s.context) {
            (TargetC::Apps { include, exclude }, Context::App(a)) => {
                if !include.matches(&a) {
                    return Err(miss(R::Application, W::NotIncluded));
                }
                if exclude.matches(&a) {
                    return Err(miss(R::Application, W::Excluded));
                }
            }
            (TargetC::Apps { .. }, _) => return Err(miss(R::Application, W::OtherContext)),
            (TargetC::Actions(actions), Context::Action(action)) => {
                if actions & (1 << action as u8) == 0 {
                    return Err(miss(R::UserActions, W::NotIncluded));
                }
                if action == ir::UserAction::RegisterSecurityInfo && !env.combined_registration {
                    return Err(miss(R::UserActions, W::LegacyRegistration));
                }
            }
            (TargetC::Actions(_), _) => return Err(miss(R::UserActions, W::OtherContext)),
            (TargetC::Contexts(contexts), Context::AuthContext(c)) => {
                if !c.is_some_and(|c| contexts.contains(c)) {
                    return Err(miss(R::AuthenticationContext, W::NotIncluded));
                }
            }
            (TargetC::Contexts(_), _) => return Err(miss(R::AuthenticationContext, W::OtherContext)),
        }
        if let Some((include, exclude)) = p.platforms {
            let bit = s.platform.map_or(0, platform_bit);
            if include & PLATFORM_ALL == 0 && include & bit == 0 {
                return Err(miss(R::DevicePlatform, W::NotIncluded));
            }
            if exclude & PLATFORM_ALL != 0 || exclude & bit != 0 {
                return Err(miss(R::DevicePlatform, W::Excluded));
            }
        }
        if let Some((mode, rule)) = &p.device_filter {
            let matched = rule.matches(&s.device);
            match mode {
                ir::FilterMode::Include if !matched => return Err(miss(R::Devices, W::NotIncluded)),
                ir::FilterMode::Exclude if matched => return Err(miss(R::Devices, W::Excluded)),
                _ => {}
            }
        }
        if !client_matches(p.client_apps, s.client, s.platform) {
            return Err(miss(R::ClientApps, W::NotIncluded));
        }
        if let Some((include, exclude)) = &p.locations {
            if !self.in_locations(include, env) {
                return Err(miss(R::Location, W::NotIncluded));
            }
            if self.in_locations(exclude, env) {
                return Err(miss(R::Location, W::Excluded));
            }
        }
        if p.sign_in_risk != 0 && p.sign_in_risk & risk_bit(s.sign_in_risk) == 0 {
            return Err(miss(R::SignInRisk, W::NotIncluded));
        }
        if p.user_risk != 0 && p.user_risk & risk_bit(s.user_risk) == 0 {
            return Err(miss(R::UserRisk, W::NotIncluded));
        }
        if p.insider_risk != 0 && s.insider_risk.is_none_or(|r| p.insider_risk & (1 << r as u8) == 0) {
            return Err(miss(R::InsiderRisk, W::NotIncluded));
        }
        if p.auth_flows != 0 && s.auth_flow.is_none_or(|f| p.auth_flows & (1 << f as u8) == 0) {
            return Err(miss(R::AuthenticationFlow, W::NotIncluded));
        }
        Ok(())
    }

    #[inline]
    fn in_locations(&self, set: &LocSetC, env: &Env) -> bool {
        if set.any || (set.trusted && self.set_is_trusted(env.ip_set)) {
            return true;
        }
        match &set.named {
            None => false,
            Some(named) => {
                named.intersects(self.sets.get(env.ip_set))
                    || named.intersects(self.sets.get(env.country_set))
                    || named.intersects(self.sets.get(env.gps_set))
            }
        }
    }
}

/// Platforms where `easSupported` covers Exchange ActiveSync ("supported platforms (such as iOS,
/// Android, and Windows)", concept-conditional-access-conditions.md).
const EAS_PLATFORMS: u8 =
    (1 << ir::Platform::Android as u8) | (1 << ir::Platform::Ios as u8) | (1 << ir::Platform::Windows as u8);

#[inline]
fn client_matches(policy: u8, client: Option<Client>, platform: Option<ir::Platform>) -> bool {
    use ir::ClientApp as C;
    if policy & CLIENT_ALL != 0 {
        return true;
    }
    let has = |c: C| policy & client_bit(c) != 0;
    match client {
        None => false,
        Some(Client::Browser) => has(C::Browser),
        Some(Client::MobileDesktop) => has(C::MobileDesktop),
        Some(Client::ExchangeActiveSync) => {
            has(C::ExchangeActiveSync)
                || (has(C::EasSupported) && platform.is_some_and(|p| EAS_PLATFORMS & platform_bit(p) != 0))
        }
        Some(Client::EasSupported) => has(C::ExchangeActiveSync) || has(C::EasSupported),
        Some(Client::Other) => has(C::Other),
    }
}
