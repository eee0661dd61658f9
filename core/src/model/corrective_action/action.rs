//! What a person can do to a corrective action ([`next_actions`]) and turning a
//! filled-in [`Command`] into the event to append ([`apply`]).

use super::lifecycle::TransitionError;
use super::{ActionEvent, CheckResult, CorrectiveAction, Event, Status};
use crate::model::access::{Person, Role};
use crate::model::date::Date;
use crate::model::evidence::Evidence;
use crate::model::workflow::{next_event, trimmed, Lifecycle, UserRef};

/// Something a person can do to a corrective action: one button each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Approve,
    Start,
    AddStep,
    CompleteStep,
    MarkImplemented,
    ScheduleCheck,
    CheckEffectiveness,
    Close,
    Cancel,
    LinkFinding,
    ChangeOwner,
    ChangeDueDate,
    AddNote,
    Reconcile,
}

/// An action with what the person filled in. [`apply`] turns it into an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Approve,
    Start,
    AddStep {
        text: String,
    },
    /// Mark the step with this id done.
    CompleteStep {
        step: String,
        evidence: Vec<Evidence>,
    },
    MarkImplemented {
        evidence: Vec<Evidence>,
    },
    ScheduleCheck {
        criteria: String,
        due: Date,
    },
    CheckEffectiveness {
        result: CheckResult,
        notes: String,
        evidence: Vec<Evidence>,
    },
    Close,
    Cancel {
        reason: String,
    },
    LinkFinding {
        finding: String,
    },
    ChangeOwner(UserRef),
    ChangeDueDate(Date),
    AddNote {
        text: String,
    },
    /// Accept that the events a conflict refused stay refused.
    Reconcile,
}

/// What `who` can do next, the most likely first.
pub fn next_actions(record: &CorrectiveAction, who: &Person) -> Vec<Action> {
    use Action::*;
    let derived = record.derived();
    let s = &derived.standing;
    let mut actions = Vec::new();
    if derived.needs_review.is_some() {
        actions.push(Reconcile);
    }
    let owns = record.owner.all().chain(&s.owner).any(|o| o.is(who));
    match s.status {
        Status::Proposed if matches!(who.role, Role::Manager | Role::Admin) => {
            actions.extend([Approve, AddStep])
        }
        Status::Proposed => actions.push(AddStep),
        Status::Approved => actions.extend([Start, AddStep]),
        Status::InProgress if s.open_steps().next().is_some() => {
            actions.extend([CompleteStep, AddStep])
        }
        Status::InProgress => actions.extend([MarkImplemented, AddStep]),
        Status::Implemented => actions.push(ScheduleCheck),
        Status::CheckDue if !owns => actions.push(CheckEffectiveness),
        Status::CheckDue => {}
        Status::VerifiedEffective => actions.push(Close),
        Status::Closed | Status::Cancelled => {}
    }
    if s.is_open() {
        if s.status != Status::VerifiedEffective {
            actions.push(Cancel);
        }
        actions.extend([LinkFinding, ChangeOwner, ChangeDueDate]);
    }
    actions.push(AddNote);
    actions
}

/// The event that records `command` by `by`, or why it is refused.
///
/// `device` is the acting device's Automerge actor (hex) and `now_ms` its
/// clock. Text inputs are trimmed. Besides the lifecycle table, the checker of
/// effectiveness must be none of the owners a conflicted owner field shows.
pub fn apply(
    record: &CorrectiveAction,
    command: Command,
    by: &Person,
    device: &str,
    now_ms: i64,
) -> Result<Event, TransitionError> {
    let derived = record.derived();
    let kind = match command {
        Command::Approve => ActionEvent::Approved,
        Command::Start => ActionEvent::Started,
        Command::AddStep { text } => ActionEvent::StepAdded {
            text: trimmed(text),
        },
        Command::CompleteStep { step, evidence } => ActionEvent::StepDone { step, evidence },
        Command::MarkImplemented { evidence } => ActionEvent::Implemented { evidence },
        Command::ScheduleCheck { criteria, due } => ActionEvent::CheckScheduled {
            criteria: trimmed(criteria),
            due,
        },
        Command::CheckEffectiveness {
            result,
            notes,
            evidence,
        } => {
            if record.owner.all().any(|o| o.is(by)) {
                return Err(TransitionError::CheckerOwnsAction {
                    name: by.name.clone(),
                });
            }
            ActionEvent::EffectivenessChecked {
                result,
                notes: trimmed(notes),
                evidence,
            }
        }
        Command::Close => ActionEvent::Closed,
        Command::Cancel { reason } => ActionEvent::Cancelled {
            reason: trimmed(reason),
        },
        Command::LinkFinding { finding } => ActionEvent::FindingLinked {
            finding: trimmed(finding),
        },
        Command::ChangeOwner(owner) => ActionEvent::OwnerChanged {
            owner: UserRef {
                user_id: trimmed(owner.user_id),
                name: trimmed(owner.name),
            },
        },
        Command::ChangeDueDate(due) => ActionEvent::DueChanged { due },
        Command::AddNote { text } => ActionEvent::Note {
            text: trimmed(text),
        },
        Command::Reconcile => match &derived.needs_review {
            Some(conflict) => ActionEvent::Reconciled {
                events: conflict.b.iter().map(|e| e.id.clone()).collect(),
            },
            None => return Err(TransitionError::NothingToReconcile),
        },
    };
    let event = next_event(
        record.events.len(),
        derived.latest_at_ms,
        kind,
        by,
        device,
        now_ms,
    );
    derived.standing.after(&event)?;
    Ok(event)
}

impl Action {
    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Action::Approve => "Approve",
            Action::Start => "Start",
            Action::AddStep => "Add step",
            Action::CompleteStep => "Mark step done",
            Action::MarkImplemented => "Mark implemented",
            Action::ScheduleCheck => "Plan effectiveness check",
            Action::CheckEffectiveness => "Record effectiveness check",
            Action::Close => "Close",
            Action::Cancel => "Cancel",
            Action::LinkFinding => "Link finding",
            Action::ChangeOwner => "Change owner",
            Action::ChangeDueDate => "Change due date",
            Action::AddNote => "Add note",
            Action::Reconcile => "Review conflict",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
