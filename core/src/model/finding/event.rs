//! What can happen to a finding: the kinds of its log's events.

use super::{Classification, RootCause, VerificationResult};
use crate::model::date::Date;
use crate::model::evidence::Evidence;
use crate::model::workflow::{Logged, UserRef};

/// One entry of a finding's log.
pub type Event = Logged<FindingEvent>;

/// What happened to a finding, with what its lifecycle needs to know.
///
/// Kinds this version does not know are kept as `Other`; known kinds whose
/// fields cannot be read are `Unreadable` and refused, so they are seen, not lost.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingEvent {
    /// Raised. `lead` is the lead auditor of the audit it came from, if any: the
    /// one person who may reclassify it once issued.
    Created {
        classification: Classification,
        owner: Option<UserRef>,
        lead: Option<UserRef>,
    },
    /// Made known to the auditee.
    Issued,
    /// The owner accepts that the nonconformity stands.
    Acknowledged,
    /// The immediate containment that was done.
    CorrectionRecorded { text: String },
    /// Why it happened and how it will be dealt with.
    CauseAnalysed { cause: RootCause },
    /// A corrective action (by document id) that deals with it.
    ActionLinked { action: String },
    /// Work on the corrective actions has started.
    ActionStarted,
    /// The owner says the actions are done and asks for verification.
    SubmittedForVerification,
    /// A verifier checked whether the actions worked. `action_owners` are the
    /// owners of the linked corrective actions the verifier was checked against.
    Verified {
        result: VerificationResult,
        evidence: Vec<Evidence>,
        notes: String,
        action_owners: Vec<UserRef>,
    },
    /// The auditee takes up an observation or opportunity for improvement.
    Accepted,
    /// The auditee does not take it up, and says why.
    Declined { reason: String },
    /// An observation or opportunity for improvement is done with.
    Closed,
    /// The classification changed.
    Reclassified {
        from: Classification,
        to: Classification,
        reason: String,
    },
    /// Someone else answers for it now.
    OwnerChanged { owner: UserRef },
    /// The response is due on another day.
    DueChanged { due: Date },
    /// A note; changes nothing but the record.
    Note { text: String },
    /// A person reviewed a conflict and accepts that these refused events stay refused.
    Reconciled { events: Vec<String> },
    /// A known kind whose `field` is missing or malformed.
    Unreadable { kind: String, field: &'static str },
    /// A kind this version does not know.
    Other(String),
}

impl FindingEvent {
    /// The kind's name as stored in the document.
    pub fn as_str(&self) -> &str {
        match self {
            FindingEvent::Created { .. } => "created",
            FindingEvent::Issued => "issued",
            FindingEvent::Acknowledged => "acknowledged",
            FindingEvent::CorrectionRecorded { .. } => "correctionRecorded",
            FindingEvent::CauseAnalysed { .. } => "causeAnalysed",
            FindingEvent::ActionLinked { .. } => "actionLinked",
            FindingEvent::ActionStarted => "actionStarted",
            FindingEvent::SubmittedForVerification => "submittedForVerification",
            FindingEvent::Verified { .. } => "verified",
            FindingEvent::Accepted => "accepted",
            FindingEvent::Declined { .. } => "declined",
            FindingEvent::Closed => "closed",
            FindingEvent::Reclassified { .. } => "reclassified",
            FindingEvent::OwnerChanged { .. } => "ownerChanged",
            FindingEvent::DueChanged { .. } => "dueChanged",
            FindingEvent::Note { .. } => "note",
            FindingEvent::Reconciled { .. } => "reconciled",
            FindingEvent::Unreadable { kind, .. } => kind,
            FindingEvent::Other(kind) => kind,
        }
    }

    /// A short phrase for the history view.
    pub fn label(&self) -> &str {
        match self {
            FindingEvent::Created { .. } => "Raised",
            FindingEvent::Issued => "Issued",
            FindingEvent::Acknowledged => "Acknowledged",
            FindingEvent::CorrectionRecorded { .. } => "Correction recorded",
            FindingEvent::CauseAnalysed { .. } => "Cause analysed, action planned",
            FindingEvent::ActionLinked { .. } => "Corrective action linked",
            FindingEvent::ActionStarted => "Action started",
            FindingEvent::SubmittedForVerification => "Submitted for verification",
            FindingEvent::Verified {
                result: VerificationResult::Effective,
                ..
            } => "Verified effective",
            FindingEvent::Verified { .. } => "Verified not effective",
            FindingEvent::Accepted => "Accepted",
            FindingEvent::Declined { .. } => "Declined",
            FindingEvent::Closed => "Closed",
            FindingEvent::Reclassified { .. } => "Classification changed",
            FindingEvent::OwnerChanged { .. } => "Owner changed",
            FindingEvent::DueChanged { .. } => "Response due date changed",
            FindingEvent::Note { .. } => "Note",
            FindingEvent::Reconciled { .. } => "Conflict reviewed",
            FindingEvent::Unreadable { kind, .. } => kind,
            FindingEvent::Other(kind) => kind,
        }
    }
}
