//! The incident document, which is also the service request document.
//!
//! ```text
//! { kind: "incident" | "service-request", schema: 1, site, title, description: Text, impact, urgency,
//!   matrixVersion, serviceLevels: { …levels }, createdAt, reference?, events: [ { id, type, at, device, … } ],
//!   attachments: [ { type: "photo", blob, caption, at, device } ],
//!   signatures: [ { blob, signer, at, device, heads: [hex, …] } ] }
//! ```
//! `title`, `impact` and `urgency` are plain values, so concurrent offline writes
//! stay visible as a conflict for a person to resolve; `description` is Automerge
//! text and merges character by character; `events` is append-only (the fields
//! of each kind are listed in `events.rs`), and so are `attachments`, the photos
//! ([`attach_photo`]; `attachments.rs`), and `signatures`, the customer's
//! signatures ([`sign`]; `signatures.rs`), each bound to the heads the document
//! had when the customer signed: [`changed_after_signing`] reads the record at
//! those heads ([`read_at`]) and lists what is new since.
//!
//! Impact and urgency are also recorded as `priorityChanged` events, at creation
//! and at every change, whichever way it is made ([`edit`] or [`append_event`]):
//! the SLA clocks need the priority over time, not only the current one.
//!
//! `serviceLevels` is a copy of the site's service levels (SLA targets, business
//! calendar, priority matrix; the shape is in `doc::service_levels`) standing when
//! the incident was logged ([`create_under`]): the incident counts its clocks
//! and takes its priorities from that version forever, whatever is published
//! later. A document without it counts on the standard. The copy is written
//! once, with the incident, and never changes: the server checks it when the
//! incident arrives and refuses any change to it after ([`levels_copy_changed`]).
//!
//! A person's workflow action goes through [`perform`]: read, check the guard
//! with `model::action::apply`, append the event.
//!
//! A service request is the same document with `kind: "service-request"`; one
//! that needs a manager's approval is logged with an `approvalRequested` event
//! right after `created`, so it waits for the approval (see `model::lifecycle`).

mod appendable;
mod attachments;
mod events;
mod levels_copy;
mod signatures;

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use super::{check_header, service_levels, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::action::{apply, Command};
use crate::model::event::{Event, EventKind};
use crate::model::evidence::{Attachment, BlobHash};
use crate::model::incident::{Contested, Incident, TicketKind, Title};
use crate::model::lifecycle::TransitionError;
use crate::model::priority::{Impact, Urgency};
use crate::model::service_levels::ServiceLevels;
use crate::model::signature::{self, ChangeAfterSigning, SignRefusal, Signature, SignerName};
pub use levels_copy::{levels_copy, levels_copy_changed};

/// Where an incident keeps its copy of the service levels it was logged under.
const LEVELS_KEY: &str = "serviceLevels";

/// What a person fills in to log an incident or a service request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub kind: TicketKind,
    /// For a service request: whether it waits for a manager's approval before
    /// it is worked. Ignored for an incident.
    pub needs_approval: bool,
    pub site: String,
    pub title: Title,
    pub description: String,
    pub impact: Impact,
    pub urgency: Urgency,
}

/// One edit a person makes to an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Title(Title),
    Description(String),
    Impact(Impact),
    Urgency(Urgency),
}

/// Why a change could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the document rejected the change: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("this version cannot write a “{0}” event")]
    NotWritable(String),
    #[error(transparent)]
    Refused(#[from] TransitionError),
}

/// Why a person's workflow action was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum PerformError {
    /// The lifecycle refused it; the message is for the person.
    #[error(transparent)]
    Refused(#[from] TransitionError),
    #[error(transparent)]
    Change(#[from] ChangeError),
}

/// Why a signature was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// Not now; the message is for the person.
    #[error(transparent)]
    Refused(#[from] SignRefusal),
    #[error(transparent)]
    Change(#[from] ChangeError),
}

/// Writes a new incident or service request into an empty document (whose
/// actor is the device's).
///
/// The log starts with a `created` event and a `priorityChanged` event holding
/// the initial impact, urgency and priority, and, for a service request that
/// needs approval, an `approvalRequested` event, all at `stamp`.
pub fn create(doc: &mut Automerge, new: &NewIncident, stamp: Stamp) -> Result<(), ChangeError> {
    create_under(doc, new, &ServiceLevels::standard(), stamp)
}

/// As [`create`], under the site's standing service levels: the priority comes
/// from their matrix, and the incident keeps a copy of them (`serviceLevels`),
/// so its clocks count on that version whatever is published later.
pub fn create_under(
    doc: &mut Automerge,
    new: &NewIncident,
    levels: &ServiceLevels,
    stamp: Stamp,
) -> Result<(), ChangeError> {
    let device = doc.get_actor().to_hex_string();
    let matrix = &levels.matrix;
    let waits = new.kind == TicketKind::ServiceRequest && new.needs_approval;
    let logged: Vec<Event> = [
        EventKind::Created,
        EventKind::PriorityChanged {
            impact: new.impact,
            urgency: new.urgency,
            priority: matrix.priority(new.impact, new.urgency),
        },
    ]
    .into_iter()
    .chain(waits.then_some(EventKind::ApprovalRequested))
    .enumerate()
    .map(|(index, kind)| Event {
        id: format!("{device}-{index}-{}", stamp.at_ms),
        kind,
        at_ms: stamp.at_ms,
        device: device.clone(),
    })
    .collect();
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| {
            stamp.commit_options(match new.kind {
                TicketKind::Incident => "create incident",
                TicketKind::ServiceRequest => "create service request",
            })
        },
        |tx| {
            tx.put(ROOT, "kind", new.kind.as_str())?;
            tx.put(ROOT, "schema", SCHEMA_VERSION)?;
            tx.put(ROOT, "site", new.site.as_str())?;
            tx.put(ROOT, "title", new.title.as_str())?;
            let description = tx.put_object(ROOT, "description", ObjType::Text)?;
            tx.splice_text(&description, 0, 0, &new.description)?;
            tx.put(ROOT, "impact", i64::from(new.impact.level()))?;
            tx.put(ROOT, "urgency", i64::from(new.urgency.level()))?;
            tx.put(ROOT, "matrixVersion", i64::from(matrix.version))?;
            service_levels::write_levels(tx, &ROOT, LEVELS_KEY, levels)?;
            tx.put(ROOT, "createdAt", stamp.at_ms)?;
            let list = tx.put_object(ROOT, "events", ObjType::List)?;
            for (index, event) in logged.iter().enumerate() {
                events::write(tx, &list, index, event)?;
            }
            tx.put_object(ROOT, attachments::KEY, ObjType::List)?;
            tx.put_object(ROOT, signatures::KEY, ObjType::List)?;
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Writes the human reference the server assigns on first receipt (`INC-000001`,
/// `REQ-000001`). Only the server calls this, as its own change; devices show a
/// provisional reference until it arrives.
pub fn set_reference(doc: &mut Automerge, reference: &str, at_ms: i64) -> Result<(), ChangeError> {
    check_ticket(doc)?;
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| Stamp::at(at_ms).commit_options("assign reference"),
        |tx| tx.put(ROOT, "reference", reference),
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Applies one edit. Writing the value a field already has (with no conflict) is a no-op.
/// A new impact or urgency also appends a `priorityChanged` event.
pub fn edit(doc: &mut Automerge, edit: &Edit, stamp: Stamp) -> Result<(), ChangeError> {
    let current = read(doc)?;
    let unchanged = match edit {
        Edit::Title(t) => !current.title.is_conflict() && current.title.value == t.as_str(),
        Edit::Description(d) => current.description == *d,
        Edit::Impact(i) => !current.impact.is_conflict() && current.impact.value == *i,
        Edit::Urgency(u) => !current.urgency.is_conflict() && current.urgency.value == *u,
    };
    if unchanged {
        return Ok(());
    }
    let description = match doc.get(ROOT, "description") {
        Ok(Some((Value::Object(ObjType::Text), id))) => Some(id),
        _ => None,
    };
    let encoding = doc.text_encoding();
    let levels = match edit {
        Edit::Impact(i) => Some((*i, current.urgency.value)),
        Edit::Urgency(u) => Some((current.impact.value, *u)),
        Edit::Title(_) | Edit::Description(_) => None,
    };
    let priority_event = match levels {
        Some((impact, urgency)) => {
            let matrix = current.matrix();
            let device = doc.get_actor().to_hex_string();
            let command = Command::change_priority(&matrix, impact, urgency);
            Some(apply(&current.events, command, &device, stamp.at_ms)?)
        }
        None => None,
    };
    let list = events_list(doc)?;
    let index = doc.length(&list);
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options(edit_message(edit)),
        |tx| {
            match edit {
                Edit::Title(t) => tx.put(ROOT, "title", t.as_str())?,
                Edit::Description(d) => match &description {
                    Some(text) => splice_difference(tx, text, &current.description, d, encoding)?,
                    None => {
                        let text = tx.put_object(ROOT, "description", ObjType::Text)?;
                        tx.splice_text(&text, 0, 0, d)?;
                    }
                },
                Edit::Impact(i) => tx.put(ROOT, "impact", i64::from(i.level()))?,
                Edit::Urgency(u) => tx.put(ROOT, "urgency", i64::from(u.level()))?,
            }
            if let Some(event) = &priority_event {
                events::write(tx, &list, index, event)?;
            }
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Reads the incident as it is now.
pub fn read(doc: &Automerge) -> Result<Incident, ReadError> {
    let kind = check_ticket(doc)?;
    let text = |key: &'static str| -> Result<String, ReadError> {
        scalar(doc, key)
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or(ReadError::BadField(key))
    };
    let int = |key: &'static str| scalar(doc, key).and_then(|v| as_i64(&v));
    let mut incident = Incident {
        kind,
        site: text("site")?,
        title: contested(doc, "title", |v| v.as_str().map(str::to_owned))?,
        description: match doc.get(ROOT, "description") {
            Ok(Some((Value::Object(ObjType::Text), id))) => doc
                .text(&id)
                .map_err(|_| ReadError::BadField("description"))?,
            _ => String::new(),
        },
        impact: contested(doc, "impact", |v| {
            as_i64(v).and_then(|n| Impact::parse(n).ok())
        })?,
        urgency: contested(doc, "urgency", |v| {
            as_i64(v).and_then(|n| Urgency::parse(n).ok())
        })?,
        matrix_version: int("matrixVersion")
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(ReadError::BadField("matrixVersion"))?,
        service_levels: levels_copy(doc),
        reference: scalar(doc, "reference").and_then(|v| v.as_str().map(str::to_owned)),
        created_at_ms: int("createdAt").ok_or(ReadError::BadField("createdAt"))?,
        events: events::read_all(doc, &events_list(doc)?, None),
        attachments: attachments::read_all(doc),
        signatures: signatures::read_all(doc),
    };
    incident.count_priorities();
    Ok(incident)
}

/// Reads the incident as it was at `heads` (a past point of its history, or the
/// version a customer signed). `ReadError::UnknownHeads` if the document does
/// not hold every change under them.
pub fn read_at(doc: &Automerge, heads: &[ChangeHash]) -> Result<Incident, ReadError> {
    if heads.is_empty() || !doc.get_missing_deps(heads).is_empty() {
        return Err(ReadError::UnknownHeads);
    }
    let past = doc.fork_at(heads).map_err(|_| ReadError::UnknownHeads)?;
    read(&past)
}

/// What the incident `now` (read from `doc`) has that the version `signature`
/// covers did not (see `model::signature::changed_after_signing`).
pub fn changed_after_signing(
    doc: &Automerge,
    now: &Incident,
    signature: &Signature,
) -> Result<Vec<ChangeAfterSigning>, ReadError> {
    let heads = signatures::heads_of(signature).ok_or(ReadError::UnknownHeads)?;
    let signed = read_at(doc, &heads)?;
    Ok(signature::changed_after_signing(&signed, now))
}

/// Records the customer's signature: the picture by the hash of its blob (whose
/// bytes the caller keeps outside the document), who signed, the device and
/// `stamp`, and the document's heads at this moment, which the signature covers.
/// Only a resolved incident is signed (`model::signature::may_sign`). The same
/// picture again (a second tap on "Save") changes nothing and returns the
/// signature already recorded.
pub fn sign(
    doc: &mut Automerge,
    blob: BlobHash,
    signer: &SignerName,
    stamp: Stamp,
) -> Result<Signature, SignError> {
    let current = read(doc).map_err(ChangeError::Read)?;
    if let Some(existing) = current.signatures.iter().find(|s| s.blob == blob) {
        return Ok(existing.clone());
    }
    signature::may_sign(current.status())?;
    let signature = Signature {
        blob,
        signer: signer.as_str().to_owned(),
        at_ms: stamp.at_ms,
        device: doc.get_actor().to_hex_string(),
        heads: doc.get_heads().iter().map(ToString::to_string).collect(),
    };
    let existing = appendable::winning_list(doc, signatures::KEY);
    let index = existing.as_ref().map_or(0, |list| doc.length(list));
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("sign"),
        |tx| {
            let list = appendable::list_for_append(tx, signatures::KEY, existing.clone())?;
            signatures::write(tx, &list, index, &signature)
        },
    )
    .map_err(|failure| ChangeError::Automerge(failure.error))?;
    Ok(signature)
}

/// Attaches a photo, by the hash of its blob (whose bytes the caller keeps outside
/// the document), with a caption, stamped with the device's actor and `stamp`.
/// Returns `false` and changes nothing if that photo is already attached (a
/// second tap, the same file chosen twice). Attachments are only ever appended,
/// so photos attached on devices that were apart all stay.
pub fn attach_photo(
    doc: &mut Automerge,
    blob: BlobHash,
    caption: &str,
    stamp: Stamp,
) -> Result<bool, ChangeError> {
    let current = read(doc)?;
    if current.attachments.iter().any(|a| a.blob == blob) {
        return Ok(false);
    }
    let attachment = Attachment {
        blob,
        caption: caption.trim().to_owned(),
        at_ms: stamp.at_ms,
        device: doc.get_actor().to_hex_string(),
    };
    let existing = appendable::winning_list(doc, attachments::KEY);
    let index = existing.as_ref().map_or(0, |list| doc.length(list));
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("attach photo"),
        |tx| {
            let list = appendable::list_for_append(tx, attachments::KEY, existing.clone())?;
            attachments::write(tx, &list, index, &attachment)
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(true)
}

/// Appends `event` to the log, as made by `model::action::apply` (which checks
/// the guards; this does not). A priority change also sets the `impact` and
/// `urgency` fields, so forms and lists show it.
pub fn append_event(doc: &mut Automerge, event: &Event, stamp: Stamp) -> Result<(), ChangeError> {
    check_ticket(doc)?;
    if !events::writable(&event.kind) {
        return Err(ChangeError::NotWritable(event.kind.as_str().to_owned()));
    }
    let list = events_list(doc)?;
    let index = doc.length(&list);
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options(event.kind.as_str()),
        |tx| {
            events::write(tx, &list, index, event)?;
            if let EventKind::PriorityChanged {
                impact, urgency, ..
            } = &event.kind
            {
                tx.put(ROOT, "impact", i64::from(impact.level()))?;
                tx.put(ROOT, "urgency", i64::from(urgency.level()))?;
            }
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Records a person's workflow action: checks it against the log and appends
/// the event it makes, stamped with the device's actor and `stamp`.
pub fn perform(doc: &mut Automerge, command: Command, stamp: Stamp) -> Result<Event, PerformError> {
    let incident = read(doc).map_err(ChangeError::Read)?;
    let device = doc.get_actor().to_hex_string();
    let event = apply(&incident.events, command, &device, stamp.at_ms)?;
    append_event(doc, &event, stamp)?;
    Ok(event)
}

/// The events added to the log since `heads` (the server's check of who
/// approves): new event maps, whatever ids they carry, in list order. `None` if
/// the change altered, replaced or removed an event already there.
pub fn events_added_since(
    doc: &Automerge,
    heads: &[ChangeHash],
) -> Result<Option<Vec<Event>>, ReadError> {
    read(doc)?;
    Ok(match super::log_growth::events_growth(doc, heads)? {
        super::log_growth::Growth::Appended(maps) => Some(
            maps.iter()
                .filter_map(|map| events::read_one(doc, map))
                .collect(),
        ),
        super::log_growth::Growth::Rewritten => None,
    })
}

/// The ids of the events the document held at `heads`: pass the heads the server
/// acknowledged to learn which events it has seen (for a provisional SLA).
pub fn confirmed_event_ids(
    doc: &Automerge,
    heads: &[ChangeHash],
) -> Result<BTreeSet<String>, ReadError> {
    if heads.is_empty() {
        return Ok(BTreeSet::new());
    }
    if !doc.get_missing_deps(heads).is_empty() {
        return Err(ReadError::UnknownHeads);
    }
    let list = match doc.get_at(ROOT, "events", heads) {
        Ok(Some((Value::Object(ObjType::List), id))) => id,
        Ok(_) => return Ok(BTreeSet::new()),
        Err(_) => return Err(ReadError::UnknownHeads),
    };
    Ok(events::read_all(doc, &list, Some(heads))
        .into_iter()
        .map(|e| e.id)
        .collect())
}

/// Checks the header of an incident or service request document and says which.
fn check_ticket(doc: &Automerge) -> Result<TicketKind, ReadError> {
    let kind = super::kind_of(doc)
        .as_deref()
        .and_then(TicketKind::parse)
        .unwrap_or(TicketKind::Incident);
    check_header(doc, kind.as_str())?;
    Ok(kind)
}

fn edit_message(edit: &Edit) -> &'static str {
    match edit {
        Edit::Title(_) => "set title",
        Edit::Description(_) => "edit description",
        Edit::Impact(_) => "set impact",
        Edit::Urgency(_) => "set urgency",
    }
}

fn scalar(doc: &Automerge, key: &str) -> Option<ScalarValue> {
    match doc.get(ROOT, key).ok().flatten()? {
        (Value::Scalar(s), _) => Some(s.into_owned()),
        _ => None,
    }
}

fn as_i64(v: &ScalarValue) -> Option<i64> {
    super::whole_number(v)
}

/// Every concurrent value of a root field, Automerge's winner first. Values that do
/// not parse are left out; the field is malformed only if none parses.
fn contested<T: PartialEq>(
    doc: &Automerge,
    key: &'static str,
    parse: impl Fn(&ScalarValue) -> Option<T>,
) -> Result<Contested<T>, ReadError> {
    let all = doc
        .get_all(ROOT, key)
        .map_err(|_| ReadError::BadField(key))?;
    // get_all lists values in op order; the winner `get` shows is the last one.
    let mut parsed: Vec<T> = all
        .iter()
        .rev()
        .filter_map(|(v, _)| match v {
            Value::Scalar(s) => parse(s),
            Value::Object(_) => None,
        })
        .collect();
    parsed.dedup();
    let mut values = parsed.into_iter();
    let value = values.next().ok_or(ReadError::BadField(key))?;
    let mut others: Vec<T> = Vec::new();
    for v in values {
        if v != value && !others.contains(&v) {
            others.push(v);
        }
    }
    Ok(Contested { value, others })
}

fn events_list(doc: &Automerge) -> Result<ObjId, ReadError> {
    match doc.get(ROOT, "events") {
        Ok(Some((Value::Object(ObjType::List), id))) => Ok(id),
        _ => Err(ReadError::BadField("events")),
    }
}

#[cfg(test)]
mod tests;

/// Rewrites `old` into `new` as one splice of the part between their common prefix
/// and suffix. Linear in the text's length (a character diff of a long pasted log
/// would stall a tablet), and a save is almost always one contiguous change, so
/// concurrent edits elsewhere in the text still merge character by character.
fn splice_difference(
    tx: &mut impl Transactable,
    text: &ObjId,
    old: &str,
    new: &str,
    encoding: automerge::TextEncoding,
) -> Result<(), automerge::AutomergeError> {
    use automerge::TextEncoding as E;
    let width = |s: &str| match encoding {
        E::UnicodeCodePoint => Some(s.chars().count()),
        E::Utf8CodeUnit => Some(s.len()),
        E::Utf16CodeUnit => Some(s.encode_utf16().count()),
        E::GraphemeCluster => None,
    };
    let prefix: usize = old
        .chars()
        .zip(new.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let suffix: usize = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>()
        .min(old_rest.len().min(new_rest.len()));
    let removed = &old_rest[..old_rest.len() - suffix];
    let inserted = &new_rest[..new_rest.len() - suffix];
    match (width(&old[..prefix]), width(removed)) {
        (Some(at), Some(delete)) => tx.splice_text(text, at, delete as isize, inserted),
        _ => tx.update_text(text, new),
    }
}
