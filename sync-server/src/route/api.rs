//! The JSON API under `/api`. Unknown `/api` paths are 404, never the app's page.
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /api/login` | anyone | `{login, password}` → the profile, and the session cookie |
//! | `POST /api/logout` | signed in | ends the session and clears the cookie |
//! | `GET /api/me` | signed in | the profile: who, their role, their sites and who works at each |
//! | `POST /api/sync-tickets` | signed in | a single-use ticket for `/sync?ticket=…` |
//!
//! A request without a valid credential gets 401 with a message a person can read
//! (`sign in first`, `your session has ended; sign in again`).

use std::time::Instant;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::auth::{self, password, secret, throttle, AuthError, Principal, Via, TICKET_TTL};
use crate::route::{now_ms, signed_in};
use crate::store::{CredentialKind, NewCredential};
use crate::{AppError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/sync-tickets", post(sync_ticket))
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
}

/// The signed-in user and the sites they work at, each with its people (whom
/// an audit team, a finding or a corrective action is given to).
#[derive(Debug, Serialize)]
pub struct Me {
    pub user: User,
    pub sites: Vec<SiteView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: String,
    pub organisation: String,
    pub default_site: String,
}

/// A site, its catalog document id (bs58check text) and who works there.
#[derive(Debug, Serialize)]
pub struct SiteView {
    pub id: String,
    pub name: String,
    pub catalog: String,
    pub people: Vec<PersonView>,
}

/// Someone who works at a site: whom an audit team, a finding owner or a
/// corrective action owner is picked from.
#[derive(Debug, Serialize)]
pub struct PersonView {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: String,
}

impl Me {
    /// The profile of `principal`, with the people of each of their sites.
    async fn of(state: &AppState, principal: &Principal) -> Result<Me, AppError> {
        let mut sites = Vec::with_capacity(principal.sites.len());
        for site in &principal.sites {
            let people = state
                .directory
                .site_people(&principal.organisation, &site.id)
                .await?
                .into_iter()
                .map(|p| PersonView {
                    id: p.id,
                    login: p.login,
                    name: p.name,
                    role: p.role.to_string(),
                })
                .collect();
            sites.push(SiteView {
                id: site.id.clone(),
                name: site.name.clone(),
                catalog: site.catalog.to_string(),
                people,
            });
        }
        Ok(Me {
            user: User {
                id: principal.user_id.clone(),
                login: principal.login.clone(),
                name: principal.name.clone(),
                role: principal.role.to_string(),
                organisation: principal.organisation.clone(),
                default_site: principal.default_site.clone(),
            },
            sites,
        })
    }
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    login: String,
    password: String,
}

/// `POST /api/login`: checks the password and starts a browser session.
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(form): Json<LoginForm>,
) -> Result<Response, AppError> {
    auth::check_origin(&state.auth, &headers, false)?;
    if form.login.len() > throttle::MAX_LOGIN_BYTES {
        return Err(AuthError::BadLogin.into());
    }
    // Counted as a failure from here until the password proves right.
    state
        .login_throttle
        .attempt(&form.login, Instant::now())
        .map_err(AuthError::Locked)?;
    let user = state.directory.user_by_login(form.login.trim()).await?;
    let phc = user
        .as_ref()
        .map_or_else(|| password::decoy().to_owned(), |u| u.password_hash.clone());
    let typed = form.password;
    // Unknown logins are checked against a decoy, so they take as long to refuse.
    let matches = tokio::task::spawn_blocking(move || password::verify(&typed, &phc))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|_| matches) else {
        tracing::info!(login = %form.login, "sign-in refused");
        return Err(AuthError::BadLogin.into());
    };
    state.login_throttle.succeeded(&form.login);
    let session = secret::generate();
    let now = now_ms();
    let ttl_ms = i64::try_from(state.auth.session_ttl.as_millis()).unwrap_or(i64::MAX);
    state
        .directory
        .add_credential(&NewCredential {
            secret_sha256: secret::digest(&session),
            user_id: user.id.clone(),
            kind: CredentialKind::Session,
            label: String::new(),
            created_ms: now,
            expires_ms: Some(now.saturating_add(ttl_ms)),
        })
        .await?;
    let principal = Principal::from_user(user);
    let me = Me::of(&state, &principal).await?;
    tracing::info!(user = %principal.user_id, "signed in");
    Ok((
        [(
            header::SET_COOKIE,
            auth::session_set_cookie(&state.auth, &session),
        )],
        Json(me),
    )
        .into_response())
}

/// `POST /api/logout`: ends this browser's session. Always clears the cookie, even
/// if the session had already ended.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    auth::check_origin(&state.auth, &headers, false)?;
    if let Some(session) = auth::session_cookie(&headers) {
        state
            .directory
            .revoke_credential(&secret::digest(session))
            .await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::session_clear_cookie(&state.auth))],
    )
        .into_response())
}

/// `GET /api/me`: who is signed in and the sites they work at.
async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>, AppError> {
    let (principal, _) = signed_in(&state, &headers).await?;
    Ok(Json(Me::of(&state, &principal).await?))
}

/// A ticket for one sync connection.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub ticket: String,
    /// Server time, milliseconds since the Unix epoch.
    pub expires_at: i64,
}

/// `POST /api/sync-tickets`: a ticket that opens one `/sync?ticket=…` connection
/// within a minute, for clients that cannot send a cookie or header on a WebSocket.
async fn sync_ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Ticket>, AppError> {
    let (principal, via) = signed_in(&state, &headers).await?;
    if via == Via::Ticket {
        return Err(AuthError::Missing.into());
    }
    let ticket = secret::generate();
    let now = now_ms();
    let expires_at = now + i64::try_from(TICKET_TTL.as_millis()).unwrap_or(60_000);
    state
        .directory
        .add_credential(&NewCredential {
            secret_sha256: secret::digest(&ticket),
            user_id: principal.user_id,
            kind: CredentialKind::Ticket,
            label: String::new(),
            created_ms: now,
            expires_ms: Some(expires_at),
        })
        .await?;
    Ok(Json(Ticket { ticket, expires_at }))
}

async fn not_found() -> AppError {
    AppError::NotFound
}
