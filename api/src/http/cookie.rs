//! The session cookie: set when a session starts (sign-up, sign-in),
//! cleared wherever one ends (sign-out, logout, sign out everywhere). The
//! sessions themselves are `authz::service::accounts`.

use super::caller::session_cookie_name;
use crate::error::ApiResult;
use crate::service::accounts;
use crate::state::AppState;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use shared::SessionId;

/// Ends the browser's session (if any) server-side and clears its cookie.
pub async fn end_session(state: &AppState, jar: CookieJar) -> ApiResult<CookieJar> {
    let secret = jar
        .get(session_cookie_name(state))
        .map(|c| c.value().to_owned());
    accounts::end_session(state, secret.as_deref()).await?;
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

/// The cookie of a session just started.
pub fn with_session(state: &AppState, jar: CookieJar, id: SessionId) -> CookieJar {
    jar.add(session_cookie(state, id.into_secret()))
}
