//! The consent decision: turns an approved (or denied) authorization request
//! into the URL the browser goes to next (RFC 6749 §4.1.1–§4.1.2.1).
//!
//! The request is parsed by `shared`'s `AuthorizeParams::target` and
//! `AuthorizationRequest::parse`, the very functions the consent page ran.
//! Nothing redirects before the client and the exact redirect_uri are
//! verified; after that, each problem either goes back to the app through its
//! URI or is shown, as the problem itself says.

use super::cimd::resolve_client;
use super::extract::{ApiJson, ClientAddr, CurrentUser, Now, SameOrigin};
use crate::crypto::{random_token, sha256_hex, time_ordered_id, CODE_PREFIX};
use crate::domain::authorize::{verify_client, Responder, DENIED_DESCRIPTION};
use crate::domain::resource::check_requested;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::grants::{self, NewAuthorization};
use crate::store::{apps, resources};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use shared::{
    AuthorizationCode, AuthorizationRequest, AuthorizeRequest, AuthorizeResponse, Decision,
    ErrorCode,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/authorize", post(create_authorization))
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
    let params = &req.params;

    // 1–2. The client and the exact redirect URI: until both are verified,
    // problems are shown, never redirected.
    let target = params.target()?;
    resolve_client(&state, &target.client_id, source, now).await?;
    let found =
        apps::find_client_for_redirect(&state.db, &target.client_id, &target.redirect_uri).await?;
    let registered = found.as_ref().is_some_and(|(_, r)| *r);
    let client = verify_client(found.map(|(c, _)| c), registered)?;
    let respond = Responder {
        target: &target,
        issuer: &state.issuer,
    };
    let redirect = |url: String| Ok(Json(AuthorizeResponse { redirect_url: url }));

    // 3. The rest of the request, against what this client may ask for.
    let request = match AuthorizationRequest::parse(
        params,
        &target,
        &client.policy(state.config.pkce_plain_enabled),
    ) {
        Ok(r) => r,
        Err(p) if p.redirects() => return redirect(respond.error(p.code(), &p.to_string())),
        Err(p) => return Err(p.into()),
    };
    // RFC 8707 §2: every resource must be one we serve tokens for.
    let known = resources::find_by_uris(&state.db, &request.resources).await?;
    if let Err(p) = check_requested(&request.resources, &known) {
        return redirect(respond.error(p.code(), &p.to_string()));
    }

    // 4. The decision.
    if req.decision == Decision::Deny {
        return redirect(respond.error(ErrorCode::AccessDenied, DENIED_DESCRIPTION));
    }
    let code = AuthorizationCode::new(random_token(CODE_PREFIX));
    grants::create_authorization(
        &state.db,
        NewAuthorization {
            grant_id: time_ordered_id(now * 1000),
            user_id: user.user_id,
            oauth_app_id: client.oauth_app_id,
            code_hash: sha256_hex(code.secret()),
            redirect_uri: request.redirect_uri.to_string(),
            code_challenge: request.code_challenge.as_str().to_owned(),
            code_challenge_method: request.code_challenge_method,
            scopes: request.scopes,
            resources: request.resources,
            now,
            code_expires_at: now + state.config.auth_code_ttl,
        },
    )
    .await?;
    redirect(respond.code(&code))
}
