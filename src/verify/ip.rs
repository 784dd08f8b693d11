//! The IP dimension: both address families cut into elementary intervals at every CIDR boundary
//! of every relevant named location, then grouped into classes of addresses that lie in exactly
//! the same locations of every program compared.
//!
//! Two addresses of one class are indistinguishable to every policy: the engine only asks which
//! named locations hold an address (`docs/eval.md`). A sign-in without an IP is in no named
//! location, so it belongs to the class of addresses outside every location.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::ir;

/// Addresses that lie in exactly the same named locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpClass {
    /// Per program: the IP locations holding these addresses, as indices into that program's
    /// `locations`, sorted.
    pub sets: Vec<Vec<u32>>,
    /// Per program: whether one of those locations is marked trusted.
    pub trusted: Vec<bool>,
    /// An address of the class; `None` only for the class of addresses in no location when
    /// every address is in some location, where a sign-in without an IP stands for it.
    pub example: Option<IpAddr>,
    /// Number of elementary intervals in the class.
    pub intervals: usize,
}

impl IpClass {
    /// True for the class of addresses in no relevant location (and of sign-ins without an IP).
    pub fn is_outside(&self) -> bool {
        self.sets.iter().all(Vec::is_empty)
    }
}

/// Addresses people recognise as examples (RFC 5737 and RFC 3849 documentation ranges), tried
/// first for the class of addresses in no location.
const OUTSIDE_CANDIDATES: &[&str] = &["192.0.2.10", "198.51.100.200", "203.0.113.250", "2001:db8:ffff::10"];

/// The IPv4-mapped IPv6 block `::ffff:0:0/96`.
const MAPPED: (u128, u128) = (0xffff_0000_0000, 0xffff_ffff_ffff);

/// One range of one location of one program: `(v6, first, last, key)`.
type Range = (bool, u128, u128, usize);

/// The IP classes of the relevant locations of each program. `relevant[p][l]` says whether
/// location `l` of program `p` matters; the others are ignored. The class of addresses outside
/// every relevant location always comes first.
pub fn classes(programs: &[&ir::Program], relevant: &[Vec<bool>]) -> (Vec<IpClass>, usize) {
    let mut keys: Vec<(usize, u32, bool)> = Vec::new();
    let mut ranges: Vec<Range> = Vec::new();
    for (p, program) in programs.iter().enumerate() {
        for (l, location) in program.locations.iter().enumerate() {
            if !relevant.get(p).and_then(|r| r.get(l)).copied().unwrap_or(false) {
                continue;
            }
            let ir::LocationKind::Ip { trusted, ranges: cidrs } = &location.kind else { continue };
            let key = keys.len();
            keys.push((p, l as u32, *trusted));
            for cidr in cidrs {
                let (first, last) = cidr.bounds();
                if !cidr.network.is_ipv6() {
                    ranges.push((false, first, last, key));
                    continue;
                }
                // The engine reads an IPv4-mapped address as IPv4, so the mapped block of an
                // IPv6 range holds no sign-in: cut it out.
                if first < MAPPED.0 {
                    ranges.push((true, first, last.min(MAPPED.0 - 1), key));
                }
                if last > MAPPED.1 {
                    ranges.push((true, first.max(MAPPED.1 + 1), last, key));
                }
            }
        }
    }
    let n = programs.len();
    let mut out: Vec<IpClass> = vec![IpClass {
        sets: vec![Vec::new(); n],
        trusted: vec![false; n],
        example: outside_example(&ranges),
        intervals: 0,
    }];
    let mut index: HashMap<Vec<usize>, usize> = HashMap::new();
    index.insert(Vec::new(), 0);
    let mut intervals = 0usize;
    for v6 in [false, true] {
        let max: u128 = if v6 { u128::MAX } else { u128::from(u32::MAX) };
        // Events: +key at the first address, -key after the last one.
        let mut events: Vec<(u128, bool, usize)> = Vec::new();
        for &(family, first, last, key) in &ranges {
            if family != v6 {
                continue;
            }
            events.push((first, true, key));
            if last < max {
                events.push((last + 1, false, key));
            }
        }
        events.sort_unstable();
        let mut active: BTreeMap<usize, u32> = BTreeMap::new();
        let mut set: Vec<usize> = Vec::new();
        let mut position = 0u128;
        let mut i = 0;
        loop {
            // Apply every event at `position`, then the interval up to the next event has the
            // active set.
            while let Some(&(at, start, key)) = events.get(i) {
                if at != position {
                    break;
                }
                let count = active.entry(key).or_insert(0);
                if start {
                    *count += 1;
                } else {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        active.remove(&key);
                    }
                }
                i += 1;
            }
            intervals += 1;
            set.clear();
            set.extend(active.keys().copied());
            let next = events.get(i).map(|e| e.0);
            let class = match index.get(set.as_slice()) {
                Some(&c) => c,
                None => {
                    let c = out.len();
                    let mut sets = vec![Vec::new(); n];
                    let mut trusted = vec![false; n];
                    for &k in set.iter() {
                        if let Some(&(p, l, t)) = keys.get(k) {
                            if let Some(s) = sets.get_mut(p) {
                                s.push(l);
                            }
                            if t && let Some(flag) = trusted.get_mut(p) {
                                *flag = true;
                            }
                        }
                    }
                    for s in &mut sets {
                        s.sort_unstable();
                        s.dedup();
                    }
                    out.push(IpClass {
                        sets,
                        trusted,
                        example: Some(address(v6, host(position, next))),
                        intervals: 0,
                    });
                    index.insert(set.clone(), c);
                    c
                }
            };
            if let Some(c) = out.get_mut(class) {
                c.intervals += 1;
            }
            match next {
                Some(at) => position = at,
                None => break,
            }
        }
    }
    (out, intervals)
}

/// A host address inside `[start, next)`: the first address after the network address when the
/// interval has room, so examples read like hosts (`203.0.113.1`) rather than networks.
fn host(start: u128, next: Option<u128>) -> u128 {
    match next {
        Some(end) if end > start.saturating_add(2) => start + 1,
        None if start < u128::from(u32::MAX) => start + 1,
        _ => start,
    }
}

fn address(v6: bool, value: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(value))
    } else {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX)))
    }
}

fn value_of(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (true, u128::from(v6)),
    }
}

/// An address in no range: a documentation address when one is free, else the first gap of
/// either family; `None` when both families are covered whole.
fn outside_example(ranges: &[Range]) -> Option<IpAddr> {
    let inside = |ip: IpAddr| {
        let (v6, value) = value_of(ip);
        ranges.iter().any(|&(family, first, last, _)| family == v6 && first <= value && value <= last)
    };
    for candidate in OUTSIDE_CANDIDATES {
        if let Ok(ip) = candidate.parse::<IpAddr>()
            && !inside(ip)
        {
            return Some(ip);
        }
    }
    for v6 in [false, true] {
        let max: u128 = if v6 { u128::MAX } else { u128::from(u32::MAX) };
        let mut spans: Vec<(u128, u128)> =
            ranges.iter().filter(|r| r.0 == v6).map(|&(_, first, last, _)| (first, last)).collect();
        spans.sort_unstable();
        // Skip the very first addresses (`0.0.0.0`, `::`), which read as "no address".
        let mut candidate = Some(1u128);
        for (first, last) in spans {
            let Some(c) = candidate else { break };
            if first > c {
                break;
            }
            if last >= c {
                candidate = last.checked_add(1).filter(|&x| x <= max);
            }
        }
        if let Some(c) = candidate {
            return Some(address(v6, c));
        }
    }
    None
}

/// The class of an address (the first class, outside every location, for `None`).
pub fn class_of(
    classes: &[IpClass],
    programs: &[&ir::Program],
    relevant: &[Vec<bool>],
    ip: Option<IpAddr>,
) -> usize {
    let Some(ip) = ip else { return 0 };
    let (v6, value) = value_of(ip);
    let sets: Vec<Vec<u32>> = programs
        .iter()
        .enumerate()
        .map(|(p, program)| {
            program
                .locations
                .iter()
                .enumerate()
                .filter(|(l, _)| relevant.get(p).and_then(|r| r.get(*l)).copied().unwrap_or(false))
                .filter_map(|(l, loc)| match &loc.kind {
                    ir::LocationKind::Ip { ranges, .. }
                        if ranges.iter().any(|c| {
                            let (first, last) = c.bounds();
                            c.network.is_ipv6() == v6 && first <= value && value <= last
                        }) =>
                    {
                        Some(l as u32)
                    }
                    _ => None,
                })
                .collect()
        })
        .collect();
    classes.iter().position(|c| c.sets == sets).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(locations: &[(&str, bool, &[&str])]) -> ir::Program {
        let mut sources = crate::Sources::new();
        let mut text = String::new();
        for (name, trusted, ranges) in locations {
            text.push_str(&format!(
                "location {name} {{ {} ip {} }}\n",
                if *trusted { "trusted" } else { "" },
                ranges.join(", ")
            ));
        }
        sources.add("w.capol", text);
        let (p, diags) = crate::compile_workspace(&sources);
        assert!(!diags.has_errors(), "{diags:?}");
        p.unwrap()
    }

    #[test]
    fn nested_and_overlapping_ranges_split_into_classes() {
        let p = program(&[
            ("hq", true, &["203.0.113.0/24", "2001:db8:1000::/48"]),
            ("lab", false, &["203.0.113.128/25", "198.51.100.0/24"]),
        ]);
        let relevant = vec![vec![true, true]];
        let (classes, intervals) = classes(&[&p], &relevant);
        // Outside; hq only; hq and lab; lab only.
        assert_eq!(classes.len(), 4);
        assert!(classes[0].is_outside());
        assert_eq!(classes[0].example, Some("192.0.2.10".parse().unwrap()));
        let sets: Vec<&Vec<u32>> = classes.iter().map(|c| &c.sets[0]).collect();
        assert!(sets.contains(&&vec![0, 1]));
        assert!(sets.contains(&&vec![1]));
        assert!(intervals >= 7);
        for (i, c) in classes.iter().enumerate() {
            let ip = c.example;
            assert_eq!(class_of(&classes, &[&p], &relevant, ip), i, "{c:?}");
        }
        let both = classes.iter().find(|c| c.sets[0] == vec![0, 1]).unwrap();
        assert!(both.trusted[0]);
    }

    #[test]
    fn the_ipv4_mapped_block_is_left_to_ipv4() {
        let p = program(&[("v6", false, &["::/16"])]);
        let (classes, _) = classes(&[&p], &[vec![true]]);
        for c in &classes {
            if let Some(IpAddr::V6(v6)) = c.example {
                assert!(v6.to_ipv4_mapped().is_none(), "{v6}");
            }
        }
        let inside = classes.iter().find(|c| !c.is_outside()).unwrap();
        assert_eq!(inside.intervals, 2);
    }

    #[test]
    fn irrelevant_locations_do_not_split() {
        let p = program(&[("hq", true, &["203.0.113.0/24"]), ("lab", false, &["198.51.100.0/24"])]);
        let (classes, _) = classes(&[&p], &[vec![true, false]]);
        assert_eq!(classes.len(), 2);
    }

    #[test]
    fn an_uncovered_family_gives_the_outside_example() {
        let p = program(&[("a", false, &["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"])]);
        let (classes, _) = classes(&[&p], &[vec![true]]);
        let outside = classes[0].example.unwrap();
        assert_eq!(class_of(&classes, &[&p], &[vec![true]], Some(outside)), 0);
    }
}
