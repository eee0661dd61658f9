//! A finding of an audit (ISO/IEC 20000-1 9.2) or any other nonconformity to
//! deal with (10.1): what was found, against which requirement, and its way from
//! draft to a verified close.
//!
//! Two tracks share one record, chosen by the classification:
//!
//! ```text
//! nonconformity (major, minor):
//!   Draft → Issued → Acknowledged → Correction done → Cause analysed
//!     → Action in progress → Awaiting verification → Closed      (effective)
//!                                                  → Reopened    (not effective)
//!   Reopened → Action in progress, or → Cause analysed (a new analysis)
//! observation, opportunity for improvement:
//!   Draft → Issued → Accepted | Declined (reason) → Closed
//! ```
//!
//! Status, correction, root cause, linked actions and verification are derived
//! from the event log ([`lifecycle`] is the table, [`action`] what a person can
//! do next). Classification, owner and response due date are also plain fields
//! of the document so that concurrent offline choices stay visible as a
//! [`Contested`] value until a person picks one; every change to them is logged
//! too, which is where the guards look. The Automerge form is `doc::finding`.

mod action;
mod error;
mod event;
mod lifecycle;

pub use action::{apply, next_actions, Action, Command};
pub use event::{Event, FindingEvent};
pub use lifecycle::{Standing, TransitionError, Verification};

use std::fmt;

use super::date::Date;
use super::evidence::{ClauseRef, Evidence};
pub use super::incident::Contested;
use super::workflow::{derive, Derived, UserRef};
use crate::model::access::Person;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Classification {
    /// A requirement is not met in a way that puts the service at risk.
    MajorNonconformity,
    /// A requirement is not met, in a single or limited lapse.
    MinorNonconformity,
    /// Not a nonconformity yet, but could become one.
    Observation,
    /// Opportunity for improvement.
    Improvement,
}

/// Where a finding is in its lifecycle. Derived from events, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Draft,
    Issued,
    Acknowledged,
    CorrectionDone,
    /// The root cause is analysed and corrective action planned.
    CauseAnalysed,
    ActionInProgress,
    AwaitingVerification,
    Closed,
    /// Verified not effective: the actions go on.
    Reopened,
    Accepted,
    Declined,
}

/// What the finding says: requirement → objective evidence → gap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statement {
    /// What should be so (the clause, procedure or policy).
    pub requirement: String,
    /// What was seen or heard.
    pub evidence: String,
    /// Where the two differ.
    pub gap: String,
}

/// Why a nonconformity happened.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RootCause {
    /// How it was analysed (five whys, fishbone, …).
    pub method: String,
    pub analysis: String,
    /// Whether similar cases exist elsewhere, and where.
    pub similar_elsewhere: String,
}

/// What a verifier concluded about the corrective actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VerificationResult {
    Effective,
    NotEffective,
}

/// The checklist answer a finding was raised from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingSource {
    /// The checklist run's document id.
    pub run: String,
    /// The item id of the answer within the run.
    pub item: String,
}

/// What a person (or a flagged checklist answer) fills in to raise a finding.
/// Plain fields, so a checklist suggestion (clause refs, a statement, evidence,
/// the run and item) maps straight onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFinding {
    pub site: String,
    /// The audit's document id, if it came from one.
    pub audit: Option<String>,
    /// The lead auditor of that audit.
    pub audit_lead: Option<UserRef>,
    pub classification: Classification,
    pub statement: Statement,
    pub clauses: Vec<ClauseRef>,
    pub process: String,
    pub evidence: Vec<Evidence>,
    pub owner: Option<UserRef>,
    pub response_due: Option<Date>,
    pub source: Option<FindingSource>,
}

/// A finding read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub site: String,
    pub audit: Option<String>,
    pub classification: Contested<Classification>,
    pub statement: Statement,
    pub clauses: Vec<ClauseRef>,
    pub process: String,
    /// Objective evidence, in the order it was added.
    pub evidence: Vec<Evidence>,
    pub owner: Option<Contested<UserRef>>,
    pub response_due: Option<Contested<Date>>,
    pub source: Option<FindingSource>,
    pub created_at_ms: i64,
    pub events: Vec<Event>,
}

impl Classification {
    pub const ALL: [Classification; 4] = [
        Classification::MajorNonconformity,
        Classification::MinorNonconformity,
        Classification::Observation,
        Classification::Improvement,
    ];

    /// Whether it is a nonconformity (and follows the corrective-action track).
    pub fn is_nonconformity(self) -> bool {
        matches!(
            self,
            Classification::MajorNonconformity | Classification::MinorNonconformity
        )
    }

    /// The classification as stored in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::MajorNonconformity => "major",
            Classification::MinorNonconformity => "minor",
            Classification::Observation => "observation",
            Classification::Improvement => "improvement",
        }
    }

    /// The stored form back into a classification.
    pub fn parse(text: &str) -> Option<Classification> {
        Classification::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// As a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Classification::MajorNonconformity => "Major nonconformity",
            Classification::MinorNonconformity => "Minor nonconformity",
            Classification::Observation => "Observation",
            Classification::Improvement => "Opportunity for improvement",
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Issued => "Issued",
            Status::Acknowledged => "Acknowledged",
            Status::CorrectionDone => "Correction done",
            Status::CauseAnalysed => "Cause analysed, action planned",
            Status::ActionInProgress => "Action in progress",
            Status::AwaitingVerification => "Awaiting verification",
            Status::Closed => "Closed",
            Status::Reopened => "Reopened",
            Status::Accepted => "Accepted",
            Status::Declined => "Declined",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl VerificationResult {
    /// As stored in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationResult::Effective => "effective",
            VerificationResult::NotEffective => "notEffective",
        }
    }

    /// The stored form back into a result.
    pub fn parse(text: &str) -> Option<VerificationResult> {
        [
            VerificationResult::Effective,
            VerificationResult::NotEffective,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

impl Statement {
    /// A statement pre-filled from one text, such as a flagged checklist answer's
    /// question and answer: it goes in as the objective evidence, and the auditor
    /// adds the requirement and the gap before issuing.
    pub fn prefilled(text: impl Into<String>) -> Statement {
        Statement {
            evidence: text.into(),
            ..Statement::default()
        }
    }
}

impl Finding {
    /// Everything the event log says: status, correction, root cause, actions,
    /// verification, and any conflict that needs a person's review.
    pub fn derived(&self) -> Derived<Standing> {
        derive(&self.events)
    }

    pub fn status(&self) -> Status {
        self.derived().standing.status
    }

    /// What `who` can do next (see [`next_actions`]).
    pub fn next_actions(&self, who: &Person) -> Vec<Action> {
        next_actions(self, who)
    }

    /// The verification result that stands, and any result a concurrent
    /// verification recorded that the log refused (until someone reviews it).
    pub fn verification_result(&self) -> Option<Contested<VerificationResult>> {
        let derived = self.derived();
        let refused = derived.needs_review.iter().flat_map(|c| c.b.iter());
        let mut others: Vec<VerificationResult> = refused
            .filter_map(|e| match &e.kind {
                FindingEvent::Verified { result, .. } => Some(*result),
                _ => None,
            })
            .collect();
        let value = match derived.standing.verification {
            Some(v) => v.result,
            None if others.is_empty() => return None,
            None => others.remove(0),
        };
        others.retain(|r| *r != value);
        others.dedup();
        Some(Contested { value, others })
    }

    /// Whether any field shows concurrent values waiting for a person to choose.
    pub fn has_conflicts(&self) -> bool {
        self.classification.is_conflict()
            || self.owner.as_ref().is_some_and(Contested::is_conflict)
            || self
                .response_due
                .as_ref()
                .is_some_and(Contested::is_conflict)
            || self.verification_result().is_some_and(|v| v.is_conflict())
    }
}

#[cfg(test)]
mod tests;
