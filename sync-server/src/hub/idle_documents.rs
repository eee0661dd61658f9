//! The documents no connection syncs, least recently used first: which to drop from
//! memory when there are too many.

use std::collections::{BTreeMap, HashMap};

use fieldbook_core::ids::DocumentId;

/// An ordered set of idle documents. Every operation is `O(log n)`.
#[derive(Debug, Default)]
pub(super) struct IdleDocuments {
    /// Documents by when they became idle.
    by_age: BTreeMap<u64, DocumentId>,
    /// When each document became idle: its key in `by_age`.
    age: HashMap<DocumentId, u64>,
    next: u64,
}

impl IdleDocuments {
    /// Records that `document` became idle now (the most recently used).
    pub(super) fn touch(&mut self, document: DocumentId) {
        self.remove(document);
        self.by_age.insert(self.next, document);
        self.age.insert(document, self.next);
        self.next += 1;
    }

    /// Forgets `document` (it is in use again, or left memory).
    pub(super) fn remove(&mut self, document: DocumentId) {
        if let Some(age) = self.age.remove(&document) {
            self.by_age.remove(&age);
        }
    }

    /// Takes the document that has been idle longest.
    pub(super) fn pop_oldest(&mut self) -> Option<DocumentId> {
        let (_, document) = self.by_age.pop_first()?;
        self.age.remove(&document);
        Some(document)
    }

    pub(super) fn len(&self) -> usize {
        self.age.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> DocumentId {
        DocumentId::from_bytes([n; 16])
    }

    #[test]
    fn the_longest_idle_leaves_first_and_a_touch_makes_a_document_young() {
        let mut idle = IdleDocuments::default();
        for n in 1..=3 {
            idle.touch(id(n));
        }
        idle.touch(id(1));
        assert_eq!(idle.len(), 3);
        assert_eq!(idle.pop_oldest(), Some(id(2)));
        idle.remove(id(3));
        assert_eq!(idle.pop_oldest(), Some(id(1)));
        assert_eq!(idle.pop_oldest(), None);
        assert_eq!(idle.len(), 0);
    }
}
