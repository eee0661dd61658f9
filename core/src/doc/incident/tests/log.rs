//! The stored form of the event log: every kind round-trips; unknown fields,
//! unknown kinds and broken known kinds read as documented in `events.rs`.

use super::*;

fn every_kind() -> Vec<EventKind> {
    vec![
        EventKind::Assigned {
            group: "Desk".into(),
            assignee: Some("Ana".into()),
        },
        EventKind::Assigned {
            group: "Desk".into(),
            assignee: None,
        },
        EventKind::WorkStarted,
        EventKind::Held {
            reason: HoldReason::AwaitingProblem,
        },
        EventKind::Resumed,
        EventKind::Resolved {
            code: "fixed".into(),
            notes: "Rebooted".into(),
        },
        EventKind::Closed {
            closure: Closure::Confirmed {
                by: "Caller".into(),
            },
        },
        EventKind::Closed {
            closure: Closure::AutoClosed { after_ms: 42 },
        },
        EventKind::Reopened {
            reason: "again".into(),
        },
        EventKind::Cancelled {
            reason: "duplicate".into(),
        },
        EventKind::MajorDeclared {
            reason: "site down".into(),
        },
        EventKind::MajorReviewed {
            notes: "done".into(),
        },
        EventKind::PriorityChanged {
            impact: Impact::parse(4).expect("impact"),
            urgency: Urgency::parse(3).expect("urgency"),
            priority: Priority::P4,
        },
        EventKind::WorkNote {
            text: "Called the vendor".into(),
        },
        EventKind::Reconciled {
            events: vec!["x-1-5".into(), "y-2-6".into()],
        },
    ]
}

#[test]
fn every_event_kind_survives_append_save_load_and_read() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let written: Vec<Event> = every_kind()
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event {
            id: format!("{}-{}-{}", hex(1), i + 2, 10 + i),
            kind,
            at_ms: 10 + i as i64,
            device: hex(1),
        })
        .collect();
    for event in &written {
        append_event(&mut doc, event, Stamp::at(event.at_ms)).expect("append");
    }
    let loaded = Automerge::load(&doc.save()).expect("load");
    let read_back = read(&loaded).expect("read").events;
    assert_eq!(read_back[2..], written[..]);
}

#[test]
fn unknown_fields_are_ignored_unknown_types_kept_and_broken_known_types_flagged() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let list = events_list(&doc).expect("events");
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        let raw = |tx: &mut automerge::transaction::Transaction<'_>, i: usize, kind: &str| {
            let map = tx.insert_object(&list, i, ObjType::Map)?;
            tx.put(&map, "id", format!("z-{i}"))?;
            tx.put(&map, "type", kind)?;
            tx.put(&map, "at", 100_i64 + i as i64)?;
            tx.put(&map, "device", "z")?;
            Ok::<_, automerge::AutomergeError>(map)
        };
        let note = raw(tx, 2, "note")?;
        tx.put(&note, "text", "hello")?;
        tx.put(&note, "mood", "cheerful")?;
        raw(tx, 3, "teleported")?;
        let resolved = raw(tx, 4, "resolved")?;
        tx.put(&resolved, "code", "fixed")?;
        let held = raw(tx, 5, "held")?;
        tx.put(&held, "reason", "lunch")?;
        tx.insert(&list, 6, "not a map")?;
        Ok(())
    })
    .expect("write");
    let kinds: Vec<EventKind> = read(&doc)
        .expect("read")
        .events
        .into_iter()
        .skip(2)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::WorkNote {
                text: "hello".into()
            },
            EventKind::Other("teleported".into()),
            EventKind::Unreadable {
                kind: "resolved".into(),
                field: "notes"
            },
            EventKind::Unreadable {
                kind: "held".into(),
                field: "reason"
            },
        ]
    );
}

#[test]
fn events_of_unknown_kinds_are_not_written() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let other = Event {
        id: "x".into(),
        kind: EventKind::Other("teleported".into()),
        at_ms: 2,
        device: hex(1),
    };
    let error = append_event(&mut doc, &other, Stamp::at(2)).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "this version cannot write a “teleported” event"
    );
}
