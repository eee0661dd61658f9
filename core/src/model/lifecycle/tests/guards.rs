//! The guards beyond the status table: what an action needs filled in, the
//! auto-close timeout, the major incident review, unreadable stored events.

use super::*;

#[test]
fn resolving_needs_a_code_and_notes() {
    let log = reach(Status::InProgress);
    let resolve = |code: &str, notes: &str| Command::Resolve {
        code: code.into(),
        notes: notes.into(),
    };
    assert_eq!(
        log.refuse(resolve(" ", "Rebooted")),
        "a resolution needs a resolution code"
    );
    assert_eq!(
        log.refuse(resolve("fixed", "\n")),
        "a resolution needs notes saying what was done"
    );
    assert_eq!(
        log.refuse(resolve("hardware", "Swapped the PSU")),
        "“hardware” is not one of the resolution codes"
    );
    let event = log
        .clone()
        .act(resolve(" fixed ", " Rebooted "))
        .expect("resolved");
    assert_eq!(
        event.kind,
        EventKind::Resolved {
            code: "fixed".into(),
            notes: "Rebooted".into()
        },
        "inputs are trimmed"
    );
}

#[test]
fn assigning_needs_a_group_and_an_empty_assignee_means_nobody_yet() {
    let log = Log::new();
    let command = |group: &str, assignee: &str| Command::Assign {
        group: group.into(),
        assignee: Some(assignee.into()),
    };
    assert_eq!(
        log.refuse(command("  ", "Ana")),
        "an assignment needs a group"
    );
    let event = log.clone().act(command("Network", " ")).expect("assigned");
    assert_eq!(
        event.kind,
        EventKind::Assigned {
            group: "Network".into(),
            assignee: None
        }
    );
}

#[test]
fn closing_needs_a_confirmation_or_the_auto_close_timeout() {
    let log = reach(Status::Resolved);
    assert_eq!(
        log.refuse(Command::Close {
            confirmed_by: " ".into()
        }),
        "closing needs the name of whoever confirmed the resolution"
    );
    let policy = LifecyclePolicy {
        auto_close_after_ms: 60 * MINUTE,
    };
    // The next action comes a minute after resolution: 59 minutes to go.
    assert_eq!(
        log.refuse(Command::auto_close(&policy)),
        "without a confirmation the incident can close only when the auto-close time has passed (59 minutes to go)"
    );
    assert!(!next_actions(&log.events, &policy, log.now + MINUTE).contains(&Action::AutoClose));

    let mut later = log.clone();
    later.now += 60 * MINUTE;
    assert!(next_actions(&later.events, &policy, later.now).contains(&Action::AutoClose));
    let event = later
        .act(Command::auto_close(&policy))
        .expect("auto-closed");
    assert_eq!(
        event.kind,
        EventKind::Closed {
            closure: Closure::AutoClosed {
                after_ms: 60 * MINUTE
            }
        }
    );
    assert_eq!(later.status(), Status::Closed);
}

#[test]
fn a_major_incident_needs_its_review_before_it_closes() {
    let log = reach(Status::InProgress)
        .then(declare_major())
        .then(resolve());
    assert!(log.standing().major);
    assert_eq!(
        log.refuse(close()),
        "a major incident needs its review before it can be closed"
    );
    assert_eq!(
        log.refuse(Command::AutoClose { after_ms: 0 }),
        "a major incident needs its review before it can be closed"
    );
    let policy = LifecyclePolicy::standard();
    assert_eq!(
        next_actions(&log.events, &policy, log.now),
        [
            Action::ReviewMajor,
            Action::Reopen,
            Action::ChangePriority,
            Action::AddNote
        ]
    );
    assert_eq!(
        log.refuse(Command::ReviewMajor { notes: " ".into() }),
        "a major incident review needs notes"
    );
    let reviewed = log.then(review());
    assert!(reviewed.standing().major_reviewed);
    let closed = reviewed.then(close());
    assert_eq!(closed.status(), Status::Closed);

    // Reopening asks for a new review before the next close.
    let again = closed
        .then(reopen())
        .then(Command::StartWork)
        .then(resolve());
    assert_eq!(
        again.refuse(close()),
        "a major incident needs its review before it can be closed"
    );
}

#[test]
fn major_incident_declarations_and_reviews_are_guarded() {
    assert_eq!(
        reach(Status::Resolved).refuse(review()),
        "only a major incident has a major incident review"
    );
    let major = Log::new().then(declare_major());
    assert_eq!(
        major.refuse(declare_major()),
        "the incident is already a major incident"
    );
    assert_eq!(
        Log::new().refuse(Command::DeclareMajor {
            reason: String::new()
        }),
        "Declare major incident needs a reason"
    );
}

#[test]
fn cancelling_and_reopening_need_a_reason_and_cancelled_is_final() {
    let empty = |command: fn(String) -> Command| command("  ".into());
    assert_eq!(
        reach(Status::InProgress).refuse(empty(|reason| Command::Cancel { reason })),
        "Cancel needs a reason"
    );
    assert_eq!(
        reach(Status::Resolved).refuse(empty(|reason| Command::Reopen { reason })),
        "Reopen needs a reason"
    );
    let cancelled = reach(Status::Cancelled);
    assert_eq!(
        next_actions(
            &cancelled.events,
            &LifecyclePolicy::standard(),
            cancelled.now
        ),
        [Action::AddNote]
    );
}

#[test]
fn work_notes_change_nothing_but_cannot_be_empty() {
    for status in ALL_STATUSES {
        let log = reach(status).then(Command::AddNote {
            text: "Spoke to the caller".into(),
        });
        assert_eq!(log.status(), status);
    }
    assert_eq!(
        Log::new().refuse(Command::AddNote { text: " ".into() }),
        "a work note cannot be empty"
    );
}

#[test]
fn a_stored_event_that_cannot_be_read_is_refused_not_ignored() {
    let mut events = reach(Status::InProgress).events;
    events.push(Event {
        id: "b-9".into(),
        kind: EventKind::Unreadable {
            kind: "resolved".into(),
            field: "notes",
        },
        at_ms: T0 + 99 * MINUTE,
        device: "b".into(),
    });
    let derived = derive(&events);
    assert_eq!(derived.status(), Status::InProgress);
    let conflict = derived.needs_review.expect("flagged");
    assert_eq!(
        conflict.why[0].to_string(),
        "a “resolved” event whose notes cannot be read"
    );
    assert!(conflict.a.is_empty(), "nothing made it illegal but itself");
}

#[test]
fn there_is_nothing_to_reconcile_without_a_conflict() {
    assert_eq!(
        Log::new().refuse(Command::Reconcile),
        "there is no conflict to review"
    );
}
