//! The queries both stores run word for word: appending a chunk with its receipts,
//! sites, and receipts. They use `$1`-style parameters, which SQLite and PostgreSQL
//! both read, so one body serves both pools (as in `directory_sql`); each store's
//! `Store` impl calls them.

/// Adds the shared queries as inherent methods of a store with a `pool` field.
macro_rules! impl_shared_queries {
    ($store:ty) => {
        impl $store {
            pub(super) async fn append_chunk(
                &self,
                doc: fieldbook_core::ids::DocumentId,
                bytes: &[u8],
                receipt: &$crate::store::Receipt,
            ) -> Result<$crate::store::ChunkId, $crate::store::StoreError> {
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
                Ok($crate::store::ChunkId(id))
            }

            pub(super) async fn all_sites(&self) -> Result<Vec<$crate::store::Site>, $crate::store::StoreError> {
                sqlx::query("SELECT organisation, id, name, catalog FROM sites ORDER BY id")
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map($crate::store::site_from_row)
                    .collect()
            }

            pub(super) async fn insert_site(
                &self,
                organisation: &str,
                id: &str,
                name: &str,
                catalog: fieldbook_core::ids::DocumentId,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query("INSERT INTO sites (organisation, id, name, catalog) VALUES ($1, $2, $3, $4)")
                    .bind(organisation)
                    .bind(id)
                    .bind(name)
                    .bind(catalog.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            pub(super) async fn receipts_of(&self, doc: fieldbook_core::ids::DocumentId) -> Result<Vec<$crate::store::ChangeReceipt>, $crate::store::StoreError> {
                sqlx::query(
                    "SELECT change_hash, user_id, received_ms FROM change_receipts \
                     WHERE document = $1 ORDER BY received_ms, change_hash",
                )
                .bind(doc.to_string())
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|row| {
                    Ok($crate::store::ChangeReceipt {
                        change_hash: row.try_get("change_hash")?,
                        user_id: row.try_get("user_id")?,
                        received_ms: row.try_get("received_ms")?,
                    })
                })
                .collect()
            }
        }
    };
}

pub(crate) use impl_shared_queries;
