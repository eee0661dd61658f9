//! One document and the Automerge sync state of each peer syncing it.

use std::collections::HashMap;
use std::hash::Hash;

use automerge::sync::{Message as SyncMessage, State, SyncDoc};
use automerge::{Automerge, ChangeHash, ReadDoc};

/// A document being synced with any number of peers, each keyed by `P`.
#[derive(Debug)]
pub struct DocSync<P> {
    doc: Automerge,
    peers: HashMap<P, State>,
}

/// What applying a sync message or a local change added to the document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    /// The new changes, concatenated in Automerge's change format: what to persist
    /// (an "incremental" chunk). Empty when nothing new arrived.
    pub changes: Vec<u8>,
    /// How many changes that is.
    pub change_count: usize,
    /// Heads before the message was applied, for [`DocSync::rollback`].
    pub heads_before: Vec<ChangeHash>,
}

impl Applied {
    pub fn is_empty(&self) -> bool {
        self.change_count == 0
    }
}

/// Why a sync message could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("not an Automerge sync message: {0}")]
    BadMessage(String),
    #[error("the document rejected the changes: {0}")]
    Rejected(#[from] automerge::AutomergeError),
}

impl<P: Eq + Hash + Clone> DocSync<P> {
    pub fn new(doc: Automerge) -> DocSync<P> {
        DocSync {
            doc,
            peers: HashMap::new(),
        }
    }

    pub fn doc(&self) -> &Automerge {
        &self.doc
    }

    /// Makes a local change through `edit`, and returns what it added.
    pub fn change<R>(&mut self, edit: impl FnOnce(&mut Automerge) -> R) -> (R, Applied) {
        let heads_before = self.doc.get_heads();
        let result = edit(&mut self.doc);
        let applied = self.added_since(heads_before);
        (result, applied)
    }

    /// Starts (or restarts, after a reconnect) syncing with `peer` from a fresh state.
    pub fn connect(&mut self, peer: P) {
        self.peers.insert(peer, State::new());
    }

    pub fn disconnect(&mut self, peer: &P) {
        self.peers.remove(peer);
    }

    pub fn is_connected(&self, peer: &P) -> bool {
        self.peers.contains_key(peer)
    }

    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// Applies a sync message from `peer` (connecting it if needed). The returned
    /// changes must be persisted before [`DocSync::generate`] is called, so that the
    /// heads we advertise are durable.
    pub fn receive(&mut self, peer: &P, data: &[u8]) -> Result<Applied, SyncError> {
        let message =
            SyncMessage::decode(data).map_err(|e| SyncError::BadMessage(e.to_string()))?;
        super::bloom_guard::check(&message).map_err(SyncError::BadMessage)?;
        let heads_before = self.doc.get_heads();
        let state = self.peers.entry(peer.clone()).or_default();
        if let Err(error) = self.doc.receive_sync_message(state, message) {
            // Automerge applies changes one by one, so a bad message can fail halfway:
            // put the document back as it was, so nothing unstored stays in memory.
            if self.doc.get_heads() != heads_before {
                self.rollback(&Applied {
                    heads_before,
                    ..Applied::default()
                })?;
            } else if let Some(state) = self.peers.get_mut(peer) {
                *state = State::new();
            }
            return Err(error.into());
        }
        Ok(self.added_since(heads_before))
    }

    /// The sync messages to send now, one per peer that has something to hear.
    pub fn generate(&mut self) -> Vec<(P, Vec<u8>)> {
        let doc = &self.doc;
        self.peers
            .iter_mut()
            .filter_map(|(peer, state)| {
                doc.generate_sync_message(state)
                    .map(|m| (peer.clone(), m.encode()))
            })
            .collect()
    }

    /// The sync message to send `peer` now, if any.
    pub fn generate_for(&mut self, peer: &P) -> Option<Vec<u8>> {
        let state = self.peers.get_mut(peer)?;
        self.doc
            .generate_sync_message(state)
            .map(SyncMessage::encode)
    }

    /// Heads both we and `peer` are known to have. When the peer is the server,
    /// the changes under these heads are durable there.
    pub fn shared_heads(&self, peer: &P) -> Option<&[ChangeHash]> {
        self.peers.get(peer).map(|s| s.shared_heads.as_slice())
    }

    /// Whether `peer` has sent at least one sync message since it (re)connected.
    pub fn has_heard_from(&self, peer: &P) -> bool {
        self.peers
            .get(peer)
            .is_some_and(|s| s.their_heads.is_some())
    }

    /// Whether we hold every change `peer` has told us it has: nothing more to
    /// fetch from it, as far as we know.
    pub fn caught_up_with(&self, peer: &P) -> bool {
        self.peers
            .get(peer)
            .and_then(|s| s.their_heads.as_ref())
            .is_some_and(|heads| {
                heads
                    .iter()
                    .all(|h| self.doc.get_change_by_hash(h).is_some())
            })
    }

    /// Whether `peer` has told us it has everything we have.
    pub fn peer_has_everything(&self, peer: &P) -> bool {
        self.peers
            .get(peer)
            .is_some_and(|s| self.doc.has_our_changes(s))
    }

    /// Undoes what an [`Applied`] added, after persisting it failed, and restarts
    /// every peer's sync so none believes we hold what we could not store.
    pub fn rollback(&mut self, applied: &Applied) -> Result<(), SyncError> {
        let actor = self.doc.get_actor().clone();
        let mut restored = self.doc.fork_at(&applied.heads_before)?;
        restored.set_actor(actor);
        self.doc = restored;
        for state in self.peers.values_mut() {
            *state = State::new();
        }
        Ok(())
    }

    fn added_since(&self, heads_before: Vec<ChangeHash>) -> Applied {
        let new = self.doc.get_changes(&heads_before);
        let mut changes = Vec::new();
        for change in &new {
            changes.extend_from_slice(change.raw_bytes());
        }
        Applied {
            changes,
            change_count: new.len(),
            heads_before,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{ActorId, ROOT};

    fn put(doc: &mut Automerge, key: &str, value: &str) {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, key, value))
            .expect("put");
    }

    /// Passes messages between a client and the server until neither has anything to say.
    fn run_until_quiet(client: &mut DocSync<&'static str>, server: &mut DocSync<&'static str>) {
        for _ in 0..20 {
            let mut quiet = true;
            for (_, msg) in client.generate() {
                quiet = false;
                server.receive(&"client", &msg).expect("server receives");
            }
            for (_, msg) in server.generate() {
                quiet = false;
                client.receive(&"server", &msg).expect("client receives");
            }
            if quiet {
                return;
            }
        }
        panic!("sync did not settle");
    }

    #[test]
    fn a_client_change_reaches_the_server_and_is_acknowledged() {
        let mut client = DocSync::new(Automerge::new().with_actor(ActorId::from([1; 16])));
        let mut server = DocSync::new(Automerge::new());
        client.connect("server");
        server.connect("client");
        let ((), applied) = client.change(|d| put(d, "title", "Printer jam"));
        assert_eq!(applied.change_count, 1);
        assert!(!client.peer_has_everything(&"server"));
        assert!(!client.has_heard_from(&"server"));
        assert!(!client.caught_up_with(&"server"));

        run_until_quiet(&mut client, &mut server);

        assert_eq!(server.doc().get_heads(), client.doc().get_heads());
        assert!(client.peer_has_everything(&"server"));
        assert!(client.has_heard_from(&"server"));
        assert!(client.caught_up_with(&"server"));
        assert!(server.caught_up_with(&"client"));
        assert_eq!(
            client.shared_heads(&"server"),
            Some(client.doc().get_heads().as_slice())
        );
    }

    #[test]
    fn receive_reports_exactly_the_new_changes_to_persist() {
        let mut source = Automerge::new().with_actor(ActorId::from([1; 16]));
        put(&mut source, "a", "1");
        put(&mut source, "b", "2");
        let mut client = DocSync::new(source);
        let mut server = DocSync::new(Automerge::new());
        client.connect("server");
        let mut persisted = Vec::new();
        for _ in 0..10 {
            for (_, m) in client.generate() {
                let applied = server.receive(&"client", &m).expect("receive");
                persisted.extend(applied.changes);
            }
            for (_, m) in server.generate() {
                client.receive(&"server", &m).expect("receive");
            }
        }
        // `load` (unlike `load_incremental`) refuses bytes it cannot parse.
        let persisted = Automerge::load(&persisted).expect("persisted chunks load");
        assert_eq!(persisted.get_heads(), client.doc().get_heads());
    }

    #[test]
    fn rollback_forgets_what_could_not_be_stored_and_resyncs() {
        let mut client = DocSync::new(Automerge::new().with_actor(ActorId::from([1; 16])));
        client.change(|d| put(d, "title", "Printer jam"));
        let mut server = DocSync::new(Automerge::new());
        client.connect("server");
        let mut last = Applied::default();
        for _ in 0..5 {
            for (_, m) in client.generate() {
                let applied = server.receive(&"client", &m).expect("receive");
                if !applied.is_empty() {
                    last = applied;
                }
            }
            for (_, m) in server.generate() {
                client.receive(&"server", &m).expect("receive");
            }
        }
        assert_eq!(last.change_count, 1);
        server.rollback(&last).expect("rollback");
        assert!(server.doc().get_heads().is_empty());

        // The client reconnects (fresh state both sides) and the change arrives again.
        client.connect("server");
        run_until_quiet(&mut client, &mut server);
        assert_eq!(server.doc().get_heads(), client.doc().get_heads());
    }

    #[test]
    fn garbage_is_a_bad_message_not_a_panic() {
        let mut server: DocSync<&str> = DocSync::new(Automerge::new());
        assert!(matches!(
            server.receive(&"x", &[0x42, 0xff, 0xff]),
            Err(SyncError::BadMessage(_))
        ));
        assert!(matches!(
            server.receive(&"x", &[]),
            Err(SyncError::BadMessage(_))
        ));
    }
}
