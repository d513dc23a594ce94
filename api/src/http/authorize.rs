//! The authorization endpoint at the edge: the consent screen's decision
//! (JSON, same-origin, signed in) and the query-string request that may go
//! on without a screen (`prompt=none`). The use cases are
//! `authz::service::authorize`.

use super::caller::{ClientAddr, CurrentUser, MaybeUser, SameOrigin};
use super::extract::{ApiJson, Now};
use super::respond::see_other;
use crate::error::ApiResult;
use crate::service::authorize::{self, WithoutScreen};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use shared::{AuthorizeParams, AuthorizeRequest, AuthorizeResponse};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/oauth/authorize",
        post(create_authorization).get(get_authorization),
    )
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
    let redirect_url = authorize::decide(&state, &user, req, source, now).await?;
    Ok(Json(AuthorizeResponse { redirect_url }))
}

/// OpenID Connect Core §3.1.2.1 `prompt=none`: a code or an error for the
/// app without any screen; otherwise on to the consent screen.
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
    match authorize::without_screen(&state, user, &params, source, now).await? {
        WithoutScreen::Redirect(url) => see_other(&url),
        WithoutScreen::ToScreen => see_other(&format!("/auth/authorize?{query}")),
    }
}
