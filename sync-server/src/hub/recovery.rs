//! What the hub does after a panic while handling a document: throw the document's
//! memory away and restart its sync from storage. See the unwind boundary in
//! [`Hub::sync`].

use std::any::Any;
use std::panic::AssertUnwindSafe;

use automerge::ReadDoc;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::sync::DocSync;
use futures::FutureExt;

use super::doc_entry::DocEntry;
use super::{lock, ConnId, Hub, HubError, Outbound, TEST_PANIC_KEY};

impl Hub {
    /// After a panic while `culprit`'s message for `document_id` was handled: throws
    /// the document away, reloads what is durable, and restarts the sync of every
    /// other connection that syncs it from a fresh state. If the document cannot be
    /// reloaded, those connections are told and closed; they will reconnect.
    pub(super) async fn restart_after_panic(
        &self,
        entry: &mut DocEntry,
        document_id: DocumentId,
        culprit: ConnId,
    ) {
        *entry = DocEntry::default();
        let peers: Vec<ConnId> = lock(&self.inner.conns)
            .iter()
            .filter(|(conn, state)| **conn != culprit && state.documents.contains(&document_id))
            .map(|(conn, _)| *conn)
            .collect();
        if peers.is_empty() {
            return;
        }
        let reloaded = AssertUnwindSafe(self.reload(entry, document_id, &peers))
            .catch_unwind()
            .await;
        let failure = match reloaded {
            Ok(Ok(())) => return,
            Ok(Err(error)) => error.to_string(),
            Err(panic) => panic_message(panic.as_ref()),
        };
        tracing::error!(document = %document_id, %failure, "the document could not be restarted; closing the connections that sync it");
        *entry = DocEntry::default();
        for peer in peers {
            self.push(
                peer,
                Outbound::Close {
                    message: format!(
                        "the server had to restart document {document_id} and could not; reconnect to resync it"
                    ),
                },
            );
        }
    }

    /// Loads `document_id` from storage into `entry` and starts syncing it afresh with `peers`.
    async fn reload(
        &self,
        entry: &mut DocEntry,
        document_id: DocumentId,
        peers: &[ConnId],
    ) -> Result<(), HubError> {
        match self.inner.store.load(document_id).await? {
            Some(chunks) => entry.load(chunks).map_err(|source| HubError::Load {
                document: document_id,
                source,
            })?,
            None => entry.start_empty(),
        }
        if let Some(doc) = entry.doc.as_mut() {
            for peer in peers {
                doc.connect(*peer);
            }
            self.fan_out(document_id, doc);
        }
        Ok(())
    }

    /// The `--test-panic-doc` hook; see [`Hub::inject_test_panic`].
    pub(super) fn test_panic_hook(&self, document_id: DocumentId, doc: &DocSync<ConnId>) {
        if self.inner.test_panic_document.get() == Some(&document_id)
            && matches!(doc.doc().get(automerge::ROOT, TEST_PANIC_KEY), Ok(Some(_)))
        {
            panic!("test hook: document {document_id} holds {TEST_PANIC_KEY:?}");
        }
    }
}

/// The text of a caught panic.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}
