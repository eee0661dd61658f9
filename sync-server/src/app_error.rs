//! The one error type at the HTTP edge.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::auth::AuthError;
use crate::store::StoreError;

/// Why an HTTP request failed. Expected failures answer 4xx with a message;
/// unexpected ones are logged and answer 5xx without details.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("storage does not answer: {0}")]
    Unhealthy(StoreError),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let error = match self {
            AppError::Auth(error) => return error.into_response(),
            other => other,
        };
        let (status, message) = match &error {
            AppError::Auth(_) => (StatusCode::UNAUTHORIZED, "sign in first"),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not found"),
            AppError::Unhealthy(error) => {
                tracing::error!(%error, "health check failed");
                (StatusCode::SERVICE_UNAVAILABLE, "storage does not answer")
            }
            AppError::Store(error) => {
                tracing::error!(%error, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}
