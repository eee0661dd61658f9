//! The checklist run document.
//!
//! ```text
//! { kind: "checklist-run", schema: 1, site, incident?, audit?, createdAt,
//!   template: { status, …content (see checklist_template/body.rs) },
//!   assignees: { <user id>: { name, role } },
//!   answers: { <item id>: { … } }            (see answers.rs)
//!   photos: { <item id>: [hash, …] }         (see answers.rs)
//!   events: [ { id, type, at, device, by, byName, byRole, … } ] }  (see events.rs)
//! ```
//! `template` is the snapshot the run started from and is never written again,
//! so the run renders and scores as it did whatever happens to the template.
//! `answers` is a map keyed by item id and `assignees` one keyed by user id, so
//! people working on different items (or adding different assignees) offline
//! never conflict. `events` is the append-only lifecycle log; the status is
//! derived from it, never stored.
//!
//! A person's answer goes through [`answer`] (guarded by
//! `model::checklist_run::Run::check_answer`; the first answer also starts a
//! scheduled run), a photo for an answer through [`add_photo`] (appended to the
//! item's list under `photos`, outside the answer maps, so photos two people add
//! to one answer offline are both kept, and so is a photo added while someone
//! else rewrites the answer), a workflow step through [`perform`].

mod answers;
mod events;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ReadDoc, ROOT};

use super::checklist_template::body::{self, Node};
use super::checklist_template::log;
use super::{check_header, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::access::{Person, RecordKind};
use crate::model::checklist::logged::entry_id;
use crate::model::checklist::{ItemId, ItemKind, Template, TemplateStatus};
use crate::model::checklist_run::{
    apply, Answer, AnswerError, AnswerRefused, AnswerValue, Response, Run, RunCommand, RunContext,
    RunEvent, RunEventKind, RunStatus, RunTransitionError,
};
use crate::model::evidence::BlobHash;

/// What a person fills in to plan a run.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub context: RunContext,
    pub assignees: Vec<Person>,
    /// The template to run; it must be published.
    pub template: Template,
}

/// Why a change to a run document was not written.
#[derive(Debug, thiserror::Error)]
pub enum RunChangeError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the document rejected the change: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("a run starts from a published template, not a {0} one")]
    TemplateNotPublished(TemplateStatus),
    #[error("this version cannot write a “{0}” event")]
    NotWritable(String),
}

/// Why a person's answer or workflow step was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum RunPerformError {
    /// The lifecycle refused the step; the message is for the person.
    #[error(transparent)]
    Refused(#[from] RunTransitionError),
    /// The answer was refused (the run is locked, or it does not fit the item).
    #[error(transparent)]
    AnswerRefused(#[from] AnswerRefused),
    #[error(transparent)]
    Change(#[from] RunChangeError),
}

/// The `kind` of a run document.
pub fn kind() -> &'static str {
    RecordKind::ChecklistRun.as_str()
}

/// Writes a new run into an empty document (whose actor is the device's), with
/// a `scheduled` event by `by` at `stamp`.
pub fn create(
    doc: &mut Automerge,
    new: &NewRun,
    by: &Person,
    stamp: Stamp,
) -> Result<(), RunChangeError> {
    if new.template.status() != TemplateStatus::Published {
        return Err(RunChangeError::TemplateNotPublished(new.template.status()));
    }
    let device = doc.get_actor().to_hex_string();
    let scheduled = RunEvent {
        id: entry_id::<RunEventKind>(&[], &device, stamp.at_ms),
        kind: RunEventKind::Scheduled,
        at_ms: stamp.at_ms,
        device,
        by: Some(by.clone()),
    };
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("create checklist run"),
        |tx| {
            tx.put(ROOT, "kind", kind())?;
            tx.put(ROOT, "schema", SCHEMA_VERSION)?;
            tx.put(ROOT, "site", new.context.site.as_str())?;
            if let Some(incident) = &new.context.incident {
                tx.put(ROOT, "incident", incident.as_str())?;
            }
            if let Some(audit) = &new.context.audit {
                tx.put(ROOT, "audit", audit.as_str())?;
            }
            tx.put(ROOT, "createdAt", stamp.at_ms)?;
            let template = tx.put_object(ROOT, "template", ObjType::Map)?;
            tx.put(&template, "status", new.template.status().as_str())?;
            body::write(tx, &template, &new.template)?;
            let assignees = tx.put_object(ROOT, "assignees", ObjType::Map)?;
            for person in &new.assignees {
                write_assignee(tx, &assignees, person)?;
            }
            tx.put_object(ROOT, "answers", ObjType::Map)?;
            tx.put_object(ROOT, answers::PHOTOS, ObjType::Map)?;
            let list = tx.put_object(ROOT, "events", ObjType::List)?;
            events::write(tx, &list, 0, &scheduled)
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Reads the run as it is now.
pub fn read(doc: &Automerge) -> Result<Run, ReadError> {
    check_header(doc, kind())?;
    let root = Node::at(doc, ROOT);
    let snapshot = root
        .object("template", ObjType::Map)
        .ok_or(ReadError::BadField("template"))?;
    let status = Node::at(doc, snapshot.clone())
        .text("status")
        .and_then(|s| TemplateStatus::parse(&s))
        .unwrap_or(TemplateStatus::Published);
    let template = body::read(doc, &snapshot)?.with_status(status);
    let (answers, unreadable_answers) = match root.object("answers", ObjType::Map) {
        Some(obj) => answers::read_all(doc, &obj, &template),
        None => Default::default(),
    };
    let assignees = match root.object("assignees", ObjType::Map) {
        Some(obj) => doc
            .keys(&obj)
            .filter_map(|user_id| {
                let node = root.map("assignees")?.map(&user_id)?;
                Some(Person {
                    name: node.text("name").unwrap_or_else(|| user_id.clone()),
                    role: node.text("role")?.parse().ok()?,
                    user_id,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Run {
        context: RunContext {
            site: root.text("site").ok_or(ReadError::BadField("site"))?,
            incident: root.text("incident"),
            audit: root.text("audit"),
        },
        assignees,
        template,
        answers,
        unreadable_answers,
        created_at_ms: root
            .int("createdAt")
            .ok_or(ReadError::BadField("createdAt"))?,
        events: log::read_entries(doc, ROOT, events::kind),
    })
}

/// Records `answer` to `item`, replacing any earlier answer to it. Refused once
/// the run is submitted (reopen it first) or if the answer does not fit the
/// item. The first answer to a scheduled run also starts it.
pub fn answer(
    doc: &mut Automerge,
    item: &ItemId,
    answer: &Answer,
    stamp: Stamp,
) -> Result<(), RunPerformError> {
    let run = read(doc).map_err(RunChangeError::Read)?;
    run.check_answer(item, answer)?;
    let device = doc.get_actor().to_hex_string();
    let start = match run.status() {
        RunStatus::Scheduled => Some(apply(
            &run,
            RunCommand::Start,
            &answer.by,
            &device,
            stamp.at_ms,
        )?),
        _ => None,
    };
    let answers = Node::at(doc, ROOT)
        .object("answers", ObjType::Map)
        .ok_or(RunChangeError::Read(ReadError::BadField("answers")))?;
    let list = events_list(doc).map_err(RunChangeError::Read)?;
    let index = doc.length(&list);
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("answer"),
        |tx| {
            if let Some(start) = &start {
                events::write(tx, &list, index, start)?;
            }
            answers::write(tx, &answers, item, answer)?;
            answers::keep_photos(tx, item, &answer.photos)
        },
    )
    .map_err(|failure| RunChangeError::Automerge(failure.error))?;
    Ok(())
}

/// Adds the photo `blob` to the answer to `item`, as evidence. The hash is
/// appended to the item's list under the root `photos` map (the answer is not
/// rewritten), so two people adding photos to one answer offline both keep
/// theirs, and so does someone whose answer another device rewrites meanwhile;
/// a photo the answer already has changes nothing. A photo item with no
/// answer yet is answered by `by` with this photo; any other item needs its
/// answer first. Refused, like an answer, once the run is submitted.
pub fn add_photo(
    doc: &mut Automerge,
    item: &ItemId,
    blob: &BlobHash,
    by: &Person,
    stamp: Stamp,
) -> Result<(), RunPerformError> {
    let run = read(doc).map_err(RunChangeError::Read)?;
    run.derived()
        .standing
        .may_answer()
        .map_err(AnswerRefused::Locked)?;
    let found = run
        .template
        .item(item)
        .ok_or_else(|| AnswerRefused::Invalid(AnswerError::UnknownItem(item.clone())))?;
    let Some(current) = run.answer(item) else {
        if !matches!(found.kind(), ItemKind::Photo) {
            return Err(AnswerRefused::from(AnswerError::NotAnsweredYet(item.clone())).into());
        }
        let first = Answer {
            response: Response::Given(AnswerValue::Photo),
            note: String::new(),
            photos: vec![blob.clone()],
            by: by.clone(),
            at_ms: stamp.at_ms,
        };
        return answer(doc, item, &first, stamp);
    };
    if current.photos.contains(blob) {
        return Ok(());
    }
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("add photo"),
        |tx| answers::keep_photos(tx, item, std::slice::from_ref(blob)),
    )
    .map_err(|failure| RunChangeError::Automerge(failure.error))?;
    Ok(())
}

/// Adds and removes assignees so that they are exactly `people`.
pub fn set_assignees(
    doc: &mut Automerge,
    people: &[Person],
    stamp: Stamp,
) -> Result<(), RunChangeError> {
    check_header(doc, kind())?;
    let assignees = Node::at(doc, ROOT)
        .object("assignees", ObjType::Map)
        .ok_or(ReadError::BadField("assignees"))?;
    let gone: Vec<String> = doc
        .keys(&assignees)
        .filter(|id| !people.iter().any(|p| &p.user_id == id))
        .collect();
    // Rewriting an unchanged assignee would only make a needless conflict.
    let current = read(doc)?.assignees;
    let changed: Vec<&Person> = people.iter().filter(|p| !current.contains(p)).collect();
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("set assignees"),
        |tx| {
            for id in &gone {
                tx.delete(&assignees, id.as_str())?;
            }
            for person in &changed {
                write_assignee(tx, &assignees, person)?;
            }
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Appends `event` to the log, as made by `model::checklist_run::apply` (which
/// checks the guards; this does not).
pub fn append_event(
    doc: &mut Automerge,
    event: &RunEvent,
    stamp: Stamp,
) -> Result<(), RunChangeError> {
    check_header(doc, kind())?;
    if !events::writable(&event.kind) {
        return Err(RunChangeError::NotWritable(event.kind.as_str().to_owned()));
    }
    let list = events_list(doc)?;
    let index = doc.length(&list);
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options(event.kind.as_str()),
        |tx| events::write(tx, &list, index, event),
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Records a person's workflow step: checks it against the run and appends the
/// event it makes, stamped with the device's actor and `stamp`.
pub fn perform(
    doc: &mut Automerge,
    command: RunCommand,
    by: &Person,
    stamp: Stamp,
) -> Result<RunEvent, RunPerformError> {
    let run = read(doc).map_err(RunChangeError::Read)?;
    let device = doc.get_actor().to_hex_string();
    let event = apply(&run, command, by, &device, stamp.at_ms)?;
    append_event(doc, &event, stamp)?;
    Ok(event)
}

fn write_assignee(
    tx: &mut impl Transactable,
    assignees: &ObjId,
    person: &Person,
) -> Result<(), automerge::AutomergeError> {
    let map = tx.put_object(assignees, person.user_id.as_str(), ObjType::Map)?;
    tx.put(&map, "name", person.name.as_str())?;
    tx.put(&map, "role", person.role.as_str())
}

fn events_list(doc: &Automerge) -> Result<ObjId, ReadError> {
    Node::at(doc, ROOT)
        .object("events", ObjType::List)
        .ok_or(ReadError::BadField("events"))
}
