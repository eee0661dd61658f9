//! The record as at a point of its history: `history::changes`,
//! `history::heads_through` and `read_at`, also across a merge.

use super::*;
use crate::doc::history::{changes, heads_through};

fn titled(text: &str) -> Edit {
    Edit::Title(Title::parse(text).expect("title"))
}

#[test]
fn each_point_of_the_history_reads_as_the_record_was_then() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1_000)).expect("create");
    edit(&mut doc, &titled("Printer jam, tray 3"), Stamp::at(2_000)).expect("edit");
    edit(&mut doc, &titled("Printer fixed"), Stamp::at(3_000)).expect("edit");

    let history = changes(&doc);
    let described: Vec<(i64, Option<&str>)> = history
        .iter()
        .map(|c| (c.device_time_s, c.message.as_deref()))
        .collect();
    assert_eq!(
        described,
        vec![
            (1, Some("create incident")),
            (2, Some("set title")),
            (3, Some("set title"))
        ]
    );
    assert!(history.iter().all(|c| c.device == hex(1)));

    let titles: Vec<String> = history
        .iter()
        .map(|c| {
            let heads = heads_through(&history, &c.hash).expect("in the history");
            read_at(&doc, &heads).expect("read").title.value
        })
        .collect();
    assert_eq!(
        titles,
        vec![
            "Printer jam on floor 2".to_owned(),
            "Printer jam, tray 3".to_owned(),
            "Printer fixed".to_owned()
        ]
    );
    assert_eq!(
        heads_through(&history, &history[2].hash),
        Some(doc.get_heads())
    );
    // Reading the past changes nothing now.
    assert_eq!(read(&doc).expect("read").title.value, "Printer fixed");
}

#[test]
fn after_a_merge_a_point_covers_every_change_listed_before_it() {
    let mut a = device(1);
    create(&mut a, &sample(), Stamp::at(1_000)).expect("create");
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    edit(&mut a, &titled("Title from A"), Stamp::at(2_000)).expect("a");
    edit(
        &mut b,
        &Edit::Description("Seen from B".into()),
        Stamp::at(3_000),
    )
    .expect("b");
    a.merge(&mut b).expect("merge");

    let history = changes(&a);
    assert_eq!(history.len(), 3);
    // Causal order: the creation first, every change after what it builds on.
    assert_eq!(history[0].message.as_deref(), Some("create incident"));
    for (i, change) in history.iter().enumerate() {
        for dep in &change.deps {
            assert!(
                history[..i].iter().any(|c| c.hash == *dep),
                "{i} before its deps"
            );
        }
    }
    // As at the last change: both branches, so the two heads of the merged document.
    let last = heads_through(&history, &history[2].hash).expect("listed");
    assert_eq!(last, a.get_heads());
    assert_eq!(last.len(), 2);
    // As at the second: one branch only.
    let second = heads_through(&history, &history[1].hash).expect("listed");
    assert_eq!(second, vec![history[1].hash]);
    let then = read_at(&a, &second).expect("read");
    let one_branch = (then.title.value == "Title from A") != (then.description == "Seen from B");
    assert!(one_branch, "exactly one branch is in: {then:?}");
}

#[test]
fn heads_the_document_does_not_hold_are_refused() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let mut other = device(2);
    create(&mut other, &sample(), Stamp::at(1)).expect("create");

    assert_eq!(
        read_at(&doc, &other.get_heads()),
        Err(ReadError::UnknownHeads)
    );
    assert_eq!(read_at(&doc, &[]), Err(ReadError::UnknownHeads));
    assert_eq!(heads_through(&changes(&doc), &other.get_heads()[0]), None);
}
