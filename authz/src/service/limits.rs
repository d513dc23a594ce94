//! The failure limits as use cases apply them: check before any expensive work,
//! count failures, forget an account's count on success. The counts are in
//! the database (every instance sees the same), the rules in
//! `domain::limits`.

use super::Failure;
use crate::domain::limits::{retry_after, Count, Policy, Subject};
use crate::state::AppState;
use crate::store::limits;

/// The policy that governs `subject` under this configuration.
pub fn policy(state: &AppState, subject: &Subject<'_>) -> Policy {
    let c = &state.config;
    match subject {
        Subject::Account(_) | Subject::Client(..) => Policy {
            max: i64::from(c.limits.max_auth_failures),
            window: c.limits.auth_failure_window,
        },
        Subject::SignInSource(_) | Subject::ClientSource(_) | Subject::MetadataSource(_) => {
            Policy {
                max: i64::from(c.limits.max_source_failures),
                window: c.limits.auth_failure_window,
            }
        }
        Subject::SignUpSource(_) => Policy {
            max: i64::from(c.limits.max_signups_per_source),
            window: c.limits.signup_window,
        },
        Subject::RegistrationSource(_) => Policy {
            max: i64::from(c.registration.max_registrations_per_source),
            window: c.registration.registration_window,
        },
        // A site of 65,536 /64s gets 16 sources' worth, not 65,536.
        Subject::SignUpNetwork(_) => Policy {
            max: 16 * i64::from(c.limits.max_signups_per_source),
            window: c.limits.signup_window,
        },
        Subject::RegistrationNetwork(_) => Policy {
            max: 16 * i64::from(c.registration.max_registrations_per_source),
            window: c.registration.registration_window,
        },
        Subject::SignUps => Policy {
            max: i64::from(c.limits.max_signups_global),
            window: c.limits.signup_window,
        },
    }
}

/// An attempt counted before it was made.
#[must_use = "a failed attempt should say so (`failed`), to log a lock-out"]
pub struct Reservation {
    /// The subjects this attempt filled (kind, window), if it fails.
    filled: Vec<(&'static str, i64)>,
}

impl Reservation {
    /// The attempt failed: it stays counted, and a subject it filled is
    /// now locked out (logged once, as the security event it is).
    pub fn failed(self) {
        for (kind, window) in self.filled {
            tracing::warn!(
                event = "lockout",
                subject = kind,
                window_seconds = window,
                "too many attempts: locked out until the window ends"
            );
        }
    }
}

/// Counts this attempt against each of `subjects` before it is made, in
/// one statement per count, and refuses it ([`Failure::Limited`]: 429 with
/// `Retry-After`) if any count was already full: a parallel burst gets
/// exactly the allowed number of tries, not one per request in flight. An
/// attempt that then succeeds takes its place back (`release`, `clear`).
pub async fn reserve(
    state: &AppState,
    subjects: &[Subject<'_>],
    now: i64,
) -> Result<Reservation, Failure> {
    let keys: Vec<(String, i64)> = subjects
        .iter()
        .map(|s| (s.key(), policy(state, s).window))
        .collect();
    let counts = limits::reserve(&state.db, keys.clone(), now).await?;
    let mut wait = None;
    let mut filled = Vec::new();
    for (s, after) in subjects.iter().zip(&counts) {
        let p = policy(state, s);
        let before = Count {
            failures: after.failures - 1,
            ..*after
        };
        match retry_after(Some(&before), p, now) {
            Some(w) => wait = wait.max(Some(w)),
            None if after.failures == p.max => filled.push((s.kind(), p.window)),
            None => {}
        }
    }
    match wait {
        Some(retry_after) => {
            // Refused: it counts against none of its budgets.
            limits::release(&state.db, keys.into_iter().map(|(k, _)| k).collect()).await?;
            Err(Failure::Limited { retry_after })
        }
        None => Ok(Reservation { filled }),
    }
}

/// Refuses ([`Failure::Limited`]) if any of `subjects` is full, counting
/// nothing: for checks whose burst is legitimate (one client's parallel
/// first requests share one scrypt) and whose failures are then counted
/// with `reserve(…).failed()`. A parallel burst of guesses can pass it
/// together: only where each guess is hopeless anyway (server-made
/// 256-bit client secrets) and its cost is bounded by the hash queue.
pub async fn check(state: &AppState, subjects: &[Subject<'_>], now: i64) -> Result<(), Failure> {
    let keys: Vec<String> = subjects.iter().map(Subject::key).collect();
    let counts = limits::counts(&state.db, &keys).await?;
    let wait = subjects
        .iter()
        .zip(&keys)
        .filter_map(|(s, k)| retry_after(counts.get(k), policy(state, s), now))
        .max();
    match wait {
        Some(retry_after) => Err(Failure::Limited { retry_after }),
        None => Ok(()),
    }
}

/// Takes back the attempt `reserve` counted against `subject` (it did not fail).
pub async fn release(state: &AppState, subject: &Subject<'_>) -> Result<(), Failure> {
    Ok(limits::release(&state.db, vec![subject.key()]).await?)
}

/// Forgets `subject`'s count (a correct password ends an account's failures).
pub async fn clear(state: &AppState, subject: &Subject<'_>) -> Result<(), Failure> {
    Ok(limits::clear(&state.db, subject.key()).await?)
}
