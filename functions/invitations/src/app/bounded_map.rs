//! What a warm instance keeps of what it read, bounded.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A map shared by the requests of one instance, holding at most `capacity` entries: a full map
/// starts over rather than tracking recency, since a miss costs only one read.
pub struct BoundedMap<K, V> {
    capacity: usize,
    entries: Mutex<HashMap<K, V>>,
}

impl<K: Eq + Hash, V: Clone> BoundedMap<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::default(),
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.entries().get(key).cloned()
    }

    pub fn insert(&self, key: K, value: V) {
        self.insert_unless(key, value, |_| false);
    }

    /// Inserts `value` unless `keeps` says the value there should stay.
    pub fn insert_unless(&self, key: K, value: V, keeps: impl FnOnce(&V) -> bool) {
        let mut entries = self.entries();
        if entries.get(&key).is_some_and(keeps) {
            return;
        }
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, value);
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<K, V>> {
        // Inserts are whole: a panic while holding the lock leaves no half-written entry.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_map_starts_over_and_stays_bounded() {
        let map = BoundedMap::new(3);
        for key in 0..3 {
            map.insert(key, key * 10);
        }
        assert_eq!(map.get(&2), Some(20));
        map.insert(3, 30);
        assert_eq!(map.len(), 1);
        assert_eq!(map.get(&0), None);
        assert_eq!(map.get(&3), Some(30));
    }

    #[test]
    fn a_value_that_should_stay_is_kept() {
        let map = BoundedMap::new(3);
        map.insert("a", 5);
        map.insert_unless("a", 4, |kept| *kept > 4);
        assert_eq!(map.get(&"a"), Some(5));
        map.insert_unless("a", 6, |kept| *kept > 6);
        assert_eq!(map.get(&"a"), Some(6));
    }
}
