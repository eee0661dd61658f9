//! The finding document.
//!
//! ```text
//! { kind: "finding", schema: 1, site, audit?, classification, requirement: Text,
//!   observed: Text, gap: Text, clauses: [string], process, evidence: [evidence],
//!   owner?: user, responseDue?: date, source?: { run, item }, createdAt,
//!   events: [ { id, type, at, device, by, byName, byRole, … } ] }
//! ```
//! `classification`, `owner` and `responseDue` are plain values, so concurrent
//! offline choices stay visible as a conflict for a person to resolve; they are
//! changed only through [`perform`], which also logs the change (where the
//! guards look). The statement's three parts are text and merge character by
//! character; `evidence` is append-only; `events` is append-only (the fields of
//! each kind are listed in `events.rs`).

mod events;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, Value, ROOT};

use super::fields::{self, put_evidence, put_strings, put_user, transact, Reader};
pub use super::fields::{ChangeError, PerformError};
use super::{check_header, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::access::{Person, RecordKind};
use crate::model::evidence::Evidence;
use crate::model::finding::{
    apply, Classification, Command, Event, Finding, FindingEvent, FindingSource, NewFinding,
    Statement, TransitionError,
};
use crate::model::workflow::{next_event, UserRef};

const KIND: RecordKind = RecordKind::Finding;

/// One edit of a finding's description. Classification, owner and due date
/// are workflow commands (see [`perform`]), since their changes are guarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Requirement(String),
    Observed(String),
    Gap(String),
    /// The whole list of clause references.
    Clauses(Vec<String>),
    Process(String),
    AddEvidence(Evidence),
}

/// Writes a new finding into an empty document (whose actor is the device's),
/// raised by `by`. The log starts with a `created` event.
pub fn create(
    doc: &mut Automerge,
    new: &NewFinding,
    by: &Person,
    stamp: Stamp,
) -> Result<(), ChangeError> {
    let device = doc.get_actor().to_hex_string();
    let created = FindingEvent::Created {
        classification: new.classification,
        owner: new.owner.clone(),
        lead: new.audit_lead.clone(),
    };
    let event = next_event(0, None, created, by, &device, stamp.at_ms);
    let clauses: Vec<String> = new.clauses.iter().map(ToString::to_string).collect();
    transact(doc, stamp, "raise finding", |tx| {
        tx.put(ROOT, "kind", KIND.as_str())?;
        tx.put(ROOT, "schema", SCHEMA_VERSION)?;
        tx.put(ROOT, "site", new.site.as_str())?;
        if let Some(audit) = &new.audit {
            tx.put(ROOT, "audit", audit.as_str())?;
        }
        tx.put(ROOT, "classification", new.classification.as_str())?;
        fields::put_text(tx, "requirement", &new.statement.requirement)?;
        fields::put_text(tx, "observed", &new.statement.evidence)?;
        fields::put_text(tx, "gap", &new.statement.gap)?;
        put_strings(tx, &ROOT, "clauses", &clauses)?;
        tx.put(ROOT, "process", new.process.as_str())?;
        put_evidence(tx, &ROOT, "evidence", &new.evidence)?;
        if let Some(owner) = &new.owner {
            put_user(tx, &ROOT, "owner", owner)?;
        }
        if let Some(due) = new.response_due {
            tx.put(ROOT, "responseDue", due.to_string())?;
        }
        if let Some(source) = &new.source {
            let map = tx.put_object(ROOT, "source", ObjType::Map)?;
            tx.put(&map, "run", source.run.as_str())?;
            tx.put(&map, "item", source.item.as_str())?;
        }
        tx.put(ROOT, "createdAt", stamp.at_ms)?;
        let list = tx.put_object(ROOT, "events", ObjType::List)?;
        events::write(tx, &list, 0, &event)
    })
}

/// Reads the finding as it is now.
pub fn read(doc: &Automerge) -> Result<Finding, ReadError> {
    check_header(doc, KIND.as_str())?;
    let r = Reader { doc };
    let source = r.object(&ROOT, "source", ObjType::Map).and_then(|map| {
        Some(FindingSource {
            run: r.text(&map, "run").ok()?,
            item: r.text(&map, "item").ok()?,
        })
    });
    Ok(Finding {
        site: r.text(&ROOT, "site").map_err(ReadError::BadField)?,
        audit: r.text(&ROOT, "audit").ok(),
        classification: r
            .contested("classification", |_, v, _| {
                v.as_str().and_then(Classification::parse)
            })
            .ok_or(ReadError::BadField("classification"))?,
        statement: Statement {
            requirement: r.narrative("requirement"),
            evidence: r.narrative("observed"),
            gap: r.narrative("gap"),
        },
        clauses: r
            .strings(&ROOT, "clauses")
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect(),
        process: r.text(&ROOT, "process").unwrap_or_default(),
        evidence: r.evidence(&ROOT, "evidence").unwrap_or_default(),
        owner: r.contested_user("owner"),
        response_due: r.contested_date("responseDue"),
        source,
        created_at_ms: r.int(&ROOT, "createdAt").map_err(ReadError::BadField)?,
        events: r.events(events::read, |kind, field| FindingEvent::Unreadable {
            kind,
            field,
        })?,
    })
}

/// Applies one edit. Writing what a field already holds is a no-op.
pub fn edit(doc: &mut Automerge, edit: &Edit, stamp: Stamp) -> Result<(), ChangeError> {
    let current = read(doc)?;
    let r = Reader { doc };
    let text_obj = |key| r.object(&ROOT, key, ObjType::Text);
    let clauses_now: Vec<String> = r.strings(&ROOT, "clauses").unwrap_or_default();
    let clauses_list = r.object(&ROOT, "clauses", ObjType::List);
    let evidence_list = r.object(&ROOT, "evidence", ObjType::List);
    let unchanged = match edit {
        Edit::Requirement(t) => current.statement.requirement == *t,
        Edit::Observed(t) => current.statement.evidence == *t,
        Edit::Gap(t) => current.statement.gap == *t,
        Edit::Clauses(c) => clauses_now == *c,
        Edit::Process(p) => current.process == *p,
        Edit::AddEvidence(_) => false,
    };
    if unchanged {
        return Ok(());
    }
    let (requirement, observed, gap) = (
        text_obj("requirement"),
        text_obj("observed"),
        text_obj("gap"),
    );
    let evidence_len = evidence_list.as_ref().map_or(0, |l| doc.length(l));
    transact(doc, stamp, "edit finding", |tx| match edit {
        Edit::Requirement(t) => fields::update_text(tx, requirement, "requirement", t),
        Edit::Observed(t) => fields::update_text(tx, observed, "observed", t),
        Edit::Gap(t) => fields::update_text(tx, gap, "gap", t),
        Edit::Clauses(c) => fields::sync_strings(tx, clauses_list, "clauses", &clauses_now, c),
        Edit::Process(p) => tx.put(ROOT, "process", p.as_str()),
        Edit::AddEvidence(e) => match &evidence_list {
            Some(list) => fields::insert_evidence(tx, list, evidence_len, e),
            None => put_evidence(tx, &ROOT, "evidence", std::slice::from_ref(e)),
        },
    })
}

/// Records `by`'s workflow action: checks it against the finding (see
/// `model::finding::apply`), appends the event and, for a new classification,
/// owner or due date, writes the field too. `action_owners` are the owners of
/// the linked corrective actions, read from their documents.
pub fn perform(
    doc: &mut Automerge,
    command: Command,
    by: &Person,
    action_owners: &[UserRef],
    stamp: Stamp,
) -> Result<Event, PerformError<TransitionError>> {
    let finding = read(doc).map_err(ChangeError::Read)?;
    let device = doc.get_actor().to_hex_string();
    let event = apply(&finding, command, by, action_owners, &device, stamp.at_ms)
        .map_err(PerformError::Refused)?;
    append_event(doc, &event, stamp)?;
    Ok(event)
}

/// Appends `event` as made by `model::finding::apply` (which checks the guards;
/// this does not), and writes the field a reclassification, owner change or due
/// date change is about.
pub fn append_event(doc: &mut Automerge, event: &Event, stamp: Stamp) -> Result<(), ChangeError> {
    check_header(doc, KIND.as_str())?;
    if !events::writable(&event.kind) {
        return Err(ChangeError::NotWritable(event.kind.as_str().to_owned()));
    }
    let list = match doc.get(ROOT, "events") {
        Ok(Some((Value::Object(ObjType::List), id))) => id,
        _ => return Err(ReadError::BadField("events").into()),
    };
    let index = doc.length(&list);
    transact(doc, stamp, event.kind.as_str(), |tx| {
        events::write(tx, &list, index, event)?;
        match &event.kind {
            FindingEvent::Reclassified { to, .. } => tx.put(ROOT, "classification", to.as_str()),
            FindingEvent::OwnerChanged { owner } => put_user(tx, &ROOT, "owner", owner),
            FindingEvent::DueChanged { due } => tx.put(ROOT, "responseDue", due.to_string()),
            _ => Ok(()),
        }
    })
}

#[cfg(test)]
mod tests;

/// The verifications among the events added to the log since `heads` (the
/// server's check of who verifies): new event maps, whatever ids they carry.
/// `None` if the change altered, replaced or removed an event already there.
pub fn verifications_added_since(
    doc: &Automerge,
    heads: &[automerge::ChangeHash],
) -> Result<Option<Vec<Event>>, ReadError> {
    check_header(doc, KIND.as_str())?;
    let added = match super::log_growth::events_growth(doc, heads)? {
        super::log_growth::Growth::Appended(maps) => maps,
        super::log_growth::Growth::Rewritten => return Ok(None),
    };
    let r = Reader { doc };
    let unreadable = |kind, field| FindingEvent::Unreadable { kind, field };
    Ok(Some(
        added
            .iter()
            .filter_map(|map| r.event(map, events::read, unreadable))
            .filter(|e| matches!(e.kind, FindingEvent::Verified { .. }))
            .collect(),
    ))
}
