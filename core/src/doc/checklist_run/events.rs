//! The stored form of a run's log entry: the common fields (see
//! `checklist_template/log.rs`) and those of each type.
//!
//! ```text
//! scheduled, started, approved, closed    (nothing more)
//! submitted    points, max, pass?, signature? (SHA-256 hex)
//! rejected, reopened                       reason
//! reconciled   events: [event id, …]
//! ```
//! A known type missing a field it needs reads as `Unreadable` (the lifecycle
//! refuses it, visibly); an unknown type reads as `Other`.

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ObjType};

use crate::doc::checklist_template::body::Node;
use crate::doc::checklist_template::log;
use crate::model::checklist_run::{RunEvent, RunEventKind, Score};

/// Whether this version can store an event of this kind (not `Other` or `Unreadable`).
pub(super) fn writable(kind: &RunEventKind) -> bool {
    !matches!(
        kind,
        RunEventKind::Other(_) | RunEventKind::Unreadable { .. }
    )
}

/// Inserts `event` as a map at `index` of the `events` list.
pub(super) fn write(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    event: &RunEvent,
) -> Result<(), AutomergeError> {
    let map = log::write_entry(tx, list, index, event, event.kind.as_str())?;
    match &event.kind {
        RunEventKind::Submitted { score, signature } => {
            tx.put(&map, "points", clamp(score.points))?;
            tx.put(&map, "max", clamp(score.max))?;
            if let Some(pass) = score.pass {
                tx.put(&map, "pass", pass)?;
            }
            if let Some(signature) = signature {
                tx.put(&map, "signature", signature.as_str())?;
            }
        }
        RunEventKind::Rejected { reason } | RunEventKind::Reopened { reason } => {
            tx.put(&map, "reason", reason.as_str())?;
        }
        RunEventKind::Reconciled { events } => {
            let ids = tx.put_object(&map, "events", ObjType::List)?;
            for (i, id) in events.iter().enumerate() {
                tx.insert(&ids, i, id.as_str())?;
            }
        }
        RunEventKind::Scheduled
        | RunEventKind::Started
        | RunEventKind::Approved
        | RunEventKind::Closed
        | RunEventKind::Unreadable { .. }
        | RunEventKind::Other(_) => {}
    }
    Ok(())
}

/// The kind named `type_name` stored in `node`.
pub(super) fn kind(type_name: &str, node: &Node<'_>) -> RunEventKind {
    read_kind(type_name, node).unwrap_or_else(|field| RunEventKind::Unreadable {
        kind: type_name.to_owned(),
        field,
    })
}

fn read_kind(type_name: &str, node: &Node<'_>) -> Result<RunEventKind, &'static str> {
    let text = |key: &'static str| node.text(key).ok_or(key);
    let count = |key: &'static str| node.int(key).and_then(|n| u64::try_from(n).ok()).ok_or(key);
    Ok(match type_name {
        "scheduled" => RunEventKind::Scheduled,
        "started" => RunEventKind::Started,
        "submitted" => RunEventKind::Submitted {
            score: Score {
                points: count("points")?,
                max: count("max")?,
                pass: node.boolean("pass"),
            },
            signature: match node.text("signature") {
                Some(hash) => Some(hash.parse().map_err(|_| "signature")?),
                None => None,
            },
        },
        "approved" => RunEventKind::Approved,
        "rejected" => RunEventKind::Rejected {
            reason: text("reason")?,
        },
        "closed" => RunEventKind::Closed,
        "reopened" => RunEventKind::Reopened {
            reason: text("reason")?,
        },
        "reconciled" => RunEventKind::Reconciled {
            events: node.texts("events"),
        },
        other => RunEventKind::Other(other.to_owned()),
    })
}

/// Scores are stored as signed integers (see `doc::SCHEMA_VERSION`).
fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
