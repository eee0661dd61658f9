//! The audit document: round trip, merges that keep every event.

use super::*;
use crate::model::access::Role;
use crate::model::audit::Status;
use crate::model::workflow::UserRef;
use automerge::ActorId;

fn device(n: u8) -> Automerge {
    Automerge::new().with_actor(ActorId::from([n; 16]))
}

fn person(id: &str) -> Person {
    Person {
        user_id: id.into(),
        name: format!("{id} name"),
        role: Role::Auditor,
    }
}

fn sample() -> NewAudit {
    NewAudit {
        title: "Continuity, north".into(),
        programme: Some(("programme-doc".into(), "p1".into())),
        planned_for: Some("2025-03-01".parse().unwrap()),
        scope: "Backups and restores".into(),
        criteria: "ISO/IEC 20000-1:2018".into(),
        clauses: vec!["8.7.3".parse().unwrap()],
        sites: vec!["north".into()],
        lead: UserRef::from(&person("lead")),
        auditors: vec![UserRef::from(&person("second"))],
        auditees: vec!["Ops lead".into()],
    }
}

fn declare() -> Command {
    Command::DeclareIndependence {
        statement: "Not involved in operations".into(),
    }
}

#[test]
fn an_audit_survives_save_and_load_to_its_issued_report() {
    let mut doc = device(1);
    let (lead, second) = (person("lead"), person("second"));
    create(&mut doc, &sample(), &lead, Stamp::at(0)).unwrap();
    let mut at = 0;
    let mut go = |doc: &mut Automerge, command, by: &Person| {
        at += 1_000;
        perform(doc, command, by, Stamp::at(at)).unwrap();
    };
    go(&mut doc, declare(), &lead);
    go(&mut doc, declare(), &second);
    go(&mut doc, Command::StartPreparation, &lead);
    go(&mut doc, Command::StartFieldwork, &lead);
    go(&mut doc, Command::LinkRun { run: "run".into() }, &second);
    go(&mut doc, Command::EndFieldwork, &lead);
    edit(
        &mut doc,
        &Edit::Summary("Restores untested".into()),
        Stamp::at(9_000),
    )
    .unwrap();
    edit(
        &mut doc,
        &Edit::Conclusion("Partly effective".into()),
        Stamp::at(9_001),
    )
    .unwrap();
    let to = Edit::Distribution(vec!["Service owner".into(), "Top management".into()]);
    edit(&mut doc, &to, Stamp::at(9_002)).unwrap();
    go(&mut doc, Command::IssueReport, &lead);
    let loaded = read(&Automerge::load(&doc.save()).unwrap()).unwrap();
    assert_eq!(loaded, read(&doc).unwrap());
    assert_eq!(loaded.status(), Status::Issued);
    let report = loaded.derived().standing.report.unwrap();
    assert_eq!(report.distribution.len(), 2);
    assert_eq!(loaded.programme, sample().programme);
    assert_eq!(loaded.derived().standing.auditors.len(), 1);
}

#[test]
fn two_offline_auditors_keep_every_event_and_both_auditees() {
    let mut a = device(1);
    create(&mut a, &sample(), &person("lead"), Stamp::at(0)).unwrap();
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    perform(&mut a, declare(), &person("lead"), Stamp::at(10)).unwrap();
    perform(&mut b, declare(), &person("second"), Stamp::at(11)).unwrap();
    let one = Edit::Auditees(vec!["Ops lead".into(), "Backup admin".into()]);
    let two = Edit::Auditees(vec!["Ops lead".into(), "Service owner".into()]);
    edit(&mut a, &one, Stamp::at(12)).unwrap();
    edit(&mut b, &two, Stamp::at(13)).unwrap();
    a.merge(&mut b).unwrap();
    let merged = read(&a).unwrap();
    assert_eq!(merged.events.len(), 4);
    assert_eq!(merged.auditees.len(), 3);
    assert_eq!(merged.derived().standing.undeclared().count(), 0);
}
