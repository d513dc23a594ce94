//! Consent as a record of its own: remembered (only where allowed),
//! extended by new scopes, narrowed by the person's choice, listed on the
//! connected-apps API and removed there with every token issued under it;
//! and signing out of every browser.

use crate::helpers::{send, spawn_app, spawn_app_with, AppSpec, TestApp, TestClient, PASSWORD};
use serde_json::{json, Value};

/// The standard request for `client` with other scopes and a decision.
fn body(app: &TestApp, client: &TestClient, scope: &str, decision: &str) -> Value {
    let mut b = app.authorize_body(client);
    b["scope"] = json!(scope);
    b["decision"] = json!(decision);
    b
}

async fn app_info(app: &TestApp, client: &TestClient) -> Value {
    let r = app
        .get(&format!(
            "/api/oauth/app/{}?redirect_uri={}",
            client.client_id,
            url::form_urlencoded::byte_serialize(client.redirect_uri.as_bytes())
                .collect::<String>()
        ))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

async fn three_scope_app(app: &TestApp) -> TestClient {
    app.register_app(AppSpec {
        scopes: "EXECUTE_GRAPH READ_GRAPH READ_STORE",
        ..AppSpec::default()
    })
    .await
}

#[tokio::test]
async fn a_covered_request_of_a_verified_app_continues_without_the_screen() {
    let app = spawn_app().await;
    let client = three_scope_app(&app).await;
    app.signup("ada@example.com").await.ok();

    // Nothing allowed yet: the server refuses to skip the screen.
    let r = app
        .authorize(&body(&app, &client, "READ_GRAPH", "remembered"))
        .await;
    assert_eq!((r.status, r.error()), (400, "consent_required"));
    assert_eq!(app.count("oauth_grant").await, 0);

    app.authorize(&body(&app, &client, "READ_GRAPH", "approve"))
        .await
        .redirect_param("code")
        .expect("a code");
    let info = app_info(&app, &client).await;
    assert_eq!(info["granted_scopes"], json!(["READ_GRAPH"]));
    assert_eq!(info["remembers"], true);

    // The same again needs no click, and its code works.
    let r = app
        .authorize(&body(&app, &client, "READ_GRAPH", "remembered"))
        .await;
    let code = r.redirect_param("code").expect("a remembered code");
    let t = app.exchange(&client, &code).await.ok();
    assert_eq!(t.scope, "READ_GRAPH");

    // One new scope: the screen again; approving it extends the consent.
    let r = app
        .authorize(&body(
            &app,
            &client,
            "READ_GRAPH EXECUTE_GRAPH",
            "remembered",
        ))
        .await;
    assert_eq!((r.status, r.error()), (400, "consent_required"));
    app.authorize(&body(&app, &client, "EXECUTE_GRAPH", "approve"))
        .await
        .redirect_param("code")
        .expect("a code");
    let info = app_info(&app, &client).await;
    assert_eq!(
        info["granted_scopes"],
        json!(["READ_GRAPH", "EXECUTE_GRAPH"]),
        "in the order they were allowed"
    );
    app.authorize(&body(
        &app,
        &client,
        "READ_GRAPH EXECUTE_GRAPH",
        "remembered",
    ))
    .await
    .redirect_param("code")
    .expect("both are remembered now");

    // prompt=consent always shows the screen.
    let mut b = body(&app, &client, "READ_GRAPH", "remembered");
    b["prompt"] = json!("consent");
    let r = app.authorize(&b).await;
    assert_eq!((r.status, r.error()), (400, "consent_required"));

    // An app that registered itself is asked about every time.
    sqlx::query("update oauth_app set registration = 'dynamic' where client_id = $1")
        .bind(&client.client_id)
        .execute(&app.state.db.read)
        .await
        .unwrap();
    assert_eq!(app_info(&app, &client).await["remembers"], false);
    let r = app
        .authorize(&body(&app, &client, "READ_GRAPH", "remembered"))
        .await;
    assert_eq!((r.status, r.error()), (400, "consent_required"));
}

#[tokio::test]
async fn the_operator_can_turn_remembering_off() {
    let app = spawn_app_with(|c| c.tokens.remember_consent = false).await;
    let client = app.default_app().await;
    app.signup("ada@example.com").await.ok();
    app.authorize(&body(&app, &client, "READ_GRAPH", "approve"))
        .await
        .redirect_param("code")
        .expect("a code");
    let info = app_info(&app, &client).await;
    assert_eq!(
        (&info["granted_scopes"], &info["remembers"]),
        (&json!(["READ_GRAPH"]), &json!(false))
    );
    let r = app
        .authorize(&body(&app, &client, "READ_GRAPH", "remembered"))
        .await;
    assert_eq!((r.status, r.error()), (400, "consent_required"));
}

#[tokio::test]
async fn the_person_may_grant_fewer_scopes_than_asked() {
    let app = spawn_app().await;
    let client = three_scope_app(&app).await;
    app.signup("ada@example.com").await.ok();
    let asked = "EXECUTE_GRAPH READ_GRAPH READ_STORE";
    for (chosen, why) in [
        ("", "nothing left ticked"),
        ("INTEGRATIONS", "not requested"),
        ("READ_GRAPH NOPE", "not a scope"),
    ] {
        let mut b = body(&app, &client, asked, "approve");
        b["chosen_scope"] = json!(chosen);
        let r = app.authorize(&b).await;
        assert_eq!((r.status, r.error()), (400, "invalid_request"), "{why}");
    }
    let mut b = body(&app, &client, "openid READ_GRAPH", "approve");
    b["chosen_scope"] = json!("READ_GRAPH");
    let r = app.authorize(&b).await;
    assert_eq!(
        (r.status, r.error()),
        (400, "invalid_request"),
        "openid stays"
    );
    assert_eq!(
        app.count("oauth_grant").await,
        0,
        "nothing granted by refusals"
    );

    let mut b = body(&app, &client, asked, "approve");
    b["chosen_scope"] = json!("READ_STORE READ_GRAPH");
    let code = app.authorize(&b).await.redirect_param("code").unwrap();
    let t = app.exchange(&client, &code).await.ok();
    assert_eq!(
        t.scope, "READ_GRAPH READ_STORE",
        "RFC 6749 §3.3: says what was granted"
    );
    let i = app.introspect(&client, t.access_token.secret()).await.ok();
    assert_eq!(i.scope.as_deref(), Some("READ_GRAPH READ_STORE"));
    let r = app.refresh(&client, t.refresh_token.secret()).await.ok();
    assert_eq!(r.scope, "READ_GRAPH READ_STORE");
    assert_eq!(
        app_info(&app, &client).await["granted_scopes"],
        json!(["READ_GRAPH", "READ_STORE"]),
        "the consent holds only what was ticked"
    );
}

#[tokio::test]
async fn removing_an_apps_access_revokes_everything_issued_under_it_everywhere() {
    let app = spawn_app().await;
    let first = app.default_app().await;
    let second = three_scope_app(&app).await;
    let r = app.get("/api/account/apps").await;
    assert_eq!((r.status, r.error()), (401, "unauthorized"));
    app.signup("ada@example.com").await.ok();
    let r = app.get("/api/account/apps").await;
    assert_eq!(r.body, json!({"apps": []}));

    let kept = app.tokens(&first).await;
    let t = app.tokens(&second).await;
    let pending = app.get_code(&second).await;
    app.clock.advance(60);
    let newer = app.refresh(&second, t.refresh_token.secret()).await.ok();

    let r = app.get("/api/account/apps").await;
    assert_eq!(r.status, 200);
    let apps = r.body["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 2);
    let listed = apps
        .iter()
        .find(|a| a["client_id"] == second.client_id.as_str())
        .unwrap();
    assert_eq!(listed["name"], "Test App");
    assert_eq!(listed["registration"], "operator");
    assert_eq!(listed["scopes"][0]["name"], "EXECUTE_GRAPH");
    assert_eq!(
        listed["scopes"][0]["description"],
        "Execute agents/graphs (Deprecated: RUN_AGENT replaces it)"
    );
    let granted = listed["granted_at"].as_i64().unwrap();
    assert_eq!(
        listed["last_used_at"].as_i64(),
        Some(granted + 60),
        "the refresh"
    );
    // Expired access tokens are swept; the date stays (the refresh token has it).
    let swept = sqlx::query(
        "delete from access_token where grant_id in (select grant_id from oauth_grant
         where oauth_app_id = (select oauth_app_id from oauth_app where client_id = $1))",
    )
    .bind(&second.client_id)
    .execute(&app.state.db.read)
    .await
    .unwrap();
    assert!(swept.rows_affected() >= 2);
    let r = app.get("/api/account/apps").await;
    let again = r.body["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["client_id"] == second.client_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(again["last_used_at"].as_i64(), Some(granted + 60));
    let newer = app
        .refresh(&second, newer.refresh_token.secret())
        .await
        .ok();

    // Cross-site requests may not remove anything.
    let r = send(
        app.browser
            .delete(app.url(&format!("/api/account/apps/{}", second.client_id)))
            .header("origin", "https://evil.example"),
    )
    .await;
    assert_eq!(r.status, 403);

    let r = send(
        app.browser
            .delete(app.url(&format!("/api/account/apps/{}", second.client_id))),
    )
    .await;
    assert_eq!(r.status, 204);
    // Every token and code of that app is dead, on another instance too.
    let other = app.another_instance().await;
    assert!(!other.is_active(&second, newer.access_token.secret()).await);
    assert!(!other.is_active(&second, t.access_token.secret()).await);
    let r = other.refresh(&second, newer.refresh_token.secret()).await;
    assert_eq!((r.status, r.error()), (400, "invalid_grant"));
    let r = other.exchange(&second, &pending).await;
    assert_eq!((r.status, r.error()), (400, "invalid_grant"));
    // The other app keeps its access.
    assert!(app.is_active(&first, kept.access_token.secret()).await);
    let r = app.get("/api/account/apps").await;
    let apps = r.body["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["client_id"], first.client_id.as_str());
    // The next authorization asks again.
    let r = app
        .authorize(&body(&app, &second, "READ_GRAPH", "remembered"))
        .await;
    assert_eq!((r.status, r.error()), (400, "consent_required"));

    for missing in [second.client_id.as_str(), "agpt_client_nope", "bad id"] {
        let r = send(app.browser.delete(app.url(&format!(
            "/api/account/apps/{}",
            url::form_urlencoded::byte_serialize(missing.as_bytes()).collect::<String>()
        ))))
        .await;
        assert_eq!((r.status, r.error()), (404, "not_found"), "{missing}");
    }
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_person() {
    let app = spawn_app().await;
    app.signup("ada@example.com").await.ok();
    let laptop = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = send(
        laptop
            .post(app.url("/api/auth/login"))
            .json(&json!({"email": "ada@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(r.status, 200);
    // Someone else stays signed in.
    let bob = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = send(
        bob.post(app.url("/api/auth/signup"))
            .json(&json!({"email": "bob@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);

    let r = send(
        app.browser
            .post(app.url("/api/account/sign-out-everywhere")),
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(app.get("/api/auth/me").await.status, 401);
    assert_eq!(send(laptop.get(app.url("/api/auth/me"))).await.status, 401);
    assert_eq!(send(bob.get(app.url("/api/auth/me"))).await.status, 200);
    let r = send(
        app.browser
            .post(app.url("/api/account/sign-out-everywhere")),
    )
    .await;
    assert_eq!(r.status, 401);
}

/// RFC 8252 §8.6: any local process can pose as a public native app (its
/// loopback or private-use redirect is anyone's), so such an app is never
/// spared the screen, even operator-registered and allowed before: no
/// remembered decision, `prompt=none` answers consent_required. A public
/// app whose redirect URIs are all https still may be.
#[tokio::test]
async fn public_apps_on_a_device_always_show_the_screen() {
    let app = spawn_app().await;
    app.signup("native@example.com").await.ok();
    for (redirect, remembered) in [
        ("http://127.0.0.1:9000/cb", false),
        ("com.example.desktop:/cb", false),
        ("https://spa.example/cb", true),
    ] {
        let client = app
            .register_app(AppSpec {
                public: true,
                redirect_uris: vec![redirect.into()],
                ..AppSpec::default()
            })
            .await;
        app.authorize(&body(&app, &client, "READ_GRAPH", "approve"))
            .await
            .redirect_param("code")
            .expect("approved once");
        assert_eq!(
            app_info(&app, &client).await["remembers"],
            remembered,
            "{redirect}"
        );
        let r = app
            .authorize(&body(&app, &client, "READ_GRAPH", "remembered"))
            .await;
        if remembered {
            assert!(r.redirect_param("code").is_some(), "{redirect}");
        } else {
            assert_eq!(
                (r.status, r.error()),
                (400, "consent_required"),
                "{redirect}"
            );
        }
        let mut silent = app.authorize_body(&client);
        silent["scope"] = json!("READ_GRAPH");
        silent["prompt"] = json!("none");
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                silent
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, _)| *k != "decision")
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())),
            )
            .finish();
        let r = app.get(&format!("/api/oauth/authorize?{query}")).await;
        assert_eq!(r.status, 303);
        let to = r.header("location").unwrap();
        assert_eq!(
            to.contains("error=consent_required"),
            !remembered,
            "{redirect}: {to}"
        );
    }
}

/// `prompt=login` and `max_age` hold on the server too: an approval whose
/// sign-in is older than the request allows is refused (login_required),
/// whatever the page did; a denial always goes through.
#[tokio::test]
async fn a_stale_sign_in_cannot_approve_a_request_that_wants_a_fresh_one() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    app.signup("fresh@example.com").await.ok();
    let with = |extra: (&str, &str), decision: &str| {
        let mut b = body(&app, &client, "READ_GRAPH", decision);
        b[extra.0] = json!(extra.1);
        b
    };
    // Just signed in: fine.
    let r = app.authorize(&with(("prompt", "login"), "approve")).await;
    assert!(r.redirect_param("code").is_some());
    app.clock.advance(601);
    for extra in [("prompt", "login"), ("max_age", "0")] {
        let r = app.authorize(&with(extra, "approve")).await;
        assert_eq!((r.status, r.error()), (400, "login_required"), "{extra:?}");
        let r = app.authorize(&with(extra, "deny")).await;
        assert_eq!(r.redirect_param("error").as_deref(), Some("access_denied"));
    }
    let r = app.authorize(&with(("max_age", "3600"), "approve")).await;
    assert!(r.redirect_param("code").is_some(), "within max_age");
    let again = app.login("fresh@example.com", PASSWORD).await;
    assert_eq!(again.status, 200);
    let r = app.authorize(&with(("prompt", "login"), "approve")).await;
    assert!(r.redirect_param("code").is_some(), "signed in again");
}

/// A consent removed (connected-apps page) while an approval was on its way
/// does not come back: the approval writes its extension only onto the
/// record it read, and otherwise its own scopes alone.
#[tokio::test]
async fn a_consent_removed_meanwhile_is_not_brought_back() {
    use api::domain::authorize::Approval;
    use api::store::{consents, grants};
    use shared::{CodeChallengeMethod, Scope, ScopeSet};
    let app = spawn_app().await;
    let client = three_scope_app(&app).await;
    let me = app.signup("race@example.com").await.ok();
    app.authorize(&body(&app, &client, "READ_GRAPH", "approve"))
        .await
        .redirect_param("code")
        .expect("approved");
    let oauth_app_id = api::store::apps::find_client(
        &app.state.db,
        &shared::ClientId::parse(&client.client_id).unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .oauth_app_id;
    // An approval reads the consent…
    let seen = consents::find(&app.state.db, &me.user_id, &oauth_app_id)
        .await
        .unwrap()
        .unwrap();
    // …the person removes the app meanwhile…
    let removed = send(
        app.browser
            .delete(app.url(&format!("/api/account/apps/{}", client.client_id))),
    )
    .await;
    assert_eq!(removed.status, 204);
    // …and the approval is written.
    let now = app.state.now();
    let execute = ScopeSet::new([Scope::ExecuteGraph]);
    grants::create_authorization(
        &app.state.db,
        grants::NewAuthorization {
            grant_id: api::crypto::random_id(),
            user_id: me.user_id.clone(),
            oauth_app_id: oauth_app_id.clone(),
            scopes: execute.clone(),
            resources: Vec::new(),
            code_hash: api::crypto::random_id(),
            redirect_uri: client.redirect_uri.clone(),
            code_challenge: crate::helpers::CHALLENGE.into(),
            code_challenge_method: CodeChallengeMethod::S256,
            now,
            code_expires_at: now + 600,
            nonce: None,
            auth_time: now,
            consent: Approval::extended(Some(&seen.approval), &execute, &[]),
            consent_seen: Some(seen.updated_at),
            approved: Approval {
                scopes: execute.clone(),
                resources: Vec::new(),
            },
        },
    )
    .await
    .unwrap();
    let after = consents::find(&app.state.db, &me.user_id, &oauth_app_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.approval.scopes, execute, "READ_GRAPH stays removed");
}
