//! The `blobs` object store: photos by SHA-256 (hex).
//!
//! ```text
//! key: "3a7f…" (64 hex digits)
//! value: { bytes: Uint8Array, contentType: "image/jpeg", size, pending?: 1 }
//! ```
//! `pending` is present while the server does not have the blob yet; the
//! `pending` index lists exactly those rows (rows without the property are not
//! in it), so the uploader finds them without reading every photo.

use js_sys::{Object, Reflect, Uint8Array};
use rexie::TransactionMode;
use wasm_bindgen::{JsCast, JsValue};

use super::{strict, LocalStore, StoreError, BLOBS, PENDING};

/// A photo as the device holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub bytes: Vec<u8>,
    pub content_type: String,
    /// Whether the server has it.
    pub uploaded: bool,
}

impl LocalStore {
    /// Keeps a blob, in a strict-durability transaction that has committed when
    /// this returns. `uploaded: false` queues it for upload.
    pub async fn put_blob(
        &self,
        sha256: &str,
        bytes: &[u8],
        content_type: &str,
        uploaded: bool,
    ) -> Result<(), StoreError> {
        let value = Object::new();
        let set = |key: &str, value_of: JsValue| {
            Reflect::set(&value, &key.into(), &value_of)
                .map(drop)
                .map_err(|e| StoreError::Write(format!("{e:?}")))
        };
        set("bytes", Uint8Array::from(bytes).into())?;
        set("contentType", content_type.into())?;
        set("size", (bytes.len() as f64).into())?;
        if !uploaded {
            set(PENDING, 1.into())?;
        }
        self.write_strict(
            &[BLOBS],
            vec![strict::Put {
                store: BLOBS,
                key: JsValue::from_str(sha256),
                value: value.into(),
            }],
        )
        .await
    }

    /// The blob `sha256`, if this device has it.
    pub async fn blob(&self, sha256: &str) -> Result<Option<StoredBlob>, StoreError> {
        let read = |e: rexie::Error| StoreError::Read(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[BLOBS], TransactionMode::ReadOnly)
            .map_err(read)?;
        let value = tx
            .store(BLOBS)
            .map_err(read)?
            .get(JsValue::from_str(sha256))
            .await
            .map_err(read)?;
        let Some(value) = value.filter(|v| v.is_object()) else {
            return Ok(None);
        };
        let field = |key: &str| Reflect::get(&value, &key.into()).unwrap_or(JsValue::UNDEFINED);
        let bytes = field("bytes");
        if !bytes.is_instance_of::<Uint8Array>() {
            return Err(StoreError::Read(format!(
                "the stored photo {sha256} has no bytes"
            )));
        }
        Ok(Some(StoredBlob {
            bytes: Uint8Array::from(bytes).to_vec(),
            content_type: field("contentType")
                .as_string()
                .unwrap_or_else(|| "image/jpeg".to_owned()),
            uploaded: field(PENDING).is_undefined(),
        }))
    }

    /// The hashes of the blobs the server does not have yet.
    pub async fn pending_blobs(&self) -> Result<Vec<String>, StoreError> {
        let read = |e: rexie::Error| StoreError::Read(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[BLOBS], TransactionMode::ReadOnly)
            .map_err(read)?;
        let keys = tx
            .store(BLOBS)
            .map_err(read)?
            .index(PENDING)
            .map_err(read)?
            .get_all_keys(None, None)
            .await
            .map_err(read)?;
        Ok(keys.iter().filter_map(JsValue::as_string).collect())
    }

    /// Marks a blob as on the server (it leaves the upload queue).
    pub async fn mark_uploaded(&self, sha256: &str) -> Result<(), StoreError> {
        let write = |e: rexie::Error| StoreError::Write(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[BLOBS], TransactionMode::ReadWrite)
            .map_err(write)?;
        {
            let store = tx.store(BLOBS).map_err(write)?;
            let key = JsValue::from_str(sha256);
            if let Some(value) = store.get(key.clone()).await.map_err(write)? {
                if value.is_object() {
                    Reflect::delete_property(value.unchecked_ref::<Object>(), &PENDING.into())
                        .map_err(|e| StoreError::Write(format!("{e:?}")))?;
                    store.put(&value, Some(&key)).await.map_err(write)?;
                }
            }
        }
        tx.done().await.map_err(write)?;
        Ok(())
    }
}
