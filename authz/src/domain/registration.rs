//! What a safe client registration needs: the redirect URI rules (RFC 9700
//! §2.1, §4.1; RFC 8252 §7 for native apps) shared by the operator's CLI,
//! dynamic registration (RFC 7591) and metadata documents, and the checks of
//! a self-registration request.

use super::client::{ApplicationType, GrantType};
use super::oidc::SigningAlg;
use super::Rejection;
use serde::{Deserialize, Serialize};
use shared::{ErrorCode, RedirectUri, Scope, ScopeSet};
use std::fmt;
use url::Url;

/// Why a redirect URI may not be registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUriRejection {
    pub uri: String,
    pub problem: RedirectUriProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectUriProblem {
    NotAbsolute,
    TooLong,
    Fragment,
    UserInfo,
    Whitespace,
    NoHost,
    /// `http` on anything but a loopback host.
    PlainHttp,
    /// A scheme that runs code, reads files or is not a redirect at all.
    ForbiddenScheme(String),
    /// A private-use scheme without a dot (RFC 8252 §7.1 wants reverse-domain names).
    UnnamedScheme(String),
    /// A web client registers https redirect URIs only.
    NotForWeb,
    /// A browser would read it otherwise (WHATWG URL): the normal form.
    /// `https://evil.example\@claude.ai/cb` goes to evil.example, and
    /// a Unicode host is not the host a person would think it is.
    NotNormal(String),
}

impl fmt::Display for RedirectUriRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uri = &self.uri;
        match &self.problem {
            RedirectUriProblem::NotAbsolute => write!(f, "{uri:?} is not an absolute URI"),
            RedirectUriProblem::TooLong => write!(
                f,
                "{uri:?} is longer than {} characters",
                RedirectUri::MAX_LEN
            ),
            RedirectUriProblem::Fragment => write!(f, "{uri:?} must not contain a fragment (#…)"),
            RedirectUriProblem::UserInfo => {
                write!(f, "{uri:?} must not contain user information (user:pass@)")
            }
            RedirectUriProblem::Whitespace => {
                write!(f, "{uri:?} must not contain spaces or control characters")
            }
            RedirectUriProblem::NoHost => write!(f, "{uri:?} has no host"),
            RedirectUriProblem::PlainHttp => write!(
                f,
                "{uri:?} uses plain http on a non-loopback host; use https (http is only allowed for localhost, 127.0.0.1 and [::1])"
            ),
            RedirectUriProblem::ForbiddenScheme(s) => {
                write!(f, "{uri:?}: the {s}: scheme is not allowed for redirects")
            }
            RedirectUriProblem::UnnamedScheme(s) => write!(
                f,
                "{uri:?}: the {s}: scheme is not allowed; use https, loopback http, or a reverse-domain private-use scheme such as com.example.app:/callback"
            ),
            RedirectUriProblem::NotNormal(normal) => write!(
                f,
                "{uri:?} is not written as a browser reads it ({normal:?}); register it in that form"
            ),
            RedirectUriProblem::NotForWeb => write!(
                f,
                "{uri:?}: a web application registers https redirect URIs only (register as application_type \"native\" for loopback or private-use schemes)"
            ),
        }
    }
}

/// One redirect URI, whatever kind of app registers it: absolute; no
/// fragment (RFC 6749 §3.1.2); no user-info; `https`, or `http` only on a
/// loopback host, or a private-use scheme (RFC 8252 §7.1). Schemes that
/// run code or read files are refused outright.
pub fn check_redirect_uri(uri: &str) -> Result<RedirectUri, RedirectUriRejection> {
    check(uri, None)
}

/// The same, for an app of a known kind: a web app may use https only; a
/// native app may also use loopback http and private-use schemes.
pub fn check_redirect_uri_for(
    uri: &str,
    kind: ApplicationType,
) -> Result<RedirectUri, RedirectUriRejection> {
    check(uri, Some(kind))
}

/// What a client did not declare, inferred from its redirect URIs: any
/// loopback or private-use URI makes it native (it runs on a device).
pub fn application_type_of(
    declared: Option<ApplicationType>,
    redirect_uris: &[String],
) -> ApplicationType {
    declared.unwrap_or_else(|| {
        if redirect_uris.iter().all(|u| u.starts_with("https://")) {
            ApplicationType::Web
        } else {
            ApplicationType::Native
        }
    })
}

fn check(uri: &str, kind: Option<ApplicationType>) -> Result<RedirectUri, RedirectUriRejection> {
    let refuse = |problem| RedirectUriRejection {
        uri: uri.to_owned(),
        problem,
    };
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse(RedirectUriProblem::Whitespace));
    }
    if uri.len() > RedirectUri::MAX_LEN {
        return Err(refuse(RedirectUriProblem::TooLong));
    }
    let Ok(url) = Url::parse(uri) else {
        return Err(refuse(RedirectUriProblem::NotAbsolute));
    };
    // Checked before the scheme: `javascript:…#` must not pass as "fragment" only.
    match url.scheme() {
        "javascript" | "data" | "file" | "vbscript" | "about" | "blob" | "filesystem" | "ftp"
        | "ws" | "wss" | "mailto" | "tel" | "view-source" | "chrome" | "jar" => {
            return Err(refuse(RedirectUriProblem::ForbiddenScheme(
                url.scheme().to_owned(),
            )));
        }
        _ => {}
    }
    if uri.contains('#') {
        return Err(refuse(RedirectUriProblem::Fragment));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(RedirectUriProblem::UserInfo));
    }
    // What is registered is what a browser will be sent to, byte for byte.
    if url.as_str() != uri {
        return Err(refuse(RedirectUriProblem::NotNormal(
            url.as_str().to_owned(),
        )));
    }
    let web = kind == Some(ApplicationType::Web);
    match url.scheme() {
        "https" if url.host_str().is_none_or(str::is_empty) => {
            Err(refuse(RedirectUriProblem::NoHost))
        }
        "https" => Ok(()),
        "http" => match url.host_str() {
            Some("localhost" | "127.0.0.1" | "[::1]") if web => {
                Err(refuse(RedirectUriProblem::NotForWeb))
            }
            Some("localhost" | "127.0.0.1" | "[::1]") => Ok(()),
            _ => Err(refuse(RedirectUriProblem::PlainHttp)),
        },
        _ if web => Err(refuse(RedirectUriProblem::NotForWeb)),
        scheme if scheme.contains('.') || kind == Some(ApplicationType::Native) => Ok(()),
        scheme => Err(refuse(RedirectUriProblem::UnnamedScheme(scheme.to_owned()))),
    }?;
    RedirectUri::parse(uri).ok_or_else(|| refuse(RedirectUriProblem::TooLong))
}

/// The members of RFC 7591 §2 client metadata we use, as a registration
/// request or a metadata document carries them; the rest are ignored.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ClientMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_type: Option<String>,
    /// OpenID Connect RP-Initiated Logout §3.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_logout_redirect_uris: Vec<String>,
    /// OpenID Connect Dynamic Registration §2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<String>,
    /// Only its presence matters: a metadata document is public, so one
    /// with a secret in it is refused (the draft's §4.1).
    #[serde(default, skip_serializing)]
    pub client_secret: Option<serde::de::IgnoredAny>,
}

/// How a client authenticates at the token endpoint (RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    None,
    ClientSecretBasic,
    ClientSecretPost,
}

impl AuthMethod {
    pub const SUPPORTED: [&'static str; 3] = ["none", "client_secret_basic", "client_secret_post"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(AuthMethod::None),
            "client_secret_basic" => Some(AuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(AuthMethod::ClientSecretPost),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::SUPPORTED[self as usize]
    }
}

/// Why a registration request was refused (RFC 7591 §3.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationRejection {
    RedirectUri(RedirectUriRejection),
    NoRedirectUris,
    TooManyRedirectUris,
    /// A member with a value we cannot register; names the member.
    Metadata(&'static str, String),
}

impl Rejection for RegistrationRejection {
    fn code(&self) -> ErrorCode {
        match self {
            RegistrationRejection::RedirectUri(_)
            | RegistrationRejection::NoRedirectUris
            | RegistrationRejection::TooManyRedirectUris => ErrorCode::InvalidRedirectUri,
            RegistrationRejection::Metadata(..) => ErrorCode::InvalidClientMetadata,
        }
    }
}

impl fmt::Display for RegistrationRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistrationRejection::RedirectUri(r) => write!(f, "{r}."),
            RegistrationRejection::NoRedirectUris => {
                f.write_str("redirect_uris must list at least one redirect URI.")
            }
            RegistrationRejection::TooManyRedirectUris => write!(
                f,
                "redirect_uris may list at most {MAX_REDIRECT_URIS} redirect URIs."
            ),
            RegistrationRejection::Metadata(member, why) => write!(f, "{member}: {why}."),
        }
    }
}

pub const MAX_REDIRECT_URIS: usize = 20;
const MAX_NAME_CHARS: usize = 100;

/// A self-registration that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedRegistration {
    /// None when the client gave no usable name (the screen shows the redirect host).
    pub name: Option<String>,
    pub redirect_uris: Vec<RedirectUri>,
    pub scopes: ScopeSet,
    pub application_type: ApplicationType,
    pub auth_method: AuthMethod,
    /// The grant types it asked for that we serve (always the code grant);
    /// the others are ignored, not stored (RFC 7591 §2).
    pub grant_types: Vec<GrantType>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    pub id_token_alg: Option<SigningAlg>,
}

/// The rules a client describing itself must meet, for dynamic
/// registration (any supported auth method) and for metadata documents
/// (`public_only`: such clients cannot hold a secret).
pub fn check_metadata(
    meta: &ClientMetadata,
    public_only: bool,
) -> Result<AcceptedRegistration, RegistrationRejection> {
    use RegistrationRejection::Metadata;
    let auth_method = match meta.token_endpoint_auth_method.as_deref() {
        None => AuthMethod::None,
        Some(m) => AuthMethod::parse(m).ok_or_else(|| {
            Metadata(
                "token_endpoint_auth_method",
                format!(
                    "{m:?} is not supported (use one of {:?})",
                    AuthMethod::SUPPORTED
                ),
            )
        })?,
    };
    if public_only && auth_method != AuthMethod::None {
        return Err(Metadata(
            "token_endpoint_auth_method",
            "this client must be public (\"none\", with PKCE S256)".into(),
        ));
    }
    // A client describes everything it can do, not what it asks of us:
    // Claude's document lists the JWT bearer grant, VS Code's the device
    // grant. Keep what we serve; refuse only a client we could not serve.
    let grant_types: Vec<GrantType> = match &meta.grant_types {
        None => vec![GrantType::AuthorizationCode],
        Some(listed) => GrantType::ALL
            .into_iter()
            .filter(|g| listed.iter().any(|l| l == g.as_str()))
            .collect(),
    };
    if !grant_types.contains(&GrantType::AuthorizationCode) {
        return Err(Metadata(
            "grant_types",
            "must include authorization_code (the only grant this server offers self-registered clients)".into(),
        ));
    }
    if meta
        .response_types
        .as_ref()
        .is_some_and(|r| !r.iter().any(|r| r == "code"))
    {
        return Err(Metadata(
            "response_types",
            "must include \"code\" (the only response type this server offers)".into(),
        ));
    }
    let declared = match meta.application_type.as_deref() {
        None => None,
        Some(t) => Some(ApplicationType::parse(t).ok_or_else(|| {
            Metadata(
                "application_type",
                format!("{t:?} is neither \"web\" nor \"native\""),
            )
        })?),
    };
    if meta.redirect_uris.is_empty() {
        return Err(RegistrationRejection::NoRedirectUris);
    }
    if meta.redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(RegistrationRejection::TooManyRedirectUris);
    }
    let mut application_type = application_type_of(declared, &meta.redirect_uris);
    // A public client with loopback or private-use redirect URIs runs on a
    // device, whatever it calls itself (Cursor says "web"): it is native,
    // with RFC 8252's rules for those URIs. A client with a secret that
    // says "web" is held to https.
    if application_type == ApplicationType::Web
        && auth_method == AuthMethod::None
        && application_type_of(None, &meta.redirect_uris) == ApplicationType::Native
    {
        application_type = ApplicationType::Native;
    }
    let mut redirect_uris: Vec<RedirectUri> = Vec::with_capacity(meta.redirect_uris.len());
    for uri in &meta.redirect_uris {
        let uri = check_redirect_uri_for(uri, application_type)
            .map_err(RegistrationRejection::RedirectUri)?;
        if !redirect_uris.contains(&uri) {
            redirect_uris.push(uri);
        }
    }
    // Scope names we do not know are ignored like unknown grant types; a
    // client that named none we know gets the default, as if it named none.
    let scopes: ScopeSet = meta
        .scope
        .iter()
        .flat_map(|s| s.split_whitespace())
        .filter_map(|name| name.parse::<Scope>().ok())
        .collect();
    // None known: the platform's scopes, the deprecated v1 ones too (clients
    // registered before v2 still ask for them).
    let scopes = if scopes.is_empty() {
        ScopeSet::new(Scope::PLATFORM)
    } else {
        scopes
    };
    let id_token_alg = match meta.id_token_signed_response_alg.as_deref() {
        None => None,
        Some(a) => Some(SigningAlg::parse(a).ok_or_else(|| {
            Metadata(
                "id_token_signed_response_alg",
                format!("{a:?} is not supported (RS256 or ES256)"),
            )
        })?),
    };
    if meta.post_logout_redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(Metadata(
            "post_logout_redirect_uris",
            format!("at most {MAX_REDIRECT_URIS}"),
        ));
    }
    let mut post_logout_redirect_uris = Vec::new();
    for uri in &meta.post_logout_redirect_uris {
        let uri = check_redirect_uri_for(uri, application_type)
            .map_err(|r| Metadata("post_logout_redirect_uris", r.to_string()))?;
        if !post_logout_redirect_uris.contains(&uri) {
            post_logout_redirect_uris.push(uri);
        }
    }
    let name = match meta.client_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) if n.chars().count() > MAX_NAME_CHARS || n.chars().any(is_hidden) => {
            return Err(Metadata(
                "client_name",
                format!(
                    "at most {MAX_NAME_CHARS} characters, without control or invisible formatting characters"
                ),
            ));
        }
        Some(n) => Some(n.to_owned()),
    };
    Ok(AcceptedRegistration {
        name,
        redirect_uris,
        scopes,
        application_type,
        auth_method,
        grant_types,
        logo_uri: https_url("logo_uri", meta.logo_uri.as_deref())?,
        client_uri: https_url("client_uri", meta.client_uri.as_deref())?,
        policy_uri: https_url("policy_uri", meta.policy_uri.as_deref())?,
        tos_uri: https_url("tos_uri", meta.tos_uri.as_deref())?,
        post_logout_redirect_uris,
        id_token_alg,
    })
}

/// A character that is not what it shows: control characters, and the
/// invisible formatting ones (bidirectional overrides and isolates, zero
/// widths, joiners, the BOM, soft hyphen) with which a name can read as
/// another app's on the consent screen.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// A link shown to the person must be an https URL (no `javascript:` in an `href`).
fn https_url(
    member: &'static str,
    value: Option<&str>,
) -> Result<Option<String>, RegistrationRejection> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => match Url::parse(v) {
            Ok(u) if u.scheme() == "https" && v.len() <= 2048 && u.host_str().is_some() => {
                Ok(Some(v.to_owned()))
            }
            _ => Err(RegistrationRejection::Metadata(
                member,
                format!("{v:?} is not an https URL"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_loopback_and_private_use_schemes() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com/cb?tenant=1",
            "http://localhost:8080/callback",
            "http://127.0.0.1/cb",
            "http://[::1]:9000/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(check_redirect_uri(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_unsafe_uris_with_a_reason() {
        use RedirectUriProblem as P;
        for (bad, why) in [
            (
                "javascript:alert(1)",
                P::ForbiddenScheme("javascript".into()),
            ),
            (
                "javascript:alert(1)#",
                P::ForbiddenScheme("javascript".into()),
            ),
            ("data:text/html,hi", P::ForbiddenScheme("data".into())),
            ("file:///etc/passwd", P::ForbiddenScheme("file".into())),
            ("vbscript:msgbox", P::ForbiddenScheme("vbscript".into())),
            ("http://evil.example/cb", P::PlainHttp),
            ("http://127.0.0.2/cb", P::PlainHttp),
            ("http://localhost.evil.example/cb", P::PlainHttp),
            ("https://app.example/cb#frag", P::Fragment),
            ("http://127.0.0.1:3000/cb#", P::Fragment),
            ("https://user:pw@app.example/cb", P::UserInfo),
            ("/relative/cb", P::NotAbsolute),
            ("https://app.example/c b", P::Whitespace),
            ("myapp:/cb", P::UnnamedScheme("myapp".into())),
            (
                "https://evil.example\\@claude.ai/cb",
                P::NotNormal("https://evil.example/@claude.ai/cb".into()),
            ),
            (
                "https://аpple.example/cb",
                P::NotNormal("https://xn--pple-43d.example/cb".into()),
            ),
            (
                "https://App.Example.com/cb",
                P::NotNormal("https://app.example.com/cb".into()),
            ),
            (
                "http://localhost:8080",
                P::NotNormal("http://localhost:8080/".into()),
            ),
        ] {
            assert_eq!(check_redirect_uri(bad).unwrap_err().problem, why, "{bad}");
        }
    }

    #[test]
    fn web_apps_use_https_native_apps_may_use_loopback_and_private_schemes() {
        let web = ApplicationType::Web;
        let native = ApplicationType::Native;
        assert!(check_redirect_uri_for("https://app.example/cb", web).is_ok());
        for uri in [
            "http://127.0.0.1:1234/cb",
            "com.example.app:/cb",
            "cursor://anysphere.cursor-mcp/oauth/callback",
        ] {
            assert_eq!(
                check_redirect_uri_for(uri, web).unwrap_err().problem,
                RedirectUriProblem::NotForWeb,
                "{uri}"
            );
        }
        for uri in [
            "http://127.0.0.1:1234/cb",
            "http://localhost/cb",
            "cursor://anysphere.cursor-mcp/oauth/callback",
            "vscode://vscode.github-authentication/did-authenticate",
            "https://vscode.dev/redirect",
        ] {
            assert!(check_redirect_uri_for(uri, native).is_ok(), "{uri}");
        }
        for uri in [
            "javascript:x",
            "data:,x",
            "file:///x",
            "http://evil.example/cb",
            "cursor://x/cb#f",
        ] {
            assert!(check_redirect_uri_for(uri, native).is_err(), "{uri}");
        }
        assert_eq!(application_type_of(None, &["https://a/cb".into()]), web);
        assert_eq!(
            application_type_of(
                None,
                &["https://a/cb".into(), "http://localhost:1/cb".into()]
            ),
            native
        );
        assert_eq!(
            application_type_of(Some(web), &["cursor://x/cb".into()]),
            web
        );
    }

    fn meta() -> ClientMetadata {
        ClientMetadata {
            client_name: Some("MCP Inspector".into()),
            redirect_uris: vec!["http://localhost:6274/oauth/callback".into()],
            grant_types: Some(vec!["authorization_code".into(), "refresh_token".into()]),
            response_types: Some(vec!["code".into()]),
            ..ClientMetadata::default()
        }
    }

    #[test]
    fn a_typical_mcp_client_registers() {
        let ok = check_metadata(&meta(), false).unwrap();
        assert_eq!(
            ok.auth_method,
            AuthMethod::None,
            "public unless it asks for a secret"
        );
        assert_eq!(ok.application_type, ApplicationType::Native);
        assert_eq!(
            ok.grant_types,
            [GrantType::AuthorizationCode, GrantType::RefreshToken]
        );
        assert_eq!(ok.scopes, ScopeSet::new(Scope::PLATFORM));
        assert_eq!(ok.name.as_deref(), Some("MCP Inspector"));
    }

    #[test]
    fn every_refusal_names_its_member_and_code() {
        type Edit = fn(&mut ClientMetadata);
        let cases: [(Edit, ErrorCode, &str); 15] = [
            (
                |m| m.redirect_uris.clear(),
                ErrorCode::InvalidRedirectUri,
                "at least one",
            ),
            (
                |m| m.redirect_uris = vec!["javascript:alert(1)".into()],
                ErrorCode::InvalidRedirectUri,
                "javascript",
            ),
            (
                |m| m.redirect_uris = vec!["https://a.example/cb#x".into()],
                ErrorCode::InvalidRedirectUri,
                "fragment",
            ),
            (
                |m| m.redirect_uris = vec!["http://a.example/cb".into()],
                ErrorCode::InvalidRedirectUri,
                "plain http",
            ),
            (
                |m| m.redirect_uris = vec!["https://a.example/cb".into(); 21],
                ErrorCode::InvalidRedirectUri,
                "at most",
            ),
            (
                |m| {
                    m.application_type = Some("web".into());
                    m.token_endpoint_auth_method = Some("client_secret_basic".into());
                },
                ErrorCode::InvalidRedirectUri,
                "web application",
            ),
            (
                |m| m.application_type = Some("desktop".into()),
                ErrorCode::InvalidClientMetadata,
                "application_type",
            ),
            (
                |m| m.token_endpoint_auth_method = Some("private_key_jwt".into()),
                ErrorCode::InvalidClientMetadata,
                "token_endpoint_auth_method",
            ),
            (
                |m| m.grant_types = Some(vec!["client_credentials".into()]),
                ErrorCode::InvalidClientMetadata,
                "grant_types",
            ),
            (
                |m| m.grant_types = Some(vec!["refresh_token".into()]),
                ErrorCode::InvalidClientMetadata,
                "authorization_code",
            ),
            (
                |m| m.response_types = Some(vec!["token".into()]),
                ErrorCode::InvalidClientMetadata,
                "response_types",
            ),
            (
                |m| m.client_name = Some("x".repeat(101)),
                ErrorCode::InvalidClientMetadata,
                "client_name",
            ),
            (
                |m| m.client_name = Some("Claude\u{202E}redis".into()),
                ErrorCode::InvalidClientMetadata,
                "invisible",
            ),
            (
                |m| m.logo_uri = Some("javascript:alert(1)".into()),
                ErrorCode::InvalidClientMetadata,
                "logo_uri",
            ),
            (
                |m| m.policy_uri = Some("http://a.example/p".into()),
                ErrorCode::InvalidClientMetadata,
                "policy_uri",
            ),
        ];
        for (edit, code, words) in cases {
            let mut m = meta();
            edit(&mut m);
            let r = check_metadata(&m, false).unwrap_err();
            assert_eq!(r.code(), code, "{r}");
            assert!(r.to_string().contains(words), "{r} should mention {words}");
        }
    }

    #[test]
    fn what_a_client_can_do_beyond_us_is_ignored_not_refused() {
        for extra in [
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "urn:ietf:params:oauth:grant-type:device_code",
            "client_credentials",
            "urn:example:grant-type:unheard-of",
            "implicit",
        ] {
            let mut m = meta();
            m.grant_types = Some(vec![
                "authorization_code".into(),
                extra.into(),
                "refresh_token".into(),
            ]);
            let ok = check_metadata(&m, false).unwrap();
            assert_eq!(
                ok.grant_types,
                [GrantType::AuthorizationCode, GrantType::RefreshToken],
                "{extra} is dropped"
            );
            assert!(check_metadata(&m, true).is_ok(), "{extra}, as a document");
        }
        let mut m = meta();
        m.grant_types = Some(vec!["authorization_code".into()]);
        assert_eq!(
            check_metadata(&m, false).unwrap().grant_types,
            [GrantType::AuthorizationCode],
            "no refresh_token listed: none registered"
        );
        m.grant_types = None;
        assert_eq!(
            check_metadata(&m, false).unwrap().grant_types,
            [GrantType::AuthorizationCode],
            "RFC 7591 §2: the default is authorization_code"
        );
        for only in [
            vec!["urn:ietf:params:oauth:grant-type:device_code"],
            vec!["client_credentials", "refresh_token"],
            vec![],
        ] {
            let mut m = meta();
            m.grant_types = Some(only.iter().map(|g| g.to_string()).collect());
            let r = check_metadata(&m, false).unwrap_err();
            assert!(
                r.to_string().contains("authorization_code"),
                "{only:?}: {r}"
            );
        }
        let mut m = meta();
        m.response_types = Some(vec!["code".into(), "id_token".into()]);
        assert!(check_metadata(&m, false).is_ok());
        m.scope = Some("openid admin:everything READ_GRAPH".into());
        assert_eq!(
            check_metadata(&m, false).unwrap().scopes,
            ScopeSet::new([Scope::OpenId, Scope::ReadGraph]),
            "unknown scope names ignored"
        );
        m.scope = Some("mcp:tools".into());
        assert_eq!(
            check_metadata(&m, false).unwrap().scopes,
            ScopeSet::new(Scope::PLATFORM),
            "nothing we know: the default"
        );
    }

    #[test]
    fn a_public_client_with_device_redirects_is_native_whatever_it_says() {
        // Cursor's registration: "web", with its app scheme, its hosted
        // agents' https callback and a loopback one.
        let mut m = meta();
        m.application_type = Some("web".into());
        m.token_endpoint_auth_method = Some("none".into());
        m.redirect_uris = vec![
            "cursor://anysphere.cursor-mcp/oauth/callback".into(),
            "https://www.cursor.com/agents/mcp/oauth/callback".into(),
            "http://localhost:8787/callback".into(),
        ];
        let ok = check_metadata(&m, false).unwrap();
        assert_eq!(ok.application_type, ApplicationType::Native);
        assert_eq!(ok.redirect_uris.len(), 3);
        // Native rules still refuse what is unsafe anywhere.
        m.redirect_uris.push("http://evil.example/cb".into());
        assert!(check_metadata(&m, false).is_err());
        // An https-only public web client stays web.
        m.redirect_uris = vec!["https://app.example/cb".into()];
        assert_eq!(
            check_metadata(&m, false).unwrap().application_type,
            ApplicationType::Web
        );
        // A confidential web client keeps the strict rule.
        m.redirect_uris = vec!["http://localhost:8787/callback".into()];
        m.token_endpoint_auth_method = Some("client_secret_post".into());
        assert_eq!(
            check_metadata(&m, false).unwrap_err().code(),
            ErrorCode::InvalidRedirectUri
        );
    }

    #[test]
    fn secrets_only_where_a_client_may_hold_one() {
        let mut m = meta();
        m.token_endpoint_auth_method = Some("client_secret_basic".into());
        assert_eq!(
            check_metadata(&m, false).unwrap().auth_method,
            AuthMethod::ClientSecretBasic
        );
        let r = check_metadata(&m, true).unwrap_err();
        assert_eq!(r.code(), ErrorCode::InvalidClientMetadata);
    }
}
