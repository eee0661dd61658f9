//! Frames from the server, applied in bursts.
//!
//! A device that connects after a while receives many sync messages at once:
//! one per document that changed, and every document of a site on first sign-in.
//! Writing each in a transaction of its own would pay a strict commit (a flush to
//! disk) per document. So received frames wait in an inbox; one task takes what
//! has arrived, applies every sync message to its document in memory, writes all
//! they added in one strict transaction ([`MAX_BURST`] frames at most), and only
//! then answers the server for each. The order of the invariant is unchanged:
//! applied, stored, then answered.
//!
//! Frames that are not sync messages (the handshake, doc-unavailable, errors)
//! end the burst: what was gathered before them is stored first, so each is
//! handled in the order it arrived.

use std::rc::Rc;

use fieldbook_core::doc::{catalog, kind_of};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::sync::{resting, Incoming};
use leptos::prelude::Update;

use super::{sync_row, ActionError, Repo, Server};
use crate::store::Batch;

/// The most frames written in one transaction: bounds how long a local action
/// waits behind a large burst.
const MAX_BURST: usize = 256;

/// What a burst of sync messages adds: one batch, and the documents to answer for.
#[derive(Default)]
struct Burst {
    batch: Batch,
    docs: Vec<DocumentId>,
    /// Documents left on disk because the server confirmed it has them whole.
    confirmed: usize,
}

impl Repo {
    /// A frame arrived: queue it, and start the task that handles the inbox
    /// unless it is running.
    pub(super) fn receive(self: &Rc<Self>, frame: Vec<u8>) {
        let start = {
            let mut inner = self.inner.borrow_mut();
            inner.inbox.push_back(frame);
            !std::mem::replace(&mut inner.draining, true)
        };
        if start {
            let repo = self.clone();
            leptos::task::spawn_local(async move { repo.drain_inbox().await });
        }
    }

    /// Handles the inbox until it is empty, a burst at a time. Between bursts the
    /// operation lock is released, so a person's action is not kept waiting.
    async fn drain_inbox(self: &Rc<Self>) {
        loop {
            let _op = self.ops.lock().await;
            let frames: Vec<Vec<u8>> = {
                let mut inner = self.inner.borrow_mut();
                let n = inner.inbox.len().min(MAX_BURST);
                if n == 0 {
                    inner.draining = false;
                    return;
                }
                inner.inbox.drain(..n).collect()
            };
            let mut burst = Burst::default();
            for frame in frames {
                self.on_frame(frame, &mut burst).await;
            }
            self.store_and_answer(burst).await;
            // Answers free room in the window: offer what waits.
            self.pump();
        }
    }

    async fn on_frame(self: &Rc<Self>, frame: Vec<u8>, burst: &mut Burst) {
        let incoming = {
            let mut inner = self.inner.borrow_mut();
            let Some(connection) = inner.connection.as_mut() else {
                return;
            };
            connection.receive(&frame)
        };
        if !matches!(incoming, Ok(Incoming::Sync { .. })) {
            self.store_and_answer(std::mem::take(burst)).await;
        }
        match incoming {
            Ok(Incoming::Opened { .. }) => {
                self.inner.borrow_mut().attempts = 0;
                // "Syncing…" until `start_sync` has offered every document and
                // `publish_unacked` says what is left; never "Up to date" before.
                self.signals.status.update(|s| {
                    s.connected = true;
                    s.syncing = true;
                });
                crate::blobs::upload_pending(self.store.clone());
                self.start_sync().await;
                self.pump();
            }
            Ok(Incoming::Sync {
                document_id, data, ..
            }) => {
                if let Err(e) = self.apply_remote(document_id, &data, burst).await {
                    leptos::logging::warn!("sync of {document_id} failed: {e}");
                    self.signals
                        .status
                        .update(|s| s.error = Some(e.to_string()));
                }
            }
            Ok(Incoming::Unavailable { document_id }) => {
                self.inner.borrow_mut().pending.remove(&document_id);
                self.publish_unacked();
                self.retry_unavailable(document_id);
            }
            Ok(Incoming::RemoteError { message }) => {
                leptos::logging::warn!("the server closed the connection: {message}");
            }
            Ok(Incoming::Left | Incoming::Ignored { .. }) => {}
            Err(e) => {
                leptos::logging::warn!("protocol error: {e}");
                let socket = self.inner.borrow_mut().socket.take();
                if let Some(socket) = socket {
                    let _ = socket.send(&e.to_wire());
                }
                self.on_closed();
            }
        }
    }

    /// Applies the server's sync message to its document in memory and adds what
    /// it changed to the burst; it is answered once the burst is stored.
    async fn apply_remote(
        &self,
        id: DocumentId,
        data: &[u8],
        burst: &mut Burst,
    ) -> Result<(), ActionError> {
        // The answer to a resting document's heads (`Repo::announce_resting`):
        // if the server has nothing more, the document stays on disk.
        if let Some(heads) = self.resting_heads(id) {
            if resting::confirms(data, &heads) {
                self.inner.borrow_mut().pending.remove(&id);
                burst.confirmed += 1;
                return Ok(());
            }
        }
        self.ensure_loaded(id).await?;
        let applied = {
            let mut inner = self.inner.borrow_mut();
            let loaded = inner
                .docs
                .get_mut(&id)
                .ok_or(ActionError::Unreadable(id.to_string()))?;
            let applied = loaded
                .sync
                .receive(&Server, data)
                .map_err(|e| ActionError::Unreadable(e.to_string()))?;
            // A document stays "syncing" until we hold everything the server has of it:
            // its first reply may announce heads before it sends the changes.
            if loaded.sync.caught_up_with(&Server) {
                inner.pending.remove(&id);
            } else {
                inner.pending.insert(id);
            }
            applied
        };
        if applied.is_empty() {
            // The server may have acknowledged our changes.
            let key = id.to_string();
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            if let Some(loaded) = inner.docs.get(&id) {
                let row = sync_row(&loaded.sync, inner.sync_rows.get(&key));
                if inner.sync_rows.get(&key) != Some(&row) {
                    inner.sync_rows.insert(key.clone(), row.clone());
                    burst.batch.sync_rows.push((key, row));
                }
            }
        } else {
            self.stage(&mut burst.batch, id, applied.changes);
        }
        // Ask for newly listed records before the commit publishes the status, so the
        // strip never says "Up to date" between a catalog and the records it lists.
        self.discover(id).await;
        if !burst.docs.contains(&id) {
            burst.docs.push(id);
        }
        Ok(())
    }

    /// Stores what a burst added in one strict transaction, then answers the
    /// server for each of its documents. If the write fails nothing is answered:
    /// the documents reload from what is stored (`commit` forgets the rest).
    async fn store_and_answer(&self, burst: Burst) {
        if burst.docs.is_empty() {
            if burst.confirmed > 0 {
                self.publish_unacked();
            }
            return;
        }
        if let Err(e) = self.commit(burst.batch).await {
            leptos::logging::warn!("received changes could not be stored: {e}");
            return;
        }
        self.send_pending(&burst.docs);
        self.publish_unacked();
    }

    /// When a catalog changed, asks the server for records this device has not
    /// seen (a record with a sync row was offered at connect, loaded or resting).
    async fn discover(&self, id: DocumentId) {
        let unknown: Vec<DocumentId> = {
            let inner = self.inner.borrow();
            let Some(loaded) = inner.docs.get(&id) else {
                return;
            };
            if kind_of(loaded.sync.doc()).as_deref() != Some("catalog") {
                return;
            }
            catalog::entries(loaded.sync.doc())
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.id)
                .filter(|e| {
                    !inner.docs.contains_key(e) && !inner.sync_rows.contains_key(&e.to_string())
                })
                .collect()
        };
        for doc in &unknown {
            if let Err(e) = self.ensure_loaded(*doc).await {
                leptos::logging::warn!("{doc} could not be loaded: {e}");
            }
        }
        // Asked for as the pacing allows (`Repo::pump`, after this burst).
        self.inner.borrow_mut().offers.extend(unknown);
    }
}
