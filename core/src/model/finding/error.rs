//! Why a finding's event is refused, in words for the person who tried.

use super::action::Action;
use super::{Classification, Status};
use crate::model::access::Role;

/// Why an event cannot follow a finding's log, in words for the person who tried.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TransitionError {
    #[error("{action} is not possible while the finding is {status}")]
    NotAllowed { action: Action, status: Status },
    #[error("{action} does not apply to a finding classified as {classification}")]
    WrongTrack {
        action: Action,
        classification: Classification,
    },
    #[error("only an auditor can issue a finding; {name} is a {role}")]
    IssuerNotAuditor { name: String, role: Role },
    #[error("only an auditor can change a finding's classification; {name} is a {role}")]
    NotAnAuditor { name: String, role: Role },
    #[error(
        "once a finding is issued only the lead auditor ({lead}) can change its classification, not {name}"
    )]
    NotTheLead { name: String, lead: String },
    #[error(
        "once a finding is issued only the lead auditor of its audit can change its classification, and none is named"
    )]
    NoLead,
    #[error("a {from} cannot become a {to} once it is {status}; raise a new finding instead")]
    TrackChangeTooLate {
        from: Classification,
        to: Classification,
        status: Status,
    },
    #[error("the finding is already classified as {0}")]
    SameClassification(Classification),
    #[error("{0} needs a reason")]
    MissingReason(Action),
    #[error("a nonconformity needs {0} in its statement before it is issued")]
    IncompleteStatement(&'static str),
    #[error("a nonconformity needs at least one clause reference before it is issued")]
    NoClause,
    #[error("the finding needs an owner before it can be acknowledged")]
    NoOwner,
    #[error("say what was done to contain the nonconformity")]
    MissingCorrection,
    #[error("the root cause analysis needs {0}")]
    IncompleteCause(&'static str),
    #[error("link at least one corrective action before work on actions starts")]
    NoAction,
    #[error("a linked corrective action needs its document id")]
    MissingActionId,
    #[error("closing a finding needs at least one piece of evidence that the actions worked")]
    NoEvidence,
    #[error("say why the actions were not effective")]
    MissingNotes,
    #[error(
        "{name} owns this finding and so cannot verify it: verification must be impartial, so ask someone who owns neither the finding nor any of its corrective actions"
    )]
    VerifierOwnsFinding { name: String },
    #[error(
        "{name} owns one of this finding's corrective actions and so cannot verify it: verification must be impartial, so ask someone who owns neither the finding nor any of its corrective actions"
    )]
    VerifierOwnsAction { name: String },
    #[error("the new owner needs a user id")]
    MissingOwner,
    #[error("a note cannot be empty")]
    EmptyNote,
    #[error("there is no conflict to review")]
    NothingToReconcile,
    #[error("a “{kind}” event whose {field} cannot be read")]
    Unreadable { kind: String, field: &'static str },
}
