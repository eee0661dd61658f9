//! The HTTP routes. Each module owns its `router()`.

pub mod api;
pub mod app_files;
pub mod blobs;
pub mod documents;
pub mod healthz;
pub mod metrics;
pub mod sync;

/// Server time in milliseconds since the Unix epoch (the server may read a clock).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Who a plain HTTP request is from (a bearer token or the session cookie; a
/// sync ticket is only for `/sync`).
pub(crate) async fn signed_in(
    state: &crate::AppState,
    headers: &axum::http::HeaderMap,
) -> Result<(crate::auth::Principal, crate::auth::Via), crate::auth::AuthError> {
    crate::auth::authenticate(
        state.directory.as_ref(),
        &state.auth,
        headers,
        None,
        false,
        now_ms(),
    )
    .await
}
