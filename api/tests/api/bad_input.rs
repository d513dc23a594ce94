//! Bad input of any kind gets a 4xx with the one error shape: never a 500.

use crate::helpers::{spawn_app, Reply};

#[tokio::test]
async fn malformed_requests_get_clear_4xx_errors() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    app.signup("ada@example.com").await;
    let huge = "x".repeat(100_000);
    let cases: Vec<(&str, &str, String, u16, &str)> = vec![
        (
            "/api/auth/login",
            "application/json",
            "{not json".into(),
            400,
            "malformed JSON",
        ),
        (
            "/api/auth/login",
            "application/json",
            "".into(),
            400,
            "empty JSON",
        ),
        (
            "/api/auth/login",
            "text/plain",
            r#"{"email":"a","password":"b"}"#.into(),
            400,
            "wrong content type",
        ),
        (
            "/api/auth/login",
            "application/json",
            format!(r#"{{"email":"{huge}","password":"b"}}"#),
            413,
            "oversized",
        ),
        (
            "/api/auth/signup",
            "application/json",
            r#"{"email":1,"password":2}"#.into(),
            400,
            "wrong types",
        ),
        (
            "/api/oauth/authorize",
            "application/json",
            r#"{"client_id":["a"]}"#.into(),
            400,
            "array for string",
        ),
        (
            "/api/oauth/authorize",
            "application/json",
            r#"{"decision":"maybe"}"#.into(),
            400,
            "bad decision",
        ),
        (
            "/api/oauth/authorize",
            "application/json",
            r#"{"client_id":"agpt_client_x"}"#.into(),
            400,
            "no decision",
        ),
        (
            "/api/oauth/authorize",
            "application/json",
            r#"{"clientid":"typo","decision":"approve"}"#.into(),
            400,
            "a typo is no client_id",
        ),
        (
            "/api/oauth/token",
            "application/xml",
            "<grant/>".into(),
            400,
            "xml",
        ),
        (
            "/api/oauth/token",
            "application/json",
            "[1,2".into(),
            400,
            "broken JSON",
        ),
        (
            "/api/oauth/token",
            "application/x-www-form-urlencoded",
            "grant_type=a&grant_type=b".into(),
            400,
            "duplicate",
        ),
        (
            "/api/oauth/token",
            "application/x-www-form-urlencoded",
            format!("code={huge}"),
            413,
            "oversized form",
        ),
        (
            "/api/oauth/token",
            "application/x-www-form-urlencoded",
            "%%%=%%%".into(),
            400,
            "bad encoding",
        ),
        (
            "/api/oauth/introspect",
            "",
            "token=x".into(),
            400,
            "no content type",
        ),
        (
            "/api/oauth/revoke",
            "application/json",
            "null".into(),
            400,
            "null body",
        ),
    ];
    for (path, content_type, body, status, why) in cases {
        let r = app.post_raw(path, content_type, body).await;
        assert_eq!(r.status, status, "{why}: {:?}", r.body);
        r.error();
    }
    // Garbage tokens and ids in the path.
    for path in [
        "/api/oauth/app/%FF%FE",
        "/api/oauth/app/%00",
        &format!("/api/oauth/app/{}", "x".repeat(4000)),
    ] {
        let r = app.get(path).await;
        assert!(
            r.status == 404 || r.status == 400,
            "{path:.30}: {}",
            r.status
        );
        r.error();
    }
    assert!(
        !app.is_active(&client, &format!("agpt_xt_{}", "\u{0}".repeat(10)))
            .await
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_with_the_error_shape() {
    let app = spawn_app().await;
    let r = app.get("/api/nope").await;
    assert_eq!((r.status, r.error()), (404, "not_found"));
    let r = app.get("/api/oauth/token").await;
    assert_eq!((r.status, r.error()), (405, "method_not_allowed"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let r = status_of(
        app.browser
            .delete(app.url("/api/auth/me"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r, 405);
}

async fn status_of(r: reqwest::Response) -> u16 {
    r.status().as_u16()
}

/// RP-initiated logout by form POST with raw control bytes: a 400 in the
/// error shape, not a 500 (the bytes used to reach a Location header).
#[tokio::test]
async fn a_logout_form_with_raw_control_bytes_is_a_400() {
    let app = spawn_app().await;
    for body in ["state=a\u{1}b", "client_id=x&state=a\rb", "state=a b"] {
        let r = app
            .post_raw(
                "/api/oauth/logout",
                "application/x-www-form-urlencoded",
                body.to_owned(),
            )
            .await;
        assert_eq!((r.status, r.error()), (400, "invalid_request"), "{body:?}");
    }
    let r = app
        .post_raw(
            "/api/oauth/logout",
            "application/x-www-form-urlencoded",
            "state=a%01b",
        )
        .await;
    assert_eq!(r.status, 303, "percent-encoded is a form like any other");
}

/// An email with control characters is refused at the edge, before it can
/// be counted, looked up or logged (CR/LF would forge log lines).
#[tokio::test]
async fn emails_with_control_characters_are_refused() {
    let app = spawn_app().await;
    for path in ["/api/auth/login", "/api/auth/signup"] {
        let r = app
            .post_json(
                path,
                &serde_json::json!({"email": "ada@example.com\r\nINFO forged", "password": "whatever long enough"}),
            )
            .await;
        assert_eq!(
            (r.status, r.error()),
            (400, "invalid_request"),
            "{path}: {:?}",
            r.body
        );
    }
}

/// RFC 6749 §3.1, one reading of forms everywhere (`shared::form`): a
/// repeated parameter is a clear `invalid_request` at every endpoint that
/// reads a form or a query, naming the parameter; `resource` (RFC 8707 §2)
/// may repeat.
#[tokio::test]
async fn a_repeated_parameter_is_refused_everywhere_a_form_is_read() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = app.get_code(&client).await;
    let repeated = |r: &Reply, name: &str| {
        assert_eq!((r.status, r.error()), (400, "invalid_request"), "{name}");
        assert!(
            r.body["error_description"].as_str().unwrap().contains(name),
            "{:?}",
            r.body
        );
    };
    let form = |pairs: &[(&str, &str)]| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    let token = app
        .post_raw(
            "/api/oauth/token",
            "application/x-www-form-urlencoded",
            form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("code", &code),
            ]),
        )
        .await;
    repeated(&token, "code");
    let introspect = app
        .post_raw(
            "/api/oauth/introspect",
            "application/x-www-form-urlencoded",
            form(&[("token", "a"), ("token", "b")]),
        )
        .await;
    repeated(&introspect, "token");
    let userinfo = app
        .post_raw(
            "/api/oauth/userinfo",
            "application/x-www-form-urlencoded",
            form(&[("access_token", "a"), ("access_token", "b")]),
        )
        .await;
    repeated(&userinfo, "access_token");
    let logout = app
        .get(&format!(
            "/api/oauth/logout?{}",
            form(&[("state", "a"), ("state", "b")])
        ))
        .await;
    repeated(&logout, "state");
    let authorize = app
        .get(&format!(
            "/api/oauth/authorize?{}",
            form(&[("client_id", &client.client_id), ("client_id", "x")])
        ))
        .await;
    repeated(&authorize, "client_id");
    // A list takes every value: two resources are two (unknown) resources.
    let resources = app
        .get(&format!(
            "/api/oauth/app/{}?{}",
            client.client_id,
            form(&[
                ("redirect_uri", &client.redirect_uri),
                ("resource", "https://one.example/"),
                ("resource", "https://two.example/"),
            ])
        ))
        .await;
    assert_eq!(resources.status, 200, "{:?}", resources.body);
}
