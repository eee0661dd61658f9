//! The stored form of a corrective action's events (the common fields are in
//! `doc::fields`).
//!
//! ```text
//! created               owner: user
//! findingLinked         finding
//! stepAdded             text (the event's id is the step's)
//! stepDone              step, evidence: [evidence]
//! implemented           evidence: [evidence]
//! checkScheduled        criteria, due
//! effectivenessChecked  result: "effective" | "notEffective", notes, evidence: [evidence]
//! cancelled             reason
//! ownerChanged          owner: user
//! dueChanged            due
//! note                  text
//! reconciled            events: [event id, …]
//! approved, started, closed
//! ```

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId};

use crate::doc::fields::{put_event_header, put_evidence, put_strings, put_user, Reader};
use crate::model::corrective_action::{ActionEvent, CheckResult, Event};

/// Whether this version can store an event of this kind.
pub(super) fn writable(kind: &ActionEvent) -> bool {
    !matches!(kind, ActionEvent::Other(_) | ActionEvent::Unreadable { .. })
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
        ActionEvent::Created { owner } | ActionEvent::OwnerChanged { owner } => {
            put_user(tx, &map, "owner", owner)?
        }
        ActionEvent::FindingLinked { finding } => tx.put(&map, "finding", finding.as_str())?,
        ActionEvent::StepAdded { text } | ActionEvent::Note { text } => {
            tx.put(&map, "text", text.as_str())?
        }
        ActionEvent::StepDone { step, evidence } => {
            tx.put(&map, "step", step.as_str())?;
            put_evidence(tx, &map, "evidence", evidence)?;
        }
        ActionEvent::Implemented { evidence } => put_evidence(tx, &map, "evidence", evidence)?,
        ActionEvent::CheckScheduled { criteria, due } => {
            tx.put(&map, "criteria", criteria.as_str())?;
            tx.put(&map, "due", due.to_string())?;
        }
        ActionEvent::EffectivenessChecked {
            result,
            notes,
            evidence,
        } => {
            tx.put(&map, "result", result.as_str())?;
            tx.put(&map, "notes", notes.as_str())?;
            put_evidence(tx, &map, "evidence", evidence)?;
        }
        ActionEvent::Cancelled { reason } => tx.put(&map, "reason", reason.as_str())?,
        ActionEvent::DueChanged { due } => tx.put(&map, "due", due.to_string())?,
        ActionEvent::Reconciled { events } => put_strings(tx, &map, "events", events)?,
        ActionEvent::Approved
        | ActionEvent::Started
        | ActionEvent::Closed
        | ActionEvent::Unreadable { .. }
        | ActionEvent::Other(_) => {}
    }
    Ok(())
}

/// The kind named `type_name`, or the first field it needs that cannot be read.
pub(super) fn read(
    r: &Reader<'_>,
    map: &ObjId,
    type_name: &str,
) -> Result<ActionEvent, &'static str> {
    let text = |key| r.text(map, key);
    Ok(match type_name {
        "created" => ActionEvent::Created {
            owner: r.user(map, "owner")?,
        },
        "findingLinked" => ActionEvent::FindingLinked {
            finding: text("finding")?,
        },
        "approved" => ActionEvent::Approved,
        "started" => ActionEvent::Started,
        "stepAdded" => ActionEvent::StepAdded {
            text: text("text")?,
        },
        "stepDone" => ActionEvent::StepDone {
            step: text("step")?,
            evidence: r.evidence(map, "evidence")?,
        },
        "implemented" => ActionEvent::Implemented {
            evidence: r.evidence(map, "evidence")?,
        },
        "checkScheduled" => ActionEvent::CheckScheduled {
            criteria: text("criteria")?,
            due: r.date(map, "due")?,
        },
        "effectivenessChecked" => ActionEvent::EffectivenessChecked {
            result: CheckResult::parse(&text("result")?).ok_or("result")?,
            notes: text("notes")?,
            evidence: r.evidence(map, "evidence")?,
        },
        "closed" => ActionEvent::Closed,
        "cancelled" => ActionEvent::Cancelled {
            reason: text("reason")?,
        },
        "ownerChanged" => ActionEvent::OwnerChanged {
            owner: r.user(map, "owner")?,
        },
        "dueChanged" => ActionEvent::DueChanged {
            due: r.date(map, "due")?,
        },
        "note" => ActionEvent::Note {
            text: text("text")?,
        },
        "reconciled" => ActionEvent::Reconciled {
            events: r.strings(map, "events").ok_or("events")?,
        },
        other => ActionEvent::Other(other.to_owned()),
    })
}
