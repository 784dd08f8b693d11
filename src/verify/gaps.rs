//! The gap report: for standard questions (all users on all apps, admins, guests, legacy
//! clients, security info registration), the regions of users × targets × locations ×
//! platforms × client apps where some sign-in gets `allow` — no enforced policy requires
//! anything. Risks, insider risk, the authentication flow and the device are projected away: a
//! region is a gap when a sign-in in it is allowed at some risk, flow and device.

use biodivine_lib_bdd::{Bdd, BddVariable};
use serde_json::Value;

use super::model::DimId;
use super::space::TargetKind;
use super::{Analysis, Example, Replay};
use crate::eval::Engine;

/// One standard question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Every user, every app.
    AllUsers,
    /// Users holding a role the workspace declares, every app.
    Admins,
    /// Guests and external users, every app.
    Guests,
    /// Legacy clients (`exchange_active_sync`, `other`), every app.
    LegacyClients,
    /// The `register_security_info` user action.
    SecurityInfo,
}

impl Question {
    /// Every question, in report order.
    pub const ALL: [Question; 5] = [
        Question::AllUsers,
        Question::Admins,
        Question::Guests,
        Question::LegacyClients,
        Question::SecurityInfo,
    ];

    /// A stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            Question::AllUsers => "all_users",
            Question::Admins => "admins",
            Question::Guests => "guests",
            Question::LegacyClients => "legacy_clients",
            Question::SecurityInfo => "security_info_registration",
        }
    }

    /// The question in words.
    pub fn title(self) -> &'static str {
        match self {
            Question::AllUsers => "all users on all apps",
            Question::Admins => "admins (users holding a declared role) on all apps",
            Question::Guests => "guests on all apps",
            Question::LegacyClients => "legacy clients (exchange_active_sync, other) on all apps",
            Question::SecurityInfo => "registration of security info",
        }
    }
}

/// One gap region.
#[derive(Debug, Clone)]
pub struct Gap {
    /// The region in words.
    pub words: String,
    /// The region as JSON conditions.
    pub conditions: Value,
    /// An allowed sign-in of the region.
    pub example: Example,
    /// The engine's evaluation of it.
    pub replay: Result<Replay, String>,
}

/// The answer to one question.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The question.
    pub question: Question,
    /// Gap regions, at most the limit.
    pub gaps: Vec<Gap>,
    /// True when more gap regions exist than are listed.
    pub more: bool,
    /// Why the question was not asked (no declared role).
    pub skipped: Option<String>,
}

impl Analysis {
    fn question_scope(&self, q: Question) -> Option<Bdd> {
        let l = &self.layout;
        let u = &self.universe;
        let s = self.semantics.first()?;
        let apps =
            l.set(l.dim(DimId::Target), |t| u.targets.get(t).is_some_and(|c| c.kind == TargetKind::App));
        Some(match q {
            Question::AllUsers => apps,
            Question::Admins => {
                let program = self.programs.first()?;
                let mut admin = l.vars.mk_false();
                for r in &program.roles {
                    if let Some(b) = u.roles.find(&r.template_id).and_then(|i| s.has_role.get(i)) {
                        admin = admin.or(b);
                    }
                }
                if admin.is_false() {
                    return None;
                }
                apps.and(&admin)
            }
            Question::Guests => apps.and_not(s.type_is.first()?),
            Question::LegacyClients => apps.and(&l.set_of(DimId::Client, &[3, 4])),
            Question::SecurityInfo => l.set(l.dim(DimId::Target), |t| {
                u.targets.get(t).is_some_and(|c| {
                    c.kind == TargetKind::Action(crate::ir::UserAction::RegisterSecurityInfo)
                })
            }),
        })
    }

    /// The variables projected away in gap regions.
    pub(crate) fn incidental_vars(&self) -> Vec<BddVariable> {
        let l = &self.layout;
        let mut vars: Vec<BddVariable> = l.filters.clone();
        for id in [DimId::SignInRisk, DimId::UserRisk, DimId::Insider, DimId::Flow] {
            vars.extend(l.dim(id).vars.iter().copied());
        }
        vars
    }

    /// Answer every standard question about the first program, at most `limit` regions each.
    pub fn gaps(&self, engine: &Engine, limit: usize) -> Vec<Answer> {
        let Some(s) = self.semantics.first() else { return Vec::new() };
        let incidental = self.incidental_vars();
        Question::ALL
            .iter()
            .map(|&question| {
                let Some(scope) = self.question_scope(question) else {
                    return Answer {
                        question,
                        gaps: Vec::new(),
                        more: false,
                        skipped: Some("the workspace declares no role".into()),
                    };
                };
                let allowed = scope.and(&s.allow);
                let region = allowed.exists(&incidental);
                let cover = self.cover(&region, limit);
                let gaps = cover
                    .cubes
                    .iter()
                    .filter_map(|(cube, _)| {
                        let point = self.pick(&self.cube_bdd(cube).and(&allowed))?;
                        let example = self.example(&point);
                        Some(Gap {
                            words: self.words(cube, 0),
                            conditions: self.cube_json(cube),
                            replay: self.replay(engine, &example.scenario),
                            example,
                        })
                    })
                    .collect();
                Answer { question, gaps, more: cover.more, skipped: None }
            })
            .collect()
    }
}
