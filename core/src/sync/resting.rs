//! Syncing a document that stays on disk.
//!
//! A device that reconnects holds many documents the server already has whole:
//! every change is under the heads the server last acknowledged. Loading each
//! one into memory only to tell the server "I have these heads" costs memory
//! and time in proportion to every record the device ever synced. Automerge's
//! sync protocol needs only the heads to say so: a peer whose sync state
//! remembers heads `H` as shared, and has nothing since, opens with
//! `heads = H, need = [], have = [{ lastSync: H, bloom: empty }]`.
//! [`resting_message`] writes that message from the heads alone. The server
//! answers with every change it has since `H`. [`confirms`] tells whether its
//! answer says no more than "I have `H` too": then the document stays on disk
//! and the server, which now counts the device as syncing it, sends later
//! changes as they arrive. Any other answer (changes, a need, other heads)
//! means: load the document and let Automerge's sync go on from a fresh state,
//! which converges from any starting point.

use automerge::sync::{BloomFilter, Have, Message, MessageFlags, MessageVersion};
use automerge::ChangeHash;

/// The first sync message of a document whose every change is under `heads`,
/// which the server is known to have.
pub fn resting_message(heads: &[ChangeHash]) -> Vec<u8> {
    let mut heads = heads.to_vec();
    heads.sort();
    heads.dedup();
    let mut flags = MessageFlags::new();
    flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
    Message {
        heads: heads.clone(),
        need: Vec::new(),
        have: vec![Have {
            last_sync: heads,
            bloom: BloomFilter::default(),
        }],
        changes: Vec::<Vec<u8>>::new().into(),
        flags: Some(flags),
        version: MessageVersion::V1,
    }
    .encode()
}

/// Whether `data`, the server's answer to [`resting_message`]`(heads)`, only
/// says it has exactly `heads`: no changes to apply, nothing it needs. False
/// for anything else, including bytes that are not a sync message (loading
/// the document and applying them reports that properly).
pub fn confirms(data: &[u8], heads: &[ChangeHash]) -> bool {
    let Ok(message) = Message::decode(data) else {
        return false;
    };
    let mut ours = heads.to_vec();
    ours.sort();
    ours.dedup();
    let mut theirs = message.heads;
    theirs.sort();
    theirs.dedup();
    message.changes.is_empty() && message.need.is_empty() && theirs == ours
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::DocSync;
    use automerge::transaction::Transactable;
    use automerge::{ActorId, Automerge, ReadDoc, ROOT};

    fn put(doc: &mut DocSync<&'static str>, key: &str, value: &str) {
        doc.change(|d| {
            d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, key, value))
                .expect("put")
        });
    }

    fn get(doc: &Automerge, key: &str) -> Option<String> {
        doc.get(ROOT, key)
            .ok()
            .flatten()
            .map(|(v, _)| v.into_string().unwrap_or_default())
    }

    /// Passes messages until neither side has anything to say.
    fn settle(client: &mut DocSync<&'static str>, server: &mut DocSync<&'static str>) {
        for _ in 0..20 {
            let mut quiet = true;
            for (_, m) in client.generate() {
                quiet = false;
                server.receive(&"client", &m).expect("server receives");
            }
            for (_, m) in server.generate() {
                quiet = false;
                client.receive(&"server", &m).expect("client receives");
            }
            if quiet {
                return;
            }
        }
        panic!("sync did not settle");
    }

    /// A client and a server that hold the same document, synced, and the heads.
    fn synced() -> (
        DocSync<&'static str>,
        DocSync<&'static str>,
        Vec<ChangeHash>,
    ) {
        let mut client = DocSync::new(Automerge::new().with_actor(ActorId::from([1; 16])));
        let mut server = DocSync::new(Automerge::new().with_actor(ActorId::from([2; 16])));
        put(&mut client, "title", "Printer jam");
        put(&mut client, "status", "New");
        client.connect("server");
        server.connect("client");
        settle(&mut client, &mut server);
        let heads = client.doc().get_heads();
        assert_eq!(server.doc().get_heads(), heads);
        (client, server, heads)
    }

    /// The server as it is after the device reconnects: a fresh sync state for it.
    fn reconnected(server: &mut DocSync<&'static str>) {
        server.disconnect(&"client");
        server.connect("client");
    }

    /// The server's one answer to a device announcing `heads`.
    fn answer_to(server: &mut DocSync<&'static str>, heads: &[ChangeHash]) -> Vec<u8> {
        let applied = server
            .receive(&"client", &resting_message(heads))
            .expect("the server reads the message");
        assert!(applied.is_empty(), "an announcement carries no changes");
        let mut answers = server.generate();
        assert_eq!(answers.len(), 1, "the server answers once");
        answers.remove(0).1
    }

    #[test]
    fn a_server_with_nothing_new_only_confirms_the_heads() {
        let (_, mut server, heads) = synced();
        reconnected(&mut server);
        let answer = answer_to(&mut server, &heads);
        assert!(confirms(&answer, &heads));
        assert!(server.peer_has_everything(&"client"));
        assert!(server.generate().is_empty(), "and then has nothing to add");
    }

    #[test]
    fn changes_made_elsewhere_come_back_and_load_into_the_resting_document() {
        let (mut client, mut server, heads) = synced();
        // Another device's change reaches the server while the device is away.
        put(&mut server, "status", "Resolved");
        reconnected(&mut server);
        let answer = answer_to(&mut server, &heads);
        assert!(!confirms(&answer, &heads));
        // The device loads the document (fresh sync state) and applies the answer.
        client.disconnect(&"server");
        let applied = client
            .receive(&"server", &answer)
            .expect("the answer applies");
        assert_eq!(applied.change_count, 1, "the answer carries the change");
        assert_eq!(get(client.doc(), "status").as_deref(), Some("Resolved"));
        settle(&mut client, &mut server);
        assert_eq!(client.doc().get_heads(), server.doc().get_heads());
    }

    #[test]
    fn a_server_that_lost_the_document_asks_for_it_and_gets_it_back() {
        let (mut client, _, heads) = synced();
        let mut server = DocSync::new(Automerge::new().with_actor(ActorId::from([3; 16])));
        server.connect("client");
        let answer = answer_to(&mut server, &heads);
        assert!(!confirms(&answer, &heads));
        client.disconnect(&"server");
        client
            .receive(&"server", &answer)
            .expect("the answer applies");
        settle(&mut client, &mut server);
        assert_eq!(server.doc().get_heads(), heads);
        assert_eq!(get(server.doc(), "title").as_deref(), Some("Printer jam"));
    }

    #[test]
    fn heads_in_any_order_are_the_same_heads() {
        let (_, mut server, _) = synced();
        // Two concurrent changes make two heads.
        let mut other = server.doc().fork().with_actor(ActorId::from([4; 16]));
        other
            .transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "status", "On hold"))
            .expect("put");
        put(&mut server, "status", "Assigned");
        server.change(|d| d.merge(&mut other).expect("merge"));
        let heads = server.doc().get_heads();
        assert_eq!(heads.len(), 2);
        let reversed: Vec<ChangeHash> = heads.iter().rev().copied().collect();
        reconnected(&mut server);
        let answer = answer_to(&mut server, &reversed);
        assert!(confirms(&answer, &reversed));
        assert!(confirms(&answer, &heads));
        assert!(!confirms(&answer, &heads[..1]));
    }

    #[test]
    fn garbage_confirms_nothing() {
        let heads = synced().2;
        assert!(!confirms(&[0x42, 0xff], &heads));
        assert!(!confirms(&[], &heads));
        // The device's own message is not an answer that confirms: it has a `have`, but so
        // may an answer; what matters is the heads and that nothing comes with them.
        assert!(confirms(&resting_message(&heads), &heads));
        assert!(!confirms(&resting_message(&heads), &[]));
    }
}
