//! The documents in memory: each one's entry, and which of them no connection syncs.

use std::collections::HashMap;
use std::sync::Arc;

use fieldbook_core::ids::DocumentId;

use super::doc_entry::DocEntry;
use super::idle_documents::IdleDocuments;

/// Every document the hub holds, behind the hub's `docs` lock.
#[derive(Default)]
pub(super) struct Docs {
    entries: HashMap<DocumentId, Arc<tokio::sync::Mutex<DocEntry>>>,
    /// The entries no connection syncs, oldest first.
    idle: IdleDocuments,
}

impl Docs {
    /// The document's entry for a task about to use it, created empty if new. It is
    /// in use now, so no longer idle.
    pub(super) fn take_up(&mut self, document: DocumentId) -> Arc<tokio::sync::Mutex<DocEntry>> {
        self.idle.remove(document);
        self.entries.entry(document).or_default().clone()
    }

    /// The document's entry, if it is in memory.
    pub(super) fn get(&self, document: DocumentId) -> Option<Arc<tokio::sync::Mutex<DocEntry>>> {
        self.entries.get(&document).cloned()
    }

    /// Documents in memory.
    pub(super) fn resident(&self) -> usize {
        self.entries.len()
    }

    /// Documents in memory that no connection syncs.
    pub(super) fn idle(&self) -> usize {
        self.idle.len()
    }

    /// Once no connection syncs `document`, it joins the idle documents; past `cap`
    /// the longest idle leave memory. A document that was never loaded (unavailable,
    /// or unreadable) leaves at once: there is nothing worth keeping.
    pub(super) fn park_if_idle(&mut self, document: DocumentId, cap: usize) {
        match self.entries.get(&document).and_then(unused) {
            Some(true) if cap > 0 => self.idle.touch(document),
            Some(_) => {
                self.entries.remove(&document);
                self.idle.remove(document);
            }
            None => return,
        }
        while self.idle.len() > cap {
            let Some(oldest) = self.idle.pop_oldest() else {
                break;
            };
            if self.entries.get(&oldest).and_then(unused).is_some() {
                self.entries.remove(&oldest);
            }
        }
    }
}

/// `Some(loaded)` if no task uses the entry and no connection syncs its document.
fn unused(entry: &Arc<tokio::sync::Mutex<DocEntry>>) -> Option<bool> {
    // Clones of an entry are only made under the `docs` lock the caller holds, so a
    // count of one means no task is using it now.
    if Arc::strong_count(entry) != 1 {
        return None;
    }
    let entry = entry.try_lock().ok()?;
    entry.is_idle().then_some(entry.doc.is_some())
}
