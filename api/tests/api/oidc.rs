//! OpenID Connect: discovery, ID Tokens checked with other libraries than
//! the one that signs them (RustCrypto's rsa and p256) against the
//! published JWKS, key rotation, UserInfo, prompt=none and RP-initiated logout.

use crate::helpers::{send, spawn_app, spawn_app_with, TestApp, TestClient, CHALLENGE, VERIFIER};
use api::domain::oidc::{SigningAlg, PUBLISH_AHEAD};
use api::keys::KEY_CACHE_SECONDS;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use shared::TokenResponse;

fn b64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).expect("base64url")
}

/// The header and claims of `jwt`, after its signature verified against a
/// key of `jwks` (by `kid`) with RustCrypto.
fn verified(jwt: &str, jwks: &Value) -> (Value, Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS");
    let header: Value = serde_json::from_slice(&b64(parts[0])).unwrap();
    let claims: Value = serde_json::from_slice(&b64(parts[1])).unwrap();
    let signed = format!("{}.{}", parts[0], parts[1]);
    let sig = b64(parts[2]);
    let kid = header["kid"].as_str().expect("a kid");
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("kid {kid} is not published"));
    match header["alg"].as_str().unwrap() {
        "RS256" => {
            use rsa::pkcs1v15::{Signature, VerifyingKey};
            use rsa::signature::Verifier;
            let key = rsa::RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(&b64(jwk["n"].as_str().unwrap())),
                rsa::BigUint::from_bytes_be(&b64(jwk["e"].as_str().unwrap())),
            )
            .unwrap();
            VerifyingKey::<rsa::sha2::Sha256>::new(key)
                .verify(
                    signed.as_bytes(),
                    &Signature::try_from(sig.as_slice()).unwrap(),
                )
                .expect("RS256 signature");
        }
        "ES256" => {
            use p256::ecdsa::signature::Verifier;
            use p256::ecdsa::{Signature, VerifyingKey};
            let x = b64(jwk["x"].as_str().unwrap());
            let y = b64(jwk["y"].as_str().unwrap());
            let point = p256::EncodedPoint::from_affine_coordinates(
                x.as_slice().into(),
                y.as_slice().into(),
                false,
            );
            VerifyingKey::from_encoded_point(&point)
                .unwrap()
                .verify(signed.as_bytes(), &Signature::from_slice(&sig).unwrap())
                .expect("ES256 signature");
        }
        other => panic!("unexpected alg {other}"),
    }
    (header, claims)
}

async fn jwks(app: &TestApp) -> Value {
    let r = app.get("/api/oauth/jwks").await;
    assert_eq!(r.status, 200);
    r.body
}

fn at_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16])
}

/// Approves `scope` (with `extra` parameters) for `client`, signed in; the code.
async fn code_with(app: &TestApp, client: &TestClient, scope: &str, extra: Value) -> String {
    if app.get("/api/auth/me").await.status != 200 {
        app.signup("oidc@example.com").await.ok();
    }
    let mut body = app.authorize_body(client);
    body["scope"] = json!(scope);
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app.authorize(&body).await;
    r.redirect_param("code")
        .unwrap_or_else(|| panic!("{}", r.redirect_url()))
}

#[tokio::test]
async fn discovery_names_everything_a_relying_party_needs() {
    let app = spawn_app().await;
    let oidc = app.get("/.well-known/openid-configuration").await;
    assert_eq!(oidc.status, 200);
    let oauth = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(oidc.body, oauth.body, "one document, one issuer");
    let m = &oidc.body;
    let issuer = &*app.state.issuer;
    assert_eq!(m["issuer"], issuer);
    assert_eq!(m["jwks_uri"], format!("{issuer}/api/oauth/jwks"));
    assert_eq!(
        m["userinfo_endpoint"],
        format!("{issuer}/api/oauth/userinfo")
    );
    assert_eq!(
        m["end_session_endpoint"],
        format!("{issuer}/api/oauth/logout")
    );
    assert_eq!(m["subject_types_supported"], json!(["public"]));
    assert_eq!(
        m["id_token_signing_alg_values_supported"],
        json!(["RS256", "ES256"])
    );
    assert_eq!(m["response_types_supported"], json!(["code"]));
    for scope in ["openid", "profile", "email", "offline_access", "READ_GRAPH"] {
        assert!(
            m["scopes_supported"]
                .as_array()
                .unwrap()
                .contains(&json!(scope)),
            "{scope}"
        );
    }
    for claim in [
        "sub",
        "email",
        "email_verified",
        "name",
        "auth_time",
        "nonce",
    ] {
        assert!(
            m["claims_supported"]
                .as_array()
                .unwrap()
                .contains(&json!(claim)),
            "{claim}"
        );
    }
    assert_eq!(m["request_uri_parameter_supported"], false);
    assert_eq!(m["ui_locales_supported"], json!(["en", "de"]));
    assert!(m["prompt_values_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("none")));
    assert!(m["code_challenge_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("S256")));
}

#[tokio::test]
async fn an_id_token_verifies_against_the_jwks_and_says_who_signed_in() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = code_with(
        &app,
        &client,
        "openid email profile READ_GRAPH",
        json!({"nonce": "n-0S6_WzA2Mj"}),
    )
    .await;
    let me = app.me().await.ok();
    let t: TokenResponse = app.exchange(&client, &code).await.ok();
    let id_token = t
        .id_token
        .as_deref()
        .expect("openid was granted: an ID Token");
    let (header, claims) = verified(id_token, &jwks(&app).await);
    assert_eq!(
        header["alg"], "RS256",
        "the default every relying party accepts"
    );
    let now = app.state.now();
    assert_eq!(claims["iss"], json!(&*app.state.issuer));
    assert_eq!(
        claims["sub"],
        json!(me.user_id),
        "the opaque account id, never the email"
    );
    assert_eq!(claims["aud"], json!(client.client_id));
    assert_eq!(claims["azp"], json!(client.client_id));
    assert_eq!(claims["iat"], json!(now));
    assert_eq!(claims["exp"], json!(now + 3600));
    assert_eq!(claims["auth_time"], json!(me.auth_time));
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["at_hash"], json!(at_hash(t.access_token.secret())));
    assert_eq!(claims["email"], "oidc@example.com");
    assert_eq!(
        claims["email_verified"], false,
        "we do not verify addresses"
    );
    assert_eq!(claims["preferred_username"], "oidc@example.com");
    assert!(claims.get("name").is_none(), "no name was ever given");

    // Refresh: a new ID Token, same person and auth_time, no nonce.
    app.clock.advance(120);
    let r = app.refresh(&client, t.refresh_token.secret()).await.ok();
    let (_, again) = verified(
        r.id_token.as_deref().expect("refreshed ID Token"),
        &jwks(&app).await,
    );
    assert_eq!(again["sub"], claims["sub"]);
    assert_eq!(again["auth_time"], claims["auth_time"]);
    assert_eq!(again["iat"], json!(now + 120));
    assert!(again.get("nonce").is_none());
    assert_eq!(again["at_hash"], json!(at_hash(r.access_token.secret())));
}

#[tokio::test]
async fn without_openid_there_is_no_id_token() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    assert!(t.id_token.is_none());
    let r = app.refresh(&client, t.refresh_token.secret()).await.ok();
    assert!(r.id_token.is_none());
}

#[tokio::test]
async fn a_client_that_registered_es256_gets_es256() {
    let app = spawn_app().await;
    let reg = app
        .post_json_backend(
            "/api/oauth/register",
            &json!({
                "redirect_uris": ["http://localhost:8080/callback"],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "id_token_signed_response_alg": "ES256",
            }),
        )
        .await;
    assert_eq!(reg.status, 201, "{:?}", reg.body);
    assert_eq!(reg.body["id_token_signed_response_alg"], "ES256");
    let client = TestClient {
        client_id: reg.body["client_id"].as_str().unwrap().into(),
        secret: None,
        redirect_uri: "http://localhost:8080/callback".into(),
    };
    let code = code_with(&app, &client, "openid", json!({})).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let t: TokenResponse = app
        .post_form("/api/oauth/token", &client, &form)
        .await
        .typed()
        .ok();
    let (header, claims) = verified(t.id_token.as_deref().unwrap(), &jwks(&app).await);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["aud"], json!(client.client_id));
}

#[tokio::test]
async fn after_a_rotation_old_tokens_verify_and_new_ones_use_the_new_key() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = code_with(&app, &client, "openid", json!({})).await;
    let old = app.exchange(&client, &code).await.ok();
    let old_token = old.id_token.unwrap();
    let old_kid = verified(&old_token, &jwks(&app).await).0["kid"].clone();

    // The new key is published at once (on every instance: it is in the
    // database) and signs only once relying parties can have it.
    let other = app.another_instance().await;
    jwks(&other).await; // its keys are read (and cached for signing)
    let new_kid = app
        .state
        .keys
        .rotate(&app.state.db, SigningAlg::Rs256, app.state.now())
        .await
        .unwrap();
    let published: Vec<Value> = jwks(&other).await["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert!(
        published.contains(&json!(new_kid)) && published.contains(&old_kid),
        "{published:?}"
    );
    let code = code_with(&app, &client, "openid", json!({})).await;
    let soon = app.exchange(&client, &code).await.ok().id_token.unwrap();
    assert_eq!(
        verified(&soon, &jwks(&app).await).0["kid"],
        old_kid,
        "not before its time"
    );

    app.clock.advance(PUBLISH_AHEAD + KEY_CACHE_SECONDS);
    let code = code_with(&app, &client, "openid", json!({})).await;
    let new = app.exchange(&client, &code).await.ok().id_token.unwrap();
    let keys = jwks(&app).await;
    assert_eq!(verified(&new, &keys).0["kid"], json!(new_kid));
    verified(&old_token, &keys); // the old key's tokens still verify

    // Once every token the old key signed has expired, it is no longer published.
    app.clock.advance(3600 + KEY_CACHE_SECONDS);
    let kids: Vec<Value> = jwks(&app).await["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert!(
        !kids.contains(&old_kid) && kids.contains(&json!(new_kid)),
        "{kids:?}"
    );
}

#[tokio::test]
async fn private_keys_are_encrypted_when_the_operator_sets_a_key() {
    let key = "a".repeat(64);
    let app = spawn_app_with(|c| {
        c.tokens.signing_key_encryption_key = Some(api::config::KeyText(key.clone()))
    })
    .await;
    jwks(&app).await; // makes the keys
    let stored: Vec<String> = sqlx::query_scalar("select private_key from signing_key")
        .fetch_all(&app.state.db.read)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(
        stored.iter().all(|k| k.starts_with("aes256gcm:")),
        "{stored:?}"
    );
    // Another instance without the key (or with another) refuses to start.
    let mut config = (*app.state.config).clone();
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.tokens.signing_key_encryption_key = None;
    let db = api::store::Db::connect(&config.database.database_url, 1)
        .await
        .unwrap();
    let started =
        api::Application::build_with(config, db, std::sync::Arc::new(api::clock::SystemClock))
            .await;
    assert!(matches!(started, Err(api::StartError::Keys(_))));
    // Without a key, keys are stored plainly (the README says so).
    let plain = spawn_app().await;
    jwks(&plain).await;
    let stored: Vec<String> = sqlx::query_scalar("select private_key from signing_key")
        .fetch_all(&plain.state.db.read)
        .await
        .unwrap();
    assert!(stored.iter().all(|k| k.starts_with("plain:")));
}

#[tokio::test]
async fn userinfo_answers_the_claims_of_the_token_scopes() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let code = code_with(&app, &client, "openid email READ_GRAPH", json!({})).await;
    let t = app.exchange(&client, &code).await.ok();
    let me = app.me().await.ok();
    let at = t.access_token.secret();
    let get = |token: Option<&str>| {
        let mut r = app.http.get(app.url("/api/oauth/userinfo"));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        send(r)
    };
    let r = get(Some(at)).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"sub": me.user_id, "email": "oidc@example.com", "email_verified": false}),
        "email only: no profile claims"
    );
    // POST with the token in the form body (RFC 6750 §2.2) works too.
    let r = send(
        app.http
            .post(app.url("/api/oauth/userinfo"))
            .form(&[("access_token", at)]),
    )
    .await;
    assert_eq!(r.status, 200);

    let r = get(None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"oauth\""));
    for bad in ["agpt_xt_nope", "not-even-ours", t.refresh_token.secret()] {
        let r = get(Some(bad)).await;
        assert_eq!((r.status, r.error()), (401, "invalid_token"), "{bad}");
        assert!(r
            .header("www-authenticate")
            .unwrap()
            .contains("error=\"invalid_token\""));
    }
    let plain = app.tokens(&client).await; // no openid
    let r = get(Some(plain.access_token.secret())).await;
    assert_eq!((r.status, r.error()), (403, "insufficient_scope"));
    app.revoke(&client, at).await;
    assert_eq!(get(Some(at)).await.error(), "invalid_token", "revoked");
}

/// `GET /api/oauth/authorize?…` (what the consent screen forwards `prompt=none` to).
async fn silent(app: &TestApp, client: &TestClient, extra: &str) -> crate::helpers::Reply {
    let scope = if extra.contains("scope=") {
        ""
    } else {
        "&scope=openid%20READ_GRAPH"
    };
    let q = format!(
        "client_id={}&redirect_uri={}&response_type=code{scope}&state=st&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
        client.client_id,
        url::form_urlencoded::byte_serialize(client.redirect_uri.as_bytes()).collect::<String>(),
    );
    app.get(&format!("/api/oauth/authorize?{q}")).await
}

fn location_param(r: &crate::helpers::Reply, name: &str) -> Option<String> {
    let loc = r.header("location").expect("a redirect");
    url::Url::parse(loc)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn prompt_none_answers_without_a_screen() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let r = silent(&app, &client, "&prompt=none").await;
    assert_eq!(r.status, 303);
    assert_eq!(
        location_param(&r, "error").as_deref(),
        Some("login_required")
    );
    assert_eq!(location_param(&r, "state").as_deref(), Some("st"));
    assert_eq!(
        location_param(&r, "iss").as_deref(),
        Some(&*app.state.issuer)
    );

    app.signup("silent@example.com").await.ok();
    let r = silent(&app, &client, "&prompt=none").await;
    assert_eq!(
        location_param(&r, "error").as_deref(),
        Some("consent_required")
    );
    // Once approved, the same (or a smaller) request gets a code silently…
    code_with(&app, &client, "openid READ_GRAPH", json!({})).await;
    let r = silent(&app, &client, "&prompt=none&nonce=abc").await;
    let code = location_param(&r, "code").expect("a code without a screen");
    let t = app.exchange(&client, &code).await.ok();
    let (_, claims) = verified(t.id_token.as_deref().unwrap(), &jwks(&app).await);
    assert_eq!(claims["nonce"], "abc");
    // …but not more than was approved, nor with a sign-in older than max_age.
    let r = silent(
        &app,
        &client,
        "&prompt=none&scope=openid%20READ_GRAPH%20EXECUTE_GRAPH",
    )
    .await;
    assert_eq!(
        location_param(&r, "error").as_deref(),
        Some("consent_required")
    );
    app.clock.advance(100);
    let r = silent(&app, &client, "&prompt=none&max_age=60").await;
    assert_eq!(
        location_param(&r, "error").as_deref(),
        Some("login_required")
    );
    let r = silent(&app, &client, "&prompt=none%20login").await;
    assert_eq!(
        location_param(&r, "error").as_deref(),
        Some("invalid_request")
    );
    // Without prompt=none the browser goes on to the consent screen.
    let r = silent(&app, &client, "").await;
    assert_eq!(r.status, 303);
    assert!(r
        .header("location")
        .unwrap()
        .starts_with("/auth/authorize?client_id="));
    // An unverified redirect URI is never redirected to.
    let evil = TestClient {
        redirect_uri: "https://evil.example/cb".into(),
        ..client.clone()
    };
    let r = silent(&app, &evil, "&prompt=none").await;
    assert_eq!((r.status, r.error()), (400, "redirect_uri_not_registered"));
}

/// An app with a registered post-logout URI.
async fn app_with_logout(app: &TestApp) -> TestClient {
    let client = app.default_app().await;
    sqlx::query(
        "insert into oauth_app_post_logout_uri (oauth_app_id, uri)
         select oauth_app_id, 'https://app.example.com/bye' from oauth_app where client_id = $1",
    )
    .bind(&client.client_id)
    .execute(&app.state.db.read)
    .await
    .unwrap();
    client
}

#[tokio::test]
async fn rp_initiated_logout_signs_out_and_goes_back_only_to_a_registered_uri() {
    let app = spawn_app().await;
    let client = app_with_logout(&app).await;
    let code = code_with(&app, &client, "openid", json!({})).await;
    let hint = app.exchange(&client, &code).await.ok().id_token.unwrap();
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();

    // An unregistered URI: not sent there, not signed out; the page asks,
    // and the confirmation is refused.
    let q = format!(
        "id_token_hint={hint}&post_logout_redirect_uri={}&state=s1",
        enc("https://evil.example/bye")
    );
    let r = app.get(&format!("/api/oauth/logout?{q}")).await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some(format!("/auth/logout?{q}").as_str())
    );
    assert_eq!(app.get("/api/auth/me").await.status, 200, "still signed in");
    let confirm = app
        .post_json(
            "/api/oauth/logout",
            &json!({"query": format!("id_token_hint={hint}&post_logout_redirect_uri={}", enc("https://evil.example/bye"))}),
        )
        .await;
    assert_eq!((confirm.status, confirm.error()), (400, "invalid_request"));
    assert_eq!(app.get("/api/auth/me").await.status, 200);

    // A registered one with a valid hint: signed out at once, back with state.
    let q = format!(
        "id_token_hint={hint}&post_logout_redirect_uri={}&state=s2",
        enc("https://app.example.com/bye")
    );
    let r = app.get(&format!("/api/oauth/logout?{q}")).await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("https://app.example.com/bye?state=s2")
    );
    assert_eq!(app.get("/api/auth/me").await.status, 401, "signed out");
}

#[tokio::test]
async fn logout_without_a_hint_asks_first() {
    let app = spawn_app().await;
    let client = app_with_logout(&app).await;
    app.signup("bye@example.com").await.ok();
    let r = app
        .get(&format!("/api/oauth/logout?client_id={}", client.client_id))
        .await;
    assert!(r.header("location").unwrap().starts_with("/auth/logout?"));
    assert_eq!(
        app.get("/api/auth/me").await.status,
        200,
        "a link alone signs nobody out"
    );
    // A forged hint is refused like no hint.
    let r = app
        .get("/api/oauth/logout?id_token_hint=eyJhbGciOiJub25lIn0.e30.")
        .await;
    assert!(r.header("location").unwrap().starts_with("/auth/logout?"));
    // A cross-site confirmation is refused.
    let cross = send(
        app.browser
            .post(app.url("/api/oauth/logout"))
            .header("sec-fetch-site", "cross-site")
            .json(&json!({})),
    )
    .await;
    assert_eq!(cross.status, 403);
    // The person confirms on our page.
    let r = app
        .post_json(
            "/api/oauth/logout",
            &json!({"query": format!(
                "client_id={}&post_logout_redirect_uri={}&state=z",
                client.client_id,
                url::form_urlencoded::byte_serialize(b"https://app.example.com/bye").collect::<String>()
            )}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["redirect_url"],
        "https://app.example.com/bye?state=z"
    );
    assert_eq!(app.get("/api/auth/me").await.status, 401);
    let r = app
        .post_json("/api/oauth/logout", &json!({"query": ""}))
        .await;
    assert_eq!(r.body["redirect_url"], "/auth/signed-out");
    // The confirmation is read by the very rules of the request itself.
    let r = app
        .post_json("/api/oauth/logout", &json!({"query": "state=a&state=b"}))
        .await;
    assert_eq!((r.status, r.error()), (400, "invalid_request"));
}

#[tokio::test]
async fn a_person_with_a_name_gets_it_in_the_profile_claims() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let hashed = api::crypto::hash_secret(crate::helpers::PASSWORD);
    api::store::users::create_user(
        &app.state.db,
        "ada@example.com",
        &hashed,
        Some("Ada Lovelace"),
        app.state.now(),
    )
    .await
    .unwrap();
    app.login("ada@example.com", crate::helpers::PASSWORD)
        .await
        .ok();
    let code = code_with(&app, &client, "openid profile", json!({})).await;
    let t = app.exchange(&client, &code).await.ok();
    let (_, claims) = verified(t.id_token.as_deref().unwrap(), &jwks(&app).await);
    assert_eq!(claims["name"], "Ada Lovelace");
    assert_eq!(claims["updated_at"], json!(app.state.now()));
    assert!(claims.get("email").is_none(), "no email scope, no email");
}

/// An ID Token found later (expired) names the person, but signs nobody out
/// unasked: the confirmation page asks.
#[tokio::test]
async fn an_expired_hint_asks_before_signing_out() {
    let app = spawn_app().await;
    let client = app_with_logout(&app).await;
    let code = code_with(&app, &client, "openid", json!({})).await;
    let hint = app.exchange(&client, &code).await.ok().id_token.unwrap();
    app.clock.advance(app.state.config.tokens.id_token_ttl + 1);
    let q = format!(
        "id_token_hint={hint}&post_logout_redirect_uri={}&state=s3",
        url::form_urlencoded::byte_serialize(b"https://app.example.com/bye").collect::<String>()
    );
    let r = app.get(&format!("/api/oauth/logout?{q}")).await;
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap().starts_with("/auth/logout?"));
    assert_eq!(app.get("/api/auth/me").await.status, 200, "still signed in");
}

/// OpenID Connect Core §11: `offline_access` is accepted from any client
/// without registering it (clients add it on their own), granted as asked
/// and shown in the token's scope; a refresh token comes either way.
#[tokio::test]
async fn offline_access_is_accepted_from_every_client() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    app.signup("offline@example.com").await.ok();
    let mut body = app.authorize_body(&client);
    body["scope"] = json!("READ_GRAPH offline_access");
    let code = app.authorize(&body).await.redirect_param("code").unwrap();
    let t: TokenResponse = app.exchange(&client, &code).await.ok();
    assert_eq!(t.scope, "READ_GRAPH offline_access");
    assert!(!t.refresh_token.secret().is_empty());
    let info = app.introspect(&client, t.access_token.secret()).await.ok();
    assert_eq!(info.scope.as_deref(), Some("READ_GRAPH offline_access"));
    let code = app.get_code(&client).await;
    let t: TokenResponse = app.exchange(&client, &code).await.ok();
    assert!(
        !t.refresh_token.secret().is_empty(),
        "without offline_access too"
    );
}
