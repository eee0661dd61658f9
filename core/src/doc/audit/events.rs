//! The stored form of an audit's events (the common fields are in `doc::fields`).
//!
//! ```text
//! created               lead: user
//! auditorAdded          auditor: user
//! independenceDeclared  statement (the event's person declares)
//! reportIssued          summary, conclusion, distribution: [string]
//! runLinked             run
//! findingLinked         finding
//! note                  text
//! reconciled            events: [event id, …]
//! preparationStarted, fieldworkStarted, fieldworkEnded, followUpStarted, closed
//! ```

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId};

use crate::doc::fields::{put_event_header, put_strings, put_user, Reader};
use crate::model::audit::{AuditEvent, Event};

/// Whether this version can store an event of this kind.
pub(super) fn writable(kind: &AuditEvent) -> bool {
    !matches!(kind, AuditEvent::Other(_) | AuditEvent::Unreadable { .. })
}

/// Inserts `event` as a map at `index` of the `events` list.
pub(super) fn write(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    event: &Event,
) -> Result<(), AutomergeError> {
    let map = put_event_header(tx, list, index, event, event.kind.as_str())?;
    match &event.kind {
        AuditEvent::Created { lead } => put_user(tx, &map, "lead", lead)?,
        AuditEvent::AuditorAdded { auditor } => put_user(tx, &map, "auditor", auditor)?,
        AuditEvent::IndependenceDeclared { statement } => {
            tx.put(&map, "statement", statement.as_str())?
        }
        AuditEvent::ReportIssued {
            summary,
            conclusion,
            distribution,
        } => {
            tx.put(&map, "summary", summary.as_str())?;
            tx.put(&map, "conclusion", conclusion.as_str())?;
            put_strings(tx, &map, "distribution", distribution)?;
        }
        AuditEvent::RunLinked { run } => tx.put(&map, "run", run.as_str())?,
        AuditEvent::FindingLinked { finding } => tx.put(&map, "finding", finding.as_str())?,
        AuditEvent::Note { text } => tx.put(&map, "text", text.as_str())?,
        AuditEvent::Reconciled { events } => put_strings(tx, &map, "events", events)?,
        AuditEvent::PreparationStarted
        | AuditEvent::FieldworkStarted
        | AuditEvent::FieldworkEnded
        | AuditEvent::FollowUpStarted
        | AuditEvent::Closed
        | AuditEvent::Unreadable { .. }
        | AuditEvent::Other(_) => {}
    }
    Ok(())
}

/// The kind named `type_name`, or the first field it needs that cannot be read.
pub(super) fn read(
    r: &Reader<'_>,
    map: &ObjId,
    type_name: &str,
) -> Result<AuditEvent, &'static str> {
    let text = |key| r.text(map, key);
    Ok(match type_name {
        "created" => AuditEvent::Created {
            lead: r.user(map, "lead")?,
        },
        "auditorAdded" => AuditEvent::AuditorAdded {
            auditor: r.user(map, "auditor")?,
        },
        "independenceDeclared" => AuditEvent::IndependenceDeclared {
            statement: text("statement")?,
        },
        "preparationStarted" => AuditEvent::PreparationStarted,
        "fieldworkStarted" => AuditEvent::FieldworkStarted,
        "fieldworkEnded" => AuditEvent::FieldworkEnded,
        "reportIssued" => AuditEvent::ReportIssued {
            summary: text("summary")?,
            conclusion: text("conclusion")?,
            distribution: r.strings(map, "distribution").ok_or("distribution")?,
        },
        "followUpStarted" => AuditEvent::FollowUpStarted,
        "closed" => AuditEvent::Closed,
        "runLinked" => AuditEvent::RunLinked { run: text("run")? },
        "findingLinked" => AuditEvent::FindingLinked {
            finding: text("finding")?,
        },
        "note" => AuditEvent::Note {
            text: text("text")?,
        },
        "reconciled" => AuditEvent::Reconciled {
            events: r.strings(map, "events").ok_or("events")?,
        },
        other => AuditEvent::Other(other.to_owned()),
    })
}
