//! The "New audit" form, parsed once at the edge into a [`NewAudit`]: what a
//! person typed becomes a plan that holds no empty title, no clause that is not
//! one of the standard's, and no team member twice.

use super::NewAudit;
use crate::model::date::{Date, DateError};
use crate::model::evidence::{BadClause, ClauseRef};
use crate::model::workflow::UserRef;

/// What a person typed or picked to plan an audit, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditForm {
    pub title: String,
    pub scope: String,
    pub criteria: String,
    /// Clause numbers separated by commas or spaces ("8.7.3, 9.2").
    pub clauses: String,
    /// `YYYY-MM-DD`, or empty when not planned for a day yet.
    pub planned_for: String,
    /// The site audited.
    pub site: String,
    pub lead: Option<UserRef>,
    pub auditors: Vec<UserRef>,
    /// Whom the auditors will interview, one per line or separated by commas.
    pub auditees: String,
}

/// Why a form is not a plan, in words for the person filling it in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("an audit needs a title")]
    MissingTitle,
    #[error("an audit needs a scope: what it covers")]
    MissingScope,
    #[error("an audit needs criteria: what it is checked against")]
    MissingCriteria,
    #[error("an audit needs a lead auditor")]
    MissingLead,
    #[error(transparent)]
    BadClause(#[from] BadClause),
    #[error("the planned date: {0}")]
    BadDate(#[from] DateError),
    #[error("{0} is the lead auditor, so is on the team already")]
    LeadTwice(String),
}

impl AuditForm {
    /// The plan, or the first thing that is wrong with the form. Text is
    /// trimmed; an auditor picked twice is kept once.
    pub fn parse(self) -> Result<NewAudit, PlanError> {
        let text = |s: String| s.trim().to_owned();
        let title = text(self.title);
        if title.is_empty() {
            return Err(PlanError::MissingTitle);
        }
        let scope = text(self.scope);
        if scope.is_empty() {
            return Err(PlanError::MissingScope);
        }
        let criteria = text(self.criteria);
        if criteria.is_empty() {
            return Err(PlanError::MissingCriteria);
        }
        let mut clauses: Vec<ClauseRef> = Vec::new();
        for clause in split(&self.clauses, &[',', ' ', ';', '\n']) {
            let clause: ClauseRef = clause.parse()?;
            if !clauses.contains(&clause) {
                clauses.push(clause);
            }
        }
        let planned_for = match self.planned_for.trim() {
            "" => None,
            day => Some(day.parse::<Date>()?),
        };
        let lead = self.lead.ok_or(PlanError::MissingLead)?;
        let mut auditors: Vec<UserRef> = Vec::new();
        for auditor in self.auditors {
            if auditor.user_id == lead.user_id {
                return Err(PlanError::LeadTwice(lead.name));
            }
            if !auditors.iter().any(|a| a.user_id == auditor.user_id) {
                auditors.push(auditor);
            }
        }
        let site = text(self.site);
        Ok(NewAudit {
            title,
            programme: None,
            planned_for,
            scope,
            criteria,
            clauses,
            sites: if site.is_empty() { vec![] } else { vec![site] },
            lead,
            auditors,
            auditees: split(&self.auditees, &[',', '\n']).collect(),
        })
    }
}

/// The non-empty trimmed pieces of `text` between any of `separators`.
fn split<'a>(text: &'a str, separators: &'a [char]) -> impl Iterator<Item = String> + 'a {
    text.split(separators)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(id: &str) -> UserRef {
        UserRef {
            user_id: id.into(),
            name: format!("{id} name"),
        }
    }

    fn filled() -> AuditForm {
        AuditForm {
            title: "  Service continuity  ".into(),
            scope: "Backups and restores".into(),
            criteria: "ISO/IEC 20000-1:2018".into(),
            clauses: "8.7.3, 9.2 8.7.3".into(),
            planned_for: "2026-12-01".into(),
            site: "north".into(),
            lead: Some(who("ada")),
            auditors: vec![who("aziz"), who("aziz")],
            auditees: "Ops lead,\n Backup operator\n".into(),
        }
    }

    #[test]
    fn a_filled_form_is_a_plan_with_each_clause_and_auditor_once() {
        let plan = filled().parse().expect("a plan");
        assert_eq!(plan.title, "Service continuity");
        let clauses: Vec<String> = plan.clauses.iter().map(ToString::to_string).collect();
        assert_eq!(clauses, ["8.7.3", "9.2"]);
        assert_eq!(plan.planned_for, Some("2026-12-01".parse().unwrap()));
        assert_eq!(plan.lead, who("ada"));
        assert_eq!(plan.auditors, vec![who("aziz")]);
        assert_eq!(plan.auditees, ["Ops lead", "Backup operator"]);
        assert_eq!(plan.sites, ["north"]);
    }

    #[test]
    fn what_is_missing_or_wrong_is_said_in_words() {
        let with = |change: fn(&mut AuditForm)| {
            let mut form = filled();
            change(&mut form);
            form.parse().unwrap_err().to_string()
        };
        assert_eq!(with(|f| f.title = " ".into()), "an audit needs a title");
        assert_eq!(
            with(|f| f.scope.clear()),
            "an audit needs a scope: what it covers"
        );
        assert_eq!(
            with(|f| f.criteria.clear()),
            "an audit needs criteria: what it is checked against"
        );
        assert_eq!(
            with(|f| f.clauses = "8.7.3, 12".into()),
            "`12` is not a clause of ISO/IEC 20000-1 (write it like 8.6.1, from 4 to 10)"
        );
        assert_eq!(
            with(|f| f.planned_for = "1/12/2026".into()),
            "the planned date: a date is written YYYY-MM-DD, not `1/12/2026`"
        );
        assert_eq!(with(|f| f.lead = None), "an audit needs a lead auditor");
        assert_eq!(
            with(|f| f.auditors.push(who("ada"))),
            "ada name is the lead auditor, so is on the team already"
        );
    }
}
