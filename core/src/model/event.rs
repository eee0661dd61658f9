//! One entry of an incident's append-only event log, and the one order in which
//! every device evaluates a log.
//!
//! Events from several offline devices meet in one Automerge list, whose order
//! depends on how the replicas merged. Evaluation therefore never uses list
//! order: [`in_evaluation_order`] sorts by device time, then device, then id, so
//! every replica derives the same status and SLA from the same set of events.

use std::cmp::Ordering;

use super::access::Role;
use super::priority::{Impact, Priority, Urgency};

/// One entry of the append-only event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique within the record (made from the device's actor, the log length and the time).
    pub id: String,
    pub kind: EventKind,
    /// Device time, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The Automerge actor (device) that appended it.
    pub device: String,
}

/// The resolution codes a technician resolves with. A device refuses any other
/// when resolving (`action::apply`); a log written by another version keeps
/// whatever code it holds, and its resolution still stands.
pub const RESOLUTION_CODES: [&str; 7] = [
    "fixed",
    "workaround",
    "replaced",
    "configuration",
    "advice",
    "no-fault",
    "third-party",
];

/// What happened, with what the lifecycle and the SLA need to know about it.
///
/// Kinds this version does not know are kept as `Other` so a newer device's
/// events never break an older one; known kinds whose fields cannot be read are
/// kept as `Unreadable` and refused by the lifecycle, so they are seen, not lost.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// The record was logged.
    Created,
    /// Given to a group and, optionally, a person in it.
    Assigned {
        group: String,
        assignee: Option<String>,
    },
    /// Someone started working on it (this is the first response).
    WorkStarted,
    /// Work waits for someone else.
    Held { reason: HoldReason },
    /// Work goes on after a hold.
    Resumed,
    /// Fixed, as far as the technician knows.
    Resolved { code: String, notes: String },
    /// Done for good, by confirmation or after the auto-close timeout.
    Closed { closure: Closure },
    /// It was not fixed after all.
    Reopened { reason: String },
    /// Not to be worked (duplicate, logged by mistake, …).
    Cancelled { reason: String },
    /// Declared a major incident.
    MajorDeclared { reason: String },
    /// The major incident review was recorded.
    MajorReviewed { notes: String },
    /// Impact or urgency changed; `priority` is what the incident's matrix made of them.
    PriorityChanged {
        impact: Impact,
        urgency: Urgency,
        priority: Priority,
    },
    /// A work note. Changes nothing but the record of what was done.
    WorkNote { text: String },
    /// A person reviewed a conflict and accepts that these refused events stay refused.
    Reconciled { events: Vec<String> },
    /// A service request waits for a manager's approval before it is worked.
    ApprovalRequested,
    /// A manager (or admin) approved the service request; work may start.
    Approved { by: String, role: Role },
    /// A manager (or admin) refused the service request; it is not worked.
    ApprovalRefused {
        by: String,
        role: Role,
        reason: String,
    },
    /// A known kind whose `field` is missing or malformed.
    Unreadable { kind: String, field: &'static str },
    /// A kind this version does not know.
    Other(String),
}

/// What an incident on hold waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HoldReason {
    AwaitingCaller,
    AwaitingVendor,
    AwaitingChange,
    AwaitingProblem,
}

/// How an incident came to be closed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Closure {
    /// Someone (usually the caller) confirmed the resolution.
    Confirmed { by: String },
    /// Nobody answered within the auto-close timeout, `after_ms` after resolution.
    AutoClosed { after_ms: i64 },
}

impl EventKind {
    /// The kind's name as stored in the document.
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::Created => "created",
            EventKind::Assigned { .. } => "assigned",
            EventKind::WorkStarted => "workStarted",
            EventKind::Held { .. } => "held",
            EventKind::Resumed => "resumed",
            EventKind::Resolved { .. } => "resolved",
            EventKind::Closed { .. } => "closed",
            EventKind::Reopened { .. } => "reopened",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::MajorDeclared { .. } => "majorDeclared",
            EventKind::MajorReviewed { .. } => "majorReviewed",
            EventKind::PriorityChanged { .. } => "priorityChanged",
            EventKind::WorkNote { .. } => "note",
            EventKind::Reconciled { .. } => "reconciled",
            EventKind::ApprovalRequested => "approvalRequested",
            EventKind::Approved { .. } => "approved",
            EventKind::ApprovalRefused { .. } => "approvalRefused",
            EventKind::Unreadable { kind, .. } => kind,
            EventKind::Other(kind) => kind,
        }
    }

    /// A short phrase for the history view.
    pub fn label(&self) -> &str {
        match self {
            EventKind::Created => "Logged",
            EventKind::Assigned { .. } => "Assigned",
            EventKind::WorkStarted => "Work started",
            EventKind::Held { .. } => "Put on hold",
            EventKind::Resumed => "Resumed",
            EventKind::Resolved { .. } => "Resolved",
            EventKind::Closed { .. } => "Closed",
            EventKind::Reopened { .. } => "Reopened",
            EventKind::Cancelled { .. } => "Cancelled",
            EventKind::MajorDeclared { .. } => "Declared a major incident",
            EventKind::MajorReviewed { .. } => "Major incident reviewed",
            EventKind::PriorityChanged { .. } => "Priority changed",
            EventKind::WorkNote { .. } => "Work note",
            EventKind::Reconciled { .. } => "Conflict reviewed",
            EventKind::ApprovalRequested => "Approval requested",
            EventKind::Approved { .. } => "Approved",
            EventKind::ApprovalRefused { .. } => "Approval refused",
            EventKind::Unreadable { kind, .. } => kind,
            EventKind::Other(kind) => kind,
        }
    }
}

impl HoldReason {
    /// Every reason, in the order a form offers them.
    pub const ALL: [HoldReason; 4] = [
        HoldReason::AwaitingCaller,
        HoldReason::AwaitingVendor,
        HoldReason::AwaitingChange,
        HoldReason::AwaitingProblem,
    ];

    /// The reason as stored in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldReason::AwaitingCaller => "caller",
            HoldReason::AwaitingVendor => "vendor",
            HoldReason::AwaitingChange => "change",
            HoldReason::AwaitingProblem => "problem",
        }
    }

    /// The stored form back into a reason.
    pub fn parse(text: &str) -> Option<HoldReason> {
        HoldReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The reason as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            HoldReason::AwaitingCaller => "Awaiting caller",
            HoldReason::AwaitingVendor => "Awaiting vendor",
            HoldReason::AwaitingChange => "Awaiting change",
            HoldReason::AwaitingProblem => "Awaiting problem",
        }
    }
}

impl Event {
    /// The evaluation order: device time, then device, then id (then kind, so that
    /// even malformed duplicates sort the same everywhere).
    pub fn evaluation_order(&self, other: &Event) -> Ordering {
        (self.at_ms, &self.device, &self.id, &self.kind).cmp(&(
            other.at_ms,
            &other.device,
            &other.id,
            &other.kind,
        ))
    }
}

/// The events, sorted into the order every device evaluates them in.
pub fn in_evaluation_order(events: &[Event]) -> Vec<Event> {
    let mut sorted = events.to_vec();
    sorted.sort_by(Event::evaluation_order);
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: &str, device: &str, at_ms: i64) -> Event {
        Event {
            id: id.into(),
            kind: EventKind::WorkStarted,
            at_ms,
            device: device.into(),
        }
    }

    #[test]
    fn evaluation_order_is_time_then_device_then_id() {
        let events = [
            at("b-1", "b", 5),
            at("a-2", "a", 5),
            at("a-1", "a", 5),
            at("z", "z", 1),
        ];
        let ids: Vec<_> = in_evaluation_order(&events)
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, ["z", "a-1", "a-2", "b-1"]);
    }

    #[test]
    fn hold_reasons_round_trip_through_their_stored_form() {
        for reason in HoldReason::ALL {
            assert_eq!(HoldReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(HoldReason::parse("lunch"), None);
    }
}
