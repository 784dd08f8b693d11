//! A fixed-size bitset over dense indices: memberships, policy user sets, location sets.

/// A set of small integers, stored as 64-bit words. Sets over the same universe are built with
/// the same word count, so intersection is a word-wise AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BitSet {
    words: Box<[u64]>,
}

impl BitSet {
    /// An empty set able to hold `0..len`.
    pub fn new(len: usize) -> BitSet {
        BitSet { words: vec![0; len.div_ceil(64)].into_boxed_slice() }
    }

    /// Add `i`; indices beyond the universe are ignored (they cannot be referenced).
    pub fn insert(&mut self, i: u32) {
        let (w, b) = (i as usize / 64, i % 64);
        if let Some(word) = self.words.get_mut(w) {
            *word |= 1 << b;
        }
    }

    /// Whether `i` is in the set.
    #[inline]
    pub fn contains(&self, i: u32) -> bool {
        let (w, b) = (i as usize / 64, i % 64);
        self.words.get(w).is_some_and(|word| word & (1 << b) != 0)
    }

    /// Whether the two sets share an element.
    #[inline]
    pub fn intersects(&self, other: &BitSet) -> bool {
        self.words.iter().zip(other.words.iter()).any(|(a, b)| a & b != 0)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// Add every element of `other`.
    pub fn union_with(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a |= b;
        }
    }

    /// The elements, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                Some(w as u32 * 64 + bit)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_contains_intersects() {
        let mut a = BitSet::new(130);
        a.insert(0);
        a.insert(129);
        a.insert(500);
        assert!(a.contains(0) && a.contains(129) && !a.contains(1) && !a.contains(500));
        let mut b = BitSet::new(130);
        assert!(!a.intersects(&b) && b.is_empty());
        b.insert(129);
        assert!(a.intersects(&b));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 129]);
        let mut c = BitSet::new(130);
        c.union_with(&a);
        assert_eq!(c, a);
    }
}
