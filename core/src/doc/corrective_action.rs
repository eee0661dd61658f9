//! The corrective-action document.
//!
//! ```text
//! { kind: "corrective-action", schema: 1, site, title, description: Text,
//!   owner: user, due?: date, priority: 1–4, changeNeeded: bool, createdAt,
//!   events: [ { id, type, at, device, by, byName, byRole, … } ] }
//! ```
//! `owner`, `due` and `priority` are plain values, so concurrent offline
//! choices stay visible as a conflict; owner and due date change through
//! [`perform`] (logged, since the effectiveness check must be by someone other
//! than the owner). The linked findings, steps and checks live in the
//! append-only `events` list (fields per kind in `events.rs`).

mod events;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, Value, ROOT};

use super::fields::{self, put_user, transact, Reader};
pub use super::fields::{ChangeError, PerformError};
use super::{check_header, whole_number, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::access::{Person, RecordKind};
use crate::model::corrective_action::{
    apply, ActionEvent, Command, CorrectiveAction, Event, NewCorrectiveAction, Title,
    TransitionError,
};
use crate::model::priority::Priority;
use crate::model::workflow::next_event;

const KIND: RecordKind = RecordKind::CorrectiveAction;

/// One edit of a corrective action's description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Title(Title),
    Description(String),
    Priority(Priority),
    ChangeNeeded(bool),
}

/// Writes a new corrective action into an empty document, proposed by `by`.
/// The log starts with `created` and a `findingLinked` event per finding.
pub fn create(
    doc: &mut Automerge,
    new: &NewCorrectiveAction,
    by: &Person,
    stamp: Stamp,
) -> Result<(), ChangeError> {
    let device = doc.get_actor().to_hex_string();
    let kinds = std::iter::once(ActionEvent::Created {
        owner: new.owner.clone(),
    })
    .chain(
        new.findings
            .iter()
            .map(|f| ActionEvent::FindingLinked { finding: f.clone() }),
    );
    let logged: Vec<Event> = kinds
        .enumerate()
        .map(|(i, kind)| next_event(i, None, kind, by, &device, stamp.at_ms))
        .collect();
    transact(doc, stamp, "propose corrective action", |tx| {
        tx.put(ROOT, "kind", KIND.as_str())?;
        tx.put(ROOT, "schema", SCHEMA_VERSION)?;
        tx.put(ROOT, "site", new.site.as_str())?;
        tx.put(ROOT, "title", new.title.as_str())?;
        fields::put_text(tx, "description", &new.description)?;
        put_user(tx, &ROOT, "owner", &new.owner)?;
        if let Some(due) = new.due {
            tx.put(ROOT, "due", due.to_string())?;
        }
        tx.put(ROOT, "priority", i64::from(new.priority.rank()))?;
        tx.put(ROOT, "changeNeeded", new.change_needed)?;
        tx.put(ROOT, "createdAt", stamp.at_ms)?;
        let list = tx.put_object(ROOT, "events", ObjType::List)?;
        for (i, event) in logged.iter().enumerate() {
            events::write(tx, &list, i, event)?;
        }
        Ok(())
    })
}

/// Reads the corrective action as it is now.
pub fn read(doc: &Automerge) -> Result<CorrectiveAction, ReadError> {
    check_header(doc, KIND.as_str())?;
    let r = Reader { doc };
    Ok(CorrectiveAction {
        site: r.text(&ROOT, "site").map_err(ReadError::BadField)?,
        title: r.text(&ROOT, "title").map_err(ReadError::BadField)?,
        description: r.narrative("description"),
        owner: r
            .contested_user("owner")
            .ok_or(ReadError::BadField("owner"))?,
        due: r.contested_date("due"),
        priority: r
            .contested("priority", |_, v, _| match v {
                Value::Scalar(s) => whole_number(s).and_then(Priority::from_rank),
                Value::Object(_) => None,
            })
            .ok_or(ReadError::BadField("priority"))?,
        change_needed: r
            .scalar(&ROOT, "changeNeeded")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        created_at_ms: r.int(&ROOT, "createdAt").map_err(ReadError::BadField)?,
        events: r.events(events::read, |kind, field| ActionEvent::Unreadable {
            kind,
            field,
        })?,
    })
}

/// Applies one edit. Writing what a field already holds (with no conflict) is a no-op.
pub fn edit(doc: &mut Automerge, edit: &Edit, stamp: Stamp) -> Result<(), ChangeError> {
    let current = read(doc)?;
    let unchanged = match edit {
        Edit::Title(t) => current.title == t.as_str(),
        Edit::Description(d) => current.description == *d,
        Edit::Priority(p) => !current.priority.is_conflict() && current.priority.value == *p,
        Edit::ChangeNeeded(c) => current.change_needed == *c,
    };
    if unchanged {
        return Ok(());
    }
    let description = Reader { doc }.object(&ROOT, "description", ObjType::Text);
    transact(doc, stamp, "edit corrective action", |tx| match edit {
        Edit::Title(t) => tx.put(ROOT, "title", t.as_str()),
        Edit::Description(d) => fields::update_text(tx, description, "description", d),
        Edit::Priority(p) => tx.put(ROOT, "priority", i64::from(p.rank())),
        Edit::ChangeNeeded(c) => tx.put(ROOT, "changeNeeded", *c),
    })
}

/// Records `by`'s workflow action: checks it (see
/// `model::corrective_action::apply`), appends the event and, for a new owner or
/// due date, writes the field too.
pub fn perform(
    doc: &mut Automerge,
    command: Command,
    by: &Person,
    stamp: Stamp,
) -> Result<Event, PerformError<TransitionError>> {
    let record = read(doc).map_err(ChangeError::Read)?;
    let device = doc.get_actor().to_hex_string();
    let event = apply(&record, command, by, &device, stamp.at_ms).map_err(PerformError::Refused)?;
    append_event(doc, &event, stamp)?;
    Ok(event)
}

/// Appends `event` as made by `model::corrective_action::apply` (which checks the
/// guards; this does not), and writes the owner or due date it changes.
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
        events::write(tx, &list, index, event)?;
        match &event.kind {
            ActionEvent::OwnerChanged { owner } => put_user(tx, &ROOT, "owner", owner),
            ActionEvent::DueChanged { due } => tx.put(ROOT, "due", due.to_string()),
            _ => Ok(()),
        }
    })
}

#[cfg(test)]
mod tests;
