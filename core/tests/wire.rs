//! Wire protocol: every message round-trips, and what the JavaScript client really
//! sends decodes.

use fieldbook_core::ids::{DocumentId, PeerId};
use fieldbook_core::wire::{DecodeError, Message, PeerMetadata, RemoteHeads};
use minicbor::Encoder;
use proptest::prelude::*;

fn pid(s: &str) -> PeerId {
    PeerId::parse(s).expect("peer id")
}

fn doc() -> DocumentId {
    DocumentId::from_bytes([0xab; 16])
}

fn every_message() -> Vec<Message> {
    let meta = Some(PeerMetadata {
        storage_id: Some("storage-1".into()),
        is_ephemeral: false,
    });
    vec![
        Message::Join {
            sender_id: pid("a"),
            supported_protocol_versions: vec!["1".into()],
            metadata: meta.clone(),
        },
        Message::Join {
            sender_id: pid("a"),
            supported_protocol_versions: vec!["1".into()],
            metadata: None,
        },
        Message::Peer {
            sender_id: pid("s"),
            target_id: pid("a"),
            selected_protocol_version: "1".into(),
            metadata: meta,
        },
        Message::Leave {
            sender_id: pid("a"),
        },
        Message::Request {
            sender_id: pid("a"),
            target_id: pid("s"),
            document_id: doc(),
            data: vec![0x42, 1, 2],
        },
        Message::Sync {
            sender_id: pid("a"),
            target_id: pid("s"),
            document_id: doc(),
            data: vec![],
        },
        Message::DocUnavailable {
            sender_id: pid("s"),
            target_id: pid("a"),
            document_id: doc(),
        },
        Message::Ephemeral {
            sender_id: pid("a"),
            target_id: pid("s"),
            document_id: doc(),
            count: 7,
            session_id: "sess".into(),
            data: vec![0xa0],
        },
        Message::Error {
            message: "bad".into(),
        },
        Message::RemoteSubscriptionChange {
            sender_id: pid("a"),
            target_id: pid("s"),
            add: vec!["x".into()],
            remove: vec![],
        },
        Message::RemoteHeadsChanged {
            sender_id: pid("a"),
            target_id: pid("s"),
            document_id: doc(),
            new_heads: vec![(
                "storage-1".into(),
                RemoteHeads {
                    heads: vec!["00ff".into()],
                    timestamp: 1_700_000_000_000,
                },
            )],
        },
    ]
}

#[test]
fn every_message_round_trips() {
    for message in every_message() {
        let bytes = message.encode();
        assert_eq!(Message::decode(&bytes), Ok(message));
    }
}

#[test]
fn join_encodes_metadata_under_the_key_the_javascript_client_reads() {
    let bytes = every_message()[0].encode();
    let needle = b"peerMetadata";
    assert!(bytes.windows(needle.len()).any(|w| w == needle));
}

/// A `join` as @automerge/automerge-repo-network-websocket 2.x writes it, with the
/// JavaScript quirks: `peerMetadata`, a CBOR `undefined` for the absent storage id.
#[test]
fn decodes_a_join_with_javascript_quirks() {
    let mut e = Encoder::new(Vec::new());
    e.map(4).unwrap();
    e.str("type").unwrap().str("join").unwrap();
    e.str("senderId").unwrap().str("peer-js").unwrap();
    e.str("peerMetadata").unwrap().map(2).unwrap();
    e.str("storageId").unwrap().undefined().unwrap();
    e.str("isEphemeral").unwrap().bool(true).unwrap();
    e.str("supportedProtocolVersions")
        .unwrap()
        .array(1)
        .unwrap()
        .str("1")
        .unwrap();
    let decoded = Message::decode(&e.into_writer()).expect("decodes");
    assert_eq!(
        decoded,
        Message::Join {
            sender_id: pid("peer-js"),
            supported_protocol_versions: vec!["1".into()],
            metadata: Some(PeerMetadata {
                storage_id: None,
                is_ephemeral: true
            }),
        }
    );
}

/// The CDDL's `metadata` key and a bare version string are accepted too.
#[test]
fn decodes_a_join_as_the_protocol_text_writes_it() {
    let mut e = Encoder::new(Vec::new());
    e.map(4).unwrap();
    e.str("type").unwrap().str("join").unwrap();
    e.str("senderId").unwrap().str("p").unwrap();
    e.str("supportedProtocolVersions")
        .unwrap()
        .str("1")
        .unwrap();
    e.str("metadata").unwrap().map(1).unwrap();
    e.str("isEphemeral").unwrap().bool(false).unwrap();
    let Ok(Message::Join {
        metadata,
        supported_protocol_versions,
        ..
    }) = Message::decode(&e.into_writer())
    else {
        panic!("not a join");
    };
    assert_eq!(supported_protocol_versions, vec!["1".to_owned()]);
    assert_eq!(metadata, Some(PeerMetadata::default()));
}

#[test]
fn integers_sent_as_floats_are_accepted_and_fractions_refused() {
    let ephemeral = |count: f64| {
        let mut e = Encoder::new(Vec::new());
        e.map(7).unwrap();
        e.str("type").unwrap().str("ephemeral").unwrap();
        e.str("senderId").unwrap().str("a").unwrap();
        e.str("targetId").unwrap().str("s").unwrap();
        e.str("documentId")
            .unwrap()
            .str(&doc().to_string())
            .unwrap();
        e.str("count").unwrap().f64(count).unwrap();
        e.str("sessionId").unwrap().str("x").unwrap();
        e.str("data").unwrap().bytes(&[1]).unwrap();
        Message::decode(&e.into_writer())
    };
    assert!(matches!(
        ephemeral(3.0),
        Ok(Message::Ephemeral { count: 3, .. })
    ));
    assert_eq!(ephemeral(3.5), Err(DecodeError::BadField("count")));
}

#[test]
fn bad_input_names_what_is_wrong() {
    assert_eq!(Message::decode(&[0xf6]), Err(DecodeError::NotAMap));
    assert_eq!(Message::decode(&[]), Err(DecodeError::Malformed));
    assert_eq!(Message::decode(&[0xa0]), Err(DecodeError::MissingType));
    let mut e = Encoder::new(Vec::new());
    e.map(1)
        .unwrap()
        .str("type")
        .unwrap()
        .str("teleport")
        .unwrap();
    assert_eq!(
        Message::decode(&e.into_writer()),
        Err(DecodeError::UnknownType("teleport".into()))
    );
    let mut e = Encoder::new(Vec::new());
    e.map(5).unwrap();
    e.str("type").unwrap().str("sync").unwrap();
    e.str("senderId").unwrap().str("a").unwrap();
    e.str("targetId").unwrap().str("s").unwrap();
    e.str("documentId").unwrap().str("not-an-id").unwrap();
    e.str("data").unwrap().bytes(&[]).unwrap();
    assert_eq!(
        Message::decode(&e.into_writer()),
        Err(DecodeError::BadDocumentId("not-an-id".into()))
    );
    let mut trailing = every_message()[3].encode();
    trailing.push(0);
    assert_eq!(Message::decode(&trailing), Err(DecodeError::TrailingBytes));
}

#[test]
fn deep_nesting_is_refused_without_recursing_far() {
    let mut bytes = vec![0x81; 10_000];
    bytes.push(0x00);
    assert_eq!(Message::decode(&bytes), Err(DecodeError::TooDeep));
    // A map that declares more entries than any message has.
    assert_eq!(
        Message::decode(&[0xbb, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
        Err(DecodeError::TooLong)
    );
}

proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Message::decode(&bytes);
    }

    #[test]
    fn flipping_a_byte_of_a_valid_message_never_panics(index in 0usize..64, value in any::<u8>()) {
        for message in every_message() {
            let mut bytes = message.encode();
            let i = index % bytes.len();
            bytes[i] = value;
            let _ = Message::decode(&bytes);
        }
    }
}
