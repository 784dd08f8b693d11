//! IP lookup: every range of every named location folded into one sorted table of disjoint
//! intervals per address family, each mapped to the set of locations containing it.
//!
//! Lookup is one binary search, whatever the number of locations and ranges. The location sets
//! are interned, so the table stores a `u32` per interval and the sets themselves once.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnetwork::IpNetwork;

use super::bits::BitSet;

/// The id of an interned location set; `EMPTY` is the empty set.
pub type SetId = u32;

/// The empty set's id.
pub const EMPTY: SetId = 0;

/// Interned location sets.
#[derive(Debug, Clone)]
pub struct SetTable {
    sets: Vec<BitSet>,
    index: HashMap<BitSet, SetId>,
    universe: usize,
}

impl SetTable {
    /// A table over `universe` locations, holding the empty set as `EMPTY`.
    pub fn new(universe: usize) -> SetTable {
        let empty = BitSet::new(universe);
        let mut index = HashMap::new();
        index.insert(empty.clone(), EMPTY);
        SetTable { sets: vec![empty], index, universe }
    }

    /// The id of `set`, adding it when new.
    pub fn intern(&mut self, set: &BitSet) -> SetId {
        if let Some(&id) = self.index.get(set) {
            return id;
        }
        let id = self.sets.len() as SetId;
        self.sets.push(set.clone());
        self.index.insert(set.clone(), id);
        id
    }

    /// The set with this id (the empty set for an unknown id).
    #[inline]
    pub fn get(&self, id: SetId) -> &BitSet {
        self.sets.get(id as usize).or_else(|| self.sets.first()).unwrap_or_else(|| empty_set())
    }

    /// A fresh empty set over the table's universe.
    pub fn empty(&self) -> BitSet {
        BitSet::new(self.universe)
    }

    /// Number of distinct sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Always false: the empty set is always present.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

fn empty_set() -> &'static BitSet {
    static EMPTY_SET: std::sync::OnceLock<BitSet> = std::sync::OnceLock::new();
    EMPTY_SET.get_or_init(BitSet::default)
}

/// Disjoint sorted intervals of one address family: `starts[i]..starts[i+1]` maps to `sets[i]`;
/// addresses below `starts[0]` map to the empty set.
#[derive(Debug, Clone, Default)]
pub struct IntervalTable<K> {
    starts: Vec<K>,
    sets: Vec<SetId>,
}

impl<K: Copy + Ord> IntervalTable<K> {
    /// The set of the interval holding `key`.
    #[inline]
    pub fn lookup(&self, key: K) -> SetId {
        let i = self.starts.partition_point(|s| *s <= key);
        match i.checked_sub(1) {
            Some(j) => self.sets.get(j).copied().unwrap_or(EMPTY),
            None => EMPTY,
        }
    }

    /// Number of intervals.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when no range was added.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

/// An address family's key: the address as an integer, with the maximum value known so that a
/// range ending at the top needs no end event.
trait Key: Copy + Ord + std::hash::Hash {
    const MAX: Self;
    fn succ(self) -> Self;
}

impl Key for u32 {
    const MAX: u32 = u32::MAX;
    fn succ(self) -> u32 {
        self.saturating_add(1)
    }
}

impl Key for u128 {
    const MAX: u128 = u128::MAX;
    fn succ(self) -> u128 {
        self.saturating_add(1)
    }
}

/// Build an interval table by sweeping over range boundaries. `ranges` holds `(first, last,
/// location)` triples; ranges may overlap, within and across locations.
fn build<K: Key>(mut ranges: Vec<(K, K, u32)>, sets: &mut SetTable) -> IntervalTable<K> {
    // Events: at `first` the location gains a range, after `last` it loses one.
    let mut events: Vec<(K, bool, u32)> = Vec::with_capacity(ranges.len() * 2);
    for (first, last, loc) in ranges.drain(..) {
        events.push((first, true, loc));
        if last != K::MAX {
            events.push((last.succ(), false, loc));
        }
    }
    events.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut counts: HashMap<u32, u32> = HashMap::new();
    let mut table = IntervalTable { starts: Vec::new(), sets: Vec::new() };
    let mut i = 0;
    while let Some(&(key, _, _)) = events.get(i) {
        let mut changed = false;
        while let Some(&(k, start, loc)) = events.get(i) {
            if k != key {
                break;
            }
            let count = counts.entry(loc).or_insert(0);
            if start {
                *count += 1;
                if *count == 1 {
                    changed = true;
                }
            } else {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    changed = true;
                }
            }
            i += 1;
        }
        if !changed {
            continue;
        }
        let mut current = sets.empty();
        for (&loc, &count) in &counts {
            if count > 0 {
                current.insert(loc);
            }
        }
        counts.retain(|_, c| *c > 0);
        let id = sets.intern(&current);
        if table.sets.last() != Some(&id) {
            table.starts.push(key);
            table.sets.push(id);
        }
    }
    table
}

/// Both address families.
#[derive(Debug, Clone, Default)]
pub struct IpTable {
    v4: IntervalTable<u32>,
    v6: IntervalTable<u128>,
}

impl IpTable {
    /// Build from `(network, location)` pairs.
    pub fn build(networks: &[(IpNetwork, u32)], sets: &mut SetTable) -> IpTable {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for (net, loc) in networks {
            match net {
                IpNetwork::V4(n) => {
                    v4.push((u32::from(n.network()), u32::from(n.broadcast()), *loc));
                }
                IpNetwork::V6(n) => {
                    let first = u128::from(n.network());
                    let host_bits = 128 - u32::from(n.prefix());
                    let last = if host_bits >= 128 { u128::MAX } else { first | ((1u128 << host_bits) - 1) };
                    v6.push((first, last, *loc));
                }
            }
        }
        IpTable { v4: build(v4, sets), v6: build(v6, sets) }
    }

    /// The set of locations containing `ip`. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is
    /// looked up as the IPv4 address it carries.
    #[inline]
    pub fn lookup(&self, ip: IpAddr) -> SetId {
        match ip {
            IpAddr::V4(a) => self.v4.lookup(u32::from(a)),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => self.v4.lookup(u32::from(v4)),
                None => self.v6.lookup(u128::from(a)),
            },
        }
    }

    /// Number of intervals (IPv4, IPv6).
    pub fn len(&self) -> (usize, usize) {
        (self.v4.len(), self.v6.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNetwork {
        s.parse().unwrap()
    }

    fn members(sets: &SetTable, id: SetId) -> Vec<u32> {
        sets.get(id).iter().collect()
    }

    #[test]
    fn overlapping_ranges_across_and_within_locations() {
        let mut sets = SetTable::new(3);
        let table = IpTable::build(
            &[
                (net("10.0.0.0/8"), 0),
                (net("10.1.0.0/16"), 1),
                (net("10.1.2.0/24"), 1),
                (net("10.1.2.128/25"), 2),
                (net("192.0.2.0/24"), 2),
            ],
            &mut sets,
        );
        let at = |s: &str| members(&sets, table.lookup(s.parse().unwrap()));
        assert_eq!(at("9.255.255.255"), Vec::<u32>::new());
        assert_eq!(at("10.0.0.0"), vec![0]);
        assert_eq!(at("10.1.0.0"), vec![0, 1]);
        assert_eq!(at("10.1.2.1"), vec![0, 1]);
        assert_eq!(at("10.1.2.200"), vec![0, 1, 2]);
        assert_eq!(at("10.1.3.0"), vec![0, 1]);
        assert_eq!(at("10.2.0.0"), vec![0]);
        assert_eq!(at("10.255.255.255"), vec![0]);
        assert_eq!(at("11.0.0.0"), Vec::<u32>::new());
        assert_eq!(at("192.0.2.255"), vec![2]);
        assert_eq!(at("192.0.3.0"), Vec::<u32>::new());
    }

    #[test]
    fn ipv6_and_mapped_addresses() {
        let mut sets = SetTable::new(2);
        let table = IpTable::build(
            &[(net("2001:db8:1000::/48"), 0), (net("203.0.113.0/24"), 1), (net("::/0"), 1)],
            &mut sets,
        );
        let at = |s: &str| members(&sets, table.lookup(s.parse().unwrap()));
        assert_eq!(at("2001:db8:1000::1"), vec![0, 1]);
        assert_eq!(at("2001:db8:1000:ffff:ffff:ffff:ffff:ffff"), vec![0, 1]);
        assert_eq!(at("2001:db8:1001::"), vec![1]);
        assert_eq!(at("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), vec![1]);
        assert_eq!(at("::ffff:203.0.113.7"), vec![1]);
        assert_eq!(at("203.0.113.7"), vec![1]);
        assert_eq!(at("203.0.114.7"), Vec::<u32>::new());
    }

    #[test]
    fn adjacent_ranges_of_one_location_merge() {
        let mut sets = SetTable::new(1);
        let table = IpTable::build(&[(net("10.0.0.0/25"), 0), (net("10.0.0.128/25"), 0)], &mut sets);
        assert_eq!(table.len().0, 2);
        assert_eq!(members(&sets, table.lookup("10.0.0.200".parse().unwrap())), vec![0]);
    }

    #[test]
    fn top_of_address_space() {
        let mut sets = SetTable::new(1);
        let table = IpTable::build(&[(net("255.255.255.0/24"), 0)], &mut sets);
        assert_eq!(members(&sets, table.lookup("255.255.255.255".parse().unwrap())), vec![0]);
        assert_eq!(members(&sets, table.lookup("255.255.254.255".parse().unwrap())), Vec::<u32>::new());
    }
}
