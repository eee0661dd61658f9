//! The bodies of Fieldbook's fuzz targets, one function per target. They are shared:
//! `fuzz_targets/*.rs` hand them to libFuzzer under `cargo fuzz` (nightly), and
//! `core/tests/fuzz_smoke.rs` includes this file to run them on stable over
//! `fuzz/corpus/<target>/` and over proptest-generated inputs, so CI exercises the
//! same checks without nightly.
//!
//! A body panics only when it finds a bug. Anything found becomes a named
//! regression test in `core/tests/fuzz_smoke.rs`.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Automerge, ChangeHash, ObjType, ROOT};
use fieldbook_core::bundle::Bundle;
use fieldbook_core::sync::DocSync;
use fieldbook_core::wire::Message;

/// A fuzz target's body.
pub type Body = fn(&[u8]);

/// The fuzz targets by name, as `cargo fuzz` and the corpus directories call them.
pub const TARGETS: [(&str, Body); 3] = [
    ("wire_decode", wire_decode),
    ("sync_receive", sync_receive),
    ("bundle_decode", bundle_decode),
];

/// `wire_decode`: untrusted bytes through [`Message::decode`], which the server runs
/// on every frame. It must not panic, and a message it accepts must survive
/// encoding: what the server writes back, it reads back as the same message.
pub fn wire_decode(data: &[u8]) {
    if let Ok(message) = Message::decode(data) {
        let encoded = message.encode();
        let again = Message::decode(&encoded).expect("an encoded message decodes");
        assert_eq!(again, message, "decode(encode(m)) == m");
    }
}

/// `bundle_decode`: a file someone picked to import, through [`Bundle::decode`].
/// It must not panic; a bundle it accepts has pictures that match their names and
/// documents that load, and survives encoding.
pub fn bundle_decode(data: &[u8]) {
    if let Ok(bundle) = Bundle::decode(data) {
        for blob in &bundle.blobs {
            assert_eq!(fieldbook_core::bundle::sha256(&blob.bytes), blob.hash);
        }
        for document in &bundle.documents {
            document.load().expect("an accepted document loads");
        }
        let again = Bundle::decode(&bundle.encode()).expect("an encoded bundle decodes");
        assert_eq!(again, bundle, "decode(encode(b)) == b");
    }
}

/// `sync_receive`: untrusted bytes as a peer's Automerge sync message for
/// [`small_document`], through [`DocSync::receive`] as the server runs it. It must
/// not panic; a refused message must leave the document as it was; the changes it
/// reports as new must load on top of what was stored (that is how the server stores
/// them); and the document must still save, load and generate replies.
pub fn sync_receive(data: &[u8]) {
    let mut sync: DocSync<u8> = DocSync::new(small_document());
    let heads_before = sync.doc().get_heads();
    match sync.receive(&1, data) {
        Ok(applied) => {
            if !applied.is_empty() {
                let mut stored = small_document().save();
                stored.extend_from_slice(&applied.changes);
                let reloaded = Automerge::load(&stored).expect("the stored chunks load");
                assert_eq!(
                    sorted(reloaded.get_heads()),
                    sorted(sync.doc().get_heads()),
                    "storage holds what the document holds"
                );
            }
        }
        Err(_) => assert_eq!(
            sync.doc().get_heads(),
            heads_before,
            "a refused message changes nothing"
        ),
    }
    let saved = sync.doc().save();
    let loaded = Automerge::load(&saved).expect("the document still loads");
    assert_eq!(sorted(loaded.get_heads()), sorted(sync.doc().get_heads()));
    let _ = sync.generate();
}

/// The document [`sync_receive`] starts from: a few fields and a list, made the
/// same way every time (fixed actor, time zero), so corpus entries that carry
/// changes on top of it stay meaningful.
pub fn small_document() -> Automerge {
    let mut doc = Automerge::new().with_actor(ActorId::from([0xf0; 16]));
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| CommitOptions::default().with_time(0),
        |tx| {
            tx.put(ROOT, "title", "Label printer offline")?;
            tx.put(ROOT, "impact", 3_i64)?;
            let events = tx.put_object(ROOT, "events", ObjType::List)?;
            tx.insert(&events, 0, "reported")?;
            Ok(())
        },
    )
    .expect("a fixed edit applies");
    doc
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}
