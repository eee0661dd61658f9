//! The shared-server store: PostgreSQL with `synchronous_commit = on`, set on every
//! connection (whatever the server, database or role default says), so a commit has
//! reached PostgreSQL's write-ahead log on disk before it returns.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use fieldbook_core::ids::DocumentId;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Row;

use super::{ChangeReceipt, Chunk, ChunkId, Receipt, Site, Store, StoreError};

/// Connections per server process. Writes to one document are serialised by the hub,
/// so this bounds how many documents are written at once.
const MAX_CONNECTIONS: u32 = 8;

/// How long a query waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// [`Store`] on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at `url`, such as
    /// `postgres://fieldbook@127.0.0.1:5432/fieldbook`, and brings its schema up to
    /// date. The database itself must exist.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url)?
            .application_name("fieldbook-sync-server")
            // Sent in the startup packet, so it beats `ALTER DATABASE/ROLE … SET`.
            .options([("synchronous_commit", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// The connection pool, for tests and tools that inspect the database.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

super::directory_sql::impl_directory!(PostgresStore);
super::blob_store::impl_blob_store!(PostgresStore);

#[async_trait]
impl Store for PostgresStore {
    async fn load(&self, doc: DocumentId) -> Result<Option<Vec<Chunk>>, StoreError> {
        let rows = sqlx::query("SELECT id, bytes FROM chunks WHERE document = $1 ORDER BY id")
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
        let replaced: Vec<i64> = replaces.iter().map(|chunk| chunk.0).collect();
        // Dropping `tx` without committing (any `?` below) rolls everything back.
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO chunks (document, kind, bytes) VALUES ($1, 'snapshot', $2) RETURNING id",
        )
        .bind(&document)
        .bind(snapshot)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM chunks WHERE document = $1 AND id = ANY($2)")
            .bind(&document)
            .bind(&replaced)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ChunkId(id))
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

    async fn close(&self) {
        self.pool.close().await;
    }
}
