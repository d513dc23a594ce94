//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): a
//! relying party sends the person here to end their AutoGPT session too,
//! and may ask to have them sent back to one of its registered post-logout
//! URIs. With a live `id_token_hint` naming the signed-in person, the
//! session ends at once; otherwise the sign-out page asks first (a link on
//! any site must not sign people out).

use super::{fails_with, Failure};
use crate::crypto::sha256_hex;
use crate::domain::oidc::{check_logout, LogoutRejection};
use crate::domain::redirect::redirect_url;
use crate::domain::session::live_user;
use crate::state::AppState;
use crate::store::{apps, sessions};
use shared::ClientId;

/// Where the person lands when no relying party takes them back.
pub const SIGNED_OUT: &str = "/auth/signed-out";

#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    /// A raw control byte or space: no urlencoded form (400).
    #[error("The form is not urlencoded: it has raw spaces or control characters.")]
    NotUrlencoded,
    /// A repeated parameter (400).
    #[error(transparent)]
    Form(#[from] shared::FormError),
    #[error("{0}")]
    Rejected(LogoutRejection),
    #[error(transparent)]
    Failure(#[from] Failure),
}

fails_with!(LogoutError);

/// RP-initiated logout's parameters (RP-Initiated Logout 1.0 §2), as the
/// relying party sent them.
#[derive(Debug, Default, serde::Deserialize)]
pub struct LogoutRequest {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

impl LogoutRequest {
    /// The request from its query or form body, by the shared form rules.
    pub fn parse(form: &[u8]) -> Result<Self, LogoutError> {
        // A form is percent-encoded: a raw control byte (or space) is no
        // form, and must not reach the URL the browser is sent on to.
        if form.iter().any(|b| b.is_ascii_control() || *b == b' ') {
            return Err(LogoutError::NotUrlencoded);
        }
        Ok(shared::form::from_pairs(url::form_urlencoded::parse(form))?)
    }
}

/// What a valid logout request resolves to.
struct Resolved {
    /// The person the hint names, if a live hint came.
    hinted_sub: Option<String>,
    /// Where to send the person afterwards.
    next: String,
    /// `next` is a URI of a client nobody vouched for: never sent there
    /// without the person's confirmation.
    unvouched: bool,
}

async fn resolve(state: &AppState, req: &LogoutRequest, now: i64) -> Result<Resolved, LogoutError> {
    let hint = match req.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        None => None,
        Some(token) => Some(state.keys.verify_ours(&state.db, token, now).await?),
    };
    let checked = check_logout(
        hint.as_ref().map(Option::as_ref),
        &state.issuer,
        req.client_id.as_deref().filter(|c| !c.is_empty()),
        now,
    )
    .map_err(LogoutError::Rejected)?;
    let uri = req
        .post_logout_redirect_uri
        .as_deref()
        .filter(|u| !u.is_empty());
    let mut unvouched = false;
    let next = match (uri, &checked.client_id) {
        (None, _) => SIGNED_OUT.to_owned(),
        (Some(_), None) => return Err(LogoutError::Rejected(LogoutRejection::ClientUnknown)),
        (Some(uri), Some(client_id)) => {
            let client = match ClientId::parse(client_id) {
                Some(id) => apps::find_client(&state.db, &id).await?,
                None => None,
            }
            .ok_or(LogoutError::Rejected(LogoutRejection::ClientUnknown))?;
            if !apps::has_post_logout_uri(&state.db, &client.oauth_app_id, uri).await? {
                return Err(LogoutError::Rejected(LogoutRejection::UriNotRegistered));
            }
            unvouched = !client.registration.is_verified();
            redirect_url(
                uri,
                &[("state", req.state.as_deref().filter(|s| !s.is_empty()))],
            )
        }
    };
    Ok(Resolved {
        // An expired hint asks, like none (RP-Initiated Logout §2: a hint
        // is a hint; only a live one is worth acting on unasked).
        hinted_sub: checked.sub.filter(|_| !checked.expired),
        next,
        unvouched,
    })
}

/// What the relying party's request leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum FromRelyingParty {
    /// End the browser's session and go here.
    SignOut { next: String },
    /// On to the sign-out page, which asks (and reports a bad request).
    Ask,
}

/// The relying party's request (a query, or a form it posted): signed out
/// at once if a live hint names whoever is signed in in this browser (or
/// nobody is), and the destination is a vouched-for client's; otherwise
/// the page asks.
pub async fn from_relying_party(
    state: &AppState,
    req: &LogoutRequest,
    session_secret: Option<&str>,
    now: i64,
) -> Result<FromRelyingParty, Failure> {
    let resolved = match resolve(state, req, now).await {
        Ok(r) => r,
        Err(LogoutError::Failure(f)) => return Err(f),
        Err(_) => return Ok(FromRelyingParty::Ask),
    };
    let Some(sub) = resolved.hinted_sub else {
        return Ok(FromRelyingParty::Ask);
    };
    if resolved.unvouched {
        // RFC 9700 §4.11.2: the page names the destination and asks.
        return Ok(FromRelyingParty::Ask);
    }
    let session = match session_secret {
        Some(secret) => live_user(
            sessions::find_session(&state.db, &sha256_hex(secret)).await?,
            now,
        ),
        None => None,
    };
    if session.as_ref().is_some_and(|me| me.user_id != sub) {
        // Someone else is signed in here now: theirs to decide.
        return Ok(FromRelyingParty::Ask);
    }
    Ok(FromRelyingParty::SignOut {
        next: resolved.next,
    })
}

/// The person confirmed on the sign-out page: where to go once signed out.
pub async fn confirmed(
    state: &AppState,
    req: &LogoutRequest,
    now: i64,
) -> Result<String, LogoutError> {
    Ok(resolve(state, req, now).await?.next)
}
