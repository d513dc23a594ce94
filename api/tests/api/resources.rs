//! Protected resources and resource indicators (RFC 8707): tokens bound to
//! the services the person approved, introspected by those services.

use crate::helpers::{spawn_app, TestApp, TestClient, VERIFIER};
use api::crypto::{hash_secret, random_token};
use api::domain::resource::Resource;
use serde_json::{json, Value};
use shared::{IntrospectResponse, ResourceUri, ScopeSet, TokenResponse};

const A: &str = "https://mcp.example.com/mcp";
const B: &str = "https://api.example.com/v1";

/// A registered resource's credentials.
pub(crate) struct ResourceServer {
    id: String,
    secret: String,
}

pub(crate) async fn register_resource(app: &TestApp, uri: &str, name: &str) -> ResourceServer {
    let id = random_token(Resource::ID_PREFIX);
    let secret = random_token("agpt_resource_secret_");
    api::store::resources::insert(
        &app.state.db,
        &Resource {
            protected_resource_id: id.clone(),
            uri: ResourceUri::parse(uri).unwrap(),
            name: name.into(),
            secret: hash_secret(&secret),
            scopes: ScopeSet::default(),
            disabled_at: None,
            created_at: app.state.now(),
        },
    )
    .await
    .unwrap();
    ResourceServer { id, secret }
}

pub(crate) async fn introspect_as(
    app: &TestApp,
    rs: &ResourceServer,
    token: &str,
) -> crate::helpers::Reply {
    crate::helpers::send(
        app.http
            .post(app.url("/api/oauth/introspect"))
            .basic_auth(&rs.id, Some(&rs.secret))
            .form(&[("token", token)]),
    )
    .await
}

/// Approves a request naming `resources`; returns the code.
async fn code_for(app: &TestApp, client: &TestClient, resources: &[&str]) -> String {
    if app.get("/api/auth/me").await.status != 200 {
        app.signup("rs@example.com").await.ok();
    }
    let mut body = app.authorize_body(client);
    body["resource"] = json!(resources);
    let r = app.authorize(&body).await;
    r.redirect_param("code")
        .unwrap_or_else(|| panic!("no code: {}", r.redirect_url()))
}

async fn exchange_with(
    app: &TestApp,
    client: &TestClient,
    code: &str,
    resources: &[&str],
) -> crate::helpers::Reply {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("code_verifier", VERIFIER),
    ];
    form.extend(resources.iter().map(|r| ("resource", *r)));
    app.post_form_basic("/api/oauth/token", client, &form).await
}

#[tokio::test]
async fn a_token_for_a_resource_is_introspected_by_it_and_no_other() {
    let app = spawn_app().await;
    let a = register_resource(&app, A, "AutoGPT MCP server").await;
    let b = register_resource(&app, B, "AutoGPT API").await;
    let client = app.default_app().await;
    let code = code_for(&app, &client, &[A]).await;
    let t: TokenResponse = exchange_with(&app, &client, &code, &[]).await.typed().ok();
    let at = t.access_token.secret();

    let seen = introspect_as(&app, &a, at)
        .await
        .typed::<IntrospectResponse>()
        .ok();
    assert!(seen.active);
    assert_eq!(seen.aud, Some(vec![A.to_owned()]));
    assert_eq!(seen.client_id.as_deref(), Some(client.client_id.as_str()));
    let other = introspect_as(&app, &b, at).await;
    assert_eq!(other.status, 200);
    assert_eq!(
        other.body,
        json!({"active": false}),
        "bound elsewhere: nothing said"
    );
    // The client still sees its own token, with its audience.
    assert_eq!(
        app.introspect(&client, at).await.ok().aud,
        Some(vec![A.to_owned()])
    );

    // A token issued without resource has no audience: only its client sees it.
    let plain = app.tokens(&client).await;
    assert_eq!(
        introspect_as(&app, &a, plain.access_token.secret())
            .await
            .body,
        json!({"active": false})
    );
    assert_eq!(
        app.introspect(&client, plain.access_token.secret())
            .await
            .ok()
            .aud,
        None
    );
}

#[tokio::test]
async fn token_requests_may_narrow_the_audience_never_widen_it() {
    let app = spawn_app().await;
    let a = register_resource(&app, A, "MCP").await;
    let b = register_resource(&app, B, "API").await;
    let client = app.default_app().await;
    let code = code_for(&app, &client, &[A, B]).await;

    let wider = exchange_with(&app, &client, &code, &["https://elsewhere.example/"]).await;
    assert_eq!((wider.status, wider.error()), (400, "invalid_target"));
    // The refused request spent nothing: the code still works, narrowed.
    let t: TokenResponse = exchange_with(&app, &client, &code, &[B]).await.typed().ok();
    let at = t.access_token.secret();
    assert!(
        !introspect_as(&app, &a, at)
            .await
            .typed::<IntrospectResponse>()
            .ok()
            .active
    );
    assert_eq!(
        introspect_as(&app, &b, at)
            .await
            .typed::<IntrospectResponse>()
            .ok()
            .aud,
        Some(vec![B.to_owned()])
    );

    // Refresh without resource: the whole grant's audience again.
    let r = app.refresh(&client, t.refresh_token.secret()).await.ok();
    let seen = app.introspect(&client, r.access_token.secret()).await.ok();
    assert_eq!(
        seen.aud,
        Some(vec![B.to_owned(), A.to_owned()]),
        "sorted, as granted"
    );
    // Refresh naming one: just that one; naming another: refused, token unspent.
    let refused = app
        .post_form_basic(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", r.refresh_token.secret()),
                ("resource", "https://elsewhere.example/"),
            ],
        )
        .await;
    assert_eq!((refused.status, refused.error()), (400, "invalid_target"));
    let narrowed: TokenResponse = app
        .post_form_basic(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", r.refresh_token.secret()),
                ("resource", A),
            ],
        )
        .await
        .typed()
        .ok();
    let seen = introspect_as(&app, &a, narrowed.access_token.secret())
        .await
        .typed::<IntrospectResponse>()
        .ok();
    assert_eq!(seen.aud, Some(vec![A.to_owned()]));
}

#[tokio::test]
async fn unknown_or_disabled_resources_go_back_as_invalid_target() {
    let app = spawn_app().await;
    let a = register_resource(&app, A, "MCP").await;
    let client = app.default_app().await;
    app.signup("rs@example.com").await.ok();
    for bad in [
        json!(["https://unknown.example/mcp"]),
        json!([A, "https://x.example/"]),
        json!(format!("{A}/")),
    ] {
        let mut body = app.authorize_body(&client);
        body["resource"] = bad.clone();
        let r = app.authorize(&body).await;
        assert_eq!(
            r.redirect_param("error").as_deref(),
            Some("invalid_target"),
            "{bad}"
        );
        assert_eq!(r.redirect_param("state").as_deref(), Some("xyz-state"));
    }
    let mut body = app.authorize_body(&client);
    body["resource"] = json!("https://mcp.example.com/mcp#frag");
    let r = app.authorize(&body).await;
    assert_eq!(
        r.redirect_param("error").as_deref(),
        Some("invalid_target"),
        "a fragment is refused"
    );

    api::store::resources::set_disabled(&app.state.db, &a.id, Some(app.state.now()))
        .await
        .unwrap();
    let mut body = app.authorize_body(&client);
    body["resource"] = json!(A);
    let r = app.authorize(&body).await;
    assert_eq!(r.redirect_param("error").as_deref(), Some("invalid_target"));
    let t = app.tokens(&client).await;
    let r = introspect_as(&app, &a, t.access_token.secret()).await;
    assert_eq!(
        (r.status, r.error()),
        (401, "invalid_client"),
        "a disabled resource cannot introspect"
    );
}

#[tokio::test]
async fn resource_servers_authenticate_and_only_introspect() {
    let app = spawn_app().await;
    let a = register_resource(&app, A, "MCP").await;
    let client = app.default_app().await;
    let code = code_for(&app, &client, &[A]).await;
    let t: TokenResponse = exchange_with(&app, &client, &code, &[]).await.typed().ok();
    let wrong = ResourceServer {
        id: a.id.clone(),
        secret: "agpt_resource_secret_wrong".into(),
    };
    let r = introspect_as(&app, &wrong, t.access_token.secret()).await;
    assert_eq!((r.status, r.error()), (401, "invalid_client"));
    assert!(r.header("www-authenticate").is_some());
    let revoke = crate::helpers::send(
        app.http
            .post(app.url("/api/oauth/revoke"))
            .basic_auth(&a.id, Some(&a.secret))
            .form(&[("token", t.access_token.secret())]),
    )
    .await;
    assert_eq!(
        revoke.error(),
        "invalid_client",
        "RFC 7009 is for the token's client"
    );
    assert!(
        app.is_active(&client, t.access_token.secret()).await,
        "nothing was revoked"
    );
}

#[tokio::test]
async fn the_consent_screen_gets_the_names_of_requested_resources() {
    let app = spawn_app().await;
    register_resource(&app, A, "AutoGPT MCP server").await;
    let client = app.default_app().await;
    let path = format!(
        "/api/oauth/app/{}?redirect_uri={}&resource={}&resource={}",
        client.client_id,
        urlencode(&client.redirect_uri),
        urlencode(A),
        urlencode("https://unknown.example/")
    );
    let r = app.get(&path).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["resources"],
        json!([{"uri": A, "name": "AutoGPT MCP server"}]),
        "only the known ones: the screen leaves the rest to the server"
    );
    assert_eq!(r.body["registration"], Value::from("operator"));
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Clients disagree on whether an MCP server at a bare origin is
/// `https://host` or `https://host/`: both name the registered resource,
/// through authorize, exchange, refresh and the resource's introspection,
/// and the token's audience is the registered spelling.
#[tokio::test]
async fn a_resource_is_found_in_any_equivalent_spelling() {
    let app = spawn_app().await;
    for (registered, asked, later) in [
        (
            "https://mcp.example.com",
            "https://mcp.example.com/",
            "HTTPS://MCP.example.com:443",
        ),
        (
            "https://api.example.com/",
            "https://api.example.com",
            "https://API.example.com:443/",
        ),
    ] {
        let rs = register_resource(&app, registered, "Bare origin").await;
        let client = app.default_app().await;
        let code = code_for(&app, &client, &[asked]).await;
        let t: TokenResponse = exchange_with(&app, &client, &code, &[asked])
            .await
            .typed()
            .ok();
        let seen = introspect_as(&app, &rs, t.access_token.secret())
            .await
            .typed::<IntrospectResponse>()
            .ok();
        assert!(seen.active, "{registered} asked as {asked}");
        assert_eq!(seen.aud, Some(vec![registered.to_owned()]));
        let r: TokenResponse = app
            .post_form_basic(
                "/api/oauth/token",
                &client,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", t.refresh_token.secret()),
                    ("resource", later),
                ],
            )
            .await
            .typed()
            .ok();
        let seen = introspect_as(&app, &rs, r.access_token.secret())
            .await
            .typed::<IntrospectResponse>()
            .ok();
        assert!(seen.active, "refreshed naming {later}");
        assert_eq!(seen.aud, Some(vec![registered.to_owned()]));
    }
    // A different path is a different resource.
    let client = app.default_app().await;
    let mut body = app.authorize_body(&client);
    body["resource"] = json!(["https://mcp.example.com/mcp"]);
    let r = app.authorize(&body).await;
    assert_eq!(r.redirect_param("error").as_deref(), Some("invalid_target"));
    // And one resource cannot be registered twice in two spellings.
    let twice = api::store::resources::insert(
        &app.state.db,
        &Resource {
            protected_resource_id: random_token(Resource::ID_PREFIX),
            uri: ResourceUri::parse("https://MCP.example.com:443/").unwrap(),
            name: "Again".into(),
            secret: hash_secret("s"),
            scopes: ScopeSet::default(),
            disabled_at: None,
            created_at: app.state.now(),
        },
    )
    .await;
    assert!(
        matches!(twice, Err(api::store::StoreError::Duplicate(_))),
        "{twice:?}"
    );
}

/// A resource server is presented access tokens only: introspecting a
/// refresh token bound to it says inactive (RFC 7662 §2.1), while the
/// client that holds it still sees it.
#[tokio::test]
async fn a_refresh_token_is_never_active_to_a_resource() {
    let app = spawn_app().await;
    let rs = register_resource(&app, A, "MCP").await;
    let client = app.default_app().await;
    let code = code_for(&app, &client, &[A]).await;
    let t: TokenResponse = exchange_with(&app, &client, &code, &[]).await.typed().ok();
    let seen = introspect_as(&app, &rs, t.refresh_token.secret()).await;
    assert_eq!((seen.status, &seen.body), (200, &json!({"active": false})));
    assert!(app.is_active(&client, t.refresh_token.secret()).await);
    assert!(
        introspect_as(&app, &rs, t.access_token.secret())
            .await
            .typed::<IntrospectResponse>()
            .ok()
            .active
    );
}

/// UserInfo accepts only tokens for no resource (or for us): a token bound
/// to an MCP server is that server's, not a way into the person's identity.
#[tokio::test]
async fn userinfo_refuses_a_token_bound_to_another_resource() {
    let app = spawn_app().await;
    register_resource(&app, A, "MCP").await;
    let client = app.default_app().await;
    app.signup("ui@example.com").await.ok();
    let mut tokens = Vec::new();
    for resources in [json!([A]), json!([])] {
        let mut body = app.authorize_body(&client);
        body["scope"] = json!("openid READ_GRAPH");
        body["resource"] = resources;
        let code = app.authorize(&body).await.redirect_param("code").unwrap();
        let t: TokenResponse = exchange_with(&app, &client, &code, &[]).await.typed().ok();
        tokens.push(t.access_token.secret().to_owned());
    }
    let userinfo = |token: &str| {
        crate::helpers::send(
            app.http
                .get(app.url("/api/oauth/userinfo"))
                .bearer_auth(token),
        )
    };
    let bound = userinfo(&tokens[0]).await;
    assert_eq!((bound.status, bound.error()), (401, "invalid_token"));
    assert_eq!(userinfo(&tokens[1]).await.status, 200);
}

/// `resource` is capped before anything is parsed or echoed: 1,000 copies
/// of one registered resource are a clear 400, never a redirect carrying
/// them all.
#[tokio::test]
async fn resource_parameters_are_capped() {
    let app = spawn_app().await;
    register_resource(&app, A, "MCP").await;
    let client = app.default_app().await;
    app.signup("cap@example.com").await.ok();
    let mut body = app.authorize_body(&client);
    body["resource"] = json!(vec![A; 10]);
    assert!(
        app.authorize(&body).await.redirect_param("code").is_some(),
        "ten is fine"
    );
    body["resource"] = json!(vec![A; 11]);
    let r = app.authorize(&body).await;
    assert_eq!((r.status, r.error()), (400, "invalid_request"));
    let query: String = std::iter::repeat_n(format!("resource={}", urlencode(A)), 1000)
        .collect::<Vec<_>>()
        .join("&");
    let front = format!(
        "/api/oauth/authorize?client_id={}&redirect_uri={}&response_type=code&{query}",
        client.client_id,
        urlencode(&client.redirect_uri)
    );
    let r = app.get(&front).await;
    assert_eq!(
        (r.status, r.error()),
        (400, "invalid_request"),
        "shown, not a 303 echoing them all"
    );
    let r = app
        .get(&format!("/api/oauth/app/{}?{query}", client.client_id))
        .await;
    assert_eq!((r.status, r.error()), (400, "invalid_request"));
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", "agpt_rt_x"),
    ];
    form.extend(std::iter::repeat_n(("resource", A), 11));
    let r = app
        .post_form_basic("/api/oauth/token", &client, &form)
        .await;
    assert_eq!((r.status, r.error()), (400, "invalid_request"));
}
