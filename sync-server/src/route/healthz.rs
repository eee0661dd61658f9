//! `GET /healthz`: 200 `ok` once the database answers.

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use crate::{AppError, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.store.ping().await.map_err(AppError::Unhealthy)?;
    Ok("ok")
}
