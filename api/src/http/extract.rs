//! Extractors whose rejections are our error type, so malformed input of any
//! kind answers with the one error shape; and the request's one reading of
//! the clock.

use crate::crypto::sha256_hex;
use crate::domain::session::live_user;
use crate::error::{ApiError, ApiResult, DatabaseDown};
use crate::state::AppState;
use crate::store::sessions;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::header::{self, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use ipnet::IpNet;
use serde::de::DeserializeOwned;
use shared::{FormError, Me};
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

/// `axum::Json` with our rejection.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Path` with our rejection.
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `axum::extract::Query` with our rejection.
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The time of this request (Unix seconds), read from the state's clock once
/// when the request arrives (see [`stamp_time`]), so every rule applied while
/// answering it sees the same `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now(pub i64);

/// Middleware around every request: reads the clock once, and reports a
/// response that failed for want of the database to the health tracker.
pub async fn per_request(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(Now(state.now()));
    let response = next.run(req).await;
    if response.extensions().get::<DatabaseDown>().is_some() {
        state.health.report_down();
        state.db.suspect_connections();
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Now {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        parts
            .extensions
            .get::<Now>()
            .copied()
            .ok_or_else(|| ApiError::Internal("the request was not stamped with a time".into()))
    }
}

/// An OAuth endpoint body: `application/x-www-form-urlencoded` (RFC 6749,
/// what client libraries send) or `application/json` (the seed's curl).
#[derive(Debug, Clone)]
pub struct OAuthBody<T>(pub T);

impl<T, S> FromRequest<S> for OAuthBody<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match content_type.as_str() {
            "application/x-www-form-urlencoded" => {
                let bytes =
                    axum::body::Bytes::from_request(req, state)
                        .await
                        .map_err(|e| match e.status() {
                            axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                            _ => ApiError::invalid_request("The request body could not be read."),
                        })?;
                Ok(OAuthBody(from_pairs(
                    url::form_urlencoded::parse(&bytes),
                    "form body",
                )?))
            }
            "application/json" => {
                let axum::Json(body) = axum::Json::<T>::from_request(req, state).await?;
                Ok(OAuthBody(body))
            }
            _ => Err(ApiError::invalid_request(
                "Content-Type must be application/x-www-form-urlencoded or application/json.",
            )),
        }
    }
}

/// Decoded form or query pairs as a `T`, by the shared form rules
/// (`shared::form`): RFC 6749 §3.1, no parameter may be repeated, except a
/// list (`resource`, which RFC 8707 §2 lets a client give more than once).
fn from_pairs<'a, T: DeserializeOwned>(
    pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    what: &str,
) -> ApiResult<T> {
    shared::form::from_pairs(pairs).map_err(|e| match e {
        FormError::Repeated(_) => ApiError::invalid_request(e.to_string()),
        FormError::Invalid(e) => ApiError::invalid_request(format!("Invalid {what}: {e}")),
    })
}

/// A query string as a `T`, with the same rules as a form body (a repeated
/// `resource` is a list).
#[derive(Debug, Clone)]
pub struct ListQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ListQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        let query = parts.uri.query().unwrap_or("");
        Ok(ListQuery(from_pairs(
            url::form_urlencoded::parse(query.as_bytes()),
            "query",
        )?))
    }
}

/// RFC 6749 §3.1: parameters sent without a value are treated as omitted.
pub fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
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
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let cases = [
            (
                ip("203.0.113.9"),
                "198.51.100.1",
                &[][..],
                "203.0.113.9",
                "no proxies configured",
            ),
            (
                ip("203.0.113.9"),
                "198.51.100.1",
                &trusted[..],
                "203.0.113.9",
                "peer not trusted",
            ),
            (
                proxy,
                "198.51.100.1",
                &trusted[..],
                "198.51.100.1",
                "one proxy",
            ),
            (
                ip("::ffff:10.0.0.5"),
                "198.51.100.1",
                &trusted[..],
                "198.51.100.1",
                "a proxy seen as IPv4-mapped on a dual-stack bind",
            ),
            (
                proxy,
                "::ffff:198.51.100.1",
                &trusted[..],
                "198.51.100.1",
                "a mapped client is its IPv4 address",
            ),
            (
                proxy,
                "1.2.3.4, 198.51.100.1, 10.0.0.7",
                &trusted[..],
                "198.51.100.1",
                "two proxies; the client's own claim ignored",
            ),
            (proxy, "", &trusted[..], "10.0.0.5", "no header"),
            (
                proxy,
                "garbage, 198.51.100.1",
                &trusted[..],
                "198.51.100.1",
                "garbage left of the client",
            ),
            (
                proxy,
                "198.51.100.1, garbage",
                &trusted[..],
                "10.0.0.5",
                "garbage from a proxy",
            ),
        ];
        for (peer, xff, trusted, want, why) in cases {
            assert_eq!(client_address(peer, xff, trusted), ip(want), "{why}");
        }
    }
}
