//! The session cookie: made at sign-in, ended (server-side too) at sign-out
//! and wherever else a session ends (logout, sign out everywhere).

use super::extract::session_cookie_name;
use crate::crypto;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::sessions;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use shared::SessionId;

/// Ends the browser's session (if any) server-side and clears its cookie.
pub async fn end_session(state: &AppState, jar: CookieJar) -> ApiResult<CookieJar> {
    if let Some(cookie) = jar.get(session_cookie_name(state)) {
        sessions::delete_session(&state.db, &crypto::sha256_hex(cookie.value())).await?;
    }
    Ok(jar.remove(session_cookie(state, String::new())))
}

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((session_cookie_name(state), value))
        .path("/")
        .http_only(true)
        // Lax: sent on the top-level navigation from an app to /auth/authorize,
        // never on a cross-site POST.
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies())
        .max_age(time::Duration::seconds(state.config.tokens.session_ttl))
        .build()
}

/// A new session for `user_id`, and its cookie.
pub async fn start_session(
    state: &AppState,
    jar: CookieJar,
    user_id: &str,
    now: i64,
) -> ApiResult<CookieJar> {
    let id = SessionId::new(crypto::random_token(""));
    sessions::create_session(
        &state.db,
        &crypto::sha256_hex(id.secret()),
        user_id,
        now,
        now + state.config.tokens.session_ttl,
    )
    .await?;
    Ok(jar.add(session_cookie(state, id.into_secret())))
}
