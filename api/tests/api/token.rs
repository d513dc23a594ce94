//! `POST /api/oauth/token` (RFC 6749 §4.1.3, §5, §6; RFC 7636; RFC 9700).

use crate::helpers::{pair, spawn_app, spawn_app_with, AppSpec, TestClient, CHALLENGE, VERIFIER};
use api::domain::client::GrantType;
use serde_json::json;
use shared::TokenResponse;

#[tokio::test]
async fn code_exchange_with_form_and_basic_auth_follows_rfc_6749_5_1() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = app.get_code(&client).await;
    let r = app.exchange(&client, &code).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let t = r.ok();
    let (access, refresh) = pair(&t);
    assert!(access.starts_with("agpt_xt_"));
    assert!(refresh.starts_with("agpt_rt_"));
    assert!(access.len() >= 8 + 43, "256 random bits");
    assert_eq!(t.token_type, shared::TokenType::Bearer);
    assert_eq!(t.expires_in, 3600);
    assert_eq!(t.scope, "EXECUTE_GRAPH READ_GRAPH");
}

#[tokio::test]
async fn code_exchange_with_json_and_body_credentials_as_in_the_seed() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = app.get_code(&client).await;
    let r = app
        .post_json_backend(
            "/api/oauth/token",
            &json!({
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": client.redirect_uri,
                "client_id": client.client_id,
                "client_secret": client.secret,
                "code_verifier": VERIFIER,
            }),
        )
        .await
        .typed::<TokenResponse>();
    assert!(r.ok().access_token.secret().starts_with("agpt_xt_"));
}

#[tokio::test]
async fn lifetimes_are_configurable_and_codes_expire() {
    let app = spawn_app_with(|c| {
        c.tokens.access_token_ttl = 120;
        c.tokens.auth_code_ttl = 30;
    })
    .await;
    let client = app.default_app().await;
    let code = app.get_code(&client).await;
    app.clock.advance(31);
    let r = app.exchange(&client, &code).await;
    assert_eq!((r.status, r.error()), (400, "invalid_grant"));
    assert!(r.description().contains("expired"));
    let r = app.exchange(&client, &app.get_code(&client).await).await;
    assert_eq!(r.ok().expires_in, 120);
}

#[tokio::test]
async fn a_code_is_bound_to_its_client_redirect_uri_and_verifier() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let other = app.default_app().await;
    let code = app.get_code(&client).await;
    let form = |code: &str, redirect: &str, verifier: &str| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", redirect.to_owned()),
            ("code_verifier", verifier.to_owned()),
        ]
    };
    let wrong_verifier = "a".repeat(43);
    for (who, fields, why) in [
        (
            &other,
            form(&code, &client.redirect_uri, VERIFIER),
            "another client",
        ),
        (
            &client,
            form(&code, "http://localhost:8080/other", VERIFIER),
            "another redirect_uri",
        ),
        (
            &client,
            form(&code, &client.redirect_uri, &wrong_verifier),
            "wrong verifier",
        ),
        (
            &client,
            form(&code, &client.redirect_uri, "short"),
            "verifier syntax",
        ),
        (
            &client,
            form(&code, &client.redirect_uri, CHALLENGE),
            "the challenge as verifier",
        ),
        (
            &client,
            form("agpt_code_garbage", &client.redirect_uri, VERIFIER),
            "unknown code",
        ),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post_form_basic("/api/oauth/token", who, &fields).await;
        assert_eq!(
            (r.status, r.error()),
            (400, "invalid_grant"),
            "{why}: {:?}",
            r.body
        );
    }
    // None of those attempts spent the code.
    assert_eq!(app.exchange(&client, &code).await.status, 200);
}

#[tokio::test]
async fn a_used_code_is_rejected_and_its_tokens_revoked() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = app.get_code(&client).await;
    let first = app.exchange(&client, &code).await.ok();
    let refreshed = app
        .refresh(&client, first.refresh_token.secret())
        .await
        .ok();
    assert!(
        app.is_active(&client, refreshed.access_token.secret())
            .await
    );

    let replay = app.exchange(&client, &code).await;
    assert_eq!((replay.status, replay.error()), (400, "invalid_grant"));
    for token in [
        first.access_token.secret(),
        refreshed.access_token.secret(),
        refreshed.refresh_token.secret(),
    ] {
        assert!(
            !app.is_active(&client, token).await,
            "every token from the replayed code is revoked"
        );
    }
}

#[tokio::test]
async fn plain_pkce_works_when_enabled() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    app.signup("ada@example.com").await;
    let mut body = app.authorize_body(&client);
    body["code_challenge"] = json!(VERIFIER);
    body["code_challenge_method"] = json!("plain");
    let code = app.authorize(&body).await.redirect_param("code").unwrap();
    app.exchange(&client, &code).await.ok();
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_grant() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let first = app.tokens(&client).await;
    let second = app.refresh(&client, first.refresh_token.secret()).await;
    assert_eq!(second.header("cache-control"), Some("no-store"));
    let second = second.ok();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(second.scope, "EXECUTE_GRAPH READ_GRAPH");
    let third = app
        .refresh(&client, second.refresh_token.secret())
        .await
        .ok();

    // An attacker (or a confused client) replays a rotated-out token.
    let reuse = app.refresh(&client, first.refresh_token.secret()).await;
    assert_eq!((reuse.status, reuse.error()), (400, "invalid_grant"));
    for token in [
        third.access_token.secret(),
        third.refresh_token.secret(),
        second.access_token.secret(),
    ] {
        assert!(
            !app.is_active(&client, token).await,
            "reuse revokes the whole grant"
        );
    }
    let after = app.refresh(&client, third.refresh_token.secret()).await;
    assert_eq!((after.status, after.error()), (400, "invalid_grant"));
}

#[tokio::test]
async fn refresh_may_narrow_but_not_widen_scope() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let first = app.tokens(&client).await;
    let rt = first.refresh_token.secret();
    let wider = app
        .post_form_basic(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("scope", "READ_GRAPH USE_TOOLS"),
            ],
        )
        .await
        .typed::<TokenResponse>();
    assert_eq!((wider.status, wider.error()), (400, "invalid_scope"));
    let narrower = app
        .post_form_basic(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("scope", "READ_GRAPH"),
            ],
        )
        .await
        .typed::<TokenResponse>()
        .ok(); // the failed widening did not spend the token
    assert_eq!(narrower.scope, "READ_GRAPH");
    // The new refresh token keeps the original grant's scope.
    let again = app.refresh(&client, narrower.refresh_token.secret()).await;
    assert_eq!(again.ok().scope, "EXECUTE_GRAPH READ_GRAPH");
}

#[tokio::test]
async fn refresh_tokens_expire_and_belong_to_their_client() {
    let app = spawn_app_with(|c| c.tokens.refresh_token_ttl = 100).await;
    let client = app.default_app().await;
    let other = app.default_app().await;
    let t = app.tokens(&client).await;
    let stolen = app.refresh(&other, t.refresh_token.secret()).await;
    assert_eq!((stolen.status, stolen.error()), (400, "invalid_grant"));
    app.clock.advance(101);
    let expired = app.refresh(&client, t.refresh_token.secret()).await;
    assert_eq!((expired.status, expired.error()), (400, "invalid_grant"));
}

#[tokio::test]
async fn public_clients_use_pkce_without_a_secret() {
    let app = spawn_app().await;
    let public = app
        .register_app(AppSpec {
            public: true,
            ..AppSpec::default()
        })
        .await;
    let code = app.get_code(&public).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", public.redirect_uri.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let with_secret = TestClient {
        secret: Some("agpt_secret_made_up".into()),
        ..public.clone()
    };
    let r = app.post_form("/api/oauth/token", &with_secret, &form).await;
    assert_eq!(
        (r.status, r.error()),
        (400, "invalid_client"),
        "a public client has no secret to show"
    );
    let r = app.post_form("/api/oauth/token", &public, &form).await;
    let t = r.typed::<TokenResponse>().ok();
    let refreshed = app
        .post_form(
            "/api/oauth/token",
            &public,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", t.refresh_token.secret()),
            ],
        )
        .await;
    refreshed.typed::<TokenResponse>().ok();
}

#[tokio::test]
async fn a_public_client_may_send_basic_with_an_empty_password() {
    // Many client libraries always use HTTP Basic; for a public client they
    // send `client_id:` (RFC 6749 §2.3.1 with an empty secret).
    let app = spawn_app().await;
    let public = app
        .register_app(AppSpec {
            public: true,
            ..AppSpec::default()
        })
        .await;
    let code = app.get_code(&public).await;
    let r = app
        .http
        .post(app.url("/api/oauth/token"))
        .basic_auth(&public.client_id, Some(""))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", public.redirect_uri.as_str()),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    let t: TokenResponse = crate::helpers::Reply::from(r).await.typed().ok();
    assert!(t.access_token.secret().starts_with("agpt_xt_"));
    // A confidential client with an empty password has presented no secret.
    let confidential = app.default_app().await;
    let r = app
        .post_form_basic(
            "/api/oauth/token",
            &TestClient {
                secret: Some(String::new()),
                ..confidential
            },
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "agpt_rt_x"),
            ],
        )
        .await;
    assert_eq!((r.status, r.error()), (401, "invalid_client"));
}

#[tokio::test]
async fn client_authentication_failures() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = app.get_code(&client).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let wrong = TestClient {
        secret: Some("agpt_secret_wrong".into()),
        ..client.clone()
    };
    let basic = app.post_form_basic("/api/oauth/token", &wrong, &form).await;
    assert_eq!((basic.status, basic.error()), (401, "invalid_client"));
    assert!(basic
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Basic")));
    let post = app.post_form("/api/oauth/token", &wrong, &form).await;
    assert_eq!((post.status, post.error()), (400, "invalid_client"));
    let none = TestClient {
        secret: None,
        ..client.clone()
    };
    let missing = app.post_form("/api/oauth/token", &none, &form).await;
    assert_eq!((missing.status, missing.error()), (400, "invalid_client"));
    // No credentials at all: 401 with a challenge (RFC 6749 §5.2).
    let anonymous = app
        .http
        .post(app.url("/api/oauth/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let unknown = TestClient {
        client_id: "agpt_client_unknown".into(),
        ..client.clone()
    };
    assert_eq!(
        app.post_form_basic("/api/oauth/token", &unknown, &form)
            .await
            .status,
        401
    );
    // Two methods at once.
    let r = app
        .http
        .post(app.url("/api/oauth/token"))
        .basic_auth(&client.client_id, client.secret.as_deref())
        .form(
            &[
                form.as_slice(),
                &[("client_secret", client.secret.as_deref().unwrap())],
            ]
            .concat(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Garbage in the Authorization header.
    let r = app
        .http
        .post(app.url("/api/oauth/token"))
        .header("authorization", "Basic %%%")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        app.exchange(&client, &code).await.status,
        200,
        "failed attempts did not spend the code"
    );
}

#[tokio::test]
async fn failed_client_authentication_is_rate_limited() {
    let app = spawn_app_with(|c| c.limits.max_auth_failures = 3).await;
    let client = app.default_app().await;
    let wrong = TestClient {
        secret: Some("agpt_secret_wrong".into()),
        ..client.clone()
    };
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "agpt_rt_x"),
    ];
    for _ in 0..3 {
        assert_eq!(
            app.post_form_basic("/api/oauth/token", &wrong, &form)
                .await
                .status,
            401
        );
    }
    let limited = app.post_form_basic("/api/oauth/token", &wrong, &form).await;
    assert_eq!(
        (limited.status, limited.error()),
        (429, "too_many_requests")
    );
    assert!(limited.header("retry-after").is_some());
    // A secret this instance has not verified yet waits out the window like any guess.
    let real = app
        .post_form_basic("/api/oauth/token", &client, &form)
        .await;
    assert_eq!(real.status, 429);
    app.clock
        .advance(app.state.config.limits.auth_failure_window);
    let real = app
        .post_form_basic("/api/oauth/token", &client, &form)
        .await;
    assert_eq!(
        (real.status, real.error()),
        (400, "invalid_grant"),
        "authenticated; the token is junk"
    );
    for _ in 0..3 {
        app.post_form_basic("/api/oauth/token", &wrong, &form).await;
    }
    let real = app
        .post_form_basic("/api/oauth/token", &client, &form)
        .await;
    assert_eq!(
        real.status, 400,
        "a recently verified secret still authenticates during an attack"
    );
}

#[tokio::test]
async fn grant_type_problems() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let r = app
        .post_form_basic("/api/oauth/token", &client, &[("grant_type", "password")])
        .await;
    assert_eq!((r.status, r.error()), (400, "unsupported_grant_type"));
    let r = app
        .post_form_basic("/api/oauth/token", &client, &[("code", "x")])
        .await;
    assert_eq!((r.status, r.error()), (400, "invalid_request"));
    let r = app
        .post_form_basic(
            "/api/oauth/token",
            &client,
            &[("grant_type", "authorization_code")],
        )
        .await;
    assert_eq!(
        (r.status, r.error()),
        (400, "invalid_request"),
        "code missing"
    );
    let no_refresh = app
        .register_app(AppSpec {
            grant_types: vec![GrantType::AuthorizationCode],
            ..AppSpec::default()
        })
        .await;
    let r = app
        .post_form_basic(
            "/api/oauth/token",
            &no_refresh,
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
    assert_eq!((r.status, r.error()), (400, "unauthorized_client"));
}

#[tokio::test]
async fn a_disabled_app_can_no_longer_get_tokens() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    app.set_disabled(&client, true).await;
    let r = app.refresh(&client, t.refresh_token.secret()).await;
    assert_eq!((r.status, r.error()), (401, "invalid_client"));
}

/// AutoGPT's v2 permissions are scopes: registered, asked for, granted,
/// in the token and in introspection, narrowed on refresh and never widened.
#[tokio::test]
async fn v2_permissions_go_through_authorize_token_and_introspection() {
    let app = spawn_app().await;
    let client = app
        .register_app(AppSpec {
            scopes: "READ_LIBRARY RUN_AGENT READ_RUN",
            ..AppSpec::default()
        })
        .await;
    app.signup("v2@example.com").await.ok();
    let mut body = app.authorize_body(&client);
    body["scope"] = json!("RUN_AGENT READ_LIBRARY");
    let code = app.authorize(&body).await.redirect_param("code").unwrap();
    let t: TokenResponse = app.exchange(&client, &code).await.ok();
    assert_eq!(t.scope, "RUN_AGENT READ_LIBRARY");
    let info = app.introspect(&client, t.access_token.secret()).await.ok();
    assert_eq!(info.scope.as_deref(), Some("RUN_AGENT READ_LIBRARY"));
    let narrowed = app
        .post_form_basic(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", t.refresh_token.secret()),
                ("scope", "READ_LIBRARY"),
            ],
        )
        .await;
    assert_eq!(narrowed.status, 200, "{:?}", narrowed.body);
    assert_eq!(narrowed.body["scope"], "READ_LIBRARY");
    let widened = app
        .post_form_basic(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "refresh_token"),
                (
                    "refresh_token",
                    narrowed.body["refresh_token"].as_str().unwrap(),
                ),
                ("scope", "READ_LIBRARY READ_RUN"),
            ],
        )
        .await;
    assert_eq!((widened.status, widened.error()), (400, "invalid_scope"));
    // A permission the app did not register is refused on the screen's terms.
    body["scope"] = json!("WRITE_FILES");
    let r = app.authorize(&body).await;
    assert_eq!((r.status, r.error()), (400, "scope_not_allowed"));
}
