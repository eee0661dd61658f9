//! Evidence blobs (photos, signature images): bytes addressed by their SHA-256,
//! kept outside the documents, per organisation.
//!
//! [`BlobStore`] is written once for both databases by [`impl_blob_store`], as the
//! directory is (`directory_sql`). Storing is idempotent: the same bytes stored
//! again for the same organisation change nothing. The hash is the caller's to
//! check (the route computes it from the body); this module trusts it.

use async_trait::async_trait;

use super::StoreError;

/// A blob to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlob {
    /// SHA-256 of `bytes`, 64 lowercase hex digits.
    pub sha256: String,
    pub organisation: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// The user who uploads it.
    pub created_by: String,
    /// Server time, milliseconds since the Unix epoch.
    pub created_ms: i64,
}

/// A stored blob, as it is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Whether [`BlobStore::put_blob`] stored something new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The blob was new for its organisation and is now committed.
    Created,
    /// The organisation already had it; nothing changed.
    AlreadyThere,
}

/// Blobs by organisation and SHA-256. One implementation per database.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `blob` for its organisation unless it is already there; returns after
    /// the commit.
    async fn put_blob(&self, blob: &NewBlob) -> Result<Stored, StoreError>;

    /// The blob `sha256` of `organisation`, if that organisation has it.
    async fn blob(&self, organisation: &str, sha256: &str) -> Result<Option<Blob>, StoreError>;
}

/// Implements `BlobStore` for a store type with a `pool` field of either database
/// (the queries use `$1` parameters and types both read alike).
macro_rules! impl_blob_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::BlobStore for $store {
            async fn put_blob(
                &self,
                blob: &$crate::store::NewBlob,
            ) -> Result<$crate::store::Stored, $crate::store::StoreError> {
                let size = i64::try_from(blob.bytes.len()).unwrap_or(i64::MAX);
                let inserted = sqlx::query(
                    "INSERT INTO blobs (sha256, organisation, content_type, size, bytes, created_by, created_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sha256, organisation) DO NOTHING",
                )
                .bind(&blob.sha256)
                .bind(&blob.organisation)
                .bind(&blob.content_type)
                .bind(size)
                .bind(blob.bytes.as_slice())
                .bind(&blob.created_by)
                .bind(blob.created_ms)
                .execute(&self.pool)
                .await?;
                Ok(if inserted.rows_affected() == 1 {
                    $crate::store::Stored::Created
                } else {
                    $crate::store::Stored::AlreadyThere
                })
            }

            async fn blob(
                &self,
                organisation: &str,
                sha256: &str,
            ) -> Result<Option<$crate::store::Blob>, $crate::store::StoreError> {
                use sqlx::Row;
                let row = sqlx::query(
                    "SELECT content_type, bytes FROM blobs WHERE sha256 = $1 AND organisation = $2",
                )
                .bind(sha256)
                .bind(organisation)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|row| {
                    Ok($crate::store::Blob {
                        content_type: row.try_get("content_type")?,
                        bytes: row.try_get("bytes")?,
                    })
                })
                .transpose()
            }
        }
    };
}

pub(crate) use impl_blob_store;
