//! The sync hub: every document some connection syncs, in memory, and the outbox
//! of every connection.
//!
//! Per document an `Arc<tokio::sync::Mutex<DocEntry>>` holds a [`DocSync`] keyed by
//! [`ConnId`]. Under that lock the hub applies a connection's sync message, appends
//! the new changes to the [`Store`], and only after the commit generates the
//! messages for every connected peer. So the server never advertises heads that are
//! not durable, and a change from one connection is pushed to all the others.

mod doc_entry;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fieldbook_core::ids::{DocumentId, PeerId};
use fieldbook_core::sync::{Applied, DocSync, SyncError};
use tokio::sync::{mpsc, watch};

use crate::store::{Store, StoreError};
use doc_entry::DocEntry;
pub use doc_entry::LoadError;

/// How many messages may wait for a connection before it counts as too slow and is closed.
pub const OUTBOX_CAPACITY: usize = 1024;

/// The server's side of every connection and the documents they sync. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// Identifies one WebSocket connection for as long as it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(u64);

/// What the hub asks a connection to send; the connection frames it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// An Automerge sync message for a document.
    Sync {
        document_id: DocumentId,
        data: Vec<u8>,
    },
    /// The answer to a `request` for a document the server does not have.
    Unavailable { document_id: DocumentId },
}

/// Why a connection's sync message was not accepted. The connection must close.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("document {document} could not be loaded from storage: {source}")]
    Load {
        document: DocumentId,
        source: LoadError,
    },
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

struct Inner {
    peer_id: PeerId,
    store: Arc<dyn Store>,
    docs: Mutex<HashMap<DocumentId, Arc<tokio::sync::Mutex<DocEntry>>>>,
    outboxes: Mutex<HashMap<ConnId, mpsc::Sender<Outbound>>>,
    next_conn: AtomicU64,
    /// How many connections are registered.
    sessions: watch::Sender<usize>,
    /// Becomes `true` when the server shuts down.
    shutdown: watch::Sender<bool>,
}

impl Hub {
    /// A hub that announces itself as `peer_id` and keeps documents in `store`.
    pub fn new(store: Arc<dyn Store>, peer_id: PeerId) -> Hub {
        Hub {
            inner: Arc::new(Inner {
                peer_id,
                store,
                docs: Mutex::default(),
                outboxes: Mutex::default(),
                next_conn: AtomicU64::new(1),
                sessions: watch::Sender::new(0),
                shutdown: watch::Sender::new(false),
            }),
        }
    }

    /// The peer id this server announces in every handshake.
    pub fn peer_id(&self) -> &PeerId {
        &self.inner.peer_id
    }

    /// Registers a new connection: its id and the outbox it must drain.
    pub fn register(&self) -> (ConnId, mpsc::Receiver<Outbound>) {
        let conn = ConnId(self.inner.next_conn.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = mpsc::channel(OUTBOX_CAPACITY);
        lock(&self.inner.outboxes).insert(conn, tx);
        self.inner.sessions.send_modify(|n| *n += 1);
        (conn, rx)
    }

    /// Forgets a closed connection: disconnects it from every document it `touched`
    /// and lets documents no one syncs leave memory.
    pub async fn unregister(&self, conn: ConnId, touched: HashSet<DocumentId>) {
        lock(&self.inner.outboxes).remove(&conn);
        for document in touched {
            let entry = lock(&self.inner.docs).get(&document).cloned();
            if let Some(entry) = entry {
                if let Some(doc) = entry.lock().await.doc.as_mut() {
                    doc.disconnect(&conn);
                }
            }
            self.evict_if_idle(document);
        }
        self.inner
            .sessions
            .send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Handles an Automerge sync message from `conn` for `document_id`.
    ///
    /// `request` asks for `doc-unavailable` rather than a new empty document when the
    /// server has never seen it. On `Err` nothing new was stored or advertised, and the
    /// caller must tell the remote and close the connection.
    pub async fn sync(
        &self,
        conn: ConnId,
        document_id: DocumentId,
        data: &[u8],
        request: bool,
    ) -> Result<(), HubError> {
        let entry = self.entry(document_id);
        let mut entry = entry.lock().await;
        if entry.doc.is_none() {
            match self.inner.store.load(document_id).await? {
                Some(chunks) => entry.load(chunks).map_err(|source| {
                    tracing::error!(document = %document_id, error = %source, "a stored document does not load");
                    HubError::Load {
                        document: document_id,
                        source,
                    }
                })?,
                None if request => {
                    self.push(conn, Outbound::Unavailable { document_id });
                    return Ok(());
                }
                None => entry.start_empty(),
            }
        }
        let DocEntry { doc, chunks } = &mut *entry;
        let Some(doc) = doc.as_mut() else {
            return Ok(());
        };

        let heads_before = doc.doc().get_heads();
        let applied = match doc.receive(&conn, data) {
            Ok(applied) => applied,
            Err(error) => {
                // A message that failed half way may have applied some changes: drop them.
                if doc.doc().get_heads() != heads_before {
                    self.undo(
                        document_id,
                        conn,
                        doc,
                        &Applied {
                            heads_before,
                            ..Applied::default()
                        },
                    );
                } else {
                    doc.disconnect(&conn);
                }
                return Err(error.into());
            }
        };
        if !applied.is_empty() {
            match self.inner.store.append(document_id, &applied.changes).await {
                Ok(chunk) => chunks.push(chunk),
                Err(error) => {
                    self.undo(document_id, conn, doc, &applied);
                    return Err(error.into());
                }
            }
            if chunks.len() > doc_entry::MAX_CHUNKS {
                self.compact(document_id, doc, chunks).await;
            }
        }
        // Everything in `doc` is now committed: safe to advertise.
        self.fan_out(document_id, doc);
        Ok(())
    }

    /// Asks every connection to close; see [`Hub::sessions_closed`].
    pub fn shut_down(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// Becomes ready when the server is shutting down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Waits until no connection is registered.
    pub async fn sessions_closed(&self) {
        let mut sessions = self.inner.sessions.subscribe();
        // The sender lives in `self`, so this only ends when the count reaches zero.
        let _ = sessions.wait_for(|n| *n == 0).await;
    }

    fn entry(&self, document: DocumentId) -> Arc<tokio::sync::Mutex<DocEntry>> {
        lock(&self.inner.docs).entry(document).or_default().clone()
    }

    /// Removes what could not be stored, drops `conn` (it will be closed), and
    /// restarts the other peers' sync from what is durable.
    fn undo(
        &self,
        document_id: DocumentId,
        conn: ConnId,
        doc: &mut DocSync<ConnId>,
        applied: &Applied,
    ) {
        if let Err(error) = doc.rollback(applied) {
            tracing::error!(document = %document_id, %error, "rolling back unstored changes failed");
        }
        doc.disconnect(&conn);
        self.fan_out(document_id, doc);
    }

    async fn compact(
        &self,
        document_id: DocumentId,
        doc: &DocSync<ConnId>,
        chunks: &mut Vec<crate::store::ChunkId>,
    ) {
        let snapshot = doc.doc().save();
        match self
            .inner
            .store
            .compact(document_id, &snapshot, chunks)
            .await
        {
            Ok(chunk) => *chunks = vec![chunk],
            // The chunks are still there; compaction will be tried after the next append.
            Err(error) => {
                tracing::warn!(document = %document_id, %error, "compaction failed")
            }
        }
    }

    fn fan_out(&self, document_id: DocumentId, doc: &mut DocSync<ConnId>) {
        for (peer, data) in doc.generate() {
            self.push(peer, Outbound::Sync { document_id, data });
        }
    }

    /// Queues a message for `conn`. A connection whose outbox is full is too slow to
    /// keep up: dropping its sender makes it close (and resync when it comes back).
    fn push(&self, conn: ConnId, message: Outbound) {
        let mut outboxes = lock(&self.inner.outboxes);
        let Some(outbox) = outboxes.get(&conn) else {
            return;
        };
        match outbox.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(%conn, "outbox full; closing the connection");
                outboxes.remove(&conn);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                outboxes.remove(&conn);
            }
        }
    }

    fn evict_if_idle(&self, document: DocumentId) {
        let mut docs = lock(&self.inner.docs);
        // Clones of the entry are only made under this lock, so a count of one means
        // no task is using it now.
        let idle = docs.get(&document).is_some_and(|entry| {
            Arc::strong_count(entry) == 1 && entry.try_lock().is_ok_and(|e| e.is_idle())
        });
        if idle {
            docs.remove(&document);
        }
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conn-{}", self.0)
    }
}

impl HubError {
    /// The `error` message the remote is sent before the connection closes.
    pub fn client_message(&self) -> String {
        match self {
            HubError::Load { document, .. } => {
                format!("the server cannot read document {document} from its storage")
            }
            HubError::Store(_) => {
                "the server's storage failed; nothing in this message was accepted".to_owned()
            }
            HubError::Sync(error) => error.to_string(),
        }
    }
}

/// A fresh server peer id, `fieldbook-server-` and 16 random hex digits.
pub fn random_peer_id() -> PeerId {
    let bytes: [u8; 8] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    PeerId::parse(format!("fieldbook-server-{hex}")).expect("34 bytes of text is a valid peer id")
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The maps stay consistent even if a holder panicked: every update is one call.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
