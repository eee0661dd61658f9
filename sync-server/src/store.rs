//! Durable storage of documents (as chunks) and sites.
//!
//! A document is stored as the chunks it was written in: incremental chunks of
//! changes, and snapshots that replace the chunks they were made from. Loading a
//! document is `Automerge::load` of its chunks concatenated in insertion order.
//! Every write returns only after its transaction has committed, so a caller that
//! saw `Ok` may tell others the data is safe.
//!
//! Two implementations, chosen by the database URL's scheme ([`open`]): SQLite
//! (`sqlite://…`, the embedded default) and PostgreSQL (`postgres://…` or
//! `postgresql://…`). Each brings its schema up to date on open, from its own
//! migration directory (`migrations/sqlite`, `migrations/postgres`).
//!
//! Beside the documents: the [`Directory`] of people and where documents belong,
//! and the [`BlobStore`] of evidence blobs (photos) by SHA-256.

mod blob_store;
mod directory;
mod directory_sql;
mod postgres_store;
mod shared_sql;
mod sqlite_store;

use std::sync::Arc;

use async_trait::async_trait;
use fieldbook_core::ids::DocumentId;

pub use blob_store::{Blob, BlobStore, NewBlob, Stored};
pub use directory::{
    Colleague, CredentialKind, Directory, DocAccess, NewCredential, NewUser, Registered, UserRecord,
};
pub use postgres_store::PostgresStore;
pub use sqlite_store::SqliteStore;

/// Which database a URL names, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend for `url`: `sqlite:` is SQLite, `postgres:` and `postgresql:` are
    /// PostgreSQL (case-insensitive, as URL schemes are).
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl(redact(url))),
        }
    }
}

/// One database seen three ways: its documents, its directory of people, and its
/// evidence blobs.
#[derive(Clone)]
pub struct Database {
    pub store: Arc<dyn Store>,
    pub directory: Arc<dyn Directory>,
    pub blobs: Arc<dyn BlobStore>,
}

/// Opens the database `url` names (see [`Backend::of_url`]) and brings its schema up
/// to date.
pub async fn open(url: &str) -> Result<Database, StoreError> {
    Ok(match Backend::of_url(url)? {
        Backend::Sqlite => {
            let db = Arc::new(SqliteStore::open(url).await?);
            Database {
                store: db.clone(),
                directory: db.clone(),
                blobs: db,
            }
        }
        Backend::Postgres => {
            let db = Arc::new(PostgresStore::open(url).await?);
            Database {
                store: db.clone(),
                directory: db.clone(),
                blobs: db,
            }
        }
    })
}

/// `url` without a password, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Storage for documents and sites. One implementation per database.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Every chunk of `doc` in insertion order; `None` if nothing was ever stored for it.
    async fn load(&self, doc: DocumentId) -> Result<Option<Vec<Chunk>>, StoreError>;

    /// Stores one incremental chunk and the receipt of each change in it, in one
    /// transaction; returns after the commit.
    async fn append(
        &self,
        doc: DocumentId,
        bytes: &[u8],
        receipt: &Receipt,
    ) -> Result<ChunkId, StoreError>;

    /// Stores `snapshot` and deletes the chunks it `replaces`, in one transaction.
    async fn compact(
        &self,
        doc: DocumentId,
        snapshot: &[u8],
        replaces: &[ChunkId],
    ) -> Result<ChunkId, StoreError>;

    /// Every site, in id order.
    async fn sites(&self) -> Result<Vec<Site>, StoreError>;

    /// Adds a site of `organisation` and names the catalog document that lists its
    /// records.
    async fn add_site(
        &self,
        organisation: &str,
        id: &str,
        name: &str,
        catalog: DocumentId,
    ) -> Result<(), StoreError>;

    /// Who sent each change of `doc` and when it arrived, in arrival order.
    async fn receipts(&self, doc: DocumentId) -> Result<Vec<ChangeReceipt>, StoreError>;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Closes every connection, waiting for them to finish (on shutdown).
    async fn close(&self) {}
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

/// Who sent the changes of one chunk, and when the server received them: the audit
/// trail's "who" and "when it reached us".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The user's id, or [`SERVER_USER`] for the server's own changes.
    pub user_id: String,
    /// Server time, milliseconds since the Unix epoch.
    pub received_ms: i64,
    /// The hashes of the changes in the chunk.
    pub hashes: Vec<automerge::ChangeHash>,
}

/// The `user_id` of changes the server makes itself (human references, demo data).
pub const SERVER_USER: &str = "server";

/// One accepted change: its hash, who sent it, and when it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeReceipt {
    pub change_hash: String,
    pub user_id: String,
    pub received_ms: i64,
}

/// A site and the catalog document that lists its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub organisation: String,
    pub id: String,
    pub name: String,
    pub catalog: DocumentId,
}

/// A site from a row with `organisation`, `id`, `name` and `catalog` columns.
pub(crate) fn site_from_row<R>(row: &R) -> Result<Site, StoreError>
where
    R: sqlx::Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let catalog: String = row.try_get("catalog")?;
    Ok(Site {
        organisation: row.try_get("organisation")?,
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        catalog: catalog
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("catalog id {catalog:?} of a site: {e}")))?,
    })
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
    #[error("organisation {organisation} has no site {site}")]
    NoSuchSite { organisation: String, site: String },
    #[error(
        "unsupported database URL {0:?}: expected sqlite://PATH, postgres://… or postgresql://…"
    )]
    UnsupportedUrl(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_backend() {
        for (url, backend) in [
            ("sqlite://data/fieldbook.db", Backend::Sqlite),
            ("sqlite::memory:", Backend::Sqlite),
            (
                "postgres://fieldbook@127.0.0.1/fieldbook",
                Backend::Postgres,
            ),
            ("postgresql://localhost/fieldbook", Backend::Postgres),
            ("PostgreSQL://localhost/fieldbook", Backend::Postgres),
        ] {
            assert_eq!(Backend::of_url(url).expect(url), backend, "{url}");
        }
        for url in ["mysql://localhost/x", "data/fieldbook.db", ""] {
            assert!(
                matches!(Backend::of_url(url), Err(StoreError::UnsupportedUrl(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://fieldbook:secret@db:5432/fieldbook?sslmode=require"),
            "postgres://fieldbook:***@db:5432/fieldbook?sslmode=require"
        );
        assert_eq!(
            redact("postgres://fieldbook@db/fieldbook"),
            "postgres://fieldbook@db/fieldbook"
        );
        assert_eq!(
            redact("sqlite://data/fieldbook.db"),
            "sqlite://data/fieldbook.db"
        );
    }
}
