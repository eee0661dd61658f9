//! The HTTP routes. Each module owns its `router()`.

pub mod api;
pub mod app_files;
pub mod healthz;
pub mod metrics;
pub mod sync;
