//! Durable storage of documents (as chunks) and sites.
//!
//! A document is stored as the chunks it was written in: incremental chunks of
//! changes, and snapshots that replace the chunks they were made from. Loading a
//! document is `Automerge::load` of its chunks concatenated in insertion order.
//! Every write returns only after its transaction has committed, so a caller that
//! saw `Ok` may tell others the data is safe.

mod sqlite_store;

use async_trait::async_trait;
use fieldbook_core::ids::DocumentId;

pub use sqlite_store::SqliteStore;

/// Storage for documents and sites. One implementation per database.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Every chunk of `doc` in insertion order; `None` if nothing was ever stored for it.
    async fn load(&self, doc: DocumentId) -> Result<Option<Vec<Chunk>>, StoreError>;

    /// Stores one incremental chunk in its own transaction; returns after the commit.
    async fn append(&self, doc: DocumentId, bytes: &[u8]) -> Result<ChunkId, StoreError>;

    /// Stores `snapshot` and deletes the chunks it `replaces`, in one transaction.
    async fn compact(
        &self,
        doc: DocumentId,
        snapshot: &[u8],
        replaces: &[ChunkId],
    ) -> Result<ChunkId, StoreError>;

    /// Every site, in id order.
    async fn sites(&self) -> Result<Vec<Site>, StoreError>;

    /// Adds a site and names the catalog document that lists its records.
    async fn add_site(&self, id: &str, name: &str, catalog: DocumentId) -> Result<(), StoreError>;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Identifies one stored chunk (for compaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChunkId(pub i64);

/// One stored piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub id: ChunkId,
    pub bytes: Vec<u8>,
}

/// A site and the catalog document that lists its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub catalog: DocumentId,
}

/// Why a storage operation failed. Nothing was written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database directory {dir:?}: {source}")]
    CreateDir {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("the database holds a value this server cannot read: {0}")]
    Corrupt(String),
}
