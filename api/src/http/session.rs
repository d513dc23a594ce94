//! Built-in accounts: sign-up, sign-in, sign-out, and who is signed in.

use super::cookie::{end_session, start_session};
use super::extract::{ApiJson, ClientAddr, CurrentUser, Now, SameOrigin};
use crate::crypto::HashedSecret;
use crate::domain::accounts::{check_new_password, login_key, normalize_email, MAX_PASSWORD_LEN};
use crate::domain::limits::Subject;
use crate::error::{ApiError, ApiResult};
use crate::service::limits;
use crate::state::AppState;
use crate::store::users;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use shared::{AuthConfig, Credentials, Me};
use tokio::sync::OnceCell;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/signup", post(create_account))
        .route("/api/auth/login", post(create_session))
        .route("/api/auth/logout", post(delete_session))
        .route("/api/auth/me", get(get_me))
        .route("/api/auth/config", get(get_config))
}

/// A hash to verify against when the email is unknown, so a wrong email
/// costs the same time as a wrong password (no account enumeration by
/// timing). Made once, by the bounded hasher like every other hash.
static DUMMY_PASSWORD: OnceCell<HashedSecret> = OnceCell::const_new();

async fn dummy_password(state: &AppState) -> ApiResult<HashedSecret> {
    Ok(DUMMY_PASSWORD
        .get_or_try_init(|| state.hasher.hash("not a real password".into()))
        .await?
        .clone())
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
    if !state.config.signup_enabled {
        return Err(ApiError::Forbidden(
            "Sign-up is turned off on this server.".into(),
        ));
    }
    // Every attempt counts, before any hashing: accounts cost us scrypt.
    // Per source, per IPv6 site (/48), and for the whole deployment.
    let mut counted = vec![Subject::SignUpSource(addr), Subject::SignUps];
    if addr.to_canonical().is_ipv6() {
        counted.push(Subject::SignUpNetwork(addr));
    }
    limits::reserve(&state, &counted, now).await?.failed();
    let email = normalize_email(&body.email).map_err(|r| ApiError::rejected(&r))?;
    check_new_password(body.password.secret()).map_err(|r| ApiError::rejected(&r))?;
    let hashed = state.hasher.hash(body.password.into_secret()).await?;
    let user_id = users::create_user(&state.db, &email, &hashed, None, now).await?;
    let jar = start_session(&state, jar, &user_id, now).await?;
    Ok((
        StatusCode::CREATED,
        jar,
        Json(Me {
            user_id,
            email,
            auth_time: now,
            auth_age: 0,
        }),
    ))
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
    const WRONG: &str = "The email or password is incorrect.";
    // No address has control characters; one with CR/LF would also write
    // lines of its own into text logs.
    if body.email.chars().any(char::is_control) {
        return Err(ApiError::invalid_request(
            "The email must not contain control characters.",
        ));
    }
    let email = login_key(&body.email);
    let subjects = [Subject::Account(&email), Subject::SignInSource(addr)];
    // Counted as a failure before scrypt runs (a parallel burst gets no
    // more tries than a patient guesser); a success takes it back.
    let attempt = limits::reserve(&state, &subjects, now).await?;
    if body.password.secret().len() > MAX_PASSWORD_LEN {
        attempt.failed();
        return Err(ApiError::Unauthorized(WRONG.into()));
    }
    let user = users::find_user_by_email(&state.db, &email).await?;
    let stored = match &user {
        Some(u) => u.password.clone(),
        None => dummy_password(&state).await?,
    };
    let valid = state.hasher.verify(body.password.secret(), &stored).await?;
    let Some(user) = user.filter(|_| valid) else {
        tracing::warn!(event = "sign_in_failed", account = ?email, source = %addr, "wrong email or password");
        attempt.failed();
        return Err(ApiError::Unauthorized(WRONG.into()));
    };
    // The account's failures end; the source's earlier ones do not (a
    // sprayer may own one account of its own), only this attempt is
    // taken back.
    limits::clear(&state, &subjects[0]).await?;
    limits::release(&state, &subjects[1]).await?;
    let jar = start_session(&state, jar, &user.user_id, now).await?;
    Ok((
        jar,
        Json(Me {
            user_id: user.user_id,
            email: user.email,
            auth_time: now,
            auth_age: 0,
        }),
    ))
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
