//! The failure limits as use cases apply them: check before any expensive work,
//! count failures, forget an account's count on success. The counts are in
//! the database (every instance sees the same), the rules in
//! `domain::limits`.

use super::Failure;
use crate::domain::limits::{retry_after, Policy, Subject};
use crate::state::AppState;
use crate::store::limits;

/// The policy that governs `subject` under this configuration.
pub fn policy(state: &AppState, subject: &Subject<'_>) -> Policy {
    let c = &state.config;
    match subject {
        Subject::Account(_) | Subject::Client(..) => Policy {
            max: i64::from(c.max_auth_failures),
            window: c.auth_failure_window,
        },
        Subject::SignInSource(_) | Subject::ClientSource(_) | Subject::MetadataSource(_) => {
            Policy {
                max: i64::from(c.max_source_failures),
                window: c.auth_failure_window,
            }
        }
        Subject::SignUpSource(_) => Policy {
            max: i64::from(c.max_signups_per_source),
            window: c.signup_window,
        },
        Subject::RegistrationSource(_) => Policy {
            max: i64::from(c.max_registrations_per_source),
            window: c.registration_window,
        },
    }
}

/// Refuses ([`Failure::Limited`]: 429 with `Retry-After`) if any of
/// `subjects` is locked out.
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

/// Counts one event against each of `subjects`; logs a lock-out when one
/// reaches its limit.
pub async fn record(state: &AppState, subjects: &[Subject<'_>], now: i64) -> Result<(), Failure> {
    let keys: Vec<(String, i64)> = subjects
        .iter()
        .map(|s| (s.key(), policy(state, s).window))
        .collect();
    limits::record(&state.db, keys.clone(), now).await?;
    let counts = limits::counts(
        &state.db,
        &keys.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
    )
    .await?;
    for (s, (k, _)) in subjects.iter().zip(&keys) {
        let p = policy(state, s);
        if counts
            .get(k)
            .is_some_and(|c| c.failures == p.max && retry_after(Some(c), p, now).is_some())
        {
            tracing::warn!(
                event = "lockout",
                subject = s.kind(),
                window_seconds = p.window,
                "too many attempts: locked out until the window ends"
            );
        }
    }
    Ok(())
}

/// Forgets `subject`'s count (a correct password ends an account's failures).
pub async fn clear(state: &AppState, subject: &Subject<'_>) -> Result<(), Failure> {
    Ok(limits::clear(&state.db, subject.key()).await?)
}
