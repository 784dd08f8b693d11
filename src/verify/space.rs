//! The sign-in space of one or more programs, cut into classes per dimension: the groups, roles
//! and users the policies (or assertions) name; user types; the guests' home tenants policies
//! list; targets; IP classes; countries; GPS countries; platforms; client apps; risks; flows;
//! device filter rules.
//!
//! Every class is chosen so that two sign-ins differing only inside one class get the same
//! result from every policy of every program: the classes are the coarsest partition the
//! policies can tell apart, refined by what assertions mention.

use std::collections::HashMap;

use super::device::Filters;
use super::ip::{self, IpClass};
use crate::catalog;
use crate::ir::{self, UserAction};

/// Names interned like the engine does: by name, and by id compared case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// The names and ids, in first-seen order.
    pub items: Vec<ir::Ref>,
    by_key: HashMap<String, usize>,
}

impl Names {
    /// Intern a name with its id; a known name or id gives its existing index.
    pub fn intern(&mut self, name: &str, id: Option<&str>) -> usize {
        if let Some(&i) = self.by_key.get(name) {
            if let Some(id) = id {
                self.by_key.entry(id.to_ascii_lowercase()).or_insert(i);
                if let Some(item) = self.items.get_mut(i)
                    && item.id.is_none()
                {
                    item.id = Some(id.to_owned());
                }
            }
            return i;
        }
        if let Some(&i) = id.and_then(|id| self.by_key.get(&id.to_ascii_lowercase())) {
            self.by_key.entry(name.to_owned()).or_insert(i);
            return i;
        }
        let i = self.items.len();
        self.items.push(ir::Ref { name: name.to_owned(), id: id.map(str::to_owned) });
        self.by_key.insert(name.to_owned(), i);
        if let Some(id) = id {
            self.by_key.entry(id.to_ascii_lowercase()).or_insert(i);
        }
        i
    }

    /// The index of a name or id.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).or_else(|| self.by_key.get(&key.to_ascii_lowercase())).copied()
    }

    /// The index of a reference: by name, else by id.
    pub fn find_ref(&self, r: &ir::Ref) -> Option<usize> {
        self.find(&r.name).or_else(|| r.id.as_deref().and_then(|id| self.find(id)))
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The name at an index.
    pub fn name(&self, i: usize) -> &str {
        self.items.get(i).map_or("?", |r| r.name.as_str())
    }
}

/// Things assertions mention, which must be classes of their own.
#[derive(Debug, Clone, Default)]
pub struct Atoms {
    /// Groups.
    pub groups: Vec<ir::Ref>,
    /// Roles (id = template id).
    pub roles: Vec<ir::Ref>,
    /// Users.
    pub users: Vec<ir::Ref>,
    /// Apps (id = app id).
    pub apps: Vec<ir::Ref>,
    /// Authentication contexts.
    pub contexts: Vec<ir::Ref>,
    /// Locations of the first program, by name.
    pub locations: Vec<String>,
    /// Country codes, upper case.
    pub countries: Vec<String>,
    /// Whether `trusted` is mentioned.
    pub trusted: bool,
}

/// What a target class is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A sign-in to a resource.
    App,
    /// A user action.
    Action(UserAction),
    /// An authentication context.
    Context,
}

/// Sign-in targets that every policy treats alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetClass {
    /// App, action or context.
    pub kind: TargetKind,
    /// Words for people: `exchange_online`, `another Office 365 app`, ...
    pub label: String,
    /// The engine key of the app (its id, lowercase, else its name), for a named app.
    pub app_key: Option<String>,
    /// The index among `Universe::contexts`, for a named context.
    pub context: Option<usize>,
    /// A member of the Office 365 app group.
    pub office365: bool,
    /// A member of the Microsoft Admin Portals app group.
    pub admin_portals: bool,
    /// The scenario field (`app`, `action`, `auth_context`) and value that realise the class.
    pub scenario: (&'static str, String),
}

/// Countries no location tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryClass {
    /// A country of the class; `None` for the unknown country.
    pub code: Option<String>,
    /// Number of countries in the class.
    pub size: usize,
    /// Per program: the IP-lookup country locations holding the class.
    pub ip_sets: Vec<Vec<u32>>,
    /// Per program: the GPS-lookup country locations holding the class (used when the sign-in
    /// gives no GPS country).
    pub gps_sets: Vec<Vec<u32>>,
    /// A country an assertion names, alone in its class.
    pub pinned: bool,
}

/// GPS countries no location tells apart; the first class is "no GPS country given".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpsClass {
    /// A country of the class; `None` for "not given" (the IP country is used).
    pub code: Option<String>,
    /// Per program: the GPS-lookup country locations holding the class.
    pub sets: Vec<Vec<u32>>,
}

/// A distinct requirement group: one policy's controls under its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// `and` or `or` (`and` for one control).
    pub operator: ir::Operator,
    /// The controls, in the first policy's prompt order.
    pub controls: Vec<ir::Control>,
    /// `mfa`, `any(compliant_device, domain_joined_device)`.
    pub text: String,
    key: (ir::Operator, Vec<String>),
}

/// A comparable key for a control: the word, with the id (else the name) of a referenced
/// object, so a renamed object with the same id is the same control.
pub fn control_key(c: &ir::Control) -> String {
    let object = |kind: &str, r: &ir::Ref| {
        format!("{kind}:{}", r.id.as_deref().unwrap_or(&r.name).to_ascii_lowercase())
    };
    match c {
        ir::Control::AuthStrength(r) => object("auth_strength", r),
        ir::Control::TermsOfUse(r) => object("terms_of_use", r),
        ir::Control::CustomControl(r) => object("custom_control", r),
        other => other.word(),
    }
}

impl Requirement {
    /// The requirement of a policy's grant, `None` for block, session-only and empty grants.
    pub fn of(grant: Option<&ir::Grant>) -> Option<Requirement> {
        let Some(ir::Grant::Require { operator, controls }) = grant else { return None };
        if controls.is_empty() {
            return None;
        }
        let operator = if controls.len() == 1 { ir::Operator::And } else { *operator };
        let mut keys: Vec<String> = controls.iter().map(control_key).collect();
        keys.sort();
        keys.dedup();
        let words: Vec<String> = controls.iter().map(ir::Control::word).collect();
        let text = match (words.as_slice(), operator) {
            ([one], _) => one.clone(),
            (_, ir::Operator::And) => format!("all({})", words.join(", ")),
            (_, ir::Operator::Or) => format!("any({})", words.join(", ")),
        };
        Some(Requirement { operator, controls: controls.clone(), text, key: (operator, keys) })
    }

    /// Whether two requirements are the same group (same operator and controls, in any order).
    pub fn same(&self, other: &Requirement) -> bool {
        self.key == other.key
    }
}

/// The classes of every dimension.
#[derive(Debug, Clone)]
pub struct Universe {
    /// Groups named by policies, registration previews or assertions.
    pub groups: Names,
    /// Roles (by template id): those policies and assertions name, and every declared role.
    pub roles: Names,
    /// Users named by policies or assertions; the sign-in's user is one of them or anybody else.
    pub users: Names,
    /// External tenant ids policies list (lowercase); the sign-in's home tenant is one of them
    /// or another.
    pub tenants: Vec<String>,
    /// Authentication contexts named by policies or assertions.
    pub contexts: Names,
    /// Target classes.
    pub targets: Vec<TargetClass>,
    /// IP classes; the first is "in no named location".
    pub ip: Vec<IpClass>,
    /// Elementary IP intervals cut at every CIDR boundary.
    pub ip_intervals: usize,
    /// Per program and location: whether the location is part of the model.
    pub relevant_locations: Vec<Vec<bool>>,
    /// Country classes; the last is the unknown country.
    pub countries: Vec<CountryClass>,
    /// GPS country classes; the first is "not given".
    pub gps: Vec<GpsClass>,
    /// Device filter rules.
    pub filters: Filters,
    /// Requirement groups of every enabled policy.
    pub requirements: Vec<Requirement>,
}

/// Countries tried first as examples, so examples read naturally.
const PREFERRED_COUNTRIES: &[&str] = &["FR", "US", "DE", "GB", "CA", "NL", "JP", "BR", "AU", "IN"];

fn user_sets(p: &ir::Policy) -> [&ir::UserSet; 2] {
    [&p.users.include, &p.users.exclude]
}

fn app_key(r: &ir::Ref) -> String {
    r.id.as_deref().unwrap_or(&r.name).to_ascii_lowercase()
}

impl Universe {
    /// The universe of these programs, refined by what assertions mention.
    pub fn new(programs: &[&ir::Program], atoms: &Atoms) -> Universe {
        let mut groups = Names::default();
        let mut roles = Names::default();
        let mut users = Names::default();
        let mut contexts = Names::default();
        let mut tenants: Vec<String> = Vec::new();
        let mut apps: Vec<(String, ir::Ref)> = Vec::new();
        let mut filters: Vec<String> = Vec::new();
        let mut requirements: Vec<Requirement> = Vec::new();
        let add_app = |r: &ir::Ref, apps: &mut Vec<(String, ir::Ref)>| {
            let key = app_key(r);
            if !apps.iter().any(|(k, _)| *k == key) {
                apps.push((key, r.clone()));
            }
        };
        for program in programs {
            if let Some(ir::CombinedRegistration { enabled_for: ir::RegistrationScope::Group(g) }) =
                &program.combined_registration
            {
                groups.intern(&g.name, g.id.as_deref());
            }
            for p in &program.policies {
                for set in user_sets(p) {
                    for g in &set.groups {
                        groups.intern(&g.name, g.id.as_deref());
                    }
                    for r in &set.roles {
                        roles.intern(&role_name(program, r), r.id.as_deref().or(Some(&r.name)));
                    }
                    for u in &set.users {
                        users.intern(&u.name, u.id.as_deref());
                    }
                    for t in set.guests.iter().filter_map(|g| g.tenants.as_ref()).flatten() {
                        let t = t.to_ascii_lowercase();
                        if !tenants.contains(&t) {
                            tenants.push(t);
                        }
                    }
                }
                match &p.target {
                    ir::Target::Apps { include, exclude, .. } => {
                        for a in include.apps.iter().chain(&exclude.apps) {
                            add_app(a, &mut apps);
                        }
                    }
                    ir::Target::AuthContexts { contexts: list } => {
                        for c in list {
                            contexts.intern(&c.name, c.id.as_deref());
                        }
                    }
                    ir::Target::UserActions { .. } => {}
                }
                if p.state == ir::PolicyState::Enabled {
                    if let Some(f) = &p.device_filter {
                        filters.push(f.rule.clone());
                    }
                    if let Some(r) = Requirement::of(p.grant.as_ref())
                        && !requirements.iter().any(|x| x.same(&r))
                    {
                        requirements.push(r);
                    }
                }
            }
            // Every declared role, so questions about "users holding a role" have a variable.
            for r in &program.roles {
                roles.intern(&r.name, Some(&r.template_id));
            }
        }
        for g in &atoms.groups {
            groups.intern(&g.name, g.id.as_deref());
        }
        for r in &atoms.roles {
            roles.intern(&r.name, r.id.as_deref());
        }
        for u in &atoms.users {
            users.intern(&u.name, u.id.as_deref());
        }
        for a in &atoms.apps {
            add_app(a, &mut apps);
        }
        for c in &atoms.contexts {
            contexts.intern(&c.name, c.id.as_deref());
        }
        let targets = targets(programs, &apps, &contexts);
        let relevant_locations = relevant_locations(programs, atoms);
        let (ip, ip_intervals) = ip::classes(programs, &relevant_locations);
        let (countries, gps) = countries(programs, &relevant_locations, atoms);
        Universe {
            groups,
            roles,
            users,
            tenants,
            contexts,
            targets,
            ip,
            ip_intervals,
            relevant_locations,
            countries,
            gps,
            filters: Filters::new(filters),
            requirements,
        }
    }

    /// The index of a requirement group.
    pub fn requirement(&self, r: &Requirement) -> Option<usize> {
        self.requirements.iter().position(|x| x.same(r))
    }

    /// The index of the unknown-country class.
    pub fn unknown_country(&self) -> usize {
        self.countries.len().saturating_sub(1)
    }

    /// The class of a country code (upper case); the unknown class for `None`.
    pub fn country_class(&self, programs: &[&ir::Program], code: Option<&str>) -> usize {
        let Some(code) = code else { return self.unknown_country() };
        if let Some(i) = self.countries.iter().position(|c| c.pinned && c.code.as_deref() == Some(code)) {
            return i;
        }
        let (ip_sets, gps_sets) = country_sets(programs, &self.relevant_locations, code);
        self.countries
            .iter()
            .position(|c| !c.pinned && c.code.is_some() && c.ip_sets == ip_sets && c.gps_sets == gps_sets)
            .unwrap_or(0)
    }
}

/// The workspace name of a role reference (policies refer to roles by template id).
fn role_name(program: &ir::Program, r: &ir::Ref) -> String {
    let id = r.id.as_deref().unwrap_or(&r.name);
    program
        .roles
        .iter()
        .find(|x| x.template_id.eq_ignore_ascii_case(id) || x.name == r.name)
        .map_or_else(|| r.name.clone(), |x| x.name.clone())
}

fn targets(programs: &[&ir::Program], apps: &[(String, ir::Ref)], contexts: &Names) -> Vec<TargetClass> {
    let mut out = Vec::new();
    for (key, r) in apps {
        let id = r.id.as_deref().unwrap_or(&r.name);
        // The name every program knows the app by, else its id.
        let named_everywhere = programs.iter().all(|p| {
            p.apps.iter().any(|a| {
                a.name == r.name
                    && a.id.as_deref().map(str::to_ascii_lowercase)
                        == r.id.as_deref().map(str::to_ascii_lowercase)
            })
        });
        let value = if named_everywhere || r.id.is_none() { r.name.clone() } else { id.to_owned() };
        out.push(TargetClass {
            kind: TargetKind::App,
            label: r.name.clone(),
            app_key: Some(key.clone()),
            context: None,
            office365: crate::eval::apps::is_office365(id),
            admin_portals: crate::eval::apps::is_admin_portal(id),
            scenario: ("app", value),
        });
    }
    let taken = |app_id: &str| apps.iter().any(|(k, _)| k.eq_ignore_ascii_case(app_id));
    let unnamed = |office365: bool, admin: bool| {
        catalog::APPS
            .iter()
            .find(|a| {
                crate::eval::apps::is_office365(a.app_id) == office365
                    && crate::eval::apps::is_admin_portal(a.app_id) == admin
                    && !taken(a.app_id)
            })
            .map(|a| a.name.to_owned())
    };
    out.push(TargetClass {
        kind: TargetKind::App,
        label: "another Office 365 app".into(),
        app_key: None,
        context: None,
        office365: true,
        admin_portals: false,
        scenario: ("app", unnamed(true, false).unwrap_or_else(|| "office365".into())),
    });
    out.push(TargetClass {
        kind: TargetKind::App,
        label: "another admin portal".into(),
        app_key: None,
        context: None,
        office365: false,
        admin_portals: true,
        scenario: ("app", unnamed(false, true).unwrap_or_else(|| "admin_portals".into())),
    });
    out.push(TargetClass {
        kind: TargetKind::App,
        label: "any other app".into(),
        app_key: None,
        context: None,
        office365: false,
        admin_portals: false,
        scenario: (
            "app",
            unnamed(false, false).unwrap_or_else(|| "7a1f3a6e-0c55-4c5e-9b2d-3f0a5c6e7d81".into()),
        ),
    });
    for action in [UserAction::RegisterSecurityInfo, UserAction::RegisterDevice] {
        out.push(TargetClass {
            kind: TargetKind::Action(action),
            label: action.word().to_owned(),
            app_key: None,
            context: None,
            office365: false,
            admin_portals: false,
            scenario: ("action", action.word().to_owned()),
        });
    }
    for (i, c) in contexts.items.iter().enumerate() {
        let named_everywhere =
            programs.iter().all(|p| p.auth_contexts.iter().any(|a| a.name == c.name && a.id == c.id));
        let value = if named_everywhere || c.id.is_none() {
            c.name.clone()
        } else {
            c.id.clone().unwrap_or_default()
        };
        out.push(TargetClass {
            kind: TargetKind::Context,
            label: format!("auth context {}", c.name),
            app_key: None,
            context: Some(i),
            office365: false,
            admin_portals: false,
            scenario: ("auth_context", value),
        });
    }
    let used = |id: &str| {
        contexts.find(id).is_some()
            || programs.iter().any(|p| {
                p.auth_contexts
                    .iter()
                    .any(|a| a.name == id || a.id.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(id)))
            })
    };
    if let Some(free) = (1..=99).map(|n| format!("c{n}")).find(|id| !used(id)) {
        out.push(TargetClass {
            kind: TargetKind::Context,
            label: "another auth context".into(),
            app_key: None,
            context: None,
            office365: false,
            admin_portals: false,
            scenario: ("auth_context", free),
        });
    }
    out
}

fn location_sets(p: &ir::Policy) -> Vec<&ir::LocationSet> {
    p.locations.iter().flat_map(|l| [&l.include, &l.exclude]).collect()
}

fn relevant_locations(programs: &[&ir::Program], atoms: &Atoms) -> Vec<Vec<bool>> {
    programs
        .iter()
        .enumerate()
        .map(|(pi, program)| {
            let mut relevant = vec![false; program.locations.len()];
            let mut trusted = pi == 0 && atoms.trusted;
            let mark = |name: &str, id: Option<&str>, relevant: &mut Vec<bool>| {
                let found = program.locations.iter().position(|l| {
                    l.name == name
                        || (id.is_some()
                            && l.id.as_deref().map(str::to_ascii_lowercase)
                                == id.map(str::to_ascii_lowercase))
                });
                if let Some(slot) = found.and_then(|i| relevant.get_mut(i)) {
                    *slot = true;
                }
            };
            for p in &program.policies {
                for set in location_sets(p) {
                    trusted |= set.trusted;
                    for n in &set.named {
                        mark(&n.name, n.id.as_deref(), &mut relevant);
                    }
                }
            }
            if pi == 0 {
                for name in &atoms.locations {
                    mark(name, None, &mut relevant);
                }
            }
            if trusted {
                for (l, loc) in program.locations.iter().enumerate() {
                    if let ir::LocationKind::Ip { trusted: true, .. } = loc.kind
                        && let Some(slot) = relevant.get_mut(l)
                    {
                        *slot = true;
                    }
                }
            }
            relevant
        })
        .collect()
}

/// Per program, the relevant IP-lookup and GPS-lookup country locations holding a code.
fn country_sets(
    programs: &[&ir::Program],
    relevant: &[Vec<bool>],
    code: &str,
) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let mut ip_sets = Vec::new();
    let mut gps_sets = Vec::new();
    for (pi, program) in programs.iter().enumerate() {
        let mut by_ip = Vec::new();
        let mut by_gps = Vec::new();
        for (l, loc) in program.locations.iter().enumerate() {
            if !relevant.get(pi).and_then(|r| r.get(l)).copied().unwrap_or(false) {
                continue;
            }
            if let ir::LocationKind::Country { countries, lookup, .. } = &loc.kind
                && countries.iter().any(|c| c.eq_ignore_ascii_case(code))
            {
                match lookup {
                    ir::CountryLookup::ClientIp => by_ip.push(l as u32),
                    ir::CountryLookup::AuthenticatorGps => by_gps.push(l as u32),
                }
            }
        }
        ip_sets.push(by_ip);
        gps_sets.push(by_gps);
    }
    (ip_sets, gps_sets)
}

fn countries(
    programs: &[&ir::Program],
    relevant: &[Vec<bool>],
    atoms: &Atoms,
) -> (Vec<CountryClass>, Vec<GpsClass>) {
    let mut codes: Vec<String> = PREFERRED_COUNTRIES.iter().map(|c| (*c).to_owned()).collect();
    codes.extend(catalog::COUNTRIES.iter().map(|(c, _)| (*c).to_owned()));
    for program in programs {
        for loc in &program.locations {
            if let ir::LocationKind::Country { countries, .. } = &loc.kind {
                codes.extend(countries.iter().map(|c| c.to_ascii_uppercase()));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    codes.retain(|c| seen.insert(c.clone()));
    let mut classes: Vec<CountryClass> = Vec::new();
    for code in &atoms.countries {
        let (ip_sets, gps_sets) = country_sets(programs, relevant, code);
        if !classes.iter().any(|c| c.code.as_deref() == Some(code)) {
            classes.push(CountryClass { code: Some(code.clone()), size: 1, ip_sets, gps_sets, pinned: true });
        }
    }
    let mut gps: Vec<GpsClass> = vec![GpsClass { code: None, sets: vec![Vec::new(); programs.len()] }];
    let any_gps = programs.iter().enumerate().any(|(pi, p)| {
        p.locations.iter().enumerate().any(|(l, loc)| {
            relevant.get(pi).and_then(|r| r.get(l)).copied().unwrap_or(false)
                && matches!(
                    loc.kind,
                    ir::LocationKind::Country { lookup: ir::CountryLookup::AuthenticatorGps, .. }
                )
        })
    });
    for code in &codes {
        let (ip_sets, gps_sets) = country_sets(programs, relevant, code);
        if any_gps {
            match gps.iter_mut().skip(1).find(|g| g.sets == gps_sets) {
                Some(_) => {}
                None => gps.push(GpsClass { code: Some(code.clone()), sets: gps_sets.clone() }),
            }
        }
        if atoms.countries.contains(code) {
            continue;
        }
        match classes.iter_mut().find(|c| !c.pinned && c.ip_sets == ip_sets && c.gps_sets == gps_sets) {
            Some(c) => c.size += 1,
            None => classes.push(CountryClass {
                code: Some(code.clone()),
                size: 1,
                ip_sets,
                gps_sets,
                pinned: false,
            }),
        }
    }
    let mut unknown_ip = Vec::new();
    let mut unknown_gps = Vec::new();
    for (pi, program) in programs.iter().enumerate() {
        let mut by_ip = Vec::new();
        let mut by_gps = Vec::new();
        for (l, loc) in program.locations.iter().enumerate() {
            if !relevant.get(pi).and_then(|r| r.get(l)).copied().unwrap_or(false) {
                continue;
            }
            if let ir::LocationKind::Country { include_unknown: true, lookup, .. } = &loc.kind {
                match lookup {
                    ir::CountryLookup::ClientIp => by_ip.push(l as u32),
                    ir::CountryLookup::AuthenticatorGps => by_gps.push(l as u32),
                }
            }
        }
        unknown_ip.push(by_ip);
        unknown_gps.push(by_gps);
    }
    classes.push(CountryClass {
        code: None,
        size: 1,
        ip_sets: unknown_ip,
        gps_sets: unknown_gps,
        pinned: false,
    });
    (classes, gps)
}
