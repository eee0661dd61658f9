//! The audit programme: which audits are planned over a period, and what they
//! cover together. Plain data with no lifecycle; each planned audit points to
//! its audit record once that is created.

use crate::model::date::Date;
use crate::model::evidence::ClauseRef;

/// What a programme or a planned audit covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub clauses: Vec<ClauseRef>,
    pub processes: Vec<String>,
    pub sites: Vec<String>,
}

/// The days a programme runs over, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    start: Date,
    end: Date,
}

/// Why two dates are not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a period cannot end ({end}) before it starts ({start})")]
pub struct PeriodError {
    pub start: Date,
    pub end: Date,
}

/// One audit the programme plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAudit {
    /// Unique within the programme (made by the device that planned it).
    pub id: String,
    pub title: String,
    pub planned_for: Date,
    pub scope: Scope,
    /// The audit's document id, once it exists.
    pub audit: Option<String>,
}

/// What a person fills in to start a programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProgramme {
    pub title: String,
    pub period: Period,
    pub scope: Scope,
}

/// A programme read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditProgramme {
    pub title: String,
    pub period: Period,
    pub scope: Scope,
    /// In the order they were planned.
    pub planned: Vec<PlannedAudit>,
    pub created_at_ms: i64,
}

impl Period {
    pub fn new(start: Date, end: Date) -> Result<Period, PeriodError> {
        if end < start {
            return Err(PeriodError { start, end });
        }
        Ok(Period { start, end })
    }

    pub fn start(self) -> Date {
        self.start
    }

    pub fn end(self) -> Date {
        self.end
    }

    pub fn contains(self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

impl AuditProgramme {
    /// Planned audits whose day falls outside the programme's period.
    pub fn outside_period(&self) -> impl Iterator<Item = &PlannedAudit> {
        self.planned
            .iter()
            .filter(|p| !self.period.contains(p.planned_for))
    }

    /// Planned audits that have no audit record yet.
    pub fn not_started(&self) -> impl Iterator<Item = &PlannedAudit> {
        self.planned.iter().filter(|p| p.audit.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_period_cannot_end_before_it_starts() {
        let error = Period::new(day("2025-12-31"), day("2025-01-01")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a period cannot end (2025-01-01) before it starts (2025-12-31)"
        );
        let year = Period::new(day("2025-01-01"), day("2025-12-31")).unwrap();
        assert!(year.contains(day("2025-12-31")));
        assert!(!year.contains(day("2026-01-01")));
    }
}
