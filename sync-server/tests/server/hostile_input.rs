//! Hostile messages the other tests do not send: a type the protocol does not have
//! (before or after the handshake), and the sync message the fuzzer found. Each gets
//! an `error` and a close for that connection alone. (Malformed CBOR, bad Automerge
//! bytes and a lone `0xf6` are in `bad_input`.)

use automerge::transaction::Transactable;
use automerge::ROOT;

use crate::flagged_server::FlaggedServer;
use crate::test_client::TestClient;
use crate::{new_incident, random_id};

/// A well-formed CBOR map whose `type` is not a protocol message:
/// `{"type": "teleport", "senderId": "mallory", "targetId": "server"}`.
fn teleport() -> Vec<u8> {
    let mut cbor = vec![0xa3]; // a map of three entries
    for text in [
        "type", "teleport", "senderId", "mallory", "targetId", "server",
    ] {
        cbor.push(0x60 + u8::try_from(text.len()).expect("short")); // a short text string
        cbor.extend_from_slice(text.as_bytes());
    }
    cbor
}

#[tokio::test]
async fn an_unknown_message_type_gets_an_error_and_closes_only_that_connection() {
    let server = FlaggedServer::start(&[]).await;
    let id = random_id();
    let mut good = TestClient::connect(server.addr, "good").await;
    good.create(id, new_incident("Loading dock door stuck half open"))
        .await;
    good.until("the incident is acknowledged", |c| c.acked(id))
        .await;

    // 1. Before the handshake.
    let mut early = TestClient::connect_raw(server.addr, "early").await;
    early.send_frame(teleport()).await;
    early.until("an error and the close", |c| c.closed).await;
    assert_eq!(early.errors.len(), 1, "{:?}", early.errors);
    assert!(early.errors[0].contains("teleport"), "{:?}", early.errors);

    // 2. After the handshake.
    let mut late = TestClient::connect(server.addr, "late").await;
    late.send_frame(teleport()).await;
    late.until("an error and the close", |c| c.closed).await;
    assert_eq!(late.errors.len(), 1, "{:?}", late.errors);
    assert!(late.errors[0].contains("teleport"), "{:?}", late.errors);

    // 3. The good client never noticed.
    good.change(id, |d| {
        d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "probe", 1))
            .expect("change")
    })
    .await;
    good.until("the change is acknowledged", |c| c.acked(id))
        .await;
    assert!(!good.closed && good.errors.is_empty());
    assert_eq!(server.metric("fieldbook_errors_total").await, 2);
}

/// The sync message the `sync_receive` fuzzer found: a Bloom filter with an entry but
/// no bits, which made Automerge 0.12 divide by zero while the server generated its
/// reply (see `core/tests/fuzz_smoke.rs`). Sent for a document that has changes, so
/// the reply would consult the filter.
#[tokio::test]
async fn the_bloom_filter_the_fuzzer_found_closes_only_that_connection() {
    const BLOOM_WITHOUT_BITS: [u8; 10] =
        [0x42, 0x00, 0x00, 0x01, 0x00, 0x03, 0x01, 0x00, 0x07, 0x00];
    let server = FlaggedServer::start(&[]).await;
    let id = random_id();
    let mut good = TestClient::connect(server.addr, "good").await;
    good.create(id, new_incident("Dock leveller hydraulics leaking"))
        .await;
    good.until("the incident is acknowledged", |c| c.acked(id))
        .await;

    let mut bad = TestClient::connect(server.addr, "bloom").await;
    let frame = bad
        .connection
        .sync(id, BLOOM_WITHOUT_BITS.to_vec(), false)
        .expect("open");
    bad.send_frame(frame).await;
    bad.until("an error and the close", |c| c.closed).await;
    assert_eq!(bad.errors.len(), 1, "{:?}", bad.errors);
    assert!(bad.errors[0].contains("no bits"), "{:?}", bad.errors);

    good.change(id, |d| {
        d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "probe", 1))
            .expect("change")
    })
    .await;
    good.until("the change is acknowledged", |c| c.acked(id))
        .await;
    assert!(!good.closed && good.errors.is_empty());
    assert_eq!(server.metric("fieldbook_document_panics_total").await, 0);
}
