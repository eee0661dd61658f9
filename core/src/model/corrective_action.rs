//! A corrective action (ISO/IEC 20000-1 10.1): what is done to remove the cause
//! of one or more nonconformities, and the check that it worked.
//!
//! ```text
//! Proposed → Approved → In progress → Implemented → Effectiveness check due
//!   → Verified effective → Closed
//!   → (not effective) In progress
//! any before Verified effective → Cancelled (with a reason)
//! ```
//!
//! Status, steps, implementation and the effectiveness check are derived from
//! the event log ([`lifecycle`]); owner, due date and priority are plain fields
//! of the document too, so concurrent offline choices stay visible as a
//! [`Contested`] value. The Automerge form is `doc::corrective_action`.

mod action;
mod lifecycle;

pub use action::{apply, next_actions, Action, Command};
pub use lifecycle::{Check, Implementation, Standing, Step, StepDone, TransitionError};

use std::fmt;

use super::date::Date;
use super::evidence::Evidence;
pub use super::finding::VerificationResult as CheckResult;
pub use super::incident::{Contested, Title};
use super::priority::Priority;
use super::workflow::{derive, Derived, Logged, UserRef};
use crate::model::access::Person;

/// One entry of a corrective action's log.
pub type Event = Logged<ActionEvent>;

/// Where a corrective action is in its lifecycle. Derived from events, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Proposed,
    Approved,
    InProgress,
    Implemented,
    /// Implemented; waiting for the check that it worked.
    CheckDue,
    VerifiedEffective,
    Closed,
    Cancelled,
}

/// What happened to a corrective action.
///
/// Kinds this version does not know are kept as `Other`; known kinds whose
/// fields cannot be read are `Unreadable` and refused, so they are seen, not lost.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionEvent {
    Created {
        owner: UserRef,
    },
    /// It deals with this finding (by document id).
    FindingLinked {
        finding: String,
    },
    Approved,
    Started,
    /// A step to do; the event's id is the step's id.
    StepAdded {
        text: String,
    },
    /// The step (by id) is done; who and when are the event's.
    StepDone {
        step: String,
        evidence: Vec<Evidence>,
    },
    Implemented {
        evidence: Vec<Evidence>,
    },
    /// How and by when effectiveness will be checked.
    CheckScheduled {
        criteria: String,
        due: Date,
    },
    EffectivenessChecked {
        result: CheckResult,
        notes: String,
        evidence: Vec<Evidence>,
    },
    Closed,
    Cancelled {
        reason: String,
    },
    OwnerChanged {
        owner: UserRef,
    },
    DueChanged {
        due: Date,
    },
    Note {
        text: String,
    },
    /// A person reviewed a conflict and accepts that these refused events stay refused.
    Reconciled {
        events: Vec<String>,
    },
    /// A known kind whose `field` is missing or malformed.
    Unreadable {
        kind: String,
        field: &'static str,
    },
    /// A kind this version does not know.
    Other(String),
}

/// What a person fills in to propose a corrective action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCorrectiveAction {
    pub site: String,
    /// The findings it deals with, by document id.
    pub findings: Vec<String>,
    pub title: Title,
    pub description: String,
    pub owner: UserRef,
    pub due: Option<Date>,
    pub priority: Priority,
    /// Whether it needs a change (through change management) to implement.
    pub change_needed: bool,
}

/// A corrective action read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectiveAction {
    pub site: String,
    pub title: String,
    pub description: String,
    pub owner: Contested<UserRef>,
    pub due: Option<Contested<Date>>,
    pub priority: Contested<Priority>,
    pub change_needed: bool,
    pub created_at_ms: i64,
    pub events: Vec<Event>,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Proposed => "Proposed",
            Status::Approved => "Approved",
            Status::InProgress => "In progress",
            Status::Implemented => "Implemented",
            Status::CheckDue => "Effectiveness check due",
            Status::VerifiedEffective => "Verified effective",
            Status::Closed => "Closed",
            Status::Cancelled => "Cancelled",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl ActionEvent {
    /// The kind's name as stored in the document.
    pub fn as_str(&self) -> &str {
        match self {
            ActionEvent::Created { .. } => "created",
            ActionEvent::FindingLinked { .. } => "findingLinked",
            ActionEvent::Approved => "approved",
            ActionEvent::Started => "started",
            ActionEvent::StepAdded { .. } => "stepAdded",
            ActionEvent::StepDone { .. } => "stepDone",
            ActionEvent::Implemented { .. } => "implemented",
            ActionEvent::CheckScheduled { .. } => "checkScheduled",
            ActionEvent::EffectivenessChecked { .. } => "effectivenessChecked",
            ActionEvent::Closed => "closed",
            ActionEvent::Cancelled { .. } => "cancelled",
            ActionEvent::OwnerChanged { .. } => "ownerChanged",
            ActionEvent::DueChanged { .. } => "dueChanged",
            ActionEvent::Note { .. } => "note",
            ActionEvent::Reconciled { .. } => "reconciled",
            ActionEvent::Unreadable { kind, .. } => kind,
            ActionEvent::Other(kind) => kind,
        }
    }
}

impl CorrectiveAction {
    /// Everything the event log says: status, steps, implementation, the
    /// effectiveness check, and any conflict that needs a person's review.
    pub fn derived(&self) -> Derived<Standing> {
        derive(&self.events)
    }

    pub fn status(&self) -> Status {
        self.derived().standing.status
    }

    /// Everyone who owns it, may own it (in a conflict) or ever owned it: the
    /// owner field's values, the owner its log arrives at, and every owner its
    /// log names, set aside or not. A verifier of its finding must be none of
    /// them, so handing the action to someone else for the verification does
    /// not make its owner impartial.
    pub fn owners(&self) -> Vec<UserRef> {
        let standing = self.derived().standing;
        let named = self.events.iter().filter_map(|e| match &e.kind {
            ActionEvent::Created { owner } | ActionEvent::OwnerChanged { owner } => Some(owner),
            _ => None,
        });
        let mut owners: Vec<UserRef> = Vec::new();
        for owner in self.owner.all().chain(standing.owner.iter()).chain(named) {
            if !owners.contains(owner) {
                owners.push(owner.clone());
            }
        }
        owners
    }

    /// What `who` can do next (see [`next_actions`]).
    pub fn next_actions(&self, who: &Person) -> Vec<Action> {
        next_actions(self, who)
    }

    /// Whether any field shows concurrent values waiting for a person to choose.
    pub fn has_conflicts(&self) -> bool {
        self.owner.is_conflict()
            || self.priority.is_conflict()
            || self.due.as_ref().is_some_and(Contested::is_conflict)
    }
}

#[cfg(test)]
mod tests;
