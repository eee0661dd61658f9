//! The incident as the domain sees it: parsed fields, its event log and the status
//! derived from that log. The Automerge form lives in `doc::incident`.

use super::priority::{Impact, Priority, PriorityMatrix, Urgency};

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

/// Where an incident is in its lifecycle. Derived from events, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    New,
    Assigned,
    InProgress,
    OnHold,
    Resolved,
    Closed,
    Cancelled,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::Assigned => "Assigned",
            Status::InProgress => "In progress",
            Status::OnHold => "On hold",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
            Status::Cancelled => "Cancelled",
        }
    }
}

/// One entry of the append-only event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique within the record (made from the device's actor and a counter).
    pub id: String,
    pub kind: EventKind,
    /// Device time, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The Automerge actor (device) that appended it.
    pub device: String,
}

/// What happened. Kinds this version does not know are kept as `Other` so a newer
/// device's events never break an older one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Other(String),
}

impl EventKind {
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::Created => "created",
            EventKind::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> EventKind {
        match s {
            "created" => EventKind::Created,
            other => EventKind::Other(other.to_owned()),
        }
    }
}

/// The status a log of events leads to. Unknown events leave it unchanged.
pub fn status_of(events: &[Event]) -> Status {
    events
        .iter()
        .fold(Status::New, |status, event| match event.kind {
            EventKind::Created => Status::New,
            EventKind::Other(_) => status,
        })
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
    pub site: String,
    pub title: Contested<String>,
    pub description: String,
    pub impact: Contested<Impact>,
    pub urgency: Contested<Urgency>,
    pub matrix_version: u32,
    /// Human reference from the server (`INC-000123`), once it has seen the record.
    pub reference: Option<String>,
    pub created_at_ms: i64,
    pub events: Vec<Event>,
}

impl Incident {
    pub fn status(&self) -> Status {
        status_of(&self.events)
    }

    /// Priority from the matrix version recorded on the incident.
    pub fn priority(&self) -> Priority {
        let matrix = PriorityMatrix::by_version(self.matrix_version)
            .unwrap_or_else(PriorityMatrix::standard);
        matrix.priority(self.impact.value, self.urgency.value)
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
        let ev = |kind| Event {
            id: "a-1".into(),
            kind,
            at_ms: 0,
            device: "a".into(),
        };
        assert_eq!(status_of(&[ev(EventKind::Created)]), Status::New);
        assert_eq!(
            status_of(&[ev(EventKind::Created), ev(EventKind::parse("teleported"))]),
            Status::New
        );
        assert_eq!(EventKind::parse("teleported").as_str(), "teleported");
    }
}
