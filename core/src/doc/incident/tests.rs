//! The incident document: create, edit, read, merge, and the event log's stored form.

use super::*;
use crate::model::event::{Closure, HoldReason};
use crate::model::incident::Status;
use crate::model::priority::Priority;
use automerge::ActorId;

fn device(n: u8) -> Automerge {
    Automerge::new().with_actor(ActorId::from([n; 16]))
}

fn hex(n: u8) -> String {
    ActorId::from([n; 16]).to_hex_string()
}

fn sample() -> NewIncident {
    NewIncident {
        kind: TicketKind::Incident,
        needs_approval: true,
        site: "north".into(),
        title: Title::parse("Printer jam on floor 2").expect("title"),
        description: "Paper stuck in tray 3".into(),
        impact: Impact::parse(2).expect("impact"),
        urgency: Impact::parse(2).and(Urgency::parse(1)).expect("urgency"),
    }
}

#[test]
fn a_created_incident_reads_back_with_its_priority_and_status() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1_700_000_000_000)).expect("create");
    let incident = read(&doc).expect("read");
    assert_eq!(incident.title.value, "Printer jam on floor 2");
    assert_eq!(incident.description, "Paper stuck in tray 3");
    assert_eq!(incident.priority(), Priority::P1);
    assert_eq!(incident.status(), Status::New);
    assert_eq!(incident.events.len(), 2);
    assert_eq!(incident.events[0].kind, EventKind::Created);
    assert_eq!(
        incident.events[1].kind,
        EventKind::PriorityChanged {
            impact: Impact::parse(2).expect("impact"),
            urgency: Urgency::parse(1).expect("urgency"),
            priority: Priority::P1,
        }
    );
    assert_eq!(
        incident.events[0].device,
        ActorId::from([1; 16]).to_hex_string()
    );
    assert!(!incident.has_conflicts());
}

#[test]
fn survives_save_and_load() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(5)).expect("create");
    edit(
        &mut doc,
        &Edit::Urgency(Urgency::parse(4).expect("u")),
        Stamp::at(6),
    )
    .expect("edit");
    let loaded = Automerge::load(&doc.save()).expect("load");
    assert_eq!(read(&loaded).expect("read"), read(&doc).expect("read"));
    assert_eq!(read(&loaded).expect("read").priority(), Priority::P3);
}

#[test]
fn edits_to_different_fields_on_two_devices_both_survive() {
    let mut a = device(1);
    create(&mut a, &sample(), Stamp::at(1)).expect("create");
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    edit(
        &mut a,
        &Edit::Title(Title::parse("Printer jam, tray 3").expect("t")),
        Stamp::at(2),
    )
    .expect("edit a");
    edit(
        &mut b,
        &Edit::Impact(Impact::parse(4).expect("i")),
        Stamp::at(3),
    )
    .expect("edit b");
    a.merge(&mut b).expect("merge");
    let merged = read(&a).expect("read");
    assert_eq!(merged.title.value, "Printer jam, tray 3");
    assert_eq!(merged.impact.value.level(), 4);
    assert!(!merged.has_conflicts());
}

#[test]
fn concurrent_titles_are_both_shown_until_someone_picks_one() {
    let mut a = device(1);
    create(&mut a, &sample(), Stamp::at(1)).expect("create");
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    edit(
        &mut a,
        &Edit::Title(Title::parse("From tablet A").expect("t")),
        Stamp::at(2),
    )
    .expect("a");
    edit(
        &mut b,
        &Edit::Title(Title::parse("From tablet B").expect("t")),
        Stamp::at(2),
    )
    .expect("b");
    a.merge(&mut b).expect("merge");
    b.merge(&mut a).expect("merge back");
    let seen_a = read(&a).expect("read").title;
    let seen_b = read(&b).expect("read").title;
    assert!(seen_a.is_conflict());
    assert_eq!(
        seen_a, seen_b,
        "both devices show the same values in the same order"
    );
    let mut all: Vec<_> = seen_a.all().cloned().collect();
    all.sort();
    assert_eq!(
        all,
        vec!["From tablet A".to_owned(), "From tablet B".to_owned()]
    );

    // Picking the value that is already shown first still resolves the conflict.
    let pick = Title::parse(&seen_a.value).expect("t");
    edit(&mut a, &Edit::Title(pick), Stamp::at(3)).expect("pick");
    b.merge(&mut a).expect("merge pick");
    let resolved = read(&b).expect("read").title;
    assert!(!resolved.is_conflict());
    assert_eq!(resolved.value, seen_a.value);
}

#[test]
fn concurrent_description_edits_merge_as_text() {
    let mut a = device(1);
    create(&mut a, &sample(), Stamp::at(1)).expect("create");
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    edit(
        &mut a,
        &Edit::Description("Paper stuck in tray 3. Rebooted.".into()),
        Stamp::at(2),
    )
    .expect("a");
    edit(
        &mut b,
        &Edit::Description("Urgent: Paper stuck in tray 3".into()),
        Stamp::at(2),
    )
    .expect("b");
    a.merge(&mut b).expect("merge");
    assert_eq!(
        read(&a).expect("read").description,
        "Urgent: Paper stuck in tray 3. Rebooted."
    );
}

#[test]
fn writing_the_same_value_again_makes_no_change() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let heads = doc.get_heads();
    edit(
        &mut doc,
        &Edit::Title(Title::parse("Printer jam on floor 2").expect("t")),
        Stamp::at(2),
    )
    .expect("edit");
    assert_eq!(doc.get_heads(), heads);
}

#[test]
fn a_document_from_a_newer_schema_is_refused_not_misread() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "schema", 99u64))
        .expect("write");
    assert_eq!(read(&doc), Err(ReadError::NewerSchema(99)));
}

#[test]
fn perform_checks_the_guard_then_appends() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1_000)).expect("create");
    let refused = perform(&mut doc, Command::StartWork, Stamp::at(2_000)).expect_err("refused");
    assert_eq!(
        refused.to_string(),
        "Start work is not possible while the incident is New"
    );
    assert_eq!(read(&doc).expect("read").events.len(), 2, "nothing written");

    let assign = Command::Assign {
        group: "Desk".into(),
        assignee: None,
    };
    let event = perform(&mut doc, assign, Stamp::at(3_000)).expect("assigned");
    assert_eq!(event.device, hex(1));
    assert_eq!(event.id, format!("{}-2-3000", hex(1)));
    perform(&mut doc, Command::StartWork, Stamp::at(4_000)).expect("started");
    let incident = read(&doc).expect("read");
    assert_eq!(incident.status(), Status::InProgress);
    assert_eq!(incident.events[2], event);
}

#[test]
fn a_priority_change_event_also_sets_impact_and_urgency() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let change = Command::change_priority(
        &crate::model::priority::PriorityMatrix::standard(),
        Impact::parse(4).expect("impact"),
        Urgency::parse(4).expect("urgency"),
    );
    perform(&mut doc, change, Stamp::at(2)).expect("changed");
    let incident = read(&doc).expect("read");
    assert_eq!(incident.priority(), Priority::P4);
    assert_eq!(incident.impact.value.level(), 4);
}

#[test]
fn editing_impact_or_urgency_records_a_priority_change() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    edit(
        &mut doc,
        &Edit::Urgency(Urgency::parse(4).expect("u")),
        Stamp::at(5),
    )
    .expect("edit");
    edit(
        &mut doc,
        &Edit::Title(Title::parse("Jam").expect("t")),
        Stamp::at(6),
    )
    .expect("edit");
    let events = read(&doc).expect("read").events;
    assert_eq!(events.len(), 3, "the title edit adds no event");
    assert_eq!(
        events[2].kind,
        EventKind::PriorityChanged {
            impact: Impact::parse(2).expect("impact"),
            urgency: Urgency::parse(4).expect("urgency"),
            priority: Priority::P3,
        }
    );
    assert_eq!(events[2].at_ms, 5);
}

#[test]
fn confirmed_event_ids_are_those_under_the_acknowledged_heads() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    let acknowledged = doc.get_heads();
    let assign = Command::Assign {
        group: "Desk".into(),
        assignee: None,
    };
    let pending = perform(&mut doc, assign, Stamp::at(2)).expect("assigned");
    let confirmed = confirmed_event_ids(&doc, &acknowledged).expect("heads");
    let all: BTreeSet<String> = read(&doc)
        .expect("read")
        .events
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(confirmed.len(), 2);
    assert!(!confirmed.contains(&pending.id));
    assert!(confirmed.is_subset(&all));
    assert_eq!(confirmed_event_ids(&doc, &[]), Ok(BTreeSet::new()));

    let stranger = {
        let mut other = device(9);
        create(&mut other, &sample(), Stamp::at(1)).expect("create");
        other.get_heads()
    };
    assert_eq!(
        confirmed_event_ids(&doc, &stranger),
        Err(ReadError::UnknownHeads)
    );
}

mod as_at;
mod attachments;
mod log;
mod signatures;

#[test]
fn description_edits_with_multibyte_text_read_back_exactly() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1)).expect("create");
    for (n, text) in [
        "Café ☕ open",
        "Café ☕ closed now",
        "Zürich: café ☕ closed now 🚪",
        "",
        "x".repeat(200_000).as_str(),
        "short again, ünïcode",
    ]
    .into_iter()
    .enumerate()
    {
        edit(
            &mut doc,
            &Edit::Description(text.to_owned()),
            Stamp::at(2 + n as i64),
        )
        .expect("edit");
        assert_eq!(read(&doc).expect("read").description, text);
        let reloaded = Automerge::load(&doc.save()).expect("load");
        assert_eq!(read(&reloaded).expect("read").description, text);
    }
}

#[test]
fn a_service_request_that_needs_approval_waits_and_a_managers_device_approves_it() {
    use crate::model::access::Role;
    let mut technician = device(1);
    let new = NewIncident {
        kind: TicketKind::ServiceRequest,
        title: Title::parse("New laptop for Ana").expect("title"),
        ..sample()
    };
    create(&mut technician, &new, Stamp::at(1_700_000_000_000)).expect("create");
    let request = read(&technician).expect("read");
    assert_eq!(request.kind, TicketKind::ServiceRequest);
    assert_eq!(
        crate::doc::kind_of(&technician).as_deref(),
        Some("service-request")
    );
    assert_eq!(request.status(), Status::AwaitingApproval);
    assert_eq!(request.events[2].kind, EventKind::ApprovalRequested);

    let mut manager = device(2);
    manager.merge(&mut technician.clone()).expect("merge");
    let refused = perform(
        &mut manager.clone(),
        Command::Approve {
            by: "Tom".into(),
            role: Role::Technician,
        },
        Stamp::at(1_700_000_060_000),
    )
    .expect_err("a technician does not approve");
    assert_eq!(
        refused.to_string(),
        "a service request is approved or refused by a manager, not by a technician"
    );
    perform(
        &mut manager,
        Command::Approve {
            by: "Mia Manager".into(),
            role: Role::Manager,
        },
        Stamp::at(1_700_000_060_000),
    )
    .expect("approved");
    technician.merge(&mut manager).expect("merge");
    let approved = read(&technician).expect("read");
    assert_eq!(approved.status(), Status::New);
    assert_eq!(
        approved.events.last().map(|e| e.kind.clone()),
        Some(EventKind::Approved {
            by: "Mia Manager".into(),
            role: Role::Manager
        }),
        "the approval and the approver's role read back"
    );
    set_reference(&mut technician, "REQ-000001", 1_700_000_120_000).expect("reference");
    assert_eq!(
        read(&technician).expect("read").reference.as_deref(),
        Some("REQ-000001")
    );
}

#[test]
fn an_incident_never_waits_for_approval_and_a_request_may_not_need_one() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1_700_000_000_000)).expect("create");
    assert_eq!(read(&doc).expect("read").status(), Status::New);
    let mut request = device(2);
    let new = NewIncident {
        kind: TicketKind::ServiceRequest,
        needs_approval: false,
        ..sample()
    };
    create(&mut request, &new, Stamp::at(1_700_000_000_000)).expect("create");
    let read_back = read(&request).expect("read");
    assert_eq!(read_back.kind, TicketKind::ServiceRequest);
    assert_eq!(read_back.status(), Status::New);
}

#[test]
fn the_clocks_take_the_priority_the_incidents_matrix_gives_not_the_one_an_event_states() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1_700_000_000_000)).expect("create");
    // A device writes impact 1 × urgency 1 and claims it is P4 (laxer targets).
    let forged = Event {
        id: "forged-1".into(),
        kind: EventKind::PriorityChanged {
            impact: Impact::parse(1).expect("impact"),
            urgency: Urgency::parse(1).expect("urgency"),
            priority: Priority::P4,
        },
        at_ms: 1_700_000_060_000,
        device: hex(1),
    };
    append_event(&mut doc, &forged, Stamp::at(1_700_000_060_000)).expect("append");
    let incident = read(&doc).expect("read");
    assert_eq!(incident.priority(), Priority::P1);
    let sla = incident.sla(1_700_000_120_000, |_| true);
    assert_eq!(sla.resolution.priority, Priority::P1);
    assert_eq!(sla.first_response.priority, Priority::P1);
    let p1 = incident.levels().policy.targets(Priority::P1);
    assert_eq!(
        sla.resolution.target_ms,
        i64::from(p1.resolution_minutes.get()) * 60_000
    );
}

#[test]
fn the_clocks_count_the_priority_the_incident_shows_whatever_impact_an_event_states() {
    let mut doc = device(1);
    create(&mut doc, &sample(), Stamp::at(1_700_000_000_000)).expect("create");
    // An honest change first: impact 4 × urgency 1 is P3 under the standard matrix.
    edit(
        &mut doc,
        &Edit::Impact(Impact::parse(4).expect("impact")),
        Stamp::at(1_700_000_010_000),
    )
    .expect("edit");
    // Then a device writes an event saying impact 4 × urgency 4 (P4) but puts
    // the fields everyone sees back to 1 × 1 (P1).
    let lax = Event {
        id: "lax-1".into(),
        kind: EventKind::PriorityChanged {
            impact: Impact::parse(4).expect("impact"),
            urgency: Urgency::parse(4).expect("urgency"),
            priority: Priority::P4,
        },
        at_ms: 1_700_000_060_000,
        device: hex(1),
    };
    append_event(&mut doc, &lax, Stamp::at(1_700_000_060_000)).expect("append");
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "impact", 1_i64)?;
        tx.put(ROOT, "urgency", 1_i64)
    })
    .expect("fields");
    let incident = read(&doc).expect("read");
    assert_eq!(incident.priority(), Priority::P1, "what the incident shows");
    let sla = incident.sla(1_700_000_120_000, |_| true);
    assert_eq!(
        sla.resolution.priority,
        Priority::P1,
        "what the clocks count"
    );
    let counted: Vec<Priority> = incident
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::PriorityChanged { priority, .. } => Some(priority),
            _ => None,
        })
        .collect();
    assert_eq!(
        counted,
        [Priority::P1, Priority::P3, Priority::P1],
        "earlier changes count with the matrix's priority, the latest with the one shown"
    );
}
