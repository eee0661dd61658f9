//! The finding document: round trip, conflicts a person must see, merges.

use super::*;
use crate::model::access::Role;
use crate::model::finding::{Contested, Status, VerificationResult};
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

fn lead() -> Person {
    person("lead", Role::Auditor)
}

fn sample() -> NewFinding {
    NewFinding {
        site: "north".into(),
        audit: Some("audit-doc".into()),
        audit_lead: Some(UserRef::from(&lead())),
        classification: Classification::MajorNonconformity,
        statement: Statement {
            requirement: "Restores are tested monthly".into(),
            evidence: "No test since January".into(),
            gap: "Five months without a restore test".into(),
        },
        clauses: vec!["8.7.3".parse().unwrap()],
        process: "Continuity".into(),
        evidence: vec![
            Evidence::Photo {
                blob: "ab".repeat(32).parse().unwrap(),
                caption: "Backup console".into(),
            },
            Evidence::Record {
                document: "run-doc".into(),
                item: Some("q12".into()),
                label: "Checklist answer".into(),
            },
        ],
        owner: Some(UserRef {
            user_id: "own".into(),
            name: "own name".into(),
        }),
        response_due: Some("2025-07-01".parse().unwrap()),
        source: Some(FindingSource {
            run: "run-doc".into(),
            item: "q12".into(),
        }),
    }
}

#[test]
fn a_finding_survives_save_and_load_with_its_events() {
    let mut doc = device(1);
    create(&mut doc, &sample(), &lead(), Stamp::at(1_000)).unwrap();
    perform(&mut doc, Command::Issue, &lead(), &[], Stamp::at(2_000)).unwrap();
    edit(&mut doc, &Edit::Gap("Six months".into()), Stamp::at(3_000)).unwrap();
    edit(
        &mut doc,
        &Edit::Clauses(vec!["8.7.3".into(), "8.7.1".into()]),
        Stamp::at(4_000),
    )
    .unwrap();
    let loaded = Automerge::load(&doc.save()).unwrap();
    let finding = read(&loaded).unwrap();
    assert_eq!(finding, read(&doc).unwrap());
    assert_eq!(finding.status(), Status::Issued);
    assert_eq!(finding.statement.gap, "Six months");
    assert_eq!(finding.clauses.len(), 2);
    assert_eq!(finding.evidence, sample().evidence);
    assert_eq!(finding.source, sample().source);
    assert_eq!(finding.events[1].by, lead());
    assert!(!finding.has_conflicts());
}

#[test]
fn every_kind_of_event_reads_back_as_written() {
    let mut doc = device(1);
    create(&mut doc, &sample(), &lead(), Stamp::at(0)).unwrap();
    let owner = person("own", Role::Technician);
    let auditor = person("aud", Role::Auditor);
    let steps = [
        (Command::Issue, lead()),
        (Command::Acknowledge, owner.clone()),
        (
            Command::RecordCorrection {
                text: "Tested".into(),
            },
            owner.clone(),
        ),
        (
            Command::AnalyseCause(crate::model::finding::RootCause {
                method: "Five whys".into(),
                analysis: "No owner".into(),
                similar_elsewhere: "None".into(),
            }),
            owner.clone(),
        ),
        (
            Command::LinkAction {
                action: "ca".into(),
            },
            owner.clone(),
        ),
        (Command::StartAction, owner.clone()),
        (Command::SubmitForVerification, owner.clone()),
        (
            Command::Verify {
                result: VerificationResult::NotEffective,
                evidence: vec![],
                notes: "Still no test".into(),
            },
            auditor.clone(),
        ),
        (
            Command::ChangeDueDate("2025-08-01".parse().unwrap()),
            lead(),
        ),
        (
            Command::AddNote {
                text: "Chased".into(),
            },
            lead(),
        ),
    ];
    let act_owner = [UserRef {
        user_id: "act".into(),
        name: "act name".into(),
    }];
    for (i, (command, by)) in steps.into_iter().enumerate() {
        let at = Stamp::at(1_000 * (i as i64 + 1));
        perform(&mut doc, command, &by, &act_owner, at).unwrap();
    }
    let reread = read(&Automerge::load(&doc.save()).unwrap()).unwrap();
    assert_eq!(reread.events, read(&doc).unwrap().events);
    assert_eq!(reread.status(), Status::Reopened);
    assert!(reread
        .events
        .iter()
        .all(|e| !matches!(e.kind, FindingEvent::Unreadable { .. })));
    assert_eq!(
        reread.response_due.unwrap().value,
        "2025-08-01".parse().unwrap()
    );
}

#[test]
fn concurrent_classification_changes_are_shown_as_a_conflict() {
    let mut a = device(1);
    create(&mut a, &sample(), &lead(), Stamp::at(1_000)).unwrap();
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    let auditor = person("aud", Role::Auditor);
    let to = |c| Command::Reclassify {
        to: c,
        reason: String::new(),
    };
    perform(
        &mut a,
        to(Classification::MinorNonconformity),
        &lead(),
        &[],
        Stamp::at(2_000),
    )
    .unwrap();
    perform(
        &mut b,
        to(Classification::Observation),
        &auditor,
        &[],
        Stamp::at(2_500),
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    let merged = read(&a).unwrap();
    let mut values: Vec<_> = merged.classification.all().copied().collect();
    values.sort();
    assert_eq!(
        values,
        vec![
            Classification::MinorNonconformity,
            Classification::Observation
        ]
    );
    assert!(merged.has_conflicts());

    // The lead picks one: an ordinary reclassification, which ends the conflict.
    let pick = Command::Reclassify {
        to: Classification::MinorNonconformity,
        reason: "Agreed with the team".into(),
    };
    perform(&mut a, pick, &lead(), &[], Stamp::at(3_000)).unwrap();
    let picked = read(&a).unwrap();
    assert_eq!(
        picked.classification,
        Contested::single(Classification::MinorNonconformity)
    );
}

#[test]
fn merging_two_offline_replicas_keeps_every_event() {
    let mut a = device(1);
    create(&mut a, &sample(), &lead(), Stamp::at(1_000)).unwrap();
    perform(&mut a, Command::Issue, &lead(), &[], Stamp::at(2_000)).unwrap();
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    let owner = person("own", Role::Technician);
    perform(&mut a, Command::Acknowledge, &owner, &[], Stamp::at(3_000)).unwrap();
    let note = Command::AddNote {
        text: "Seen on site".into(),
    };
    perform(&mut b, note, &lead(), &[], Stamp::at(3_100)).unwrap();
    let evidence = Edit::AddEvidence(Evidence::Note {
        text: "Interview".into(),
    });
    edit(&mut b, &evidence, Stamp::at(3_200)).unwrap();
    let mut ab = a.clone();
    ab.merge(&mut b.clone()).unwrap();
    let mut ba = b.clone();
    ba.merge(&mut a.clone()).unwrap();
    let (x, y) = (read(&ab).unwrap(), read(&ba).unwrap());
    assert_eq!(x.events.len(), 4);
    assert_eq!(x.evidence.len(), 3);
    assert_eq!(x.derived(), y.derived());
    assert_eq!(x.status(), Status::Acknowledged);
}

#[test]
fn photos_added_to_a_finding_on_two_devices_offline_are_both_kept() {
    let mut a = device(1);
    create(&mut a, &sample(), &lead(), Stamp::at(1_000)).unwrap();
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    let photo = |hex: &str, caption: &str| {
        Edit::AddEvidence(Evidence::Photo {
            blob: hex.repeat(32).parse().unwrap(),
            caption: caption.into(),
        })
    };
    edit(&mut a, &photo("aa", "Rack label"), Stamp::at(2_000)).unwrap();
    edit(&mut b, &photo("bb", "Change log"), Stamp::at(2_100)).unwrap();
    a.merge(&mut b.clone()).unwrap();
    b.merge(&mut a.clone()).unwrap();
    let (x, y) = (read(&a).unwrap(), read(&b).unwrap());
    assert_eq!(x, y);
    let captions: Vec<&str> = x
        .evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Photo { caption, .. } => Some(caption.as_str()),
            _ => None,
        })
        .collect();
    let before = sample().evidence.len();
    assert_eq!(x.evidence.len(), before + 2);
    assert!(captions.contains(&"Rack label") && captions.contains(&"Change log"));
}

#[test]
fn a_refused_action_writes_nothing() {
    let mut doc = device(1);
    create(&mut doc, &sample(), &lead(), Stamp::at(0)).unwrap();
    let heads = doc.get_heads();
    let tech = person("tech", Role::Technician);
    let refused = perform(&mut doc, Command::Issue, &tech, &[], Stamp::at(1));
    assert!(matches!(refused, Err(PerformError::Refused(_))));
    assert_eq!(doc.get_heads(), heads);
}
