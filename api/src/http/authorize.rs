//! The consent decision: turns an approved (or denied) authorization request
//! into the URL the browser goes to next (RFC 6749 §4.1.1–§4.1.2.1); and the
//! same request without any screen (`prompt=none`, OpenID Connect Core
//! §3.1.2.1).
//!
//! The request is parsed by `shared`'s `AuthorizeParams::target` and
//! `AuthorizationRequest::parse`, the very functions the consent page ran.
//! Nothing redirects before the client and the exact redirect_uri are
//! verified; after that, each problem either goes back to the app through its
//! URI or is shown, as the problem itself says.

use super::extract::{ApiJson, ClientAddr, CurrentUser, MaybeUser, Now, SameOrigin};
use super::respond::see_other;
use crate::crypto::{random_token, sha256_hex, time_ordered_id, CODE_PREFIX};
use crate::domain::authorize::{
    may_skip_screen, verify_client, Approval, Responder, DENIED_DESCRIPTION,
};
use crate::domain::client::Client;
use crate::domain::resource::check_requested;
use crate::error::{ApiError, ApiResult};
use crate::service::clients;
use crate::state::AppState;
use crate::store::grants::{self, NewAuthorization};
use crate::store::{apps, consents, resources};
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use shared::{
    choose_scopes, sign_in_is_fresh, AuthorizationCode, AuthorizationRequest, AuthorizeParams,
    AuthorizeProblem, AuthorizeRequest, AuthorizeResponse, ClientTarget, Decision, ErrorCode, Me,
};
use std::net::IpAddr;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/oauth/authorize",
        post(create_authorization).get(get_authorization),
    )
}

/// A request that passed every check.
struct Valid {
    client: Client,
    target: ClientTarget,
    request: AuthorizationRequest,
}

/// A valid request, or the URL its problem goes back by.
enum Checked {
    Valid(Box<Valid>),
    Redirect(String),
}

/// Steps 1–3 of every authorization: the client and the exact redirect URI
/// (until both are verified, problems are shown, never redirected), then
/// the rest of the request against what this client may ask for.
async fn check(
    state: &AppState,
    params: &AuthorizeParams,
    source: IpAddr,
    now: i64,
) -> ApiResult<Checked> {
    let target = params.target()?;
    clients::resolve(state, &target.client_id, source, now).await?;
    let found =
        apps::find_client_for_redirect(&state.db, &target.client_id, &target.redirect_uri).await?;
    let registered = found.as_ref().is_some_and(|(_, r)| *r);
    let client = verify_client(found.map(|(c, _)| c), registered)?;
    let respond = Responder {
        target: &target,
        issuer: &state.issuer,
    };
    let mut request = match AuthorizationRequest::parse(
        params,
        &target,
        &client.policy(state.config.pkce_plain_enabled),
    ) {
        Ok(r) => r,
        Err(p) if p.redirects() => {
            return Ok(Checked::Redirect(respond.error(p.code(), &p.to_string())))
        }
        Err(p) => return Err(p.into()),
    };
    // RFC 8707 §2: every resource must be one we serve tokens for.
    let known = resources::find_by_uris(&state.db, &request.resources).await?;
    request.resources = match check_requested(&request.resources, &known) {
        Ok(registered) => registered,
        Err(p) => return Ok(Checked::Redirect(respond.error(p.code(), &p.to_string()))),
    };
    Ok(Checked::Valid(Box::new(Valid {
        client,
        target,
        request,
    })))
}

/// Step 4, approved: the grant and its code, the consent it creates or
/// extends, and the URL that carries the code.
async fn approve(
    state: &AppState,
    client: Client,
    target: &ClientTarget,
    request: AuthorizationRequest,
    (user, consent): (&Me, Option<&Approval>),
    now: i64,
) -> ApiResult<String> {
    let consent = Approval::extended(consent, &request.scopes, &request.resources);
    let code = AuthorizationCode::new(random_token(CODE_PREFIX));
    grants::create_authorization(
        &state.db,
        NewAuthorization {
            grant_id: time_ordered_id(now * 1000),
            user_id: user.user_id.clone(),
            oauth_app_id: client.oauth_app_id,
            code_hash: sha256_hex(code.secret()),
            redirect_uri: request.redirect_uri.to_string(),
            code_challenge: request.code_challenge.as_str().to_owned(),
            code_challenge_method: request.code_challenge_method,
            scopes: request.scopes,
            resources: request.resources,
            nonce: request.nonce,
            auth_time: user.auth_time,
            consent,
            now,
            code_expires_at: now + state.config.auth_code_ttl,
        },
    )
    .await?;
    let respond = Responder {
        target,
        issuer: &state.issuer,
    };
    Ok(respond.code(&code))
}

/// RFC 6749 §4.1.1 / §4.1.2 (+ RFC 7636 §4.4, RFC 8707 §2, RFC 9207 §2): records the person's decision.
async fn create_authorization(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    _: SameOrigin,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<AuthorizeRequest>,
) -> ApiResult<Json<AuthorizeResponse>> {
    let redirect = |url: String| Ok(Json(AuthorizeResponse { redirect_url: url }));
    let (client, target, mut request) = match check(&state, &req.params, source, now).await? {
        Checked::Redirect(url) => return redirect(url),
        Checked::Valid(v) => (v.client, v.target, v.request),
    };
    if req.decision == Decision::Deny {
        let respond = Responder {
            target: &target,
            issuer: &state.issuer,
        };
        return redirect(respond.error(ErrorCode::AccessDenied, DENIED_DESCRIPTION));
    }
    // RFC 6749 §3.3: the person may grant less than was asked.
    request.scopes = choose_scopes(&request.scopes, req.chosen_scope.as_deref())
        .map_err(|p| ApiError::invalid_request(p.to_string()))?;
    let consent = consents::find(&state.db, &user.user_id, &client.oauth_app_id).await?;
    if req.decision == Decision::Remembered {
        // The page skipped the screen; the server decides whether it could.
        if may_skip_screen(
            consent.as_ref(),
            &request,
            client.registration,
            state.config.remember_consent,
        )
        .is_err()
        {
            return Err(ApiError::BadRequest(
                ErrorCode::ConsentRequired,
                "This request needs the person's approval on the consent screen.".into(),
            ));
        }
    }
    let done = approve(
        &state,
        client,
        &target,
        request,
        (&user, consent.as_ref()),
        now,
    );
    redirect(done.await?)
}

/// OpenID Connect Core §3.1.2.1 `prompt=none`: the authorization endpoint
/// without a screen. A code if the person is signed in (recently enough
/// for `max_age`) and has approved this app for as much before; otherwise
/// `login_required` or `consent_required`, back to the app. Without
/// `prompt=none`, the browser goes on to the consent screen.
async fn get_authorization(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    MaybeUser(user): MaybeUser,
    uri: axum::http::Uri,
) -> ApiResult<Response> {
    let query = uri.query().unwrap_or("");
    let pairs = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()));
    let params = AuthorizeParams::from_pairs(pairs)?;
    let (client, target, request) = match check(&state, &params, source, now).await? {
        Checked::Redirect(url) => return see_other(&url),
        Checked::Valid(v) => (v.client, v.target, v.request),
    };
    if !request.prompt.none {
        return see_other(&format!("/auth/authorize?{query}"));
    }
    let respond = Responder {
        target: &target,
        issuer: &state.issuer,
    };
    let refuse = |p: AuthorizeProblem| see_other(&respond.error(p.code(), &p.to_string()));
    let Some(user) =
        user.filter(|u| sign_in_is_fresh(request.prompt, request.max_age, u.auth_age, false))
    else {
        return refuse(AuthorizeProblem::LoginRequired);
    };
    let consent = consents::find(&state.db, &user.user_id, &client.oauth_app_id).await?;
    // Where the screen would have to be shown, `prompt=none` cannot go on.
    if may_skip_screen(
        consent.as_ref(),
        &request,
        client.registration,
        state.config.remember_consent,
    )
    .is_err()
    {
        return refuse(AuthorizeProblem::ConsentRequired);
    }
    let done = approve(
        &state,
        client,
        &target,
        request,
        (&user, consent.as_ref()),
        now,
    );
    see_other(&done.await?)
}
