//! The audit lifecycle: which event may follow which status, and the guards.
//!
//! ```text
//! from                  event                  to            also needs
//! Planned               start preparation      Preparation   the lead
//! Preparation           start fieldwork        Fieldwork     the lead; every team member's
//!                                                            declared independence
//! Fieldwork             end fieldwork          Reporting     the lead
//! Reporting             issue report           Issued        the lead; summary and conclusion
//! Issued                start follow-up        Follow-up     the lead
//! Follow-up             close                  Closed        the lead
//! Issued                close                  Closed        the lead; no findings linked
//! Planned, Preparation  add auditor            (same)        the lead
//! Planned, Preparation  declare independence   (same)        a team member; a statement
//! any but Closed        link run, link finding
//! any                   note, conflict review
//! ```
//!
//! Only the lead moves the audit: the report and its conclusion are theirs to
//! answer for. Independence is declared by each member for themselves (the
//! event's person), before fieldwork, because 9.2 asks that auditors do not
//! audit their own work, and that is only worth checking before they start.

use super::action::Action;
use super::{AuditEvent, Event, Status};
use crate::model::access::Person;
use crate::model::workflow::{filled, Lifecycle, UserRef};

/// Where an audit stands after some prefix of its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    /// `None` only before the `created` event.
    pub lead: Option<TeamMember>,
    pub auditors: Vec<TeamMember>,
    /// Linked checklist runs, by document id.
    pub runs: Vec<String>,
    /// Linked findings, by document id.
    pub findings: Vec<String>,
    pub report: Option<IssuedReport>,
}

/// An auditor on the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub who: UserRef,
    pub independence: Option<Declaration>,
}

/// A member's statement that they are independent of what is audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub statement: String,
    pub at_ms: i64,
}

/// The report as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedReport {
    pub summary: String,
    pub conclusion: String,
    pub distribution: Vec<String>,
    pub issued_at_ms: i64,
    pub issued_by: Person,
}

/// Why an event cannot follow an audit's log, in words for the person who tried.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TransitionError {
    #[error("it is not possible to {action} while the audit is {status}")]
    NotAllowed { action: Action, status: Status },
    #[error("only the lead auditor ({lead}) can {action}, not {name}")]
    NotTheLead {
        action: Action,
        name: String,
        lead: String,
    },
    #[error("{0} is already on the audit team")]
    AlreadyOnTeam(String),
    #[error("{0} is not on the audit team, so has no independence to declare")]
    NotOnTeam(String),
    #[error("a declaration of independence needs a statement")]
    MissingStatement,
    #[error(
        "fieldwork cannot start until every auditor has declared independence; waiting for {0}"
    )]
    IndependenceMissing(String),
    #[error("the report needs a {0} before it is issued")]
    IncompleteReport(&'static str),
    #[error("the audit has findings, so it goes through follow-up before it closes")]
    FindingsToFollowUp,
    #[error("a link needs the document id of the record")]
    MissingLink,
    #[error("a note cannot be empty")]
    EmptyNote,
    #[error("there is no conflict to review")]
    NothingToReconcile,
    #[error("a “{kind}” event whose {field} cannot be read")]
    Unreadable { kind: String, field: &'static str },
}

impl Standing {
    /// Whether `who` is the lead auditor.
    pub fn is_lead(&self, who: &Person) -> bool {
        self.lead.as_ref().is_some_and(|l| l.who.is(who))
    }

    /// The lead and the auditors.
    pub fn team(&self) -> impl Iterator<Item = &TeamMember> {
        self.lead.iter().chain(&self.auditors)
    }

    /// Team members who have not declared independence yet.
    pub fn undeclared(&self) -> impl Iterator<Item = &TeamMember> {
        self.team().filter(|m| m.independence.is_none())
    }

    fn lead_only(&self, by: &Person, action: Action) -> Result<(), TransitionError> {
        match &self.lead {
            Some(lead) if lead.who.is(by) => Ok(()),
            lead => Err(TransitionError::NotTheLead {
                action,
                name: by.name.clone(),
                lead: lead
                    .as_ref()
                    .map_or_else(|| "none named".to_owned(), |l| l.who.name.clone()),
            }),
        }
    }
}

impl Lifecycle for Standing {
    type Kind = AuditEvent;
    type Error = TransitionError;

    fn start() -> Standing {
        Standing {
            status: Status::Planned,
            lead: None,
            auditors: Vec::new(),
            runs: Vec::new(),
            findings: Vec::new(),
            report: None,
        }
    }

    fn set_aside(kind: &AuditEvent) -> Option<&[String]> {
        match kind {
            AuditEvent::Reconciled { events } => Some(events),
            _ => None,
        }
    }

    fn after(&self, event: &Event) -> Result<Standing, TransitionError> {
        use Status::*;
        let mut next = self.clone();
        let by = &event.by;
        let step = |from: bool, action: Action| {
            if !from {
                return Err(TransitionError::NotAllowed {
                    action,
                    status: self.status,
                });
            }
            self.lead_only(by, action)
        };
        let link = |id: &str, list: &mut Vec<String>, action: Action| {
            if self.status == Closed {
                return Err(TransitionError::NotAllowed {
                    action,
                    status: self.status,
                });
            }
            if !filled(id) {
                return Err(TransitionError::MissingLink);
            }
            if !list.iter().any(|l| l == id) {
                list.push(id.to_owned());
            }
            Ok(())
        };
        match &event.kind {
            AuditEvent::Other(_) => {}
            AuditEvent::Unreadable { kind, field } => {
                return Err(TransitionError::Unreadable {
                    kind: kind.clone(),
                    field,
                })
            }
            AuditEvent::Created { lead } => {
                next.lead = Some(TeamMember {
                    who: lead.clone(),
                    independence: None,
                })
            }
            AuditEvent::AuditorAdded { auditor } => {
                step(
                    matches!(self.status, Planned | Preparation),
                    Action::AddAuditor,
                )?;
                if self.team().any(|m| m.who.user_id == auditor.user_id) {
                    return Err(TransitionError::AlreadyOnTeam(auditor.name.clone()));
                }
                next.auditors.push(TeamMember {
                    who: auditor.clone(),
                    independence: None,
                });
            }
            AuditEvent::IndependenceDeclared { statement } => {
                if !matches!(self.status, Planned | Preparation) {
                    return Err(TransitionError::NotAllowed {
                        action: Action::DeclareIndependence,
                        status: self.status,
                    });
                }
                if !filled(statement) {
                    return Err(TransitionError::MissingStatement);
                }
                let member = next
                    .lead
                    .iter_mut()
                    .chain(next.auditors.iter_mut())
                    .find(|m| m.who.is(by))
                    .ok_or_else(|| TransitionError::NotOnTeam(by.name.clone()))?;
                member.independence = Some(Declaration {
                    statement: statement.clone(),
                    at_ms: event.at_ms,
                });
            }
            AuditEvent::PreparationStarted => {
                step(self.status == Planned, Action::StartPreparation)?;
                next.status = Preparation;
            }
            AuditEvent::FieldworkStarted => {
                step(self.status == Preparation, Action::StartFieldwork)?;
                let waiting: Vec<&str> = self.undeclared().map(|m| m.who.name.as_str()).collect();
                if !waiting.is_empty() {
                    return Err(TransitionError::IndependenceMissing(waiting.join(", ")));
                }
                next.status = Fieldwork;
            }
            AuditEvent::FieldworkEnded => {
                step(self.status == Fieldwork, Action::EndFieldwork)?;
                next.status = Reporting;
            }
            AuditEvent::ReportIssued {
                summary,
                conclusion,
                distribution,
            } => {
                step(self.status == Reporting, Action::IssueReport)?;
                if !filled(summary) {
                    return Err(TransitionError::IncompleteReport("summary"));
                }
                if !filled(conclusion) {
                    return Err(TransitionError::IncompleteReport("conclusion"));
                }
                next.status = Issued;
                next.report = Some(IssuedReport {
                    summary: summary.clone(),
                    conclusion: conclusion.clone(),
                    distribution: distribution.clone(),
                    issued_at_ms: event.at_ms,
                    issued_by: by.clone(),
                });
            }
            AuditEvent::FollowUpStarted => {
                step(self.status == Issued, Action::StartFollowUp)?;
                next.status = FollowUp;
            }
            AuditEvent::Closed => {
                step(matches!(self.status, Issued | FollowUp), Action::Close)?;
                if self.status == Issued && !self.findings.is_empty() {
                    return Err(TransitionError::FindingsToFollowUp);
                }
                next.status = Closed;
            }
            AuditEvent::RunLinked { run } => link(run, &mut next.runs, Action::LinkRun)?,
            AuditEvent::FindingLinked { finding } => {
                link(finding, &mut next.findings, Action::LinkFinding)?
            }
            AuditEvent::Note { text } => {
                if !filled(text) {
                    return Err(TransitionError::EmptyNote);
                }
            }
            AuditEvent::Reconciled { .. } => {}
        }
        Ok(next)
    }
}
