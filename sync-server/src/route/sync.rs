//! `GET /sync`: the automerge-repo WebSocket.

use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::session;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/sync", get(upgrade))
}

async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let hub = state.hub.clone();
    // The codec refuses a larger message as soon as its frame header arrives, and
    // the session reports the failed read to the remote with an `error`.
    let max = hub.limits().max_message_bytes.get();
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| session::run(socket, hub))
}
