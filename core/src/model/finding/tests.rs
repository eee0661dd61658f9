//! The finding lifecycle: every transition and guard, by the people who try them.

use super::*;
use crate::model::access::Role;
use crate::model::workflow::Logged;

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
fn auditor() -> Person {
    person("aud", Role::Auditor)
}
fn owner() -> Person {
    person("own", Role::Technician)
}
fn action_owner() -> Person {
    person("act", Role::Technician)
}
fn technician() -> Person {
    person("tech", Role::Technician)
}

fn photo() -> Evidence {
    Evidence::Note {
        text: "Backup log shows nightly success since 3 March".into(),
    }
}

/// A draft with a whole statement, a clause, an owner and a lead.
fn draft(classification: Classification) -> Finding {
    let created = Logged {
        id: "a-0-0".into(),
        kind: FindingEvent::Created {
            classification,
            owner: Some(UserRef::from(&owner())),
            lead: Some(UserRef::from(&lead())),
        },
        at_ms: 0,
        device: "a".into(),
        by: auditor(),
    };
    Finding {
        site: "north".into(),
        audit: Some("audit-doc".into()),
        classification: Contested::single(classification),
        statement: Statement {
            requirement: "Backups are tested monthly (8.7.3)".into(),
            evidence: "No restore test recorded since January".into(),
            gap: "Restore tests were not done for five months".into(),
        },
        clauses: vec!["8.7.3".parse().unwrap()],
        process: "Service continuity".into(),
        evidence: vec![photo()],
        owner: Some(Contested::single(UserRef::from(&owner()))),
        response_due: None,
        source: None,
        created_at_ms: 0,
        events: vec![created],
    }
}

fn act(f: &mut Finding, command: Command, by: &Person) -> Result<Status, TransitionError> {
    let owners = [UserRef::from(&action_owner())];
    let at = f.events.len() as i64 * 1000;
    let event = apply(f, command, by, &owners, "a", at)?;
    f.events.push(event);
    Ok(f.status())
}

fn cause() -> RootCause {
    RootCause {
        method: "Five whys".into(),
        analysis: "Restore tests had no owner after a reorganisation".into(),
        similar_elsewhere: "None found at the south site".into(),
    }
}

fn verify(result: VerificationResult, evidence: Vec<Evidence>) -> Command {
    Command::Verify {
        result,
        evidence,
        notes: "Checked three months of restore tests".into(),
    }
}

/// A major nonconformity walked to Awaiting verification.
fn awaiting_verification() -> Finding {
    let mut f = draft(Classification::MajorNonconformity);
    let steps = [
        (Command::Issue, lead()),
        (Command::Acknowledge, owner()),
        (
            Command::RecordCorrection {
                text: "Ran a restore test at once".into(),
            },
            owner(),
        ),
        (Command::AnalyseCause(cause()), owner()),
        (
            Command::LinkAction {
                action: "ca-doc".into(),
            },
            owner(),
        ),
        (Command::StartAction, action_owner()),
        (Command::SubmitForVerification, owner()),
    ];
    for (command, by) in steps {
        act(&mut f, command, &by).unwrap();
    }
    f
}

#[test]
fn a_nonconformity_goes_through_every_status_in_order() {
    let mut f = draft(Classification::MinorNonconformity);
    let expected = [
        (Command::Issue, lead(), Status::Issued),
        (Command::Acknowledge, owner(), Status::Acknowledged),
        (
            Command::RecordCorrection {
                text: "Ran a restore test".into(),
            },
            owner(),
            Status::CorrectionDone,
        ),
        (
            Command::AnalyseCause(cause()),
            owner(),
            Status::CauseAnalysed,
        ),
        (
            Command::LinkAction {
                action: "ca-1".into(),
            },
            owner(),
            Status::CauseAnalysed,
        ),
        (Command::StartAction, owner(), Status::ActionInProgress),
        (
            Command::SubmitForVerification,
            owner(),
            Status::AwaitingVerification,
        ),
        (
            verify(VerificationResult::Effective, vec![photo()]),
            auditor(),
            Status::Closed,
        ),
    ];
    for (command, by, status) in expected {
        assert_eq!(act(&mut f, command.clone(), &by), Ok(status), "{command:?}");
    }
    let standing = f.derived().standing;
    assert_eq!(standing.actions, vec!["ca-1".to_owned()]);
    assert_eq!(standing.root_cause, Some(cause()));
    assert_eq!(standing.verification.unwrap().verifier, auditor());
}

#[test]
fn an_observation_is_accepted_or_declined_then_closed() {
    for (answer, after) in [
        (Command::Accept, Status::Accepted),
        (
            Command::Decline {
                reason: "Already covered by the change process".into(),
            },
            Status::Declined,
        ),
    ] {
        let mut f = draft(Classification::Improvement);
        act(&mut f, Command::Issue, &auditor()).unwrap();
        assert_eq!(act(&mut f, answer, &owner()), Ok(after));
        assert_eq!(act(&mut f, Command::Close, &owner()), Ok(Status::Closed));
    }
}

#[test]
fn refused_steps_say_why() {
    use Classification::*;
    let empty = |f: &mut Finding| f.statement.gap.clear();
    let no_clause = |f: &mut Finding| f.clauses.clear();
    let no_owner = |f: &mut Finding| {
        f.events[0].kind = FindingEvent::Created {
            classification: MinorNonconformity,
            owner: None,
            lead: None,
        }
    };
    let keep = |_: &mut Finding| {};
    type Setup = fn(&mut Finding);
    let cases: Vec<(
        Classification,
        Setup,
        Vec<Command>,
        Command,
        Person,
        TransitionError,
    )> = vec![
        (
            MinorNonconformity,
            empty,
            vec![],
            Command::Issue,
            lead(),
            TransitionError::IncompleteStatement("the gap"),
        ),
        (
            MajorNonconformity,
            no_clause,
            vec![],
            Command::Issue,
            lead(),
            TransitionError::NoClause,
        ),
        (
            Observation,
            keep,
            vec![],
            Command::Issue,
            technician(),
            TransitionError::IssuerNotAuditor {
                name: "tech name".into(),
                role: Role::Technician,
            },
        ),
        (
            MinorNonconformity,
            no_owner,
            vec![Command::Issue],
            Command::Acknowledge,
            owner(),
            TransitionError::NoOwner,
        ),
        (
            Observation,
            keep,
            vec![Command::Issue],
            Command::Acknowledge,
            owner(),
            TransitionError::WrongTrack {
                action: Action::Acknowledge,
                classification: Observation,
            },
        ),
        (
            MajorNonconformity,
            keep,
            vec![Command::Issue],
            Command::Accept,
            owner(),
            TransitionError::WrongTrack {
                action: Action::Accept,
                classification: MajorNonconformity,
            },
        ),
        (
            Observation,
            keep,
            vec![Command::Issue],
            Command::Decline { reason: " ".into() },
            owner(),
            TransitionError::MissingReason(Action::Decline),
        ),
        (
            MajorNonconformity,
            keep,
            vec![Command::Issue, Command::Acknowledge],
            Command::RecordCorrection { text: "".into() },
            owner(),
            TransitionError::MissingCorrection,
        ),
        (
            MajorNonconformity,
            keep,
            vec![
                Command::Issue,
                Command::Acknowledge,
                Command::RecordCorrection {
                    text: "Stopped".into(),
                },
            ],
            Command::AnalyseCause(RootCause {
                similar_elsewhere: "".into(),
                ..cause()
            }),
            owner(),
            TransitionError::IncompleteCause("whether similar cases exist elsewhere"),
        ),
        (
            MajorNonconformity,
            keep,
            vec![
                Command::Issue,
                Command::Acknowledge,
                Command::RecordCorrection {
                    text: "Stopped".into(),
                },
                Command::AnalyseCause(cause()),
            ],
            Command::StartAction,
            owner(),
            TransitionError::NoAction,
        ),
        (
            MajorNonconformity,
            keep,
            vec![Command::Issue],
            Command::Close,
            owner(),
            TransitionError::NotAllowed {
                action: Action::Close,
                status: Status::Issued,
            },
        ),
        (
            MajorNonconformity,
            keep,
            vec![],
            Command::Reconcile,
            owner(),
            TransitionError::NothingToReconcile,
        ),
    ];
    for (classification, setup, before, command, by, error) in cases {
        let mut f = draft(classification);
        setup(&mut f);
        for c in before {
            act(&mut f, c, &lead()).unwrap();
        }
        assert_eq!(act(&mut f, command.clone(), &by), Err(error), "{command:?}");
    }
}

#[test]
fn the_owner_of_a_linked_action_cannot_close_the_finding() {
    let mut f = awaiting_verification();
    let refused = act(
        &mut f,
        verify(VerificationResult::Effective, vec![photo()]),
        &action_owner(),
    );
    let error = refused.unwrap_err();
    assert_eq!(
        error,
        TransitionError::VerifierOwnsAction {
            name: "act name".into()
        }
    );
    assert!(error.to_string().contains("impartial"), "{error}");
}

#[test]
fn the_finding_owner_cannot_close_the_finding() {
    let mut f = awaiting_verification();
    let refused = act(
        &mut f,
        verify(VerificationResult::Effective, vec![photo()]),
        &owner(),
    );
    assert_eq!(
        refused,
        Err(TransitionError::VerifierOwnsFinding {
            name: "own name".into()
        })
    );
}

#[test]
fn anyone_a_conflicted_owner_field_names_cannot_verify() {
    let mut f = awaiting_verification();
    let other = UserRef::from(&auditor());
    f.owner = Some(Contested {
        value: UserRef::from(&owner()),
        others: vec![other],
    });
    let refused = act(
        &mut f,
        verify(VerificationResult::Effective, vec![photo()]),
        &auditor(),
    );
    assert!(matches!(
        refused,
        Err(TransitionError::VerifierOwnsFinding { .. })
    ));
}

#[test]
fn an_independent_auditor_closes_with_effective_and_evidence() {
    let mut f = awaiting_verification();
    assert_eq!(
        act(
            &mut f,
            verify(VerificationResult::Effective, vec![]),
            &auditor()
        ),
        Err(TransitionError::NoEvidence)
    );
    assert_eq!(
        act(
            &mut f,
            verify(VerificationResult::Effective, vec![photo()]),
            &auditor()
        ),
        Ok(Status::Closed)
    );
    assert_eq!(
        f.verification_result(),
        Some(Contested::single(VerificationResult::Effective))
    );
}

#[test]
fn not_effective_reopens_and_the_actions_go_on() {
    let mut f = awaiting_verification();
    assert_eq!(
        act(
            &mut f,
            verify(VerificationResult::NotEffective, vec![]),
            &auditor()
        ),
        Ok(Status::Reopened)
    );
    assert!(f.next_actions(&owner()).contains(&Action::StartAction));
    assert_eq!(
        act(&mut f, Command::StartAction, &owner()),
        Ok(Status::ActionInProgress)
    );
}

#[test]
fn concurrent_verifications_need_review_and_show_both_results() {
    let mut f = awaiting_verification();
    let base = f.clone();
    let owners = [UserRef::from(&action_owner())];
    let effective = verify(VerificationResult::Effective, vec![photo()]);
    let not = verify(VerificationResult::NotEffective, vec![]);
    let a = apply(&base, effective, &auditor(), &owners, "a", 100_000).unwrap();
    let b = apply(&base, not, &lead(), &owners, "b", 100_500).unwrap();
    f.events.extend([a, b]);
    let derived = f.derived();
    assert_eq!(derived.standing.status, Status::Closed);
    assert_eq!(derived.needs_review.unwrap().b.len(), 1);
    let result = f.verification_result().unwrap();
    assert_eq!(result.value, VerificationResult::Effective);
    assert_eq!(result.others, vec![VerificationResult::NotEffective]);
    assert!(f.has_conflicts());
}

fn reclassify(to: Classification, reason: &str) -> Command {
    Command::Reclassify {
        to,
        reason: reason.into(),
    }
}

#[test]
fn only_an_auditor_changes_a_draft_classification() {
    let mut f = draft(Classification::MajorNonconformity);
    let minor = Classification::MinorNonconformity;
    assert_eq!(
        act(&mut f, reclassify(minor, ""), &technician()),
        Err(TransitionError::NotAnAuditor {
            name: "tech name".into(),
            role: Role::Technician
        })
    );
    assert_eq!(
        act(&mut f, reclassify(minor, ""), &auditor()),
        Ok(Status::Draft)
    );
    assert_eq!(f.derived().standing.classification, Some(minor));
}

#[test]
fn once_issued_only_the_lead_reclassifies_and_gives_a_reason() {
    let minor = Classification::MinorNonconformity;
    let mut f = draft(Classification::MajorNonconformity);
    act(&mut f, Command::Issue, &lead()).unwrap();
    let refused = act(&mut f, reclassify(minor, "Single lapse"), &auditor());
    assert_eq!(
        refused,
        Err(TransitionError::NotTheLead {
            name: "aud name".into(),
            lead: "lead name".into()
        })
    );
    assert_eq!(
        act(&mut f, reclassify(minor, "  "), &lead()),
        Err(TransitionError::MissingReason(Action::Reclassify))
    );
    assert_eq!(
        act(&mut f, reclassify(minor, "Single lapse"), &lead()),
        Ok(Status::Issued)
    );
    assert_eq!(f.derived().standing.classification, Some(minor));
}

#[test]
fn the_track_can_change_only_until_acknowledged() {
    let mut f = draft(Classification::MajorNonconformity);
    act(&mut f, Command::Issue, &lead()).unwrap();
    act(&mut f, Command::Acknowledge, &owner()).unwrap();
    let refused = act(
        &mut f,
        reclassify(Classification::Observation, "x"),
        &lead(),
    );
    assert!(matches!(
        refused,
        Err(TransitionError::TrackChangeTooLate { .. })
    ));
    assert_eq!(
        act(
            &mut f,
            reclassify(Classification::MinorNonconformity, "x"),
            &lead()
        ),
        Ok(Status::Acknowledged)
    );
}

#[test]
fn without_a_named_lead_the_issuer_stands_as_lead() {
    let mut f = draft(Classification::Observation);
    f.events[0].kind = FindingEvent::Created {
        classification: Classification::Observation,
        owner: None,
        lead: None,
    };
    act(&mut f, Command::Issue, &auditor()).unwrap();
    let to = Classification::Improvement;
    assert!(act(&mut f, reclassify(to, "Minor"), &lead()).is_err());
    assert_eq!(
        act(&mut f, reclassify(to, "Minor"), &auditor()),
        Ok(Status::Issued)
    );
}

#[test]
fn next_actions_follow_the_status_and_the_person() {
    let f = draft(Classification::MajorNonconformity);
    assert!(f.next_actions(&auditor()).contains(&Action::Issue));
    assert!(!f.next_actions(&technician()).contains(&Action::Issue));
    assert!(!f.next_actions(&technician()).contains(&Action::Reclassify));
    let f = awaiting_verification();
    assert!(f.next_actions(&auditor()).contains(&Action::Verify));
    assert!(!f.next_actions(&owner()).contains(&Action::Verify));
}

#[test]
fn classifications_round_trip_through_their_stored_form() {
    for c in Classification::ALL {
        assert_eq!(Classification::parse(c.as_str()), Some(c));
    }
    assert_eq!(Classification::parse("dire"), None);
}
