//! The embedded default store: one SQLite file in WAL mode with `synchronous=FULL`,
//! so a commit is on disk (the WAL is fsynced) before it returns.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use fieldbook_core::ids::DocumentId;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::{ChangeReceipt, Chunk, ChunkId, Receipt, Site, Store, StoreError};

/// How long a writer waits for another writer's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// [`Store`] on a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating the file and its directory if missing) the database at `url`,
    /// such as `sqlite://data/fieldbook.db`, and brings its schema up to date.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|source| StoreError::CreateDir {
                        dir: dir.to_owned(),
                        source,
                    })?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool })
    }
}

super::directory_sql::impl_directory!(SqliteStore);
super::shared_sql::impl_shared_queries!(SqliteStore);
super::blob_store::impl_blob_store!(SqliteStore);

#[async_trait]
impl Store for SqliteStore {
    async fn load(&self, doc: DocumentId) -> Result<Option<Vec<Chunk>>, StoreError> {
        let rows = sqlx::query("SELECT id, bytes FROM chunks WHERE document = ? ORDER BY id")
            .bind(doc.to_string())
            .fetch_all(&self.pool)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        rows.into_iter()
            .map(|row| {
                Ok(Chunk {
                    id: ChunkId(row.try_get("id")?),
                    bytes: row.try_get("bytes")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Some)
    }

    async fn append(
        &self,
        doc: DocumentId,
        bytes: &[u8],
        receipt: &Receipt,
    ) -> Result<ChunkId, StoreError> {
        self.append_chunk(doc, bytes, receipt).await
    }

    async fn compact(
        &self,
        doc: DocumentId,
        snapshot: &[u8],
        replaces: &[ChunkId],
    ) -> Result<ChunkId, StoreError> {
        let document = doc.to_string();
        let mut tx = self.pool.begin().await?;
        let inserted =
            sqlx::query("INSERT INTO chunks (document, kind, bytes) VALUES (?, 'snapshot', ?)")
                .bind(&document)
                .bind(snapshot)
                .execute(&mut *tx)
                .await?;
        for chunk in replaces {
            sqlx::query("DELETE FROM chunks WHERE id = ? AND document = ?")
                .bind(chunk.0)
                .bind(&document)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(ChunkId(inserted.last_insert_rowid()))
    }

    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        self.all_sites().await
    }

    async fn add_site(
        &self,
        organisation: &str,
        id: &str,
        name: &str,
        catalog: DocumentId,
    ) -> Result<(), StoreError> {
        self.insert_site(organisation, id, name, catalog).await
    }

    async fn receipts(&self, doc: DocumentId) -> Result<Vec<ChangeReceipt>, StoreError> {
        self.receipts_of(doc).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Waits for every connection to close (checkpointing the WAL).
    async fn close(&self) {
        self.pool.close().await;
    }
}
