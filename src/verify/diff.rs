//! Comparing two programs: the sign-in regions whose outcome differs, grouped by the pair of
//! outcomes, classed by the order of `order`, each described in words with a concrete example
//! replayed through both programs' engines.

use biodivine_lib_bdd::Bdd;
use serde_json::Value;

use super::model::Verdict;
use super::order::{self, Change};
use super::{Analysis, Example, Replay};
use crate::eval::Engine;

/// A described region of changed sign-ins.
#[derive(Debug, Clone)]
pub struct Region {
    /// The region in words.
    pub words: String,
    /// The region as JSON conditions.
    pub conditions: Value,
    /// A sign-in of the region.
    pub example: Example,
    /// The old program's engine on it.
    pub old: Result<Replay, String>,
    /// The new program's engine on it.
    pub new: Result<Replay, String>,
}

/// Every sign-in whose outcome went from one verdict to another.
#[derive(Debug, Clone)]
pub struct Delta {
    /// The old outcome.
    pub old: Verdict,
    /// The new outcome.
    pub new: Verdict,
    /// Weakened, strengthened, changed or equivalent.
    pub change: Change,
    /// Described regions, at most the limit.
    pub regions: Vec<Region>,
    /// True when more regions exist than are listed.
    pub more: bool,
}

/// Partial knowledge of one side's verdict while splitting.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Side {
    Blocked,
    Groups(Vec<usize>),
}

impl Side {
    fn verdict(&self) -> Verdict {
        match self {
            Side::Blocked => Verdict::Block,
            Side::Groups(g) if g.is_empty() => Verdict::Allow,
            Side::Groups(g) => Verdict::Grant(g.clone()),
        }
    }
}

impl Analysis {
    /// The sign-ins whose outcome differs between program 0 and program 1.
    pub fn changed(&self) -> Bdd {
        let l = &self.layout;
        let (Some(a), Some(b)) = (self.semantics.first(), self.semantics.get(1)) else {
            return l.vars.mk_false();
        };
        let mut grants = l.vars.mk_false();
        for (x, y) in a.requires.iter().zip(&b.requires) {
            grants = grants.or(&x.xor(y));
        }
        let neither_blocks = l.valid.and_not(&a.block).and_not(&b.block);
        a.block.xor(&b.block).or(&neither_blocks.and(&grants)).and(&l.valid)
    }

    /// Split a region into the parts with one old and one new verdict.
    fn split(&self, region: Bdd, level: usize, old: Side, new: Side, out: &mut Vec<(Verdict, Verdict, Bdd)>) {
        if region.is_false() {
            return;
        }
        let (Some(a), Some(b)) = (self.semantics.first(), self.semantics.get(1)) else { return };
        let n = self.universe.requirements.len();
        // Level 0 and 1 decide blocks; then each requirement, old then new.
        let (bdd, is_old, req) = match level {
            0 => (&a.block, true, None),
            1 => (&b.block, false, None),
            l if l < 2 + 2 * n => {
                let k = (l - 2) / 2;
                let is_old = (l - 2) % 2 == 0;
                let side = if is_old { &a.requires } else { &b.requires };
                match side.get(k) {
                    Some(x) => (x, is_old, Some(k)),
                    None => return,
                }
            }
            _ => {
                let (o, nv) = (old.verdict(), new.verdict());
                if o != nv {
                    out.push((o, nv, region));
                }
                return;
            }
        };
        let side = if is_old { &old } else { &new };
        if req.is_some() && *side == Side::Blocked {
            return self.split(region, level + 1, old, new, out);
        }
        let with = region.and(bdd);
        let without = region.and_not(bdd);
        let set = |s: &Side| match (req, s) {
            (None, _) => Side::Blocked,
            (Some(k), Side::Groups(g)) => {
                let mut g = g.clone();
                g.push(k);
                Side::Groups(g)
            }
            (Some(_), Side::Blocked) => Side::Blocked,
        };
        if is_old {
            self.split(with, level + 1, set(&old), new.clone(), out);
            self.split(without, level + 1, old, new, out);
        } else {
            self.split(with, level + 1, old.clone(), set(&new), out);
            self.split(without, level + 1, old, new, out);
        }
    }

    /// Every change from program 0 (old) to program 1 (new), at most `limit` regions each,
    /// weakenings first.
    pub fn diff(&self, engines: [&Engine; 2], limit: usize) -> Vec<Delta> {
        let mut parts = Vec::new();
        self.split(self.changed(), 0, Side::Groups(Vec::new()), Side::Groups(Vec::new()), &mut parts);
        let mut out: Vec<Delta> = parts
            .into_iter()
            .map(|(old, new, region)| {
                let cover = self.cover(&region, limit);
                let regions = cover
                    .cubes
                    .iter()
                    .map(|(cube, seed)| {
                        let example = self.example(seed);
                        Region {
                            words: self.words(cube, 1),
                            conditions: self.cube_json(cube),
                            old: self.replay(engines[0], &example.scenario),
                            new: self.replay(engines[1], &example.scenario),
                            example,
                        }
                    })
                    .collect();
                Delta {
                    change: order::classify(&self.universe, &old, &new),
                    old,
                    new,
                    regions,
                    more: cover.more,
                }
            })
            .collect();
        out.sort_by(|x, y| (x.change, &x.old, &x.new).cmp(&(y.change, &y.old, &y.new)));
        out
    }
}
