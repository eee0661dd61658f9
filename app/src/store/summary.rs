//! The summary row a list shows for one record.

use fieldbook_core::model::incident::Incident;

/// What the incident list needs of one record, kept beside its document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub id: String,
    pub kind: String,
    pub site: String,
    pub title: String,
    pub status: String,
    /// 1 (P1) to 4 (P4).
    pub priority: u8,
    pub conflicts: bool,
    pub reference: Option<String>,
    pub created_at_ms: i64,
}

impl Summary {
    pub fn of_incident(id: &str, incident: &Incident) -> Summary {
        Summary {
            id: id.to_owned(),
            kind: "incident".to_owned(),
            site: incident.site.clone(),
            title: incident.title.value.clone(),
            status: incident.status().label().to_owned(),
            priority: incident.priority().rank(),
            conflicts: incident.has_conflicts(),
            reference: incident.reference.clone(),
            created_at_ms: incident.created_at_ms,
        }
    }
}
