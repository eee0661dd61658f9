//! Customer signatures: only on a resolved incident, bound to the heads at
//! signing, and what came after them, including what a merge brings in.

use super::*;
use crate::model::signature::SignerName;
use automerge::AutomergeError;

fn blob(n: u8) -> BlobHash {
    format!("{n:02x}").repeat(32).parse().expect("a hash")
}

fn name(text: &str) -> SignerName {
    SignerName::parse(text).expect("a name")
}

/// An incident on device 1, worked to Resolved at times 1 to 4.
fn resolved() -> Automerge {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let assign = Command::Assign {
        group: "Field service".into(),
        assignee: None,
    };
    perform(&mut doc, assign, Stamp::at(2)).expect("assign");
    perform(&mut doc, Command::StartWork, Stamp::at(3)).expect("start");
    let resolve = Command::Resolve {
        code: "fixed".into(),
        notes: "Cleared the tray".into(),
    };
    perform(&mut doc, resolve, Stamp::at(4)).expect("resolve");
    doc
}

fn changes_after(doc: &Automerge) -> Vec<ChangeAfterSigning> {
    let now = read(doc).expect("read");
    let signature = now.signatures.last().expect("a signature").clone();
    changed_after_signing(doc, &now, &signature).expect("the signed version")
}

#[test]
fn a_signature_reads_back_with_its_signer_time_device_and_the_heads_it_covers() {
    let mut doc = resolved();
    let heads = doc.get_heads();

    let signature = sign(&mut doc, blob(0x51), &name("  Ana Ruiz "), Stamp::at(9)).expect("sign");

    let expected = Signature {
        blob: blob(0x51),
        signer: "Ana Ruiz".into(),
        at_ms: 9,
        device: hex(1),
        heads: heads.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(signature, expected);
    assert_eq!(read(&doc).expect("read").signatures, vec![expected.clone()]);
    let loaded = Automerge::load(&doc.save()).expect("load");
    assert_eq!(read(&loaded).expect("read").signatures, vec![expected]);
    assert_eq!(changes_after(&doc), vec![], "nothing changed since");
}

#[test]
fn only_a_resolved_incident_is_signed_and_a_refusal_writes_nothing() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let heads = doc.get_heads();

    let refused = sign(&mut doc, blob(1), &name("Ana"), Stamp::at(2)).expect_err("refused");

    assert!(matches!(refused, SignError::Refused(_)));
    assert_eq!(
        refused.to_string(),
        "a customer signs a resolved incident; this one is New"
    );
    assert_eq!(doc.get_heads(), heads, "nothing written");
}

#[test]
fn saving_the_same_signature_again_changes_nothing() {
    let mut doc = resolved();
    let first = sign(&mut doc, blob(2), &name("Ana"), Stamp::at(5)).expect("sign");
    let heads = doc.get_heads();

    let again = sign(&mut doc, blob(2), &name("Ana"), Stamp::at(6)).expect("again");

    assert_eq!(again, first);
    assert_eq!(doc.get_heads(), heads);
    assert_eq!(read(&doc).expect("read").signatures.len(), 1);
}

#[test]
fn edits_notes_and_photos_after_signing_are_listed_and_the_reference_is_not() {
    let mut doc = resolved();
    sign(&mut doc, blob(3), &name("Ana"), Stamp::at(5)).expect("sign");

    set_reference(&mut doc, "INC-000042", 6).expect("reference");
    assert_eq!(
        changes_after(&doc),
        vec![],
        "the server's reference is not content"
    );

    let retitled = Title::parse("Printer jam, tray 3 and 4").expect("title");
    edit(&mut doc, &Edit::Title(retitled), Stamp::at(7)).expect("edit");
    perform(
        &mut doc,
        Command::AddNote {
            text: "Customer asked for a spare roller".into(),
        },
        Stamp::at(8),
    )
    .expect("note");
    attach_photo(&mut doc, blob(4), "after", Stamp::at(9)).expect("photo");

    let changes = changes_after(&doc);
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert_eq!(
        changes[0],
        ChangeAfterSigning::Title {
            signed: "Printer jam on floor 2".into(),
            now: Contested::single("Printer jam, tray 3 and 4".into()),
        }
    );
    assert!(matches!(
        &changes[1],
        ChangeAfterSigning::Event(Event { kind: EventKind::WorkNote { text }, at_ms: 8, .. })
            if text == "Customer asked for a spare roller"
    ));
    assert!(matches!(&changes[2], ChangeAfterSigning::Photo(a) if a.blob == blob(4)));
}

#[test]
fn an_edit_made_apart_and_merged_after_signing_shows_as_changed_after_signing() {
    // 1. Both tablets have the resolved incident.
    let mut a = resolved();
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));

    // 2. Apart: the customer signs on A; on B a colleague changes the urgency
    //    and adds a note, never having seen the signature.
    sign(&mut a, blob(5), &name("Ana"), Stamp::at(10)).expect("sign");
    edit(
        &mut b,
        &Edit::Urgency(Urgency::parse(4).expect("urgency")),
        Stamp::at(11),
    )
    .expect("edit");
    perform(
        &mut b,
        Command::AddNote {
            text: "Spare part ordered".into(),
        },
        Stamp::at(12),
    )
    .expect("note");

    // 3. They meet, in either order: both see the signature and that the
    //    urgency, its priority change and the note came after it.
    let mut ab = a.fork();
    ab.merge(&mut b.clone()).expect("merge");
    let mut ba = b.fork();
    ba.merge(&mut a.clone()).expect("merge");
    for merged in [&ab, &ba] {
        let changes = changes_after(merged);
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert_eq!(
            changes[0],
            ChangeAfterSigning::Urgency {
                signed: Urgency::parse(1).expect("urgency"),
                now: Contested::single(Urgency::parse(4).expect("urgency")),
            }
        );
        let kinds: Vec<&str> = changes[1..]
            .iter()
            .map(|c| match c {
                ChangeAfterSigning::Event(e) => e.kind.as_str(),
                other => panic!("not an event: {other:?}"),
            })
            .collect();
        assert_eq!(kinds.len(), 2);
        assert!(kinds.contains(&"priorityChanged") && kinds.contains(&"note"));
    }
    assert_eq!(changes_after(&ab), changes_after(&ba));

    // 4. A signature made on each tablet apart: both are kept, each covering its own version.
    let mut c = resolved();
    let mut d = c.fork().with_actor(ActorId::from([3; 16]));
    sign(&mut c, blob(6), &name("Ana"), Stamp::at(20)).expect("sign c");
    sign(&mut d, blob(7), &name("Ben"), Stamp::at(21)).expect("sign d");
    c.merge(&mut d).expect("merge");
    let signers: Vec<String> = read(&c)
        .expect("read")
        .signatures
        .into_iter()
        .map(|s| s.signer)
        .collect();
    assert_eq!(signers, vec!["Ana".to_owned(), "Ben".to_owned()]);
}

#[test]
fn a_signature_whose_heads_cannot_be_read_is_left_out() {
    let mut doc = resolved();
    sign(&mut doc, blob(8), &name("Ana"), Stamp::at(5)).expect("sign");
    doc.transact::<_, _, AutomergeError>(|tx| {
        let list = match tx.get(ROOT, "signatures")? {
            Some((Value::Object(ObjType::List), id)) => id,
            other => panic!("no list: {other:?}"),
        };
        let map = tx.insert_object(&list, 1, ObjType::Map)?;
        tx.put(&map, "blob", blob(9).as_str())?;
        tx.put(&map, "signer", "Forged")?;
        tx.put(&map, "at", 6_i64)?;
        let heads = tx.put_object(&map, "heads", ObjType::List)?;
        tx.insert(&heads, 0, "not-a-hash")
    })
    .expect("write a bad item");
    let signers: Vec<String> = read(&doc)
        .expect("read")
        .signatures
        .into_iter()
        .map(|s| s.signer)
        .collect();
    assert_eq!(signers, vec!["Ana".to_owned()]);
}
