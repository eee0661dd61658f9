//! A major nonconformity from draft to closed, through a corrective action, as
//! the people involved would do it: the lead auditor raises and issues it, the
//! owner answers it, a manager approves the action, the action owner carries it
//! out, and an auditor who owns neither verifies it.

use automerge::{ActorId, Automerge};
use fieldbook_core::doc::{corrective_action as ca_doc, finding as finding_doc, Stamp};
use fieldbook_core::model::access::{Person, Role};
use fieldbook_core::model::corrective_action::{
    self as ca, CheckResult, NewCorrectiveAction, Title,
};
use fieldbook_core::model::evidence::Evidence;
use fieldbook_core::model::finding::{
    Classification, Command, FindingSource, NewFinding, RootCause, Statement, Status,
    TransitionError, VerificationResult,
};
use fieldbook_core::model::priority::Priority;
use fieldbook_core::model::workflow::UserRef;

fn person(id: &str, role: Role) -> Person {
    Person {
        user_id: id.into(),
        name: format!("{id} name"),
        role,
    }
}

fn note(text: &str) -> Vec<Evidence> {
    vec![Evidence::Note { text: text.into() }]
}

#[test]
fn a_major_nonconformity_is_closed_through_a_corrective_action() {
    let lead = person("lead", Role::Auditor);
    let verifier = person("aud", Role::Auditor);
    let owner = person("own", Role::Technician);
    let doer = person("doer", Role::Technician);
    let manager = person("mgr", Role::Manager);
    let clock = std::cell::Cell::new(1_700_000_000_000_i64);
    let tick = || {
        clock.set(clock.get() + 60_000);
        Stamp::at(clock.get())
    };

    // 1. The lead raises the finding from a flagged checklist answer.
    let mut finding = Automerge::new().with_actor(ActorId::from([1; 16]));
    let new = NewFinding {
        site: "north".into(),
        audit: Some("audit-doc".into()),
        audit_lead: Some(UserRef::from(&lead)),
        classification: Classification::MajorNonconformity,
        statement: Statement {
            requirement: "Restores are tested monthly (8.7.3)".into(),
            ..Statement::prefilled("Q12: restore tested this month? No")
        },
        clauses: vec!["8.7.3".parse().unwrap()],
        process: "Service continuity".into(),
        evidence: note("Backup console shows no restore job since January"),
        owner: Some(UserRef::from(&owner)),
        response_due: Some("2025-07-01".parse().unwrap()),
        source: Some(FindingSource {
            run: "run-doc".into(),
            item: "q12".into(),
        }),
    };
    finding_doc::create(&mut finding, &new, &lead, tick()).unwrap();
    let refused = finding_doc::perform(&mut finding, Command::Issue, &lead, &[], tick());
    assert!(
        matches!(
            refused,
            Err(finding_doc::PerformError::Refused(
                TransitionError::IncompleteStatement("the gap")
            ))
        ),
        "a nonconformity is issued only with its gap"
    );
    let gap = finding_doc::Edit::Gap("Five months without a restore test".into());
    finding_doc::edit(&mut finding, &gap, tick()).unwrap();

    // 2. Issued by the lead; the owner acknowledges, contains, analyses.
    let mut step = |command: Command, by: &Person, owners: &[UserRef]| {
        finding_doc::perform(&mut finding, command, by, owners, tick())
    };
    step(Command::Issue, &lead, &[]).unwrap();
    step(Command::Acknowledge, &owner, &[]).unwrap();
    let correction = Command::RecordCorrection {
        text: "Ran a full restore test the same day".into(),
    };
    step(correction, &owner, &[]).unwrap();
    let cause = RootCause {
        method: "Five whys".into(),
        analysis: "Restore tests lost their owner in the March reorganisation".into(),
        similar_elsewhere: "South site checked: tests are done".into(),
    };
    step(Command::AnalyseCause(cause), &owner, &[]).unwrap();

    // 3. A corrective action, in its own document, owned by someone else.
    let mut action = Automerge::new().with_actor(ActorId::from([2; 16]));
    let proposal = NewCorrectiveAction {
        site: "north".into(),
        findings: vec!["finding-doc".into()],
        title: Title::parse("Give restore tests an owner and a schedule").unwrap(),
        description: "Name the ops lead; add the test to the monthly calendar".into(),
        owner: UserRef::from(&doer),
        due: Some("2025-08-31".parse().unwrap()),
        priority: Priority::P2,
        change_needed: false,
    };
    ca_doc::create(&mut action, &proposal, &owner, tick()).unwrap();
    step(
        Command::LinkAction {
            action: "action-doc".into(),
        },
        &owner,
        &[],
    )
    .unwrap();
    step(Command::StartAction, &owner, &[]).unwrap();

    let mut ca_step = |command: ca::Command, by: &Person| {
        ca_doc::perform(&mut action, command, by, tick()).unwrap()
    };
    ca_step(ca::Command::Approve, &manager);
    ca_step(ca::Command::Start, &doer);
    let added = ca_step(
        ca::Command::AddStep {
            text: "Name the owner".into(),
        },
        &doer,
    );
    let done = ca::Command::CompleteStep {
        step: added.id,
        evidence: note("Role description updated"),
    };
    ca_step(done, &doer);
    ca_step(
        ca::Command::MarkImplemented {
            evidence: note("Calendar entry"),
        },
        &doer,
    );
    let schedule = ca::Command::ScheduleCheck {
        criteria: "Two monthly restore tests recorded".into(),
        due: "2025-10-31".parse().unwrap(),
    };
    ca_step(schedule, &doer);
    let check = ca::Command::CheckEffectiveness {
        result: CheckResult::Effective,
        notes: "August and September tests recorded".into(),
        evidence: note("Restore log extracts"),
    };
    ca_step(check, &verifier);
    ca_step(ca::Command::Close, &manager);
    let read_action = ca_doc::read(&action).unwrap();
    assert_eq!(read_action.status(), ca::Status::Closed);

    // 4. Verification of the finding, against the action's owner as read from its document.
    let action_owners = read_action.owners();
    assert_eq!(action_owners, vec![UserRef::from(&doer)]);
    step(Command::SubmitForVerification, &owner, &action_owners).unwrap();
    let verify = || Command::Verify {
        result: VerificationResult::Effective,
        evidence: note("Two months of restore logs"),
        notes: "Tests done and recorded".into(),
    };
    let by_doer = step(verify(), &doer, &action_owners);
    let message = by_doer.unwrap_err().to_string();
    assert!(
        message.contains("doer name owns one of this finding's corrective actions"),
        "{message}"
    );
    assert!(step(verify(), &owner, &action_owners).is_err());
    let before_verifying = finding.get_heads();
    finding_doc::perform(&mut finding, verify(), &verifier, &action_owners, tick()).unwrap();
    // The server's check sees the one new verification, by the verifier.
    let added = finding_doc::verifications_added_since(&finding, &before_verifying)
        .unwrap()
        .expect("only appended");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].by, verifier);
    let now = finding.get_heads();
    let none = finding_doc::verifications_added_since(&finding, &now).unwrap();
    assert_eq!(none, Some(Vec::new()));

    // 5. Closed, on every replica, with the whole trail.
    let closed = finding_doc::read(&Automerge::load(&finding.save()).unwrap()).unwrap();
    assert_eq!(closed.status(), Status::Closed);
    let derived = closed.derived();
    assert_eq!(derived.needs_review, None);
    assert_eq!(derived.standing.actions, vec!["action-doc".to_owned()]);
    assert_eq!(derived.standing.verification.unwrap().verifier, verifier);
    assert_eq!(closed.events.len(), 9);
}
