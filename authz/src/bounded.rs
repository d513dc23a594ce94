//! A map with a fixed number of fixed-size keys, for the per-process memories
//! (failure counts, verified secrets) that anyone can fill by sending
//! requests with made-up names.
//!
//! It never empties itself: when full, it drops what its owner ranks least
//! worth keeping (entries whose time is over first, then the least recently
//! seen), a tenth of its capacity at a time so that a flood costs one scan
//! per many inserts rather than one per insert.

use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// 128 bits of SHA-256: fixed size whatever the name, and no name kept.
pub type Key = [u8; 16];

/// The key of `name` within `namespace` (so `login:x` and `client:x` differ).
pub fn key(namespace: &str, name: &str) -> Key {
    let digest = Sha256::new()
        .chain_update(namespace.as_bytes())
        .chain_update([0])
        .chain_update(name.as_bytes())
        .finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// How much an entry is worth keeping when room must be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Keep {
    /// Its time is over: dropped first.
    Stale,
    /// Ordinary: the least recently seen go next.
    Normal,
    /// Dropped only when nothing else is left (an active lock-out).
    Precious,
}

#[derive(Debug)]
struct Slot<V> {
    value: V,
    seen: u64,
}

#[derive(Debug)]
pub struct BoundedMap<V> {
    capacity: usize,
    clock: u64,
    slots: HashMap<Key, Slot<V>>,
}

impl<V> BoundedMap<V> {
    pub fn new(capacity: usize) -> Self {
        BoundedMap {
            capacity: capacity.max(10),
            clock: 0,
            slots: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The value under `key`, marking it as just seen.
    pub fn get_mut(&mut self, key: &Key) -> Option<&mut V> {
        self.clock += 1;
        let clock = self.clock;
        self.slots.get_mut(key).map(|s| {
            s.seen = clock;
            &mut s.value
        })
    }

    /// The value under `key`, inserting `make()` if absent (making room first
    /// by `rank` when full).
    pub fn entry(
        &mut self,
        key: Key,
        make: impl FnOnce() -> V,
        rank: impl Fn(&V) -> Keep,
    ) -> &mut V {
        if !self.slots.contains_key(&key) && self.slots.len() >= self.capacity {
            self.make_room(rank);
        }
        self.clock += 1;
        let clock = self.clock;
        let slot = self.slots.entry(key).or_insert_with(|| Slot {
            value: make(),
            seen: clock,
        });
        slot.seen = clock;
        &mut slot.value
    }

    pub fn remove(&mut self, key: &Key) {
        self.slots.remove(key);
    }

    /// Drops entries until a tenth of the capacity is free: stale ones first,
    /// then by rank and age.
    fn make_room(&mut self, rank: impl Fn(&V) -> Keep) {
        let target = self.capacity - self.capacity / 10;
        let mut order: Vec<(Keep, u64, Key)> = self
            .slots
            .iter()
            .map(|(k, s)| (rank(&s.value), s.seen, *k))
            .collect();
        order.sort_unstable();
        let excess = self.slots.len().saturating_sub(target);
        // Every stale entry goes, even past the target: they are worth nothing.
        let stale = order
            .iter()
            .take_while(|(r, _, _)| *r == Keep::Stale)
            .count();
        for (_, _, k) in order.iter().take(excess.max(stale)) {
            self.slots.remove(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_map_drops_stale_then_oldest_but_keeps_precious_entries() {
        let mut m: BoundedMap<Keep> = BoundedMap::new(100);
        let precious = key("t", "precious");
        m.entry(precious, || Keep::Precious, |v| *v);
        for i in 0..10_000 {
            m.entry(key("t", &i.to_string()), || Keep::Normal, |v| *v);
            assert!(m.len() <= 100);
        }
        assert!(
            m.get_mut(&precious).is_some(),
            "never dropped while others remain"
        );
        assert!(m.get_mut(&key("t", "9999")).is_some(), "the newest stays");
        assert!(m.get_mut(&key("t", "0")).is_none(), "the oldest went");
        assert!(m.len() >= 90, "never emptied: {}", m.len());
    }

    #[test]
    fn keys_are_namespaced_digests() {
        assert_ne!(key("login", "x"), key("client", "x"));
        assert_eq!(key("login", "x"), key("login", "x"));
    }
}
