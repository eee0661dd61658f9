//! Internal audit (ISO/IEC 20000-1 9.2): the programme that plans audits over a
//! period, and each audit from planning to a closed follow-up.
//!
//! ```text
//! Planned → Preparation → Fieldwork → Reporting → Issued → Follow-up → Closed
//!                                                 Issued → Closed (no findings)
//! ```
//!
//! The programme is plain data: it has no lifecycle of its own
//! ([`programme`]). An audit's status, team (and each member's declared
//! independence), linked checklist runs and findings, and the issued report are
//! derived from its event log ([`lifecycle`]). The report is drafted in plain
//! fields; issuing copies the draft into the event, so what was distributed is
//! kept as it was even if the draft is edited later. The Automerge form is
//! `doc::audit`. A plan is parsed from the "New audit" form ([`AuditForm`]);
//! [`members`] says which runs and findings on a device are the audit's.

mod action;
mod lifecycle;
mod members;
mod plan;
pub mod programme;

pub use action::{apply, next_actions, Action, Command};
pub use lifecycle::{Declaration, IssuedReport, Standing, TeamMember, TransitionError};
pub use members::{members, FindingRef, Members, RunRef};
pub use plan::{AuditForm, PlanError};
pub use programme::{AuditProgramme, NewProgramme, Period, PeriodError, PlannedAudit, Scope};

use std::fmt;

use super::date::Date;
use super::evidence::ClauseRef;
use super::workflow::{derive, Derived, Logged, UserRef};
use crate::model::access::Person;

/// One entry of an audit's log.
pub type Event = Logged<AuditEvent>;

/// Where an audit is in its lifecycle. Derived from events, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Planned,
    Preparation,
    Fieldwork,
    Reporting,
    /// The report is issued.
    Issued,
    FollowUp,
    Closed,
}

/// What happened to an audit.
///
/// Kinds this version does not know are kept as `Other`; known kinds whose
/// fields cannot be read are `Unreadable` and refused, so they are seen, not lost.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuditEvent {
    /// Planned, with its lead auditor.
    Created {
        lead: UserRef,
    },
    AuditorAdded {
        auditor: UserRef,
    },
    /// The acting person declares they are independent of what is audited.
    IndependenceDeclared {
        statement: String,
    },
    PreparationStarted,
    FieldworkStarted,
    FieldworkEnded,
    /// The report as issued.
    ReportIssued {
        summary: String,
        conclusion: String,
        distribution: Vec<String>,
    },
    FollowUpStarted,
    Closed,
    /// A checklist run (by document id) done for this audit.
    RunLinked {
        run: String,
    },
    /// A finding (by document id) raised by this audit.
    FindingLinked {
        finding: String,
    },
    Note {
        text: String,
    },
    /// A person reviewed a conflict and accepts that these refused events stay refused.
    Reconciled {
        events: Vec<String>,
    },
    /// A known kind whose `field` is missing or malformed.
    Unreadable {
        kind: String,
        field: &'static str,
    },
    /// A kind this version does not know.
    Other(String),
}

/// The report as it is being written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportDraft {
    pub summary: String,
    pub conclusion: String,
    /// Who receives it (names or roles).
    pub distribution: Vec<String>,
}

/// What a person fills in to plan an audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    pub title: String,
    /// The programme's document id and the planned audit's id in it, if planned there.
    pub programme: Option<(String, String)>,
    pub planned_for: Option<Date>,
    pub scope: String,
    /// What the audit checks against (the standard, the SMS, procedures).
    pub criteria: String,
    pub clauses: Vec<ClauseRef>,
    pub sites: Vec<String>,
    pub lead: UserRef,
    pub auditors: Vec<UserRef>,
    pub auditees: Vec<String>,
}

/// An audit read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub title: String,
    pub programme: Option<(String, String)>,
    pub planned_for: Option<Date>,
    pub scope: String,
    pub criteria: String,
    pub clauses: Vec<ClauseRef>,
    pub sites: Vec<String>,
    pub auditees: Vec<String>,
    pub report: ReportDraft,
    pub created_at_ms: i64,
    pub events: Vec<Event>,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Planned => "Planned",
            Status::Preparation => "Preparation",
            Status::Fieldwork => "Fieldwork",
            Status::Reporting => "Reporting",
            Status::Issued => "Report issued",
            Status::FollowUp => "Follow-up",
            Status::Closed => "Closed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl AuditEvent {
    /// The kind's name as stored in the document.
    pub fn as_str(&self) -> &str {
        match self {
            AuditEvent::Created { .. } => "created",
            AuditEvent::AuditorAdded { .. } => "auditorAdded",
            AuditEvent::IndependenceDeclared { .. } => "independenceDeclared",
            AuditEvent::PreparationStarted => "preparationStarted",
            AuditEvent::FieldworkStarted => "fieldworkStarted",
            AuditEvent::FieldworkEnded => "fieldworkEnded",
            AuditEvent::ReportIssued { .. } => "reportIssued",
            AuditEvent::FollowUpStarted => "followUpStarted",
            AuditEvent::Closed => "closed",
            AuditEvent::RunLinked { .. } => "runLinked",
            AuditEvent::FindingLinked { .. } => "findingLinked",
            AuditEvent::Note { .. } => "note",
            AuditEvent::Reconciled { .. } => "reconciled",
            AuditEvent::Unreadable { kind, .. } => kind,
            AuditEvent::Other(kind) => kind,
        }
    }
}

impl Audit {
    /// Everything the event log says: status, team, runs, findings, the issued
    /// report, and any conflict that needs a person's review.
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
}

#[cfg(test)]
mod tests;
