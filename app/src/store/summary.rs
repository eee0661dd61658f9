//! The summary row a list shows for one record.

use fieldbook_core::model::calendar::BusinessCalendar;
use fieldbook_core::model::incident::{Incident, TicketKind};
use fieldbook_core::model::listing::{Row, SlaSnapshot};

/// What the incident list needs of one record, kept beside its document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub id: String,
    pub kind: String,
    /// A line under the title for records other than incidents: a run's
    /// progress and score, a finding's classification and clauses.
    #[serde(default)]
    pub detail: Option<String>,
    pub site: String,
    pub title: String,
    pub status: String,
    /// 1 (P1) to 4 (P4).
    pub priority: u8,
    pub conflicts: bool,
    pub reference: Option<String>,
    pub created_at_ms: i64,
    /// Who it is assigned to, if anyone (absent in rows written before lists filtered).
    #[serde(default)]
    pub assignee: Option<String>,
    /// The clock due first, as it stood when the row was written.
    #[serde(default)]
    pub sla: Option<SlaSnapshot>,
    /// The business calendar the clocks count on, when it is not 24 × 7 (the
    /// incident's service-levels version's), to carry `sla` forward in the list.
    #[serde(default)]
    pub calendar: Option<BusinessCalendar>,
}

impl Summary {
    /// The row of `incident`, its SLA as of `now_ms` under the service levels it
    /// was logged under, as the incident page shows it.
    pub fn of_incident(id: &str, incident: &Incident, now_ms: i64) -> Summary {
        let derived = incident.derived();
        let sla = incident.sla(now_ms, |_| true);
        let calendar = incident.levels().calendar;
        Summary {
            id: id.to_owned(),
            kind: incident.kind.as_str().to_owned(),
            detail: None,
            site: incident.site.clone(),
            title: incident.title.value.clone(),
            status: incident.status().label().to_owned(),
            priority: incident.priority().rank(),
            conflicts: incident.has_conflicts(),
            reference: incident.reference.clone(),
            created_at_ms: incident.created_at_ms,
            assignee: derived.standing.assignment.and_then(|a| a.assignee),
            sla: Some(SlaSnapshot::of(&sla, now_ms)),
            calendar: (calendar != BusinessCalendar::always()).then_some(calendar),
        }
    }

    /// The row as the list's filters see it; `search` is this row's
    /// `listing::search_text`, `always` the 24 × 7 calendar for rows without one.
    pub fn row<'a>(&'a self, search: &'a str, always: &'a BusinessCalendar) -> Row<'a> {
        Row {
            kind: TicketKind::parse(&self.kind).unwrap_or_default(),
            title: &self.title,
            reference: self.reference.as_deref(),
            status: &self.status,
            priority: self.priority,
            assignee: self.assignee.as_deref(),
            site: &self.site,
            sla: self.sla,
            calendar: self.calendar.as_ref().unwrap_or(always),
            created_at_ms: self.created_at_ms,
            search,
        }
    }
}
