//! The fuzz targets of `fuzz/`, on stable. Each target's body (`fuzz/src/lib.rs`,
//! included here) runs over its seed corpus `fuzz/corpus/<target>/` and over a few
//! thousand generated inputs, so CI exercises the same checks as `cargo fuzz`
//! without nightly. What the fuzzer finds is kept at the end as named regression
//! tests.
//!
//! The seed corpus is what [`seeds`] makes: every kind of message as this crate
//! encodes it and as the JavaScript client writes it, real sync conversations, and
//! hostile bytes. To rewrite it after changing [`seeds`]:
//! `cargo test -p fieldbook-core --test fuzz_smoke seed_corpus_is_on_disk (with FIELDBOOK_WRITE_SEEDS=1)`.

#[path = "../../fuzz/src/lib.rs"]
mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use automerge::sync::{ChunkList, Message as SyncMessage, MessageVersion};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Automerge, ObjType, ROOT};
use fieldbook_core::ids::{DocumentId, PeerId};
use fieldbook_core::sync::{DocSync, SyncError};
use fieldbook_core::wire::{Message, PeerMetadata, RemoteHeads};
use minicbor::Encoder;
use proptest::prelude::*;

/// Where `cargo fuzz` keeps the corpus of `target`.
fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

/// Every file of `target`'s corpus, by name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut entries: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes =
                std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            (name, bytes)
        })
        .collect();
    entries.sort();
    entries
}

/// Runs `target`'s body on `input`, naming the input if it panics.
fn run(target: &str, body: fn(&[u8]), what: &str, input: &[u8]) {
    if catch_unwind(AssertUnwindSafe(|| body(input))).is_err() {
        panic!("fuzz target {target} panicked on {what}: {input:02x?}");
    }
}

fn body(target: &str) -> fn(&[u8]) {
    targets::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, body)| *body)
        .expect("a fuzz target")
}

#[test]
fn every_target_runs_clean_over_its_corpus() {
    for (target, body) in targets::TARGETS {
        let entries = corpus(target);
        let seeds = entries
            .iter()
            .filter(|(n, _)| n.starts_with("seed-"))
            .count();
        assert!(
            seeds >= 10,
            "{target} has {seeds} seeds in {}",
            corpus_dir(target).display()
        );
        for (name, bytes) in &entries {
            run(target, body, name, bytes);
        }
    }
}

#[test]
fn every_target_runs_clean_over_the_seeds_it_was_given() {
    // The seeds as this build makes them: covers a corpus written by an older build.
    for (target, name, bytes) in seeds() {
        run(target, body(target), &name, &bytes);
    }
}

/// Every target has seeds on disk for `cargo fuzz` to start from. With
/// `FIELDBOOK_WRITE_SEEDS=1` it first rewrites `fuzz/corpus/<target>/seed-<name>`
/// from [`seeds`] (do that after changing the seeds).
#[test]
fn seed_corpus_is_on_disk() {
    if std::env::var_os("FIELDBOOK_WRITE_SEEDS").is_some() {
        write_seed_corpus();
    }
    for (target, _) in targets::TARGETS {
        let seeds = corpus(target)
            .into_iter()
            .filter(|(name, _)| name.starts_with("seed-"))
            .count();
        assert!(
            seeds > 0,
            "no seeds for {target}: run with FIELDBOOK_WRITE_SEEDS=1"
        );
    }
}

fn write_seed_corpus() {
    for (target, _) in targets::TARGETS {
        let dir = corpus_dir(target);
        std::fs::create_dir_all(&dir).expect("create the corpus directory");
        for (name, _) in corpus(target) {
            if name.starts_with("seed-") {
                std::fs::remove_file(dir.join(name)).expect("remove an old seed");
            }
        }
    }
    for (target, name, bytes) in seeds() {
        let path = corpus_dir(target).join(format!("seed-{name}"));
        std::fs::write(&path, bytes).expect("write a seed");
    }
}

/// The seeds, made once for all generated cases.
static WIRE_SEEDS: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(wire_seeds);
static SYNC_SEEDS: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(sync_seeds);
static BUNDLE_SEEDS: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(bundle_seeds);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn wire_decode_survives_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        targets::wire_decode(&bytes);
    }

    #[test]
    fn wire_decode_survives_mutated_seeds(seed in any::<prop::sample::Index>(), edits in edits()) {
        let seeds = &*WIRE_SEEDS;
        let (_, bytes) = &seeds[seed.index(seeds.len())];
        targets::wire_decode(&mutate(bytes, &edits));
    }

}

proptest! {
    // Automerge is slow in debug builds: fewer cases than for the wire.
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn sync_receive_survives_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        targets::sync_receive(&bytes);
    }

    #[test]
    fn sync_receive_survives_mutated_seeds(seed in any::<prop::sample::Index>(), edits in edits()) {
        let seeds = &*SYNC_SEEDS;
        let (_, bytes) = &seeds[seed.index(seeds.len())];
        targets::sync_receive(&mutate(bytes, &edits));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn bundle_decode_survives_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut file = fieldbook_core::bundle::MAGIC.to_vec();
        file.extend_from_slice(&bytes);
        targets::bundle_decode(&file);
    }

    #[test]
    fn bundle_decode_survives_mutated_seeds(seed in any::<prop::sample::Index>(), edits in edits()) {
        let seeds = &*BUNDLE_SEEDS;
        let (_, bytes) = &seeds[seed.index(seeds.len())];
        targets::bundle_decode(&mutate(bytes, &edits));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Real conversations about random edits, each message also with a byte flipped.
    #[test]
    fn sync_receive_survives_real_conversations(
        puts in proptest::collection::vec(("[a-d]", any::<i64>()), 1..6),
        inserts in proptest::collection::vec("[a-z]{0,8}", 0..6),
        flip in any::<(prop::sample::Index, u8)>(),
    ) {
        let mut peer = peer_of_small_document();
        edit(&mut peer, |tx| {
            for (key, value) in &puts {
                tx.put(ROOT, key.as_str(), *value)?;
            }
            let list = tx.put_object(ROOT, "notes", ObjType::List)?;
            for (i, text) in inserts.iter().enumerate() {
                tx.insert(&list, i, text.as_str())?;
            }
            Ok(())
        });
        for message in conversation(peer) {
            targets::sync_receive(&message);
            let mut flipped = message.clone();
            let i = flip.0.index(flipped.len());
            flipped[i] ^= flip.1 | 1;
            targets::sync_receive(&flipped);
        }
    }
}

/// One change to the input: where (an index into it) and what.
#[derive(Debug, Clone)]
enum Edit {
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Remove(prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<prop::sample::Index>().prop_map(Edit::Remove),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ];
    proptest::collection::vec(edit, 1..4)
}

fn mutate(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    for edit in edits {
        if bytes.is_empty() {
            bytes.push(0);
        }
        match edit {
            Edit::Flip(i, b) => {
                let i = i.index(bytes.len());
                bytes[i] ^= b | 1;
            }
            Edit::Insert(i, b) => {
                let i = i.index(bytes.len() + 1);
                bytes.insert(i, *b);
            }
            Edit::Remove(i) => {
                let i = i.index(bytes.len());
                bytes.remove(i);
            }
            Edit::Truncate(i) => {
                let i = i.index(bytes.len());
                bytes.truncate(i);
            }
        }
    }
    bytes
}

/// The seed corpus: `(target, name, bytes)`.
fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let wire = wire_seeds()
        .into_iter()
        .map(|(name, bytes)| ("wire_decode", name, bytes));
    let sync = sync_seeds()
        .into_iter()
        .map(|(name, bytes)| ("sync_receive", name, bytes));
    let bundle = bundle_seeds()
        .into_iter()
        .map(|(name, bytes)| ("bundle_decode", name, bytes));
    wire.chain(sync).chain(bundle).collect()
}

/// Audit exports: a small real one in each shape (with and without pictures, a
/// record of each kind), and hostile ones.
fn bundle_seeds() -> Vec<(String, Vec<u8>)> {
    use fieldbook_core::bundle::{encode_as_version, Blob, Bundle, Document, Manifest, MAGIC};
    use fieldbook_core::model::access::RecordKind;
    let record = |kind: &str, site: &str| {
        let mut doc = Automerge::new().with_actor(ActorId::from([0xb0; 16]));
        doc.transact_with::<_, _, automerge::AutomergeError, _>(
            |_| CommitOptions::default().with_time(0),
            |tx| {
                tx.put(ROOT, "kind", kind)?;
                tx.put(ROOT, "schema", 1_i64)?;
                tx.put(ROOT, "site", site)?;
                Ok(())
            },
        )
        .expect("a record");
        doc.save()
    };
    let audit_id = DocumentId::from_bytes([1; 16]);
    let picture = Blob::new(vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3], "image/jpeg");
    let bundle = |kinds: &[RecordKind], blobs: Vec<Blob>| Bundle {
        manifest: Manifest {
            exported_at_ms: 1_764_000_000_000,
            exported_by: "Ada Auditor".into(),
            audit: audit_id,
            title: "Seed audit".into(),
        },
        documents: kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| Document {
                id: DocumentId::from_bytes([i as u8 + 1; 16]),
                kind: *kind,
                save: record(kind.as_str(), "north"),
            })
            .collect(),
        blobs,
    };
    let all = [
        RecordKind::Audit,
        RecordKind::ChecklistRun,
        RecordKind::Finding,
        RecordKind::CorrectiveAction,
    ];
    let full = bundle(&all, vec![picture.clone()]);
    let mut mismatched = full.clone();
    mismatched.blobs[0].bytes.push(0);
    let mut foreign = full.clone();
    foreign.documents[1].save = record("incident", "north");
    let mut cut = full.encode();
    cut.truncate(cut.len() / 2);
    vec![
        ("audit-only".into(), bundle(&all[..1], vec![]).encode()),
        ("full".into(), full.encode()),
        (
            "two-pictures".into(),
            bundle(
                &all,
                vec![
                    picture,
                    Blob::new(vec![0x89, b'P', b'N', b'G'], "image/png"),
                ],
            )
            .encode(),
        ),
        ("newer-format".into(), encode_as_version(&full, 99)),
        ("picture-mismatch".into(), mismatched.encode()),
        ("foreign-kind".into(), foreign.encode()),
        ("no-audit".into(), bundle(&all[1..], vec![]).encode()),
        ("cut-in-half".into(), cut),
        ("header-only".into(), MAGIC.to_vec()),
        ("not-a-bundle".into(), b"%PDF-1.7".to_vec()),
        ("huge-lengths".into(), {
            let mut bytes = MAGIC.to_vec();
            // Version 1, then a map claiming 2^64-1 entries.
            bytes.extend_from_slice(&[0x01, 0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
            bytes
        }),
    ]
}

fn pid(s: &str) -> PeerId {
    PeerId::parse(s).expect("peer id")
}

fn doc_id() -> DocumentId {
    DocumentId::from_bytes([0xab; 16])
}

/// Protocol messages: every kind as encoded here, as the JavaScript client writes
/// them, and hostile ones.
fn wire_seeds() -> Vec<(String, Vec<u8>)> {
    let sync_data = conversation(peer_with_a_change())
        .pop()
        .expect("a conversation");
    let meta = Some(PeerMetadata {
        storage_id: Some("storage-1".into()),
        is_ephemeral: false,
    });
    let encoded = [
        Message::Join {
            sender_id: pid("device-1"),
            supported_protocol_versions: vec!["1".into()],
            metadata: meta.clone(),
        },
        Message::Peer {
            sender_id: pid("server"),
            target_id: pid("device-1"),
            selected_protocol_version: "1".into(),
            metadata: meta,
        },
        Message::Leave {
            sender_id: pid("device-1"),
        },
        Message::Request {
            sender_id: pid("device-1"),
            target_id: pid("server"),
            document_id: doc_id(),
            data: sync_data.clone(),
        },
        Message::Sync {
            sender_id: pid("device-1"),
            target_id: pid("server"),
            document_id: doc_id(),
            data: sync_data,
        },
        Message::DocUnavailable {
            sender_id: pid("server"),
            target_id: pid("device-1"),
            document_id: doc_id(),
        },
        Message::Ephemeral {
            sender_id: pid("device-1"),
            target_id: pid("server"),
            document_id: doc_id(),
            count: 7,
            session_id: "cursor".into(),
            data: vec![0xa0],
        },
        Message::Error {
            message: "the connection is closed".into(),
        },
        Message::RemoteSubscriptionChange {
            sender_id: pid("device-1"),
            target_id: pid("server"),
            add: vec!["storage-2".into()],
            remove: vec![],
        },
        Message::RemoteHeadsChanged {
            sender_id: pid("device-1"),
            target_id: pid("server"),
            document_id: doc_id(),
            new_heads: vec![(
                "storage-1".into(),
                RemoteHeads {
                    heads: vec!["00ff".into()],
                    timestamp: 1_700_000_000_000,
                },
            )],
        },
    ];
    let mut seeds: Vec<(String, Vec<u8>)> = encoded
        .iter()
        .map(|m| (m.kind().to_owned(), m.encode()))
        .collect();
    seeds.extend(javascript_quirks());
    let mut trailing = seeds[0].1.clone();
    trailing.push(0);
    let truncated = seeds[4].1[..seeds[4].1.len() / 2].to_vec();
    let mut deep = vec![0x81; 64];
    deep.push(0);
    seeds.extend([
        ("lone-null".to_owned(), vec![0xf6]),
        ("empty".to_owned(), vec![]),
        ("empty-map".to_owned(), vec![0xa0]),
        ("unknown-type".to_owned(), cbor_map(&[("type", "teleport")])),
        ("trailing-byte".to_owned(), trailing),
        ("truncated-sync".to_owned(), truncated),
        ("deep-nesting".to_owned(), deep),
        (
            "huge-declared-map".to_owned(),
            vec![0xbb, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
        ),
        (
            "bad-document-id".to_owned(),
            cbor_map(&[
                ("type", "doc-unavailable"),
                ("senderId", "a"),
                ("targetId", "s"),
                ("documentId", "not-an-id"),
            ]),
        ),
        // A text string that is not UTF-8.
        (
            "invalid-utf8".to_owned(),
            vec![0xa1, 0x64, b't', b'y', b'p', b'e', 0x62, 0xff, 0xfe],
        ),
    ]);
    seeds
}

/// Messages as `@automerge/automerge-repo-network-websocket` 2.x really writes them.
fn javascript_quirks() -> Vec<(String, Vec<u8>)> {
    let mut join = Encoder::new(Vec::new());
    join.map(4).expect("write");
    join.str("type").expect("write").str("join").expect("write");
    join.str("senderId")
        .expect("write")
        .str("peer-js")
        .expect("write");
    join.str("peerMetadata")
        .expect("write")
        .map(2)
        .expect("write");
    join.str("storageId")
        .expect("write")
        .undefined()
        .expect("write");
    join.str("isEphemeral")
        .expect("write")
        .bool(true)
        .expect("write");
    join.str("supportedProtocolVersions")
        .expect("write")
        .array(1)
        .expect("write")
        .str("1")
        .expect("write");

    let mut cddl_join = Encoder::new(Vec::new());
    cddl_join.map(4).expect("write");
    cddl_join
        .str("type")
        .expect("write")
        .str("join")
        .expect("write");
    cddl_join
        .str("senderId")
        .expect("write")
        .str("p")
        .expect("write");
    cddl_join
        .str("supportedProtocolVersions")
        .expect("write")
        .str("1")
        .expect("write");
    cddl_join
        .str("metadata")
        .expect("write")
        .map(1)
        .expect("write");
    cddl_join
        .str("isEphemeral")
        .expect("write")
        .bool(false)
        .expect("write");

    // `count` as a float64, and `data` as a typed array (tag 64).
    let mut ephemeral = Encoder::new(Vec::new());
    ephemeral.map(7).expect("write");
    ephemeral
        .str("type")
        .expect("write")
        .str("ephemeral")
        .expect("write");
    ephemeral
        .str("senderId")
        .expect("write")
        .str("a")
        .expect("write");
    ephemeral
        .str("targetId")
        .expect("write")
        .str("s")
        .expect("write");
    ephemeral
        .str("documentId")
        .expect("write")
        .str(&doc_id().to_string())
        .expect("write");
    ephemeral
        .str("count")
        .expect("write")
        .f64(3.0)
        .expect("write");
    ephemeral
        .str("sessionId")
        .expect("write")
        .str("x")
        .expect("write");
    ephemeral
        .str("data")
        .expect("write")
        .tag(minicbor::data::Tag::new(64))
        .expect("write")
        .bytes(&[1, 2])
        .expect("write");

    // Indefinite-length map and strings.
    let mut indefinite = Encoder::new(Vec::new());
    indefinite.begin_map().expect("write");
    indefinite.str("type").expect("write");
    indefinite.begin_str().expect("write");
    indefinite
        .str("le")
        .expect("write")
        .str("ave")
        .expect("write");
    indefinite.end().expect("write");
    indefinite
        .str("senderId")
        .expect("write")
        .str("a")
        .expect("write");
    indefinite.end().expect("write");

    vec![
        ("js-join".to_owned(), join.into_writer()),
        ("cddl-join".to_owned(), cddl_join.into_writer()),
        ("js-ephemeral".to_owned(), ephemeral.into_writer()),
        ("indefinite-leave".to_owned(), indefinite.into_writer()),
    ]
}

/// A CBOR map of text keys to text values.
fn cbor_map(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    e.map(entries.len() as u64).expect("write");
    for (k, v) in entries {
        e.str(k).expect("write").str(v).expect("write");
    }
    e.into_writer()
}

/// Automerge sync messages for `small_document`: real conversations, a change whose
/// dependency is missing, and hostile ones.
fn sync_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for (name, peer) in [
        ("same-document", targets::small_document()),
        ("one-change", peer_with_a_change()),
        ("unrelated-document", unrelated_document()),
    ] {
        for (i, message) in conversation(peer).into_iter().enumerate() {
            seeds.push((format!("{name}-{i}"), message));
        }
    }

    let mut peer = peer_with_a_change();
    edit(&mut peer, |tx| tx.put(ROOT, "impact", 5_i64));
    let second = peer.get_changes(&[]).last().expect("a change").clone();
    seeds.push((
        "missing-dependency".to_owned(),
        SyncMessage {
            heads: vec![second.hash()],
            need: vec![],
            have: vec![],
            changes: ChunkList::from(vec![second.raw_bytes().to_vec()]),
            flags: None,
            version: MessageVersion::V1,
        }
        .encode(),
    ));
    seeds.push((
        "garbage-change".to_owned(),
        SyncMessage {
            heads: vec![],
            need: vec![],
            have: vec![],
            changes: ChunkList::from(vec![vec![0x85, 0x6f, 0x4a, 0x83, 0xde, 0xad, 0xbe, 0xef]]),
            flags: None,
            version: MessageVersion::V1,
        }
        .encode(),
    ));
    let longest = seeds
        .iter()
        .map(|(_, m)| m.clone())
        .max_by_key(Vec::len)
        .expect("messages");
    seeds.extend([
        ("bloom-without-bits".to_owned(), BLOOM_WITHOUT_BITS.to_vec()),
        ("empty".to_owned(), vec![]),
        ("type-byte-only".to_owned(), vec![0x42]),
        (
            "huge-lengths".to_owned(),
            vec![0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        ),
        ("unknown-type-byte".to_owned(), vec![0x43, 0, 0, 0, 0]),
        (
            "truncated".to_owned(),
            longest[..longest.len() / 2].to_vec(),
        ),
        ("cbor-null".to_owned(), vec![0xf6]),
    ]);
    seeds
}

/// A fork of `small_document` under another actor, as a second device holds it.
fn peer_of_small_document() -> Automerge {
    let mut peer = targets::small_document().fork();
    peer.set_actor(ActorId::from([0x0f; 16]));
    peer
}

fn peer_with_a_change() -> Automerge {
    let mut peer = peer_of_small_document();
    edit(&mut peer, |tx| {
        tx.put(ROOT, "title", "Label printer back online")?;
        let events = tx.put_object(ROOT, "history", ObjType::List)?;
        tx.insert(&events, 0, "resolved")?;
        Ok(())
    });
    peer
}

fn unrelated_document() -> Automerge {
    let mut doc = Automerge::new().with_actor(ActorId::from([0x11; 16]));
    edit(&mut doc, |tx| tx.put(ROOT, "title", "Another incident"));
    doc
}

/// One change at time zero (so it hashes the same every run).
fn edit(
    doc: &mut Automerge,
    f: impl FnOnce(
        &mut automerge::transaction::Transaction<'_>,
    ) -> Result<(), automerge::AutomergeError>,
) {
    doc.transact_with(|_| CommitOptions::default().with_time(0), f)
        .expect("the edit applies");
}

/// The sync messages a peer holding `peer` sends a server holding `small_document`,
/// until neither has more to say: first heads and a bloom filter, then changes.
fn conversation(peer: Automerge) -> Vec<Vec<u8>> {
    let mut peer: DocSync<u8> = DocSync::new(peer);
    let mut server: DocSync<u8> = DocSync::new(targets::small_document());
    peer.connect(0);
    server.connect(1);
    let mut sent = Vec::new();
    for _ in 0..10 {
        let mut quiet = true;
        if let Some(message) = peer.generate_for(&0) {
            quiet = false;
            server.receive(&1, &message).expect("a valid message");
            sent.push(message);
        }
        if let Some(message) = server.generate_for(&1) {
            quiet = false;
            peer.receive(&0, &message).expect("a valid message");
        }
        if quiet {
            break;
        }
    }
    sent
}

// Regressions: inputs the fuzzer found that broke a target, each named for the bug.

/// A sync message whose one `have` carries a Bloom filter with an entry but no bits:
/// `0x42`, no heads, no needs, one have (no last-sync heads; filter `01 00 07`: one
/// entry, zero bits per entry, seven probes), no changes.
const BLOOM_WITHOUT_BITS: [u8; 10] = [0x42, 0x00, 0x00, 0x01, 0x00, 0x03, 0x01, 0x00, 0x07, 0x00];

/// Found by `sync_receive` (corpus file `found-bloom-without-bits`): Automerge 0.12
/// accepts such a filter, then divides by zero while generating the reply. Core now
/// refuses the message when it is received.
#[test]
fn regression_a_bloom_filter_without_bits_made_automerge_divide_by_zero() {
    let found = std::fs::read(corpus_dir("sync_receive").join("found-bloom-without-bits"))
        .expect("the input the fuzzer found");
    for input in [found.as_slice(), BLOOM_WITHOUT_BITS.as_slice()] {
        run(
            "sync_receive",
            targets::sync_receive,
            "a filter without bits",
            input,
        );
        let mut sync: DocSync<u8> = DocSync::new(targets::small_document());
        let refused = sync.receive(&1, input);
        assert!(
            matches!(&refused, Err(SyncError::BadMessage(m)) if m.contains("no bits")),
            "{refused:?}"
        );
    }
}

/// The same flaw, the other way: a filter asking for 2³² − 1 probes makes Automerge
/// reserve and fill a vector of that many probes per change while generating the
/// reply: an abort (allocation failure) no unwind boundary can catch. Refused on
/// receipt. (Not a corpus seed: should the check go, running it would exhaust memory.)
#[test]
fn regression_a_bloom_filter_asking_for_billions_of_probes_is_refused_on_receipt() {
    // As above, with filter `01 08 ffffffff0f ff`: one entry, eight bits, 2³² − 1 probes.
    let message = [
        0x42, 0x00, 0x00, 0x01, 0x00, 0x08, 0x01, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0x00,
    ];
    let mut sync: DocSync<u8> = DocSync::new(targets::small_document());
    let refused = sync.receive(&1, &message);
    assert!(
        matches!(&refused, Err(SyncError::BadMessage(m)) if m.contains("4294967295 probes")),
        "{refused:?}"
    );
}
