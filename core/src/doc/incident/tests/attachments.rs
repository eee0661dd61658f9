//! Photos attached to an incident: append-only, by blob hash, merging from
//! devices that were apart.

use super::*;
use automerge::AutomergeError;

fn blob(n: u8) -> BlobHash {
    format!("{n:02x}").repeat(32).parse().expect("a hash")
}

fn blobs_of(doc: &Automerge) -> Vec<String> {
    read(doc)
        .expect("read")
        .attachments
        .iter()
        .map(|a| a.blob.to_string())
        .collect()
}

#[test]
fn a_photo_reads_back_with_its_caption_time_and_device() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    assert_eq!(read(&doc).expect("read").attachments, vec![]);

    let added = attach_photo(
        &mut doc,
        blob(0xab),
        "  Tray 3, jammed sheet ",
        Stamp::at(7),
    )
    .expect("attach");
    assert!(added);
    assert_eq!(
        read(&doc).expect("read").attachments,
        vec![Attachment {
            blob: blob(0xab),
            caption: "Tray 3, jammed sheet".into(),
            at_ms: 7,
            device: hex(1),
        }]
    );
    let loaded = Automerge::load(&doc.save()).expect("load");
    assert_eq!(
        read(&loaded).expect("read").attachments,
        read(&doc).expect("read").attachments
    );
}

#[test]
fn attaching_the_same_photo_again_changes_nothing() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    attach_photo(&mut doc, blob(1), "", Stamp::at(2)).expect("attach");
    let heads = doc.get_heads();

    let again = attach_photo(&mut doc, blob(1), "another caption", Stamp::at(3)).expect("attach");

    assert!(!again);
    assert_eq!(doc.get_heads(), heads, "no change was made");
    assert_eq!(blobs_of(&doc), vec![blob(1).to_string()]);
}

#[test]
fn photos_attached_on_two_offline_devices_all_stay_after_merging() {
    let mut a = device(1);
    create(&mut a, &sample(), Stamp::at(1)).expect("create");
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));

    // 1. Apart: tablet A attaches two photos, tablet B one.
    attach_photo(&mut a, blob(0xa1), "meter", Stamp::at(10)).expect("a1");
    attach_photo(&mut a, blob(0xa2), "cabinet", Stamp::at(30)).expect("a2");
    attach_photo(&mut b, blob(0xb1), "label", Stamp::at(20)).expect("b1");

    // 2. They meet, in either order.
    let mut ab = a.fork();
    ab.merge(&mut b.clone()).expect("merge");
    let mut ba = b.fork();
    ba.merge(&mut a.clone()).expect("merge");

    // 3. Both see all three, in the same order (device time), with no conflict.
    let expected: Vec<String> = [0xa1, 0xb1, 0xa2].map(|n| blob(n).to_string()).to_vec();
    assert_eq!(blobs_of(&ab), expected);
    assert_eq!(blobs_of(&ba), expected);
    let seen = read(&ab).expect("read").attachments;
    assert_eq!(seen[1].device, hex(2));
    assert_eq!(seen[1].caption, "label");
    assert!(!read(&ab).expect("read").has_conflicts());
}

#[test]
fn an_incident_from_before_attachments_keeps_every_first_photo_from_two_devices() {
    // An incident written before `attachments` existed: no list at all.
    let mut a = device(1);
    create(&mut a, &sample(), Stamp::at(1)).expect("create");
    a.transact::<_, _, AutomergeError>(|tx| tx.delete(ROOT, "attachments"))
        .expect("remove the list");
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));

    // Each device creates the list with its first photo, apart: two concurrent lists.
    attach_photo(&mut a, blob(1), "from A", Stamp::at(5)).expect("a");
    attach_photo(&mut b, blob(2), "from B", Stamp::at(6)).expect("b");
    a.merge(&mut b.clone()).expect("merge");
    b.merge(&mut a.clone()).expect("merge");

    let expected = vec![blob(1).to_string(), blob(2).to_string()];
    assert_eq!(blobs_of(&a), expected);
    assert_eq!(blobs_of(&b), expected);
    // The next photo joins them, and none is lost.
    attach_photo(&mut a, blob(3), "", Stamp::at(9)).expect("third");
    assert_eq!(blobs_of(&a).len(), 3);
}

#[test]
fn an_attachment_without_a_valid_hash_is_left_out() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    attach_photo(&mut doc, blob(4), "", Stamp::at(2)).expect("attach");
    doc.transact::<_, _, AutomergeError>(|tx| {
        let list = match tx.get(ROOT, "attachments")? {
            Some((Value::Object(ObjType::List), id)) => id,
            other => panic!("no list: {other:?}"),
        };
        let map = tx.insert_object(&list, 1, ObjType::Map)?;
        tx.put(&map, "type", "photo")?;
        tx.put(&map, "blob", "not-a-hash")?;
        tx.put(&map, "at", 3_i64)
    })
    .expect("write a bad item");
    assert_eq!(blobs_of(&doc), vec![blob(4).to_string()]);
}
