//! Built-in accounts: sign-up, sign-in, sign-out, and who is signed in.

use super::caller::{ClientAddr, CurrentUser, SameOrigin};
use super::cookie::{end_session, with_session};
use super::extract::{ApiJson, Now};
use crate::error::ApiResult;
use crate::service::accounts;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use shared::{AuthConfig, Credentials, Me};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/signup", post(create_account))
        .route("/api/auth/login", post(create_session))
        .route("/api/auth/logout", post(delete_session))
        .route("/api/auth/me", get(get_me))
        .route("/api/auth/config", get(get_config))
}

/// Creates an account and signs it in.
async fn create_account(
    State(state): State<AppState>,
    Now(now): Now,
    _: SameOrigin,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<Credentials>,
) -> ApiResult<impl IntoResponse> {
    let session = accounts::sign_up(&state, body, addr, now).await?;
    let jar = with_session(&state, jar, session.id);
    Ok((StatusCode::CREATED, jar, Json(session.me)))
}

/// Signs in with email and password.
async fn create_session(
    State(state): State<AppState>,
    Now(now): Now,
    _: SameOrigin,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<Credentials>,
) -> ApiResult<impl IntoResponse> {
    let session = accounts::sign_in(&state, body, addr, now).await?;
    Ok((with_session(&state, jar, session.id), Json(session.me)))
}

/// Signs out: ends the session server-side and clears the cookie.
async fn delete_session(
    State(state): State<AppState>,
    _: SameOrigin,
    jar: CookieJar,
) -> ApiResult<impl IntoResponse> {
    let jar = end_session(&state, jar).await?;
    Ok((StatusCode::NO_CONTENT, jar))
}

/// Who is signed in.
async fn get_me(CurrentUser(me): CurrentUser) -> Json<Me> {
    Json(me)
}

/// What the sign-in page may offer.
async fn get_config(State(state): State<AppState>) -> Json<AuthConfig> {
    Json(AuthConfig {
        signup_enabled: state.config.signup_enabled,
    })
}
