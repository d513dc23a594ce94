//! The person's own account: the apps with access to it (and removing
//! that access), and signing out of every browser at once.

use super::caller::{CurrentUser, SameOrigin};
use super::cookie::end_session;
use super::extract::{ApiPath, Now, Wording};
use crate::error::ApiResult;
use crate::service::accounts;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use shared::ConnectedApps;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/account/apps", get(list_apps))
        .route("/api/account/apps/{client_id}", delete(delete_app))
        .route("/api/account/sign-out-everywhere", post(delete_sessions))
}

/// Every app the person allowed, with what and since when.
async fn list_apps(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Wording(locale): Wording,
) -> ApiResult<Json<ConnectedApps>> {
    Ok(Json(
        accounts::connected_apps(&state, &me.user_id, locale).await?,
    ))
}

/// RFC 7009 §2.1 in spirit, from the person's side: removes the consent and
/// revokes every code and token issued under it.
async fn delete_app(
    State(state): State<AppState>,
    Now(now): Now,
    _: SameOrigin,
    CurrentUser(me): CurrentUser,
    ApiPath(client_id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    accounts::remove_app(&state, &me.user_id, &client_id, now).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the person, this browser's included.
async fn delete_sessions(
    State(state): State<AppState>,
    _: SameOrigin,
    CurrentUser(me): CurrentUser,
    jar: CookieJar,
) -> ApiResult<impl IntoResponse> {
    accounts::end_all_sessions(&state, &me.user_id).await?;
    let jar = end_session(&state, jar).await?;
    Ok((StatusCode::NO_CONTENT, jar))
}
