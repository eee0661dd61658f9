//! Every transition, legal and refused, with the words a person sees; the
//! guards beyond the status table are in `guards.rs`.

use super::*;
use crate::model::access::Role;
use crate::model::action::{apply, next_actions, Action, Command, LifecyclePolicy};
use crate::model::derived::derive;
use crate::model::event::{Closure, Event, EventKind, HoldReason};
use crate::model::priority::{Impact, PriorityMatrix, Urgency};

const MINUTE: i64 = 60_000;
const T0: i64 = 1_704_096_000_000; // Monday 2024-01-01 08:00 UTC

/// A log one device builds up, a minute per action.
#[derive(Clone)]
struct Log {
    events: Vec<Event>,
    now: i64,
}

impl Log {
    fn new() -> Log {
        Log {
            events: vec![Event {
                id: "a-0".into(),
                kind: EventKind::Created,
                at_ms: T0,
                device: "a".into(),
            }],
            now: T0,
        }
    }

    /// A service request logged to wait for a manager's approval.
    fn request() -> Log {
        let mut log = Log::new();
        log.events.push(Event {
            id: "a-1".into(),
            kind: EventKind::ApprovalRequested,
            at_ms: T0,
            device: "a".into(),
        });
        log
    }

    fn act(&mut self, command: Command) -> Result<Event, TransitionError> {
        self.now += MINUTE;
        let event = apply(&self.events, command, "a", self.now)?;
        self.events.push(event.clone());
        Ok(event)
    }

    fn then(mut self, command: Command) -> Log {
        let label = format!("{command:?}");
        if let Err(e) = self.act(command) {
            panic!("{label} refused: {e}");
        }
        self
    }

    fn refuse(&self, command: Command) -> String {
        let mut log = self.clone();
        log.act(command).expect_err("refused").to_string()
    }

    fn status(&self) -> Status {
        derive(&self.events).status()
    }

    fn standing(&self) -> Standing {
        derive(&self.events).standing
    }
}

fn assign() -> Command {
    Command::Assign {
        group: "Service desk".into(),
        assignee: Some("Ana".into()),
    }
}

fn resolve() -> Command {
    Command::Resolve {
        code: "fixed".into(),
        notes: "Replaced the toner".into(),
    }
}

fn close() -> Command {
    Command::Close {
        confirmed_by: "Caller".into(),
    }
}

fn reason(command: fn(String) -> Command) -> Command {
    command("logged twice".into())
}

fn cancel() -> Command {
    reason(|reason| Command::Cancel { reason })
}

fn reopen() -> Command {
    reason(|reason| Command::Reopen { reason })
}

fn declare_major() -> Command {
    reason(|reason| Command::DeclareMajor { reason })
}

fn review() -> Command {
    Command::ReviewMajor {
        notes: "Root cause found, comms were slow".into(),
    }
}

/// A log that has reached `status` by the usual path.
fn reach(status: Status) -> Log {
    let log = Log::new();
    match status {
        Status::New => log,
        Status::Assigned => log.then(assign()),
        Status::InProgress => reach(Status::Assigned).then(Command::StartWork),
        Status::OnHold => reach(Status::InProgress).then(Command::Hold(HoldReason::AwaitingVendor)),
        Status::Resolved => reach(Status::InProgress).then(resolve()),
        Status::Closed => reach(Status::Resolved).then(close()),
        Status::Cancelled => log.then(cancel()),
        Status::Reopened => reach(Status::Resolved).then(reopen()),
        Status::AwaitingApproval => Log::request(),
    }
}

const ALL_STATUSES: [Status; 9] = [
    Status::New,
    Status::AwaitingApproval,
    Status::Assigned,
    Status::InProgress,
    Status::OnHold,
    Status::Resolved,
    Status::Closed,
    Status::Cancelled,
    Status::Reopened,
];

/// Each status and the actions legal from it (besides reviews and reconciling,
/// which depend on more than the status).
fn legal_from(status: Status) -> Vec<Action> {
    use Action::*;
    let mut legal = match status {
        Status::New => vec![Assign, Cancel, DeclareMajor],
        Status::AwaitingApproval => vec![Approve, RefuseApproval, Cancel, DeclareMajor],
        Status::Assigned | Status::Reopened => vec![Assign, StartWork, Cancel, DeclareMajor],
        Status::InProgress => vec![Assign, Hold, Resolve, Cancel, DeclareMajor],
        Status::OnHold => vec![Assign, Resume, Cancel, DeclareMajor],
        Status::Resolved => vec![Close, AutoClose, Reopen, DeclareMajor],
        Status::Closed => vec![Reopen],
        Status::Cancelled => vec![],
    };
    legal.extend([ChangePriority, AddNote]);
    legal
}

fn every_command() -> Vec<Command> {
    vec![
        assign(),
        Command::StartWork,
        Command::Hold(HoldReason::AwaitingCaller),
        Command::Resume,
        resolve(),
        close(),
        Command::AutoClose { after_ms: 0 },
        reopen(),
        cancel(),
        declare_major(),
        Command::change_priority(
            &PriorityMatrix::standard(),
            Impact::parse(1).expect("impact"),
            Urgency::parse(1).expect("urgency"),
        ),
        Command::AddNote {
            text: "Called the vendor".into(),
        },
        approve(),
        refuse(),
    ]
}

fn approve() -> Command {
    Command::Approve {
        by: "Mia Manager".into(),
        role: Role::Manager,
    }
}

fn refuse() -> Command {
    Command::RefuseApproval {
        by: "Mia Manager".into(),
        role: Role::Manager,
        reason: "Not in this year's budget".into(),
    }
}

#[test]
fn the_usual_path_from_new_to_closed() {
    let log = Log::new();
    assert_eq!(log.status(), Status::New);
    let log = log.then(assign());
    assert_eq!(log.status(), Status::Assigned);
    assert_eq!(
        log.standing().assignment,
        Some(Assignment {
            group: "Service desk".into(),
            assignee: Some("Ana".into())
        })
    );
    let log = log.then(Command::StartWork);
    assert_eq!(log.status(), Status::InProgress);
    let log = log.then(Command::Hold(HoldReason::AwaitingCaller));
    assert_eq!(log.status(), Status::OnHold);
    assert_eq!(log.standing().hold, Some(HoldReason::AwaitingCaller));
    let log = log.then(Command::Resume);
    assert_eq!(log.status(), Status::InProgress);
    assert_eq!(log.standing().hold, None);
    let log = log.then(resolve());
    assert_eq!(log.status(), Status::Resolved);
    assert_eq!(
        log.standing().resolution,
        Some(Resolution {
            code: "fixed".into(),
            notes: "Replaced the toner".into()
        })
    );
    let log = log.then(close());
    assert_eq!(log.status(), Status::Closed);
}

#[test]
fn every_action_from_every_status_is_legal_exactly_when_the_table_says() {
    for status in ALL_STATUSES {
        let log = reach(status);
        assert_eq!(log.status(), status);
        let legal = legal_from(status);
        for command in every_command() {
            let action = command.action();
            let mut attempt = log.clone();
            match attempt.act(command) {
                Ok(_) => assert!(
                    legal.contains(&action),
                    "{action} from {status} was accepted"
                ),
                Err(e) => {
                    assert!(!legal.contains(&action), "{action} from {status}: {e}");
                    assert_eq!(e, TransitionError::NotAllowed { action, status });
                    assert_eq!(
                        e.to_string(),
                        format!("{action} is not possible while the incident is {status}")
                    );
                }
            }
        }
    }
}

#[test]
fn every_listed_next_action_is_accepted() {
    let policy = LifecyclePolicy {
        auto_close_after_ms: 0,
    };
    for status in ALL_STATUSES {
        let log = reach(status);
        let listed = next_actions(&log.events, &policy, log.now + MINUTE);
        for command in every_command() {
            if listed.contains(&command.action()) {
                assert!(log.clone().act(command).is_ok(), "{status}");
            }
        }
    }
}

#[test]
fn refusals_read_as_sentences() {
    assert_eq!(
        reach(Status::Assigned).refuse(resolve()),
        "Resolve is not possible while the incident is Assigned"
    );
    assert_eq!(
        reach(Status::Cancelled).refuse(reopen()),
        "Reopen is not possible while the incident is Cancelled"
    );
    assert_eq!(
        reach(Status::Closed).refuse(assign()),
        "Assign is not possible while the incident is Closed"
    );
    assert_eq!(
        reach(Status::New).refuse(Command::StartWork),
        "Start work is not possible while the incident is New"
    );
}

#[test]
fn reassignment_is_possible_from_every_open_status_and_ends_a_hold() {
    for status in [
        Status::New,
        Status::Assigned,
        Status::InProgress,
        Status::OnHold,
        Status::Reopened,
    ] {
        let log = reach(status).then(assign());
        assert_eq!(log.status(), Status::Assigned, "from {status}");
        assert_eq!(log.standing().hold, None);
    }
}

#[test]
fn reopened_goes_back_to_in_progress_from_resolved_or_closed() {
    for from in [Status::Resolved, Status::Closed] {
        let log = reach(from).then(reopen());
        assert_eq!(log.status(), Status::Reopened);
        assert_eq!(log.standing().resolution, None);
        assert_eq!(log.then(Command::StartWork).status(), Status::InProgress);
    }
}

#[test]
fn next_actions_put_the_likely_one_first() {
    let policy = LifecyclePolicy::standard();
    let first = |status| {
        let log = reach(status);
        next_actions(&log.events, &policy, log.now).first().copied()
    };
    assert_eq!(first(Status::New), Some(Action::Assign));
    assert_eq!(first(Status::Assigned), Some(Action::StartWork));
    assert_eq!(first(Status::InProgress), Some(Action::Resolve));
    assert_eq!(first(Status::OnHold), Some(Action::Resume));
    assert_eq!(first(Status::Resolved), Some(Action::Close));
    assert_eq!(first(Status::Closed), Some(Action::Reopen));
    assert_eq!(first(Status::Reopened), Some(Action::StartWork));
}

#[test]
fn events_are_stamped_after_the_latest_event_even_when_the_clock_is_behind() {
    let log = reach(Status::Assigned);
    let latest = log.events.iter().map(|e| e.at_ms).max().expect("events");
    let event = apply(&log.events, Command::StartWork, "b", T0 - 3_600_000).expect("ok");
    assert_eq!(event.at_ms, latest + 1);
    assert_eq!(event.device, "b");
    assert_eq!(event.id, format!("b-{}-{}", log.events.len(), latest + 1));
    let on_time = apply(&log.events, Command::StartWork, "b", latest + 5).expect("ok");
    assert_eq!(on_time.at_ms, latest + 5);
}

mod approvals;
mod guards;
