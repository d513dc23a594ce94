//! Counts failed sign-ins and client authentications per key, and refuses a
//! key that failed too often within a window: checked before any scrypt work,
//! so guessing is slow and cannot burn our CPU.

use std::collections::HashMap;
use std::sync::Mutex;

/// Keys kept at most; beyond this, windows that ended are dropped first.
const MAX_KEYS: usize = 100_000;

#[derive(Debug)]
pub struct FailureLimiter {
    max_failures: u32,
    window: i64,
    entries: Mutex<HashMap<String, (u32, i64)>>,
}

impl FailureLimiter {
    pub fn new(max_failures: u32, window: i64) -> Self {
        FailureLimiter {
            max_failures: max_failures.max(1),
            window: window.max(1),
            entries: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u32, i64)>> {
        // A panic elsewhere while holding the lock leaves plain counters: still usable.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(seconds until allowed again)` if `key` is locked out.
    pub fn check(&self, key: &str, now: i64) -> Result<(), i64> {
        match self.lock().get(key) {
            Some(&(count, start)) if count >= self.max_failures && now < start + self.window => {
                Err(start + self.window - now)
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, key: &str, now: i64) {
        let mut entries = self.lock();
        if entries.len() >= MAX_KEYS {
            let window = self.window;
            entries.retain(|_, (_, start)| now < *start + window);
            if entries.len() >= MAX_KEYS {
                entries.clear();
            }
        }
        let entry = entries.entry(key.to_owned()).or_insert((0, now));
        if now >= entry.1 + self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    pub fn reset(&self, key: &str) {
        self.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_out_after_max_failures_until_the_window_ends() {
        let l = FailureLimiter::new(3, 60);
        for _ in 0..3 {
            assert!(l.check("k", 100).is_ok());
            l.record_failure("k", 100);
        }
        assert_eq!(l.check("k", 110), Err(50));
        assert!(l.check("other", 110).is_ok());
        assert!(l.check("k", 160).is_ok());
        l.reset("k");
        assert!(l.check("k", 110).is_ok());
    }
}
