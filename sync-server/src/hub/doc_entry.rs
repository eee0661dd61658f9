//! One document in memory: its [`DocSync`] and the stored chunks it was built from.

use automerge::Automerge;
use fieldbook_core::sync::DocSync;

use super::ConnId;
use crate::store::{Chunk, ChunkId, DocAccess};

/// A document holds this many chunks at most before it is compacted into one snapshot.
pub(super) const MAX_CHUNKS: usize = 64;

/// A document the hub has seen. Shared as `Arc<tokio::sync::Mutex<DocEntry>>`: every
/// receive, store write and generate for the document happens under that lock.
#[derive(Debug, Default)]
pub(super) struct DocEntry {
    /// `None` until loaded from the store (or started empty for a new document).
    pub(super) doc: Option<DocSync<ConnId>>,
    /// The chunks in the store the document is made of, oldest first.
    pub(super) chunks: Vec<ChunkId>,
    /// Where the document belongs; `None` until its first change is received.
    pub(super) access: Option<DocAccess>,
}

/// Why stored chunks do not make a document.
#[derive(Debug, thiserror::Error)]
#[error("{reason} (chunks that do not load: {bad_chunks:?})")]
pub struct LoadError {
    pub reason: String,
    pub bad_chunks: Vec<ChunkId>,
}

impl DocEntry {
    /// Builds the document from its stored chunks.
    pub(super) fn load(&mut self, chunks: Vec<Chunk>) -> Result<(), LoadError> {
        let mut all = Vec::with_capacity(chunks.iter().map(|c| c.bytes.len()).sum());
        for chunk in &chunks {
            all.extend_from_slice(&chunk.bytes);
        }
        let doc = Automerge::load(&all).map_err(|e| LoadError {
            reason: e.to_string(),
            bad_chunks: culprits(&chunks),
        })?;
        self.doc = Some(DocSync::new(doc));
        self.chunks = chunks.into_iter().map(|c| c.id).collect();
        Ok(())
    }

    /// Starts a document nothing was stored for yet.
    pub(super) fn start_empty(&mut self) {
        self.doc = Some(DocSync::new(Automerge::new()));
        self.chunks.clear();
    }

    /// Whether no connection syncs this document, so it may leave memory.
    pub(super) fn is_idle(&self) -> bool {
        self.doc.as_ref().is_none_or(|d| d.peer_count() == 0)
    }
}

/// The chunks that do not load on top of the good ones before them, to name in the
/// log. (`load_incremental` would not tell: it silently ignores what it cannot parse.)
/// Quadratic, but only run after a load failed.
fn culprits(chunks: &[Chunk]) -> Vec<ChunkId> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for chunk in chunks {
        let mut candidate = good.clone();
        candidate.extend_from_slice(&chunk.bytes);
        if Automerge::load(&candidate).is_ok() {
            good = candidate;
        } else {
            bad.push(chunk.id);
        }
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::ROOT;

    fn chunk(id: i64, bytes: Vec<u8>) -> Chunk {
        Chunk {
            id: ChunkId(id),
            bytes,
        }
    }

    #[test]
    fn a_snapshot_and_later_changes_load_together() {
        let mut doc = Automerge::new();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "a", 1))
            .expect("put");
        let snapshot = doc.save();
        let heads = doc.get_heads();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "b", 2))
            .expect("put");
        let later = doc.save_after(&heads);

        let mut entry = DocEntry::default();
        entry
            .load(vec![chunk(1, snapshot), chunk(2, later)])
            .expect("loads");
        let loaded = entry.doc.as_ref().expect("loaded");
        assert_eq!(loaded.doc().get_heads(), doc.get_heads());
        assert_eq!(entry.chunks, vec![ChunkId(1), ChunkId(2)]);
    }

    #[test]
    fn a_garbage_chunk_is_named_not_a_panic() {
        let mut doc = Automerge::new();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "a", 1))
            .expect("put");
        let mut entry = DocEntry::default();
        let error = entry
            .load(vec![
                chunk(1, doc.save()),
                chunk(7, vec![0x85, 0x6f, 0x4a, 1, 2]),
            ])
            .expect_err("garbage does not load");
        assert_eq!(error.bad_chunks, vec![ChunkId(7)]);
        assert!(entry.doc.is_none());
    }
}
