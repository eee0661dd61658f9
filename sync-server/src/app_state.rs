//! What every route handler shares.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::hub::{self, Hub};
use crate::limits::Limits;
use crate::store::Store;

/// The server's shared state: storage, the sync hub, and where the built app is.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub hub: Hub,
    dist: Arc<PathBuf>,
}

impl AppState {
    /// State over `store`, serving the built app from `dist`, with a hub whose peer id
    /// is fresh for this process and the default limits.
    pub fn new(store: Arc<dyn Store>, dist: impl Into<PathBuf>) -> AppState {
        AppState::with_limits(store, dist, Limits::default())
    }

    /// Like [`AppState::new`], with the sync hub and its connections enforcing `limits`.
    pub fn with_limits(
        store: Arc<dyn Store>,
        dist: impl Into<PathBuf>,
        limits: Limits,
    ) -> AppState {
        let hub = Hub::with_limits(Arc::clone(&store), hub::random_peer_id(), limits);
        AppState {
            store,
            hub,
            dist: Arc::new(dist.into()),
        }
    }

    /// The directory of the built app (`cargo xtask build` writes it).
    pub fn dist(&self) -> &Path {
        &self.dist
    }
}
