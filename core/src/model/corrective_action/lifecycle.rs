//! The corrective-action lifecycle: which event may follow which status.
//!
//! ```text
//! from                          event           to                   also needs
//! Proposed                      approve         Approved             a manager or admin
//! Approved                      start           In progress
//! Proposed, Approved,           add step        (same)               text
//!   In progress
//! Approved, In progress         step done       (same)               a step not yet done, evidence
//! In progress                   implemented     Implemented          every step done, evidence
//! Implemented                   schedule check  Check due            criteria
//! Check due                     check           Verified effective   someone other than the owner;
//!                                               | In progress        evidence if effective, notes if not
//! Verified effective            close           Closed
//! any before Verified effective cancel          Cancelled            a reason
//! any open                      link finding, change owner, change due date
//! any                           note, conflict review
//! ```
//!
//! A check that finds the action not effective sends it back to In progress
//! with its steps as they were: the owner adds what is still to do, and the
//! next "implemented" needs those steps done and fresh evidence.

use super::action::Action;
use super::{ActionEvent, CheckResult, Event, Status};
use crate::model::access::{Person, Role};
use crate::model::date::Date;
use crate::model::evidence::Evidence;
use crate::model::workflow::{filled, Lifecycle, UserRef};

/// Where a corrective action stands after some prefix of its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    pub owner: Option<UserRef>,
    /// The findings it deals with, by document id.
    pub findings: Vec<String>,
    pub steps: Vec<Step>,
    /// The latest implementation.
    pub implementation: Option<Implementation>,
    /// The latest effectiveness check, scheduled or done.
    pub check: Option<Check>,
    pub cancelled_because: Option<String>,
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The id of the event that added it.
    pub id: String,
    pub text: String,
    pub done: Option<StepDone>,
}

/// Who did a step, when, and the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDone {
    pub by: Person,
    pub at_ms: i64,
    pub evidence: Vec<Evidence>,
}

/// The action was carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Implementation {
    pub by: Person,
    pub at_ms: i64,
    pub evidence: Vec<Evidence>,
}

/// The effectiveness check: what will show it worked, by when, and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub criteria: String,
    pub due: Date,
    /// Who checked, when, and the result; `None` while it is due.
    pub outcome: Option<(Person, i64, CheckResult)>,
    pub notes: String,
    pub evidence: Vec<Evidence>,
}

/// Why an event cannot follow a corrective action's log, in words for a person.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TransitionError {
    #[error("{action} is not possible while the corrective action is {status}")]
    NotAllowed { action: Action, status: Status },
    #[error("only a manager approves a corrective action; {name} is a {role}")]
    ApproverNotManager { name: String, role: Role },
    #[error("a step needs a description of what to do")]
    EmptyStep,
    #[error("there is no step “{0}” in this corrective action")]
    UnknownStep(String),
    #[error("the step “{0}” is already done")]
    StepAlreadyDone(String),
    #[error("a step is done with evidence of it (a photo, a note, a record)")]
    StepWithoutEvidence,
    #[error("{count} of the steps are not done yet; every step is done before the action is implemented")]
    StepsOpen { count: usize },
    #[error("implementing needs evidence that the action was carried out")]
    NoImplementationEvidence,
    #[error("the effectiveness check needs criteria saying what will show the action worked")]
    MissingCriteria,
    #[error(
        "{name} owns this corrective action and so cannot check its effectiveness: ask someone else, so the check is impartial"
    )]
    CheckerOwnsAction { name: String },
    #[error("an effective result needs evidence that the action worked")]
    NoCheckEvidence,
    #[error("say why the action was not effective")]
    MissingNotes,
    #[error("{0} needs a reason")]
    MissingReason(Action),
    #[error("a linked finding needs its document id")]
    MissingFindingId,
    #[error("the new owner needs a user id")]
    MissingOwner,
    #[error("a note cannot be empty")]
    EmptyNote,
    #[error("there is no conflict to review")]
    NothingToReconcile,
    #[error("a “{kind}” event whose {field} cannot be read")]
    Unreadable { kind: String, field: &'static str },
}

impl Standing {
    /// Whether it is still being worked (not Closed or Cancelled).
    pub fn is_open(&self) -> bool {
        !matches!(self.status, Status::Closed | Status::Cancelled)
    }

    /// The steps not done yet.
    pub fn open_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.done.is_none())
    }
}

impl Lifecycle for Standing {
    type Kind = ActionEvent;
    type Error = TransitionError;

    fn start() -> Standing {
        Standing {
            status: Status::Proposed,
            owner: None,
            findings: Vec::new(),
            steps: Vec::new(),
            implementation: None,
            check: None,
            cancelled_because: None,
        }
    }

    fn set_aside(kind: &ActionEvent) -> Option<&[String]> {
        match kind {
            ActionEvent::Reconciled { events } => Some(events),
            _ => None,
        }
    }

    fn after(&self, event: &Event) -> Result<Standing, TransitionError> {
        use Status::*;
        let mut next = self.clone();
        let allow = |ok: bool, action: Action| match ok {
            true => Ok(()),
            false => Err(TransitionError::NotAllowed {
                action,
                status: self.status,
            }),
        };
        let by = &event.by;
        match &event.kind {
            ActionEvent::Other(_) => {}
            ActionEvent::Unreadable { kind, field } => {
                return Err(TransitionError::Unreadable {
                    kind: kind.clone(),
                    field,
                })
            }
            ActionEvent::Created { owner } => next.owner = Some(owner.clone()),
            ActionEvent::FindingLinked { finding } => {
                allow(self.is_open(), Action::LinkFinding)?;
                if !filled(finding) {
                    return Err(TransitionError::MissingFindingId);
                }
                if !next.findings.contains(finding) {
                    next.findings.push(finding.clone());
                }
            }
            ActionEvent::Approved => {
                allow(self.status == Proposed, Action::Approve)?;
                if !matches!(by.role, Role::Manager | Role::Admin) {
                    return Err(TransitionError::ApproverNotManager {
                        name: by.name.clone(),
                        role: by.role,
                    });
                }
                next.status = Approved;
            }
            ActionEvent::Started => {
                allow(self.status == Approved, Action::Start)?;
                next.status = InProgress;
            }
            ActionEvent::StepAdded { text } => {
                allow(
                    matches!(self.status, Proposed | Approved | InProgress),
                    Action::AddStep,
                )?;
                if !filled(text) {
                    return Err(TransitionError::EmptyStep);
                }
                next.steps.push(Step {
                    id: event.id.clone(),
                    text: text.clone(),
                    done: None,
                });
            }
            ActionEvent::StepDone { step, evidence } => {
                allow(
                    matches!(self.status, Approved | InProgress),
                    Action::CompleteStep,
                )?;
                let found = next
                    .steps
                    .iter_mut()
                    .find(|s| &s.id == step)
                    .ok_or_else(|| TransitionError::UnknownStep(step.clone()))?;
                if found.done.is_some() {
                    return Err(TransitionError::StepAlreadyDone(found.text.clone()));
                }
                if evidence.is_empty() {
                    return Err(TransitionError::StepWithoutEvidence);
                }
                found.done = Some(StepDone {
                    by: by.clone(),
                    at_ms: event.at_ms,
                    evidence: evidence.clone(),
                });
            }
            ActionEvent::Implemented { evidence } => {
                allow(self.status == InProgress, Action::MarkImplemented)?;
                let count = self.open_steps().count();
                if count > 0 {
                    return Err(TransitionError::StepsOpen { count });
                }
                if evidence.is_empty() {
                    return Err(TransitionError::NoImplementationEvidence);
                }
                next.status = Implemented;
                next.implementation = Some(Implementation {
                    by: by.clone(),
                    at_ms: event.at_ms,
                    evidence: evidence.clone(),
                });
            }
            ActionEvent::CheckScheduled { criteria, due } => {
                allow(self.status == Implemented, Action::ScheduleCheck)?;
                if !filled(criteria) {
                    return Err(TransitionError::MissingCriteria);
                }
                next.status = CheckDue;
                next.check = Some(Check {
                    criteria: criteria.clone(),
                    due: *due,
                    outcome: None,
                    notes: String::new(),
                    evidence: Vec::new(),
                });
            }
            ActionEvent::EffectivenessChecked {
                result,
                notes,
                evidence,
            } => {
                allow(self.status == CheckDue, Action::CheckEffectiveness)?;
                if self.owner.as_ref().is_some_and(|o| o.is(by)) {
                    return Err(TransitionError::CheckerOwnsAction {
                        name: by.name.clone(),
                    });
                }
                match result {
                    CheckResult::Effective if evidence.is_empty() => {
                        return Err(TransitionError::NoCheckEvidence)
                    }
                    CheckResult::NotEffective if !filled(notes) => {
                        return Err(TransitionError::MissingNotes)
                    }
                    _ => {}
                }
                next.status = match result {
                    CheckResult::Effective => VerifiedEffective,
                    CheckResult::NotEffective => InProgress,
                };
                if let Some(check) = &mut next.check {
                    check.outcome = Some((by.clone(), event.at_ms, *result));
                    check.notes = notes.clone();
                    check.evidence = evidence.clone();
                }
            }
            ActionEvent::Closed => {
                allow(self.status == VerifiedEffective, Action::Close)?;
                next.status = Closed;
            }
            ActionEvent::Cancelled { reason } => {
                allow(
                    self.is_open() && self.status != VerifiedEffective,
                    Action::Cancel,
                )?;
                if !filled(reason) {
                    return Err(TransitionError::MissingReason(Action::Cancel));
                }
                next.status = Cancelled;
                next.cancelled_because = Some(reason.clone());
            }
            ActionEvent::OwnerChanged { owner } => {
                allow(self.is_open(), Action::ChangeOwner)?;
                if !filled(&owner.user_id) {
                    return Err(TransitionError::MissingOwner);
                }
                next.owner = Some(owner.clone());
            }
            ActionEvent::DueChanged { .. } => allow(self.is_open(), Action::ChangeDueDate)?,
            ActionEvent::Note { text } => {
                if !filled(text) {
                    return Err(TransitionError::EmptyNote);
                }
            }
            ActionEvent::Reconciled { .. } => {}
        }
        Ok(next)
    }
}
