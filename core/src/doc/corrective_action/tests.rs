//! The corrective-action document: round trip, conflicts, merges.

use super::*;
use crate::model::access::Role;
use crate::model::corrective_action::{CheckResult, Status};
use crate::model::evidence::Evidence;
use crate::model::workflow::UserRef;
use automerge::ActorId;

fn device(n: u8) -> Automerge {
    Automerge::new().with_actor(ActorId::from([n; 16]))
}

fn person(id: &str, role: Role) -> Person {
    Person {
        user_id: id.into(),
        name: format!("{id} name"),
        role,
    }
}

fn sample() -> NewCorrectiveAction {
    NewCorrectiveAction {
        site: "north".into(),
        findings: vec!["finding-doc".into()],
        title: Title::parse("Name an owner for restore tests").unwrap(),
        description: "Assign and schedule monthly restore tests".into(),
        owner: UserRef::from(&person("own", Role::Technician)),
        due: Some("2025-07-31".parse().unwrap()),
        priority: Priority::P2,
        change_needed: false,
    }
}

fn note() -> Vec<Evidence> {
    vec![Evidence::Note {
        text: "Seen".into(),
    }]
}

#[test]
fn an_action_survives_save_and_load_through_its_whole_life() {
    let mut doc = device(1);
    let (owner, manager) = (
        person("own", Role::Technician),
        person("mgr", Role::Manager),
    );
    create(&mut doc, &sample(), &manager, Stamp::at(0)).unwrap();
    edit(&mut doc, &Edit::ChangeNeeded(true), Stamp::at(1)).unwrap();
    let mut at = 1_000;
    let mut go = |doc: &mut Automerge, command, by: &Person| {
        at += 1_000;
        perform(doc, command, by, Stamp::at(at)).unwrap()
    };
    go(&mut doc, Command::Approve, &manager);
    go(&mut doc, Command::Start, &owner);
    let step = go(
        &mut doc,
        Command::AddStep {
            text: "Assign".into(),
        },
        &owner,
    );
    let done = Command::CompleteStep {
        step: step.id,
        evidence: note(),
    };
    go(&mut doc, done, &owner);
    go(
        &mut doc,
        Command::MarkImplemented { evidence: note() },
        &owner,
    );
    let criteria = "Two tests recorded".into();
    let due = "2025-09-30".parse().unwrap();
    go(&mut doc, Command::ScheduleCheck { criteria, due }, &owner);
    let check = Command::CheckEffectiveness {
        result: CheckResult::Effective,
        notes: "Both recorded".into(),
        evidence: note(),
    };
    go(&mut doc, check, &person("aud", Role::Auditor));
    go(&mut doc, Command::Close, &manager);
    let loaded = read(&Automerge::load(&doc.save()).unwrap()).unwrap();
    assert_eq!(loaded, read(&doc).unwrap());
    assert_eq!(loaded.status(), Status::Closed);
    assert!(loaded.change_needed);
    assert_eq!(loaded.derived().standing.findings, vec!["finding-doc"]);
    assert!(loaded
        .events
        .iter()
        .all(|e| !matches!(e.kind, ActionEvent::Unreadable { .. })));
}

#[test]
fn concurrent_owner_changes_are_shown_as_a_conflict() {
    let mut a = device(1);
    let manager = person("mgr", Role::Manager);
    create(&mut a, &sample(), &manager, Stamp::at(0)).unwrap();
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    let to = |id: &str| Command::ChangeOwner(UserRef::from(&person(id, Role::Technician)));
    perform(&mut a, to("ann"), &manager, Stamp::at(10)).unwrap();
    perform(&mut b, to("bob"), &manager, Stamp::at(11)).unwrap();
    a.merge(&mut b).unwrap();
    let merged = read(&a).unwrap();
    assert!(merged.owner.is_conflict());
    assert_eq!(merged.owner.all().count(), 2);
    assert_eq!(merged.events.len(), 4);
}
