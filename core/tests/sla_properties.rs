//! Laws of the SLA clocks, over generated incident and service request logs
//! (single device and two devices that worked offline from a common point;
//! service requests start waiting for a manager's approval):
//!
//! 1. elapsed business time never decreases as `now` grows;
//! 2. a hold for a pausing reason, added inside a stretch of work, never adds time
//!    (and one for a non-pausing reason changes nothing);
//! 3. the result does not depend on the order in which events arrive.

use fieldbook_core::model::access::Role;
use fieldbook_core::model::action::{apply, next_actions, Action, Command, LifecyclePolicy};
use fieldbook_core::model::calendar::{BusinessCalendar, Hours};
use fieldbook_core::model::date::Date;
use fieldbook_core::model::derived::derive;
use fieldbook_core::model::event::{Event, EventKind, HoldReason};
use fieldbook_core::model::incident::Status;
use fieldbook_core::model::priority::{Impact, Priority, PriorityMatrix, Urgency};
use fieldbook_core::model::sla::{sla_state, SlaPolicy, SlaState};
use proptest::prelude::*;

const MINUTE: i64 = 60_000;
/// Friday 2024-01-05 16:00 UTC, so logs cross a weekend and the holiday below.
const T0: i64 = 1_704_470_400_000;

/// One generated step: which action, minutes after the previous step, which device.
type Step = (u8, u32, bool);

/// The command for one of the actions a person could take now; `choice` picks
/// the action and its details. Cancelling is kept rare so logs grow long.
fn command(events: &[Event], now: i64, choice: u8) -> Option<Command> {
    let policy = LifecyclePolicy {
        auto_close_after_ms: 3 * 1_440 * MINUTE,
    };
    let actions: Vec<Action> = next_actions(events, &policy, now)
        .into_iter()
        .filter(|a| *a != Action::Cancel || choice.is_multiple_of(16))
        .collect();
    let action = *actions.get(usize::from(choice) % actions.len().max(1))?;
    let text = |s: &str| s.to_owned();
    let reasons = HoldReason::ALL;
    Some(match action {
        Action::Assign => Command::Assign {
            group: text("Desk"),
            assignee: None,
        },
        Action::StartWork => Command::StartWork,
        Action::Hold => Command::Hold(reasons[usize::from(choice / 16) % reasons.len()]),
        Action::Resume => Command::Resume,
        Action::Resolve => Command::Resolve {
            code: text("fixed"),
            notes: text("done"),
        },
        Action::Close => Command::Close {
            confirmed_by: text("Caller"),
        },
        Action::AutoClose => Command::auto_close(&policy),
        Action::Reopen => Command::Reopen {
            reason: text("again"),
        },
        Action::Cancel => Command::Cancel {
            reason: text("duplicate"),
        },
        Action::DeclareMajor => Command::DeclareMajor {
            reason: text("site down"),
        },
        Action::ReviewMajor => Command::ReviewMajor {
            notes: text("reviewed"),
        },
        Action::ChangePriority => {
            let level = i64::from(choice / 64) + 1;
            let impact = Impact::parse(level).ok()?;
            let urgency = Urgency::parse(level).ok()?;
            Command::change_priority(&PriorityMatrix::standard(), impact, urgency)
        }
        Action::AddNote => Command::AddNote { text: text("note") },
        Action::Reconcile => Command::Reconcile,
        Action::Approve => Command::Approve {
            by: text("Mia"),
            role: Role::Manager,
        },
        Action::RefuseApproval => Command::RefuseApproval {
            by: text("Mia"),
            role: Role::Manager,
            reason: text("no budget"),
        },
        Action::RequestApproval => return None,
    })
}

fn created() -> Vec<Event> {
    vec![Event {
        id: "a-0".into(),
        kind: EventKind::Created,
        at_ms: T0,
        device: "a".into(),
    }]
}

/// How a log starts: an incident, or a service request waiting for approval.
fn logged(request: bool) -> Vec<Event> {
    let mut events = created();
    if request {
        events.push(Event {
            id: "a-1".into(),
            kind: EventKind::ApprovalRequested,
            at_ms: T0,
            device: "a".into(),
        });
    }
    events
}

/// Applies the steps that the lifecycle accepts, skipping the rest; returns the
/// new events and the time of the last step.
fn extend(log: &[Event], steps: &[Step], start: i64) -> (Vec<Event>, i64) {
    let mut all = log.to_vec();
    let mut added = Vec::new();
    let mut now = start;
    for &(op, gap, on_b) in steps {
        now += i64::from(gap) * MINUTE;
        let device = if on_b { "b" } else { "a" };
        let Some(command) = command(&all, now, op) else {
            continue;
        };
        if let Ok(event) = apply(&all, command, device, now) {
            all.push(event.clone());
            added.push(event);
        }
    }
    (added, now)
}

fn calendar() -> BusinessCalendar {
    let hours = Hours::new((8, 0), (18, 0)).expect("hours");
    let holiday = "2024-01-08".parse::<Date>().expect("date");
    BusinessCalendar::weekdays(60, hours, [holiday]).expect("calendar")
}

fn sla(events: &[Event], now: i64) -> SlaState {
    sla_state(
        events,
        Priority::P3,
        &SlaPolicy::standard(),
        &calendar(),
        now,
        |_| true,
    )
}

fn steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec((any::<u8>(), 0u32..900, any::<bool>()), 0..max)
}

/// A common prefix, then two devices each working offline, merged.
fn merged_log() -> impl Strategy<Value = Vec<Event>> {
    (steps(12), steps(8), steps(8), any::<bool>()).prop_map(|(prefix, a, b, request)| {
        let (common, end) = extend(&logged(request), &prefix, T0);
        let base: Vec<Event> = logged(request).into_iter().chain(common).collect();
        let only_a: Vec<Step> = a.into_iter().map(|(op, gap, _)| (op, gap, false)).collect();
        let only_b: Vec<Step> = b.into_iter().map(|(op, gap, _)| (op, gap, true)).collect();
        let (from_a, _) = extend(&base, &only_a, end);
        let (from_b, _) = extend(&base, &only_b, end);
        base.into_iter().chain(from_a).chain(from_b).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn elapsed_never_decreases_as_now_grows(
        events in merged_log(),
        a in -2_000i64..40_000,
        b in -2_000i64..40_000,
    ) {
        let (early, late) = (T0 + a.min(b) * MINUTE, T0 + a.max(b) * MINUTE);
        let (x, y) = (sla(&events, early), sla(&events, late));
        prop_assert!(x.first_response.elapsed_business_ms <= y.first_response.elapsed_business_ms);
        prop_assert!(x.resolution.elapsed_business_ms <= y.resolution.elapsed_business_ms);
        prop_assert!(x.resolution.elapsed_business_ms >= 0);
    }

    #[test]
    fn a_pausing_hold_inside_work_never_adds_time(
        steps in steps(20),
        pick in any::<prop::sample::Index>(),
        cut in 0.0f64..1.0,
        length in 0.0f64..1.0,
        now in 0i64..60_000,
        pausing in any::<bool>(),
    ) {
        let (added, _) = extend(&created(), &steps, T0);
        let events: Vec<Event> = created().into_iter().chain(added).collect();
        // Stretches of work: from an event after which the incident is in
        // progress to the next applied event (or a week later).
        let applied = derive(&events).applied;
        let mut stretches = Vec::new();
        for (i, event) in applied.iter().enumerate() {
            if derive(&applied[..=i]).status() == Status::InProgress {
                let end = applied.get(i + 1).map_or(event.at_ms + 7 * 1_440 * MINUTE, |e| e.at_ms);
                if end - event.at_ms > 2 {
                    stretches.push((event.at_ms, end));
                }
            }
        }
        prop_assume!(!stretches.is_empty());
        let (from, to) = stretches[pick.index(stretches.len())];
        let span = (to - from - 2) as f64;
        let t1 = from + 1 + (span * cut) as i64;
        let t2 = t1 + 1 + ((to - 1 - t1 - 1) as f64 * length) as i64;
        prop_assume!(from < t1 && t1 < t2 && t2 < to);
        let reason = if pausing { HoldReason::AwaitingCaller } else { HoldReason::AwaitingChange };
        let mut with_hold = events.clone();
        for (id, at_ms, kind) in [
            ("z-1", t1, EventKind::Held { reason }),
            ("z-2", t2, EventKind::Resumed),
        ] {
            with_hold.push(Event { id: id.into(), kind, at_ms, device: "z".into() });
        }
        prop_assert_eq!(derive(&with_hold).needs_review, None);
        let now = T0 + now * MINUTE;
        let (before, after) = (sla(&events, now), sla(&with_hold, now));
        if pausing {
            prop_assert!(after.resolution.elapsed_business_ms <= before.resolution.elapsed_business_ms);
            prop_assert!(after.first_response.elapsed_business_ms <= before.first_response.elapsed_business_ms);
        } else {
            prop_assert_eq!(after.resolution.elapsed_business_ms, before.resolution.elapsed_business_ms);
            prop_assert_eq!(after.first_response, before.first_response);
        }
    }

    #[test]
    fn results_do_not_depend_on_arrival_order(
        (events, shuffled) in merged_log().prop_flat_map(|e| (Just(e.clone()), Just(e).prop_shuffle())),
        now in 0i64..40_000,
    ) {
        let now = T0 + now * MINUTE;
        prop_assert_eq!(derive(&events), derive(&shuffled));
        prop_assert_eq!(sla(&events, now), sla(&shuffled, now));
    }
}
