//! The corrective-action lifecycle: every transition and guard.

use super::*;
use crate::model::access::Role;

fn person(id: &str, role: Role) -> Person {
    Person {
        user_id: id.into(),
        name: format!("{id} name"),
        role,
    }
}
fn owner() -> Person {
    person("own", Role::Technician)
}
fn manager() -> Person {
    person("mgr", Role::Manager)
}
fn auditor() -> Person {
    person("aud", Role::Auditor)
}

fn note() -> Evidence {
    Evidence::Note {
        text: "Done and seen".into(),
    }
}

fn proposed() -> CorrectiveAction {
    let owner = UserRef::from(&owner());
    CorrectiveAction {
        site: "north".into(),
        title: "Name an owner for restore tests".into(),
        description: String::new(),
        owner: Contested::single(owner.clone()),
        due: None,
        priority: Contested::single(Priority::P3),
        change_needed: false,
        created_at_ms: 0,
        events: vec![Event {
            id: "a-0-0".into(),
            kind: ActionEvent::Created { owner },
            at_ms: 0,
            device: "a".into(),
            by: manager(),
        }],
    }
}

fn act(r: &mut CorrectiveAction, command: Command, by: &Person) -> Result<Status, TransitionError> {
    let at = r.events.len() as i64 * 1000;
    let event = apply(r, command, by, "a", at)?;
    r.events.push(event);
    Ok(r.status())
}

fn step_ids(r: &CorrectiveAction) -> Vec<String> {
    r.derived()
        .standing
        .steps
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// Approved, started, one step added and done.
fn in_progress() -> CorrectiveAction {
    let mut r = proposed();
    act(&mut r, Command::Approve, &manager()).unwrap();
    act(&mut r, Command::Start, &owner()).unwrap();
    let add = Command::AddStep {
        text: "Assign the restore test to the ops lead".into(),
    };
    act(&mut r, add, &owner()).unwrap();
    let step = step_ids(&r).remove(0);
    let done = Command::CompleteStep {
        step,
        evidence: vec![note()],
    };
    act(&mut r, done, &owner()).unwrap();
    r
}

fn due() -> Date {
    "2025-06-30".parse().unwrap()
}

fn check(result: CheckResult, evidence: Vec<Evidence>) -> Command {
    Command::CheckEffectiveness {
        result,
        notes: "Two monthly restore tests recorded".into(),
        evidence,
    }
}

#[test]
fn an_action_goes_from_proposed_to_closed() {
    let mut r = in_progress();
    let steps = [
        (
            Command::MarkImplemented {
                evidence: vec![note()],
            },
            owner(),
            Status::Implemented,
        ),
        (
            Command::ScheduleCheck {
                criteria: "Restore tests recorded for two months".into(),
                due: due(),
            },
            owner(),
            Status::CheckDue,
        ),
        (
            check(CheckResult::Effective, vec![note()]),
            auditor(),
            Status::VerifiedEffective,
        ),
        (Command::Close, manager(), Status::Closed),
    ];
    for (command, by, status) in steps {
        assert_eq!(act(&mut r, command.clone(), &by), Ok(status), "{command:?}");
    }
    let standing = r.derived().standing;
    assert_eq!(standing.steps[0].done.as_ref().unwrap().by, owner());
    assert_eq!(standing.check.unwrap().outcome.unwrap().0, auditor());
}

#[test]
fn refused_steps_say_why() {
    let implemented = |r: &mut CorrectiveAction| {
        let evidence = vec![note()];
        act(r, Command::MarkImplemented { evidence }, &owner()).unwrap();
        let criteria = "Tests recorded".into();
        act(
            r,
            Command::ScheduleCheck {
                criteria,
                due: due(),
            },
            &owner(),
        )
        .unwrap();
    };
    let mut r = proposed();
    assert_eq!(
        act(&mut r, Command::Approve, &owner()),
        Err(TransitionError::ApproverNotManager {
            name: "own name".into(),
            role: Role::Technician
        })
    );
    assert_eq!(
        act(&mut r, Command::Start, &owner()),
        Err(TransitionError::NotAllowed {
            action: Action::Start,
            status: Status::Proposed
        })
    );
    assert_eq!(
        act(&mut r, Command::Cancel { reason: "".into() }, &owner()),
        Err(TransitionError::MissingReason(Action::Cancel))
    );

    let mut r = in_progress();
    act(
        &mut r,
        Command::AddStep {
            text: "Train".into(),
        },
        &owner(),
    )
    .unwrap();
    let evidence = vec![note()];
    assert_eq!(
        act(&mut r, Command::MarkImplemented { evidence }, &owner()),
        Err(TransitionError::StepsOpen { count: 1 })
    );
    let step = step_ids(&r).remove(1);
    let bare = Command::CompleteStep {
        step: step.clone(),
        evidence: vec![],
    };
    assert_eq!(
        act(&mut r, bare, &owner()),
        Err(TransitionError::StepWithoutEvidence)
    );
    let done = Command::CompleteStep {
        step,
        evidence: vec![note()],
    };
    act(&mut r, done.clone(), &owner()).unwrap();
    assert_eq!(
        act(&mut r, done, &owner()),
        Err(TransitionError::StepAlreadyDone("Train".into()))
    );
    let evidence = vec![];
    assert_eq!(
        act(&mut r, Command::MarkImplemented { evidence }, &owner()),
        Err(TransitionError::NoImplementationEvidence)
    );

    implemented(&mut r);
    let refused = act(
        &mut r,
        check(CheckResult::Effective, vec![note()]),
        &owner(),
    );
    assert_eq!(
        refused,
        Err(TransitionError::CheckerOwnsAction {
            name: "own name".into()
        })
    );
    assert!(refused.unwrap_err().to_string().contains("impartial"));
    assert_eq!(
        act(&mut r, check(CheckResult::Effective, vec![]), &auditor()),
        Err(TransitionError::NoCheckEvidence)
    );
}

#[test]
fn not_effective_goes_back_to_in_progress() {
    let mut r = in_progress();
    let evidence = vec![note()];
    act(&mut r, Command::MarkImplemented { evidence }, &owner()).unwrap();
    let criteria = "Tests recorded".into();
    act(
        &mut r,
        Command::ScheduleCheck {
            criteria,
            due: due(),
        },
        &owner(),
    )
    .unwrap();
    assert_eq!(
        act(&mut r, check(CheckResult::NotEffective, vec![]), &auditor()),
        Ok(Status::InProgress)
    );
    assert!(r.next_actions(&owner()).contains(&Action::MarkImplemented));
}

#[test]
fn cancelling_needs_a_reason_and_ends_the_action() {
    let mut r = in_progress();
    let reason = "Superseded by the backup redesign".into();
    assert_eq!(
        act(&mut r, Command::Cancel { reason }, &manager()),
        Ok(Status::Cancelled)
    );
    assert!(act(&mut r, Command::Start, &owner()).is_err());
    assert_eq!(r.next_actions(&owner()), vec![Action::AddNote]);
}

#[test]
fn a_conflicted_owner_field_bars_each_owner_from_checking() {
    let mut r = in_progress();
    let evidence = vec![note()];
    act(&mut r, Command::MarkImplemented { evidence }, &owner()).unwrap();
    let criteria = "Tests recorded".into();
    act(
        &mut r,
        Command::ScheduleCheck {
            criteria,
            due: due(),
        },
        &owner(),
    )
    .unwrap();
    r.owner.others.push(UserRef::from(&auditor()));
    assert!(r.has_conflicts());
    assert!(!r
        .next_actions(&auditor())
        .contains(&Action::CheckEffectiveness));
    assert!(matches!(
        act(
            &mut r,
            check(CheckResult::Effective, vec![note()]),
            &auditor()
        ),
        Err(TransitionError::CheckerOwnsAction { .. })
    ));
}

#[test]
fn concurrent_cancel_and_implement_need_review() {
    let base = in_progress();
    let implement = Command::MarkImplemented {
        evidence: vec![note()],
    };
    let cancel = Command::Cancel {
        reason: "Not needed".into(),
    };
    let a = apply(&base, implement, &owner(), "a", 50_001).unwrap();
    let b = apply(&base, cancel, &manager(), "b", 50_000).unwrap();
    let mut merged = base;
    merged.events.extend([a.clone(), b.clone()]);
    let derived = merged.derived();
    assert_eq!(derived.standing.status, Status::Cancelled);
    let conflict = derived.needs_review.unwrap();
    assert_eq!((conflict.a, conflict.b), (vec![b], vec![a]));
}
