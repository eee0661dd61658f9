//! The device's IndexedDB, through rexie.
//!
//! Object stores:
//! - `chunks`: Automerge bytes keyed `[document id, "snapshot" | "incremental", n]`, as
//!   automerge-repo keys its storage. A document is all its chunks concatenated.
//! - `records`: one summary row per record, so lists open without loading documents.
//! - `sync`: per document, the heads the server has acknowledged and how many local
//!   changes it has not (the status strip's count survives a reload offline).
//! - `meta`: the device's Automerge actor id and the cached signed-in profile.
//! - `blobs`: photos by SHA-256 (hex): bytes, content type, and a `pending` mark
//!   (indexed) until the server has them ([`blob_rows`]).
//!
//! A local change is written (chunk, summary and sync row together) in one
//! transaction with strict durability ([`strict`]) before the UI says "saved on
//! device".
//!
//! The schema is [`SCHEMA`]. Raising [`DB_VERSION`] only ever adds: the upgrade
//! (in [`strict`], on a connection we control) creates the stores and indexes that
//! are missing and never deletes or rewrites one. A tab still open on the old
//! version is asked to close its connections; it does, and says to reload
//! ([`strict::on_version_change`]).
//!
//! If the browser closes the connections itself (its storage was cleared or
//! failed), the next use opens new ones to the same database
//! ([`LocalStore::reopen`]); nothing here ever deletes the database.

mod blob_rows;
pub(crate) mod strict;
mod summary;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use rexie::{KeyRange, ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

pub use blob_rows::StoredBlob;
pub use summary::Summary;

pub(crate) const DB_NAME: &str = "fieldbook";
/// 1: chunks, records, sync, meta. 2: blobs.
pub(crate) const DB_VERSION: u32 = 2;
const CHUNKS: &str = "chunks";
const RECORDS: &str = "records";
const SYNC: &str = "sync";
const META: &str = "meta";
const BLOBS: &str = "blobs";
/// The index of `blobs` rows not yet on the server.
const PENDING: &str = "pending";

/// Every object store, with its indexes as (name, key path).
pub(crate) const SCHEMA: &[(&str, &[(&str, &str)])] = &[
    (CHUNKS, &[]),
    (RECORDS, &[]),
    (SYNC, &[]),
    (META, &[]),
    (BLOBS, &[(PENDING, PENDING)]),
];

/// A failure of the device's storage, in words a person can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("the device's storage could not be opened: {0}")]
    Open(String),
    #[error(
        "This device's storage is full, so the last change was not saved. \
         Everything saved before is kept. Free some space on the device, then try again."
    )]
    Full,
    #[error("saving on this device failed: {0}")]
    Write(String),
    #[error("reading from this device failed: {0}")]
    Read(String),
    #[error(
        "The browser closed this device's storage while saving, so the last change was not \
         saved. Everything saved before is kept; Fieldbook reopens the storage: try again."
    )]
    Lost,
}

/// What the server has acknowledged of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncRow {
    /// Hex change hashes the server is known to have.
    pub acked: Vec<String>,
    /// Local changes not yet under `acked`.
    pub unacked: u32,
}

/// Everything one local action writes, in one transaction.
#[derive(Debug, Default)]
pub struct Batch {
    pub chunks: Vec<(String, Vec<u8>)>,
    pub summaries: Vec<Summary>,
    pub sync_rows: Vec<(String, SyncRow)>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty() && self.summaries.is_empty() && self.sync_rows.is_empty()
    }
}

/// One stored chunk of a document.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub key: JsValue,
    pub bytes: Vec<u8>,
}

/// The key kind of chunks that could not be read and were moved aside.
const SET_ASIDE: &str = "set-aside";

/// The open database.
///
/// It holds two connections to it ([`Connection`]). If the browser closes them
/// under the app (its storage was cleared or failed), the next use opens new
/// ones to the same database: recovering never deletes anything.
pub struct LocalStore {
    name: String,
    current: RefCell<Rc<Connection>>,
    /// Held while new connections are opened, so only one reopen runs at a time.
    reopening: futures::lock::Mutex<()>,
}

/// The two connections to the database: rexie's for reads and housekeeping, and
/// the strict one for what the UI reports as saved.
struct Connection {
    db: Rexie,
    writer: strict::StrictWriter,
}

impl Connection {
    async fn open(name: &str) -> Result<Connection, StoreError> {
        // First the connection we control: it brings the schema up to date, adding
        // only. rexie then opens at that version, so its own upgrade (which would
        // delete stores it is not told about) never runs.
        let writer = strict::StrictWriter::open(name, DB_VERSION)
            .await
            .map_err(|f| StoreError::Open(format!("{}: {}", f.name, f.message)))?;
        let mut builder = Rexie::builder(name).version(DB_VERSION);
        for (store, indexes) in SCHEMA {
            let store = indexes
                .iter()
                .fold(ObjectStore::new(store), |s, (name, path)| {
                    s.add_index(rexie::Index::new(name, path))
                });
            builder = builder.add_object_store(store);
        }
        let db = match builder.build().await {
            Ok(db) => db,
            Err(e) => {
                writer.close();
                return Err(StoreError::Open(e.to_string()));
            }
        };
        Ok(Connection { db, writer })
    }
}

impl LocalStore {
    /// Opens the device's database, bringing its schema up to date.
    pub async fn open() -> Result<LocalStore, StoreError> {
        LocalStore::open_named(DB_NAME).await
    }

    /// Opens the database `name` as [`LocalStore::open`] opens the device's: for
    /// tests that need a database of their own (an older version, say).
    pub async fn open_named(name: &str) -> Result<LocalStore, StoreError> {
        Ok(LocalStore {
            name: name.to_owned(),
            current: RefCell::new(Rc::new(Connection::open(name).await?)),
            reopening: futures::lock::Mutex::new(()),
        })
    }

    /// The connections to use: the current ones, or new ones if the browser closed
    /// those.
    async fn connection(&self) -> Result<Rc<Connection>, StoreError> {
        let current = self.current.borrow().clone();
        if !current.writer.is_lost() {
            return Ok(current);
        }
        let _one = self.reopening.lock().await;
        let current = self.current.borrow().clone();
        if !current.writer.is_lost() {
            return Ok(current);
        }
        let fresh = Rc::new(Connection::open(&self.name).await?);
        *self.current.borrow_mut() = fresh.clone();
        Ok(fresh)
    }

    /// Opens new connections now if the browser closed the last ones (a no-op
    /// otherwise), so the next action does not wait for it.
    pub async fn reopen(&self) -> Result<(), StoreError> {
        self.connection().await.map(drop)
    }

    /// Whether the browser has closed the connections and they are not reopened yet.
    pub fn is_lost(&self) -> bool {
        self.current.borrow().writer.is_lost()
    }

    /// Puts values through the strict connection. A connection the browser closed
    /// meanwhile makes [`StoreError::Lost`]; a full device [`StoreError::Full`].
    async fn write_strict(
        &self,
        stores: &[&str],
        puts: Vec<strict::Put>,
    ) -> Result<(), StoreError> {
        let connection = self.connection().await?;
        connection
            .writer
            .write(stores, puts)
            .await
            .map_err(|f| match f.name.as_str() {
                "QuotaExceededError" => StoreError::Full,
                _ if connection.writer.was_closed_under_us() => StoreError::Lost,
                _ => StoreError::Write(format!("{}: {}", f.name, f.message)),
            })
    }

    /// Every chunk of a document in key order, except those set aside.
    pub async fn load_chunks(&self, doc: &str) -> Result<Vec<Chunk>, StoreError> {
        let read = |e: rexie::Error| StoreError::Read(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[CHUNKS], TransactionMode::ReadOnly)
            .map_err(read)?;
        let store = tx.store(CHUNKS).map_err(read)?;
        let range = doc_range(doc).map_err(read)?;
        let rows = store
            .scan(Some(range), None, None, None)
            .await
            .map_err(read)?;
        Ok(rows
            .into_iter()
            .filter(|(key, _)| Array::from(key).get(1).as_string().as_deref() != Some(SET_ASIDE))
            .map(|(key, value)| Chunk {
                key,
                bytes: Uint8Array::new(&value).to_vec(),
            })
            .collect())
    }

    /// Every chunk key of a document, set-aside ones included, as `doc/kind/name`.
    pub async fn chunk_keys(&self, doc: &str) -> Result<Vec<String>, StoreError> {
        let read = |e: rexie::Error| StoreError::Read(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[CHUNKS], TransactionMode::ReadOnly)
            .map_err(read)?;
        let keys = tx
            .store(CHUNKS)
            .map_err(read)?
            .get_all_keys(Some(doc_range(doc).map_err(read)?), None)
            .await
            .map_err(read)?;
        Ok(keys
            .iter()
            .map(|k| {
                Array::from(k)
                    .iter()
                    .map(|part| part.as_string().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect())
    }

    /// Moves chunks that cannot be read out of the document's way, keeping their
    /// bytes under `[doc, "set-aside", name]`: nothing is deleted, and the document
    /// loads from the rest (the server fills in what is missing).
    pub async fn set_aside(&self, doc: &str, chunks: &[Chunk]) -> Result<(), StoreError> {
        let write = |e: rexie::Error| StoreError::Write(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[CHUNKS], TransactionMode::ReadWrite)
            .map_err(write)?;
        {
            let store = tx.store(CHUNKS).map_err(write)?;
            for chunk in chunks {
                let name = Array::from(&chunk.key)
                    .get(2)
                    .as_string()
                    .unwrap_or_default();
                let key = chunk_key(doc, SET_ASIDE, &name);
                store
                    .put(&Uint8Array::from(chunk.bytes.as_slice()).into(), Some(&key))
                    .await
                    .map_err(write)?;
                store.delete(chunk.key.clone()).await.map_err(write)?;
            }
        }
        tx.done().await.map_err(write)?;
        Ok(())
    }

    /// Writes a batch in one strict read-write transaction and waits for it to commit.
    pub async fn write(&self, batch: Batch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut puts = Vec::new();
        for (doc, bytes) in &batch.chunks {
            puts.push(strict::Put {
                store: CHUNKS,
                key: chunk_key(doc, "incremental", &chunk_name(bytes)),
                value: Uint8Array::from(bytes.as_slice()).into(),
            });
        }
        for summary in &batch.summaries {
            puts.push(strict::Put {
                store: RECORDS,
                key: JsValue::from_str(&summary.id),
                value: to_js(summary).map_err(StoreError::Write)?,
            });
        }
        for (doc, row) in &batch.sync_rows {
            puts.push(strict::Put {
                store: SYNC,
                key: JsValue::from_str(doc),
                value: to_js(row).map_err(StoreError::Write)?,
            });
        }
        self.write_strict(&[CHUNKS, RECORDS, SYNC], puts).await
    }

    /// Replaces all of a document's chunks with one snapshot, in one transaction.
    pub async fn compact(&self, doc: &str, snapshot: &[u8]) -> Result<(), StoreError> {
        let write = |e: rexie::Error| StoreError::Write(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[CHUNKS], TransactionMode::ReadWrite)
            .map_err(write)?;
        {
            let chunks = tx.store(CHUNKS).map_err(write)?;
            let keys = chunks
                .get_all_keys(Some(doc_range(doc).map_err(write)?), None)
                .await
                .map_err(write)?;
            for key in keys {
                chunks.delete(key).await.map_err(write)?;
            }
            let snapshot_key = chunk_key(doc, "snapshot", &chunk_name(snapshot));
            chunks
                .put(&Uint8Array::from(snapshot).into(), Some(&snapshot_key))
                .await
                .map_err(write)?;
        }
        tx.done().await.map_err(write)?;
        Ok(())
    }

    pub async fn summaries(&self) -> Result<Vec<Summary>, StoreError> {
        self.all(RECORDS).await
    }

    /// All sync rows, keyed by document id.
    pub async fn sync_rows(&self) -> Result<Vec<(String, SyncRow)>, StoreError> {
        let read = |e: rexie::Error| StoreError::Read(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[SYNC], TransactionMode::ReadOnly)
            .map_err(read)?;
        let rows = tx
            .store(SYNC)
            .map_err(read)?
            .scan(None, None, None, None)
            .await
            .map_err(read)?;
        rows.into_iter()
            .map(|(k, v)| {
                let id = k.as_string().unwrap_or_default();
                from_js(&v).map(|row| (id, row)).map_err(StoreError::Read)
            })
            .collect()
    }

    pub async fn get_meta<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let read = |e: rexie::Error| StoreError::Read(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[META], TransactionMode::ReadOnly)
            .map_err(read)?;
        let value = tx
            .store(META)
            .map_err(read)?
            .get(JsValue::from_str(key))
            .await
            .map_err(read)?;
        match value {
            Some(v) if !v.is_undefined() => from_js(&v).map(Some).map_err(StoreError::Read),
            _ => Ok(None),
        }
    }

    pub async fn put_meta<T: serde::Serialize>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        let write = |e: rexie::Error| StoreError::Write(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[META], TransactionMode::ReadWrite)
            .map_err(write)?;
        let value = to_js(value).map_err(StoreError::Write)?;
        tx.store(META)
            .map_err(write)?
            .put(&value, Some(&JsValue::from_str(key)))
            .await
            .map_err(write)?;
        tx.done().await.map_err(write)?;
        Ok(())
    }

    async fn all<T: serde::de::DeserializeOwned>(&self, store: &str) -> Result<Vec<T>, StoreError> {
        let read = |e: rexie::Error| StoreError::Read(e.to_string());
        let tx = self
            .connection()
            .await?
            .db
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(read)?;
        let values = tx
            .store(store)
            .map_err(read)?
            .get_all(None, None)
            .await
            .map_err(read)?;
        values
            .iter()
            .map(|v| from_js(v).map_err(StoreError::Read))
            .collect()
    }
}

/// A chunk's name within its document: a hash of its bytes (FNV-1a, 64 bits), so
/// writing the same chunk twice is one row.
fn chunk_name(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}-{}", bytes.len())
}

fn chunk_key(doc: &str, kind: &str, name: &str) -> JsValue {
    Array::of3(&doc.into(), &kind.into(), &name.into()).into()
}

/// All keys `[doc, …]`: arrays sort after strings, so `[doc, []]` bounds them.
fn doc_range(doc: &str) -> Result<KeyRange, rexie::Error> {
    let lower: JsValue = Array::of1(&doc.into()).into();
    let upper: JsValue = Array::of2(&doc.into(), &Array::new()).into();
    KeyRange::bound(&lower, &upper, Some(false), Some(false)).map_err(rexie::Error::from)
}

/// Rows are stored as JSON text: simple, and readable in the browser's devtools.
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, String> {
    serde_json::to_string(value)
        .map(|s| JsValue::from_str(&s))
        .map_err(|e| e.to_string())
}

fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    let text = value
        .as_string()
        .ok_or_else(|| "a stored row is not text".to_owned())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}
