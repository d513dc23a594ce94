//! The authorize page's decisions: what to do with a request before and
//! after asking the server about the app, and which screen each API answer
//! leads to.
//!
//! The request is parsed with `shared`'s `AuthorizeParams::target` and
//! `AuthorizationRequest::parse`, the functions the server runs on the
//! decision, so both apply the same rules in the same order with the same
//! words. The server is the judge of everything that ends in a redirect;
//! these functions only pick the screen, and they pick it by error code,
//! never by a message's wording. The page never builds a redirect itself.

use super::api_error::ApiError;
use super::problem::{Problem, ProblemKind};
use super::text::{fill, t};
use shared::{
    may_skip_screen, AppInfo, AuthorizationRequest, AuthorizeParams, AuthorizeProblem,
    AuthorizeResponse, ClientTarget, ErrorCode, RedirectUri, ScopeInfo,
};

/// The screen for a problem the request itself has, by its code.
pub fn request_problem(p: &AuthorizeProblem) -> Problem {
    let kind = match p.code() {
        ErrorCode::ScopeNotAllowed => ProblemKind::InvalidScopes,
        ErrorCode::RedirectUriNotRegistered => ProblemKind::InvalidRedirectUri,
        ErrorCode::InvalidClient => ProblemKind::AppNotFound,
        _ => ProblemKind::InvalidRequest,
    };
    Problem::with_detail(kind, p.to_string())
}

/// Stage 1, before any network call: who is asking and where the answer
/// goes. A problem here is **Invalid Request** (the redirect URI is not
/// verified yet, so nothing can go back to the app).
pub fn precheck(params: &AuthorizeParams) -> Result<ClientTarget, Problem> {
    params.target().map_err(|p| request_problem(&p))
}

/// What the request says once the app is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A problem that goes back to the app (an unknown scope, a response
    /// type other than `code`): only the server may build that redirect, so
    /// the page asks it (with "deny": it never approves anything unclicked),
    /// at once for an app someone vouched for, and only on the person's
    /// click for any other (RFC 9700 §4.11.2).
    ServerDecides(AuthorizeProblem),
    /// A problem the page shows.
    Show(Problem),
    /// Valid: ask the person.
    Consent(AuthorizationRequest),
}

/// Stage 3, against what the app may ask for (from `GET /api/oauth/app/…`).
/// A resource the server does not serve is the app's problem (RFC 8707
/// `invalid_target`, by redirect): the server reports it.
pub fn after_app_info(params: &AuthorizeParams, target: &ClientTarget, app: &AppInfo) -> Next {
    match AuthorizationRequest::parse(params, target, &app.policy()) {
        Ok(request) => match request
            .resources
            .iter()
            .find(|r| resource_name(app, r.as_str()).is_none())
        {
            Some(unknown) => {
                Next::ServerDecides(AuthorizeProblem::InvalidTarget(unknown.as_str().into()))
            }
            None => Next::Consent(request),
        },
        Err(p) if p.redirects() => Next::ServerDecides(p),
        Err(p) => Next::Show(request_problem(&p)),
    }
}

/// The server names the resources in the request's own spelling (it may
/// differ from the registered one: `https://host/` for `https://host`), so
/// the page matches them by text.
fn resource_name<'a>(app: &'a AppInfo, uri: &str) -> Option<&'a str> {
    app.resources
        .iter()
        .find(|r| r.uri == uri)
        .map(|r| r.name.as_str())
}

/// The services the person grants access to, by name (RFC 8707 resources).
pub fn resource_names(request: &AuthorizationRequest, app: &AppInfo) -> Vec<String> {
    request
        .resources
        .iter()
        .filter_map(|r| resource_name(app, r.as_str()).map(str::to_owned))
        .collect()
}

/// What the person should know about who is asking, beyond the app's own
/// words: nobody vouched for it, where its self-description comes from,
/// and that it runs on their device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caution {
    pub unverified: bool,
    /// The host of a metadata-document client id (where its name and logo come from).
    pub described_by: Option<String>,
    pub runs_on_device: bool,
}

pub fn caution(app: &AppInfo) -> Caution {
    Caution {
        unverified: !app.registration.is_verified(),
        described_by: app.client_host.clone(),
        runs_on_device: app.runs_on_device,
    }
}

/// The rows of the permission list: the requested scopes (all of them among
/// the app's or open to every app, or parsing would have refused), in the
/// order the app asked, in the server's words.
pub fn scope_rows(request: &AuthorizationRequest, app: &AppInfo) -> Vec<ScopeInfo> {
    request
        .scopes
        .iter()
        .filter_map(|s| {
            app.scopes
                .iter()
                .chain(&app.open_scopes)
                .find(|a| a.name == s.as_str())
                .cloned()
        })
        .collect()
}

/// Whether the page may go on without the screen: the very rule the
/// server applies (`shared::may_skip_screen`), on what the server said of
/// the app and the person's consent. The server checks it all again (the
/// decision says `remembered`).
pub fn remembered(request: &AuthorizationRequest, app: &AppInfo) -> bool {
    may_skip_screen(
        Some(&app.granted()),
        request,
        app.registration,
        app.remembers,
    )
    .is_ok()
}

/// Whether the person already allowed `scope` to this app.
pub fn already_allowed(app: &AppInfo, scope: &str) -> bool {
    app.granted_scopes.iter().any(|g| g.as_str() == scope)
}

/// Whether the person may untick row `i`: not when it is the only one (the
/// request would be empty; deny instead), nor `openid` (the sign-in itself).
pub fn may_untick(rows: &[ScopeInfo], i: usize) -> bool {
    rows.len() > 1 && rows.get(i).is_some_and(|r| r.name != "openid")
}

/// The decision's `chosen_scope`: None when every row stays ticked (the
/// request as asked), else the ticked names; None too when nothing is
/// ticked, which the page never sends (its Authorize button is disabled).
pub fn chosen_scope(rows: &[ScopeInfo], ticked: &[bool]) -> Option<String> {
    if ticked.iter().all(|t| *t) || !ticked.iter().any(|t| *t) {
        return None;
    }
    let names: Vec<&str> = rows
        .iter()
        .zip(ticked)
        .filter(|(_, t)| **t)
        .map(|(r, _)| r.name.as_str())
        .collect();
    Some(names.join(" "))
}

/// Whether the request wants no screen at all (`prompt=none`): only the
/// server answers it.
pub fn wants_no_screen(params: &AuthorizeParams) -> bool {
    params
        .prompt
        .as_deref()
        .is_some_and(|p| p.split_ascii_whitespace().any(|v| v == "none"))
}

/// The host shown as "you will be sent to …".
pub fn redirect_host(uri: &RedirectUri) -> String {
    uri.display_host().to_owned()
}

/// The logo to show, if any. Only our own paths and inline images: the page
/// loads nothing from other origins (and its CSP would block it anyway).
pub fn safe_logo(url: Option<&str>) -> Option<&str> {
    let url = url?;
    let same_origin = url.starts_with('/') && !url.starts_with("//") && !url.contains('\\');
    (same_origin || url.starts_with("data:image/")).then_some(url)
}

/// The screen for an error answer of the consent API (`GET /api/oauth/app/…`
/// or the decision), by status and code.
pub fn api_problem(err: &ApiError) -> Problem {
    let detail = err.description().unwrap_or_default().to_owned();
    let code = err.code().and_then(ErrorCode::from_name);
    let kind = match (err.status(), code) {
        (Some(403), _) => ProblemKind::Refused,
        (Some(404), _) | (Some(400), Some(ErrorCode::InvalidClient)) => ProblemKind::AppNotFound,
        (Some(400), Some(ErrorCode::RedirectUriNotRegistered)) => ProblemKind::InvalidRedirectUri,
        (Some(400), Some(ErrorCode::ScopeNotAllowed)) => ProblemKind::InvalidScopes,
        (Some(400), Some(_)) => ProblemKind::InvalidRequest,
        _ => return unavailable(err),
    };
    Problem::with_detail(kind, detail)
}

/// What follows `POST /api/oauth/authorize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Go to the URL the API validated (the app's redirect URI).
    Navigate(String),
    /// The session is gone: sign in and come back.
    SignIn,
    /// Show an error screen.
    Show(Problem),
}

/// Maps the answer to `POST /api/oauth/authorize` to what the page does.
pub fn authorize_outcome(result: Result<AuthorizeResponse, ApiError>) -> Outcome {
    match result {
        Ok(r) => Outcome::Navigate(r.redirect_url),
        Err(err) if err.status() == Some(401) => Outcome::SignIn,
        Err(err) => Outcome::Show(api_problem(&err)),
    }
}

/// The retryable screen for a call that got no usable answer.
pub fn unavailable(err: &ApiError) -> Problem {
    let detail = match err {
        ApiError::Network => t().no_answer.to_owned(),
        ApiError::Decode => t().unreadable.to_owned(),
        ApiError::Status { status, .. } => fill(t().status_answer, "{status}", &status.to_string()),
    };
    Problem::with_detail(ProblemKind::Unavailable, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::query::authorize_params_from_query;
    use shared::{ErrorBody, Registration, ResourceInfo, Scope, ScopeSet};

    const CC: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn params(overrides: &[(&str, Option<&str>)]) -> AuthorizeParams {
        let mut params = [
            ("client_id", Some("agpt_client_x")),
            ("redirect_uri", Some("http://localhost:8080/callback")),
            ("scope", Some("READ_GRAPH EXECUTE_GRAPH")),
            ("state", Some("st")),
            ("code_challenge", Some(CC)),
            ("code_challenge_method", Some("S256")),
            ("response_type", Some("code")),
        ];
        for (k, v) in overrides {
            params.iter_mut().find(|(n, _)| n == k).unwrap().1 = *v;
        }
        let q: Vec<String> = params
            .iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", crate::logic::query::encode(v))))
            .collect();
        authorize_params_from_query(&q.join("&")).unwrap()
    }

    fn app(scopes: &[Scope]) -> AppInfo {
        AppInfo {
            client_id: "agpt_client_x".into(),
            name: "Test".into(),
            description: "d".into(),
            logo_url: None,
            scopes: scopes.iter().map(|s| ScopeInfo::from(*s)).collect(),
            open_scopes: Scope::IDENTITY.into_iter().map(ScopeInfo::from).collect(),
            plain_pkce_allowed: true,
            registration: Registration::Operator,
            client_host: None,
            runs_on_device: false,
            resources: vec![ResourceInfo {
                uri: "https://mcp.example.com/mcp".into(),
                name: "AutoGPT MCP".into(),
            }],
            granted_scopes: Vec::new(),
            granted_resources: Vec::new(),
            remembers: true,
        }
    }

    fn consent_request(extra: &str) -> (AuthorizationRequest, AppInfo) {
        let a = app(&[Scope::ReadGraph, Scope::ExecuteGraph]);
        let q = format!(
            "client_id=agpt_client_x&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&response_type=code&code_challenge={CC}&code_challenge_method=S256&scope=READ_GRAPH{extra}"
        );
        let Next::Consent(r) = next(&authorize_params_from_query(&q).unwrap(), &a) else {
            panic!("a valid request");
        };
        (r, a)
    }

    #[test]
    fn only_a_fully_allowed_request_goes_on_without_the_screen() {
        let (r, mut a) = consent_request("");
        assert!(!remembered(&r, &a), "nothing allowed yet");
        a.granted_scopes = vec!["READ_GRAPH".into(), "EXECUTE_GRAPH".into()];
        assert!(remembered(&r, &a));
        assert!(already_allowed(&a, "READ_GRAPH") && !already_allowed(&a, "openid"));
        a.remembers = false;
        assert!(
            !remembered(&r, &a),
            "the server does not remember for this app"
        );
        a.remembers = true;
        let (r, _) = consent_request("&prompt=consent");
        assert!(!remembered(&r, &a), "prompt=consent shows the screen");
        let (r, _) = consent_request("%20openid");
        assert!(!remembered(&r, &a), "a new scope shows the screen");
        let (r, _) = consent_request("&resource=https%3A%2F%2Fmcp.example.com%2Fmcp");
        assert!(!remembered(&r, &a), "a new resource shows the screen");
        a.granted_resources =
            vec![shared::ResourceUri::parse("https://mcp.example.com/mcp").unwrap()];
        assert!(remembered(&r, &a));
    }

    #[test]
    fn the_choice_names_only_ticked_scopes_and_keeps_openid() {
        let rows: Vec<ScopeInfo> = [Scope::OpenId, Scope::ReadGraph, Scope::ExecuteGraph]
            .into_iter()
            .map(ScopeInfo::from)
            .collect();
        assert_eq!(chosen_scope(&rows, &[true, true, true]), None, "as asked");
        assert_eq!(
            chosen_scope(&rows, &[true, false, true]).as_deref(),
            Some("openid EXECUTE_GRAPH")
        );
        assert_eq!(chosen_scope(&rows, &[false, false, false]), None);
        assert!(!may_untick(&rows, 0), "openid is the sign-in");
        assert!(may_untick(&rows, 1) && may_untick(&rows, 2));
        assert!(!may_untick(&rows, 3));
        assert!(!may_untick(&rows[1..2], 0), "the only scope stays");
    }

    #[test]
    fn resources_are_named_and_unknown_ones_left_to_the_server() {
        let a = app(&[Scope::ReadGraph, Scope::ExecuteGraph]);
        let with = |r: &str| {
            let q = format!(
                "client_id=agpt_client_x&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&response_type=code&code_challenge={CC}&code_challenge_method=S256&resource={}",
                crate::logic::query::encode(r)
            );
            authorize_params_from_query(&q).unwrap()
        };
        let Next::Consent(r) = next(&with("https://mcp.example.com/mcp"), &a) else {
            panic!("a known resource is asked about");
        };
        assert_eq!(resource_names(&r, &a), vec!["AutoGPT MCP".to_owned()]);
        assert_eq!(
            next(&with("https://other.example/mcp"), &a),
            Next::ServerDecides(AuthorizeProblem::InvalidTarget(
                "https://other.example/mcp".into()
            ))
        );
    }

    #[test]
    fn cautions_follow_how_the_app_was_registered() {
        let mut a = app(&[]);
        assert_eq!(
            caution(&a),
            Caution {
                unverified: false,
                described_by: None,
                runs_on_device: false
            }
        );
        a.registration = Registration::MetadataDocument;
        a.client_host = Some("client.example.com".into());
        a.runs_on_device = true;
        let c = caution(&a);
        assert!(c.unverified && c.runs_on_device);
        assert_eq!(c.described_by.as_deref(), Some("client.example.com"));
        a.registration = Registration::Dynamic;
        assert!(caution(&a).unverified);
    }

    fn next(p: &AuthorizeParams, app: &AppInfo) -> Next {
        after_app_info(p, &precheck(p).unwrap(), app)
    }

    fn err(status: u16, code: ErrorCode, description: &str) -> ApiError {
        ApiError::Status {
            status,
            body: Some(ErrorBody::new(code, description)),
        }
    }

    #[test]
    fn precheck_follows_the_error_table() {
        let invalid = |p: &AuthorizeParams| {
            let problem = precheck(p).unwrap_err();
            assert_eq!(problem.kind, ProblemKind::InvalidRequest);
            problem.detail.unwrap()
        };
        assert!(invalid(&params(&[("client_id", None)])).contains("client_id"));
        assert!(invalid(&params(&[("redirect_uri", Some(""))])).contains("redirect_uri"));
        assert!(
            precheck(&params(&[("code_challenge", None)])).is_ok(),
            "needs the app first"
        );
    }

    #[test]
    fn after_the_app_is_known_problems_are_shown_or_left_to_the_server() {
        let a = app(&[Scope::ReadGraph, Scope::ExecuteGraph]);
        let shown = |p: &AuthorizeParams| match next(p, &a) {
            Next::Show(problem) => problem,
            other => panic!("expected a screen, got {other:?}"),
        };
        let p = shown(&params(&[("code_challenge", None)]));
        assert_eq!(p.kind, ProblemKind::InvalidRequest);
        assert!(p.detail.unwrap().contains("code_challenge"));
        let p = shown(&params(&[(
            "scope",
            Some("READ_GRAPH USE_TOOLS READ_STORE"),
        )]));
        assert_eq!(p.kind, ProblemKind::InvalidScopes);
        assert_eq!(
            p.detail.as_deref(),
            Some("The application is not allowed to request: USE_TOOLS, READ_STORE")
        );
        assert_eq!(
            next(&params(&[("scope", Some("READ_GRAPH bogus"))]), &a),
            Next::ServerDecides(AuthorizeProblem::UnknownScopes(vec!["bogus".into()]))
        );
        assert_eq!(
            next(&params(&[("response_type", Some("token"))]), &a),
            Next::ServerDecides(AuthorizeProblem::UnsupportedResponseType)
        );
        let Next::Consent(r) = next(&params(&[("scope", None)]), &a) else {
            panic!("a request without scope gets the app's scopes");
        };
        assert_eq!(r.scopes, a.policy().allowed_scopes);
    }

    #[test]
    fn identity_scopes_are_listed_in_their_own_words_and_need_no_registration() {
        let a = app(&[Scope::ReadGraph]);
        let Next::Consent(r) = next(&params(&[("scope", Some("openid email READ_GRAPH"))]), &a)
        else {
            panic!("identity scopes are open to every app");
        };
        let names: Vec<String> = scope_rows(&r, &a).into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["openid", "email", "READ_GRAPH"], "as asked");
        assert!(!wants_no_screen(&params(&[])));
        assert!(wants_no_screen(
            &authorize_params_from_query("prompt=none").unwrap()
        ));
        assert!(!wants_no_screen(
            &authorize_params_from_query("prompt=login").unwrap()
        ));
    }

    #[test]
    fn an_unvouched_app_may_ask_for_what_the_server_lists_as_open() {
        let mut a = app(&[Scope::ReadGraph]);
        let ask = params(&[("scope", Some("READ_GRAPH RUN_AGENT"))]);
        assert!(
            matches!(next(&ask, &a), Next::Show(p) if p.kind == ProblemKind::InvalidScopes),
            "not registered, not open"
        );
        a.registration = Registration::Dynamic;
        a.open_scopes.push(ScopeInfo::from(Scope::RunAgent));
        let Next::Consent(r) = next(&ask, &a) else {
            panic!("the server lists RUN_AGENT as open to this app");
        };
        let names: Vec<String> = scope_rows(&r, &a).into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["READ_GRAPH", "RUN_AGENT"]);
        let Next::Consent(r) = next(&params(&[("scope", None)]), &a) else {
            panic!("valid");
        };
        assert_eq!(
            r.scopes,
            ScopeSet::new([Scope::ReadGraph]),
            "the default stays the registration"
        );
    }

    #[test]
    fn scope_rows_prefer_the_apps_descriptions() {
        let mut a = app(&[Scope::ReadGraph, Scope::ExecuteGraph]);
        a.scopes[0].description = "Custom".into(); // READ_GRAPH
        let Next::Consent(r) = next(&params(&[]), &a) else {
            panic!("valid");
        };
        let rows = scope_rows(&r, &a);
        assert_eq!(rows[0].description, "Custom");
        assert_eq!(rows[1], ScopeInfo::from(Scope::ExecuteGraph));
    }

    #[test]
    fn redirect_host_and_logo() {
        let target = precheck(&params(&[])).unwrap();
        assert_eq!(redirect_host(&target.redirect_uri), "localhost:8080");
        let mut a = app(&[]);
        for (logo, shown) in [
            (Some("/logos/a.png"), true),
            (Some("data:image/png;base64,AAAA"), true),
            (Some("https://cdn.example/logo.png"), false),
            (Some("//cdn.example/logo.png"), false),
            (Some("javascript:alert(1)"), false),
            (None, false),
        ] {
            a.logo_url = logo.map(str::to_owned);
            assert_eq!(
                safe_logo(a.logo_url.as_deref()).is_some(),
                shown,
                "{logo:?}"
            );
        }
    }

    #[test]
    fn app_info_failures_are_told_apart_by_code_not_words() {
        let p = api_problem(&err(404, ErrorCode::NotFound, "no such app"));
        assert_eq!(p.kind, ProblemKind::AppNotFound);
        let p = api_problem(&err(400, ErrorCode::RedirectUriNotRegistered, "anything"));
        assert_eq!(p.kind, ProblemKind::InvalidRedirectUri);
        let p = api_problem(&err(400, ErrorCode::InvalidRequest, "redirect_uri is odd"));
        assert_eq!(
            p.kind,
            ProblemKind::InvalidRequest,
            "the word redirect_uri in a description decides nothing"
        );
        for e in [ApiError::Network, err(502, ErrorCode::ServerError, "")] {
            let p = api_problem(&e);
            assert_eq!(p.kind, ProblemKind::Unavailable);
            assert!(p.kind.retryable());
        }
    }

    #[test]
    fn every_authorize_answer_maps_to_one_screen() {
        let ok = Ok(AuthorizeResponse {
            redirect_url: "http://localhost:8080/callback?code=c&state=st".into(),
        });
        assert_eq!(
            authorize_outcome(ok),
            Outcome::Navigate("http://localhost:8080/callback?code=c&state=st".into())
        );
        let show = |e: ApiError| match authorize_outcome(Err(e)) {
            Outcome::Show(p) => p.kind,
            other => panic!("expected an error screen, got {other:?}"),
        };
        let cases = [
            (
                err(400, ErrorCode::InvalidClient, "unknown client"),
                ProblemKind::AppNotFound,
            ),
            (
                err(400, ErrorCode::RedirectUriNotRegistered, "x"),
                ProblemKind::InvalidRedirectUri,
            ),
            (
                err(400, ErrorCode::InvalidRequest, "Missing code_challenge"),
                ProblemKind::InvalidRequest,
            ),
            (
                err(400, ErrorCode::ScopeNotAllowed, "USE_TOOLS not allowed"),
                ProblemKind::InvalidScopes,
            ),
            (
                err(403, ErrorCode::Forbidden, "cross-site"),
                ProblemKind::Refused,
            ),
            (
                err(500, ErrorCode::ServerError, "oops"),
                ProblemKind::Unavailable,
            ),
            (
                ApiError::Status {
                    status: 502,
                    body: None,
                },
                ProblemKind::Unavailable,
            ),
            (ApiError::Network, ProblemKind::Unavailable),
        ];
        for (e, kind) in cases {
            assert_eq!(show(e.clone()), kind, "{e:?}");
        }
        assert_eq!(
            authorize_outcome(Err(err(401, ErrorCode::Unauthorized, "sign in"))),
            Outcome::SignIn
        );
    }
}
