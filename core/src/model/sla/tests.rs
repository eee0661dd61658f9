//! The SLA clocks on small, hand-timed logs.

use super::*;
use crate::model::action::{apply, Command};
use crate::model::calendar::Hours;
use crate::model::date::Date;
use crate::model::priority::{Impact, PriorityMatrix, Urgency};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// Monday 2024-01-01 08:00 UTC.
const T0: i64 = 1_704_096_000_000;

/// A log on one device; times are minutes after T0.
struct Log {
    events: Vec<Event>,
}

impl Log {
    /// Logged at T0 with priority `p` (impact and urgency chosen to give it).
    fn new(p: Priority) -> Log {
        let created = Event {
            id: "a-0".into(),
            kind: EventKind::Created,
            at_ms: T0,
            device: "a".into(),
        };
        let mut log = Log {
            events: vec![created],
        };
        log.events
            .push(apply(&log.events, priority(p), "a", T0).expect("priority is always legal"));
        log
    }

    fn at(mut self, minutes: i64, command: Command) -> Log {
        let label = format!("{command:?}");
        match apply(&self.events, command, "a", T0 + minutes * MINUTE) {
            Ok(event) => self.events.push(event),
            Err(e) => panic!("{label} refused: {e}"),
        }
        self
    }

    fn started(self, minutes: i64) -> Log {
        self.at(minutes, assign())
            .at(minutes + 1, Command::StartWork)
    }

    fn sla(&self, calendar: &BusinessCalendar, now_minutes: i64) -> SlaState {
        sla_state(
            &self.events,
            Priority::P4,
            &SlaPolicy::standard(),
            calendar,
            T0 + now_minutes * MINUTE,
            |_| true,
        )
    }

    fn sla_always(&self, now_minutes: i64) -> SlaState {
        self.sla(&BusinessCalendar::always(), now_minutes)
    }
}

fn priority(p: Priority) -> Command {
    let (i, u) = match p {
        Priority::P1 => (1, 1),
        Priority::P2 => (2, 2),
        Priority::P3 => (3, 3),
        Priority::P4 => (4, 4),
    };
    let level = |n| {
        (
            Impact::parse(n).expect("impact"),
            Urgency::parse(n).expect("urgency"),
        )
    };
    let (impact, urgency) = (level(i).0, level(u).1);
    Command::change_priority(&PriorityMatrix::standard(), impact, urgency)
}

fn assign() -> Command {
    Command::Assign {
        group: "Desk".into(),
        assignee: None,
    }
}

fn resolve() -> Command {
    Command::Resolve {
        code: "fixed".into(),
        notes: "Swapped the PSU".into(),
    }
}

fn hold(reason: HoldReason) -> Command {
    Command::Hold(reason)
}

#[test]
fn a_clock_runs_from_creation_with_its_percentage_and_remaining_time() {
    let sla = Log::new(Priority::P2).sla_always(10);
    let first = sla.first_response;
    assert_eq!(first.state, ClockState::Running);
    assert!(first.counting);
    assert_eq!(first.priority, Priority::P2);
    assert_eq!(first.elapsed_business_ms, 10 * MINUTE);
    assert_eq!(first.target_ms, 30 * MINUTE);
    assert_eq!(first.remaining_ms, 20 * MINUTE);
    assert_eq!(first.percent_elapsed, 33);
    assert_eq!(sla.policy_version, 1);
    assert!(!sla.provisional);
}

#[test]
fn first_response_is_met_by_the_first_assignment() {
    let sla = Log::new(Priority::P2).at(12, assign()).sla_always(300);
    assert_eq!(sla.first_response.state, ClockState::Met);
    assert!(!sla.first_response.counting);
    assert_eq!(sla.first_response.elapsed_business_ms, 12 * MINUTE);
    assert_eq!(sla.resolution.state, ClockState::Running);
}

#[test]
fn met_exactly_on_target_is_met_and_a_minute_late_is_breached() {
    let on_time = Log::new(Priority::P2).at(30, assign()).sla_always(60);
    assert_eq!(on_time.first_response.state, ClockState::Met);
    let late = Log::new(Priority::P2).at(31, assign()).sla_always(60);
    assert_eq!(late.first_response.state, ClockState::Breached);
    assert_eq!(late.first_response.remaining_ms, -MINUTE);
}

#[test]
fn a_running_clock_past_its_target_is_breached_and_keeps_counting() {
    // P1: four hours to resolve.
    let sla = Log::new(Priority::P1).started(5).sla_always(5 * 60);
    let resolution = sla.resolution;
    assert_eq!(resolution.state, ClockState::Breached);
    assert!(resolution.counting);
    assert_eq!(resolution.remaining_ms, -HOUR);
    assert_eq!(resolution.percent_elapsed, 125);
}

#[test]
fn resolution_stops_at_resolved_and_holds_for_a_pausing_reason_do_not_count() {
    let log = Log::new(Priority::P3)
        .started(0)
        .at(60, hold(HoldReason::AwaitingCaller))
        .at(180, Command::Resume)
        .at(200, resolve());
    let sla = log.sla_always(1_000);
    assert_eq!(sla.resolution.state, ClockState::Met);
    // 0..60 and 180..200 count; the two hours on hold do not.
    assert_eq!(sla.resolution.elapsed_business_ms, 80 * MINUTE);
    let paused = log_paused_at(150);
    assert_eq!(paused.resolution.state, ClockState::Paused);
    assert!(!paused.resolution.counting);
}

fn log_paused_at(now_minutes: i64) -> SlaState {
    Log::new(Priority::P3)
        .started(0)
        .at(60, hold(HoldReason::AwaitingVendor))
        .sla_always(now_minutes)
}

#[test]
fn holds_for_a_reason_outside_pause_on_keep_counting() {
    let sla = Log::new(Priority::P3)
        .started(0)
        .at(60, hold(HoldReason::AwaitingChange))
        .sla_always(180);
    assert_eq!(sla.resolution.state, ClockState::Running);
    assert_eq!(sla.resolution.elapsed_business_ms, 180 * MINUTE);
}

#[test]
fn business_hours_skip_a_weekend_and_a_holiday() {
    let hours = Hours::new((8, 0), (18, 0)).expect("hours");
    let monday_off = "2024-01-08".parse::<Date>().expect("date");
    let office = BusinessCalendar::weekdays(0, hours, [monday_off]).expect("calendar");
    // Logged Friday 17:00; seen Tuesday 09:00 after a holiday Monday.
    let friday_17 = 4 * 24 * 60 + 9 * 60;
    let tuesday_9 = 8 * 24 * 60 + 60;
    let mut log = Log::new(Priority::P3);
    for event in &mut log.events {
        event.at_ms += friday_17 * MINUTE;
    }
    let sla = log.sla(&office, tuesday_9);
    assert_eq!(sla.first_response.elapsed_business_ms, 2 * HOUR);
    assert_eq!(
        log.sla_always(tuesday_9).first_response.elapsed_business_ms,
        4 * DAY - 8 * HOUR
    );
}

#[test]
fn a_priority_change_switches_the_target_and_keeps_elapsed_and_paused_time() {
    let before = Log::new(Priority::P3)
        .started(0)
        .at(60, hold(HoldReason::AwaitingCaller))
        .at(180, Command::Resume);
    let after = Log::new(Priority::P3)
        .started(0)
        .at(60, hold(HoldReason::AwaitingCaller))
        .at(180, Command::Resume)
        .at(190, priority(Priority::P1));
    let (old, new) = (before.sla_always(200), after.sla_always(200));
    assert_eq!(old.resolution.elapsed_business_ms, 80 * MINUTE);
    assert_eq!(new.resolution.elapsed_business_ms, 80 * MINUTE);
    assert_eq!(old.resolution.target_ms, 1_440 * MINUTE);
    assert_eq!(new.resolution.target_ms, 240 * MINUTE);
    assert_eq!(new.resolution.priority, Priority::P1);
    assert_eq!(new.resolution.remaining_ms, 160 * MINUTE);
}

#[test]
fn a_priority_change_while_on_hold_keeps_the_pause() {
    let sla = Log::new(Priority::P3)
        .started(0)
        .at(60, hold(HoldReason::AwaitingCaller))
        .at(90, priority(Priority::P2))
        .sla_always(200);
    assert_eq!(sla.resolution.state, ClockState::Paused);
    assert_eq!(sla.resolution.elapsed_business_ms, 60 * MINUTE);
    assert_eq!(sla.resolution.priority, Priority::P2);
}

#[test]
fn reassignment_resets_nothing() {
    let sla = Log::new(Priority::P3)
        .started(1)
        .at(100, assign())
        .sla_always(150);
    assert_eq!(sla.first_response.elapsed_business_ms, MINUTE);
    assert_eq!(sla.first_response.state, ClockState::Met);
    assert_eq!(sla.resolution.elapsed_business_ms, 150 * MINUTE);
}

#[test]
fn reassignment_during_a_hold_ends_the_pause() {
    let sla = Log::new(Priority::P3)
        .started(0)
        .at(60, hold(HoldReason::AwaitingCaller))
        .at(120, assign())
        .sla_always(150);
    assert_eq!(sla.resolution.state, ClockState::Running);
    assert_eq!(sla.resolution.elapsed_business_ms, 90 * MINUTE);
}

#[test]
fn cancelling_cancels_running_clocks_and_keeps_a_met_first_response() {
    let cancel = Command::Cancel {
        reason: "duplicate".into(),
    };
    let early = Log::new(Priority::P3).at(5, cancel.clone()).sla_always(60);
    assert_eq!(early.first_response.state, ClockState::Cancelled);
    assert_eq!(early.resolution.state, ClockState::Cancelled);
    assert_eq!(early.resolution.elapsed_business_ms, 5 * MINUTE);
    let later = Log::new(Priority::P3)
        .started(0)
        .at(30, cancel)
        .sla_always(60);
    assert_eq!(later.first_response.state, ClockState::Met);
    assert_eq!(later.resolution.state, ClockState::Cancelled);
    assert!(!later.resolution.counting);
}

#[test]
fn reopening_resumes_resolution_without_counting_the_time_it_was_resolved() {
    let resolved = Log::new(Priority::P3).started(0).at(60, resolve());
    assert_eq!(resolved.sla_always(120).resolution.state, ClockState::Met);
    let reopened = resolved.at(
        180,
        Command::Reopen {
            reason: "printer jams again".into(),
        },
    );
    let sla = reopened.sla_always(240);
    assert_eq!(sla.resolution.state, ClockState::Running);
    assert_eq!(sla.resolution.elapsed_business_ms, 120 * MINUTE);
}

#[test]
fn a_priority_change_after_resolution_does_not_retarget_a_stopped_clock() {
    let sla = Log::new(Priority::P3)
        .started(0)
        .at(300, resolve())
        .at(400, priority(Priority::P1))
        .sla_always(500);
    assert_eq!(sla.resolution.state, ClockState::Met);
    assert_eq!(sla.resolution.priority, Priority::P3);
}

#[test]
fn unconfirmed_clock_events_make_the_result_provisional() {
    let log = Log::new(Priority::P3).started(0);
    let unconfirmed = log.events.last().expect("events").id.clone();
    let policy = SlaPolicy::standard();
    let cal = BusinessCalendar::always();
    let sla = |confirmed: &dyn Fn(&Event) -> bool| {
        sla_state(&log.events, Priority::P3, &policy, &cal, T0, confirmed)
    };
    assert!(sla(&|e| e.id != unconfirmed).provisional);
    assert!(!sla(&|_| true).provisional);

    let noted = log.at(
        5,
        Command::AddNote {
            text: "on site".into(),
        },
    );
    let note = noted.events.last().expect("events").id.clone();
    let state = sla_state(&noted.events, Priority::P3, &policy, &cal, T0, |e| {
        e.id != note
    });
    assert!(!state.provisional, "a work note moves no clock");
}

#[test]
fn older_documents_without_a_priority_event_use_the_initial_priority() {
    let created = Event {
        id: "a-0".into(),
        kind: EventKind::Created,
        at_ms: T0,
        device: "a".into(),
    };
    let policy = SlaPolicy::standard();
    let cal = BusinessCalendar::always();
    let sla = sla_state(&[created], Priority::P1, &policy, &cal, T0 + MINUTE, |_| {
        true
    });
    assert_eq!(sla.first_response.target_ms, 15 * MINUTE);
    assert_eq!(
        sla_state(&[], Priority::P1, &policy, &cal, T0, |_| true)
            .first_response
            .elapsed_business_ms,
        0
    );
}
