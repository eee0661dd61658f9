//! What every route handler shares.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::hub::{self, Hub};
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
    /// is fresh for this process.
    pub fn new(store: Arc<dyn Store>, dist: impl Into<PathBuf>) -> AppState {
        let hub = Hub::new(Arc::clone(&store), hub::random_peer_id());
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
