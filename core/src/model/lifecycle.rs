//! The incident lifecycle: which event may follow which status, what a person
//! can do next, and the guards that refuse the rest.
//!
//! ```text
//! from                                      event           to           also needs
//! New, Assigned, In progress, On hold,      assign          Assigned     a group
//!   Reopened
//! Assigned, Reopened                        start work      In progress
//! In progress                               hold (reason)   On hold
//! On hold                                   resume          In progress
//! In progress                               resolve         Resolved     code and notes
//! Resolved                                  close           Closed       a confirmation or the
//!                                                                        auto-close timeout; a
//!                                                                        review if major
//! Resolved, Closed                          reopen          Reopened     a reason
//! New, Assigned, In progress, On hold,      cancel          Cancelled    a reason
//!   Reopened
//! any but Closed, Cancelled                 declare major   (major)      a reason
//! a major incident                          review major    (reviewed)   notes
//! any                                       work note, priority change, conflict review
//!
//! service requests that need approval:
//! New                                       request approval  Awaiting approval
//! Awaiting approval                         approve         New          a manager or admin
//! Awaiting approval                         refuse          Cancelled    a manager or admin,
//!                                                                        a reason
//! Awaiting approval                         cancel          Cancelled    a reason
//! ```
//!
//! Decisions the domain brief left open, and why:
//! - Resolve only from In progress: a person starts work (the first response)
//!   before resolving. It also makes the classic offline race visible whatever
//!   the clocks say: a resolve concurrent with a hold or a reassignment is illegal
//!   in either order, so [`derive`](super::derived::derive) flags it.
//! - Reassignment is allowed from every open status and leads to Assigned: the
//!   new assignee has not started yet. It ends a hold (the SLA clock runs again).
//! - Reopen is allowed from Resolved and from Closed (the record keeps its whole
//!   history rather than spawning a copy); Cancelled is final. A reopened major
//!   incident needs a new review before it closes again.
//! - Work notes, priority changes and conflict reviews are legal in every status:
//!   they change no status, and refusing them would flag harmless merges.
//! - A service request that needs approval is logged with an `approvalRequested`
//!   event and waits: nobody assigns or works it until a manager approves, and a
//!   refusal ends it as Cancelled with the manager's reason. The approver's role
//!   is part of the event, so a technician's "approval" made on a device that
//!   skipped the check is refused on every replay, not only on the device. The
//!   server stores an approval only when the stated role is the sender's own.
//!
//! The same table ([`Standing::after`]) checks a person's action in
//! [`apply`](super::action::apply) and every stored event in
//! [`derive`](super::derived::derive), so the two can never disagree. `apply`
//! adds only two checks of a person's intent that a merge must not trip over:
//! declaring a major incident twice, and reviewing a conflict there is not.

use super::access::Role;
use super::action::Action;
use super::event::{Closure, Event, EventKind, HoldReason};
use super::incident::Status;

/// Where an incident stands after some prefix of its log: what the lifecycle
/// remembers between events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    pub assignment: Option<Assignment>,
    /// Why it is on hold, while it is.
    pub hold: Option<HoldReason>,
    pub major: bool,
    /// Whether the major incident review is recorded (since the last reopen).
    pub major_reviewed: bool,
    /// The latest resolution, while it stands.
    pub resolution: Option<Resolution>,
    /// When it was last resolved, while the resolution stands.
    pub resolved_at_ms: Option<i64>,
    /// A service request's approval, once one was asked for.
    pub approval: Option<Approval>,
}

/// Where a service request's approval stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// Waiting for a manager.
    Pending,
    Given {
        by: String,
    },
    Refused {
        by: String,
        reason: String,
    },
}

/// Who the incident is with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub group: String,
    pub assignee: Option<String>,
}

/// What fixed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub code: String,
    pub notes: String,
}

/// Why an event cannot follow the log, in words for the person who tried.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TransitionError {
    #[error("{action} is not possible while the incident is {status}")]
    NotAllowed { action: Action, status: Status },
    #[error("an assignment needs a group")]
    MissingGroup,
    #[error("a resolution needs a resolution code")]
    MissingResolutionCode,
    #[error("“{0}” is not one of the resolution codes")]
    UnknownResolutionCode(String),
    #[error("a resolution needs notes saying what was done")]
    MissingResolutionNotes,
    #[error("closing needs the name of whoever confirmed the resolution")]
    MissingConfirmation,
    #[error(
        "without a confirmation the incident can close only when the auto-close time has passed ({minutes_left} minutes to go)"
    )]
    AutoCloseTooEarly { minutes_left: i64 },
    #[error("a major incident needs its review before it can be closed")]
    MajorReviewMissing,
    #[error("only a major incident has a major incident review")]
    NotMajor,
    #[error("the incident is already a major incident")]
    AlreadyMajor,
    #[error("{0} needs a reason")]
    MissingReason(Action),
    #[error("a major incident review needs notes")]
    MissingReviewNotes,
    #[error("a work note cannot be empty")]
    EmptyNote,
    #[error("there is no conflict to review")]
    NothingToReconcile,
    #[error("a service request is approved or refused by a manager, not by {}", role_phrase(*.role))]
    NotAnApprover { role: Role },
    #[error("an approval needs the name of the manager giving it")]
    MissingApprover,
    #[error("a “{kind}” event whose {field} cannot be read")]
    Unreadable { kind: String, field: &'static str },
}

impl Standing {
    /// Before any event: New, unassigned, not major.
    pub fn start() -> Standing {
        Standing {
            status: Status::New,
            assignment: None,
            hold: None,
            major: false,
            major_reviewed: false,
            resolution: None,
            resolved_at_ms: None,
            approval: None,
        }
    }

    /// Whether the incident can still be worked (not Resolved, Closed or Cancelled).
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            Status::New
                | Status::AwaitingApproval
                | Status::Assigned
                | Status::InProgress
                | Status::OnHold
                | Status::Reopened
        )
    }

    /// Where the incident stands after `event`, or why `event` cannot follow.
    pub fn after(&self, event: &Event) -> Result<Standing, TransitionError> {
        use Status::*;
        let mut next = self.clone();
        let allow = |ok: bool, action: Action| match ok {
            true => Ok(()),
            false => Err(TransitionError::NotAllowed {
                action,
                status: self.status,
            }),
        };
        let filled = |text: &str, error: TransitionError| match text.trim().is_empty() {
            true => Err(error),
            false => Ok(()),
        };
        match &event.kind {
            EventKind::Created | EventKind::Other(_) => {}
            EventKind::Unreadable { kind, field } => {
                return Err(TransitionError::Unreadable {
                    kind: kind.clone(),
                    field,
                })
            }
            EventKind::Assigned { group, assignee } => {
                allow(
                    self.is_open() && self.status != AwaitingApproval,
                    Action::Assign,
                )?;
                filled(group, TransitionError::MissingGroup)?;
                next.status = Assigned;
                next.hold = None;
                next.assignment = Some(Assignment {
                    group: group.clone(),
                    assignee: assignee.clone(),
                });
            }
            EventKind::WorkStarted => {
                allow(
                    matches!(self.status, Assigned | Reopened),
                    Action::StartWork,
                )?;
                next.status = InProgress;
            }
            EventKind::Held { reason } => {
                allow(self.status == InProgress, Action::Hold)?;
                next.status = OnHold;
                next.hold = Some(*reason);
            }
            EventKind::Resumed => {
                allow(self.status == OnHold, Action::Resume)?;
                next.status = InProgress;
                next.hold = None;
            }
            EventKind::Resolved { code, notes } => {
                allow(self.status == InProgress, Action::Resolve)?;
                filled(code, TransitionError::MissingResolutionCode)?;
                filled(notes, TransitionError::MissingResolutionNotes)?;
                next.status = Resolved;
                next.resolution = Some(Resolution {
                    code: code.clone(),
                    notes: notes.clone(),
                });
                next.resolved_at_ms = Some(event.at_ms);
            }
            EventKind::Closed { closure } => {
                let action = match closure {
                    Closure::Confirmed { .. } => Action::Close,
                    Closure::AutoClosed { .. } => Action::AutoClose,
                };
                allow(self.status == Resolved, action)?;
                match closure {
                    Closure::Confirmed { by } => filled(by, TransitionError::MissingConfirmation)?,
                    Closure::AutoClosed { after_ms } => {
                        let since = self.resolved_at_ms.unwrap_or(event.at_ms);
                        let left = since
                            .saturating_add((*after_ms).max(0))
                            .saturating_sub(event.at_ms);
                        if left > 0 {
                            return Err(TransitionError::AutoCloseTooEarly {
                                minutes_left: (left + 59_999) / 60_000,
                            });
                        }
                    }
                }
                if self.major && !self.major_reviewed {
                    return Err(TransitionError::MajorReviewMissing);
                }
                next.status = Closed;
            }
            EventKind::Reopened { reason } => {
                allow(matches!(self.status, Resolved | Closed), Action::Reopen)?;
                filled(reason, TransitionError::MissingReason(Action::Reopen))?;
                next.status = Reopened;
                next.resolution = None;
                next.resolved_at_ms = None;
                next.major_reviewed = false;
            }
            EventKind::Cancelled { reason } => {
                allow(self.is_open(), Action::Cancel)?;
                filled(reason, TransitionError::MissingReason(Action::Cancel))?;
                next.status = Cancelled;
                next.hold = None;
            }
            EventKind::MajorDeclared { reason } => {
                allow(
                    !matches!(self.status, Closed | Cancelled),
                    Action::DeclareMajor,
                )?;
                filled(reason, TransitionError::MissingReason(Action::DeclareMajor))?;
                next.major = true;
            }
            EventKind::MajorReviewed { notes } => {
                if !self.major {
                    return Err(TransitionError::NotMajor);
                }
                filled(notes, TransitionError::MissingReviewNotes)?;
                next.major_reviewed = true;
            }
            EventKind::WorkNote { text } => filled(text, TransitionError::EmptyNote)?,
            EventKind::PriorityChanged { .. } | EventKind::Reconciled { .. } => {}
            EventKind::ApprovalRequested => {
                allow(self.status == New, Action::RequestApproval)?;
                next.status = AwaitingApproval;
                next.approval = Some(Approval::Pending);
            }
            EventKind::Approved { by, role } => {
                allow(self.status == AwaitingApproval, Action::Approve)?;
                approver(*role)?;
                filled(by, TransitionError::MissingApprover)?;
                next.status = New;
                next.approval = Some(Approval::Given { by: by.clone() });
            }
            EventKind::ApprovalRefused { by, role, reason } => {
                allow(self.status == AwaitingApproval, Action::RefuseApproval)?;
                approver(*role)?;
                filled(by, TransitionError::MissingApprover)?;
                filled(
                    reason,
                    TransitionError::MissingReason(Action::RefuseApproval),
                )?;
                next.status = Cancelled;
                next.approval = Some(Approval::Refused {
                    by: by.clone(),
                    reason: reason.clone(),
                });
            }
        }
        Ok(next)
    }
}

/// Whether someone in `role` may approve or refuse a service request.
pub fn approves(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Admin)
}

fn approver(role: Role) -> Result<(), TransitionError> {
    match approves(role) {
        true => Ok(()),
        false => Err(TransitionError::NotAnApprover { role }),
    }
}

fn role_phrase(role: Role) -> &'static str {
    match role {
        Role::Technician => "a technician",
        Role::Auditor => "an auditor",
        Role::Manager => "a manager",
        Role::Admin => "an admin",
    }
}

#[cfg(test)]
mod tests;
