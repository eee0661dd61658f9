//! A run's lifecycle: the events of its log, which may follow which status, and
//! where the run stands after each.
//!
//! ```text
//! from                  event      to            also needs
//! (start)               scheduled  Scheduled
//! Scheduled             started    In progress
//! any other             started    (unchanged)
//! In progress           submitted  Submitted     (apply: required items answered,
//!                                                 no answer in conflict)
//! Submitted             approved   Reviewed      (apply: a reviewer's role)
//! Submitted             rejected   In progress   a reason (apply: a reviewer's role)
//! Reviewed              closed     Closed
//! Submitted, Reviewed   reopened   In progress   a reason
//! any                   reconciled (nothing)
//! ```
//!
//! Decisions the domain brief left open, and why:
//! - The score is frozen into the `submitted` event, computed by the submitting
//!   device from the answers it had; a reject or reopen discards it, the next
//!   submit freezes a new one. So what a reviewer approved is what is reported,
//!   whatever answers merge in later.
//! - A second `started` changes nothing rather than being refused: two people
//!   opening the same scheduled run offline both start it, and that is no
//!   conflict. (A person's Start button still needs Scheduled: see `apply`.)
//! - Closed is final: a closed run has been reported on. To check again, start
//!   another run.
//! - Answering is not an event (answers live in a map keyed by item id so that
//!   people filling different sections never conflict); whether a person may
//!   answer is a guard on the status ([`Standing::may_answer`]).
//!
//! The same table ([`Standing::after`]) checks a person's action in
//! [`apply`](super::action::apply) and every stored event in
//! [`derive`](super::derived::derive), so the two never disagree.

use std::fmt;

use super::action::RunAction;
use super::score::Score;
use crate::model::access::Role;
use crate::model::checklist::logged::Logged;
use crate::model::checklist::ItemId;
use crate::model::evidence::BlobHash;

/// One entry of a run's log.
pub type RunEvent = Logged<RunEventKind>;

/// What happened to a run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RunEventKind {
    /// The run was created (planned) from a template.
    Scheduled,
    /// Someone began answering.
    Started,
    /// Handed in, with the score frozen at that moment and, optionally, the
    /// signature of whoever signed it off.
    Submitted {
        score: Score,
        signature: Option<BlobHash>,
    },
    /// A reviewer accepted it.
    Approved,
    /// A reviewer sent it back to be worked on.
    Rejected { reason: String },
    /// Done for good.
    Closed,
    /// Opened again after submission, to change answers.
    Reopened { reason: String },
    /// A person reviewed a conflict and accepts that these refused events stay refused.
    Reconciled { events: Vec<String> },
    /// A known kind whose `field` is missing or malformed.
    Unreadable { kind: String, field: &'static str },
    /// A kind this version does not know.
    Other(String),
}

/// Where a run is in its lifecycle. Derived from events, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    Scheduled,
    InProgress,
    Submitted,
    /// Approved by a reviewer.
    Reviewed,
    Closed,
}

/// Where a run stands after some prefix of its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub status: RunStatus,
    /// The standing submission, from submit until a reject or reopen.
    pub submission: Option<Submission>,
}

/// What was handed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The score frozen at submission.
    pub score: Score,
    pub signature: Option<BlobHash>,
    /// The `submitted` event's device time.
    pub at_ms: i64,
}

/// Why an action or event cannot follow a run's log, in words for the person who tried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunTransitionError {
    #[error("{action} is not possible while the run is {status}")]
    NotAllowed {
        action: RunAction,
        status: RunStatus,
    },
    #[error("{0} needs a reason")]
    MissingReason(RunAction),
    #[error("answers cannot change while the run is {0}; reopen it first")]
    AnswersLocked(RunStatus),
    #[error("required items are not answered yet: {}", list(.0))]
    RequiredUnanswered(Vec<ItemId>),
    #[error("answers to {} are in conflict; choose one before submitting", list(.0))]
    AnswersInConflict(Vec<ItemId>),
    #[error("a {0} cannot review a run; a manager, auditor or admin can")]
    NotAReviewer(Role),
    #[error("there is no conflict to review")]
    NothingToReconcile,
    #[error("a “{kind}” event whose {field} cannot be read")]
    Unreadable { kind: String, field: &'static str },
}

impl RunEventKind {
    /// The kind's name as stored in the document.
    pub fn as_str(&self) -> &str {
        match self {
            RunEventKind::Scheduled => "scheduled",
            RunEventKind::Started => "started",
            RunEventKind::Submitted { .. } => "submitted",
            RunEventKind::Approved => "approved",
            RunEventKind::Rejected { .. } => "rejected",
            RunEventKind::Closed => "closed",
            RunEventKind::Reopened { .. } => "reopened",
            RunEventKind::Reconciled { .. } => "reconciled",
            RunEventKind::Unreadable { kind, .. } => kind,
            RunEventKind::Other(kind) => kind,
        }
    }

    /// A short phrase for the history view.
    pub fn label(&self) -> &str {
        match self {
            RunEventKind::Scheduled => "Scheduled",
            RunEventKind::Started => "Started",
            RunEventKind::Submitted { .. } => "Submitted",
            RunEventKind::Approved => "Approved",
            RunEventKind::Rejected { .. } => "Sent back",
            RunEventKind::Closed => "Closed",
            RunEventKind::Reopened { .. } => "Reopened",
            RunEventKind::Reconciled { .. } => "Conflict reviewed",
            RunEventKind::Unreadable { kind, .. } => kind,
            RunEventKind::Other(kind) => kind,
        }
    }
}

impl RunStatus {
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Scheduled => "Scheduled",
            RunStatus::InProgress => "In progress",
            RunStatus::Submitted => "Submitted",
            RunStatus::Reviewed => "Reviewed",
            RunStatus::Closed => "Closed",
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Standing {
    /// Before any event: Scheduled, nothing submitted.
    pub fn start() -> Standing {
        Standing {
            status: RunStatus::Scheduled,
            submission: None,
        }
    }

    /// Whether answers may be given or changed now: before submission only.
    pub fn may_answer(&self) -> Result<(), RunTransitionError> {
        match self.status {
            RunStatus::Scheduled | RunStatus::InProgress => Ok(()),
            status => Err(RunTransitionError::AnswersLocked(status)),
        }
    }

    /// Where the run stands after `event`, or why `event` cannot follow.
    pub fn after(&self, event: &RunEvent) -> Result<Standing, RunTransitionError> {
        use RunStatus::*;
        let mut next = self.clone();
        let allow = |ok: bool, action: RunAction| match ok {
            true => Ok(()),
            false => Err(RunTransitionError::NotAllowed {
                action,
                status: self.status,
            }),
        };
        let reason = |text: &str, action| match text.trim().is_empty() {
            true => Err(RunTransitionError::MissingReason(action)),
            false => Ok(()),
        };
        match &event.kind {
            RunEventKind::Scheduled | RunEventKind::Reconciled { .. } | RunEventKind::Other(_) => {}
            RunEventKind::Unreadable { kind, field } => {
                return Err(RunTransitionError::Unreadable {
                    kind: kind.clone(),
                    field,
                })
            }
            RunEventKind::Started if self.status == Scheduled => next.status = InProgress,
            RunEventKind::Started => {}
            RunEventKind::Submitted { score, signature } => {
                allow(self.status == InProgress, RunAction::Submit)?;
                next.status = Submitted;
                next.submission = Some(Submission {
                    score: *score,
                    signature: signature.clone(),
                    at_ms: event.at_ms,
                });
            }
            RunEventKind::Approved => {
                allow(self.status == Submitted, RunAction::Approve)?;
                next.status = Reviewed;
            }
            RunEventKind::Rejected { reason: why } => {
                allow(self.status == Submitted, RunAction::Reject)?;
                reason(why, RunAction::Reject)?;
                next.status = InProgress;
                next.submission = None;
            }
            RunEventKind::Closed => {
                allow(self.status == Reviewed, RunAction::Close)?;
                next.status = Closed;
            }
            RunEventKind::Reopened { reason: why } => {
                allow(
                    matches!(self.status, Submitted | Reviewed),
                    RunAction::Reopen,
                )?;
                reason(why, RunAction::Reopen)?;
                next.status = InProgress;
                next.submission = None;
            }
        }
        Ok(next)
    }
}

fn list(ids: &[ItemId]) -> String {
    ids.iter()
        .map(ItemId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
