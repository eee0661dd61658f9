//! What every route handler shares.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::auth::throttle::LoginThrottle;
use crate::auth::AuthConfig;
use crate::hub::{self, Hub};
use crate::limits::Limits;
use crate::store::{BlobStore, Database, Directory, Store};

/// The server's shared state: storage, the directory of people, evidence blobs, the
/// sync hub and its limits, how people sign in, and where the built app is.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub directory: Arc<dyn Directory>,
    pub blobs: Arc<dyn BlobStore>,
    pub hub: Hub,
    pub auth: Arc<AuthConfig>,
    /// Wrong-password counts per login, to slow down guessing.
    pub login_throttle: Arc<LoginThrottle>,
    dist: Arc<PathBuf>,
}

impl AppState {
    /// State over `db`, serving the built app from `dist`, with a hub whose peer id
    /// is fresh for this process, the default limits and sign-in settings.
    pub fn new(db: Database, dist: impl Into<PathBuf>) -> AppState {
        AppState::with_config(db, dist, Limits::default(), AuthConfig::default())
    }

    /// Like [`AppState::new`], with the sync hub and its connections enforcing
    /// `limits` and sign-in configured by `auth`.
    pub fn with_config(
        db: Database,
        dist: impl Into<PathBuf>,
        limits: Limits,
        auth: AuthConfig,
    ) -> AppState {
        let hub = Hub::with_limits(
            Arc::clone(&db.store),
            Arc::clone(&db.directory),
            hub::random_peer_id(),
            limits,
        );
        AppState {
            store: db.store,
            directory: db.directory,
            blobs: db.blobs,
            hub,
            auth: Arc::new(auth),
            login_throttle: Arc::new(LoginThrottle::default()),
            dist: Arc::new(dist.into()),
        }
    }

    /// The directory of the built app (`cargo xtask build` writes it).
    pub fn dist(&self) -> &Path {
        &self.dist
    }
}
