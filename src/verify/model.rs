//! The symbolic model: every dimension of the universe encoded in BDD variables (a class index
//! in binary, a boolean per group, role and device filter), and each program's policies and
//! outcomes as BDDs over them, following `eval::engine::Engine::check` condition by condition.
//!
//! INVARIANT: for every point of the space, `Semantics::verdict` equals the decision of the
//! engine on the sign-in `Analysis::realise` builds for that point (tested exhaustively on small
//! workspaces in `src/verify/tests.rs`).

use biodivine_lib_bdd::{Bdd, BddPartialValuation, BddValuation, BddVariable, BddVariableSet};

use super::space::{TargetKind, Universe};
use crate::eval::signin::Risk;
use crate::ir::{self, AuthFlow, ClientApp, InsiderRisk, Platform, UserType};

/// Platforms of a sign-in, by value index: 0 is "not given".
pub const PLATFORMS: [Option<Platform>; 7] = [
    None,
    Some(Platform::Windows),
    Some(Platform::Macos),
    Some(Platform::Ios),
    Some(Platform::Android),
    Some(Platform::Linux),
    Some(Platform::WindowsPhone),
];

/// Client app types of a sign-in, by value index: 0 is "not given".
pub const CLIENTS: [Option<crate::eval::signin::Client>; 6] = {
    use crate::eval::signin::Client as C;
    [
        None,
        Some(C::Browser),
        Some(C::MobileDesktop),
        Some(C::ExchangeActiveSync),
        Some(C::Other),
        Some(C::EasSupported),
    ]
};

/// Risk levels, by value index.
pub const RISKS: [Risk; 5] = [Risk::None, Risk::Low, Risk::Medium, Risk::High, Risk::Hidden];

/// Insider risk levels, by value index: 0 is none.
pub const INSIDER: [Option<InsiderRisk>; 4] =
    [None, Some(InsiderRisk::Minor), Some(InsiderRisk::Moderate), Some(InsiderRisk::Elevated)];

/// Authentication flows, by value index: 0 is an ordinary sign-in.
pub const FLOWS: [Option<AuthFlow>; 3] = [None, Some(AuthFlow::DeviceCode), Some(AuthFlow::AuthTransfer)];

/// User types, by value index (`UserType as usize`).
pub const USER_TYPES: [UserType; 7] = [
    UserType::Member,
    UserType::InternalGuest,
    UserType::B2bCollaborationGuest,
    UserType::B2bCollaborationMember,
    UserType::B2bDirectConnectUser,
    UserType::OtherExternalUser,
    UserType::ServiceProvider,
];

/// A dimension with `size` values, encoded in binary, most significant bit first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dim {
    /// The variables, most significant first (none when `size` is 1).
    pub vars: Vec<BddVariable>,
    /// Number of values.
    pub size: usize,
}

impl Dim {
    fn bits(size: usize) -> usize {
        let mut bits = 0;
        while (1usize << bits) < size {
            bits += 1;
        }
        bits
    }

    fn literals(&self, value: usize, into: &mut BddPartialValuation) {
        let n = self.vars.len();
        for (i, v) in self.vars.iter().enumerate() {
            into.set_value(*v, (value >> (n - 1 - i)) & 1 == 1);
        }
    }

    /// The value of this dimension in a valuation.
    pub fn value(&self, valuation: &BddValuation) -> usize {
        self.vars.iter().fold(0, |acc, v| (acc << 1) | usize::from(valuation.value(*v)))
    }

    fn set_value(&self, valuation: &mut BddValuation, value: usize) {
        let n = self.vars.len();
        for (i, v) in self.vars.iter().enumerate() {
            valuation.set_value(*v, (value >> (n - 1 - i)) & 1 == 1);
        }
    }
}

/// The names of the dimensions, for descriptions and preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DimId {
    /// Which named user (0: anybody else).
    Who,
    /// The user type.
    UserType,
    /// The guest's home tenant (0: another).
    Tenant,
    /// The target class.
    Target,
    /// The IP class.
    Ip,
    /// The country class.
    Country,
    /// The GPS country class.
    Gps,
    /// The platform.
    Platform,
    /// The client app type.
    Client,
    /// Sign-in risk.
    SignInRisk,
    /// User risk.
    UserRisk,
    /// Insider risk.
    Insider,
    /// Authentication flow.
    Flow,
}

/// The BDD variables of a universe.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The variable set.
    pub vars: BddVariableSet,
    /// Categorical dimensions.
    pub dims: Vec<(DimId, Dim)>,
    /// One variable per universe group: the user is a member (for a user no policy names).
    pub groups: Vec<BddVariable>,
    /// One variable per universe role: the user holds it (for a user no policy names).
    pub roles: Vec<BddVariable>,
    /// One variable per device filter rule: the device matches it.
    pub filters: Vec<BddVariable>,
    /// Every dimension holds one of its values.
    pub valid: Bdd,
}

impl Layout {
    /// The layout of a universe. Variable order (it decides BDD sizes): the small dimensions
    /// every policy tests, then the user, then the location.
    pub fn new(u: &Universe) -> Layout {
        let sizes: Vec<(DimId, usize)> = vec![
            (DimId::Target, u.targets.len()),
            (DimId::Platform, PLATFORMS.len()),
            (DimId::Client, CLIENTS.len()),
            (DimId::SignInRisk, RISKS.len()),
            (DimId::UserRisk, RISKS.len()),
            (DimId::Insider, INSIDER.len()),
            (DimId::Flow, FLOWS.len()),
            (DimId::UserType, USER_TYPES.len()),
            (DimId::Tenant, u.tenants.len() + 1),
            (DimId::Who, u.users.len() + 1),
            (DimId::Country, u.countries.len()),
            (DimId::Gps, u.gps.len()),
            (DimId::Ip, u.ip.len()),
        ];
        let mut count = 0usize;
        let mut dims = Vec::new();
        let mut take = |n: usize| {
            let vars: Vec<BddVariable> = (count..count + n).map(BddVariable::from_index).collect();
            count += n;
            vars
        };
        let mut groups = Vec::new();
        let mut roles = Vec::new();
        let mut filters = Vec::new();
        for (id, size) in sizes {
            if id == DimId::UserType {
                filters = take(u.filters.len());
            }
            if id == DimId::Country {
                roles = take(u.roles.len());
                groups = take(u.groups.len());
            }
            dims.push((id, Dim { vars: take(Dim::bits(size)), size }));
        }
        let vars = BddVariableSet::new_anonymous(u16::try_from(count).unwrap_or(u16::MAX));
        let mut layout = Layout { valid: vars.mk_true(), vars, dims, groups, roles, filters };
        let mut valid = layout.vars.mk_true();
        for (_, dim) in &layout.dims {
            if dim.size < (1usize << dim.vars.len()) {
                valid = valid.and(&layout.set(dim, |v| v < dim.size));
            }
        }
        layout.valid = valid;
        layout
    }

    /// A dimension.
    pub fn dim(&self, id: DimId) -> &Dim {
        self.dims.iter().find(|(d, _)| *d == id).map_or(&EMPTY_DIM, |(_, d)| d)
    }

    /// `dim == value`.
    pub fn eq(&self, dim: &Dim, value: usize) -> Bdd {
        let mut clause = BddPartialValuation::empty();
        dim.literals(value, &mut clause);
        self.vars.mk_conjunctive_clause(&clause)
    }

    /// `dim ∈ {v : member(v)}`.
    pub fn set(&self, dim: &Dim, member: impl Fn(usize) -> bool) -> Bdd {
        let cubes: Vec<BddPartialValuation> = (0..dim.size)
            .filter(|&v| member(v))
            .map(|v| {
                let mut clause = BddPartialValuation::empty();
                dim.literals(v, &mut clause);
                clause
            })
            .collect();
        // Codes past `size` are no value: only a set of every code is "true".
        if cubes.len() == 1usize << dim.vars.len() {
            return self.vars.mk_true();
        }
        self.vars.mk_dnf(&cubes)
    }

    /// `dim ∈ values`.
    pub fn set_of(&self, id: DimId, values: &[usize]) -> Bdd {
        self.set(self.dim(id), |v| values.contains(&v))
    }

    /// A variable's literal.
    pub fn lit(&self, var: BddVariable, value: bool) -> Bdd {
        self.vars.mk_literal(var, value)
    }

    /// The point a valuation stands for.
    pub fn point(&self, valuation: &BddValuation) -> Point {
        let get = |id| self.dim(id).value(valuation);
        Point {
            who: get(DimId::Who),
            user_type: get(DimId::UserType),
            tenant: get(DimId::Tenant),
            groups: self.groups.iter().map(|v| valuation.value(*v)).collect(),
            roles: self.roles.iter().map(|v| valuation.value(*v)).collect(),
            target: get(DimId::Target),
            ip: get(DimId::Ip),
            country: get(DimId::Country),
            gps: get(DimId::Gps),
            platform: get(DimId::Platform),
            client: get(DimId::Client),
            sign_in_risk: get(DimId::SignInRisk),
            user_risk: get(DimId::UserRisk),
            insider: get(DimId::Insider),
            flow: get(DimId::Flow),
            filters: self.filters.iter().map(|v| valuation.value(*v)).collect(),
        }
    }

    /// The valuation of a point.
    pub fn valuation(&self, p: &Point) -> BddValuation {
        let mut valuation = BddValuation::all_false(self.vars.num_vars());
        for (id, dim) in &self.dims {
            dim.set_value(&mut valuation, p.get(*id));
        }
        for (var, value) in self.groups.iter().zip(&p.groups) {
            valuation.set_value(*var, *value);
        }
        for (var, value) in self.roles.iter().zip(&p.roles) {
            valuation.set_value(*var, *value);
        }
        for (var, value) in self.filters.iter().zip(&p.filters) {
            valuation.set_value(*var, *value);
        }
        valuation
    }

    /// The single point as a BDD.
    pub fn point_bdd(&self, p: &Point) -> Bdd {
        self.valuation(p).mk_bdd()
    }
}

static EMPTY_DIM: Dim = Dim { vars: Vec::new(), size: 1 };

/// One sign-in class: a value per dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Point {
    /// 0: a user no policy names; `i + 1`: `Universe::users` item `i`.
    pub who: usize,
    /// Index into `USER_TYPES` (for a user no policy names).
    pub user_type: usize,
    /// 0: no or another home tenant; `i + 1`: `Universe::tenants` item `i`.
    pub tenant: usize,
    /// Memberships of the universe's groups (for a user no policy names).
    pub groups: Vec<bool>,
    /// Roles held (for a user no policy names).
    pub roles: Vec<bool>,
    /// Target class.
    pub target: usize,
    /// IP class.
    pub ip: usize,
    /// Country class.
    pub country: usize,
    /// GPS country class.
    pub gps: usize,
    /// Index into `PLATFORMS`.
    pub platform: usize,
    /// Index into `CLIENTS`.
    pub client: usize,
    /// Index into `RISKS`.
    pub sign_in_risk: usize,
    /// Index into `RISKS`.
    pub user_risk: usize,
    /// Index into `INSIDER`.
    pub insider: usize,
    /// Index into `FLOWS`.
    pub flow: usize,
    /// Which device filter rules the device matches.
    pub filters: Vec<bool>,
}

impl Point {
    /// The value of a categorical dimension.
    pub fn get(&self, id: DimId) -> usize {
        match id {
            DimId::Who => self.who,
            DimId::UserType => self.user_type,
            DimId::Tenant => self.tenant,
            DimId::Target => self.target,
            DimId::Ip => self.ip,
            DimId::Country => self.country,
            DimId::Gps => self.gps,
            DimId::Platform => self.platform,
            DimId::Client => self.client,
            DimId::SignInRisk => self.sign_in_risk,
            DimId::UserRisk => self.user_risk,
            DimId::Insider => self.insider,
            DimId::Flow => self.flow,
        }
    }
}

/// The outcome of a sign-in class, as `eval::Decision` would combine it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// An enforced policy blocks.
    Block,
    /// Access with these requirement groups (indices into `Universe::requirements`, sorted),
    /// all of them.
    Grant(Vec<usize>),
    /// Access with no requirement.
    Allow,
}

/// What an enforced policy does to the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Blocks.
    Block,
    /// Requires this requirement group (an index into `Universe::requirements`).
    Require(usize),
    /// Session controls only.
    Session,
}

/// An enforced policy as a BDD.
#[derive(Debug, Clone)]
pub struct PolicySym {
    /// Index into the program's policies.
    pub index: usize,
    /// The sign-ins it applies to.
    pub applies: Bdd,
    /// What it does.
    pub effect: Effect,
}

/// One program's policies and outcomes over a universe.
#[derive(Debug, Clone)]
pub struct Semantics {
    /// The enabled policies that can apply to user sign-ins.
    pub policies: Vec<PolicySym>,
    /// Sign-ins some enforced policy blocks.
    pub block: Bdd,
    /// Per universe requirement: sign-ins some enforced policy puts it on.
    pub requires: Vec<Bdd>,
    /// Sign-ins with no requirement and no block.
    pub allow: Bdd,
    /// Per universe group: the user is a member.
    pub in_group: Vec<Bdd>,
    /// Per universe role: the user holds it.
    pub has_role: Vec<Bdd>,
    /// Per user type: the user is of that type.
    pub type_is: Vec<Bdd>,
    /// The IP is in a trusted location.
    pub trusted: Bdd,
    /// Per location of the program: the sign-in is in it.
    pub locations: Vec<Bdd>,
    /// The user has the combined registration experience.
    pub combined: Bdd,
}

fn platform_bit(p: Platform) -> u8 {
    1 << (p as u8)
}

fn client_bit(c: ClientApp) -> u8 {
    1 << (c as u8)
}

impl Semantics {
    /// The semantics of `programs[index]` over the universe built from `programs`.
    pub fn new(u: &Universe, l: &Layout, programs: &[&ir::Program], index: usize) -> Semantics {
        let Some(program) = programs.get(index).copied() else {
            let f = l.vars.mk_false();
            return Semantics {
                policies: Vec::new(),
                block: f.clone(),
                requires: vec![f.clone(); u.requirements.len()],
                allow: l.valid.clone(),
                in_group: vec![f.clone(); u.groups.len()],
                has_role: vec![f.clone(); u.roles.len()],
                type_is: vec![f.clone(); USER_TYPES.len()],
                trusted: f.clone(),
                locations: Vec::new(),
                combined: f,
            };
        };
        let who = l.dim(DimId::Who);
        let anonymous = l.eq(who, 0);
        // Declared memberships of the named users.
        let mut in_group: Vec<Bdd> = l.groups.iter().map(|g| anonymous.and(&l.lit(*g, true))).collect();
        let mut has_role: Vec<Bdd> = l.roles.iter().map(|r| anonymous.and(&l.lit(*r, true))).collect();
        let mut type_is: Vec<Bdd> =
            (0..USER_TYPES.len()).map(|t| anonymous.and(&l.eq(l.dim(DimId::UserType), t))).collect();
        for (i, r) in u.users.items.iter().enumerate() {
            let is = l.eq(who, i + 1);
            let declared = program.users.iter().find(|x| {
                x.name == r.name
                    || (r.id.is_some()
                        && x.id.as_deref().map(str::to_ascii_lowercase)
                            == r.id.as_deref().map(str::to_ascii_lowercase))
            });
            let user_type = declared.map_or(UserType::Member, |d| d.user_type);
            if let Some(slot) = type_is.get_mut(user_type as usize) {
                *slot = slot.or(&is);
            }
            let Some(d) = declared else { continue };
            for g in &d.member_of {
                let id = program.groups.iter().find(|x| x.name == *g).and_then(|x| x.id.as_deref());
                if let Some(slot) = u
                    .groups
                    .find(g)
                    .or_else(|| id.and_then(|id| u.groups.find(id)))
                    .and_then(|gi| in_group.get_mut(gi))
                {
                    *slot = slot.or(&is);
                }
            }
            for role in &d.roles {
                let template = program.roles.iter().find(|x| x.name == *role).map(|x| x.template_id.as_str());
                if let Some(slot) = template.and_then(|t| u.roles.find(t)).and_then(|ri| has_role.get_mut(ri))
                {
                    *slot = slot.or(&is);
                }
            }
        }
        let mut s = Semantics {
            policies: Vec::new(),
            block: l.vars.mk_false(),
            requires: vec![l.vars.mk_false(); u.requirements.len()],
            allow: l.vars.mk_false(),
            in_group,
            has_role,
            type_is,
            trusted: l.set(l.dim(DimId::Ip), |c| {
                u.ip.get(c).is_some_and(|c| c.trusted.get(index).copied().unwrap_or(false))
            }),
            locations: Vec::new(),
            combined: l.vars.mk_true(),
        };
        s.locations = (0..program.locations.len()).map(|li| s.location(u, l, program, index, li)).collect();
        s.combined = match program.combined_registration.as_ref().map(|c| &c.enabled_for) {
            None | Some(ir::RegistrationScope::All) => l.vars.mk_true(),
            Some(ir::RegistrationScope::None) => l.vars.mk_false(),
            Some(ir::RegistrationScope::Group(g)) => u
                .groups
                .find_ref(g)
                .and_then(|gi| s.in_group.get(gi).cloned())
                .unwrap_or_else(|| l.vars.mk_false()),
        };
        let mut block = l.vars.mk_false();
        let mut requires = s.requires.clone();
        for (pi, p) in program.policies.iter().enumerate() {
            if p.state != ir::PolicyState::Enabled {
                continue;
            }
            let Some(applies) = s.applies(u, l, program, p) else { continue };
            let applies = applies.and(&l.valid);
            if applies.is_false() {
                continue;
            }
            let effect = match &p.grant {
                Some(ir::Grant::Block) => Effect::Block,
                grant => {
                    match super::space::Requirement::of(grant.as_ref()).and_then(|r| u.requirement(&r)) {
                        Some(r) => Effect::Require(r),
                        None => Effect::Session,
                    }
                }
            };
            match effect {
                Effect::Block => block = block.or(&applies),
                Effect::Require(r) => {
                    if let Some(slot) = requires.get_mut(r) {
                        *slot = slot.or(&applies);
                    }
                }
                Effect::Session => {}
            }
            s.policies.push(PolicySym { index: pi, applies, effect });
        }
        let mut any = block.clone();
        for r in &requires {
            any = any.or(r);
        }
        s.allow = l.valid.and_not(&any);
        s.block = block;
        s.requires = requires;
        s
    }

    /// The verdict at a point.
    pub fn verdict(&self, l: &Layout, p: &Point) -> Verdict {
        self.verdict_at(&l.valuation(p))
    }

    /// The verdict at a valuation.
    pub fn verdict_at(&self, v: &BddValuation) -> Verdict {
        if self.block.eval_in(v) {
            return Verdict::Block;
        }
        let groups: Vec<usize> =
            self.requires.iter().enumerate().filter(|(_, b)| b.eval_in(v)).map(|(i, _)| i).collect();
        if groups.is_empty() { Verdict::Allow } else { Verdict::Grant(groups) }
    }

    /// The sign-ins in location `li` of the program (as a policy's `include` would see them).
    fn location(&self, u: &Universe, l: &Layout, program: &ir::Program, index: usize, li: usize) -> Bdd {
        let li32 = li as u32;
        let Some(loc) = program.locations.get(li) else { return l.vars.mk_false() };
        match &loc.kind {
            ir::LocationKind::Ip { .. } => l.set(l.dim(DimId::Ip), |c| {
                u.ip.get(c).and_then(|c| c.sets.get(index)).is_some_and(|s| s.contains(&li32))
            }),
            ir::LocationKind::Country { lookup: ir::CountryLookup::ClientIp, .. } => l
                .set(l.dim(DimId::Country), |c| {
                    u.countries.get(c).and_then(|c| c.ip_sets.get(index)).is_some_and(|s| s.contains(&li32))
                }),
            ir::LocationKind::Country { lookup: ir::CountryLookup::AuthenticatorGps, .. } => {
                // Without a GPS country the IP country is looked up (`eval::engine::Engine::env`).
                let fallback = l.eq(l.dim(DimId::Gps), 0).and(&l.set(l.dim(DimId::Country), |c| {
                    u.countries.get(c).and_then(|c| c.gps_sets.get(index)).is_some_and(|s| s.contains(&li32))
                }));
                let given = l.set(l.dim(DimId::Gps), |g| {
                    g > 0 && u.gps.get(g).and_then(|g| g.sets.get(index)).is_some_and(|s| s.contains(&li32))
                });
                fallback.or(&given)
            }
            ir::LocationKind::Unmanaged { .. } => l.vars.mk_false(),
        }
    }

    fn user_set(&self, u: &Universe, l: &Layout, set: &ir::UserSet) -> Bdd {
        let mut out = l.vars.mk_false();
        if set.none {
            return out;
        }
        if set.all {
            return l.vars.mk_true();
        }
        let member = self.type_is.first().cloned().unwrap_or_else(|| l.vars.mk_false());
        if set.all_guests {
            out = out.or(&member.not());
        }
        if let Some(g) = &set.guests {
            let types = g.types.iter().fold(l.vars.mk_false(), |acc, t| {
                acc.or(self.type_is.get(*t as usize).unwrap_or(&l.vars.mk_false()))
            });
            match &g.tenants {
                None => out = out.or(&types),
                Some(list) => {
                    let listed = l.set(l.dim(DimId::Tenant), |t| {
                        t > 0
                            && u.tenants
                                .get(t - 1)
                                .is_some_and(|x| list.iter().any(|y| y.eq_ignore_ascii_case(x)))
                    });
                    // Internal guests belong to this tenant: a tenant list cannot restrict them.
                    let internal = if g.types.contains(&UserType::InternalGuest) {
                        self.type_is
                            .get(UserType::InternalGuest as usize)
                            .cloned()
                            .unwrap_or_else(|| l.vars.mk_false())
                    } else {
                        l.vars.mk_false()
                    };
                    out = out.or(&types.and(&listed)).or(&internal);
                }
            }
        }
        for r in &set.users {
            if let Some(i) = u.users.find_ref(r) {
                out = out.or(&l.eq(l.dim(DimId::Who), i + 1));
            }
        }
        for r in &set.groups {
            if let Some(b) = u.groups.find_ref(r).and_then(|i| self.in_group.get(i)) {
                out = out.or(b);
            }
        }
        for r in &set.roles {
            let found = r.id.as_deref().and_then(|id| u.roles.find(id)).or_else(|| u.roles.find(&r.name));
            if let Some(b) = found.and_then(|i| self.has_role.get(i)) {
                out = out.or(b);
            }
        }
        out
    }

    fn app_set(&self, u: &Universe, l: &Layout, set: &ir::AppSet) -> Bdd {
        if set.none {
            return l.vars.mk_false();
        }
        let keys: Vec<String> =
            set.apps.iter().map(|a| a.id.as_deref().unwrap_or(&a.name).to_ascii_lowercase()).collect();
        l.set(l.dim(DimId::Target), |t| {
            u.targets.get(t).is_some_and(|c| {
                c.kind == TargetKind::App
                    && (set.all
                        || (set.office365 && c.office365)
                        || (set.admin_portals && c.admin_portals)
                        || c.app_key.as_ref().is_some_and(|k| keys.contains(k)))
            })
        })
    }

    fn location_set(
        &self,
        l: &Layout,
        program: &ir::Program,
        set: &ir::LocationSet,
        empty_is_any: bool,
    ) -> Bdd {
        if set.any || (empty_is_any && !set.trusted && set.named.is_empty()) {
            return l.vars.mk_true();
        }
        let mut out = if set.trusted { self.trusted.clone() } else { l.vars.mk_false() };
        for n in &set.named {
            let found = program.locations.iter().position(|x| {
                x.name == n.name
                    || (n.id.is_some()
                        && x.id.as_deref().map(str::to_ascii_lowercase)
                            == n.id.as_deref().map(str::to_ascii_lowercase))
            });
            if let Some(b) = found.and_then(|i| self.locations.get(i)) {
                out = out.or(b);
            }
        }
        out
    }

    /// The sign-ins an enabled policy applies to; `None` when it can apply to no user sign-in
    /// (a workload identity policy, an invalid device filter).
    fn applies(&self, u: &Universe, l: &Layout, program: &ir::Program, p: &ir::Policy) -> Option<Bdd> {
        let targets_users =
            !p.users.include.is_empty() || p.users.include.none || p.service_principals.is_none();
        if !targets_users {
            return None;
        }
        let mut out = self.user_set(u, l, &p.users.include).and_not(&self.user_set(u, l, &p.users.exclude));
        let target = l.dim(DimId::Target);
        let t = match &p.target {
            ir::Target::Apps { include, exclude, .. } => {
                self.app_set(u, l, include).and_not(&self.app_set(u, l, exclude))
            }
            ir::Target::UserActions { actions } => {
                let mut t = l.vars.mk_false();
                for (ti, c) in u.targets.iter().enumerate() {
                    if let TargetKind::Action(a) = c.kind
                        && actions.contains(&a)
                    {
                        let mut one = l.eq(target, ti);
                        // Outside the combined registration preview, registration is the legacy
                        // experience, which no user-action policy governs.
                        if a == ir::UserAction::RegisterSecurityInfo {
                            one = one.and(&self.combined);
                        }
                        t = t.or(&one);
                    }
                }
                t
            }
            ir::Target::AuthContexts { contexts } => {
                let listed: Vec<usize> = contexts.iter().filter_map(|c| u.contexts.find_ref(c)).collect();
                l.set(target, |ti| {
                    u.targets.get(ti).and_then(|c| c.context).is_some_and(|c| listed.contains(&c))
                })
            }
        };
        out = out.and(&t);
        if let Some(pl) = &p.platforms {
            let include = pl.include.iter().fold(0u8, |m, x| m | platform_bit(*x));
            let include = if include == 0 { platform_bit(Platform::All) } else { include };
            let exclude = pl.exclude.iter().fold(0u8, |m, x| m | platform_bit(*x));
            let all = platform_bit(Platform::All);
            out = out.and(&l.set(l.dim(DimId::Platform), |v| {
                let b = PLATFORMS.get(v).copied().flatten().map_or(0, platform_bit);
                let included = include & all != 0 || include & b != 0;
                let excluded = exclude & all != 0 || exclude & b != 0;
                included && !excluded
            }));
        }
        if let Some(f) = &p.device_filter {
            let var = u.filters.index(&f.rule).and_then(|i| l.filters.get(i))?;
            out = out.and(&l.lit(*var, f.mode == ir::FilterMode::Include));
        }
        let clients = p.client_apps.iter().fold(0u8, |m, c| m | client_bit(*c));
        if clients != 0 && clients & client_bit(ClientApp::All) == 0 {
            out = out.and(&self.clients(l, clients));
        }
        if let Some(loc) = &p.locations {
            let inside = self.location_set(l, program, &loc.include, true);
            let outside = self.location_set(l, program, &loc.exclude, false);
            out = out.and(&inside.and_not(&outside));
        }
        let risk = |levels: &[ir::RiskLevel], id: DimId| {
            l.set(l.dim(id), |v| {
                let level = match RISKS.get(v) {
                    Some(Risk::None) => Some(ir::RiskLevel::None),
                    Some(Risk::Low) => Some(ir::RiskLevel::Low),
                    Some(Risk::Medium) => Some(ir::RiskLevel::Medium),
                    Some(Risk::High) => Some(ir::RiskLevel::High),
                    _ => None,
                };
                level.is_some_and(|x| levels.contains(&x))
            })
        };
        if !p.sign_in_risk.is_empty() {
            out = out.and(&risk(&p.sign_in_risk, DimId::SignInRisk));
        }
        if !p.user_risk.is_empty() {
            out = out.and(&risk(&p.user_risk, DimId::UserRisk));
        }
        if !p.insider_risk.is_empty() {
            out = out.and(&l.set(l.dim(DimId::Insider), |v| {
                INSIDER.get(v).copied().flatten().is_some_and(|x| p.insider_risk.contains(&x))
            }));
        }
        if !p.auth_flows.is_empty() {
            out = out.and(&l.set(l.dim(DimId::Flow), |v| {
                FLOWS.get(v).copied().flatten().is_some_and(|x| p.auth_flows.contains(&x))
            }));
        }
        Some(out)
    }

    /// The client app condition of a policy listing client types (`mask`), which for Exchange
    /// ActiveSync under `eas_supported` depends on the platform.
    fn clients(&self, l: &Layout, mask: u8) -> Bdd {
        use crate::eval::signin::Client as C;
        let has = |c: ClientApp| mask & client_bit(c) != 0;
        let client = l.dim(DimId::Client);
        let mut out = l.vars.mk_false();
        for (v, c) in CLIENTS.iter().enumerate() {
            let one = l.eq(client, v);
            let condition = match c {
                None => continue,
                Some(C::Browser) if has(ClientApp::Browser) => l.vars.mk_true(),
                Some(C::MobileDesktop) if has(ClientApp::MobileDesktop) => l.vars.mk_true(),
                Some(C::Other) if has(ClientApp::Other) => l.vars.mk_true(),
                Some(C::EasSupported)
                    if has(ClientApp::ExchangeActiveSync) || has(ClientApp::EasSupported) =>
                {
                    l.vars.mk_true()
                }
                Some(C::ExchangeActiveSync) if has(ClientApp::ExchangeActiveSync) => l.vars.mk_true(),
                // `easSupported` covers Exchange ActiveSync on the platforms Microsoft supports it on.
                Some(C::ExchangeActiveSync) if has(ClientApp::EasSupported) => {
                    l.set(l.dim(DimId::Platform), |p| {
                        matches!(
                            PLATFORMS.get(p),
                            Some(Some(Platform::Android | Platform::Ios | Platform::Windows))
                        )
                    })
                }
                Some(_) => continue,
            };
            out = out.or(&one.and(&condition));
        }
        out
    }
}
