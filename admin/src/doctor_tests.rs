//! The doctor's checks, one by one, on documents and database facts.

use super::*;

const ISSUER: &str = "https://auth.example.com";

fn fetched(url: &str, body: Value) -> Fetched {
    Fetched {
        url: url.into(),
        body: Ok(body),
    }
}

fn ours() -> Value {
    json!({
        "issuer": ISSUER,
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
        "client_id_metadata_document_supported": true,
        "scopes_supported": ["READ_GRAPH", "EXECUTE_GRAPH", "openid"],
    })
}

fn server(doc: Value) -> Vec<Check> {
    let m = fetched(
        "https://auth.example.com/.well-known/oauth-authorization-server",
        doc.clone(),
    );
    let o = fetched(
        "https://auth.example.com/.well-known/openid-configuration",
        doc,
    );
    server_checks(ISSUER, &m, &o)
}

fn failed<'a>(checks: &'a [Check], name: &str) -> &'a Problem {
    let c = checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name} in {checks:?}"));
    c.problem
        .as_ref()
        .unwrap_or_else(|| panic!("{name} passed"))
}

fn names(checks: &[Check]) -> Vec<&str> {
    checks.iter().map(|c| c.name).collect()
}

#[test]
fn the_issuer_follows_the_server_rule() {
    let bind: SocketAddr = "127.0.0.1:8006".parse().unwrap();
    assert_eq!(
        expected_issuer(Some("https://a.example/"), bind).unwrap(),
        "https://a.example"
    );
    assert_eq!(
        expected_issuer(None, bind).unwrap(),
        "http://127.0.0.1:8006"
    );
    assert!(expected_issuer(None, "127.0.0.1:0".parse().unwrap()).is_err());
}

#[test]
fn metadata_urls_insert_and_append() {
    let (m, o) = metadata_urls(&Url::parse("https://auth.example.com").unwrap());
    assert_eq!(
        m,
        "https://auth.example.com/.well-known/oauth-authorization-server"
    );
    assert_eq!(
        o,
        "https://auth.example.com/.well-known/openid-configuration"
    );
    let (m, o) = metadata_urls(&Url::parse("https://u:p@example.com/auth/").unwrap());
    assert_eq!(
        m,
        "https://example.com/.well-known/oauth-authorization-server/auth"
    );
    assert_eq!(
        o,
        "https://example.com/auth/.well-known/openid-configuration"
    );
}

#[test]
fn our_metadata_passes_as_published() {
    let checks = server(ours());
    assert!(all_ok(&checks), "{checks:?}");
    assert_eq!(
        names(&checks),
        [
            METADATA_REACHABLE,
            ISSUER_MATCHES_PUBLIC_URL,
            ISSUER_IS_HTTPS,
            S256_SUPPORTED,
            PUBLIC_CLIENTS_SUPPORTED,
            CIMD_SUPPORTED,
            OPENID_CONFIGURATION_AGREES
        ]
    );
}

#[test]
fn unreachable_metadata_is_one_problem() {
    let m = Fetched {
        url: "https://auth.example.com/.well-known/oauth-authorization-server".into(),
        body: Err("cannot connect".into()),
    };
    let checks = server_checks(ISSUER, &m, &m.clone());
    assert_eq!(names(&checks), [METADATA_REACHABLE]);
    assert!(failed(&checks, METADATA_REACHABLE)
        .what
        .contains("cannot connect"));
    let html = fetched("https://x/", json!("<html>"));
    assert!(!all_ok(&server_checks(ISSUER, &html, &html)));
}

#[test]
fn each_field_is_checked() {
    let mut doc = ours();
    doc["issuer"] = json!("https://auth.example.com/");
    let p = failed(&server(doc), ISSUER_MATCHES_PUBLIC_URL).clone();
    assert!(p.what.contains("trailing slash"), "{p:?}");

    let mut doc = ours();
    doc["issuer"] = json!("https://other.example.com");
    assert!(!failed(&server(doc), ISSUER_MATCHES_PUBLIC_URL)
        .what
        .contains("trailing"));

    let mut doc = ours();
    doc["code_challenge_methods_supported"] = json!(["plain"]);
    failed(&server(doc), S256_SUPPORTED);

    let mut doc = ours();
    doc.as_object_mut()
        .unwrap()
        .remove("token_endpoint_auth_methods_supported");
    assert!(failed(&server(doc), PUBLIC_CLIENTS_SUPPORTED)
        .what
        .contains("missing"));

    let mut doc = ours();
    doc["client_id_metadata_document_supported"] = json!(false);
    assert!(failed(&server(doc), CIMD_SUPPORTED)
        .fix
        .contains("CIMD_ENABLED"));
}

#[test]
fn https_unless_loopback() {
    for ok in [
        ISSUER,
        "http://localhost:8006",
        "http://127.0.0.1:8006",
        "http://[::1]:8006",
        "https://a.example/auth",
    ] {
        assert!(issuer_is_https(ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://auth.example.com",
        "http://0.0.0.0:8006",
        "https://a.example?x=1",
        "auth.example.com",
    ] {
        assert!(issuer_is_https(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_openid_configuration_must_agree() {
    let m = fetched(
        "https://auth.example.com/.well-known/oauth-authorization-server",
        ours(),
    );
    let mut other = ours();
    other["issuer"] = json!("https://elsewhere.example");
    let o = fetched(
        "https://auth.example.com/.well-known/openid-configuration",
        other,
    );
    failed(&server_checks(ISSUER, &m, &o), OPENID_CONFIGURATION_AGREES);
    let gone = Fetched {
        url: o.url.clone(),
        body: Err("it answers 404 Not Found".into()),
    };
    let p = failed(
        &server_checks(ISSUER, &m, &gone),
        OPENID_CONFIGURATION_AGREES,
    )
    .clone();
    assert!(p.what.contains("404"), "{p:?}");
}

const PRM: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

fn prm(servers: Value) -> Fetched {
    fetched(
        PRM,
        json!({"resource": "https://mcp.example.com/mcp", "authorization_servers": servers}),
    )
}

#[test]
fn authorization_servers_must_name_the_issuer_byte_for_byte() {
    let (checks, resource) = resource_document_checks(ISSUER, &prm(json!([ISSUER])));
    assert!(all_ok(&checks), "{checks:?}");
    assert_eq!(resource.as_deref(), Some("https://mcp.example.com/mcp"));
    assert_eq!(
        names(&checks),
        [
            RESOURCE_METADATA_REACHABLE,
            RESOURCE_MATCHES_METADATA_URL,
            AUTHORIZATION_SERVERS_NAMES_ISSUER
        ]
    );

    let (checks, _) = resource_document_checks(ISSUER, &prm(json!(["https://auth.example.com/"])));
    let p = failed(&checks, AUTHORIZATION_SERVERS_NAMES_ISSUER);
    assert!(
        p.what.contains("only difference is a trailing slash"),
        "{p:?}"
    );
    assert!(p.fix.contains("\"https://auth.example.com\""), "{p:?}");

    let (checks, _) = resource_document_checks(ISSUER, &prm(json!(["https://AUTH.example.com"])));
    assert!(!failed(&checks, AUTHORIZATION_SERVERS_NAMES_ISSUER)
        .what
        .contains("trailing"));
    let (checks, _) = resource_document_checks(ISSUER, &prm(json!("https://auth.example.com")));
    failed(&checks, AUTHORIZATION_SERVERS_NAMES_ISSUER);
}

#[test]
fn a_document_without_resource_is_not_one() {
    let (checks, resource) = resource_document_checks(
        ISSUER,
        &fetched(PRM, json!({"authorization_servers": [ISSUER]})),
    );
    assert_eq!(names(&checks), [RESOURCE_METADATA_REACHABLE]);
    assert!(!all_ok(&checks));
    assert!(resource.is_none());
}

#[test]
fn the_resource_is_the_one_the_document_is_served_for() {
    assert!(resource_matches_url(PRM, "https://mcp.example.com/mcp")
        .unwrap()
        .is_ok());
    let p = resource_matches_url(PRM, "https://mcp.example.com/mcp/")
        .unwrap()
        .unwrap_err();
    assert!(p.what.contains("trailing slash"), "{p:?}");
    assert!(resource_matches_url(PRM, "https://mcp.example.com/other")
        .unwrap()
        .is_err());
    let root = "https://mcp.example.com/.well-known/oauth-protected-resource";
    assert!(resource_matches_url(root, "https://mcp.example.com/mcp")
        .unwrap()
        .is_ok());
    assert!(resource_matches_url(root, "https://other.example.com/mcp")
        .unwrap()
        .is_err());
    assert!(resource_matches_url("https://mcp.example.com/prm.json", "https://x/").is_none());
}

#[test]
fn the_resource_must_be_registered_active_and_spelled_alike() {
    let r = "https://mcp.example.com/mcp";
    let found = |uri: &str, active| {
        Lookup::Found(Registered {
            id: "agpt_resource_1".into(),
            uri: uri.into(),
            active,
        })
    };
    assert!(all_ok(&registration_checks(r, &found(r, true))));
    let checks = registration_checks(r, &Lookup::Missing);
    assert_eq!(names(&checks), [RESOURCE_REGISTERED]);
    assert!(failed(&checks, RESOURCE_REGISTERED)
        .fix
        .contains("register-resource --uri https://mcp.example.com/mcp"));
    let checks = registration_checks(r, &found(r, false));
    assert!(failed(&checks, RESOURCE_REGISTERED)
        .fix
        .contains("enable-resource agpt_resource_1"));
    let checks = registration_checks("https://MCP.example.com/mcp", &found(r, true));
    assert!(failed(&checks, RESOURCE_SPELLED_AS_REGISTERED)
        .fix
        .contains(r));
    failed(
        &registration_checks(r, &Lookup::NotAUri),
        RESOURCE_REGISTERED,
    );
    failed(
        &registration_checks(r, &Lookup::Failed("x".into())),
        RESOURCE_REGISTERED,
    );
}

#[test]
fn scopes_must_be_ours() {
    let known = known_scopes(Some(&ours()));
    assert_eq!(known, ["READ_GRAPH", "EXECUTE_GRAPH", "openid"]);
    assert_eq!(known_scopes(None).len(), Scope::ALL.len());
    assert!(scopes_check(&json!({}), &known).is_ok());
    assert!(scopes_check(
        &json!({"scopes_supported": ["READ_GRAPH", "openid"]}),
        &known
    )
    .is_ok());
    let c = scopes_check(
        &json!({"scopes_supported": ["READ_GRAPH", "MAKE_COFFEE"]}),
        &known,
    );
    let p = c.problem.unwrap();
    assert!(
        p.what.contains("MAKE_COFFEE") && !p.what.contains("READ_GRAPH"),
        "{p:?}"
    );
    assert!(!scopes_check(&json!({"scopes_supported": "READ_GRAPH"}), &known).is_ok());
}

#[test]
fn output_is_one_line_per_check_and_json_has_a_fixed_shape() {
    let checks = vec![
        Check::new("a_check", Ok(())),
        Check::new("b_check", Err(problem("broken", "mend it"))),
    ];
    assert_eq!(
        render_text(&checks),
        "ok      a_check\nproblem b_check: broken — fix: mend it\n"
    );
    assert_eq!(
        render_json(&checks),
        json!({"ok": false, "checks": [
            {"name": "a_check", "ok": true, "problem": null, "fix": null},
            {"name": "b_check", "ok": false, "problem": "broken", "fix": "mend it"},
        ]})
    );
}

#[test]
fn sqlite_files_are_found_in_urls() {
    assert_eq!(
        sqlite_file("sqlite://data/oauth.db?mode=rwc"),
        Some("data/oauth.db")
    );
    assert_eq!(sqlite_file("sqlite::memory:"), None);
    assert_eq!(sqlite_file("postgres://u:p@h/db"), None);
}
