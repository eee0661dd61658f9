//! What a person can do to an audit ([`next_actions`]) and turning a filled-in
//! [`Command`] into the event to append ([`apply`]).

use super::lifecycle::TransitionError;
use super::{Audit, AuditEvent, Event, Status};
use crate::model::access::Person;
use crate::model::workflow::{next_event, trimmed, Lifecycle, UserRef};

/// Something a person can do to an audit: one button each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    AddAuditor,
    DeclareIndependence,
    StartPreparation,
    StartFieldwork,
    EndFieldwork,
    IssueReport,
    StartFollowUp,
    Close,
    LinkRun,
    LinkFinding,
    AddNote,
    Reconcile,
}

/// An action with what the person filled in. [`apply`] turns it into an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    AddAuditor(UserRef),
    DeclareIndependence {
        statement: String,
    },
    StartPreparation,
    StartFieldwork,
    EndFieldwork,
    /// Issue the report as drafted in the audit's report fields.
    IssueReport,
    StartFollowUp,
    Close,
    LinkRun {
        run: String,
    },
    LinkFinding {
        finding: String,
    },
    AddNote {
        text: String,
    },
    /// Accept that the events a conflict refused stay refused.
    Reconcile,
}

/// What `who` can do next, the most likely first.
pub fn next_actions(audit: &Audit, who: &Person) -> Vec<Action> {
    use Action::*;
    let derived = audit.derived();
    let s = &derived.standing;
    let mut actions = Vec::new();
    if derived.needs_review.is_some() {
        actions.push(Reconcile);
    }
    let lead = s.is_lead(who);
    let undeclared = s.undeclared().any(|m| m.who.is(who));
    if undeclared && matches!(s.status, Status::Planned | Status::Preparation) {
        actions.push(DeclareIndependence);
    }
    if lead {
        match s.status {
            Status::Planned => actions.extend([StartPreparation, AddAuditor]),
            Status::Preparation if s.undeclared().next().is_none() => {
                actions.extend([StartFieldwork, AddAuditor])
            }
            Status::Preparation => actions.push(AddAuditor),
            Status::Fieldwork => actions.push(EndFieldwork),
            Status::Reporting => actions.push(IssueReport),
            Status::Issued if s.findings.is_empty() => actions.extend([Close, StartFollowUp]),
            Status::Issued => actions.push(StartFollowUp),
            Status::FollowUp => actions.push(Close),
            Status::Closed => {}
        }
    }
    if s.status != Status::Closed {
        actions.extend([LinkRun, LinkFinding]);
    }
    actions.push(AddNote);
    actions
}

/// The event that records `command` by `by`, or why it is refused.
///
/// `device` is the acting device's Automerge actor (hex) and `now_ms` its
/// clock. Text inputs are trimmed; issuing the report copies the draft.
pub fn apply(
    audit: &Audit,
    command: Command,
    by: &Person,
    device: &str,
    now_ms: i64,
) -> Result<Event, TransitionError> {
    let derived = audit.derived();
    let kind = match command {
        Command::AddAuditor(auditor) => AuditEvent::AuditorAdded {
            auditor: UserRef {
                user_id: trimmed(auditor.user_id),
                name: trimmed(auditor.name),
            },
        },
        Command::DeclareIndependence { statement } => AuditEvent::IndependenceDeclared {
            statement: trimmed(statement),
        },
        Command::StartPreparation => AuditEvent::PreparationStarted,
        Command::StartFieldwork => AuditEvent::FieldworkStarted,
        Command::EndFieldwork => AuditEvent::FieldworkEnded,
        Command::IssueReport => AuditEvent::ReportIssued {
            summary: audit.report.summary.trim().to_owned(),
            conclusion: audit.report.conclusion.trim().to_owned(),
            distribution: audit.report.distribution.clone(),
        },
        Command::StartFollowUp => AuditEvent::FollowUpStarted,
        Command::Close => AuditEvent::Closed,
        Command::LinkRun { run } => AuditEvent::RunLinked { run: trimmed(run) },
        Command::LinkFinding { finding } => AuditEvent::FindingLinked {
            finding: trimmed(finding),
        },
        Command::AddNote { text } => AuditEvent::Note {
            text: trimmed(text),
        },
        Command::Reconcile => match &derived.needs_review {
            Some(conflict) => AuditEvent::Reconciled {
                events: conflict.b.iter().map(|e| e.id.clone()).collect(),
            },
            None => return Err(TransitionError::NothingToReconcile),
        },
    };
    let event = next_event(
        audit.events.len(),
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
    /// The button's words (also used in "only the lead auditor can …").
    pub fn label(self) -> &'static str {
        match self {
            Action::AddAuditor => "add an auditor",
            Action::DeclareIndependence => "declare independence",
            Action::StartPreparation => "start preparation",
            Action::StartFieldwork => "start fieldwork",
            Action::EndFieldwork => "end fieldwork",
            Action::IssueReport => "issue the report",
            Action::StartFollowUp => "start follow-up",
            Action::Close => "close the audit",
            Action::LinkRun => "link a checklist run",
            Action::LinkFinding => "link a finding",
            Action::AddNote => "add a note",
            Action::Reconcile => "review the conflict",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
