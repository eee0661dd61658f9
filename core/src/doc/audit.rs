//! The audit document, and the audit programme's ([`programme`]).
//!
//! ```text
//! { kind: "audit", schema: 1, title, programme?: { document, planned },
//!   plannedFor?: date, scope: Text, criteria: Text, clauses: [string],
//!   sites: [string], auditees: [string], summary: Text, conclusion: Text,
//!   distribution: [string], createdAt,
//!   events: [ { id, type, at, device, by, byName, byRole, … } ] }
//! ```
//! Narrative fields are text and merge character by character; lists merge as
//! sets (concurrent additions both stay). The team, independence declarations,
//! linked runs and findings and the issued report live in the append-only
//! `events` list (fields per kind in `events.rs`). The report is drafted in
//! `summary`, `conclusion` and `distribution`; issuing copies them into the
//! `reportIssued` event, which is what was distributed.

mod events;
pub mod programme;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, ROOT};

use super::fields::{self, put_strings, transact, Reader};
pub use super::fields::{ChangeError, PerformError};
use super::{check_header, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::access::{Person, RecordKind};
use crate::model::audit::{
    apply, Audit, AuditEvent, Command, Event, NewAudit, ReportDraft, TransitionError,
};
use crate::model::workflow::next_event;

const KIND: RecordKind = RecordKind::Audit;

/// One edit of an audit's plan or report draft. Lists are given whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Title(String),
    Scope(String),
    Criteria(String),
    Clauses(Vec<String>),
    Sites(Vec<String>),
    Auditees(Vec<String>),
    Summary(String),
    Conclusion(String),
    Distribution(Vec<String>),
}

/// Writes a new audit into an empty document, planned by `by`. The log starts
/// with `created` (naming the lead) and an `auditorAdded` event per auditor.
pub fn create(
    doc: &mut Automerge,
    new: &NewAudit,
    by: &Person,
    stamp: Stamp,
) -> Result<(), ChangeError> {
    let device = doc.get_actor().to_hex_string();
    let kinds = std::iter::once(AuditEvent::Created {
        lead: new.lead.clone(),
    })
    .chain(
        new.auditors
            .iter()
            .map(|a| AuditEvent::AuditorAdded { auditor: a.clone() }),
    );
    let logged: Vec<Event> = kinds
        .enumerate()
        .map(|(i, kind)| next_event(i, None, kind, by, &device, stamp.at_ms))
        .collect();
    let clauses: Vec<String> = new.clauses.iter().map(ToString::to_string).collect();
    transact(doc, stamp, "plan audit", |tx| {
        tx.put(ROOT, "kind", KIND.as_str())?;
        tx.put(ROOT, "schema", SCHEMA_VERSION)?;
        tx.put(ROOT, "title", new.title.as_str())?;
        if let Some((document, planned)) = &new.programme {
            let map = tx.put_object(ROOT, "programme", ObjType::Map)?;
            tx.put(&map, "document", document.as_str())?;
            tx.put(&map, "planned", planned.as_str())?;
        }
        if let Some(day) = new.planned_for {
            tx.put(ROOT, "plannedFor", day.to_string())?;
        }
        fields::put_text(tx, "scope", &new.scope)?;
        fields::put_text(tx, "criteria", &new.criteria)?;
        put_strings(tx, &ROOT, "clauses", &clauses)?;
        put_strings(tx, &ROOT, "sites", &new.sites)?;
        put_strings(tx, &ROOT, "auditees", &new.auditees)?;
        fields::put_text(tx, "summary", "")?;
        fields::put_text(tx, "conclusion", "")?;
        put_strings::<String>(tx, &ROOT, "distribution", &[])?;
        tx.put(ROOT, "createdAt", stamp.at_ms)?;
        let list = tx.put_object(ROOT, "events", ObjType::List)?;
        for (i, event) in logged.iter().enumerate() {
            events::write(tx, &list, i, event)?;
        }
        Ok(())
    })
}

/// Reads the audit as it is now.
pub fn read(doc: &Automerge) -> Result<Audit, ReadError> {
    check_header(doc, KIND.as_str())?;
    let r = Reader { doc };
    let strings = |key| r.strings(&ROOT, key).unwrap_or_default();
    let programme = r.object(&ROOT, "programme", ObjType::Map).and_then(|map| {
        Some((
            r.text(&map, "document").ok()?,
            r.text(&map, "planned").ok()?,
        ))
    });
    Ok(Audit {
        title: r.text(&ROOT, "title").map_err(ReadError::BadField)?,
        programme,
        planned_for: r.date(&ROOT, "plannedFor").ok(),
        scope: r.narrative("scope"),
        criteria: r.narrative("criteria"),
        clauses: strings("clauses")
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect(),
        sites: strings("sites"),
        auditees: strings("auditees"),
        report: ReportDraft {
            summary: r.narrative("summary"),
            conclusion: r.narrative("conclusion"),
            distribution: strings("distribution"),
        },
        created_at_ms: r.int(&ROOT, "createdAt").map_err(ReadError::BadField)?,
        events: r.events(events::read, |kind, field| AuditEvent::Unreadable {
            kind,
            field,
        })?,
    })
}

/// Applies one edit. Writing what a field already holds is a no-op.
pub fn edit(doc: &mut Automerge, edit: &Edit, stamp: Stamp) -> Result<(), ChangeError> {
    check_header(doc, KIND.as_str())?;
    let r = Reader { doc };
    let (key, text, list) = match edit {
        Edit::Title(t) => ("title", Some(t), None),
        Edit::Scope(t) => ("scope", Some(t), None),
        Edit::Criteria(t) => ("criteria", Some(t), None),
        Edit::Summary(t) => ("summary", Some(t), None),
        Edit::Conclusion(t) => ("conclusion", Some(t), None),
        Edit::Clauses(l) => ("clauses", None, Some(l)),
        Edit::Sites(l) => ("sites", None, Some(l)),
        Edit::Auditees(l) => ("auditees", None, Some(l)),
        Edit::Distribution(l) => ("distribution", None, Some(l)),
    };
    let text_obj = r.object(&ROOT, key, ObjType::Text);
    let list_obj = r.object(&ROOT, key, ObjType::List);
    let old_list = r.strings(&ROOT, key).unwrap_or_default();
    let unchanged = match (text, list) {
        (Some(t), _) if key == "title" => r.text(&ROOT, key).ok().as_ref() == Some(t),
        (Some(t), _) => r.narrative(key) == *t,
        (_, Some(l)) => old_list == *l,
        (None, None) => true,
    };
    if unchanged {
        return Ok(());
    }
    transact(doc, stamp, "edit audit", |tx| match (text, list) {
        (Some(t), _) if key == "title" => tx.put(ROOT, key, t.as_str()),
        (Some(t), _) => fields::update_text(tx, text_obj, key, t),
        (_, Some(l)) => fields::sync_strings(tx, list_obj, key, &old_list, l),
        (None, None) => Ok(()),
    })
}

/// Records `by`'s workflow action: checks it (see `model::audit::apply`) and
/// appends the event.
pub fn perform(
    doc: &mut Automerge,
    command: Command,
    by: &Person,
    stamp: Stamp,
) -> Result<Event, PerformError<TransitionError>> {
    let audit = read(doc).map_err(ChangeError::Read)?;
    let device = doc.get_actor().to_hex_string();
    let event = apply(&audit, command, by, &device, stamp.at_ms).map_err(PerformError::Refused)?;
    append_event(doc, &event, stamp)?;
    Ok(event)
}

/// Appends `event` as made by `model::audit::apply` (which checks the guards;
/// this does not).
pub fn append_event(doc: &mut Automerge, event: &Event, stamp: Stamp) -> Result<(), ChangeError> {
    check_header(doc, KIND.as_str())?;
    if !events::writable(&event.kind) {
        return Err(ChangeError::NotWritable(event.kind.as_str().to_owned()));
    }
    let list = Reader { doc }
        .object(&ROOT, "events", ObjType::List)
        .ok_or(ReadError::BadField("events"))?;
    let index = doc.length(&list);
    transact(doc, stamp, event.kind.as_str(), |tx| {
        events::write(tx, &list, index, event)
    })
}

#[cfg(test)]
mod tests;
