//! The authorization endpoint's use cases (RFC 6749 §4.1.1–§4.1.2.1): the
//! person's decision, and the same request without a screen (`prompt=none`,
//! OpenID Connect Core §3.1.2.1).
//!
//! The request is parsed by `shared`'s `AuthorizeParams::target` and
//! `AuthorizationRequest::parse`, the very functions the consent page ran.
//! Nothing redirects before the client and the exact redirect_uri are
//! verified; after that, each problem either goes back to the app through
//! its URI or is shown, as the problem itself says.

use super::clients::{self, ClientError};
use super::{fails_with, Failure};
use crate::crypto::{random_token, sha256_hex, time_ordered_id, CODE_PREFIX};
use crate::domain::authorize::{
    can_be_remembered, decision_sign_in_is_fresh, may_skip_screen, verify_client, Approval,
    Responder, DENIED_DESCRIPTION,
};
use crate::domain::client::Client;
use crate::domain::resource::{check_requested, MAX_RESOURCES};
use crate::state::AppState;
use crate::store::grants::{self, NewAuthorization};
use crate::store::{apps, consents, resources};
use shared::{
    choose_scopes, sign_in_is_fresh, AuthorizationCode, AuthorizationRequest, AuthorizeParams,
    AuthorizeProblem, AuthorizeRequest, ClientTarget, Decision, ErrorCode, Me, ScopeChoiceProblem,
};
use std::net::IpAddr;

#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    /// A problem shown to the person, never redirected (400 with its code).
    #[error("{0}")]
    Shown(AuthorizeProblem),
    /// `chosen_scope` is not a choice among what was asked.
    #[error("{0}")]
    Choice(ScopeChoiceProblem),
    /// More than `MAX_RESOURCES` resource parameters (`invalid_request`, shown).
    #[error("At most {} resource parameters may be given.", MAX_RESOURCES)]
    TooManyResources,
    /// A request of a client nobody vouched for has a problem that would go
    /// back to its URI: shown instead (400 with that code).
    #[error("{1}")]
    Unvouched(ErrorCode, String),
    /// The sign-in is older than `prompt=login` or `max_age` allow.
    #[error("This request needs a fresh sign-in (prompt=login or max_age): sign in again.")]
    LoginRequired,
    /// `decision: remembered` where the screen had to be shown.
    #[error("This request needs the person's approval on the consent screen.")]
    ConsentRequired,
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Failure(#[from] Failure),
}

fails_with!(AuthorizeError);

impl From<AuthorizeProblem> for AuthorizeError {
    fn from(p: AuthorizeProblem) -> Self {
        AuthorizeError::Shown(p)
    }
}

/// Where the browser goes without a screen.
pub enum WithoutScreen {
    /// To the client (a code, or an error through its verified URI).
    Redirect(String),
    /// On to the consent screen (no `prompt=none`).
    ToScreen,
}

/// A request that passed every check.
struct Valid {
    client: Client,
    target: ClientTarget,
    request: AuthorizationRequest,
}

/// A valid request, or the URL its problem goes back by (and whether the
/// client is one an operator vouched for: only then may the browser be
/// sent there without the person seeing it first).
enum Checked {
    Valid(Box<Valid>),
    Redirect {
        url: String,
        verified: bool,
        problem: (ErrorCode, String),
    },
}

/// Steps 1–3 of every authorization: the client and the exact redirect URI
/// (until both are verified, problems are shown, never redirected), then
/// the rest of the request against what this client may ask for.
async fn check(
    state: &AppState,
    params: &AuthorizeParams,
    source: IpAddr,
    now: i64,
) -> Result<Checked, AuthorizeError> {
    if params.resource.len() > MAX_RESOURCES {
        return Err(AuthorizeError::TooManyResources);
    }
    let target = params.target()?;
    clients::resolve(state, &target.client_id, source, now).await?;
    let found =
        apps::find_client_for_redirect(&state.db, &target.client_id, &target.redirect_uri).await?;
    let registered = found.as_ref().is_some_and(|(_, r)| *r);
    let client = verify_client(found.map(|(c, _)| c), registered)?;
    let respond = Responder {
        target: &target,
        issuer: &state.issuer,
    };
    let mut request = match AuthorizationRequest::parse(
        params,
        &target,
        &client.policy(state.config.tokens.pkce_plain_enabled),
    ) {
        Ok(r) => r,
        Err(p) if p.redirects() => {
            return Ok(Checked::Redirect {
                url: respond.error(p.code(), &p.to_string()),
                verified: client.registration.is_verified(),
                problem: (p.code(), p.to_string()),
            })
        }
        Err(p) => return Err(p.into()),
    };
    // RFC 8707 §2: every resource must be one we serve tokens for.
    let known = resources::find_by_uris(&state.db, &request.resources).await?;
    request.resources = match check_requested(&request.resources, &known) {
        Ok(registered) => registered,
        Err(p) => {
            return Ok(Checked::Redirect {
                url: respond.error(p.code(), &p.to_string()),
                verified: client.registration.is_verified(),
                problem: (p.code(), p.to_string()),
            })
        }
    };
    Ok(Checked::Valid(Box::new(Valid {
        client,
        target,
        request,
    })))
}

/// Whether the operator remembers consent, for a client that may be
/// remembered at all (`can_be_remembered`; its redirect URIs are read only
/// for a public client).
async fn remembering(state: &AppState, client: &Client) -> Result<bool, AuthorizeError> {
    if !state.config.tokens.remember_consent {
        return Ok(false);
    }
    if client.secret.is_some() {
        return Ok(true);
    }
    let uris = apps::redirect_uris(&state.db, &client.oauth_app_id).await?;
    Ok(can_be_remembered(client, &uris))
}

/// Step 4, approved: the grant and its code, the consent it creates or
/// extends, and the URL that carries the code.
async fn approve(
    state: &AppState,
    client: Client,
    target: &ClientTarget,
    request: AuthorizationRequest,
    (user, seen): (&Me, Option<&consents::Seen>),
    now: i64,
) -> Result<String, AuthorizeError> {
    let consent = Approval::extended(
        seen.map(|s| &s.approval),
        &request.scopes,
        &request.resources,
    );
    let approved = Approval {
        scopes: request.scopes.clone(),
        resources: request.resources.clone(),
    };
    let code = AuthorizationCode::new(random_token(CODE_PREFIX));
    grants::create_authorization(
        &state.db,
        NewAuthorization {
            grant_id: time_ordered_id(now * 1000),
            user_id: user.user_id.clone(),
            oauth_app_id: client.oauth_app_id,
            code_hash: sha256_hex(code.secret()),
            redirect_uri: request.redirect_uri.to_string(),
            code_challenge: request.code_challenge.as_str().to_owned(),
            code_challenge_method: request.code_challenge_method,
            scopes: request.scopes,
            resources: request.resources,
            nonce: request.nonce,
            auth_time: user.auth_time,
            consent,
            consent_seen: seen.map(|s| s.updated_at),
            approved,
            now,
            code_expires_at: now + state.config.tokens.auth_code_ttl,
        },
    )
    .await?;
    let respond = Responder {
        target,
        issuer: &state.issuer,
    };
    Ok(respond.code(&code))
}

/// RFC 6749 §4.1.1 / §4.1.2 (+ RFC 7636 §4.4, RFC 8707 §2, RFC 9207 §2):
/// the signed-in person's decision; the URL the browser goes to next.
pub async fn decide(
    state: &AppState,
    user: &Me,
    req: AuthorizeRequest,
    source: IpAddr,
    now: i64,
) -> Result<String, AuthorizeError> {
    let (client, target, mut request) = match check(state, &req.params, source, now).await? {
        Checked::Redirect {
            url,
            verified: true,
            ..
        } => return Ok(url),
        // Nobody vouched for this client: its problem goes back to it only
        // when the person, shown the problem and the destination host,
        // clicked to return there (Deny); anything else answers the problem
        // (by its code) for the page to show.
        Checked::Redirect {
            url,
            verified: false,
            ..
        } if req.decision == Decision::Deny => return Ok(url),
        Checked::Redirect {
            verified: false,
            problem: (code, description),
            ..
        } => return Err(AuthorizeError::Unvouched(code, description)),
        Checked::Valid(v) => (v.client, v.target, v.request),
    };
    if req.decision == Decision::Deny {
        let respond = Responder {
            target: &target,
            issuer: &state.issuer,
        };
        return Ok(respond.error(ErrorCode::AccessDenied, DENIED_DESCRIPTION));
    }
    // A denial needs no fresh sign-in; an approval does.
    if !decision_sign_in_is_fresh(request.prompt, request.max_age, user.auth_age) {
        return Err(AuthorizeError::LoginRequired);
    }
    // RFC 6749 §3.3: the person may grant less than was asked.
    request.scopes = choose_scopes(&request.scopes, req.chosen_scope.as_deref())
        .map_err(AuthorizeError::Choice)?;
    let consent = consents::find(&state.db, &user.user_id, &client.oauth_app_id).await?;
    if req.decision == Decision::Remembered {
        // The page skipped the screen; the server decides whether it could.
        let remembering = remembering(state, &client).await?;
        if may_skip_screen(
            consent.as_ref().map(|c| &c.approval),
            &request,
            client.registration,
            remembering,
        )
        .is_err()
        {
            return Err(AuthorizeError::ConsentRequired);
        }
    }
    let consent = consent.as_ref();
    approve(state, client, &target, request, (user, consent), now).await
}

/// OpenID Connect Core §3.1.2.1 `prompt=none`: the authorization endpoint
/// without a screen. A code if the person is signed in (recently enough
/// for `max_age`) and has approved this app for as much before; otherwise
/// `login_required` or `consent_required`, back to the app. Without
/// `prompt=none`, the browser goes on to the consent screen.
pub async fn without_screen(
    state: &AppState,
    user: Option<Me>,
    params: &AuthorizeParams,
    source: IpAddr,
    now: i64,
) -> Result<WithoutScreen, AuthorizeError> {
    let (client, target, request) = match check(state, params, source, now).await? {
        Checked::Redirect {
            url,
            verified: true,
            ..
        } => return Ok(WithoutScreen::Redirect(url)),
        // RFC 9700 §4.11.2: nobody vouched for this client, so its URI gets
        // no visitor unseen: the consent screen shows the problem.
        Checked::Redirect {
            verified: false, ..
        } => return Ok(WithoutScreen::ToScreen),
        Checked::Valid(v) => (v.client, v.target, v.request),
    };
    if !request.prompt.none {
        return Ok(WithoutScreen::ToScreen);
    }
    let respond = Responder {
        target: &target,
        issuer: &state.issuer,
    };
    let refuse = |p: AuthorizeProblem| {
        Ok(WithoutScreen::Redirect(
            respond.error(p.code(), &p.to_string()),
        ))
    };
    let Some(user) =
        user.filter(|u| sign_in_is_fresh(request.prompt, request.max_age, u.auth_age, false))
    else {
        // Only a signed-in person is answered for an unvouched client: a
        // signed-out visitor would otherwise be bounced to any URI its
        // author registered (an open redirector).
        if !client.registration.is_verified() {
            return Ok(WithoutScreen::ToScreen);
        }
        return refuse(AuthorizeProblem::LoginRequired);
    };
    let consent = consents::find(&state.db, &user.user_id, &client.oauth_app_id).await?;
    // Where the screen would have to be shown, `prompt=none` cannot go on.
    let remembering = remembering(state, &client).await?;
    if may_skip_screen(
        consent.as_ref().map(|c| &c.approval),
        &request,
        client.registration,
        remembering,
    )
    .is_err()
    {
        return refuse(AuthorizeProblem::ConsentRequired);
    }
    let url = approve(
        state,
        client,
        &target,
        request,
        (&user, consent.as_ref()),
        now,
    )
    .await?;
    Ok(WithoutScreen::Redirect(url))
}
