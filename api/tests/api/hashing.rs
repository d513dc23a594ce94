//! Password hashing is bounded: a burst never runs more scrypt computations
//! at once than configured, checks of one secret share one computation, and
//! what does not fit the queue is refused at once with 503, never queued
//! without end.

use crate::helpers::{spawn_app_with, PASSWORD};
use futures::future::join_all;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_first_authentications_of_one_client_costs_one_scrypt() {
    let app = spawn_app_with(|c| c.limits.hash_workers = Some(1)).await;
    let client = app.default_app().await;
    let before = app.state.hasher.stats();
    let replies = join_all((0..32).map(|_| app.introspect(&client, "agpt_xt_unknown"))).await;
    for r in &replies {
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let after = app.state.hasher.stats();
    assert_eq!(after.computed - before.computed, 1, "{after:?}");
    assert_eq!(after.peak_running, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_sign_ins_is_bounded_and_the_overflow_gets_503() {
    let app = spawn_app_with(|c| {
        c.limits.hash_workers = Some(2);
        c.limits.hash_queue = 4;
        c.limits.max_auth_failures = 1000;
    })
    .await;
    app.signup("ada@example.com").await.ok();
    let bodies: Vec<_> = (0..24)
        .map(|i| json!({"email": "ada@example.com", "password": format!("{PASSWORD} {i}")}))
        .collect();
    let replies = join_all(bodies.iter().map(|b| app.post_json("/api/auth/login", b))).await;
    let mut busy = 0;
    for r in &replies {
        match r.status {
            401 => assert_eq!(r.error(), "unauthorized"),
            503 => {
                busy += 1;
                assert_eq!(r.error(), "temporarily_unavailable");
                assert!(r.header("retry-after").is_some());
            }
            other => panic!("unexpected {other}: {:?}", r.body),
        }
    }
    let stats = app.state.hasher.stats();
    assert!(stats.peak_running <= 2, "{stats:?}");
    assert!(
        busy > 0,
        "24 distinct checks do not fit 2 threads and 4 places"
    );
    assert_eq!(stats.refused, busy);
}
