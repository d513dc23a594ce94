//! Single use must hold under concurrency: exactly one winner.

use crate::helpers::spawn_app;
use futures::future::join_all;

const RACERS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_simultaneous_redemptions_of_one_code_have_exactly_one_winner() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = app.get_code(&client).await;
    // Warm the verified-secret cache so the racers arrive together rather than queued behind scrypt.
    app.introspect(&client, "agpt_xt_warmup").await;
    let replies = join_all((0..RACERS).map(|_| app.exchange(&client, &code))).await;
    let winners: Vec<_> = replies.iter().filter(|r| r.body.is_ok()).collect();
    assert_eq!(
        winners.len(),
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in replies.iter().filter(|r| r.body.is_err()) {
        assert_eq!((r.status, r.error()), (400, "invalid_grant"));
    }
    assert_eq!(app.count("access_token").await, 1);
    // The losers were replays: the winner's tokens are revoked as RFC 9700 asks.
    let winner = winners[0].value();
    assert!(!app.is_active(&client, winner.access_token.secret()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_simultaneous_refreshes_of_one_token_have_exactly_one_winner() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let rt = t.refresh_token.secret();
    let replies = join_all((0..RACERS).map(|_| app.refresh(&client, rt))).await;
    let winners = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        winners,
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(
        app.count("refresh_token").await,
        2,
        "the original and exactly one successor"
    );
}
