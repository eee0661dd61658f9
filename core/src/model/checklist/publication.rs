//! A template version's publication log: created, edited (while a draft),
//! published, retired. The status is a pure function of this log.
//!
//! ```text
//! from        event      to
//! (start)     created    Draft
//! Draft       edited     Draft
//! Draft       published  Published
//! Published   retired    Retired
//! ```
//!
//! An edit made offline on a draft that another device published meanwhile
//! sorts after the publication and is refused: the template is then flagged
//! as needing review rather than silently carrying content nobody published.
//! The fix is to make the next version from it.

use super::logged::{in_evaluation_order, Logged};
use super::TemplateStatus;

/// One entry of a template's publication log.
pub type TemplateEvent = Logged<TemplateEventKind>;

/// What happened to a template version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TemplateEventKind {
    Created,
    /// The draft's content was replaced.
    Edited,
    Published,
    Retired,
    /// A kind this version does not know; ignored.
    Other(String),
}

/// Why an entry cannot follow the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicationError {
    #[error("a {status} template cannot be {action}")]
    NotAllowed {
        action: &'static str,
        status: TemplateStatus,
    },
}

/// What a publication log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub status: TemplateStatus,
    /// Entries that could not follow the log (an edit after publication), in
    /// evaluation order: the template needs a person's review.
    pub refused: Vec<TemplateEvent>,
}

impl TemplateEventKind {
    /// The kind's name as stored.
    pub fn as_str(&self) -> &str {
        match self {
            TemplateEventKind::Created => "created",
            TemplateEventKind::Edited => "edited",
            TemplateEventKind::Published => "published",
            TemplateEventKind::Retired => "retired",
            TemplateEventKind::Other(kind) => kind,
        }
    }

    /// The stored name back into a kind.
    pub fn parse(text: &str) -> TemplateEventKind {
        match text {
            "created" => TemplateEventKind::Created,
            "edited" => TemplateEventKind::Edited,
            "published" => TemplateEventKind::Published,
            "retired" => TemplateEventKind::Retired,
            other => TemplateEventKind::Other(other.to_owned()),
        }
    }
}

impl TemplateStatus {
    /// The status after `kind`, or why `kind` cannot follow this status.
    pub fn after(self, kind: &TemplateEventKind) -> Result<TemplateStatus, PublicationError> {
        use TemplateStatus::*;
        let refuse = |action| PublicationError::NotAllowed {
            action,
            status: self,
        };
        match kind {
            TemplateEventKind::Created | TemplateEventKind::Other(_) => Ok(self),
            TemplateEventKind::Edited if self == Draft => Ok(Draft),
            TemplateEventKind::Edited => Err(refuse("edited")),
            TemplateEventKind::Published if self == Draft => Ok(Published),
            TemplateEventKind::Published => Err(refuse("published")),
            TemplateEventKind::Retired if self == Published => Ok(Retired),
            TemplateEventKind::Retired => Err(refuse("retired")),
        }
    }
}

impl Publication {
    pub fn needs_review(&self) -> bool {
        !self.refused.is_empty()
    }
}

/// The status a publication log leads to, in whatever order its entries come.
pub fn publication(events: &[TemplateEvent]) -> Publication {
    let mut status = TemplateStatus::Draft;
    let mut refused = Vec::new();
    for event in in_evaluation_order(events) {
        match status.after(&event.kind) {
            Ok(next) => status = next,
            Err(_) => refused.push(event),
        }
    }
    Publication { status, refused }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, device: &str, at_ms: i64, kind: TemplateEventKind) -> TemplateEvent {
        Logged {
            id: id.into(),
            kind,
            at_ms,
            device: device.into(),
            by: None,
        }
    }

    #[test]
    fn a_template_is_drafted_published_and_retired() {
        use TemplateEventKind::*;
        let mut log = vec![entry("a-0", "a", 1, Created), entry("a-1", "a", 2, Edited)];
        assert_eq!(publication(&log).status, TemplateStatus::Draft);
        log.push(entry("a-2", "a", 3, Published));
        assert_eq!(publication(&log).status, TemplateStatus::Published);
        log.push(entry("a-3", "a", 4, Retired));
        let done = publication(&log);
        assert_eq!(done.status, TemplateStatus::Retired);
        assert!(!done.needs_review());
    }

    #[test]
    fn an_offline_edit_after_publication_is_refused_and_flagged() {
        use TemplateEventKind::*;
        let log = vec![
            entry("a-0", "a", 1, Created),
            entry("b-1", "b", 3, Edited),
            entry("a-1", "a", 2, Published),
        ];
        let derived = publication(&log);
        assert_eq!(derived.status, TemplateStatus::Published);
        assert_eq!(derived.refused, vec![log[1].clone()]);
        assert!(TemplateStatus::Draft.after(&Retired).is_err());
        assert_eq!(TemplateEventKind::parse("frozen").as_str(), "frozen");
    }
}
