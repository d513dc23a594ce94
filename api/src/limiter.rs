//! Counts failed sign-ins and client authentications per key, and refuses a
//! key that failed too often within a window: checked before any scrypt work,
//! so guessing is slow and cannot burn our CPU.
//!
//! Bounded and unflushable: keys are fixed-size digests, and flooding the
//! table with made-up names evicts stale and idle entries, never an active
//! lock-out while anything else remains (see `bounded`).

use crate::bounded::{BoundedMap, Keep, Key};
use std::sync::Mutex;

/// Keys kept at most.
pub const DEFAULT_CAPACITY: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Count {
    failures: u32,
    window_start: i64,
}

#[derive(Debug)]
pub struct FailureLimiter {
    max_failures: u32,
    window: i64,
    entries: Mutex<BoundedMap<Count>>,
}

impl FailureLimiter {
    pub fn new(max_failures: u32, window: i64, capacity: usize) -> Self {
        FailureLimiter {
            max_failures: max_failures.max(1),
            window: window.max(1),
            entries: Mutex::new(BoundedMap::new(capacity)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BoundedMap<Count>> {
        // A panic elsewhere while holding the lock leaves plain counters: still usable.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(seconds until allowed again)` if `key` is locked out.
    pub fn check(&self, key: &Key, now: i64) -> Result<(), i64> {
        match self.lock().get_mut(key) {
            Some(c) if c.failures >= self.max_failures && now < c.window_start + self.window => {
                Err(c.window_start + self.window - now)
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, key: &Key, now: i64) {
        let (max, window) = (self.max_failures, self.window);
        let rank = move |c: &Count| {
            if now >= c.window_start + window {
                Keep::Stale
            } else if c.failures >= max {
                Keep::Precious
            } else {
                Keep::Normal
            }
        };
        let mut entries = self.lock();
        let count = entries.entry(
            *key,
            || Count {
                failures: 0,
                window_start: now,
            },
            rank,
        );
        if now >= count.window_start + window {
            *count = Count {
                failures: 0,
                window_start: now,
            };
        }
        count.failures += 1;
    }

    pub fn reset(&self, key: &Key) {
        self.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounded::key;

    #[test]
    fn locks_out_after_max_failures_until_the_window_ends() {
        let l = FailureLimiter::new(3, 60, 1000);
        let k = key("t", "k");
        for _ in 0..3 {
            assert!(l.check(&k, 100).is_ok());
            l.record_failure(&k, 100);
        }
        assert_eq!(l.check(&k, 110), Err(50));
        assert!(l.check(&key("t", "other"), 110).is_ok());
        assert!(l.check(&k, 160).is_ok());
        l.reset(&k);
        assert!(l.check(&k, 110).is_ok());
    }

    #[test]
    fn a_flood_of_200000_unknown_names_does_not_unlock_an_account() {
        let l = FailureLimiter::new(5, 300, DEFAULT_CAPACITY);
        let account = key("login", "ada@example.com");
        for _ in 0..5 {
            l.record_failure(&account, 1_000);
        }
        assert!(l.check(&account, 1_000).is_err());
        for i in 0..200_000 {
            l.record_failure(&key("client", &format!("agpt_client_made_up_{i}")), 1_001);
        }
        assert!(l.lock().len() <= DEFAULT_CAPACITY);
        assert!(
            l.check(&account, 1_002).is_err(),
            "the locked account is still locked after the flood"
        );
    }
}
