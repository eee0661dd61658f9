//! SLA clocks: a pure function of the event log, a versioned policy, a business
//! calendar and the time now. Never stored, never an editable due date.
//!
//! Two clocks start when the incident is logged (its first event):
//! - **first response** stops at the first assignment or start of work;
//! - **resolution** stops at Resolved and starts again at Reopened (the time in
//!   between does not count).
//!
//! Both pause while the incident is on hold for a reason in the policy's
//! `pause_on`, and while a service request waits for approval (from its
//! `approvalRequested` event to the approval), and end as Cancelled when a cancel comes while they still run. A
//! priority change switches the target and keeps every millisecond already
//! counted and every pause already taken; reassignment resets nothing.
//!
//! Only the events the lifecycle applied count (see
//! [`derive()`]), in evaluation order, so the clocks are
//! the same on every device that holds the same events. Time after `now_ms` is
//! never counted, so a clock never runs backwards as `now_ms` grows.

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use super::calendar::{business_ms_between, BusinessCalendar};
use super::derived::derive;
use super::event::{Event, EventKind, HoldReason};
use super::priority::Priority;

/// A versioned SLA policy: targets per priority and what pauses the clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicy {
    pub version: u32,
    /// Targets for P1 to P4, in that order.
    pub targets: [Targets; 4],
    /// Hold reasons that stop the clocks while they last.
    pub pause_on: BTreeSet<HoldReason>,
}

/// The targets of one priority, in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub first_response_minutes: NonZeroU32,
    pub resolution_minutes: NonZeroU32,
}

/// Where a clock is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockState {
    /// Counting, within target.
    Running,
    /// On hold for a pausing reason, within target.
    Paused,
    /// Stopped within target.
    Met,
    /// Past its target, whether or not it still counts (see [`Clock::counting`]).
    Breached,
    /// The incident was cancelled while the clock ran.
    Cancelled,
}

/// One SLA clock as of `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub state: ClockState,
    /// Whether time still adds to `elapsed_business_ms` (a breached clock may).
    pub counting: bool,
    /// The priority whose target applies: the latest while the clock ran.
    pub priority: Priority,
    pub elapsed_business_ms: i64,
    pub target_ms: i64,
    /// `target_ms - elapsed_business_ms`; negative once breached.
    pub remaining_ms: i64,
    /// Elapsed as a whole percentage of the target (past 100 once breached).
    pub percent_elapsed: u32,
}

/// Both clocks of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaState {
    pub first_response: Clock,
    pub resolution: Clock,
    /// Some event that moves the clocks has not reached the server yet, so
    /// another device's events may still change the result.
    pub provisional: bool,
    /// The policy version the clocks were computed with.
    pub policy_version: u32,
}

impl SlaPolicy {
    /// Fieldbook's default (version 1). Minutes are business minutes.
    ///
    /// | priority | first response | resolution |
    /// |---|---|---|
    /// | P1 | 15 | 240 |
    /// | P2 | 30 | 480 |
    /// | P3 | 240 | 1 440 |
    /// | P4 | 480 | 2 400 |
    ///
    /// Pauses while awaiting the caller or a vendor.
    pub fn standard() -> SlaPolicy {
        let t = |first: u32, resolution: u32| Targets {
            first_response_minutes: NonZeroU32::new(first).unwrap_or(NonZeroU32::MIN),
            resolution_minutes: NonZeroU32::new(resolution).unwrap_or(NonZeroU32::MIN),
        };
        SlaPolicy {
            version: 1,
            targets: [t(15, 240), t(30, 480), t(240, 1_440), t(480, 2_400)],
            pause_on: [HoldReason::AwaitingCaller, HoldReason::AwaitingVendor].into(),
        }
    }

    /// The targets of a priority.
    pub fn targets(&self, priority: Priority) -> Targets {
        self.targets[usize::from(priority.rank() - 1)]
    }
}

/// The SLA clocks of an incident as of `now_ms`.
///
/// - `initial_priority`: the priority before the first `PriorityChanged` event.
///   Documents written by this version record one at creation, so it matters
///   only for older ones (`Incident::sla` passes the incident's current priority).
/// - `confirmed`: whether the server has seen an event (for example, its id is
///   in `doc::incident::confirmed_event_ids`); any unconfirmed event that moves
///   a clock makes the result provisional.
pub fn sla_state(
    events: &[Event],
    initial_priority: Priority,
    policy: &SlaPolicy,
    calendar: &BusinessCalendar,
    now_ms: i64,
    confirmed: impl Fn(&Event) -> bool,
) -> SlaState {
    let applied = derive(events).applied;
    let mut first = Meter::new(initial_priority);
    let mut resolution = Meter::new(initial_priority);
    let span = Span { calendar, now_ms };
    for event in &applied {
        let at = event.at_ms;
        first.start(at);
        resolution.start(at);
        match &event.kind {
            EventKind::Assigned { .. } | EventKind::WorkStarted => {
                first.stop(at, &span);
                // Reassignment ends a hold; it restarts nothing else.
                resolution.resume(at);
            }
            EventKind::Held { reason } if policy.pause_on.contains(reason) => {
                first.pause(at, &span);
                resolution.pause(at, &span);
            }
            EventKind::Resumed | EventKind::Approved { .. } => {
                first.resume(at);
                resolution.resume(at);
            }
            // A service request's clocks wait for its approval.
            EventKind::ApprovalRequested => {
                first.pause(at, &span);
                resolution.pause(at, &span);
            }
            EventKind::Resolved { .. } => {
                first.stop(at, &span);
                resolution.stop(at, &span);
            }
            EventKind::Reopened { .. } => resolution.restart(at),
            EventKind::Cancelled { .. } | EventKind::ApprovalRefused { .. } => {
                first.cancel(at, &span);
                resolution.cancel(at, &span);
            }
            EventKind::PriorityChanged { priority, .. } => {
                first.reprioritise(*priority);
                resolution.reprioritise(*priority);
            }
            _ => {}
        }
    }
    let provisional = applied
        .iter()
        .any(|e| moves_clocks(&e.kind) && !confirmed(e));
    SlaState {
        first_response: first.read(&span, |t| t.first_response_minutes, policy),
        resolution: resolution.read(&span, |t| t.resolution_minutes, policy),
        provisional,
        policy_version: policy.version,
    }
}

/// Whether an event of this kind can start, stop, pause or retarget a clock.
fn moves_clocks(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Created
            | EventKind::Assigned { .. }
            | EventKind::WorkStarted
            | EventKind::Held { .. }
            | EventKind::Resumed
            | EventKind::Resolved { .. }
            | EventKind::Reopened { .. }
            | EventKind::Cancelled { .. }
            | EventKind::PriorityChanged { .. }
            | EventKind::ApprovalRequested
            | EventKind::Approved { .. }
            | EventKind::ApprovalRefused { .. }
    )
}

/// Counts business time, never past now.
struct Span<'a> {
    calendar: &'a BusinessCalendar,
    now_ms: i64,
}

impl Span<'_> {
    fn between(&self, from: i64, to: i64) -> i64 {
        business_ms_between(self.calendar, from, to.min(self.now_ms))
    }
}

/// One clock while the log is walked.
struct Meter {
    started: bool,
    /// Since when it counts, while it does.
    counting_from: Option<i64>,
    elapsed_ms: i64,
    paused: bool,
    stopped: bool,
    cancelled: bool,
    priority: Priority,
}

impl Meter {
    fn new(priority: Priority) -> Meter {
        Meter {
            started: false,
            counting_from: None,
            elapsed_ms: 0,
            paused: false,
            stopped: false,
            cancelled: false,
            priority,
        }
    }

    fn live(&self) -> bool {
        self.started && !self.stopped && !self.cancelled
    }

    fn start(&mut self, at: i64) {
        if !self.started {
            self.started = true;
            self.counting_from = Some(at);
        }
    }

    fn settle(&mut self, at: i64, span: &Span<'_>) {
        if let Some(from) = self.counting_from.take() {
            self.elapsed_ms = self.elapsed_ms.saturating_add(span.between(from, at));
        }
    }

    fn pause(&mut self, at: i64, span: &Span<'_>) {
        if self.live() && !self.paused {
            self.settle(at, span);
            self.paused = true;
        }
    }

    fn resume(&mut self, at: i64) {
        if self.live() && self.paused {
            self.paused = false;
            self.counting_from = Some(at);
        }
    }

    fn stop(&mut self, at: i64, span: &Span<'_>) {
        if self.live() {
            self.settle(at, span);
            self.stopped = true;
            self.paused = false;
        }
    }

    fn restart(&mut self, at: i64) {
        if self.started && self.stopped && !self.cancelled {
            self.stopped = false;
            self.counting_from = Some(at);
        }
    }

    fn cancel(&mut self, at: i64, span: &Span<'_>) {
        if self.live() {
            self.settle(at, span);
            self.cancelled = true;
            self.paused = false;
        }
    }

    fn reprioritise(&mut self, priority: Priority) {
        if !self.started || self.live() {
            self.priority = priority;
        }
    }

    fn read(
        mut self,
        span: &Span<'_>,
        minutes: impl Fn(Targets) -> NonZeroU32,
        policy: &SlaPolicy,
    ) -> Clock {
        let counting = self.counting_from.is_some();
        self.settle(span.now_ms, span);
        let target_ms = i64::from(minutes(policy.targets(self.priority)).get()) * 60_000;
        let elapsed = self.elapsed_ms;
        let state = if self.cancelled {
            ClockState::Cancelled
        } else if elapsed > target_ms {
            ClockState::Breached
        } else if self.stopped {
            ClockState::Met
        } else if self.paused {
            ClockState::Paused
        } else {
            ClockState::Running
        };
        let percent = i128::from(elapsed.max(0)) * 100 / i128::from(target_ms);
        Clock {
            state,
            counting,
            priority: self.priority,
            elapsed_business_ms: elapsed,
            target_ms,
            remaining_ms: target_ms.saturating_sub(elapsed),
            percent_elapsed: u32::try_from(percent).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests;
