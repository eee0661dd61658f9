//! The incident as the domain sees it: parsed fields, its event log and the status
//! derived from that log. The Automerge form lives in `doc::incident`.

use super::access::RecordKind;
use super::action::{self, Action, LifecyclePolicy};
use super::derived::{derive, Derived};
pub use super::event::{Event, EventKind};
use super::evidence::Attachment;
use super::priority::{Impact, Priority, PriorityMatrix, Urgency};
use super::service_levels::ServiceLevels;
use super::signature::Signature;
use super::sla::{sla_state, SlaState};

/// An incident title: trimmed, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Title(String);

/// Why text is not a title.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TitleError {
    #[error("a title cannot be empty")]
    Empty,
    #[error("a title is at most {max} characters; this one has {len}")]
    TooLong { len: usize, max: usize },
}

impl Title {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(text: impl AsRef<str>) -> Result<Title, TitleError> {
        let trimmed = text.as_ref().trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return Err(TitleError::Empty);
        }
        if len > Self::MAX_CHARS {
            return Err(TitleError::TooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Title(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a record is an incident or a service request. Both are the same
/// document shape, lifecycle and SLA; a service request may also wait for a
/// manager's approval before anyone works it (8.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TicketKind {
    #[default]
    Incident,
    ServiceRequest,
}

impl TicketKind {
    /// The document's `kind` field (also `access::RecordKind`'s name for it).
    pub fn as_str(self) -> &'static str {
        self.record_kind().as_str()
    }

    pub fn record_kind(self) -> RecordKind {
        match self {
            TicketKind::Incident => RecordKind::Incident,
            TicketKind::ServiceRequest => RecordKind::ServiceRequest,
        }
    }

    /// The kind a document's `kind` field names, if it is one of these two.
    pub fn parse(kind: &str) -> Option<TicketKind> {
        [TicketKind::Incident, TicketKind::ServiceRequest]
            .into_iter()
            .find(|k| k.as_str() == kind)
    }

    /// As a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            TicketKind::Incident => "Incident",
            TicketKind::ServiceRequest => "Service request",
        }
    }

    /// The prefix of the human reference the server assigns (`INC-000001`, `REQ-000001`).
    pub fn reference_prefix(self) -> &'static str {
        match self {
            TicketKind::Incident => "INC",
            TicketKind::ServiceRequest => "REQ",
        }
    }
}

/// Where an incident is in its lifecycle. Derived from events, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    New,
    /// A service request waiting for a manager's approval.
    AwaitingApproval,
    Assigned,
    InProgress,
    OnHold,
    Resolved,
    Closed,
    Cancelled,
    /// Reopened after resolution or closure; work starts again from here.
    Reopened,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::AwaitingApproval => "Awaiting approval",
            Status::Assigned => "Assigned",
            Status::InProgress => "In progress",
            Status::OnHold => "On hold",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
            Status::Cancelled => "Cancelled",
            Status::Reopened => "Reopened",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The status a log of events leads to, in whatever order the events come.
/// Refused events (see [`derive()`]) leave it unchanged; unknown kinds are ignored.
pub fn status_of(events: &[Event]) -> Status {
    derive(events).status()
}

/// A field that people may have set concurrently, offline.
///
/// `value` is the one Automerge's deterministic rule shows first; `others` are the
/// values written concurrently with it. A person resolves the conflict by choosing
/// one, which is an ordinary new write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contested<T> {
    pub value: T,
    pub others: Vec<T>,
}

impl<T> Contested<T> {
    pub fn single(value: T) -> Contested<T> {
        Contested {
            value,
            others: Vec::new(),
        }
    }

    pub fn is_conflict(&self) -> bool {
        !self.others.is_empty()
    }

    /// Every value, the shown one first.
    pub fn all(&self) -> impl Iterator<Item = &T> {
        std::iter::once(&self.value).chain(self.others.iter())
    }
}

/// An incident read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub kind: TicketKind,
    pub site: String,
    pub title: Contested<String>,
    pub description: String,
    pub impact: Contested<Impact>,
    pub urgency: Contested<Urgency>,
    pub matrix_version: u32,
    /// The service levels the incident was logged under (a copy of that
    /// version); `None` in documents written before sites published their own,
    /// which count on [`ServiceLevels::standard`].
    pub service_levels: Option<ServiceLevels>,
    /// Human reference from the server (`INC-000123`, `REQ-000045`), once it has seen the record.
    pub reference: Option<String>,
    pub created_at_ms: i64,
    pub events: Vec<Event>,
    /// Photos, oldest first (see `doc::incident::attach_photo`).
    pub attachments: Vec<Attachment>,
    /// Customer signatures, oldest first (see `doc::incident::sign`).
    pub signatures: Vec<Signature>,
}

impl Incident {
    pub fn status(&self) -> Status {
        status_of(&self.events)
    }

    /// Everything the event log says: status, assignment, hold, major flag, and
    /// any conflict that needs a person's review.
    pub fn derived(&self) -> Derived {
        derive(&self.events)
    }

    /// What a person can do next (see [`action::next_actions`]).
    pub fn next_actions(&self, policy: &LifecyclePolicy, now_ms: i64) -> Vec<Action> {
        action::next_actions(&self.events, policy, now_ms)
    }

    /// The SLA clocks as of `now_ms` (see [`sla_state`]) under the policy and
    /// calendar the incident was logged under ([`Incident::levels`]), so a later
    /// publication never moves them; the current priority stands in for the
    /// initial one in documents that did not record it.
    pub fn sla(&self, now_ms: i64, confirmed: impl Fn(&Event) -> bool) -> SlaState {
        let levels = self.levels();
        sla_state(
            &self.events,
            self.priority(),
            &levels.policy,
            &levels.calendar,
            now_ms,
            confirmed,
        )
    }

    /// Sets the priority each priority change counts with: the one the
    /// incident's own matrix gives the event's impact and urgency, and for the
    /// latest change the priority the incident shows (its impact and urgency
    /// fields), whatever priority the events state. So the clocks, the history
    /// and the list agree, and no device gives an incident laxer targets by
    /// writing a lower priority, or a different impact and urgency, into an
    /// event than into the fields everyone sees. `doc::incident::read` calls it.
    pub fn count_priorities(&mut self) {
        let matrix = self.matrix();
        let shown = self.priority();
        let last = self
            .events
            .iter()
            .rposition(|e| matches!(e.kind, EventKind::PriorityChanged { .. }));
        for (i, event) in self.events.iter_mut().enumerate() {
            if let EventKind::PriorityChanged {
                impact,
                urgency,
                priority,
            } = &mut event.kind
            {
                *priority = if Some(i) == last {
                    shown
                } else {
                    matrix.priority(*impact, *urgency)
                };
            }
        }
    }

    /// The service levels the incident counts on: its copy of the version it
    /// was logged under, or the standard for a document without one.
    pub fn levels(&self) -> ServiceLevels {
        self.service_levels
            .clone()
            .unwrap_or_else(ServiceLevels::standard)
    }

    /// The matrix the incident was prioritised with: its own copy, else the one
    /// of the version it records.
    pub fn matrix(&self) -> PriorityMatrix {
        match &self.service_levels {
            Some(levels) => levels.matrix.clone(),
            None => PriorityMatrix::by_version(self.matrix_version)
                .unwrap_or_else(PriorityMatrix::standard),
        }
    }

    /// Priority from the matrix the incident was logged under.
    pub fn priority(&self) -> Priority {
        self.matrix()
            .priority(self.impact.value, self.urgency.value)
    }

    /// Whether any field shows concurrent values waiting for a person to choose.
    pub fn has_conflicts(&self) -> bool {
        self.title.is_conflict() || self.impact.is_conflict() || self.urgency.is_conflict()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(
            Title::parse("  Printer jam ").map(|t| t.0),
            Ok("Printer jam".into())
        );
        assert_eq!(Title::parse("   "), Err(TitleError::Empty));
        assert_eq!(
            Title::parse("x".repeat(201)),
            Err(TitleError::TooLong { len: 201, max: 200 })
        );
        assert!(Title::parse("é".repeat(200)).is_ok());
    }

    #[test]
    fn a_created_incident_is_new_and_unknown_events_are_kept_but_ignored() {
        let ev = |id: &str, kind| Event {
            id: id.into(),
            kind,
            at_ms: 0,
            device: "a".into(),
        };
        assert_eq!(status_of(&[ev("a-0", EventKind::Created)]), Status::New);
        let teleported = EventKind::Other("teleported".into());
        assert_eq!(
            status_of(&[ev("a-0", EventKind::Created), ev("a-1", teleported.clone())]),
            Status::New
        );
        assert_eq!(teleported.as_str(), "teleported");
    }
}
