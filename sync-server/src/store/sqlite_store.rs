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
        let document = doc.to_string();
        // Dropping `tx` without committing (any `?` below) rolls everything back.
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO chunks (document, kind, bytes) VALUES ($1, 'incremental', $2) RETURNING id",
        )
        .bind(&document)
        .bind(bytes)
        .fetch_one(&mut *tx)
        .await?;
        for hash in &receipt.hashes {
            // A change sent again (after a reconnect) keeps its first receipt.
            sqlx::query(
                "INSERT INTO change_receipts (document, change_hash, user_id, received_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (document, change_hash) DO NOTHING",
            )
            .bind(&document)
            .bind(hash.to_string())
            .bind(&receipt.user_id)
            .bind(receipt.received_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ChunkId(id))
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
        sqlx::query("SELECT organisation, id, name, catalog FROM sites ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(super::site_from_row)
            .collect()
    }

    async fn add_site(
        &self,
        organisation: &str,
        id: &str,
        name: &str,
        catalog: DocumentId,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sites (organisation, id, name, catalog) VALUES ($1, $2, $3, $4)")
            .bind(organisation)
            .bind(id)
            .bind(name)
            .bind(catalog.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn receipts(&self, doc: DocumentId) -> Result<Vec<ChangeReceipt>, StoreError> {
        sqlx::query(
            "SELECT change_hash, user_id, received_ms FROM change_receipts \
             WHERE document = $1 ORDER BY received_ms, change_hash",
        )
        .bind(doc.to_string())
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| {
            Ok(ChangeReceipt {
                change_hash: row.try_get("change_hash")?,
                user_id: row.try_get("user_id")?,
                received_ms: row.try_get("received_ms")?,
            })
        })
        .collect()
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
