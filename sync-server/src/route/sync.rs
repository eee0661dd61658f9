//! `GET /sync`: the automerge-repo WebSocket, for a signed-in person only.
//!
//! The credential (session cookie with an allowed `Origin`, bearer token, or a
//! `?ticket=` from `POST /api/sync-tickets`) is checked before the upgrade: an
//! unauthenticated request gets 401 and no socket, so none of its messages is ever
//! parsed. The session or token is checked again while the socket stays open
//! (`Limits::credential_check_interval`): once it has ended the connection is told
//! so and closed.

use std::sync::Arc;

use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::auth;
use crate::session;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/sync", get(upgrade))
}

#[derive(Debug, Deserialize)]
struct SyncQuery {
    ticket: Option<String>,
}

async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<SyncQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let signed_in = auth::authenticate(
        state.directory.as_ref(),
        &state.auth,
        &headers,
        query.ticket.as_deref(),
        true,
        crate::route::now_ms(),
    )
    .await;
    let (principal, standing) = match signed_in {
        Ok((principal, via)) => (Arc::new(principal), auth::Standing::of(&headers, &via)),
        Err(error) => {
            tracing::info!(%error, "refused a sync connection");
            return error.into_response();
        }
    };
    let hub = state.hub.clone();
    // The codec refuses a larger message as soon as its frame header arrives, and
    // the session reports the failed read to the remote with an `error`.
    let max = hub.limits().max_message_bytes.get();
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| session::run(socket, hub, principal, standing))
}
