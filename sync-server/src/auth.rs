//! Who is asking: sign-in, the three kinds of credential, and what a signed-in
//! person may reach.
//!
//! - Browsers sign in with `POST /api/login` and get an HttpOnly, SameSite=Strict
//!   session cookie ([`SESSION_COOKIE`]). A request that carries the cookie and an
//!   `Origin` must come from an allowed origin (the server's own, or one listed in
//!   [`AuthConfig::allowed_origins`]); the WebSocket upgrade must carry an `Origin`.
//! - Tools send `Authorization: Bearer <token>`, made with `token create`.
//! - Clients that cannot set headers on a WebSocket (the JavaScript automerge-repo
//!   adapter) get a single-use ticket from `POST /api/sync-tickets` and open
//!   `/sync?ticket=…` within [`TICKET_TTL`].
//!
//! Everything is decided before the WebSocket is upgraded, so an unauthenticated
//! socket never has a message parsed. Once signed in, [`Principal::may_read`] and
//! [`Principal::may_write`] decide per document, from where the document belongs
//! (organisation, site) and its kind (`fieldbook_core::model::access`).

pub mod password;
pub mod secret;
pub mod throttle;

use std::time::Duration;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fieldbook_core::model::access::{self, RecordKind, Role};

use crate::store::{CredentialKind, Directory, DocAccess, Site, StoreError, UserRecord};

/// The browser session cookie's name.
pub const SESSION_COOKIE: &str = "fieldbook_session";

/// How long a sync ticket stays valid.
pub const TICKET_TTL: Duration = Duration::from_secs(60);

/// Default of [`AuthConfig::session_ttl`]: a fortnight, longer than an auditor
/// stays offline on site.
pub const DEFAULT_SESSION_TTL: &str = "14d";

/// How the server signs people in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// Origins besides the server's own whose pages may use the session cookie, such
    /// as `https://fieldbook.example.com` (no trailing slash).
    pub allowed_origins: Vec<String>,
    /// How long a browser session lasts after sign-in.
    pub session_ttl: Duration,
    /// Mark the cookie `Secure` (only sent over HTTPS): set it when serving behind TLS.
    pub secure_cookie: bool,
}

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        AuthConfig {
            allowed_origins: Vec::new(),
            session_ttl: Duration::from_secs(14 * 24 * 3600),
            secure_cookie: false,
        }
    }
}

/// A signed-in person, as every request and sync connection sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub organisation: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The sites they work at, in id order.
    pub sites: Vec<Site>,
    /// Where their documents that name no site go.
    pub default_site: String,
}

/// Which credential a request came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A session cookie, with its secret (to sign out).
    Cookie {
        secret: String,
    },
    Bearer,
    Ticket,
}

/// Why a request is not signed in, or not let in.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("sign in first")]
    Missing,
    #[error("your session has ended; sign in again")]
    SessionEnded,
    #[error("the API token is not valid")]
    BadToken,
    #[error("the sync ticket is not valid: a ticket works once, within a minute of being issued")]
    BadTicket,
    #[error("the login or password is wrong")]
    BadLogin,
    /// Too many wrong passwords in a row for one login; how long until it may try again.
    #[error("too many wrong passwords for this login; wait {}, then try again", throttle::minutes(*.0))]
    Locked(std::time::Duration),
    #[error("requests from {0} may not use this server's session")]
    Origin(String),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let status = match &self {
            AuthError::Origin(_) => StatusCode::FORBIDDEN,
            AuthError::Locked(wait) => {
                let seconds = wait.as_secs().max(1).to_string();
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(axum::http::header::RETRY_AFTER, seconds)],
                    Json(serde_json::json!({ "error": self.to_string() })),
                )
                    .into_response();
            }
            AuthError::Store(error) => {
                tracing::error!(%error, "authentication failed");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(serde_json::json!({ "error": "internal error" })),
                )
                    .into_response();
            }
            _ => StatusCode::UNAUTHORIZED,
        };
        (
            status,
            Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}

impl Principal {
    pub fn from_user(user: UserRecord) -> Principal {
        Principal {
            user_id: user.id,
            organisation: user.organisation,
            login: user.login,
            name: user.name,
            role: user.role,
            sites: user.sites,
            default_site: user.default_site,
        }
    }

    /// Whether they work at `site` of their organisation.
    pub fn works_at(&self, site: &str) -> bool {
        self.sites.iter().any(|s| s.id == site)
    }

    /// Whether they may sync (see) a document that belongs where `access` says.
    pub fn may_read(&self, access: &DocAccess) -> bool {
        access.organisation == self.organisation && self.works_at(&access.site)
    }

    /// Whether their changes to that document are stored. A document whose kind
    /// this server does not know (a tool's own document) is writable by whoever may
    /// read it.
    pub fn may_write(&self, access: &DocAccess) -> bool {
        self.may_read(access)
            && access
                .kind
                .as_deref()
                .and_then(RecordKind::parse)
                .is_none_or(|kind| access::may_write(self.role, kind))
    }
}

/// Finds who a request is from: a bearer token, else a ticket (if the route takes
/// one), else the session cookie. `require_origin` is for the WebSocket upgrade,
/// which browsers always send with an `Origin`.
pub async fn authenticate(
    directory: &dyn Directory,
    config: &AuthConfig,
    headers: &HeaderMap,
    ticket: Option<&str>,
    require_origin: bool,
    now_ms: i64,
) -> Result<(Principal, Via), AuthError> {
    if let Some(token) = bearer(headers) {
        let user = find(directory, token, CredentialKind::Token, now_ms)
            .await?
            .ok_or(AuthError::BadToken)?;
        return Ok((user, Via::Bearer));
    }
    if let Some(ticket) = ticket {
        let user = find(directory, ticket, CredentialKind::Ticket, now_ms)
            .await?
            .ok_or(AuthError::BadTicket)?;
        return Ok((user, Via::Ticket));
    }
    let secret = session_cookie(headers).ok_or(AuthError::Missing)?;
    check_origin(config, headers, require_origin)?;
    let user = find(directory, secret, CredentialKind::Session, now_ms)
        .await?
        .ok_or(AuthError::SessionEnded)?;
    Ok((
        user,
        Via::Cookie {
            secret: secret.to_owned(),
        },
    ))
}

/// The credential a sync connection opened with, to check again while it
/// stays open: a session cookie or a bearer token. A ticket works once and is
/// spent by opening the connection, so a ticket's connection has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    digest: String,
    kind: CredentialKind,
}

impl Standing {
    /// What `via` (from [`authenticate`] with `headers`) can be checked again by.
    pub fn of(headers: &HeaderMap, via: &Via) -> Option<Standing> {
        match via {
            Via::Cookie { secret } => Some(Standing {
                digest: secret::digest(secret),
                kind: CredentialKind::Session,
            }),
            Via::Bearer => bearer(headers).map(|token| Standing {
                digest: secret::digest(token),
                kind: CredentialKind::Token,
            }),
            Via::Ticket => None,
        }
    }

    /// Whether the credential still signs its person in at `now_ms`.
    pub async fn holds(&self, directory: &dyn Directory, now_ms: i64) -> Result<bool, StoreError> {
        Ok(directory
            .credential_user(&self.digest, self.kind, now_ms)
            .await?
            .is_some())
    }
}

/// Refuses a cookie-bearing request from a page of another origin.
pub fn check_origin(
    config: &AuthConfig,
    headers: &HeaderMap,
    require: bool,
) -> Result<(), AuthError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return if require {
            Err(AuthError::Origin(
                "a page that did not say where it is".to_owned(),
            ))
        } else {
            Ok(())
        };
    };
    let origin = origin.to_str().unwrap_or_default();
    let own = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        });
    if own || config.allowed_origins.iter().any(|o| o == origin) {
        Ok(())
    } else {
        Err(AuthError::Origin(origin.to_owned()))
    }
}

async fn find(
    directory: &dyn Directory,
    secret: &str,
    kind: CredentialKind,
    now_ms: i64,
) -> Result<Option<Principal>, AuthError> {
    let digest = secret::digest(secret);
    let Some(user_id) = directory.credential_user(&digest, kind, now_ms).await? else {
        return Ok(None);
    };
    Ok(directory.user(&user_id).await?.map(Principal::from_user))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value that starts a session.
pub fn session_set_cookie(config: &AuthConfig, secret: &str) -> String {
    let secure = if config.secure_cookie { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        config.session_ttl.as_secs()
    )
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn session_clear_cookie(config: &AuthConfig) -> String {
    let secure = if config.secure_cookie { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name, HeaderValue::from_str(value).expect("header value"));
        }
        map
    }

    fn principal(role: Role, sites: &[&str]) -> Principal {
        Principal {
            user_id: "u1".to_owned(),
            organisation: "acme".to_owned(),
            login: "pat".to_owned(),
            name: "Pat".to_owned(),
            role,
            sites: sites
                .iter()
                .map(|id| Site {
                    organisation: "acme".to_owned(),
                    id: (*id).to_owned(),
                    name: (*id).to_owned(),
                    catalog: fieldbook_core::ids::DocumentId::from_bytes([7; 16]),
                })
                .collect(),
            default_site: sites[0].to_owned(),
        }
    }

    fn access(organisation: &str, site: &str, kind: Option<&str>) -> DocAccess {
        DocAccess {
            organisation: organisation.to_owned(),
            site: site.to_owned(),
            kind: kind.map(str::to_owned),
        }
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let h = headers(&[(header::COOKIE, "theme=dark; fieldbook_session=abc; x=1")]);
        assert_eq!(session_cookie(&h), Some("abc"));
        assert_eq!(
            session_cookie(&headers(&[(header::COOKIE, "fieldbook_session=")])),
            None
        );
        assert_eq!(session_cookie(&HeaderMap::new()), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site_strict() {
        let config = AuthConfig::default();
        let cookie = session_set_cookie(&config, "s3cret");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(!cookie.contains("Secure"), "{cookie}");
        let secure = AuthConfig {
            secure_cookie: true,
            ..config
        };
        assert!(session_set_cookie(&secure, "s").ends_with("; Secure"));
    }

    #[test]
    fn only_the_own_and_listed_origins_may_use_the_cookie() {
        let config = AuthConfig {
            allowed_origins: vec!["https://fieldbook.example.com".to_owned()],
            ..AuthConfig::default()
        };
        let own = headers(&[
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "http://127.0.0.1:8080"),
        ]);
        assert!(check_origin(&config, &own, true).is_ok());
        let listed = headers(&[
            (header::HOST, "internal:8080"),
            (header::ORIGIN, "https://fieldbook.example.com"),
        ]);
        assert!(check_origin(&config, &listed, true).is_ok());
        let evil = headers(&[
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "https://evil.example"),
        ]);
        assert!(matches!(
            check_origin(&config, &evil, false),
            Err(AuthError::Origin(_))
        ));
        let none = headers(&[(header::HOST, "127.0.0.1:8080")]);
        assert!(check_origin(&config, &none, false).is_ok());
        assert!(check_origin(&config, &none, true).is_err());
    }

    #[test]
    fn people_read_only_their_organisations_documents_at_their_sites() {
        let pat = principal(Role::Technician, &["north"]);
        assert!(pat.may_read(&access("acme", "north", Some("incident"))));
        assert!(!pat.may_read(&access("acme", "south", Some("incident"))));
        assert!(!pat.may_read(&access("globex", "north", Some("incident"))));
    }

    #[test]
    fn writing_follows_the_role_table_and_unknown_kinds_follow_reading() {
        let auditor = principal(Role::Auditor, &["north"]);
        assert!(!auditor.may_write(&access("acme", "north", Some("incident"))));
        assert!(auditor.may_write(&access("acme", "north", Some("finding"))));
        assert!(auditor.may_write(&access("acme", "north", None)));
        assert!(auditor.may_write(&access("acme", "north", Some("whiteboard"))));
        assert!(!auditor.may_write(&access("acme", "south", None)));
    }
}
