//! Service requests that wait for a manager's approval (8.6.2): nobody works
//! one before it is approved, only a manager or admin approves or refuses, and a
//! refusal ends it with the manager's reason.

use super::*;
use crate::model::calendar::{BusinessCalendar, Hours};
use crate::model::priority::Priority;
use crate::model::sla::{sla_state, ClockState, SlaPolicy};

#[test]
fn a_request_waits_for_approval_before_anyone_assigns_or_works_it() {
    let log = Log::request();
    assert_eq!(log.status(), Status::AwaitingApproval);
    assert_eq!(log.standing().approval, Some(Approval::Pending));
    assert_eq!(
        log.refuse(assign()),
        "Assign is not possible while the incident is Awaiting approval"
    );
    assert_eq!(
        log.refuse(Command::StartWork),
        "Start work is not possible while the incident is Awaiting approval"
    );
    let approved = log.then(approve());
    assert_eq!(approved.status(), Status::New);
    assert_eq!(
        approved.standing().approval,
        Some(Approval::Given {
            by: "Mia Manager".into()
        })
    );
    let worked = approved
        .then(assign())
        .then(Command::StartWork)
        .then(resolve())
        .then(close());
    assert_eq!(worked.status(), Status::Closed);
    assert_eq!(
        worked.refuse(approve()),
        "Approve is not possible while the incident is Closed",
        "an approval is given once"
    );
}

#[test]
fn a_refusal_ends_the_request_with_the_managers_reason() {
    let log = Log::request();
    let refuse_with = |reason: &str| Command::RefuseApproval {
        by: "Mia Manager".into(),
        role: Role::Manager,
        reason: reason.into(),
    };
    assert_eq!(log.refuse(refuse_with("  ")), "Refuse needs a reason");
    let refused = log.then(refuse());
    assert_eq!(refused.status(), Status::Cancelled);
    assert_eq!(
        refused.standing().approval,
        Some(Approval::Refused {
            by: "Mia Manager".into(),
            reason: "Not in this year's budget".into()
        })
    );
    assert_eq!(
        refused.refuse(approve()),
        "Approve is not possible while the incident is Cancelled"
    );
}

#[test]
fn only_a_manager_or_admin_approves_or_refuses() {
    let log = Log::request();
    for role in [Role::Technician, Role::Auditor] {
        let by = |role| Command::Approve {
            by: "Tom".into(),
            role,
        };
        let words = format!(
            "a service request is approved or refused by a manager, not by {}",
            if role == Role::Technician {
                "a technician"
            } else {
                "an auditor"
            }
        );
        assert_eq!(log.refuse(by(role)), words);
        assert!(!Action::Approve.offered_to(role));
        assert!(!Action::RefuseApproval.offered_to(role));
        assert!(Action::Cancel.offered_to(role));
    }
    for role in [Role::Manager, Role::Admin] {
        assert!(Action::Approve.offered_to(role));
        let approved = log.clone().then(Command::Approve {
            by: "Ann".into(),
            role,
        });
        assert_eq!(approved.status(), Status::New, "{role}");
    }
    assert_eq!(
        log.refuse(Command::Approve {
            by: " ".into(),
            role: Role::Manager
        }),
        "an approval needs the name of the manager giving it"
    );
}

#[test]
fn a_technicians_approval_stored_by_a_device_that_skipped_the_check_is_refused_on_replay() {
    let mut log = Log::request();
    log.events.push(Event {
        id: "x-2".into(),
        kind: EventKind::Approved {
            by: "Tom".into(),
            role: Role::Technician,
        },
        at_ms: T0 + MINUTE,
        device: "x".into(),
    });
    let derived = derive(&log.events);
    assert_eq!(derived.status(), Status::AwaitingApproval);
    assert!(
        derived.needs_review.is_some(),
        "the forged approval is shown"
    );
}

#[test]
fn the_requester_may_still_withdraw_a_waiting_request() {
    let withdrawn = Log::request().then(cancel());
    assert_eq!(withdrawn.status(), Status::Cancelled);
    assert_eq!(withdrawn.standing().approval, Some(Approval::Pending));
}

#[test]
fn two_managers_deciding_differently_offline_need_review() {
    let base = Log::request();
    let mut a = base.clone();
    a.act(approve()).expect("approved");
    let mut b = base.clone();
    b.now += 2 * MINUTE;
    b.act(refuse()).expect("refused");
    let mut merged = base.events.clone();
    merged.extend(a.events[base.events.len()..].iter().cloned());
    merged.extend(b.events[base.events.len()..].iter().cloned().map(|mut e| {
        e.device = "b".into();
        e.id = format!("b-{}", e.id);
        e
    }));
    let derived = derive(&merged);
    assert_eq!(derived.status(), Status::New, "the earlier decision stands");
    assert!(derived.needs_review.is_some(), "the later one is shown");
}

#[test]
fn the_sla_clocks_wait_for_the_approval() {
    // Monday 08:00 UTC; business hours 08:00–18:00 every weekday, no holidays.
    let hours = Hours::new((8, 0), (18, 0)).expect("hours");
    let calendar = BusinessCalendar::weekdays(0, hours, []).expect("calendar");
    let policy = SlaPolicy::standard();
    let mut log = Log::request();
    log.now = T0 + 119 * MINUTE; // `act` stamps a minute later: approved at 10:00
    log.act(approve()).expect("approved");
    let state = |now| sla_state(&log.events, Priority::P3, &policy, &calendar, now, |_| true);
    let at_approval = state(T0 + 120 * MINUTE);
    assert_eq!(at_approval.first_response.elapsed_business_ms, 0);
    assert_eq!(at_approval.resolution.elapsed_business_ms, 0);
    let later = state(T0 + 150 * MINUTE);
    assert_eq!(later.first_response.state, ClockState::Running);
    assert_eq!(later.resolution.elapsed_business_ms, 30 * MINUTE);
    let waiting = sla_state(
        &Log::request().events,
        Priority::P3,
        &policy,
        &calendar,
        T0 + 600 * MINUTE,
        |_| true,
    );
    assert_eq!(waiting.resolution.state, ClockState::Paused);
    assert_eq!(waiting.resolution.elapsed_business_ms, 0);
}
