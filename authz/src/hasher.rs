//! scrypt, bounded: a fixed set of threads does every password and client
//! secret hash, so memory stays flat whatever the burst.
//!
//! One scrypt at the seed's parameters needs 16 MiB and ~35 ms of a core.
//! Run on demand, 32 simultaneous first authentications would take 512 MiB.
//! Here at most `workers` run at once (the machine's cores by default), at
//! most `queue` more wait, and anything beyond that is refused at once
//! ([`Busy`]: the caller answers 503 with `Retry-After`). Concurrent
//! verifications of the same secret against the same stored hash share one
//! computation. The threads are long-lived, so each keeps reusing its own
//! 16 MiB instead of leaving a freed copy behind in every thread that ever
//! hashed.

use crate::crypto::{hash_secret, verify_secret, HashedSecret};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, OnceCell};

/// Too many hashes waiting: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks are waiting")]
pub struct Busy;

type Work = Box<dyn FnOnce() + Send>;

/// What the hasher has done, for operators (and the tests that check the bound).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HasherStats {
    /// scrypt computations finished since start.
    pub computed: usize,
    /// The most that ever ran at the same time.
    pub peak_running: usize,
    /// Requests refused because the queue was full.
    pub refused: usize,
}

#[derive(Default)]
struct Counters {
    computed: AtomicUsize,
    running: AtomicUsize,
    peak_running: AtomicUsize,
    refused: AtomicUsize,
}

type Shared = Arc<OnceCell<Result<bool, Busy>>>;

pub struct Hasher {
    work: SyncSender<Work>,
    counters: Arc<Counters>,
    /// Verifications in flight, by a keyed digest of (stored hash, secret):
    /// later callers with the same pair wait for the first one's answer.
    in_flight: Mutex<HashMap<[u8; 32], Shared>>,
    key: [u8; 32],
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("stats", &self.stats())
            .finish()
    }
}

impl Hasher {
    /// `workers` threads and room for `queue` waiting computations.
    pub fn new(workers: usize, queue: usize) -> Self {
        let (work, jobs) = sync_channel::<Work>(queue);
        let jobs = Arc::new(Mutex::new(jobs));
        let counters = Arc::new(Counters::default());
        for i in 0..workers.max(1) {
            let jobs = Arc::clone(&jobs);
            let counters = Arc::clone(&counters);
            let spawned = std::thread::Builder::new()
                .name(format!("scrypt-{i}"))
                .spawn(move || serve(&jobs, &counters));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a hashing thread");
            }
        }
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Hasher {
            work,
            counters,
            in_flight: Mutex::default(),
            key,
        }
    }

    /// The number of hashing threads when none is configured: the machine's cores.
    pub fn default_workers() -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    }

    pub fn stats(&self) -> HasherStats {
        HasherStats {
            computed: self.counters.computed.load(Ordering::Relaxed),
            peak_running: self.counters.peak_running.load(Ordering::Relaxed),
            refused: self.counters.refused.load(Ordering::Relaxed),
        }
    }

    /// Runs `f` on a hashing thread, or refuses at once if the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let (done, answer) = oneshot::channel();
        let counters = Arc::clone(&self.counters);
        let work: Work = Box::new(move || {
            let running = counters.running.fetch_add(1, Ordering::SeqCst) + 1;
            counters.peak_running.fetch_max(running, Ordering::SeqCst);
            let out = f();
            counters.running.fetch_sub(1, Ordering::SeqCst);
            counters.computed.fetch_add(1, Ordering::Relaxed);
            let _ = done.send(out);
        });
        match self.work.try_send(work) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.counters.refused.fetch_add(1, Ordering::Relaxed);
                return Err(Busy);
            }
        }
        answer.await.map_err(|_| Busy)
    }

    /// Hashes a new secret (sign-up, a new client secret).
    pub async fn hash(&self, secret: String) -> Result<HashedSecret, Busy> {
        self.run(move || hash_secret(&secret)).await
    }

    /// Checks `secret` against `stored`; callers checking the same pair at
    /// the same time share one computation.
    pub async fn verify(&self, secret: &str, stored: &HashedSecret) -> Result<bool, Busy> {
        let id = self.digest(&stored.hash, secret);
        let cell = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(in_flight.entry(id).or_default())
        };
        let (secret, stored) = (secret.to_owned(), stored.clone());
        let outcome = *cell
            .get_or_init(|| async move { self.run(move || verify_secret(&secret, &stored)).await })
            .await;
        // The first caller to get here retires the entry; later ones start afresh.
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if in_flight.get(&id).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            in_flight.remove(&id);
        }
        outcome
    }

    fn digest(&self, stored_hash: &str, secret: &str) -> [u8; 32] {
        #[allow(clippy::expect_used)] // HMAC takes keys of any length
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(stored_hash.as_bytes());
        mac.update(&[0]);
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

fn serve(jobs: &Mutex<Receiver<Work>>, _counters: &Counters) {
    loop {
        let next = {
            let jobs = jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.recv()
        };
        match next {
            Ok(work) => work(),
            // The hasher was dropped: nothing more will come.
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_checks_of_one_secret_share_one_computation() {
        let hasher = Arc::new(Hasher::new(2, 64));
        let stored = hash_secret("s3cret");
        let checks: Vec<_> = (0..32)
            .map(|_| {
                let (h, s) = (Arc::clone(&hasher), stored.clone());
                tokio::spawn(async move { h.verify("s3cret", &s).await })
            })
            .collect();
        for c in checks {
            assert_eq!(c.await.unwrap(), Ok(true));
        }
        let stats = hasher.stats();
        assert!(stats.computed <= 2, "shared, not 32: {stats:?}");
        assert_eq!(hasher.verify("wrong", &stored).await, Ok(false));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_burst_runs_at_most_workers_at_once_and_refuses_beyond_the_queue() {
        let hasher = Arc::new(Hasher::new(2, 4));
        let stored = hash_secret("x");
        let checks: Vec<_> = (0..16)
            .map(|i| {
                let (h, s) = (Arc::clone(&hasher), stored.clone());
                tokio::spawn(async move { h.verify(&format!("guess {i}"), &s).await })
            })
            .collect();
        let mut refused = 0;
        for c in checks {
            match c.await.unwrap() {
                Ok(valid) => assert!(!valid),
                Err(Busy) => refused += 1,
            }
        }
        let stats = hasher.stats();
        assert!(stats.peak_running <= 2, "{stats:?}");
        assert!(
            refused > 0,
            "16 distinct checks cannot all fit 2 threads + 4 places"
        );
        assert_eq!(stats.refused, refused);
        assert_eq!(stats.computed, 16 - refused);
    }
}
