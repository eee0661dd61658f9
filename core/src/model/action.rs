//! What a person can do to an incident: the big buttons ([`next_actions`]) and
//! turning a filled-in [`Command`] into the event to append ([`apply`]).
//!
//! `apply` stamps the event no earlier than one millisecond after the latest
//! event the device has seen. Evaluation sorts by device time, so this keeps
//! every event after the events it was a reaction to, even when device clocks
//! disagree (a hybrid logical clock in miniature). The price: a device whose
//! clock runs far ahead drags the stamps of later events with it; the server's
//! receipt time is the check on that.

use super::access::Role;
use super::derived::derive;
use super::event::{Closure, Event, EventKind, HoldReason, RESOLUTION_CODES};
use super::incident::Status;
use super::lifecycle::TransitionError;
use super::priority::{Impact, Priority, PriorityMatrix, Urgency};

/// Something a person can do to an incident: one big button each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Assign,
    StartWork,
    Hold,
    Resume,
    Resolve,
    Close,
    AutoClose,
    Reopen,
    Cancel,
    DeclareMajor,
    ReviewMajor,
    ChangePriority,
    AddNote,
    Reconcile,
    /// Logging a service request that needs approval (done at creation).
    RequestApproval,
    Approve,
    RefuseApproval,
}

/// An action with what the person filled in. [`apply`] turns it into an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Assign {
        group: String,
        assignee: Option<String>,
    },
    StartWork,
    Hold(HoldReason),
    Resume,
    Resolve {
        code: String,
        notes: String,
    },
    /// Close because `confirmed_by` (usually the caller) confirmed the resolution.
    Close {
        confirmed_by: String,
    },
    /// Close without confirmation; `after_ms` is the policy's timeout
    /// (see [`Command::auto_close`]).
    AutoClose {
        after_ms: i64,
    },
    Reopen {
        reason: String,
    },
    Cancel {
        reason: String,
    },
    DeclareMajor {
        reason: String,
    },
    ReviewMajor {
        notes: String,
    },
    /// Use [`Command::change_priority`], which works the priority out.
    ChangePriority {
        impact: Impact,
        urgency: Urgency,
        priority: Priority,
    },
    AddNote {
        text: String,
    },
    /// Accept that the events a conflict refused stay refused.
    Reconcile,
    /// Approve a service request, as `by` in `role` (a manager or admin).
    Approve {
        by: String,
        role: Role,
    },
    /// Refuse a service request, as `by` in `role`, saying why.
    RefuseApproval {
        by: String,
        role: Role,
        reason: String,
    },
}

/// Workflow settings an administrator chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecyclePolicy {
    /// How long after resolution an unconfirmed incident may be closed.
    pub auto_close_after_ms: i64,
}

/// What a person can do next, the most likely first (for the big buttons).
///
/// `now_ms` decides whether the auto-close timeout of `policy` has passed. Every
/// action listed succeeds in [`apply`] with sensible inputs.
pub fn next_actions(events: &[Event], policy: &LifecyclePolicy, now_ms: i64) -> Vec<Action> {
    use Action::*;
    let derived = derive(events);
    let s = &derived.standing;
    let mut actions = Vec::new();
    if derived.needs_review.is_some() {
        actions.push(Reconcile);
    }
    let review_pending = s.major && !s.major_reviewed;
    match s.status {
        Status::New => actions.extend([Assign, Cancel]),
        Status::AwaitingApproval => actions.extend([Approve, RefuseApproval, Cancel]),
        Status::Assigned | Status::Reopened => actions.extend([StartWork, Assign, Cancel]),
        Status::InProgress => actions.extend([Resolve, Hold, Assign, Cancel]),
        Status::OnHold => actions.extend([Resume, Assign, Cancel]),
        Status::Resolved if review_pending => actions.extend([ReviewMajor, Reopen]),
        Status::Resolved => {
            actions.push(Close);
            let due = s
                .resolved_at_ms
                .map(|at| at.saturating_add(policy.auto_close_after_ms.max(0)));
            if due.is_some_and(|due| now_ms >= due) {
                actions.push(AutoClose);
            }
            actions.push(Reopen);
        }
        Status::Closed => actions.push(Reopen),
        Status::Cancelled => {}
    }
    if !matches!(s.status, Status::Closed | Status::Cancelled) {
        if !s.major {
            actions.push(DeclareMajor);
        }
        actions.push(ChangePriority);
    }
    actions.push(AddNote);
    actions
}

/// The event that records `command` on a log, or why the log refuses it.
///
/// `device` is the acting device's Automerge actor (hex) and `now_ms` its clock;
/// the event's time is `now_ms`, or just after the latest event in `events` if
/// that is later. Text inputs are trimmed. Append the event with
/// `doc::incident::append_event`.
pub fn apply(
    events: &[Event],
    command: Command,
    device: &str,
    now_ms: i64,
) -> Result<Event, TransitionError> {
    let derived = derive(events);
    let text = |s: String| s.trim().to_owned();
    let kind = match command {
        Command::Assign { group, assignee } => EventKind::Assigned {
            group: text(group),
            assignee: assignee.map(text).filter(|a| !a.is_empty()),
        },
        Command::StartWork => EventKind::WorkStarted,
        Command::Hold(reason) => EventKind::Held { reason },
        Command::Resume => EventKind::Resumed,
        Command::Resolve { code, .. }
            if !code.trim().is_empty() && !RESOLUTION_CODES.contains(&code.trim()) =>
        {
            return Err(TransitionError::UnknownResolutionCode(text(code)))
        }
        Command::Resolve { code, notes } => EventKind::Resolved {
            code: text(code),
            notes: text(notes),
        },
        Command::Close { confirmed_by } => EventKind::Closed {
            closure: Closure::Confirmed {
                by: text(confirmed_by),
            },
        },
        Command::AutoClose { after_ms } => EventKind::Closed {
            closure: Closure::AutoClosed { after_ms },
        },
        Command::Reopen { reason } => EventKind::Reopened {
            reason: text(reason),
        },
        Command::Cancel { reason } => EventKind::Cancelled {
            reason: text(reason),
        },
        Command::DeclareMajor { .. } if derived.standing.major => {
            return Err(TransitionError::AlreadyMajor)
        }
        Command::DeclareMajor { reason } => EventKind::MajorDeclared {
            reason: text(reason),
        },
        Command::ReviewMajor { notes } => EventKind::MajorReviewed { notes: text(notes) },
        Command::ChangePriority {
            impact,
            urgency,
            priority,
        } => EventKind::PriorityChanged {
            impact,
            urgency,
            priority,
        },
        Command::AddNote { text: note } => EventKind::WorkNote { text: text(note) },
        Command::Reconcile => match &derived.needs_review {
            Some(conflict) => EventKind::Reconciled {
                events: conflict.b.iter().map(|e| e.id.clone()).collect(),
            },
            None => return Err(TransitionError::NothingToReconcile),
        },
        Command::Approve { by, role } => EventKind::Approved { by: text(by), role },
        Command::RefuseApproval { by, role, reason } => EventKind::ApprovalRefused {
            by: text(by),
            role,
            reason: text(reason),
        },
    };
    let at_ms = match derived.latest_at_ms {
        Some(latest) => now_ms.max(latest.saturating_add(1)),
        None => now_ms,
    };
    let event = Event {
        id: format!("{device}-{}-{at_ms}", events.len()),
        kind,
        at_ms,
        device: device.to_owned(),
    };
    derived.standing.after(&event)?;
    Ok(event)
}

impl Action {
    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Action::Assign => "Assign",
            Action::StartWork => "Start work",
            Action::Hold => "Put on hold",
            Action::Resume => "Resume",
            Action::Resolve => "Resolve",
            Action::Close => "Close",
            Action::AutoClose => "Close without confirmation",
            Action::Reopen => "Reopen",
            Action::Cancel => "Cancel",
            Action::DeclareMajor => "Declare major incident",
            Action::ReviewMajor => "Record major incident review",
            Action::ChangePriority => "Change priority",
            Action::AddNote => "Add work note",
            Action::Reconcile => "Review conflict",
            Action::RequestApproval => "Ask for approval",
            Action::Approve => "Approve",
            Action::RefuseApproval => "Refuse",
        }
    }

    /// Whether someone in `role` is offered this action. Everyone who may change
    /// incidents does everything but approvals, which are a manager's (or an
    /// admin's); the lifecycle refuses anyone else's approval on replay too.
    pub fn offered_to(self, role: Role) -> bool {
        match self {
            Action::Approve | Action::RefuseApproval => super::lifecycle::approves(role),
            _ => true,
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl Command {
    /// A priority change, with the priority `matrix` (the incident's) makes of it.
    pub fn change_priority(matrix: &PriorityMatrix, impact: Impact, urgency: Urgency) -> Command {
        Command::ChangePriority {
            impact,
            urgency,
            priority: matrix.priority(impact, urgency),
        }
    }

    /// Close without confirmation under `policy`.
    pub fn auto_close(policy: &LifecyclePolicy) -> Command {
        Command::AutoClose {
            after_ms: policy.auto_close_after_ms,
        }
    }

    /// The button this command is for.
    pub fn action(&self) -> Action {
        match self {
            Command::Assign { .. } => Action::Assign,
            Command::StartWork => Action::StartWork,
            Command::Hold(_) => Action::Hold,
            Command::Resume => Action::Resume,
            Command::Resolve { .. } => Action::Resolve,
            Command::Close { .. } => Action::Close,
            Command::AutoClose { .. } => Action::AutoClose,
            Command::Reopen { .. } => Action::Reopen,
            Command::Cancel { .. } => Action::Cancel,
            Command::DeclareMajor { .. } => Action::DeclareMajor,
            Command::ReviewMajor { .. } => Action::ReviewMajor,
            Command::ChangePriority { .. } => Action::ChangePriority,
            Command::AddNote { .. } => Action::AddNote,
            Command::Reconcile => Action::Reconcile,
            Command::Approve { .. } => Action::Approve,
            Command::RefuseApproval { .. } => Action::RefuseApproval,
        }
    }
}

impl LifecyclePolicy {
    /// Five days from resolution to auto-close.
    pub fn standard() -> LifecyclePolicy {
        LifecyclePolicy {
            auto_close_after_ms: 5 * 24 * 3_600_000,
        }
    }
}
