//! What a person typed into the incident form, before it is parsed.
//!
//! The form keeps a [`Draft`] of raw values; saving turns it into a
//! [`NewIncident`] or into the [`Edit`]s that differ from the values the form
//! started from. Only fields the person changed are written, so two people who
//! change different fields offline never conflict.

use super::incident::{Edit, NewIncident};
use crate::model::incident::{Incident, TicketKind, Title, TitleError};
use crate::model::priority::{Impact, LevelError, Urgency};

/// Raw form values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    /// Incident or service request (chosen when it is logged, then fixed).
    pub kind: TicketKind,
    /// A new service request waits for a manager's approval.
    pub needs_approval: bool,
    pub title: String,
    pub description: String,
    pub impact: i64,
    pub urgency: i64,
}

/// Why the form cannot be saved, in words for the person filling it in.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DraftError {
    #[error("Title: {0}")]
    Title(#[from] TitleError),
    #[error("{0}")]
    Level(#[from] LevelError),
}

impl Draft {
    /// The form as it starts for an existing incident (the first of any concurrent values).
    pub fn of(incident: &Incident) -> Draft {
        Draft {
            kind: incident.kind,
            needs_approval: false,
            title: incident.title.value.clone(),
            description: incident.description.clone(),
            impact: i64::from(incident.impact.value.level()),
            urgency: i64::from(incident.urgency.value.level()),
        }
    }

    /// A new incident or service request at `site`.
    pub fn to_new(&self, site: &str) -> Result<NewIncident, DraftError> {
        Ok(NewIncident {
            kind: self.kind,
            needs_approval: self.kind == TicketKind::ServiceRequest && self.needs_approval,
            site: site.to_owned(),
            title: Title::parse(&self.title)?,
            description: self.description.clone(),
            impact: Impact::parse(self.impact)?,
            urgency: Urgency::parse(self.urgency)?,
        })
    }

    /// The edits that turn `baseline` (what the form showed) into this draft.
    pub fn edits_since(&self, baseline: &Draft) -> Result<Vec<Edit>, DraftError> {
        let mut edits = Vec::new();
        if self.title.trim() != baseline.title.trim() {
            edits.push(Edit::Title(Title::parse(&self.title)?));
        }
        if self.description != baseline.description {
            edits.push(Edit::Description(self.description.clone()));
        }
        if self.impact != baseline.impact {
            edits.push(Edit::Impact(Impact::parse(self.impact)?));
        }
        if self.urgency != baseline.urgency {
            edits.push(Edit::Urgency(Urgency::parse(self.urgency)?));
        }
        Ok(edits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Draft {
        Draft {
            kind: TicketKind::Incident,
            needs_approval: false,
            title: "Printer jam".into(),
            description: "Tray 3".into(),
            impact: 3,
            urgency: 2,
        }
    }

    #[test]
    fn only_changed_fields_become_edits() {
        let mut changed = base();
        changed.impact = 1;
        let edits = changed.edits_since(&base()).expect("valid");
        assert_eq!(edits, vec![Edit::Impact(Impact::parse(1).expect("i"))]);
        assert_eq!(base().edits_since(&base()), Ok(vec![]));
    }

    #[test]
    fn an_emptied_title_is_refused_with_a_message() {
        let mut changed = base();
        changed.title = "  ".into();
        let error = changed.edits_since(&base()).expect_err("refused");
        assert_eq!(error.to_string(), "Title: a title cannot be empty");
    }

    #[test]
    fn a_new_incident_needs_levels_from_one_to_four() {
        let mut draft = base();
        draft.urgency = 0;
        assert_eq!(
            draft.to_new("north").expect_err("refused").to_string(),
            "urgency is a level from 1 to 4, not 0"
        );
        assert!(base().to_new("north").is_ok());
    }
}
