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
super::shared_sql::impl_shared_queries!(PostgresStore);
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
        self.append_chunk(doc, bytes, receipt).await
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

    async fn close(&self) {
        self.pool.close().await;
    }
}
