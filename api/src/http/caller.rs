//! Who is calling: the signed-in person (from the session cookie), the
//! address a request came from (behind trusted proxies), and whether a
//! browser request comes from our own pages.

use super::extract::Now;
use crate::crypto::sha256_hex;
use crate::domain::session::live_user;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::sessions;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use ipnet::IpNet;
use shared::Me;
use std::net::{IpAddr, SocketAddr};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "agpt_session";

/// The session cookie's name: over https with the `__Host-` prefix, so the
/// browser accepts it only as Secure, for "/", from this very host (no
/// sibling subdomain can set or shadow it).
pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.secure_cookies() {
        "__Host-agpt_session"
    } else {
        SESSION_COOKIE
    }
}

/// The signed-in user, from the session cookie. Rejects with 401.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Me);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let Now(now) = Now::from_request_parts(parts, state).await?;
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(session_cookie_name(state)) else {
            return Err(ApiError::Unauthorized("You are not signed in.".into()));
        };
        let session = sessions::find_session(&state.db, &sha256_hex(cookie.value())).await?;
        match live_user(session, now) {
            Some(me) => Ok(CurrentUser(me)),
            None => Err(ApiError::Unauthorized(
                "Your session has ended. Please sign in again.".into(),
            )),
        }
    }
}

/// The address a request came from: the peer, or, when the peer is one of
/// the configured trusted proxies, the client `X-Forwarded-For` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        // Requests that did not come over a socket (none in production) count
        // as one unknown source.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddr(client_address(
            peer,
            &forwarded.join(","),
            &state.config.transport.trusted_proxies,
        )))
    }
}

/// The client's address. `X-Forwarded-For` is read right to left (each proxy
/// appends the address it received from), skipping our own trusted proxies;
/// the first address that is not one of them is the client. Anything to its
/// left was written by the client itself, so it is never believed.
/// Addresses are canonical first: on a dual-stack bind an IPv4 peer arrives
/// as `::ffff:a.b.c.d`, which an IPv4 trusted range would otherwise miss.
pub fn client_address(peer: IpAddr, forwarded_for: &str, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer.to_canonical();
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for
        .rsplit(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        let Ok(ip) = hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// Only same-origin requests: state-changing browser endpoints (sign-up,
/// sign-in, sign-out, the consent decision) refuse requests a browser marks
/// as coming from another site, so a cross-site page cannot sign the person
/// in as someone else (login CSRF) or approve anything with their cookie.
/// A cross-site form cannot send JSON without a CORS preflight we never
/// grant; this also covers same-site subdomains and future browser quirks.
#[derive(Debug, Clone, Copy)]
pub struct SameOrigin;

impl FromRequestParts<AppState> for SameOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        SameOrigin::check(state, &parts.headers)
    }
}

impl SameOrigin {
    /// The rule, for handlers that choose by the body whether it applies.
    pub fn check(state: &AppState, headers: &axum::http::HeaderMap) -> ApiResult<Self> {
        let refused = || ApiError::Forbidden("Cross-origin requests are not accepted here.".into());
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            return if site == "same-origin" {
                Ok(SameOrigin)
            } else {
                Err(refused())
            };
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let origin = origin.trim_end_matches('/');
            let allowed = origin == &*state.issuer
                || state
                    .config
                    .allowed_origins
                    .iter()
                    .any(|o| o.trim_end_matches('/') == origin);
            return if allowed {
                Ok(SameOrigin)
            } else {
                Err(refused())
            };
        }
        // No browser fetch metadata at all: not a browser, so no ambient cookie to abuse.
        Ok(SameOrigin)
    }
}

/// The signed-in person, if any (no session is not an error here).
pub struct MaybeUser(pub Option<Me>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(CurrentUser(me)) => Ok(MaybeUser(Some(me))),
            Err(ApiError::Unauthorized(_)) => Ok(MaybeUser(None)),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
#[path = "caller_tests.rs"]
mod tests;
