//! What a person can do to a finding ([`next_actions`]) and turning a filled-in
//! [`Command`] into the event to append ([`apply`]).
//!
//! `apply` runs the same lifecycle table that replays a merged log, and adds
//! the checks that need more than the log: the statement and clauses an issued
//! nonconformity must have, and every owner a conflicted owner field shows
//! (a verifier must be none of them).

use super::event::{Event, FindingEvent};
use super::lifecycle::TransitionError;
use super::{Classification, Finding, RootCause, Status, VerificationResult};
use crate::model::access::{Person, Role};
use crate::model::date::Date;
use crate::model::evidence::Evidence;
use crate::model::workflow::{next_event, trimmed, UserRef};

/// Something a person can do to a finding: one button each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Issue,
    Acknowledge,
    RecordCorrection,
    AnalyseCause,
    LinkAction,
    StartAction,
    SubmitForVerification,
    Verify,
    Accept,
    Decline,
    Close,
    Reclassify,
    ChangeOwner,
    ChangeDueDate,
    AddNote,
    Reconcile,
}

/// An action with what the person filled in. [`apply`] turns it into an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Issue,
    Acknowledge,
    RecordCorrection {
        text: String,
    },
    AnalyseCause(RootCause),
    /// Link a corrective action by its document id.
    LinkAction {
        action: String,
    },
    StartAction,
    SubmitForVerification,
    Verify {
        result: VerificationResult,
        evidence: Vec<Evidence>,
        notes: String,
    },
    Accept,
    Decline {
        reason: String,
    },
    Close,
    Reclassify {
        to: Classification,
        reason: String,
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
pub fn next_actions(finding: &Finding, who: &Person) -> Vec<Action> {
    use Action::*;
    let derived = finding.derived();
    let s = &derived.standing;
    let mut actions = Vec::new();
    if derived.needs_review.is_some() {
        actions.push(Reconcile);
    }
    let nc = s.is_nonconformity();
    match s.status {
        Status::Draft if who.role == Role::Auditor || s.is_lead(who) => actions.push(Issue),
        Status::Draft => {}
        Status::Issued if nc => actions.push(Acknowledge),
        Status::Issued => actions.extend([Accept, Decline]),
        Status::Acknowledged => actions.push(RecordCorrection),
        Status::CorrectionDone => actions.push(AnalyseCause),
        Status::CauseAnalysed if s.actions.is_empty() => actions.push(LinkAction),
        Status::CauseAnalysed => actions.extend([StartAction, LinkAction]),
        Status::ActionInProgress => actions.extend([SubmitForVerification, LinkAction]),
        Status::AwaitingVerification => {
            let owners = finding.owner.iter().flat_map(|o| o.all());
            let owns = owners.chain(&s.owner).any(|o| o.is(who));
            if !owns {
                actions.push(Verify);
            }
        }
        Status::Reopened => actions.extend([StartAction, AnalyseCause, LinkAction]),
        Status::Accepted | Status::Declined => actions.push(Close),
        Status::Closed => {}
    }
    if s.is_open() {
        if s.may_reclassify(who).is_ok() {
            actions.push(Reclassify);
        }
        actions.extend([ChangeOwner, ChangeDueDate]);
    }
    actions.push(AddNote);
    actions
}

/// The event that records `command` by `by` on `finding`, or why it is refused.
///
/// `action_owners` are the owners of the finding's linked corrective actions
/// (read from their documents): a verifier must not be one of them, and the
/// event records them. `device` is the acting device's Automerge actor (hex)
/// and `now_ms` its clock. Text inputs are trimmed.
pub fn apply(
    finding: &Finding,
    command: Command,
    by: &Person,
    action_owners: &[UserRef],
    device: &str,
    now_ms: i64,
) -> Result<Event, TransitionError> {
    let derived = finding.derived();
    let standing = &derived.standing;
    let kind = match command {
        Command::Issue => {
            if standing.is_nonconformity() {
                check_statement(finding)?;
            }
            FindingEvent::Issued
        }
        Command::Acknowledge => FindingEvent::Acknowledged,
        Command::RecordCorrection { text } => FindingEvent::CorrectionRecorded {
            text: trimmed(text),
        },
        Command::AnalyseCause(cause) => FindingEvent::CauseAnalysed {
            cause: RootCause {
                method: trimmed(cause.method),
                analysis: trimmed(cause.analysis),
                similar_elsewhere: trimmed(cause.similar_elsewhere),
            },
        },
        Command::LinkAction { action } => FindingEvent::ActionLinked {
            action: trimmed(action),
        },
        Command::StartAction => FindingEvent::ActionStarted,
        Command::SubmitForVerification => FindingEvent::SubmittedForVerification,
        Command::Verify {
            result,
            evidence,
            notes,
        } => {
            let owners = finding.owner.iter().flat_map(|o| o.all());
            if owners.into_iter().any(|o| o.is(by)) {
                return Err(TransitionError::VerifierOwnsFinding {
                    name: by.name.clone(),
                });
            }
            FindingEvent::Verified {
                result,
                evidence,
                notes: trimmed(notes),
                action_owners: action_owners.to_vec(),
            }
        }
        Command::Accept => FindingEvent::Accepted,
        Command::Decline { reason } => FindingEvent::Declined {
            reason: trimmed(reason),
        },
        Command::Close => FindingEvent::Closed,
        Command::Reclassify { to, reason } => {
            let from = standing
                .classification
                .unwrap_or(finding.classification.value);
            if from == to && !finding.classification.is_conflict() {
                return Err(TransitionError::SameClassification(to));
            }
            FindingEvent::Reclassified {
                from,
                to,
                reason: trimmed(reason),
            }
        }
        Command::ChangeOwner(owner) => FindingEvent::OwnerChanged {
            owner: UserRef {
                user_id: trimmed(owner.user_id),
                name: trimmed(owner.name),
            },
        },
        Command::ChangeDueDate(due) => FindingEvent::DueChanged { due },
        Command::AddNote { text } => FindingEvent::Note {
            text: trimmed(text),
        },
        Command::Reconcile => match &derived.needs_review {
            Some(conflict) => FindingEvent::Reconciled {
                events: conflict.b.iter().map(|e| e.id.clone()).collect(),
            },
            None => return Err(TransitionError::NothingToReconcile),
        },
    };
    let event = next_event(
        finding.events.len(),
        derived.latest_at_ms,
        kind,
        by,
        device,
        now_ms,
    );
    crate::model::workflow::Lifecycle::after(standing, &event)?;
    Ok(event)
}

/// A nonconformity is issued only with a whole statement and a clause.
fn check_statement(finding: &Finding) -> Result<(), TransitionError> {
    let s = &finding.statement;
    for (text, part) in [
        (&s.requirement, "the requirement"),
        (&s.evidence, "the objective evidence"),
        (&s.gap, "the gap"),
    ] {
        if text.trim().is_empty() {
            return Err(TransitionError::IncompleteStatement(part));
        }
    }
    if finding.clauses.is_empty() {
        return Err(TransitionError::NoClause);
    }
    Ok(())
}

impl Action {
    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Action::Issue => "Issue",
            Action::Acknowledge => "Acknowledge",
            Action::RecordCorrection => "Record correction",
            Action::AnalyseCause => "Record root cause and plan",
            Action::LinkAction => "Link corrective action",
            Action::StartAction => "Start action",
            Action::SubmitForVerification => "Submit for verification",
            Action::Verify => "Verify",
            Action::Accept => "Accept",
            Action::Decline => "Decline",
            Action::Close => "Close",
            Action::Reclassify => "Change classification",
            Action::ChangeOwner => "Change owner",
            Action::ChangeDueDate => "Change response due date",
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
