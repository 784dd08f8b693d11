//! Regions in words: a region (a BDD) is covered by *cubes* — a set of allowed values per
//! dimension — grown greedily around example points, and each cube is read out as a phrase
//! ("guests not in break_glass on any app from outside trusted networks on ios").
//!
//! Every cube lies inside its region, so what is said of the region holds for every sign-in the
//! phrase describes; a cover stops after a limit and says how much is left.

use biodivine_lib_bdd::{Bdd, BddPartialValuation, BddVariable};
use serde_json::{Value, json};

use super::Analysis;
use super::model::{CLIENTS, DimId, FLOWS, INSIDER, PLATFORMS, Point, RISKS, USER_TYPES};
use super::space::TargetKind;

/// A product of value sets: the sign-ins whose every dimension takes an allowed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cube {
    /// Per categorical dimension, which values are allowed.
    pub dims: Vec<(DimId, Vec<bool>)>,
    /// Per universe group: `Some(member)` when fixed.
    pub groups: Vec<Option<bool>>,
    /// Per universe role: `Some(holds)` when fixed.
    pub roles: Vec<Option<bool>>,
    /// Per device filter rule: `Some(matches)` when fixed.
    pub filters: Vec<Option<bool>>,
}

/// Order in which dimensions are widened: those people care least about first, so they are the
/// ones left out of descriptions.
const WIDEN: [DimId; 13] = [
    DimId::SignInRisk,
    DimId::UserRisk,
    DimId::Insider,
    DimId::Flow,
    DimId::Tenant,
    DimId::Gps,
    DimId::Country,
    DimId::Who,
    DimId::UserType,
    DimId::Ip,
    DimId::Client,
    DimId::Platform,
    DimId::Target,
];

/// A region's cover: cubes with the point each was grown from, and whether sign-ins are left.
#[derive(Debug, Clone)]
pub struct Cover {
    /// Cubes, each with its seed point.
    pub cubes: Vec<(Cube, Point)>,
    /// True when the limit was reached before the region was covered.
    pub more: bool,
}

impl Cube {
    /// Whether a categorical dimension is unconstrained.
    fn free(&self, id: DimId) -> bool {
        self.dims.iter().find(|(d, _)| *d == id).is_none_or(|(_, v)| v.iter().all(|x| *x))
    }

    fn allowed(&self, id: DimId) -> Option<&Vec<bool>> {
        self.dims.iter().find(|(d, _)| *d == id).map(|(_, v)| v).filter(|v| !v.iter().all(|x| *x))
    }
}

fn join(items: &[String], last: &str) -> String {
    match items.split_last() {
        None => String::new(),
        Some((one, [])) => one.clone(),
        Some((tail, rest)) => format!("{} {last} {tail}", rest.join(", ")),
    }
}

impl Analysis {
    /// The cube holding just a point.
    pub fn point_cube(&self, p: &Point) -> Cube {
        let l = &self.layout;
        Cube {
            dims: l
                .dims
                .iter()
                .map(|(id, dim)| (*id, (0..dim.size).map(|v| v == p.get(*id)).collect()))
                .collect(),
            groups: p.groups.iter().map(|x| Some(*x)).collect(),
            roles: p.roles.iter().map(|x| Some(*x)).collect(),
            filters: p.filters.iter().map(|x| Some(*x)).collect(),
        }
    }

    /// The sign-ins of a cube. Single values and fixed booleans make one clause; only the
    /// dimensions with several (but not all) values need a conjunction each.
    pub fn cube_bdd(&self, c: &Cube) -> Bdd {
        let l = &self.layout;
        let mut clause = BddPartialValuation::empty();
        let mut sets = Vec::new();
        for (id, allowed) in &c.dims {
            let dim = l.dim(*id);
            let count = allowed.iter().filter(|x| **x).count();
            if count == allowed.len() {
                continue;
            }
            match allowed.iter().position(|x| *x) {
                Some(v) if count == 1 => {
                    let n = dim.vars.len();
                    for (i, var) in dim.vars.iter().enumerate() {
                        clause.set_value(*var, (v >> (n - 1 - i)) & 1 == 1);
                    }
                }
                _ => sets.push(l.set(dim, |v| allowed.get(v).copied().unwrap_or(false))),
            }
        }
        for (vars, fixed) in [(&l.groups, &c.groups), (&l.roles, &c.roles), (&l.filters, &c.filters)] {
            for (var, value) in vars.iter().zip(fixed) {
                if let Some(v) = value {
                    clause.set_value(*var, *v);
                }
            }
        }
        let mut out = l.vars.mk_conjunctive_clause(&clause).and(&l.valid);
        for s in &sets {
            out = out.and(s);
        }
        out
    }

    /// Grow the cube of `seed` (a point of `region`) dimension by dimension, as far as it stays
    /// inside the region.
    pub fn expand(&self, seed: &Point, region: &Bdd) -> Cube {
        let l = &self.layout;
        let outside = l.valid.and_not(region);
        let mut cube = self.point_cube(seed);
        let all_vars = l.vars.variables();
        let support = region.support_set();
        let widen_bool = |cube: &mut Cube,
                          pick: fn(&mut Cube) -> &mut Vec<Option<bool>>,
                          i: usize,
                          var: Option<&BddVariable>| {
            let saved = pick(cube).get(i).copied().flatten();
            if let Some(slot) = pick(cube).get_mut(i) {
                *slot = None;
            }
            // A variable the region does not depend on is free.
            if var.is_some_and(|v| support.contains(v))
                && !self.cube_bdd(cube).and(&outside).is_false()
                && let Some(slot) = pick(cube).get_mut(i)
            {
                *slot = saved;
            }
        };
        let widen_dim = |cube: &mut Cube, id: DimId| {
            let dim = l.dim(id);
            if dim.size <= 1 {
                return;
            }
            let Some(pos) = cube.dims.iter().position(|(d, _)| *d == id) else { return };
            let saved = cube.dims.get(pos).map(|(_, v)| v.clone()).unwrap_or_default();
            if let Some((_, v)) = cube.dims.get_mut(pos) {
                v.iter_mut().for_each(|x| *x = true);
            }
            let rest = self.cube_bdd(cube);
            let others: Vec<BddVariable> =
                all_vars.iter().copied().filter(|v| !dim.vars.contains(v)).collect();
            let bad =
                Bdd::binary_op_with_exists(&rest, &outside, biodivine_lib_bdd::op_function::and, &others);
            let allowed: Vec<bool> = (0..dim.size)
                .map(|v| saved.get(v).copied().unwrap_or(false) || bad.and(&l.eq(dim, v)).is_false())
                .collect();
            if let Some((_, v)) = cube.dims.get_mut(pos) {
                *v = allowed;
            }
        };
        for id in WIDEN.iter().take(4) {
            widen_dim(&mut cube, *id);
        }
        for i in 0..cube.filters.len() {
            widen_bool(&mut cube, |c| &mut c.filters, i, l.filters.get(i));
        }
        for id in WIDEN.iter().skip(4).take(4) {
            widen_dim(&mut cube, *id);
        }
        for i in 0..cube.roles.len() {
            widen_bool(&mut cube, |c| &mut c.roles, i, l.roles.get(i));
        }
        for i in 0..cube.groups.len() {
            widen_bool(&mut cube, |c| &mut c.groups, i, l.groups.get(i));
        }
        for id in WIDEN.iter().skip(8) {
            widen_dim(&mut cube, *id);
        }
        cube
    }

    /// Cover a region with at most `limit` cubes, seeded at natural points (`pick`).
    pub fn cover(&self, region: &Bdd, limit: usize) -> Cover {
        let region = region.and(&self.layout.valid);
        let mut remaining = region.clone();
        let mut cubes = Vec::new();
        while cubes.len() < limit {
            let Some(seed) = self.pick(&remaining) else { break };
            let cube = self.expand(&seed, &region);
            remaining = remaining.and_not(&self.cube_bdd(&cube));
            cubes.push((cube, seed));
        }
        Cover { cubes, more: !remaining.is_false() }
    }

    // --- words ---------------------------------------------------------------------------

    /// A cube in words, naming locations as program `program` does.
    pub fn words(&self, c: &Cube, program: usize) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.push(self.user_words(c));
        if let Some(t) = self.target_words(c) {
            parts.push(t);
        }
        if let Some(a) = c.allowed(DimId::Ip) {
            parts.push(self.ip_words(a, program));
        }
        if let Some(a) = c.allowed(DimId::Country) {
            parts.push(self.country_words(a, program));
        }
        if let Some(a) = c.allowed(DimId::Gps) {
            parts.push(self.gps_words(a, program));
        }
        if let Some(a) = c.allowed(DimId::Platform) {
            let names: Vec<String> = PLATFORMS
                .iter()
                .zip(a)
                .map(|(p, on)| (p.map_or("an unknown platform", super::platform_word).to_owned(), *on))
                .filter(|(_, on)| *on)
                .map(|(w, _)| w)
                .collect();
            parts.push(self.values_words(
                "on",
                "platform",
                &names,
                a,
                &PLATFORMS.map(|p| p.map_or("an unknown platform", super::platform_word)),
            ));
        }
        if let Some(a) = c.allowed(DimId::Client) {
            let all = CLIENTS.map(|c| c.map_or("an unknown client app", |c| c.word()));
            let names: Vec<String> =
                all.iter().zip(a).filter(|(_, on)| **on).map(|(w, _)| (*w).to_owned()).collect();
            parts.push(self.values_words("with", "client app", &names, a, &all));
        }
        for (id, what) in [(DimId::SignInRisk, "sign-in risk"), (DimId::UserRisk, "user risk")] {
            if let Some(a) = c.allowed(id) {
                let names: Vec<&str> =
                    RISKS.iter().zip(a).filter(|(_, on)| **on).map(|(r, _)| r.word()).collect();
                parts.push(format!("at {what} {}", names.join(", ")));
            }
        }
        if let Some(a) = c.allowed(DimId::Insider) {
            let names: Vec<&str> = INSIDER
                .iter()
                .zip(a)
                .filter(|(_, on)| **on)
                .map(|(r, _)| r.map_or("none", super::insider_word))
                .collect();
            parts.push(format!("at insider risk {}", names.join(", ")));
        }
        if let Some(a) = c.allowed(DimId::Flow) {
            let names: Vec<&str> = FLOWS
                .iter()
                .zip(a)
                .filter(|(_, on)| **on)
                .map(|(f, _)| f.map_or("none", super::flow_word))
                .collect();
            parts.push(format!("with authentication flow {}", names.join(", ")));
        }
        for (text, fixed) in self.universe.filters.texts.iter().zip(&c.filters) {
            match fixed {
                Some(true) => parts.push(format!("on a device matching `{text}`")),
                Some(false) => parts.push(format!("on a device not matching `{text}`")),
                None => {}
            }
        }
        parts.retain(|p| !p.is_empty());
        parts.join(" ")
    }

    fn values_words(
        &self,
        prep: &str,
        what: &str,
        names: &[String],
        allowed: &[bool],
        all: &[&str],
    ) -> String {
        let excluded: Vec<String> =
            all.iter().zip(allowed).filter(|(_, on)| !**on).map(|(w, _)| (*w).to_owned()).collect();
        if names.len() <= excluded.len() || excluded.is_empty() {
            format!("{prep} {}", join(names, "or"))
        } else {
            format!("{prep} any {what} but {}", join(&excluded, "or"))
        }
    }

    fn user_words(&self, c: &Cube) -> String {
        let u = &self.universe;
        let mut subject = "users".to_owned();
        if let Some(a) = c.allowed(DimId::UserType) {
            let types: Vec<String> =
                USER_TYPES.iter().zip(a).filter(|(_, on)| **on).map(|(t, _)| t.word().to_owned()).collect();
            let guests = a.iter().skip(1).all(|x| *x);
            subject = match (a.first().copied().unwrap_or(false), guests) {
                (true, false) if types.len() == 1 => "members".into(),
                (false, true) => "guests".into(),
                (false, false) => format!("guests of type {}", join(&types, "or")),
                _ => format!("users of type {}", join(&types, "or")),
            };
        }
        let mut extra: Vec<String> = Vec::new();
        if let Some(a) = c.allowed(DimId::Who) {
            let named: Vec<String> = (1..a.len())
                .filter(|i| a.get(*i).copied().unwrap_or(false))
                .map(|i| u.users.name(i - 1).to_owned())
                .collect();
            let others: Vec<String> = (1..a.len())
                .filter(|i| !a.get(*i).copied().unwrap_or(true))
                .map(|i| u.users.name(i - 1).to_owned())
                .collect();
            if a.first().copied().unwrap_or(false) {
                if !others.is_empty() {
                    extra.push(format!("other than {}", join(&others, "and")));
                }
            } else if named.len() == 1 {
                subject = format!("user {}", named.join(""));
            } else {
                subject = format!("users {}", join(&named, "or"));
            }
        }
        let fixed = |list: &[Option<bool>], value: bool, name: &dyn Fn(usize) -> String| -> Vec<String> {
            list.iter().enumerate().filter(|(_, f)| **f == Some(value)).map(|(i, _)| name(i)).collect()
        };
        let role = |i: usize| u.roles.name(i).to_owned();
        let group = |i: usize| u.groups.name(i).to_owned();
        let held = fixed(&c.roles, true, &role);
        let not_held = fixed(&c.roles, false, &role);
        let member = fixed(&c.groups, true, &group);
        let not_member = fixed(&c.groups, false, &group);
        match held.as_slice() {
            [] => {}
            [one] => extra.push(format!("holding role {one}")),
            many => extra.push(format!("holding roles {}", join(many, "and"))),
        }
        match not_held.as_slice() {
            [] => {}
            [one] => extra.push(format!("not holding role {one}")),
            many => extra.push(format!("holding none of the roles {}", join(many, "and"))),
        }
        match member.as_slice() {
            [] => {}
            [one] => extra.push(format!("in group {one}")),
            many => extra.push(format!("in groups {}", join(many, "and"))),
        }
        match not_member.as_slice() {
            [] => {}
            [one] => extra.push(format!("not in group {one}")),
            many => extra.push(format!("in none of the groups {}", join(many, "and"))),
        }
        if let Some(a) = c.allowed(DimId::Tenant) {
            let listed: Vec<String> = (1..a.len())
                .filter(|i| a.get(*i).copied().unwrap_or(false))
                .filter_map(|i| u.tenants.get(i - 1).cloned())
                .collect();
            if a.first().copied().unwrap_or(false) {
                let not: Vec<String> = (1..a.len())
                    .filter(|i| !a.get(*i).copied().unwrap_or(true))
                    .filter_map(|i| u.tenants.get(i - 1).cloned())
                    .collect();
                extra.push(format!("whose home tenant is not {}", join(&not, "or")));
            } else {
                extra.push(format!("from home tenant {}", join(&listed, "or")));
            }
        }
        if extra.is_empty() { subject } else { format!("{subject} {}", extra.join(", ")) }
    }

    fn target_words(&self, c: &Cube) -> Option<String> {
        let a = c.allowed(DimId::Target)?;
        let targets = &self.universe.targets;
        let is_app = |i: usize| targets.get(i).is_some_and(|t| t.kind == TargetKind::App);
        let apps_all = (0..targets.len()).filter(|i| is_app(*i)).all(|i| a.get(i).copied().unwrap_or(false));
        let only_apps = (0..targets.len()).filter(|i| a.get(*i).copied().unwrap_or(false)).all(is_app);
        let label = |i: usize| {
            targets.get(i).map_or_else(String::new, |t| match t.kind {
                TargetKind::Action(action) => format!("action {}", action.word()),
                _ => t.label.clone(),
            })
        };
        let chosen: Vec<String> =
            (0..targets.len()).filter(|i| a.get(*i).copied().unwrap_or(false)).map(label).collect();
        if only_apps && apps_all {
            return Some("on any app".into());
        }
        if only_apps {
            let missing: Vec<String> = (0..targets.len())
                .filter(|i| is_app(*i) && !a.get(*i).copied().unwrap_or(false))
                .map(label)
                .collect();
            if missing.len() < chosen.len() {
                return Some(format!("on any app but {}", join(&missing, "or")));
            }
        }
        Some(format!("on {}", join(&chosen, "or")))
    }

    /// Named sets of classes: `(words, members)`.
    fn describe_sets(
        &self,
        allowed: &[bool],
        named: &[(String, Vec<bool>)],
        prep_in: &str,
        prep_out: &str,
    ) -> Option<String> {
        let covered = |want: &[bool]| {
            let mut parts: Vec<&(String, Vec<bool>)> = named
                .iter()
                .filter(|(_, set)| set.iter().any(|x| *x) && set.iter().zip(want).all(|(s, w)| !*s || *w))
                .collect();
            parts.sort_by_key(|(_, set)| std::cmp::Reverse(set.iter().filter(|x| **x).count()));
            let mut union = vec![false; want.len()];
            let mut names = Vec::new();
            for (name, set) in parts {
                if set.iter().zip(&union).any(|(s, u)| *s && !*u) {
                    for (u, s) in union.iter_mut().zip(set) {
                        *u |= *s;
                    }
                    names.push(name.clone());
                }
            }
            (union == want).then_some(names)
        };
        if let Some(names) = covered(allowed) {
            return Some(format!("{prep_in} {}", join(&names, "or")));
        }
        let complement: Vec<bool> = allowed.iter().map(|x| !x).collect();
        covered(&complement).map(|names| format!("{prep_out} {}", join(&names, "and")))
    }

    fn ip_words(&self, allowed: &[bool], program: usize) -> String {
        let u = &self.universe;
        let Some(p) = self.programs.get(program) else { return String::new() };
        let mut named: Vec<(String, Vec<bool>)> = Vec::new();
        for (li, loc) in p.locations.iter().enumerate() {
            if !u.relevant_locations.get(program).and_then(|r| r.get(li)).copied().unwrap_or(false) {
                continue;
            }
            if let crate::ir::LocationKind::Ip { .. } = loc.kind {
                let set: Vec<bool> =
                    u.ip.iter()
                        .map(|c| c.sets.get(program).is_some_and(|s| s.contains(&(li as u32))))
                        .collect();
                named.push((loc.name.clone(), set));
            }
        }
        // Named locations first: of two sets with the same addresses, the first is said.
        let trusted: Vec<bool> =
            u.ip.iter().map(|c| c.trusted.get(program).copied().unwrap_or(false)).collect();
        named.push(("trusted networks".into(), trusted));
        let outside: Vec<bool> = u.ip.iter().map(|c| c.is_outside()).collect();
        let mut with_outside = named.clone();
        with_outside.push(("no named location (or with no IP)".into(), outside));
        if let Some(text) = self.describe_sets(allowed, &with_outside, "from", "from outside") {
            return text;
        }
        if let Some(text) = self.describe_sets(allowed, &named, "from", "from outside") {
            return text;
        }
        // No union of locations says it: list the address classes, the smaller side first.
        let class_words = |i: usize| {
            let names: Vec<String> = u
                .ip
                .get(i)
                .and_then(|c| c.sets.get(program))
                .map(|set| {
                    set.iter().filter_map(|l| p.locations.get(*l as usize)).map(|l| l.name.clone()).collect()
                })
                .unwrap_or_default();
            if names.is_empty() { "no named location".to_owned() } else { join(&names, "and") }
        };
        let inside: Vec<usize> =
            (0..allowed.len()).filter(|i| allowed.get(*i).copied().unwrap_or(false)).collect();
        let outside_list: Vec<usize> =
            (0..allowed.len()).filter(|i| !allowed.get(*i).copied().unwrap_or(true)).collect();
        let (prep, list) = if inside.len() <= outside_list.len() {
            ("from an address in", inside)
        } else {
            ("from any address but those in", outside_list)
        };
        const SHOWN: usize = 6;
        let mut items: Vec<String> = list.iter().take(SHOWN).map(|i| class_words(*i)).collect();
        if list.len() > SHOWN {
            items.push(format!("{} more address classes (listed in the JSON output)", list.len() - SHOWN));
        }
        format!("{prep} {}", items.join("; "))
    }

    fn country_words(&self, allowed: &[bool], program: usize) -> String {
        let u = &self.universe;
        let Some(p) = self.programs.get(program) else { return String::new() };
        let mut named: Vec<(String, Vec<bool>)> = Vec::new();
        for (li, loc) in p.locations.iter().enumerate() {
            if let crate::ir::LocationKind::Country { lookup: crate::ir::CountryLookup::ClientIp, .. } =
                loc.kind
            {
                let set: Vec<bool> = u
                    .countries
                    .iter()
                    .map(|c| c.ip_sets.get(program).is_some_and(|s| s.contains(&(li as u32))))
                    .collect();
                named.push((format!("a country of {}", loc.name), set));
            }
        }
        for (i, c) in u.countries.iter().enumerate() {
            let one: Vec<bool> = (0..u.countries.len()).map(|j| j == i).collect();
            match (&c.code, c.pinned) {
                (Some(code), true) => named.push((format!("country {code}"), one)),
                (None, _) => named.push(("an unknown country".into(), one)),
                _ => {}
            }
        }
        if let Some(text) = self.describe_sets(allowed, &named, "in", "not in") {
            return text;
        }
        let codes: Vec<String> = u
            .countries
            .iter()
            .zip(allowed)
            .filter(|(_, on)| **on)
            .map(|(c, _)| match &c.code {
                Some(code) if c.size > 1 => format!("{code} (and {} other countries like it)", c.size - 1),
                Some(code) => code.clone(),
                None => "an unknown country".into(),
            })
            .collect();
        format!("in {}", join(&codes, "or"))
    }

    fn gps_words(&self, allowed: &[bool], _program: usize) -> String {
        let codes: Vec<String> = self
            .universe
            .gps
            .iter()
            .zip(allowed)
            .filter(|(_, on)| **on)
            .map(|(g, _)| g.code.clone().unwrap_or_else(|| "not given".into()))
            .collect();
        format!("with GPS country {}", join(&codes, "or"))
    }

    /// A cube as JSON: only the constrained dimensions, by capol words.
    pub fn cube_json(&self, c: &Cube) -> Value {
        let u = &self.universe;
        let mut map = serde_json::Map::new();
        let pick = |a: &[bool], words: &dyn Fn(usize) -> String| -> Value {
            json!(a.iter().enumerate().filter(|(_, on)| **on).map(|(i, _)| words(i)).collect::<Vec<_>>())
        };
        for (id, a) in &c.dims {
            if a.iter().all(|x| *x) {
                continue;
            }
            let (key, value) = match id {
                DimId::Who => {
                    ("user", pick(a, &|i| if i == 0 { "*".into() } else { u.users.name(i - 1).to_owned() }))
                }
                DimId::UserType => {
                    ("user_type", pick(a, &|i| USER_TYPES.get(i).map_or("?", |t| t.word()).to_owned()))
                }
                DimId::Tenant => (
                    "external_tenant",
                    pick(a, &|i| {
                        if i == 0 { "*".into() } else { u.tenants.get(i - 1).cloned().unwrap_or_default() }
                    }),
                ),
                DimId::Target => {
                    ("target", pick(a, &|i| u.targets.get(i).map(|t| t.label.clone()).unwrap_or_default()))
                }
                DimId::Ip => (
                    "ip",
                    pick(a, &|i| {
                        u.ip.get(i).and_then(|c| c.example).map_or_else(|| "none".into(), |ip| ip.to_string())
                    }),
                ),
                DimId::Country => (
                    "country",
                    pick(a, &|i| {
                        u.countries.get(i).and_then(|c| c.code.clone()).unwrap_or_else(|| "unknown".into())
                    }),
                ),
                DimId::Gps => (
                    "gps_country",
                    pick(a, &|i| u.gps.get(i).and_then(|c| c.code.clone()).unwrap_or_else(|| "none".into())),
                ),
                DimId::Platform => (
                    "platform",
                    pick(a, &|i| {
                        PLATFORMS.get(i).copied().flatten().map_or("unknown", super::platform_word).to_owned()
                    }),
                ),
                DimId::Client => (
                    "client_app",
                    pick(a, &|i| {
                        CLIENTS.get(i).copied().flatten().map_or("unknown", |c| c.word()).to_owned()
                    }),
                ),
                DimId::SignInRisk => {
                    ("sign_in_risk", pick(a, &|i| RISKS.get(i).map_or("?", |r| r.word()).to_owned()))
                }
                DimId::UserRisk => {
                    ("user_risk", pick(a, &|i| RISKS.get(i).map_or("?", |r| r.word()).to_owned()))
                }
                DimId::Insider => (
                    "insider_risk",
                    pick(a, &|i| {
                        INSIDER.get(i).copied().flatten().map_or("none", super::insider_word).to_owned()
                    }),
                ),
                DimId::Flow => (
                    "auth_flow",
                    pick(a, &|i| FLOWS.get(i).copied().flatten().map_or("none", super::flow_word).to_owned()),
                ),
            };
            map.insert(key.into(), value);
        }
        let fixed = |names: &dyn Fn(usize) -> String, list: &[Option<bool>]| -> Value {
            let mut m = serde_json::Map::new();
            for (i, v) in list.iter().enumerate() {
                if let Some(v) = v {
                    m.insert(names(i), json!(v));
                }
            }
            Value::Object(m)
        };
        if c.groups.iter().any(Option::is_some) {
            map.insert("groups".into(), fixed(&|i| u.groups.name(i).to_owned(), &c.groups));
        }
        if c.roles.iter().any(Option::is_some) {
            map.insert("roles".into(), fixed(&|i| u.roles.name(i).to_owned(), &c.roles));
        }
        if c.filters.iter().any(Option::is_some) {
            map.insert(
                "device_filters".into(),
                fixed(&|i| u.filters.texts.get(i).cloned().unwrap_or_default(), &c.filters),
            );
        }
        Value::Object(map)
    }

    /// Whether a cube says nothing: every sign-in.
    pub fn is_everything(&self, c: &Cube) -> bool {
        c.dims.iter().all(|(id, _)| c.free(*id))
            && c.groups.iter().chain(&c.roles).chain(&c.filters).all(Option::is_none)
    }
}
