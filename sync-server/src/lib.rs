//! fieldbook-sync-server: the server every Fieldbook device syncs with.
//!
//! It speaks the automerge-repo WebSocket protocol on `GET /sync` (the same sans-IO
//! peer the browser runs, from `fieldbook_core::sync`), answers a small JSON API
//! under `/api`, reports `GET /healthz` and `GET /metrics` (Prometheus text), and
//! serves the built app with a single-page fallback.
//!
//! The contract with clients: **the server never advertises heads that are not
//! committed to storage.** For each sync message the [`hub::Hub`] applies it under
//! the document's lock, appends the new changes to the [`store::Store`], and only
//! after the commit generates replies, for the sender and for every other
//! connection syncing the document. A client that hears the server has heads H may
//! drop the changes under H from its outbox. A change that cannot be stored is
//! rolled back in memory and its connection is told (`error`) and closed.
//!
//! Hard to break: what one connection may ask (message size and rate, documents,
//! time to handshake, unread backlog) and how many idle documents stay in memory
//! are bounded by [`limits::Limits`]; breaking a limit or the protocol closes that
//! connection alone, and a panic while handling a document ends that document's
//! sync, not the process.
//!
//! Typical use (what `main.rs` does):
//! ```text
//! let db = store::open("sqlite://data/fieldbook.db").await?; // or postgres://…
//! let state = AppState::new(db, "dist");
//! axum::serve(listener, app(state)).await?;
//! ```
//!
//! Who may do what: [`auth`] signs people in (session cookie, bearer token or
//! single-use sync ticket) before a socket is upgraded, and the hub authorizes every
//! message against the organisation, site and kind each document was first
//! received with (see [`hub`] and `fieldbook_core::model::access`).

pub mod app_error;
pub mod app_state;
pub mod auth;
pub mod demo;
pub mod hub;
pub mod limits;
pub mod route;
pub mod session;
pub mod shipped;
pub mod store;
#[cfg(test)]
mod test_support;

use axum::Router;
use tower_http::trace::TraceLayer;

pub use app_error::AppError;
pub use app_state::AppState;

/// The whole HTTP application over `state`; serve it on any listener.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(route::sync::router())
        .merge(route::blobs::router())
        .merge(route::documents::router())
        .merge(route::api::router())
        .merge(route::healthz::router())
        .merge(route::metrics::router())
        .merge(route::app_files::router(state.dist().to_owned()))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
