//! What a person can do to a run: the buttons ([`next_actions`]) and turning a
//! filled-in [`RunCommand`] into the event to append ([`apply`]).
//!
//! Besides the lifecycle table, `apply` checks what only the acting person's
//! device can know: that every required item is answered and no answer is in
//! conflict before submitting (the score frozen into the event is computed
//! here, from the answers this device holds), and that a reviewer has a
//! reviewer's role. A merge never trips over these: they judge an intent, not
//! a stored event.

use std::fmt;

use super::lifecycle::{RunEvent, RunEventKind, RunTransitionError};
use super::{Run, RunStatus};
use crate::model::access::{Person, Role};
use crate::model::checklist::logged::{entry_id, next_stamp};
use crate::model::evidence::BlobHash;

/// Something a person can do to a run: one button each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunAction {
    Start,
    Submit,
    Approve,
    Reject,
    Close,
    Reopen,
    Reconcile,
}

/// An action with what the person filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunCommand {
    Start,
    /// Hand the run in, optionally signed off (the signature image's hash).
    Submit {
        signature: Option<BlobHash>,
    },
    Approve,
    Reject {
        reason: String,
    },
    Close,
    Reopen {
        reason: String,
    },
    /// Accept that the events a conflict refused stay refused.
    Reconcile,
}

/// What `role` can do next to `run`, the most likely first.
pub fn next_actions(run: &Run, role: Role) -> Vec<RunAction> {
    use RunAction::*;
    let derived = run.derived();
    let mut actions = Vec::new();
    if derived.needs_review.is_some() {
        actions.push(Reconcile);
    }
    let reviewer = is_reviewer(role);
    match derived.status() {
        RunStatus::Scheduled => actions.push(Start),
        RunStatus::InProgress => actions.push(Submit),
        RunStatus::Submitted if reviewer => actions.extend([Approve, Reject, Reopen]),
        RunStatus::Submitted => actions.push(Reopen),
        RunStatus::Reviewed => actions.extend([Close, Reopen]),
        RunStatus::Closed => {}
    }
    actions
}

/// The event that records `command` on `run`, done by `by` on `device` at
/// `now_ms`, or why it is refused. Text inputs are trimmed; the event's time is
/// `now_ms` or just after the latest event, whichever is later.
pub fn apply(
    run: &Run,
    command: RunCommand,
    by: &Person,
    device: &str,
    now_ms: i64,
) -> Result<RunEvent, RunTransitionError> {
    let derived = run.derived();
    let action = command.action();
    let kind = match command {
        RunCommand::Start if derived.status() != RunStatus::Scheduled => {
            return Err(RunTransitionError::NotAllowed {
                action,
                status: derived.status(),
            })
        }
        RunCommand::Start => RunEventKind::Started,
        RunCommand::Submit { signature } => RunEventKind::Submitted {
            score: run.live_score(),
            signature,
        },
        RunCommand::Approve => RunEventKind::Approved,
        RunCommand::Reject { reason } => RunEventKind::Rejected {
            reason: reason.trim().to_owned(),
        },
        RunCommand::Close => RunEventKind::Closed,
        RunCommand::Reopen { reason } => RunEventKind::Reopened {
            reason: reason.trim().to_owned(),
        },
        RunCommand::Reconcile => match &derived.needs_review {
            Some(conflict) => RunEventKind::Reconciled {
                events: conflict.b.iter().map(|e| e.id.clone()).collect(),
            },
            None => return Err(RunTransitionError::NothingToReconcile),
        },
    };
    let at_ms = next_stamp(&run.events, now_ms);
    let event = RunEvent {
        id: entry_id(&run.events, device, at_ms),
        kind,
        at_ms,
        device: device.to_owned(),
        by: Some(by.clone()),
    };
    derived.standing.after(&event)?;
    match action {
        RunAction::Submit => {
            let missing = run.unanswered_required();
            if !missing.is_empty() {
                return Err(RunTransitionError::RequiredUnanswered(missing));
            }
            let contested = run.contested_items();
            if !contested.is_empty() {
                return Err(RunTransitionError::AnswersInConflict(contested));
            }
        }
        RunAction::Approve | RunAction::Reject if !is_reviewer(by.role) => {
            return Err(RunTransitionError::NotAReviewer(by.role));
        }
        _ => {}
    }
    Ok(event)
}

fn is_reviewer(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Auditor | Role::Admin)
}

impl RunAction {
    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            RunAction::Start => "Start",
            RunAction::Submit => "Submit",
            RunAction::Approve => "Approve",
            RunAction::Reject => "Send back",
            RunAction::Close => "Close",
            RunAction::Reopen => "Reopen",
            RunAction::Reconcile => "Review conflict",
        }
    }
}

impl fmt::Display for RunAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl RunCommand {
    /// The button this command is for.
    pub fn action(&self) -> RunAction {
        match self {
            RunCommand::Start => RunAction::Start,
            RunCommand::Submit { .. } => RunAction::Submit,
            RunCommand::Approve => RunAction::Approve,
            RunCommand::Reject { .. } => RunAction::Reject,
            RunCommand::Close => RunAction::Close,
            RunCommand::Reopen { .. } => RunAction::Reopen,
            RunCommand::Reconcile => RunAction::Reconcile,
        }
    }
}
