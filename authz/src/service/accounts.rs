//! Built-in accounts and sessions: signing up and in (both limited before
//! any scrypt runs), sessions, and what the person does with their own
//! account (the apps with access to it, signing out everywhere).

use super::{fails_with, limits, Failure};
use crate::crypto::{random_token, sha256_hex, HashedSecret};
use crate::domain::accounts::{
    check_new_password, login_key, normalize_email, AccountRejection, MAX_PASSWORD_LEN,
};
use crate::domain::limits::Subject;
use crate::domain::wording::{scope_info, Locale};
use crate::state::AppState;
use crate::store::{apps, consents, resources, sessions, users};
use shared::{ClientId, ConnectedApp, ConnectedApps, Credentials, Me, ResourceUri, SessionId};
use std::net::IpAddr;
use tokio::sync::OnceCell;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// `--signup-enabled false` (403).
    #[error("Sign-up is turned off on this server.")]
    SignUpOff,
    /// An email or password the rules refuse (400).
    #[error("{0}")]
    Rejected(AccountRejection),
    /// No address has control characters; one with CR/LF would also write
    /// lines of its own into text logs (400).
    #[error("The email must not contain control characters.")]
    ControlCharacters,
    /// Which of the two was wrong is not said (401).
    #[error("The email or password is incorrect.")]
    WrongCredentials,
    /// The person has granted this app nothing (404).
    #[error("This app has no access to your account.")]
    NoSuchApp,
    #[error(transparent)]
    Failure(#[from] Failure),
}

fails_with!(AccountError);

/// A session just started: the secret for the cookie, and who it is.
#[derive(Debug)]
pub struct NewSession {
    pub id: SessionId,
    pub me: Me,
}

/// A hash to verify against when the email is unknown, so a wrong email
/// costs the same time as a wrong password (no account enumeration by
/// timing). Made once, by the bounded hasher like every other hash.
static DUMMY_PASSWORD: OnceCell<HashedSecret> = OnceCell::const_new();

async fn dummy_password(state: &AppState) -> Result<HashedSecret, Failure> {
    Ok(DUMMY_PASSWORD
        .get_or_try_init(|| state.hasher.hash("not a real password".into()))
        .await?
        .clone())
}

/// Creates an account and signs it in.
pub async fn sign_up(
    state: &AppState,
    body: Credentials,
    source: IpAddr,
    now: i64,
) -> Result<NewSession, AccountError> {
    if !state.config.signup_enabled {
        return Err(AccountError::SignUpOff);
    }
    // Every attempt counts, before any hashing: accounts cost us scrypt.
    // Per source, per IPv6 site (/48), and for the whole deployment.
    let mut counted = vec![Subject::SignUpSource(source), Subject::SignUps];
    if source.to_canonical().is_ipv6() {
        counted.push(Subject::SignUpNetwork(source));
    }
    limits::reserve(state, &counted, now).await?.failed();
    let email = normalize_email(&body.email).map_err(AccountError::Rejected)?;
    check_new_password(body.password.secret()).map_err(AccountError::Rejected)?;
    let hashed = state.hasher.hash(body.password.into_secret()).await?;
    let user_id = users::create_user(&state.db, &email, &hashed, None, now).await?;
    let id = start_session(state, &user_id, now).await?;
    Ok(NewSession {
        id,
        me: Me {
            user_id,
            email,
            auth_time: now,
            auth_age: 0,
        },
    })
}

/// Signs in with email and password.
pub async fn sign_in(
    state: &AppState,
    body: Credentials,
    source: IpAddr,
    now: i64,
) -> Result<NewSession, AccountError> {
    if body.email.chars().any(char::is_control) {
        return Err(AccountError::ControlCharacters);
    }
    let email = login_key(&body.email);
    let subjects = [Subject::Account(&email), Subject::SignInSource(source)];
    // Counted as a failure before scrypt runs (a parallel burst gets no
    // more tries than a patient guesser); a success takes it back.
    let attempt = limits::reserve(state, &subjects, now).await?;
    if body.password.secret().len() > MAX_PASSWORD_LEN {
        attempt.failed();
        return Err(AccountError::WrongCredentials);
    }
    let user = users::find_user_by_email(&state.db, &email).await?;
    let stored = match &user {
        Some(u) => u.password.clone(),
        None => dummy_password(state).await?,
    };
    let valid = state.hasher.verify(body.password.secret(), &stored).await?;
    let Some(user) = user.filter(|_| valid) else {
        tracing::warn!(event = "sign_in_failed", account = ?email, source = %source, "wrong email or password");
        attempt.failed();
        return Err(AccountError::WrongCredentials);
    };
    // The account's failures end; the source's earlier ones do not (a
    // sprayer may own one account of its own), only this attempt is
    // taken back.
    limits::clear(state, &subjects[0]).await?;
    limits::release(state, &subjects[1]).await?;
    let id = start_session(state, &user.user_id, now).await?;
    Ok(NewSession {
        id,
        me: Me {
            user_id: user.user_id,
            email: user.email,
            auth_time: now,
            auth_age: 0,
        },
    })
}

/// A new session for `user_id`: stored by its hash, the secret returned once.
pub async fn start_session(
    state: &AppState,
    user_id: &str,
    now: i64,
) -> Result<SessionId, Failure> {
    let id = SessionId::new(random_token(""));
    let expires_at = now + state.config.tokens.session_ttl;
    sessions::create_session(
        &state.db,
        &sha256_hex(id.secret()),
        user_id,
        now,
        expires_at,
    )
    .await?;
    Ok(id)
}

/// Ends the session whose secret the browser presented (if any).
pub async fn end_session(state: &AppState, secret: Option<&str>) -> Result<(), Failure> {
    if let Some(secret) = secret {
        sessions::delete_session(&state.db, &sha256_hex(secret)).await?;
    }
    Ok(())
}

/// Ends every session of the person, wherever they are signed in.
pub async fn end_all_sessions(state: &AppState, user_id: &str) -> Result<(), Failure> {
    sessions::delete_user_sessions(&state.db, user_id).await?;
    Ok(())
}

/// Every app the person allowed, with what (worded in `locale`) and since when.
pub async fn connected_apps(
    state: &AppState,
    user_id: &str,
    locale: Locale,
) -> Result<ConnectedApps, Failure> {
    let rows = consents::list_for_user(&state.db, user_id).await?;
    let uris: Vec<_> = rows
        .iter()
        .flat_map(|r| r.approval.resources.iter().cloned())
        .collect();
    let known = resources::find_by_uris(&state.db, &uris).await?;
    let name_of = |uri: &ResourceUri| {
        known
            .iter()
            .find(|k| &k.uri == uri)
            .map_or_else(|| uri.to_string(), |k| k.name.clone())
    };
    let apps = rows
        .into_iter()
        .map(|r| ConnectedApp {
            client_id: r.client.client_id.to_string(),
            name: r.client.name,
            logo_url: r.client.logo_url,
            registration: r.client.registration,
            scopes: r
                .approval
                .scopes
                .iter()
                .map(|s| scope_info(s, locale))
                .collect(),
            resources: r.approval.resources.iter().map(name_of).collect(),
            granted_at: r.created_at,
            updated_at: r.updated_at,
            last_used_at: r.last_used_at,
        })
        .collect();
    Ok(ConnectedApps { apps })
}

/// RFC 7009 §2.1 in spirit, from the person's side: removes the consent and
/// revokes every code and token issued under it.
pub async fn remove_app(
    state: &AppState,
    user_id: &str,
    client_id: &str,
    now: i64,
) -> Result<(), AccountError> {
    let client_id = ClientId::parse(client_id).ok_or(AccountError::NoSuchApp)?;
    let client = apps::find_client(&state.db, &client_id)
        .await?
        .ok_or(AccountError::NoSuchApp)?;
    if !consents::revoke(&state.db, user_id, &client.oauth_app_id, now).await? {
        return Err(AccountError::NoSuchApp);
    }
    tracing::info!(
        event = "consent_revoked",
        user_id = %user_id,
        client_id = %client_id,
        "the person removed an app's access"
    );
    Ok(())
}
