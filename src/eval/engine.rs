//! The evaluation engine: an `ir::Program` compiled once into dense indices, interval tables and
//! inverted indices, then asked about sign-ins.
//!
//! A sign-in is evaluated in two steps. First, per-sign-in *policy bitsets* (one bit per policy)
//! are built from inverted indices: which policies include (and exclude) the user, through each of
//! the user's groups, roles and type; which target the resource; which include (and exclude) the
//! locations holding the IP; which accept its platform, client app, risks and flow. Then
//! `evaluate_into` walks the conditions in Microsoft's order 64 policies at a time, giving each
//! failing policy its first failed condition, and `applicable_into` ANDs the bitsets and checks
//! only the survivors' device filters and workload conditions.
//!
//! INVARIANT: `evaluate_into` and `applicable_into` allocate nothing once their buffers have
//! grown to the number of policies; they never panic, whatever the program or sign-in.

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
    scratch: Vec<u64>,
}

/// The policies that apply to one sign-in, without reasons for the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applicable {
    /// The indices of the policies that apply (enabled and report-only), ascending.
    pub policies: Vec<u32>,
    /// The per-sign-in facts.
    pub env: Env,
    scratch: Vec<u64>,
    users: UserCache,
}

/// The include and exclude policy bitsets of users met before, by user index. Sign-in logs
/// repeat users, and filling these bitsets is the largest part of preparing a sign-in. An entry
/// serves only a principal equal to the one it was filled for (inline groups or another user
/// type make a different principal).
#[derive(Debug, Clone, Default)]
struct UserCache {
    /// The engine the entries belong to (`Engine::id`).
    engine: u64,
    entries: Vec<Option<(Principal, Box<[u64]>)>>,
}

/// A cache is not part of an `Applicable`'s value: two results are equal whatever they
/// remember.
impl PartialEq for UserCache {
    fn eq(&self, _: &UserCache) -> bool {
        true
    }
}

impl Eq for UserCache {}

/// Users beyond this index are not cached (a bound on a scratch's memory).
const USER_CACHE_LIMIT: usize = 1 << 16;

impl UserCache {
    /// Forget the entries when the scratch moves to another engine.
    fn bind(&mut self, engine: u64) {
        if self.engine != engine {
            self.entries.clear();
            self.engine = engine;
        }
    }

    fn get(&self, p: &Principal) -> Option<&[u64]> {
        let (cached, words) = self.entries.get(p.user? as usize)?.as_ref()?;
        (cached == p).then_some(&**words)
    }

    fn put(&mut self, p: &Principal, words: &[u64]) {
        let Some(u) = p.user.map(|u| u as usize).filter(|&u| u < USER_CACHE_LIMIT) else { return };
        if self.entries.len() <= u {
            self.entries.resize(u + 1, None);
        }
        self.entries[u] = Some((p.clone(), words.into()));
    }
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

// --- policy bitsets ----------------------------------------------------------------------------

#[cfg(test)]
#[inline]
fn bit(words: &[u64], i: usize) -> bool {
    words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

#[inline]
fn set_bit(words: &mut [u64], i: usize) {
    if let Some(w) = words.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

#[inline]
fn or_into(dst: &mut [u64], src: &[u64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d |= s;
    }
}

#[inline]
fn set_all(dst: &mut [u64], list: &[u32]) {
    for &i in list {
        set_bit(dst, i as usize);
    }
}

/// Which policies a side (include or exclude) of a users condition puts a principal in.
#[derive(Debug, Clone, Default)]
struct UserIndex {
    /// `all` (include side only; `none` keeps a policy out of every list).
    all: Vec<u64>,
    /// `guests`: every guest type.
    all_guests: Vec<u64>,
    /// `guests(types)` without a tenant list, per user type.
    by_type: Vec<Vec<u64>>,
    /// `guests(types, tenants = [...])`: checked one by one.
    by_type_and_tenant: Vec<(u32, u8, BitSet)>,
    by_user: Vec<Vec<u32>>,
    by_group: Vec<Vec<u32>>,
    by_role: Vec<Vec<u32>>,
}

impl UserIndex {
    fn new(words: usize, users: usize, groups: usize, roles: usize) -> UserIndex {
        UserIndex {
            all: vec![0; words],
            all_guests: vec![0; words],
            by_type: vec![vec![0; words]; 8],
            by_type_and_tenant: Vec::new(),
            by_user: vec![Vec::new(); users],
            by_group: vec![Vec::new(); groups],
            by_role: vec![Vec::new(); roles],
        }
    }

    /// The policies this side puts `p` in, into `out`.
    fn fill(&self, p: &Principal, out: &mut [u64]) {
        out.fill(0);
        or_into(out, &self.all);
        if p.user_type.is_guest() {
            or_into(out, &self.all_guests);
        }
        if let Some(words) = self.by_type.get(p.user_type as usize) {
            or_into(out, words);
        }
        for (policy, types, tenants) in &self.by_type_and_tenant {
            let typed = types & user_type_bit(p.user_type) != 0;
            // Internal guests belong to this tenant, so an external-tenant list cannot restrict them.
            let tenant_ok =
                p.user_type == UserType::InternalGuest || p.tenant.is_some_and(|t| tenants.contains(t));
            if typed && tenant_ok {
                set_bit(out, *policy as usize);
            }
        }
        if let Some(list) = p.user.and_then(|u| self.by_user.get(u as usize)) {
            set_all(out, list);
        }
        for g in p.groups.iter() {
            if let Some(list) = self.by_group.get(g as usize) {
                set_all(out, list);
            }
        }
        for r in p.roles.iter() {
            if let Some(list) = self.by_role.get(r as usize) {
                set_all(out, list);
            }
        }
    }
}

/// Which policies a side of an application condition holds a resource in.
#[derive(Debug, Clone, Default)]
struct AppIndex {
    all: Vec<u64>,
    office365: Vec<u64>,
    admin_portals: Vec<u64>,
    by_app: Vec<Vec<u32>>,
}

impl AppIndex {
    fn fill(&self, a: &AppRef, out: &mut [u64]) {
        out.fill(0);
        or_into(out, &self.all);
        if a.office365 {
            or_into(out, &self.office365);
        }
        if a.admin_portals {
            or_into(out, &self.admin_portals);
        }
        if let Some(list) = a.index.and_then(|i| self.by_app.get(i as usize)) {
            set_all(out, list);
        }
    }
}

/// Which policies a side of a location condition holds a location set in.
#[derive(Debug, Clone, Default)]
struct LocIndex {
    any: Vec<u64>,
    trusted: Vec<u64>,
    by_location: Vec<Vec<u32>>,
}

impl LocIndex {
    fn add_set(&self, set: &BitSet, out: &mut [u64]) {
        for l in set.iter() {
            if let Some(list) = self.by_location.get(l as usize) {
                set_all(out, list);
            }
        }
    }
}

fn user_type_bit(t: UserType) -> u8 {
    1 << (t as u8)
}

/// What a policy targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Apps,
    Actions(u8),
    Contexts,
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

/// A policy reduced to what is not in the inverted indices.
#[derive(Debug)]
struct PolicyC {
    state: ir::PolicyState,
    invalid: bool,
    targets_users: bool,
    kind: Kind,
    has_locations: bool,
    platforms: Option<(u8, u8)>,
    client_apps: u8,
    sign_in_risk: u8,
    user_risk: u8,
    sp_risk: u8,
    insider_risk: u8,
    auth_flows: u8,
    /// Mode and index into `Engine::filters`.
    device_filter: Option<(ir::FilterMode, u32)>,
    workload: Option<Box<WorkloadC>>,
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

/// Regions of the per-sign-in scratch words, each `words` long.
const USERS_IN: usize = 0;
const USERS_OUT: usize = 1;
const TARGET_IN: usize = 2;
const TARGET_OUT: usize = 3;
const LOC_IN: usize = 4;
const LOC_OUT: usize = 5;
const VALUES: usize = 6;
const REGIONS: usize = 7;

/// The per-sign-in policy bitsets, borrowed from a scratch buffer.
struct Pre<'a> {
    users_in: &'a [u64],
    users_out: &'a [u64],
    target_in: &'a [u64],
    target_out: &'a [u64],
    loc_in: &'a [u64],
    loc_out: &'a [u64],
    /// Policies whose platform, client app, risk and flow conditions all hold.
    values: &'a [u64],
    /// Device filter results, memoised: bit `2i` known, bit `2i+1` matched (first 32 filters).
    filters: std::cell::Cell<u64>,
}

impl<'a> Pre<'a> {
    fn new(words: usize, bits: &'a [u64]) -> Pre<'a> {
        let region = |r: usize| bits.get(r * words..(r + 1) * words).unwrap_or(&[]);
        Pre {
            users_in: region(USERS_IN),
            users_out: region(USERS_OUT),
            target_in: region(TARGET_IN),
            target_out: region(TARGET_OUT),
            loc_in: region(LOC_IN),
            loc_out: region(LOC_OUT),
            values: region(VALUES),
            filters: std::cell::Cell::new(0),
        }
    }
}

/// Policy bitsets fixed at compile time.
#[derive(Debug, Clone, Default)]
struct Masks {
    disabled: Vec<u64>,
    invalid: Vec<u64>,
    report_only_actions: Vec<u64>,
    user_policies: Vec<u64>,
    workload_policies: Vec<u64>,
    kind_apps: Vec<u64>,
    kind_actions: Vec<u64>,
    kind_contexts: Vec<u64>,
    with_filter: Vec<u64>,
}

#[inline]
fn word_of(words: &[u64], wi: usize) -> u64 {
    words.get(wi).copied().unwrap_or(0)
}

/// Record `miss` for every policy of `fail` still pending (bits of word `wi`) and drop them from
/// `pending`.
#[inline]
fn mark(results: &mut [PolicyResult], pending: &mut u64, wi: usize, fail: u64, miss: Miss) {
    let mut hit = *pending & fail;
    *pending &= !hit;
    while hit != 0 {
        let i = wi * 64 + hit.trailing_zeros() as usize;
        hit &= hit - 1;
        if let Some(r) = results.get_mut(i) {
            *r = PolicyResult::NotApplies(miss);
        }
    }
}

/// A program compiled for evaluation.
#[derive(Debug)]
pub struct Engine {
    /// Distinguishes engines, so per-scratch caches never serve another engine's indices.
    id: u64,
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
    words: usize,
    policies: Vec<PolicyC>,
    filters: Vec<devfilter::Rule>,
    users_in: UserIndex,
    users_out: UserIndex,
    apps_in: AppIndex,
    apps_out: AppIndex,
    actions: [Vec<u64>; 2],
    by_context: Vec<Vec<u32>>,
    locs_in: LocIndex,
    locs_out: LocIndex,
    /// Policies that can apply to users / to workload identities (enabled or report-only, valid,
    /// and not report-only user actions).
    live_users: Vec<u64>,
    live_workloads: Vec<u64>,
    /// Policies without a location condition.
    no_locations: Vec<u64>,
    masks: Masks,
    values: ValueTables,
    sets: SetTable,
    ip: IpTable,
    set_trusted: Vec<bool>,
    country: Vec<SetId>,
    country_unknown: SetId,
    gps: Vec<SetId>,
    gps_unknown: SetId,
    country_locations: bool,
    named_location_conditions: bool,
    app_filters: Vec<u32>,
    workload_filters: Vec<u32>,
    registration: Option<Scope>,
    warnings: Vec<String>,
}

impl Engine {
    /// Compile a program. Never fails: a range that does not parse is skipped and a policy whose
    /// device filter does not parse is marked invalid (it then never applies, with
    /// `invalidPolicy`); both are listed in `warnings`. The IR from `capol compile` has neither.
    pub fn new(program: &ir::Program) -> Engine {
        let words = program.policies.len().div_ceil(64).max(1);
        static ENGINE_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut engine = Engine {
            id: ENGINE_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
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
            words,
            policies: Vec::new(),
            filters: Vec::new(),
            users_in: UserIndex::default(),
            users_out: UserIndex::default(),
            apps_in: AppIndex::default(),
            apps_out: AppIndex::default(),
            actions: [vec![0; words], vec![0; words]],
            by_context: Vec::new(),
            locs_in: LocIndex::default(),
            locs_out: LocIndex::default(),
            live_users: vec![0; words],
            live_workloads: vec![0; words],
            no_locations: vec![0; words],
            masks: Masks::default(),
            values: ValueTables::default(),
            sets: SetTable::new(0),
            ip: IpTable::default(),
            set_trusted: Vec::new(),
            country: Vec::new(),
            country_unknown: EMPTY,
            gps: Vec::new(),
            gps_unknown: EMPTY,
            country_locations: false,
            named_location_conditions: false,
            app_filters: Vec::new(),
            workload_filters: Vec::new(),
            registration: None,
            warnings: Vec::new(),
        };
        engine.intern_everything();
        engine.compile_locations();
        engine.compile_workspace_users();
        engine.compile_policies();
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
                        self.apps.intern(&app_key(a), None);
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
                // Declared by id only (a compliant-network location, the MFA trusted IPs, one
                // managed elsewhere): its addresses are unknown, so no sign-in is placed in it,
                // like Entra's legacy trusted IPs (docs/eval.md).
                ir::LocationKind::Unmanaged { .. } => {}
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

    fn add_user_set(&self, index: &mut UserIndex, set: &ir::UserSet, policy: u32) {
        let i = policy as usize;
        if set.none {
            return;
        }
        if set.all {
            set_bit(&mut index.all, i);
        }
        if set.all_guests {
            set_bit(&mut index.all_guests, i);
        }
        if let Some(guests) = &set.guests {
            match &guests.tenants {
                None => {
                    for t in &guests.types {
                        if let Some(words) = index.by_type.get_mut(*t as usize) {
                            set_bit(words, i);
                        }
                    }
                }
                Some(list) => {
                    let mut bits = BitSet::new(self.tenants.len());
                    for t in list {
                        if let Some(ti) = self.tenants.find(&t.to_ascii_lowercase()) {
                            bits.insert(ti);
                        }
                    }
                    index.by_type_and_tenant.push((policy, mask(&guests.types, user_type_bit), bits));
                }
            }
        }
        for u in &set.users {
            if let Some(list) = self.users.find(&u.name).and_then(|x| index.by_user.get_mut(x as usize)) {
                list.push(policy);
            }
        }
        for g in &set.groups {
            if let Some(list) = self.groups.find(&g.name).and_then(|x| index.by_group.get_mut(x as usize)) {
                list.push(policy);
            }
        }
        for r in &set.roles {
            if let Some(list) = self.roles.find(&r.name).and_then(|x| index.by_role.get_mut(x as usize)) {
                list.push(policy);
            }
        }
    }

    fn add_app_set(&self, index: &mut AppIndex, set: &ir::AppSet, policy: u32) {
        let i = policy as usize;
        if set.none {
            return;
        }
        if set.all {
            set_bit(&mut index.all, i);
        }
        if set.office365 {
            set_bit(&mut index.office365, i);
        }
        if set.admin_portals {
            set_bit(&mut index.admin_portals, i);
        }
        for a in &set.apps {
            if let Some(list) = self.apps.find(&app_key(a)).and_then(|x| index.by_app.get_mut(x as usize)) {
                list.push(policy);
            }
        }
    }

    fn add_loc_set(&self, index: &mut LocIndex, set: &ir::LocationSet, policy: u32) {
        let i = policy as usize;
        if set.any {
            set_bit(&mut index.any, i);
        }
        if set.trusted {
            set_bit(&mut index.trusted, i);
        }
        for n in &set.named {
            if let Some(list) =
                self.locations.find(&n.name).and_then(|x| index.by_location.get_mut(x as usize))
            {
                list.push(policy);
            }
        }
    }

    fn compile_policies(&mut self) {
        let w = self.words;
        let user_index = || UserIndex::new(w, self.users.len(), self.groups.len(), self.roles.len());
        let mut users_in = user_index();
        let mut users_out = user_index();
        let app_index = || AppIndex {
            all: vec![0; w],
            office365: vec![0; w],
            admin_portals: vec![0; w],
            by_app: vec![Vec::new(); self.apps.len()],
        };
        let mut apps_in = app_index();
        let mut apps_out = app_index();
        let loc_index = || LocIndex {
            any: vec![0; w],
            trusted: vec![0; w],
            by_location: vec![Vec::new(); self.locations.len()],
        };
        let mut locs_in = loc_index();
        let mut locs_out = loc_index();
        let mut by_context = vec![Vec::new(); self.contexts.len()];
        let mut rules: HashMap<String, u32> = HashMap::new();
        let program = std::mem::take(&mut self.program.policies);
        for (i, p) in program.iter().enumerate() {
            let policy = i as u32;
            self.add_user_set(&mut users_in, &p.users.include, policy);
            self.add_user_set(&mut users_out, &p.users.exclude, policy);
            let kind = match &p.target {
                ir::Target::Apps { include, exclude, .. } => {
                    self.add_app_set(&mut apps_in, include, policy);
                    self.add_app_set(&mut apps_out, exclude, policy);
                    Kind::Apps
                }
                ir::Target::UserActions { actions } => {
                    for a in actions {
                        if let Some(words) = self.actions.get_mut(*a as usize) {
                            set_bit(words, i);
                        }
                    }
                    Kind::Actions(mask(actions, |a| 1 << (a as u8)))
                }
                ir::Target::AuthContexts { contexts } => {
                    for c in contexts {
                        if let Some(list) =
                            self.contexts.find(&c.name).and_then(|x| by_context.get_mut(x as usize))
                        {
                            list.push(policy);
                        }
                    }
                    Kind::Contexts
                }
            };
            if let Some(l) = &p.locations {
                // An include set with nothing in it cannot come from the checker; read it as the
                // portal's default, any location.
                if !l.include.any && !l.include.trusted && l.include.named.is_empty() {
                    set_bit(&mut locs_in.any, i);
                }
                self.add_loc_set(&mut locs_in, &l.include, policy);
                self.add_loc_set(&mut locs_out, &l.exclude, policy);
            }
            let workload = p.service_principals.as_ref().map(|sp| {
                let mut include = BitSet::new(self.service_principals.len());
                let mut exclude = BitSet::new(self.service_principals.len());
                for s in &sp.include {
                    if let Some(x) = self.service_principals.find(&s.name) {
                        include.insert(x);
                    }
                }
                for s in &sp.exclude {
                    if let Some(x) = self.service_principals.find(&s.name) {
                        exclude.insert(x);
                    }
                }
                let filter_only = sp.filter.as_ref().is_some_and(|f| f.mode == ir::FilterMode::Include)
                    && !sp.include_all
                    && sp.include.is_empty();
                Box::new(WorkloadC { include_all: sp.include_all, include, exclude, filter_only })
            });
            let mut invalid = false;
            let device_filter = match &p.device_filter {
                None => None,
                Some(f) => match rules.get(&f.rule) {
                    Some(&id) => Some((f.mode, id)),
                    None => match devfilter::parse(&f.rule) {
                        Ok(rule) => {
                            let id = self.filters.len() as u32;
                            self.filters.push(rule);
                            rules.insert(f.rule.clone(), id);
                            Some((f.mode, id))
                        }
                        Err(e) => {
                            invalid = true;
                            self.warnings.push(format!(
                                "policy `{}`: invalid device filter ({}); the policy never applies",
                                p.display_name, e.message
                            ));
                            None
                        }
                    },
                },
            };
            let client_apps = mask(&p.client_apps, client_bit);
            let compiled = PolicyC {
                state: p.state,
                invalid,
                targets_users: !p.users.include.is_empty()
                    || p.users.include.none
                    || p.service_principals.is_none(),
                kind,
                has_locations: p.locations.is_some(),
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
                workload,
            };
            let live = compiled.state != ir::PolicyState::Disabled
                && !compiled.invalid
                && !(compiled.state == ir::PolicyState::ReportOnly
                    && matches!(compiled.kind, Kind::Actions(_)));
            if live && compiled.targets_users {
                set_bit(&mut self.live_users, i);
            }
            if live && compiled.workload.is_some() {
                set_bit(&mut self.live_workloads, i);
            }
            self.policies.push(compiled);
        }
        for (i, p) in program.iter().enumerate().filter(|(_, p)| p.state != ir::PolicyState::Disabled) {
            if p.locations
                .as_ref()
                .is_some_and(|l| [&l.include, &l.exclude].iter().any(|s| s.trusted || !s.named.is_empty()))
            {
                self.named_location_conditions = true;
            }
            if matches!(&p.target, ir::Target::Apps { filter: Some(_), .. }) {
                self.app_filters.push(i as u32);
            }
            if p.service_principals.as_ref().is_some_and(|s| s.filter.is_some()) {
                self.workload_filters.push(i as u32);
            }
        }
        self.program.policies = program;
        self.values = ValueTables::build(&self.policies, w);
        let mask_of = |f: &dyn Fn(&PolicyC) -> bool| {
            let mut words = vec![0; w];
            for (i, p) in self.policies.iter().enumerate() {
                if f(p) {
                    set_bit(&mut words, i);
                }
            }
            words
        };
        self.masks = Masks {
            disabled: mask_of(&|p| p.state == ir::PolicyState::Disabled),
            invalid: mask_of(&|p| p.invalid),
            report_only_actions: mask_of(&|p| {
                p.state == ir::PolicyState::ReportOnly && matches!(p.kind, Kind::Actions(_))
            }),
            user_policies: mask_of(&|p| p.targets_users),
            workload_policies: mask_of(&|p| p.workload.is_some()),
            kind_apps: mask_of(&|p| p.kind == Kind::Apps),
            kind_actions: mask_of(&|p| matches!(p.kind, Kind::Actions(_))),
            kind_contexts: mask_of(&|p| p.kind == Kind::Contexts),
            with_filter: mask_of(&|p| p.device_filter.is_some()),
        };
        self.no_locations = mask_of(&|p| !p.has_locations);
        self.users_in = users_in;
        self.users_out = users_out;
        self.apps_in = apps_in;
        self.apps_out = apps_out;
        self.by_context = by_context;
        self.locs_in = locs_in;
        self.locs_out = locs_out;
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

    /// Whether an enabled or report-only policy has a location condition naming trusted or named
    /// locations.
    pub fn has_named_location_conditions(&self) -> bool {
        self.named_location_conditions
    }

    /// Enabled or report-only policies with an app filter (custom security attributes).
    pub fn app_filter_policies(&self) -> &[u32] {
        &self.app_filters
    }

    /// Enabled or report-only policies with a workload identity filter.
    pub fn workload_filter_policies(&self) -> &[u32] {
        &self.workload_filters
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

    /// Fill the per-sign-in policy bitsets.
    fn prepare<'a>(
        &self,
        s: &SignIn,
        env: &Env,
        scratch: &'a mut Vec<u64>,
        cache: Option<&mut UserCache>,
    ) -> Pre<'a> {
        let w = self.words;
        scratch.clear();
        scratch.resize(REGIONS * w, 0);
        {
            let (users, rest) = scratch.split_at_mut(2 * w);
            if let Identity::User(p) = &s.identity {
                match cache.as_deref().and_then(|c| c.get(p)) {
                    Some(words) if words.len() == users.len() => users.copy_from_slice(words),
                    _ => {
                        let (users_in, users_out) = users.split_at_mut(w);
                        self.users_in.fill(p, users_in);
                        self.users_out.fill(p, users_out);
                        if let Some(cache) = cache {
                            cache.put(p, users);
                        }
                    }
                }
            }
            let (target, locs) = rest.split_at_mut(2 * w);
            let (target_in, target_out) = target.split_at_mut(w);
            match s.context {
                Context::App(a) => {
                    self.apps_in.fill(&a, target_in);
                    self.apps_out.fill(&a, target_out);
                }
                Context::Action(a) => {
                    if let Some(words) = self.actions.get(a as usize) {
                        or_into(target_in, words);
                    }
                }
                Context::AuthContext(c) => {
                    if let Some(list) = c.and_then(|c| self.by_context.get(c as usize)) {
                        set_all(target_in, list);
                    }
                }
            }
            let (locs, values) = locs.split_at_mut(2 * w);
            for (wi, v) in values.iter_mut().enumerate() {
                *v = self.values.word(s, wi);
            }
            let (loc_in, loc_out) = locs.split_at_mut(w);
            or_into(loc_in, &self.locs_in.any);
            or_into(loc_out, &self.locs_out.any);
            if self.set_is_trusted(env.ip_set) {
                or_into(loc_in, &self.locs_in.trusted);
                or_into(loc_out, &self.locs_out.trusted);
            }
            for set in [env.ip_set, env.country_set, env.gps_set] {
                if set != EMPTY {
                    let set = self.sets.get(set);
                    self.locs_in.add_set(set, loc_in);
                    self.locs_out.add_set(set, loc_out);
                }
            }
        }
        Pre::new(w, scratch)
    }

    /// Evaluate every policy.
    pub fn evaluate(&self, s: &SignIn) -> Evaluation {
        let mut out = Evaluation::default();
        self.evaluate_into(s, &mut out);
        out
    }

    /// Evaluate every policy into a reusable buffer. Each condition, in Microsoft's order, is a
    /// word of failing policies; a policy gets the first condition it fails.
    pub fn evaluate_into(&self, s: &SignIn, out: &mut Evaluation) {
        use Reason as R;
        use Why as W;
        let env = self.env(s);
        out.env = env;
        let n = self.policies.len();
        out.results.clear();
        out.results.resize(n, PolicyResult::Applies);
        out.applied.clear();
        let pre = self.prepare(s, &env, &mut out.scratch, None);
        let results = &mut out.results;
        let m = &self.masks;
        let v = &self.values;
        let user = matches!(s.identity, Identity::User(_));
        let (apps, actions, contexts) = match s.context {
            Context::App(_) => (0, !0, !0),
            Context::Action(_) => (!0, 0, !0),
            Context::AuthContext(_) => (!0, !0, 0),
        };
        let target = match s.context {
            Context::App(_) => R::Application,
            Context::Action(_) => R::UserActions,
            Context::AuthContext(_) => R::AuthenticationContext,
        };
        let legacy = matches!(s.context, Context::Action(ir::UserAction::RegisterSecurityInfo))
            && !env.combined_registration;
        let pl = platform_slot(s.platform);
        let table =
            |t: &[Vec<u64>], slot: usize, wi: usize| t.get(slot).map_or(0, |words| word_of(words, wi));
        for wi in 0..self.words {
            let w = |words: &[u64]| word_of(words, wi);
            let mut pending = match n.checked_sub(wi * 64) {
                Some(left) if left >= 64 => !0,
                Some(left) => (1u64 << left) - 1,
                None => 0,
            };
            let p = &mut pending;
            mark(results, p, wi, w(&m.disabled), miss(R::PolicyNotEnabled, W::Disabled));
            mark(results, p, wi, w(&m.invalid), miss(R::InvalidPolicy, W::Invalid));
            mark(results, p, wi, w(&m.report_only_actions), miss(R::UserActions, W::ReportOnlyUserAction));
            if user {
                mark(results, p, wi, !w(&m.user_policies), miss(R::WorkloadIdentities, W::OtherIdentity));
                mark(results, p, wi, !w(pre.users_in), miss(R::Users, W::NotIncluded));
                mark(results, p, wi, w(pre.users_out), miss(R::Users, W::Excluded));
            } else {
                mark(results, p, wi, !w(&m.workload_policies), miss(R::Users, W::OtherIdentity));
                let mut rest = *p;
                while rest != 0 {
                    let i = wi * 64 + rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    if let Some(why) = self.policies.get(i).and_then(|policy| workload_miss(policy, s)) {
                        mark(results, p, wi, 1 << (i % 64), miss(R::WorkloadIdentities, why));
                    }
                }
            }
            mark(results, p, wi, w(&m.kind_apps) & apps, miss(R::Application, W::OtherContext));
            mark(results, p, wi, w(&m.kind_actions) & actions, miss(R::UserActions, W::OtherContext));
            mark(
                results,
                p,
                wi,
                w(&m.kind_contexts) & contexts,
                miss(R::AuthenticationContext, W::OtherContext),
            );
            mark(results, p, wi, !w(pre.target_in), miss(target, W::NotIncluded));
            mark(results, p, wi, w(pre.target_out), miss(target, W::Excluded));
            if legacy {
                mark(results, p, wi, !0, miss(R::UserActions, W::LegacyRegistration));
            }
            let excluded = table(&v.platform_excluded, pl, wi);
            mark(
                results,
                p,
                wi,
                !table(&v.platform, pl, wi) & !excluded,
                miss(R::DevicePlatform, W::NotIncluded),
            );
            mark(results, p, wi, excluded, miss(R::DevicePlatform, W::Excluded));
            let mut filtered = *p & w(&m.with_filter);
            while filtered != 0 {
                let i = wi * 64 + filtered.trailing_zeros() as usize;
                filtered &= filtered - 1;
                if let Some((mode, f)) = self.policies.get(i).and_then(|policy| policy.device_filter) {
                    let matched = self.device_matches(f, s, &pre);
                    let why = match mode {
                        ir::FilterMode::Include if !matched => Some(W::NotIncluded),
                        ir::FilterMode::Exclude if matched => Some(W::Excluded),
                        _ => None,
                    };
                    if let Some(why) = why {
                        mark(results, p, wi, 1 << (i % 64), miss(R::Devices, why));
                    }
                }
            }
            let client = table(&v.client, client_slot(s.client) * 8 + pl, wi);
            mark(results, p, wi, !client, miss(R::ClientApps, W::NotIncluded));
            let located = !w(&self.no_locations);
            mark(results, p, wi, located & !w(pre.loc_in), miss(R::Location, W::NotIncluded));
            mark(results, p, wi, located & w(pre.loc_out), miss(R::Location, W::Excluded));
            let sign_in_risk = table(&v.sign_in_risk, s.sign_in_risk as usize, wi);
            mark(results, p, wi, !sign_in_risk, miss(R::SignInRisk, W::NotIncluded));
            let user_risk = table(&v.user_risk, s.user_risk as usize, wi);
            mark(results, p, wi, !user_risk, miss(R::UserRisk, W::NotIncluded));
            let insider = table(&v.insider, s.insider_risk.map_or(0, |r| r as usize + 1), wi);
            mark(results, p, wi, !insider, miss(R::InsiderRisk, W::NotIncluded));
            let flow = table(&v.flow, s.auth_flow.map_or(0, |f| f as usize + 1), wi);
            mark(results, p, wi, !flow, miss(R::AuthenticationFlow, W::NotIncluded));
            let mut applies = pending;
            while applies != 0 {
                out.applied.push((wi * 64 + applies.trailing_zeros() as usize) as u32);
                applies &= applies - 1;
            }
        }
    }

    /// Every policy checked one by one: the reference `evaluate_into` must agree with.
    #[cfg(test)]
    pub(crate) fn evaluate_reference(&self, s: &SignIn) -> Vec<PolicyResult> {
        let env = self.env(s);
        let mut scratch = Vec::new();
        let pre = self.prepare(s, &env, &mut scratch, None);
        self.policies
            .iter()
            .enumerate()
            .map(|(i, p)| match self.check(i, p, s, &env, &pre) {
                Ok(()) => PolicyResult::Applies,
                Err(m) => PolicyResult::NotApplies(m),
            })
            .collect()
    }

    /// Only the policies that apply, into a reusable buffer. Faster than `evaluate_into`: the
    /// policy bitsets are intersected first, and only the policies left are checked.
    pub fn applicable_into(&self, s: &SignIn, out: &mut Applicable) {
        let env = self.env(s);
        out.env = env;
        out.policies.clear();
        out.users.bind(self.id);
        let pre = self.prepare(s, &env, &mut out.scratch, Some(&mut out.users));
        let user = matches!(s.identity, Identity::User(_));
        let live = if user { &self.live_users } else { &self.live_workloads };
        let get = |s: &[u64], wi: usize| s.get(wi).copied().unwrap_or(0);
        for wi in 0..self.words {
            let mut word = get(live, wi) & get(pre.target_in, wi) & !get(pre.target_out, wi);
            if user {
                word &= get(pre.users_in, wi) & !get(pre.users_out, wi);
            }
            word &= get(&self.no_locations, wi) | (get(pre.loc_in, wi) & !get(pre.loc_out, wi));
            word &= get(pre.values, wi);
            while word != 0 {
                let i = wi * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                if let Some(p) = self.policies.get(i)
                    && self.candidate_ok(p, s, &env, &pre)
                {
                    out.policies.push(i as u32);
                }
            }
        }
    }

    /// For a policy that survived the bitset intersection in `applicable_into`: the conditions
    /// the bitsets do not cover (workload identities, the registration experience, device
    /// filters).
    #[inline]
    fn candidate_ok(&self, p: &PolicyC, s: &SignIn, env: &Env, pre: &Pre<'_>) -> bool {
        if let Identity::ServicePrincipal(_) = &s.identity
            && (p.workload.is_none() || workload_miss(p, s).is_some())
        {
            return false;
        }
        if let Context::Action(ir::UserAction::RegisterSecurityInfo) = s.context
            && !env.combined_registration
        {
            return false;
        }
        match p.device_filter {
            None => true,
            Some((mode, filter)) => self.device_matches(filter, s, pre) == (mode == ir::FilterMode::Include),
        }
    }

    fn device_matches(&self, filter: u32, s: &SignIn, pre: &Pre<'_>) -> bool {
        let f = filter as usize;
        let Some(rule) = self.filters.get(f) else { return false };
        if f >= 32 {
            return rule.matches(&s.device);
        }
        let memo = pre.filters.get();
        if memo & (1 << (2 * f)) != 0 {
            return memo & (1 << (2 * f + 1)) != 0;
        }
        let matched = rule.matches(&s.device);
        pre.filters.set(memo | (1 << (2 * f)) | (u64::from(matched) << (2 * f + 1)));
        matched
    }

    /// One policy, condition by condition, in Microsoft's order (the reference for
    /// `evaluate_into`).
    #[cfg(test)]
    fn check(&self, i: usize, p: &PolicyC, s: &SignIn, env: &Env, pre: &Pre<'_>) -> Result<(), Miss> {
        use Reason as R;
        use Why as W;
        if p.state == ir::PolicyState::Disabled {
            return Err(miss(R::PolicyNotEnabled, W::Disabled));
        }
        if p.invalid {
            return Err(miss(R::InvalidPolicy, W::Invalid));
        }
        if p.state == ir::PolicyState::ReportOnly && matches!(p.kind, Kind::Actions(_)) {
            return Err(miss(R::UserActions, W::ReportOnlyUserAction));
        }
        match &s.identity {
            Identity::User(_) => {
                if !p.targets_users {
                    return Err(miss(R::WorkloadIdentities, W::OtherIdentity));
                }
                if !bit(pre.users_in, i) {
                    return Err(miss(R::Users, W::NotIncluded));
                }
                if bit(pre.users_out, i) {
                    return Err(miss(R::Users, W::Excluded));
                }
            }
            Identity::ServicePrincipal(_) => {
                if p.workload.is_none() {
                    return Err(miss(R::Users, W::OtherIdentity));
                }
                if let Some(why) = workload_miss(p, s) {
                    return Err(miss(R::WorkloadIdentities, why));
                }
            }
        }
        let reason = match p.kind {
            Kind::Apps => R::Application,
            Kind::Actions(_) => R::UserActions,
            Kind::Contexts => R::AuthenticationContext,
        };
        let same_kind = matches!(
            (p.kind, s.context),
            (Kind::Apps, Context::App(_))
                | (Kind::Actions(_), Context::Action(_))
                | (Kind::Contexts, Context::AuthContext(_))
        );
        if !same_kind {
            return Err(miss(reason, W::OtherContext));
        }
        if !bit(pre.target_in, i) {
            return Err(miss(reason, W::NotIncluded));
        }
        if bit(pre.target_out, i) {
            return Err(miss(reason, W::Excluded));
        }
        if let Context::Action(ir::UserAction::RegisterSecurityInfo) = s.context
            && !env.combined_registration
        {
            return Err(miss(R::UserActions, W::LegacyRegistration));
        }
        let values_ok = bit(pre.values, i);
        if !values_ok && let Some(why) = platform_miss(p, s.platform) {
            return Err(miss(R::DevicePlatform, why));
        }
        if let Some((mode, filter)) = p.device_filter {
            let matched = self.device_matches(filter, s, pre);
            match mode {
                ir::FilterMode::Include if !matched => return Err(miss(R::Devices, W::NotIncluded)),
                ir::FilterMode::Exclude if matched => return Err(miss(R::Devices, W::Excluded)),
                _ => {}
            }
        }
        if !values_ok && !client_matches(p.client_apps, s.client, s.platform) {
            return Err(miss(R::ClientApps, W::NotIncluded));
        }
        if p.has_locations {
            if !bit(pre.loc_in, i) {
                return Err(miss(R::Location, W::NotIncluded));
            }
            if bit(pre.loc_out, i) {
                return Err(miss(R::Location, W::Excluded));
            }
        }
        if values_ok {
            return Ok(());
        }
        if !risk_ok(p.sign_in_risk, s.sign_in_risk) {
            return Err(miss(R::SignInRisk, W::NotIncluded));
        }
        if !risk_ok(p.user_risk, s.user_risk) {
            return Err(miss(R::UserRisk, W::NotIncluded));
        }
        if !insider_ok(p.insider_risk, s.insider_risk) {
            return Err(miss(R::InsiderRisk, W::NotIncluded));
        }
        if !flow_ok(p.auth_flows, s.auth_flow) {
            return Err(miss(R::AuthenticationFlow, W::NotIncluded));
        }
        Ok(())
    }
}

/// The workload identity condition's verdict (with the workload's risk) for a service principal
/// sign-in; `None` when it holds or the policy has no workload condition.
fn workload_miss(p: &PolicyC, s: &SignIn) -> Option<Why> {
    let (Some(w), Identity::ServicePrincipal(sp)) = (&p.workload, &s.identity) else { return None };
    let included = !w.filter_only && (w.include_all || sp.is_some_and(|x| w.include.contains(x)));
    if !included {
        return Some(Why::NotIncluded);
    }
    if sp.is_some_and(|x| w.exclude.contains(x)) {
        return Some(Why::Excluded);
    }
    if p.sp_risk != 0 && p.sp_risk & risk_bit(s.service_principal_risk) == 0 {
        return Some(Why::NotIncluded);
    }
    None
}

/// The platform condition's verdict for a sign-in platform.
#[inline]
fn platform_miss(p: &PolicyC, platform: Option<ir::Platform>) -> Option<Why> {
    let (include, exclude) = p.platforms?;
    let b = platform.map_or(0, platform_bit);
    if include & PLATFORM_ALL == 0 && include & b == 0 {
        return Some(Why::NotIncluded);
    }
    if exclude & PLATFORM_ALL != 0 || exclude & b != 0 {
        return Some(Why::Excluded);
    }
    None
}

#[inline]
fn risk_ok(mask: u8, r: Risk) -> bool {
    mask == 0 || mask & risk_bit(r) != 0
}

#[inline]
fn insider_ok(mask: u8, r: Option<ir::InsiderRisk>) -> bool {
    mask == 0 || r.is_some_and(|r| mask & (1 << r as u8) != 0)
}

#[inline]
fn flow_ok(mask: u8, f: Option<ir::AuthFlow>) -> bool {
    mask == 0 || f.is_some_and(|f| mask & (1 << f as u8) != 0)
}

const PLATFORM_VALUES: [Option<ir::Platform>; 8] = [
    Some(ir::Platform::All),
    Some(ir::Platform::Android),
    Some(ir::Platform::Ios),
    Some(ir::Platform::Windows),
    Some(ir::Platform::WindowsPhone),
    Some(ir::Platform::Macos),
    Some(ir::Platform::Linux),
    None,
];
const CLIENT_VALUES: [Option<Client>; 6] = [
    Some(Client::Browser),
    Some(Client::MobileDesktop),
    Some(Client::ExchangeActiveSync),
    Some(Client::EasSupported),
    Some(Client::Other),
    None,
];
const RISK_VALUES: [Risk; 5] = [Risk::None, Risk::Low, Risk::Medium, Risk::High, Risk::Hidden];
const INSIDER_VALUES: [Option<ir::InsiderRisk>; 4] =
    [None, Some(ir::InsiderRisk::Minor), Some(ir::InsiderRisk::Moderate), Some(ir::InsiderRisk::Elevated)];
const FLOW_VALUES: [Option<ir::AuthFlow>; 3] =
    [None, Some(ir::AuthFlow::DeviceCode), Some(ir::AuthFlow::AuthTransfer)];

fn platform_slot(p: Option<ir::Platform>) -> usize {
    p.map_or(7, |p| p as usize)
}

fn client_slot(c: Option<Client>) -> usize {
    c.map_or(5, |c| c as usize)
}

/// Per condition value, the policies whose platform, client app, risk and flow conditions that
/// value satisfies: `applicable_into` ANDs them before checking any policy.
#[derive(Debug, Clone, Default)]
struct ValueTables {
    platform: Vec<Vec<u64>>,
    platform_excluded: Vec<Vec<u64>>,
    client: Vec<Vec<u64>>,
    sign_in_risk: Vec<Vec<u64>>,
    user_risk: Vec<Vec<u64>>,
    insider: Vec<Vec<u64>>,
    flow: Vec<Vec<u64>>,
}

impl ValueTables {
    fn build(policies: &[PolicyC], words: usize) -> ValueTables {
        let table = |n: usize, ok: &dyn Fn(&PolicyC, usize) -> bool| -> Vec<Vec<u64>> {
            (0..n)
                .map(|v| {
                    let mut w = vec![0; words];
                    for (i, p) in policies.iter().enumerate() {
                        if ok(p, v) {
                            set_bit(&mut w, i);
                        }
                    }
                    w
                })
                .collect()
        };
        ValueTables {
            platform: table(8, &|p, v| platform_miss(p, PLATFORM_VALUES[v]).is_none()),
            platform_excluded: table(8, &|p, v| platform_miss(p, PLATFORM_VALUES[v]) == Some(Why::Excluded)),
            client: table(6 * 8, &|p, v| {
                client_matches(p.client_apps, CLIENT_VALUES[v / 8], PLATFORM_VALUES[v % 8])
            }),
            sign_in_risk: table(5, &|p, v| risk_ok(p.sign_in_risk, RISK_VALUES[v])),
            user_risk: table(5, &|p, v| risk_ok(p.user_risk, RISK_VALUES[v])),
            insider: table(4, &|p, v| insider_ok(p.insider_risk, INSIDER_VALUES[v])),
            flow: table(3, &|p, v| flow_ok(p.auth_flows, FLOW_VALUES[v])),
        }
    }

    /// The policies the sign-in's values satisfy, word `wi`.
    #[inline]
    fn word(&self, s: &SignIn, wi: usize) -> u64 {
        let get = |t: &[Vec<u64>], i: usize| t.get(i).and_then(|w| w.get(wi)).copied().unwrap_or(0);
        let pl = platform_slot(s.platform);
        get(&self.platform, pl)
            & get(&self.client, client_slot(s.client) * 8 + pl)
            & get(&self.sign_in_risk, s.sign_in_risk as usize)
            & get(&self.user_risk, s.user_risk as usize)
            & get(&self.insider, s.insider_risk.map_or(0, |r| r as usize + 1))
            & get(&self.flow, s.auth_flow.map_or(0, |f| f as usize + 1))
    }
}

/// The key an app is interned under: its app id, lowercase (its name when it has no id).
fn app_key(a: &ir::Ref) -> String {
    a.id.as_deref().unwrap_or(&a.name).to_ascii_lowercase()
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
