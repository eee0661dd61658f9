//! The stored form of a finding's events (the common fields are in `doc::fields`).
//!
//! ```text
//! created             classification, owner?: user, lead?: user
//! correctionRecorded  text
//! causeAnalysed       method, analysis, similarElsewhere
//! actionLinked        action
//! verified            result: "effective" | "notEffective", evidence: [evidence],
//!                     notes, actionOwners: [user]
//! declined            reason
//! reclassified        from, to, reason
//! ownerChanged        owner: user
//! dueChanged          due
//! note                text
//! reconciled          events: [event id, …]
//! issued, acknowledged, actionStarted, submittedForVerification, accepted, closed
//! ```

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId};

use crate::doc::fields::{
    put_event_header, put_evidence, put_strings, put_user, put_users, Reader,
};
use crate::model::finding::{Classification, Event, FindingEvent, RootCause, VerificationResult};

/// Whether this version can store an event of this kind.
pub(super) fn writable(kind: &FindingEvent) -> bool {
    !matches!(
        kind,
        FindingEvent::Other(_) | FindingEvent::Unreadable { .. }
    )
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
        FindingEvent::Created {
            classification,
            owner,
            lead,
        } => {
            tx.put(&map, "classification", classification.as_str())?;
            if let Some(owner) = owner {
                put_user(tx, &map, "owner", owner)?;
            }
            if let Some(lead) = lead {
                put_user(tx, &map, "lead", lead)?;
            }
        }
        FindingEvent::CorrectionRecorded { text } | FindingEvent::Note { text } => {
            tx.put(&map, "text", text.as_str())?
        }
        FindingEvent::CauseAnalysed { cause } => {
            tx.put(&map, "method", cause.method.as_str())?;
            tx.put(&map, "analysis", cause.analysis.as_str())?;
            tx.put(&map, "similarElsewhere", cause.similar_elsewhere.as_str())?;
        }
        FindingEvent::ActionLinked { action } => tx.put(&map, "action", action.as_str())?,
        FindingEvent::Verified {
            result,
            evidence,
            notes,
            action_owners,
        } => {
            tx.put(&map, "result", result.as_str())?;
            put_evidence(tx, &map, "evidence", evidence)?;
            tx.put(&map, "notes", notes.as_str())?;
            put_users(tx, &map, "actionOwners", action_owners)?;
        }
        FindingEvent::Declined { reason } => tx.put(&map, "reason", reason.as_str())?,
        FindingEvent::Reclassified { from, to, reason } => {
            tx.put(&map, "from", from.as_str())?;
            tx.put(&map, "to", to.as_str())?;
            tx.put(&map, "reason", reason.as_str())?;
        }
        FindingEvent::OwnerChanged { owner } => put_user(tx, &map, "owner", owner)?,
        FindingEvent::DueChanged { due } => tx.put(&map, "due", due.to_string())?,
        FindingEvent::Reconciled { events } => put_strings(tx, &map, "events", events)?,
        FindingEvent::Issued
        | FindingEvent::Acknowledged
        | FindingEvent::ActionStarted
        | FindingEvent::SubmittedForVerification
        | FindingEvent::Accepted
        | FindingEvent::Closed
        | FindingEvent::Unreadable { .. }
        | FindingEvent::Other(_) => {}
    }
    Ok(())
}

/// The kind named `type_name`, or the first field it needs that cannot be read.
pub(super) fn read(
    r: &Reader<'_>,
    map: &ObjId,
    type_name: &str,
) -> Result<FindingEvent, &'static str> {
    let text = |key| r.text(map, key);
    let class = |key| Classification::parse(&r.text(map, key)?).ok_or(key);
    Ok(match type_name {
        "created" => FindingEvent::Created {
            classification: class("classification")?,
            owner: r.user(map, "owner").ok(),
            lead: r.user(map, "lead").ok(),
        },
        "issued" => FindingEvent::Issued,
        "acknowledged" => FindingEvent::Acknowledged,
        "correctionRecorded" => FindingEvent::CorrectionRecorded {
            text: text("text")?,
        },
        "causeAnalysed" => FindingEvent::CauseAnalysed {
            cause: RootCause {
                method: text("method")?,
                analysis: text("analysis")?,
                similar_elsewhere: text("similarElsewhere")?,
            },
        },
        "actionLinked" => FindingEvent::ActionLinked {
            action: text("action")?,
        },
        "actionStarted" => FindingEvent::ActionStarted,
        "submittedForVerification" => FindingEvent::SubmittedForVerification,
        "verified" => FindingEvent::Verified {
            result: VerificationResult::parse(&text("result")?).ok_or("result")?,
            evidence: r.evidence(map, "evidence")?,
            notes: text("notes")?,
            action_owners: r.users(map, "actionOwners")?,
        },
        "accepted" => FindingEvent::Accepted,
        "declined" => FindingEvent::Declined {
            reason: text("reason")?,
        },
        "closed" => FindingEvent::Closed,
        "reclassified" => FindingEvent::Reclassified {
            from: class("from")?,
            to: class("to")?,
            reason: text("reason")?,
        },
        "ownerChanged" => FindingEvent::OwnerChanged {
            owner: r.user(map, "owner")?,
        },
        "dueChanged" => FindingEvent::DueChanged {
            due: r.date(map, "due")?,
        },
        "note" => FindingEvent::Note {
            text: text("text")?,
        },
        "reconciled" => FindingEvent::Reconciled {
            events: r.strings(map, "events").ok_or("events")?,
        },
        other => FindingEvent::Other(other.to_owned()),
    })
}
