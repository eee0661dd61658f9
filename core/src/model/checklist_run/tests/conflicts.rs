//! Concurrent offline events: conflicts flagged for review, settled by a
//! reconciling event, and the same status whatever order a merge leaves.

use proptest::prelude::*;

use super::*;

#[test]
fn concurrent_approve_and_reject_need_review_and_reconcile_settles_it() {
    let base = reach(RunStatus::Submitted);
    let approve = apply(
        &base.run,
        RunCommand::Approve,
        &manager(),
        "a",
        base.now + MINUTE,
    )
    .unwrap();
    let reject = apply(
        &base.run,
        command(RunAction::Reject),
        &person(Role::Auditor),
        "b",
        base.now + 2 * MINUTE,
    )
    .unwrap();
    let mut run = base.run.clone();
    run.events.extend([reject.clone(), approve.clone()]);
    let derived = run.derived();
    assert_eq!(derived.status(), RunStatus::Reviewed);
    let conflict = derived.needs_review.clone().expect("flagged");
    assert_eq!(
        (conflict.a, conflict.b),
        (vec![approve], vec![reject.clone()])
    );
    assert_eq!(
        conflict.why[0].to_string(),
        "Send back is not possible while the run is Reviewed"
    );
    assert_eq!(next_actions(&run, Role::Manager)[0], RunAction::Reconcile);
    let settle = apply(
        &run,
        RunCommand::Reconcile,
        &manager(),
        "a",
        base.now + 3 * MINUTE,
    )
    .unwrap();
    assert_eq!(
        settle.kind,
        RunEventKind::Reconciled {
            events: vec![reject.id]
        }
    );
    run.events.push(settle);
    assert_eq!(run.derived().needs_review, None);
    assert_eq!(
        apply(
            &run,
            RunCommand::Reconcile,
            &manager(),
            "a",
            base.now + 4 * MINUTE
        ),
        Err(RunTransitionError::NothingToReconcile)
    );
}

#[test]
fn unreadable_events_are_refused_visibly() {
    let mut run = reach(RunStatus::InProgress).run;
    run.events.push(RunEvent {
        id: "b-9".into(),
        kind: RunEventKind::Unreadable {
            kind: "submitted".into(),
            field: "points",
        },
        at_ms: T0 + 99 * MINUTE,
        device: "b".into(),
        by: None,
    });
    let derived = run.derived();
    assert_eq!(derived.status(), RunStatus::InProgress);
    assert_eq!(derived.needs_review.map(|c| c.b.len()), Some(1));
}

#[test]
fn two_devices_starting_the_same_run_is_no_conflict() {
    let base = Log::new();
    let start_a = apply(&base.run, RunCommand::Start, &tech(), "a", T0 + MINUTE).unwrap();
    let start_b = apply(
        &base.run,
        RunCommand::Start,
        &manager(),
        "b",
        T0 + 2 * MINUTE,
    )
    .unwrap();
    let mut run = base.run;
    run.events.extend([start_b, start_a]);
    let derived = run.derived();
    assert_eq!(derived.status(), RunStatus::InProgress);
    assert_eq!(derived.needs_review, None);
    assert_eq!(
        apply(&run, RunCommand::Start, &tech(), "a", T0 + 3 * MINUTE),
        Err(RunTransitionError::NotAllowed {
            action: RunAction::Start,
            status: RunStatus::InProgress
        })
    );
}

proptest! {
    /// Whatever order a merge leaves the events in, every device derives the same.
    #[test]
    fn derived_status_does_not_depend_on_event_order(
        picks in proptest::collection::vec((0usize..6, 0u8..3, 0i64..6), 1..10),
        seed in any::<u64>(),
    ) {
        let base = reach(RunStatus::Submitted);
        let mut run = base.run.clone();
        for (n, (action, device, minutes)) in picks.into_iter().enumerate() {
            let action = [RunAction::Approve, RunAction::Reject, RunAction::Reopen,
                RunAction::Close, RunAction::Submit, RunAction::Start][action];
            let kind = apply(&base.run, command(action), &manager(), "x", 0)
                .map(|e| e.kind)
                .unwrap_or(match action {
                    RunAction::Close => RunEventKind::Closed,
                    RunAction::Start => RunEventKind::Started,
                    _ => RunEventKind::Submitted { score: Score::default(), signature: None },
                });
            run.events.push(RunEvent {
                id: format!("{device}-{n}"),
                kind,
                at_ms: base.now + minutes * MINUTE,
                device: format!("{device}"),
                by: Some(manager()),
            });
        }
        let expected = run.derived();
        let mut shuffled = run.events.clone();
        let len = shuffled.len();
        for i in 0..len {
            let j = (seed.wrapping_mul(i as u64 + 7).rotate_left(i as u32) % len as u64) as usize;
            shuffled.swap(i, j);
        }
        run.events = shuffled;
        prop_assert_eq!(run.derived(), expected);
    }
}
