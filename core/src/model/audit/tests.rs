//! The audit lifecycle: every transition and guard.

use super::*;
use crate::model::access::Role;

fn person(id: &str) -> Person {
    Person {
        user_id: id.into(),
        name: format!("{id} name"),
        role: Role::Auditor,
    }
}
fn lead() -> Person {
    person("lead")
}
fn second() -> Person {
    person("second")
}

fn planned() -> Audit {
    Audit {
        title: "Service continuity, north site".into(),
        programme: None,
        planned_for: None,
        scope: "Backups and restores".into(),
        criteria: "ISO/IEC 20000-1:2018 and the continuity plan".into(),
        clauses: vec!["8.7.3".parse().unwrap()],
        sites: vec!["north".into()],
        auditees: vec!["Ops lead".into()],
        report: ReportDraft::default(),
        created_at_ms: 0,
        events: vec![Event {
            id: "a-0-0".into(),
            kind: AuditEvent::Created {
                lead: UserRef::from(&lead()),
            },
            at_ms: 0,
            device: "a".into(),
            by: lead(),
        }],
    }
}

fn act(a: &mut Audit, command: Command, by: &Person) -> Result<Status, TransitionError> {
    let at = a.events.len() as i64 * 1000;
    let event = apply(a, command, by, "a", at)?;
    a.events.push(event);
    Ok(a.status())
}

fn declare() -> Command {
    Command::DeclareIndependence {
        statement: "I have no role in backups at the north site".into(),
    }
}

#[test]
fn an_audit_goes_from_planned_to_closed() {
    let mut a = planned();
    act(
        &mut a,
        Command::AddAuditor(UserRef::from(&second())),
        &lead(),
    )
    .unwrap();
    act(&mut a, declare(), &lead()).unwrap();
    act(&mut a, declare(), &second()).unwrap();
    let run = Command::LinkRun {
        run: "run-1".into(),
    };
    act(&mut a, run, &second()).unwrap();
    let steps = [
        (Command::StartPreparation, Status::Preparation),
        (Command::StartFieldwork, Status::Fieldwork),
        (
            Command::LinkFinding {
                finding: "f-1".into(),
            },
            Status::Fieldwork,
        ),
        (Command::EndFieldwork, Status::Reporting),
    ];
    for (command, status) in steps {
        assert_eq!(
            act(&mut a, command.clone(), &lead()),
            Ok(status),
            "{command:?}"
        );
    }
    a.report = ReportDraft {
        summary: "Backups run; restores untested".into(),
        conclusion: "Continuity partly effective".into(),
        distribution: vec!["Service owner".into()],
    };
    assert_eq!(
        act(&mut a, Command::IssueReport, &lead()),
        Ok(Status::Issued)
    );
    assert_eq!(
        act(&mut a, Command::Close, &lead()),
        Err(TransitionError::FindingsToFollowUp)
    );
    assert_eq!(
        act(&mut a, Command::StartFollowUp, &lead()),
        Ok(Status::FollowUp)
    );
    assert_eq!(act(&mut a, Command::Close, &lead()), Ok(Status::Closed));
    let standing = a.derived().standing;
    assert_eq!(standing.runs, vec!["run-1".to_owned()]);
    let report = standing.report.unwrap();
    assert_eq!(report.conclusion, "Continuity partly effective");
    assert_eq!(report.issued_by, lead());
}

#[test]
fn only_the_lead_moves_the_audit() {
    let mut a = planned();
    act(
        &mut a,
        Command::AddAuditor(UserRef::from(&second())),
        &lead(),
    )
    .unwrap();
    let refused = act(&mut a, Command::StartPreparation, &second()).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "only the lead auditor (lead name) can start preparation, not second name"
    );
}

#[test]
fn fieldwork_waits_for_every_declaration_of_independence() {
    let mut a = planned();
    act(
        &mut a,
        Command::AddAuditor(UserRef::from(&second())),
        &lead(),
    )
    .unwrap();
    act(&mut a, Command::StartPreparation, &lead()).unwrap();
    act(&mut a, declare(), &lead()).unwrap();
    assert!(!a.next_actions(&lead()).contains(&Action::StartFieldwork));
    assert_eq!(
        act(&mut a, Command::StartFieldwork, &lead()),
        Err(TransitionError::IndependenceMissing("second name".into()))
    );
    let outsider = person("outsider");
    assert_eq!(
        act(&mut a, declare(), &outsider),
        Err(TransitionError::NotOnTeam("outsider name".into()))
    );
    act(&mut a, declare(), &second()).unwrap();
    assert_eq!(
        act(&mut a, Command::StartFieldwork, &lead()),
        Ok(Status::Fieldwork)
    );
    assert!(matches!(
        act(&mut a, declare(), &second()),
        Err(TransitionError::NotAllowed { .. })
    ));
}

#[test]
fn the_report_needs_a_summary_and_a_conclusion() {
    let mut a = planned();
    act(&mut a, declare(), &lead()).unwrap();
    for c in [
        Command::StartPreparation,
        Command::StartFieldwork,
        Command::EndFieldwork,
    ] {
        act(&mut a, c, &lead()).unwrap();
    }
    assert_eq!(
        act(&mut a, Command::IssueReport, &lead()),
        Err(TransitionError::IncompleteReport("summary"))
    );
    a.report.summary = "Fine".into();
    assert_eq!(
        act(&mut a, Command::IssueReport, &lead()),
        Err(TransitionError::IncompleteReport("conclusion"))
    );
    a.report.conclusion = "Effective".into();
    assert!(act(&mut a, Command::IssueReport, &second()).is_err());
    assert_eq!(
        act(&mut a, Command::IssueReport, &lead()),
        Ok(Status::Issued)
    );
    assert_eq!(act(&mut a, Command::Close, &lead()), Ok(Status::Closed));
}

#[test]
fn a_member_added_while_another_device_started_fieldwork_needs_review() {
    let mut a = planned();
    act(&mut a, declare(), &lead()).unwrap();
    act(&mut a, Command::StartPreparation, &lead()).unwrap();
    let base = a.clone();
    let start = apply(&base, Command::StartFieldwork, &lead(), "a", 10_000).unwrap();
    let add = Command::AddAuditor(UserRef::from(&second()));
    let added = apply(&base, add, &lead(), "b", 11_000).unwrap();
    a.events.extend([start, added.clone()]);
    let derived = a.derived();
    assert_eq!(derived.standing.status, Status::Fieldwork);
    assert_eq!(derived.needs_review.unwrap().b, vec![added]);
}
