//! Symbolic verification: answers about *every* sign-in of a workspace at once, exactly.
//!
//! The sign-in space is cut into classes per dimension (`space`): users by their memberships of
//! the groups and roles policies name, the users policies name, user types and home tenants;
//! targets; IP addresses by the named locations holding them (`ip`); countries; platforms;
//! client apps; risks; flows; device filter rules as free conditions (`device`). The classes are
//! encoded in BDD variables (`model`, with `biodivine-lib-bdd`) and each program's policies and
//! outcomes become BDDs, so "is there a sign-in where ..." is a BDD operation.
//!
//! On top: `assertion` runs `assert` blocks, `gaps` finds sign-ins nothing protects, `diff`
//! compares two programs, `describe` turns regions into words. Every example a report shows is
//! a concrete scenario, replayed through the evaluation engine before it is shown
//! (`Analysis::replay`). `docs/verify.md` documents the semantics.

pub mod assertion;
pub mod describe;
pub mod device;
pub mod diff;
pub mod gaps;
pub mod ip;
pub mod model;
pub mod order;
pub mod space;

use biodivine_lib_bdd::Bdd;
use serde_json::{Map, Value, json};

use crate::check::words;
use crate::eval::{Decision, Engine, Resolver, Scenario, UnknownUsers};
use crate::ir;
use model::{DimId, Layout, Point, Semantics, Verdict};
use space::{Atoms, Requirement, Universe};

/// One or more programs over a shared universe.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The programs.
    pub programs: Vec<ir::Program>,
    /// The classes of every dimension.
    pub universe: Universe,
    /// The BDD variables.
    pub layout: Layout,
    /// One per program.
    pub semantics: Vec<Semantics>,
    group_keys: Vec<String>,
    role_keys: Vec<String>,
    user_keys: Vec<String>,
}

/// A concrete sign-in standing for a point of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The point.
    pub point: Point,
    /// The sign-in as a capol scenario (`capol eval -s`).
    pub scenario: Value,
    /// False when no concrete device matches exactly the device filters of the point (the
    /// scenario then has no device, and may not show the point's outcome).
    pub device_found: bool,
}

/// What the engine said about an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The engine's decision.
    pub decision: Decision,
    /// The decision as a verdict over the universe's requirements; `None` when a requirement of
    /// the decision is unknown to the universe (which would be a bug).
    pub verdict: Option<Verdict>,
}

impl Analysis {
    /// Analyse programs together (one for `verify`, two for `diff`), refined by assertion atoms.
    pub fn new(programs: Vec<ir::Program>, atoms: &Atoms) -> Analysis {
        let refs: Vec<&ir::Program> = programs.iter().collect();
        let universe = Universe::new(&refs, atoms);
        let layout = Layout::new(&universe);
        let semantics = (0..refs.len()).map(|i| Semantics::new(&universe, &layout, &refs, i)).collect();
        let everywhere = |r: &ir::Ref, declared: &dyn Fn(&ir::Program) -> bool| {
            if refs.iter().all(|p| declared(p)) || r.id.is_none() {
                r.name.clone()
            } else {
                r.id.clone().unwrap_or_default()
            }
        };
        let group_keys = universe
            .groups
            .items
            .iter()
            .map(|g| everywhere(g, &|p: &ir::Program| p.groups.iter().any(|x| x.name == g.name)))
            .collect();
        let role_keys = universe
            .roles
            .items
            .iter()
            .map(|r| {
                everywhere(r, &|p: &ir::Program| {
                    p.roles.iter().any(|x| {
                        x.name == r.name
                            && r.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(&x.template_id))
                    })
                })
            })
            .collect();
        let user_keys = universe
            .users
            .items
            .iter()
            .map(|u| everywhere(u, &|p: &ir::Program| p.users.iter().any(|x| x.name == u.name)))
            .collect();
        Analysis { programs, universe, layout, semantics, group_keys, role_keys, user_keys }
    }

    /// The program references, in order.
    pub fn program_refs(&self) -> Vec<&ir::Program> {
        self.programs.iter().collect()
    }

    /// The concrete sign-in of a point.
    pub fn example(&self, p: &Point) -> Example {
        let u = &self.universe;
        let mut s = Map::new();
        if p.who == 0 {
            if let Some(t) = model::USER_TYPES.get(p.user_type)
                && *t != ir::UserType::Member
            {
                s.insert("user_type".into(), json!(t.word()));
            }
        } else if let Some(key) = self.user_keys.get(p.who - 1) {
            s.insert("user".into(), json!(key));
        }
        if p.tenant > 0
            && let Some(t) = u.tenants.get(p.tenant - 1)
        {
            s.insert("external_tenant".into(), json!(t));
        }
        if p.who == 0 {
            let groups: Vec<&String> =
                p.groups.iter().zip(&self.group_keys).filter(|(on, _)| **on).map(|(_, k)| k).collect();
            if !groups.is_empty() {
                s.insert("groups".into(), json!(groups));
            }
            let roles: Vec<&String> =
                p.roles.iter().zip(&self.role_keys).filter(|(on, _)| **on).map(|(_, k)| k).collect();
            if !roles.is_empty() {
                s.insert("roles".into(), json!(roles));
            }
        }
        if let Some(t) = u.targets.get(p.target) {
            s.insert(t.scenario.0.into(), json!(t.scenario.1));
        }
        if let Some(ip) = u.ip.get(p.ip).and_then(|c| c.example) {
            s.insert("ip".into(), json!(ip.to_string()));
        }
        if let Some(code) = u.countries.get(p.country).and_then(|c| c.code.as_ref()) {
            s.insert("country".into(), json!(code));
        }
        if let Some(code) = u.gps.get(p.gps).and_then(|c| c.code.as_ref()) {
            s.insert("gps_country".into(), json!(code));
        }
        if let Some(Some(platform)) = model::PLATFORMS.get(p.platform) {
            s.insert("platform".into(), json!(platform_word(*platform)));
        }
        if let Some(Some(client)) = model::CLIENTS.get(p.client) {
            s.insert("client_app".into(), json!(client.word()));
        }
        for (field, value) in [("sign_in_risk", p.sign_in_risk), ("user_risk", p.user_risk)] {
            if value > 0
                && let Some(r) = model::RISKS.get(value)
            {
                s.insert(field.into(), json!(r.word()));
            }
        }
        if let Some(Some(level)) = model::INSIDER.get(p.insider) {
            s.insert("insider_risk".into(), json!(insider_word(*level)));
        }
        if let Some(Some(flow)) = model::FLOWS.get(p.flow) {
            s.insert("auth_flow".into(), json!(flow_word(*flow)));
        }
        let mut device_found = true;
        let filters = &u.filters;
        if !filters.is_empty() && filters.witnesses.first().is_none_or(|(v, _)| *v != p.filters) {
            match filters.witness(&p.filters) {
                Some(d) => {
                    s.insert("device".into(), device::to_json(d));
                }
                None => device_found = false,
            }
        }
        Example { point: p.clone(), scenario: Value::Object(s), device_found }
    }

    /// Evaluate an example with the engine of one program.
    ///
    /// # Errors
    ///
    /// The scenario does not resolve against the program (a bug in realisation).
    pub fn replay(&self, engine: &Engine, scenario: &Value) -> Result<Replay, String> {
        let parsed = Scenario::from_value(scenario).map_err(|e| e.to_string())?;
        let resolver = Resolver { engine, directory: None, unknown_users: UnknownUsers::Member };
        let sign_in = resolver.resolve(&parsed).map_err(|e| e.to_string())?;
        let evaluation = engine.evaluate(&sign_in);
        let decision = Decision::new(engine, &sign_in, &evaluation.applied, &evaluation.env);
        let verdict = self.verdict_of(&decision);
        Ok(Replay { decision, verdict })
    }

    /// The verdict of an engine decision.
    pub fn verdict_of(&self, d: &Decision) -> Option<Verdict> {
        match d.outcome {
            crate::eval::Outcome::Block => Some(Verdict::Block),
            crate::eval::Outcome::Allow => Some(Verdict::Allow),
            crate::eval::Outcome::Grant => {
                let mut groups = Vec::new();
                for g in &d.requirements {
                    let grant = ir::Grant::Require { operator: g.operator, controls: g.controls.clone() };
                    groups.push(Requirement::of(Some(&grant)).and_then(|r| self.universe.requirement(&r))?);
                }
                groups.sort_unstable();
                groups.dedup();
                Some(Verdict::Grant(groups))
            }
        }
    }

    /// `block`, `allow`, `grant mfa AND compliant_device`.
    pub fn verdict_text(&self, v: &Verdict) -> String {
        match v {
            Verdict::Block => "block".into(),
            Verdict::Allow => "allow".into(),
            Verdict::Grant(groups) => {
                let texts: Vec<&str> = groups
                    .iter()
                    .filter_map(|g| self.universe.requirements.get(*g))
                    .map(|r| r.text.as_str())
                    .collect();
                format!("grant {}", texts.join(" AND "))
            }
        }
    }

    /// A verdict as JSON: `{"outcome": "grant", "requires": ["mfa"]}`.
    pub fn verdict_json(&self, v: &Verdict) -> Value {
        match v {
            Verdict::Block => json!({"outcome": "block"}),
            Verdict::Allow => json!({"outcome": "allow"}),
            Verdict::Grant(groups) => json!({
                "outcome": "grant",
                "requires": groups.iter().filter_map(|g| self.universe.requirements.get(*g)).map(|r| r.text.clone()).collect::<Vec<_>>(),
            }),
        }
    }

    /// A point of a region, chosen to read naturally: a user no policy names, a member with as
    /// few groups and roles as possible, no risk, an ordinary flow, the unregistered device (or
    /// a device that exists), a known platform and client app. `None` for an empty region.
    pub fn pick(&self, region: &Bdd) -> Option<Point> {
        let l = &self.layout;
        let mut r = region.and(&l.valid);
        if r.is_false() {
            return None;
        }
        // Device filters: a combination a concrete device reaches, the unregistered one first.
        if !l.filters.is_empty() {
            for (vector, _) in &self.universe.filters.witnesses {
                let mut cube = l.vars.mk_true();
                for (var, value) in l.filters.iter().zip(vector) {
                    cube = cube.and(&l.lit(*var, *value));
                }
                let narrowed = r.and(&cube);
                if !narrowed.is_false() {
                    r = narrowed;
                    break;
                }
            }
        }
        let prefer = |r: &mut Bdd, id: DimId, order: &[usize]| {
            let dim = l.dim(id);
            for v in order.iter().copied().chain(0..dim.size) {
                if v >= dim.size {
                    continue;
                }
                let narrowed = r.and(&l.eq(dim, v));
                if !narrowed.is_false() {
                    *r = narrowed;
                    return;
                }
            }
        };
        prefer(&mut r, DimId::Who, &[0]);
        prefer(&mut r, DimId::UserType, &[0, 2, 1]);
        prefer(&mut r, DimId::Tenant, &[0]);
        for var in l.roles.iter().chain(&l.groups) {
            let narrowed = r.and(&l.lit(*var, false));
            r = if narrowed.is_false() { r.and(&l.lit(*var, true)) } else { narrowed };
        }
        prefer(&mut r, DimId::Target, &[]);
        prefer(&mut r, DimId::SignInRisk, &[0]);
        prefer(&mut r, DimId::UserRisk, &[0]);
        prefer(&mut r, DimId::Insider, &[0]);
        prefer(&mut r, DimId::Flow, &[0]);
        prefer(&mut r, DimId::Platform, &[1, 2, 3, 4, 5, 6, 0]);
        prefer(&mut r, DimId::Client, &[1, 2, 3, 4, 5, 0]);
        prefer(&mut r, DimId::Gps, &[0]);
        prefer(&mut r, DimId::Country, &[]);
        prefer(&mut r, DimId::Ip, &[]);
        r.sat_witness().map(|v| l.point(&v))
    }
}

/// The capol word of a platform.
pub fn platform_word(p: ir::Platform) -> &'static str {
    words::PLATFORMS.iter().find(|(_, x)| *x == p).map_or("all", |(w, _)| w)
}

/// The capol word of an insider risk level.
pub fn insider_word(r: ir::InsiderRisk) -> &'static str {
    words::INSIDER_RISKS.iter().find(|(_, x)| *x == r).map_or("none", |(w, _)| w)
}

/// The capol word of an authentication flow.
pub fn flow_word(f: ir::AuthFlow) -> &'static str {
    words::AUTH_FLOWS.iter().find(|(_, x)| *x == f).map_or("none", |(w, _)| w)
}

#[cfg(test)]
mod tests;
