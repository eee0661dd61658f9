//! The incident document.
//!
//! ```text
//! { kind: "incident", schema: 1, site, title, description: Text, impact, urgency,
//!   matrixVersion, createdAt, reference?, events: [ { id, type, at, device } ] }
//! ```
//! `title`, `impact` and `urgency` are plain values, so concurrent offline writes
//! stay visible as a conflict for a person to resolve; `description` is Automerge
//! text and merges character by character; `events` is append-only.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use super::{check_header, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::incident::{Contested, Event, EventKind, Incident, Title};
use crate::model::priority::{Impact, PriorityMatrix, Urgency};

const KIND: &str = "incident";

/// What a person fills in to log an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
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
}

/// Writes a new incident into an empty document (whose actor is the device's).
pub fn create(doc: &mut Automerge, new: &NewIncident, stamp: Stamp) -> Result<(), ChangeError> {
    let device = doc.get_actor().to_hex_string();
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("create incident"),
        |tx| {
            tx.put(ROOT, "kind", KIND)?;
            tx.put(ROOT, "schema", SCHEMA_VERSION)?;
            tx.put(ROOT, "site", new.site.as_str())?;
            tx.put(ROOT, "title", new.title.as_str())?;
            let description = tx.put_object(ROOT, "description", ObjType::Text)?;
            tx.splice_text(&description, 0, 0, &new.description)?;
            tx.put(ROOT, "impact", i64::from(new.impact.level()))?;
            tx.put(ROOT, "urgency", i64::from(new.urgency.level()))?;
            tx.put(
                ROOT,
                "matrixVersion",
                u64::from(PriorityMatrix::standard().version),
            )?;
            tx.put(ROOT, "createdAt", stamp.at_ms)?;
            let events = tx.put_object(ROOT, "events", ObjType::List)?;
            append_event(tx, &events, 0, EventKind::Created, stamp, &device)?;
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Applies one edit. Writing the value a field already has (with no conflict) is a no-op.
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
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options(edit_message(edit)),
        |tx| {
            match edit {
                Edit::Title(t) => tx.put(ROOT, "title", t.as_str())?,
                Edit::Description(d) => match &description {
                    Some(text) => tx.update_text(text, d)?,
                    None => {
                        let text = tx.put_object(ROOT, "description", ObjType::Text)?;
                        tx.splice_text(&text, 0, 0, d)?;
                    }
                },
                Edit::Impact(i) => tx.put(ROOT, "impact", i64::from(i.level()))?,
                Edit::Urgency(u) => tx.put(ROOT, "urgency", i64::from(u.level()))?,
            }
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Reads the incident as it is now.
pub fn read(doc: &Automerge) -> Result<Incident, ReadError> {
    check_header(doc, KIND)?;
    let text = |key: &'static str| -> Result<String, ReadError> {
        scalar(doc, key)
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or(ReadError::BadField(key))
    };
    let int = |key: &'static str| scalar(doc, key).and_then(|v| as_i64(&v));
    Ok(Incident {
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
        reference: scalar(doc, "reference").and_then(|v| v.as_str().map(str::to_owned)),
        created_at_ms: int("createdAt").ok_or(ReadError::BadField("createdAt"))?,
        events: events(doc)?,
    })
}

fn edit_message(edit: &Edit) -> &'static str {
    match edit {
        Edit::Title(_) => "set title",
        Edit::Description(_) => "edit description",
        Edit::Impact(_) => "set impact",
        Edit::Urgency(_) => "set urgency",
    }
}

fn append_event(
    tx: &mut impl Transactable,
    events: &ObjId,
    index: usize,
    kind: EventKind,
    stamp: Stamp,
    device: &str,
) -> Result<(), automerge::AutomergeError> {
    let event = tx.insert_object(events, index, ObjType::Map)?;
    tx.put(&event, "id", format!("{device}-{index}-{}", stamp.at_ms))?;
    tx.put(&event, "type", kind.as_str())?;
    tx.put(&event, "at", stamp.at_ms)?;
    tx.put(&event, "device", device)?;
    Ok(())
}

fn scalar(doc: &Automerge, key: &str) -> Option<ScalarValue> {
    match doc.get(ROOT, key).ok().flatten()? {
        (Value::Scalar(s), _) => Some(s.into_owned()),
        _ => None,
    }
}

fn as_i64(v: &ScalarValue) -> Option<i64> {
    match v {
        ScalarValue::Int(n) => Some(*n),
        ScalarValue::Uint(n) => i64::try_from(*n).ok(),
        ScalarValue::F64(f) if f.fract() == 0.0 => Some(*f as i64),
        _ => None,
    }
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

fn events(doc: &Automerge) -> Result<Vec<Event>, ReadError> {
    let list = match doc.get(ROOT, "events") {
        Ok(Some((Value::Object(ObjType::List), id))) => id,
        _ => return Err(ReadError::BadField("events")),
    };
    let field = |obj: &ObjId, key: &str| -> Option<ScalarValue> {
        match doc.get(obj, key).ok().flatten()? {
            (Value::Scalar(s), _) => Some(s.into_owned()),
            _ => None,
        }
    };
    Ok(doc
        .list_range(&list, ..)
        .filter_map(|item| {
            let obj = match item.value.clone().into_value() {
                Value::Object(ObjType::Map) => item.id(),
                _ => return None,
            };
            Some(Event {
                id: field(&obj, "id")?.as_str()?.to_owned(),
                kind: EventKind::parse(field(&obj, "type")?.as_str()?),
                at_ms: as_i64(&field(&obj, "at")?)?,
                device: field(&obj, "device")?.as_str()?.to_owned(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::incident::Status;
    use crate::model::priority::Priority;
    use automerge::ActorId;

    fn device(n: u8) -> Automerge {
        Automerge::new().with_actor(ActorId::from([n; 16]))
    }

    fn sample() -> NewIncident {
        NewIncident {
            site: "north".into(),
            title: Title::parse("Printer jam on floor 2").expect("title"),
            description: "Paper stuck in tray 3".into(),
            impact: Impact::parse(2).expect("impact"),
            urgency: Impact::parse(2).and(Urgency::parse(1)).expect("urgency"),
        }
    }

    #[test]
    fn a_created_incident_reads_back_with_its_priority_and_status() {
        let mut doc = device(1);
        create(&mut doc, &sample(), Stamp::at(1_700_000_000_000)).expect("create");
        let incident = read(&doc).expect("read");
        assert_eq!(incident.title.value, "Printer jam on floor 2");
        assert_eq!(incident.description, "Paper stuck in tray 3");
        assert_eq!(incident.priority(), Priority::P1);
        assert_eq!(incident.status(), Status::New);
        assert_eq!(incident.events.len(), 1);
        assert_eq!(
            incident.events[0].device,
            ActorId::from([1; 16]).to_hex_string()
        );
        assert!(!incident.has_conflicts());
    }

    #[test]
    fn survives_save_and_load() {
        let mut doc = device(1);
        create(&mut doc, &sample(), Stamp::at(5)).expect("create");
        edit(
            &mut doc,
            &Edit::Urgency(Urgency::parse(4).expect("u")),
            Stamp::at(6),
        )
        .expect("edit");
        let loaded = Automerge::load(&doc.save()).expect("load");
        assert_eq!(read(&loaded).expect("read"), read(&doc).expect("read"));
        assert_eq!(read(&loaded).expect("read").priority(), Priority::P3);
    }

    #[test]
    fn edits_to_different_fields_on_two_devices_both_survive() {
        let mut a = device(1);
        create(&mut a, &sample(), Stamp::at(1)).expect("create");
        let mut b = a.fork().with_actor(ActorId::from([2; 16]));
        edit(
            &mut a,
            &Edit::Title(Title::parse("Printer jam, tray 3").expect("t")),
            Stamp::at(2),
        )
        .expect("edit a");
        edit(
            &mut b,
            &Edit::Impact(Impact::parse(4).expect("i")),
            Stamp::at(3),
        )
        .expect("edit b");
        a.merge(&mut b).expect("merge");
        let merged = read(&a).expect("read");
        assert_eq!(merged.title.value, "Printer jam, tray 3");
        assert_eq!(merged.impact.value.level(), 4);
        assert!(!merged.has_conflicts());
    }

    #[test]
    fn concurrent_titles_are_both_shown_until_someone_picks_one() {
        let mut a = device(1);
        create(&mut a, &sample(), Stamp::at(1)).expect("create");
        let mut b = a.fork().with_actor(ActorId::from([2; 16]));
        edit(
            &mut a,
            &Edit::Title(Title::parse("From tablet A").expect("t")),
            Stamp::at(2),
        )
        .expect("a");
        edit(
            &mut b,
            &Edit::Title(Title::parse("From tablet B").expect("t")),
            Stamp::at(2),
        )
        .expect("b");
        a.merge(&mut b).expect("merge");
        b.merge(&mut a).expect("merge back");
        let seen_a = read(&a).expect("read").title;
        let seen_b = read(&b).expect("read").title;
        assert!(seen_a.is_conflict());
        assert_eq!(
            seen_a, seen_b,
            "both devices show the same values in the same order"
        );
        let mut all: Vec<_> = seen_a.all().cloned().collect();
        all.sort();
        assert_eq!(
            all,
            vec!["From tablet A".to_owned(), "From tablet B".to_owned()]
        );

        // Picking the value that is already shown first still resolves the conflict.
        let pick = Title::parse(&seen_a.value).expect("t");
        edit(&mut a, &Edit::Title(pick), Stamp::at(3)).expect("pick");
        b.merge(&mut a).expect("merge pick");
        let resolved = read(&b).expect("read").title;
        assert!(!resolved.is_conflict());
        assert_eq!(resolved.value, seen_a.value);
    }

    #[test]
    fn concurrent_description_edits_merge_as_text() {
        let mut a = device(1);
        create(&mut a, &sample(), Stamp::at(1)).expect("create");
        let mut b = a.fork().with_actor(ActorId::from([2; 16]));
        edit(
            &mut a,
            &Edit::Description("Paper stuck in tray 3. Rebooted.".into()),
            Stamp::at(2),
        )
        .expect("a");
        edit(
            &mut b,
            &Edit::Description("Urgent: Paper stuck in tray 3".into()),
            Stamp::at(2),
        )
        .expect("b");
        a.merge(&mut b).expect("merge");
        assert_eq!(
            read(&a).expect("read").description,
            "Urgent: Paper stuck in tray 3. Rebooted."
        );
    }

    #[test]
    fn writing_the_same_value_again_makes_no_change() {
        let mut doc = device(1);
        create(&mut doc, &sample(), Stamp::at(1)).expect("create");
        let heads = doc.get_heads();
        edit(
            &mut doc,
            &Edit::Title(Title::parse("Printer jam on floor 2").expect("t")),
            Stamp::at(2),
        )
        .expect("edit");
        assert_eq!(doc.get_heads(), heads);
    }

    #[test]
    fn a_document_from_a_newer_schema_is_refused_not_misread() {
        let mut doc = device(1);
        create(&mut doc, &sample(), Stamp::at(1)).expect("create");
        doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "schema", 99u64))
            .expect("write");
        assert_eq!(read(&doc), Err(ReadError::NewerSchema(99)));
    }
}
