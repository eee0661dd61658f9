//! The built app from `--dist`, with the single-page fallback: a path that is not a
//! file serves `index.html`, and the client-side router takes it from there.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

pub fn router(dist: PathBuf) -> Router<AppState> {
    let index = dist.join("index.html");
    let files = ServeDir::new(&dist).fallback(ServeFile::new(&index));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(Arc::new(index), guard))
}

/// Answers 503 while the app is not built, and marks the page and the service worker
/// `no-cache` so a new version is always noticed.
async fn guard(State(index): State<Arc<PathBuf>>, request: Request, next: Next) -> Response {
    if !tokio::fs::try_exists(index.as_path())
        .await
        .unwrap_or(false)
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The app is not built yet: run `cargo xtask build` (or `cargo xtask run`), then reload.\n",
        )
            .into_response();
    }
    let service_worker = request.uri().path() == "/sw.js";
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if service_worker || html {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}
