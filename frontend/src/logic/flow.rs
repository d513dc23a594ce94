//! The authorize page's decisions: what to do with a request before any
//! network call, and which screen each API answer leads to.
//!
//! The server is the judge of everything that ends in a redirect; these
//! functions only pick the screen. The page never builds a redirect itself.

use super::api_error::ApiError;
use super::problem::{Problem, ProblemKind};
use shared::{
    check_authorize_params, AppInfo, AuthorizeRequest, AuthorizeResponse, RedirectUri, Scope,
    ScopeInfo, ScopeSet,
};

/// What the request alone says, before asking the server anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precheck {
    /// Required parameters missing or malformed: **Invalid Request**, no
    /// network, nothing redirects (the redirect URI is not verified yet).
    Invalid(Problem),
    /// An unknown scope name or a `response_type` other than `code`: errors
    /// that RFC 6749 §4.1.2.1 returns to the app. Only the server can build
    /// that redirect (it verifies the redirect URI), so the page asks it.
    ServerDecides,
    /// Well-formed; these are the scopes to show once the app is known.
    Consent(ScopeSet),
}

/// Classifies a parsed request.
pub fn precheck(req: &AuthorizeRequest) -> Precheck {
    if let Err(problem) = check_authorize_params(
        req.client_id.as_deref(),
        req.redirect_uri.as_deref(),
        req.scope.as_deref(),
        req.code_challenge.as_deref(),
        req.code_challenge_method.as_deref(),
        req.response_type.as_deref(),
    ) {
        return Precheck::Invalid(Problem::with_detail(
            ProblemKind::InvalidRequest,
            problem.to_string(),
        ));
    }
    if req.response_type.as_deref() != Some("code") {
        return Precheck::ServerDecides;
    }
    match ScopeSet::parse(req.scope.as_deref().unwrap_or_default()) {
        Ok(scopes) if !scopes.is_empty() => Precheck::Consent(scopes),
        _ => Precheck::ServerDecides,
    }
}

/// The requested scopes the app may not ask for (shown as **Invalid
/// Scopes** before the person clicks; the server checks again).
pub fn disallowed_scopes(requested: &ScopeSet, app: &AppInfo) -> Vec<Scope> {
    requested
        .iter()
        .filter(|s| !app.scopes.iter().any(|a| a.name == s.as_str()))
        .collect()
}

/// The problem to show for [`disallowed_scopes`].
pub fn invalid_scopes_problem(disallowed: &[Scope]) -> Problem {
    let names: Vec<&str> = disallowed.iter().map(|s| s.as_str()).collect();
    Problem::with_detail(
        ProblemKind::InvalidScopes,
        format!("Not allowed for this application: {}", names.join(", ")),
    )
}

/// The rows of the permission list, in catalogue order, with the app's
/// descriptions (the catalogue's when the app has none).
pub fn scope_rows(requested: &ScopeSet, app: &AppInfo) -> Vec<ScopeInfo> {
    requested
        .iter()
        .map(|s| {
            app.scopes
                .iter()
                .find(|a| a.name == s.as_str())
                .cloned()
                .unwrap_or_else(|| ScopeInfo::from(s))
        })
        .collect()
}

/// The host shown as "you will be sent to …".
pub fn redirect_host(req: &AuthorizeRequest) -> Option<String> {
    let uri = RedirectUri::parse(req.redirect_uri.as_deref()?)?;
    Some(uri.display_host().to_owned())
}

/// The logo to show, if any. Only our own paths and inline images: the page
/// loads nothing from other origins (and its CSP would block it anyway).
pub fn logo_src(app: &AppInfo) -> Option<&str> {
    let url = app.logo_url.as_deref()?;
    let same_origin = url.starts_with('/') && !url.starts_with("//") && !url.contains('\\');
    (same_origin || url.starts_with("data:image/")).then_some(url)
}

/// The screen for a failed `GET /api/oauth/app/{client_id}`.
pub fn app_info_problem(err: &ApiError) -> Problem {
    match err.status() {
        Some(404) => Problem::new(ProblemKind::AppNotFound),
        // The only 400 it gives: the redirect URI is not registered.
        Some(400) => Problem::with_detail(
            ProblemKind::InvalidRedirectUri,
            err.description().unwrap_or_default().to_owned(),
        ),
        _ => unavailable(err),
    }
}

/// What follows `POST /api/oauth/authorize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server built and verified this URL: go there.
    Navigate(String),
    /// No session: sign in, then come back to the same authorize URL.
    SignIn,
    /// An error screen; nothing redirects.
    Show(Problem),
}

/// Maps the answer to `POST /api/oauth/authorize` to what the page does.
pub fn authorize_outcome(result: Result<AuthorizeResponse, ApiError>) -> Outcome {
    let err = match result {
        Ok(r) => return Outcome::Navigate(r.redirect_url),
        Err(err) => err,
    };
    let detail = err.description().unwrap_or_default().to_owned();
    match (err.status(), err.code()) {
        (Some(401), _) => Outcome::SignIn,
        (Some(403), _) => Outcome::Show(Problem::with_detail(ProblemKind::Refused, detail)),
        (Some(400), Some("invalid_client")) | (Some(404), _) => {
            Outcome::Show(Problem::with_detail(ProblemKind::AppNotFound, detail))
        }
        (Some(400), Some("invalid_scope")) => {
            Outcome::Show(Problem::with_detail(ProblemKind::InvalidScopes, detail))
        }
        // The server names the parameter in its description; the redirect
        // URI deserves its own title since it is the one that protects the
        // person from being sent somewhere unknown.
        (Some(400), _) if detail.contains("redirect_uri") => Outcome::Show(Problem::with_detail(
            ProblemKind::InvalidRedirectUri,
            detail,
        )),
        (Some(400), _) => Outcome::Show(Problem::with_detail(ProblemKind::InvalidRequest, detail)),
        _ => Outcome::Show(unavailable(&err)),
    }
}

/// The retryable screen for a call that got no usable answer.
pub fn unavailable(err: &ApiError) -> Problem {
    let detail = match err {
        ApiError::Network => "The server did not answer.".to_owned(),
        ApiError::Decode => "The server's answer could not be read.".to_owned(),
        ApiError::Status { status, .. } => format!("The server answered with status {status}."),
    };
    Problem::with_detail(ProblemKind::Unavailable, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::query::authorize_request_from_query;
    use shared::{ErrorBody, ErrorCode};

    const CC: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn req(overrides: &[(&str, Option<&str>)]) -> AuthorizeRequest {
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
        authorize_request_from_query(&q.join("&")).unwrap()
    }

    fn app(scopes: &[Scope]) -> AppInfo {
        AppInfo {
            client_id: "agpt_client_x".into(),
            name: "Test".into(),
            description: "d".into(),
            logo_url: None,
            scopes: scopes.iter().map(|s| ScopeInfo::from(*s)).collect(),
        }
    }

    fn err(status: u16, code: ErrorCode, description: &str) -> ApiError {
        ApiError::Status {
            status,
            body: Some(ErrorBody::new(code, description)),
        }
    }

    #[test]
    fn precheck_follows_the_error_table() {
        let invalid = |r: &AuthorizeRequest| match precheck(r) {
            Precheck::Invalid(p) => {
                assert_eq!(p.kind, ProblemKind::InvalidRequest);
                p.detail.unwrap()
            }
            other => panic!("expected Invalid Request, got {other:?}"),
        };
        assert!(invalid(&req(&[("client_id", None)])).contains("client_id"));
        assert!(invalid(&req(&[("code_challenge", None)])).contains("code_challenge"));
        assert!(invalid(&req(&[("code_challenge", Some("short"))])).contains("code_challenge"));
        assert!(invalid(&req(&[("redirect_uri", Some(""))])).contains("redirect_uri"));

        assert_eq!(
            precheck(&req(&[("scope", Some("READ_GRAPH bogus"))])),
            Precheck::ServerDecides
        );
        assert_eq!(
            precheck(&req(&[("response_type", Some("token"))])),
            Precheck::ServerDecides
        );
        assert_eq!(
            precheck(&req(&[])),
            Precheck::Consent(ScopeSet::new([Scope::ReadGraph, Scope::ExecuteGraph]))
        );
    }

    #[test]
    fn scopes_outside_the_apps_allowance_are_named() {
        let requested = ScopeSet::parse("READ_GRAPH USE_TOOLS READ_STORE").unwrap();
        let app = app(&[Scope::ReadGraph, Scope::ExecuteGraph]);
        let bad = disallowed_scopes(&requested, &app);
        assert_eq!(bad, vec![Scope::ReadStore, Scope::UseTools]);
        let p = invalid_scopes_problem(&bad);
        assert_eq!(p.kind, ProblemKind::InvalidScopes);
        assert_eq!(
            p.detail.as_deref(),
            Some("Not allowed for this application: READ_STORE, USE_TOOLS")
        );
        assert!(disallowed_scopes(&ScopeSet::parse("READ_GRAPH").unwrap(), &app).is_empty());
    }

    #[test]
    fn scope_rows_prefer_the_apps_descriptions() {
        let mut a = app(&[Scope::ReadGraph]);
        a.scopes[0].description = "Custom".into();
        let rows = scope_rows(&ScopeSet::parse("READ_GRAPH EXECUTE_GRAPH").unwrap(), &a);
        assert_eq!(rows[0], ScopeInfo::from(Scope::ExecuteGraph));
        assert_eq!(rows[1].description, "Custom");
    }

    #[test]
    fn redirect_host_and_logo() {
        assert_eq!(redirect_host(&req(&[])).as_deref(), Some("localhost:8080"));
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
            assert_eq!(logo_src(&a).is_some(), shown, "{logo:?}");
        }
    }

    #[test]
    fn app_info_failures() {
        let p = app_info_problem(&err(404, ErrorCode::NotFound, "no such app"));
        assert_eq!(p.kind, ProblemKind::AppNotFound);
        let p = app_info_problem(&err(
            400,
            ErrorCode::InvalidRequest,
            "redirect_uri is not registered",
        ));
        assert_eq!(p.kind, ProblemKind::InvalidRedirectUri);
        for e in [ApiError::Network, err(502, ErrorCode::ServerError, "")] {
            let p = app_info_problem(&e);
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
                err(
                    400,
                    ErrorCode::InvalidRequest,
                    "redirect_uri is not registered",
                ),
                ProblemKind::InvalidRedirectUri,
            ),
            (
                err(400, ErrorCode::InvalidRequest, "Missing code_challenge"),
                ProblemKind::InvalidRequest,
            ),
            (
                err(400, ErrorCode::InvalidScope, "USE_TOOLS not allowed"),
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
