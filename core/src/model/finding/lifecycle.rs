//! The finding lifecycle: which event may follow which status, and the guards.
//!
//! ```text
//! from                          event                   to                 also needs
//! Draft                         issue                   Issued             an auditor or the lead
//! Issued (NC)                   acknowledge             Acknowledged       an owner
//! Acknowledged                  record correction       Correction done    what was done
//! Correction done, Reopened     analyse cause           Cause analysed     method, analysis, similar cases
//! Cause analysed, Reopened      start action            Action in progress a linked corrective action
//! Action in progress            submit for verification Awaiting verif.
//! Awaiting verification         verify                  Closed | Reopened  an impartial verifier;
//!                                                                          evidence if effective,
//!                                                                          notes if not
//! Issued (observation, OFI)     accept                  Accepted
//! Issued (observation, OFI)     decline                 Declined           a reason
//! Accepted, Declined            close                   Closed
//! any but Closed                reclassify              (same)             an auditor or the lead; once
//!                                                                          issued the lead, with a reason
//! any but Closed                link action, change owner, change due date
//! any                           note, conflict review
//! ```
//!
//! Decisions the domain brief left open, and why:
//! - Who acts is part of each event, so the guards about people (the lead
//!   auditor, the impartial verifier) are checked again when a merged log is
//!   replayed, not only on the device that acted.
//! - A verification records the owners of the linked corrective actions it was
//!   checked against: those live in other documents, and the log must be
//!   checkable on its own.
//! - Moving between the nonconformity and the observation tracks is allowed
//!   only while Draft or Issued; after that the work done on one track has no
//!   place on the other. Major ↔ minor, or observation ↔ OFI, stays possible
//!   until Closed.
//! - If the finding names no lead auditor (it came from no audit), whoever
//!   issued it stands as the lead.

use super::action::Action;
pub use super::error::TransitionError;
use super::event::{Event, FindingEvent};
use super::{Classification, RootCause, Status, VerificationResult};
use crate::model::access::{Person, Role};
use crate::model::evidence::Evidence;
use crate::model::workflow::{filled, Lifecycle, UserRef};

/// Where a finding stands after some prefix of its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    /// `None` only before the `created` event.
    pub classification: Option<Classification>,
    pub owner: Option<UserRef>,
    /// The lead auditor, who alone reclassifies an issued finding.
    pub lead: Option<UserRef>,
    /// The immediate containment.
    pub correction: Option<String>,
    pub root_cause: Option<RootCause>,
    /// Linked corrective actions, by document id, in the order they were linked.
    pub actions: Vec<String>,
    /// The latest verification.
    pub verification: Option<Verification>,
    /// Why an observation or OFI was declined.
    pub declined_because: Option<String>,
}

/// A verifier's conclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub verifier: Person,
    /// Device time of the verification.
    pub at_ms: i64,
    pub result: VerificationResult,
    pub evidence: Vec<Evidence>,
    pub notes: String,
}

impl Standing {
    /// Whether the finding is still being dealt with.
    pub fn is_open(&self) -> bool {
        self.status != Status::Closed
    }

    /// Whether `who` may act as the lead auditor.
    pub fn is_lead(&self, who: &Person) -> bool {
        self.lead.as_ref().is_some_and(|lead| lead.is(who))
    }

    /// Whether the finding is on the nonconformity track.
    pub fn is_nonconformity(&self) -> bool {
        self.classification
            .is_some_and(Classification::is_nonconformity)
    }

    /// Why `who` may not reclassify now, if they may not.
    pub fn may_reclassify(&self, who: &Person) -> Result<(), TransitionError> {
        if who.role != Role::Auditor && !self.is_lead(who) {
            return Err(TransitionError::NotAnAuditor {
                name: who.name.clone(),
                role: who.role,
            });
        }
        if self.status != Status::Draft && !self.is_lead(who) {
            return Err(match &self.lead {
                Some(lead) => TransitionError::NotTheLead {
                    name: who.name.clone(),
                    lead: lead.name.clone(),
                },
                None => TransitionError::NoLead,
            });
        }
        Ok(())
    }

    fn check_track(&self, action: Action, nonconformity: bool) -> Result<(), TransitionError> {
        match self.classification {
            Some(c) if c.is_nonconformity() != nonconformity => Err(TransitionError::WrongTrack {
                action,
                classification: c,
            }),
            _ => Ok(()),
        }
    }

    fn verify(
        &self,
        by: &Person,
        result: VerificationResult,
        evidence: &[Evidence],
        notes: &str,
        action_owners: &[UserRef],
    ) -> Result<(), TransitionError> {
        if self.owner.as_ref().is_some_and(|o| o.is(by)) {
            return Err(TransitionError::VerifierOwnsFinding {
                name: by.name.clone(),
            });
        }
        if action_owners.iter().any(|o| o.is(by)) {
            return Err(TransitionError::VerifierOwnsAction {
                name: by.name.clone(),
            });
        }
        match result {
            VerificationResult::Effective if evidence.is_empty() => {
                Err(TransitionError::NoEvidence)
            }
            VerificationResult::NotEffective if !filled(notes) => {
                Err(TransitionError::MissingNotes)
            }
            _ => Ok(()),
        }
    }
}

impl Lifecycle for Standing {
    type Kind = FindingEvent;
    type Error = TransitionError;

    fn start() -> Standing {
        Standing {
            status: Status::Draft,
            classification: None,
            owner: None,
            lead: None,
            correction: None,
            root_cause: None,
            actions: Vec::new(),
            verification: None,
            declined_because: None,
        }
    }

    fn set_aside(kind: &FindingEvent) -> Option<&[String]> {
        match kind {
            FindingEvent::Reconciled { events } => Some(events),
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
            FindingEvent::Other(_) => {}
            FindingEvent::Unreadable { kind, field } => {
                return Err(TransitionError::Unreadable {
                    kind: kind.clone(),
                    field,
                })
            }
            FindingEvent::Created {
                classification,
                owner,
                lead,
            } => {
                next.classification = Some(*classification);
                next.owner = owner.clone();
                next.lead = lead.clone();
            }
            FindingEvent::Issued => {
                allow(self.status == Draft, Action::Issue)?;
                if by.role != Role::Auditor && !self.is_lead(by) {
                    return Err(TransitionError::IssuerNotAuditor {
                        name: by.name.clone(),
                        role: by.role,
                    });
                }
                next.status = Issued;
                if next.lead.is_none() {
                    next.lead = Some(UserRef::from(by));
                }
            }
            FindingEvent::Acknowledged => {
                allow(self.status == Issued, Action::Acknowledge)?;
                self.check_track(Action::Acknowledge, true)?;
                if self.owner.is_none() {
                    return Err(TransitionError::NoOwner);
                }
                next.status = Acknowledged;
            }
            FindingEvent::CorrectionRecorded { text } => {
                allow(self.status == Acknowledged, Action::RecordCorrection)?;
                if !filled(text) {
                    return Err(TransitionError::MissingCorrection);
                }
                next.status = CorrectionDone;
                next.correction = Some(text.clone());
            }
            FindingEvent::CauseAnalysed { cause } => {
                allow(
                    matches!(self.status, CorrectionDone | Reopened),
                    Action::AnalyseCause,
                )?;
                for (text, what) in [
                    (&cause.method, "its method"),
                    (&cause.analysis, "the analysis"),
                    (
                        &cause.similar_elsewhere,
                        "whether similar cases exist elsewhere",
                    ),
                ] {
                    if !filled(text) {
                        return Err(TransitionError::IncompleteCause(what));
                    }
                }
                next.status = CauseAnalysed;
                next.root_cause = Some(cause.clone());
            }
            FindingEvent::ActionLinked { action } => {
                allow(self.is_open(), Action::LinkAction)?;
                if !filled(action) {
                    return Err(TransitionError::MissingActionId);
                }
                if !next.actions.contains(action) {
                    next.actions.push(action.clone());
                }
            }
            FindingEvent::ActionStarted => {
                allow(
                    matches!(self.status, CauseAnalysed | Reopened),
                    Action::StartAction,
                )?;
                if self.actions.is_empty() {
                    return Err(TransitionError::NoAction);
                }
                next.status = ActionInProgress;
            }
            FindingEvent::SubmittedForVerification => {
                allow(
                    self.status == ActionInProgress,
                    Action::SubmitForVerification,
                )?;
                next.status = AwaitingVerification;
            }
            FindingEvent::Verified {
                result,
                evidence,
                notes,
                action_owners,
            } => {
                allow(self.status == AwaitingVerification, Action::Verify)?;
                self.verify(by, *result, evidence, notes, action_owners)?;
                next.status = match result {
                    VerificationResult::Effective => Closed,
                    VerificationResult::NotEffective => Reopened,
                };
                next.verification = Some(Verification {
                    verifier: by.clone(),
                    at_ms: event.at_ms,
                    result: *result,
                    evidence: evidence.clone(),
                    notes: notes.clone(),
                });
            }
            FindingEvent::Accepted => {
                allow(self.status == Issued, Action::Accept)?;
                self.check_track(Action::Accept, false)?;
                next.status = Accepted;
            }
            FindingEvent::Declined { reason } => {
                allow(self.status == Issued, Action::Decline)?;
                self.check_track(Action::Decline, false)?;
                if !filled(reason) {
                    return Err(TransitionError::MissingReason(Action::Decline));
                }
                next.status = Declined;
                next.declined_because = Some(reason.clone());
            }
            FindingEvent::Closed => {
                allow(matches!(self.status, Accepted | Declined), Action::Close)?;
                next.status = Closed;
            }
            FindingEvent::Reclassified { from, to, reason } => {
                allow(self.is_open(), Action::Reclassify)?;
                self.may_reclassify(by)?;
                if self.status != Draft && !filled(reason) {
                    return Err(TransitionError::MissingReason(Action::Reclassify));
                }
                let crosses = from.is_nonconformity() != to.is_nonconformity();
                if crosses && !matches!(self.status, Draft | Issued) {
                    return Err(TransitionError::TrackChangeTooLate {
                        from: *from,
                        to: *to,
                        status: self.status,
                    });
                }
                next.classification = Some(*to);
            }
            FindingEvent::OwnerChanged { owner } => {
                allow(self.is_open(), Action::ChangeOwner)?;
                if !filled(&owner.user_id) {
                    return Err(TransitionError::MissingOwner);
                }
                next.owner = Some(owner.clone());
            }
            FindingEvent::DueChanged { .. } => allow(self.is_open(), Action::ChangeDueDate)?,
            FindingEvent::Note { text } => {
                if !filled(text) {
                    return Err(TransitionError::EmptyNote);
                }
            }
            FindingEvent::Reconciled { .. } => {}
        }
        Ok(next)
    }
}
