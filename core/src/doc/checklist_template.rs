//! The checklist template document: one version of one template.
//!
//! ```text
//! { kind: "checklist-template", schema: 1, createdAt, …content (see body.rs),
//!   working?: { …content },
//!   events: [ { id, type, at, device, by, byName, byRole } ] }
//!   type: created | edited | published | retired
//! ```
//! The status is never stored: it is derived from `events`
//! (`model::checklist::publication`). A published version never changes, so
//! each version is its own document: [`create_next_version`] writes the draft
//! of version n+1 into a fresh document, and [`edit`] refuses anything but a
//! draft. An edit replaces the content wholesale (drafts are written by one
//! administrator at a time; two concurrent edits leave Automerge's winner and
//! both `edited` events in the history).

pub(crate) mod body;
pub(crate) mod log;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ReadDoc, ROOT};

use super::{check_header, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::access::{Person, RecordKind};
use crate::model::checklist::editing::Problem;
use crate::model::checklist::logged::{entry_id, next_stamp, Logged};
use crate::model::checklist::publication::{
    publication, PublicationError, TemplateEvent, TemplateEventKind,
};
use crate::model::checklist::{Template, TemplateSpec, TemplateStatus, VersionError};

/// A template read from its document.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRecord {
    /// The content, with the status its log gives.
    pub template: Template,
    pub events: Vec<TemplateEvent>,
    /// A draft's unfinished content (not yet a template), if the last save left it so.
    pub working: Option<TemplateSpec>,
    /// Log entries that could not follow (an offline edit after publication):
    /// a person should look; the content shown may not be what was published.
    pub needs_review: Vec<TemplateEvent>,
}

/// Why a change to a template document was not written.
#[derive(Debug, thiserror::Error)]
pub enum TemplateChangeError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the document rejected the change: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// Editing a published version, or an edit that is not a valid template.
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error(transparent)]
    Publication(#[from] PublicationError),
}

/// The `kind` of a template document.
pub fn kind() -> &'static str {
    RecordKind::ChecklistTemplate.as_str()
}

/// Writes `template` into an empty document (whose actor is the device's), with
/// a log that reaches the template's status (created, then published and
/// retired as needed).
pub fn create(
    doc: &mut Automerge,
    template: &Template,
    by: &Person,
    stamp: Stamp,
) -> Result<(), TemplateChangeError> {
    let steps: &[TemplateEventKind] = match template.status() {
        TemplateStatus::Draft => &[TemplateEventKind::Created],
        TemplateStatus::Published => &[TemplateEventKind::Created, TemplateEventKind::Published],
        TemplateStatus::Retired => &[
            TemplateEventKind::Created,
            TemplateEventKind::Published,
            TemplateEventKind::Retired,
        ],
    };
    let device = doc.get_actor().to_hex_string();
    let mut events: Vec<TemplateEvent> = Vec::new();
    for kind in steps {
        let at_ms = next_stamp(&events, stamp.at_ms);
        events.push(Logged {
            id: entry_id(&events, &device, at_ms),
            kind: kind.clone(),
            at_ms,
            device: device.clone(),
            by: Some(by.clone()),
        });
    }
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("create checklist template"),
        |tx| {
            tx.put(ROOT, "kind", kind())?;
            tx.put(ROOT, "schema", SCHEMA_VERSION)?;
            tx.put(ROOT, "createdAt", stamp.at_ms)?;
            body::write(tx, &ROOT, template)?;
            let list = tx.put_object(ROOT, "events", ObjType::List)?;
            for (i, event) in events.iter().enumerate() {
                log::write_entry(tx, &list, i, event, event.kind.as_str())?;
            }
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Reads the template as it is now, its status derived from the log.
pub fn read(doc: &Automerge) -> Result<TemplateRecord, ReadError> {
    check_header(doc, kind())?;
    let events = log::read_entries(doc, ROOT, |name, _| TemplateEventKind::parse(name));
    let derived = publication(&events);
    let working = body::Node::at(doc, ROOT)
        .object("working", ObjType::Map)
        .map(|obj| body::read_spec(doc, &obj))
        .transpose()?;
    Ok(TemplateRecord {
        template: body::read(doc, &ROOT)?.with_status(derived.status),
        events,
        working,
        needs_review: derived.refused,
    })
}

impl TemplateRecord {
    /// The content to edit or show: the unfinished working copy if there is
    /// one, else the template.
    pub fn content(&self) -> TemplateSpec {
        self.working
            .clone()
            .unwrap_or_else(|| self.template.to_spec())
    }
}

/// Saves the editor's `spec` into a draft, finished or not: as the template
/// when it is one, else as the working copy beside the last valid content.
/// Refused for a published or retired version, or if `spec` names another key
/// or version. Returns what still stops the draft being published, if anything.
pub fn save_draft(
    doc: &mut Automerge,
    spec: TemplateSpec,
    by: &Person,
    stamp: Stamp,
) -> Result<Option<Problem>, TemplateChangeError> {
    let record = read(doc)?;
    let content = match record.template.edit(spec.clone()) {
        Ok(template) => Content::Template(template),
        Err(VersionError::Invalid(_)) => Content::Working(spec.clone()),
        Err(refused) => return Err(refused.into()),
    };
    append(
        doc,
        &record,
        TemplateEventKind::Edited,
        by,
        stamp,
        Some(&content),
    )?;
    Ok(Problem::of(&spec))
}

/// Replaces a draft's content with `spec`; refused for a published or retired
/// version (make the next version instead).
pub fn edit(
    doc: &mut Automerge,
    spec: TemplateSpec,
    by: &Person,
    stamp: Stamp,
) -> Result<Template, TemplateChangeError> {
    let record = read(doc)?;
    let edited = record.template.edit(spec)?;
    let content = Content::Template(edited.clone());
    append(
        doc,
        &record,
        TemplateEventKind::Edited,
        by,
        stamp,
        Some(&content),
    )?;
    Ok(edited)
}

/// Publishes a draft: from now on it never changes and runs may start from it.
/// Refused while the draft's working copy is not a template
/// (`VersionError::Invalid` says what is wrong).
pub fn publish(doc: &mut Automerge, by: &Person, stamp: Stamp) -> Result<(), TemplateChangeError> {
    let record = read(doc)?;
    record
        .template
        .status()
        .after(&TemplateEventKind::Published)?;
    let content = match &record.working {
        Some(working) => Some(Content::Template(record.template.edit(working.clone())?)),
        None => None,
    };
    append(
        doc,
        &record,
        TemplateEventKind::Published,
        by,
        stamp,
        content.as_ref(),
    )
}

/// Retires a published version: no new runs start from it.
pub fn retire(doc: &mut Automerge, by: &Person, stamp: Stamp) -> Result<(), TemplateChangeError> {
    let record = read(doc)?;
    append(doc, &record, TemplateEventKind::Retired, by, stamp, None)
}

/// Writes the draft of the version after the one in `current` into the empty
/// document `next`: what "edit" does to a published template.
pub fn create_next_version(
    current: &Automerge,
    next: &mut Automerge,
    by: &Person,
    stamp: Stamp,
) -> Result<Template, TemplateChangeError> {
    let draft = read(current)?.template.next_version()?;
    create(next, &draft, by, stamp)?;
    Ok(draft)
}

/// What a change writes as the draft's content.
enum Content {
    /// A template: written at the root, and any working copy dropped.
    Template(Template),
    /// Unfinished content: written under `working`.
    Working(TemplateSpec),
}

/// Appends `kind` to the log (checked against the status), with new content if given.
fn append(
    doc: &mut Automerge,
    record: &TemplateRecord,
    kind: TemplateEventKind,
    by: &Person,
    stamp: Stamp,
    content: Option<&Content>,
) -> Result<(), TemplateChangeError> {
    record.template.status().after(&kind)?;
    let list = events_list(doc)?;
    let device = doc.get_actor().to_hex_string();
    let at_ms = next_stamp(&record.events, stamp.at_ms);
    let event = Logged {
        id: entry_id(&record.events, &device, at_ms),
        kind,
        at_ms,
        device,
        by: Some(by.clone()),
    };
    let index = doc.length(&list);
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options(event.kind.as_str()),
        |tx| {
            match content {
                Some(Content::Template(template)) => {
                    body::write(tx, &ROOT, template)?;
                    tx.delete(ROOT, "working")?;
                }
                Some(Content::Working(spec)) => {
                    let working = tx.put_object(ROOT, "working", ObjType::Map)?;
                    body::write_spec(tx, &working, spec)?;
                }
                None => {}
            }
            log::write_entry(tx, &list, index, &event, event.kind.as_str())?;
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

fn events_list(doc: &Automerge) -> Result<ObjId, ReadError> {
    body::Node::at(doc, ROOT)
        .object("events", ObjType::List)
        .ok_or(ReadError::BadField("events"))
}

#[cfg(test)]
mod tests;
