//! Bad input of any kind gets a 4xx with the one error shape: never a 500.

use crate::helpers::spawn_app;

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
