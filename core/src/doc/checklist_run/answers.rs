//! The stored form of a run's answers: one map per item under `answers`,
//! keyed by item id.
//!
//! ```text
//! answers: { <item id>: { na?: true, value?, note, photos: [hash, …],
//!                         by, byName, byRole, at } }
//!   value by item kind: yesNo "yes" | "no"; singleChoice the option value;
//!   multipleChoice [option value, …]; number a float; text a string;
//!   date "YYYY-MM-DD"; photo "photo" (the photos are in `photos`);
//!   signature the image's SHA-256
//! ```
//! Every answer is written as a fresh map that replaces the item's previous
//! one, never by changing fields inside it. So answers to different items never
//! touch each other, and two people answering the same item offline leave two
//! whole maps under one key, which Automerge keeps both of: the reader shows
//! them as a [`Contested`] answer, never a blend of one person's value with the
//! other's note.
//!
//! Photos are evidence, not part of what a person chooses between, so they
//! also live outside the answer maps, in an append-only list per item:
//!
//! ```text
//! photos: { <item id>: [hash, …] }
//! ```
//! A photo added on one device while another rewrites the answer (a new note,
//! a changed value) would otherwise sit in a map the rewrite replaced. An
//! answer's photos are read as the union of every list under its key (two
//! devices may each have created one offline), those in every concurrent
//! answer map (runs written before the `photos` map existed keep theirs only
//! there), in the order first seen. The answer maps still get a copy of the
//! photos given with the answer, so a device running an older Fieldbook shows
//! those; photos added afterwards it does not show until it is updated.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjId, ObjType, ReadDoc, Value, ROOT};

use crate::doc::checklist_template::body::Node;
use crate::doc::checklist_template::log::{read_person, write_person};
use crate::model::checklist::{Item, ItemId, ItemKind, Template};
use crate::model::checklist_run::{Answer, AnswerValue, Response};
use crate::model::evidence::BlobHash;
use crate::model::incident::Contested;

/// The root map of each item's photos.
pub(super) const PHOTOS: &str = "photos";

/// Writes `answer` to `item` as a fresh map under the `answers` map `answers`.
pub(super) fn write(
    tx: &mut impl Transactable,
    answers: &ObjId,
    item: &ItemId,
    answer: &Answer,
) -> Result<(), AutomergeError> {
    let map = tx.put_object(answers, item.as_str(), ObjType::Map)?;
    match &answer.response {
        Response::NotApplicable => tx.put(&map, "na", true)?,
        Response::Given(value) => match value {
            AnswerValue::Yes => tx.put(&map, "value", "yes")?,
            AnswerValue::No => tx.put(&map, "value", "no")?,
            AnswerValue::Choice(v) | AnswerValue::Text(v) => tx.put(&map, "value", v.as_str())?,
            AnswerValue::Choices(vs) => {
                let list = tx.put_object(&map, "value", ObjType::List)?;
                for (i, v) in vs.iter().enumerate() {
                    tx.insert(&list, i, v.as_str())?;
                }
            }
            AnswerValue::Number(n) => tx.put(&map, "value", *n)?,
            AnswerValue::Date(d) => tx.put(&map, "value", d.to_string())?,
            AnswerValue::Photo => tx.put(&map, "value", "photo")?,
            AnswerValue::Signature(hash) => tx.put(&map, "value", hash.as_str())?,
        },
    }
    tx.put(&map, "note", answer.note.as_str())?;
    let photos = tx.put_object(&map, "photos", ObjType::List)?;
    for (i, photo) in answer.photos.iter().enumerate() {
        tx.insert(&photos, i, photo.as_str())?;
    }
    write_person(tx, &map, &answer.by)?;
    tx.put(&map, "at", answer.at_ms)?;
    Ok(())
}

/// Every answer under the `answers` map `answers`, checked against `template`'s
/// items; with the keys whose answers cannot be read or do not fit their item.
pub(super) fn read_all(
    doc: &Automerge,
    answers: &ObjId,
    template: &Template,
) -> (BTreeMap<ItemId, Contested<Answer>>, Vec<String>) {
    let mut read = BTreeMap::new();
    let mut unreadable = Vec::new();
    for key in doc.keys(answers) {
        let item = key
            .parse::<ItemId>()
            .ok()
            .and_then(|id| template.item(&id).map(|item| (id, item)));
        let values = doc.get_all(answers, key.as_str()).unwrap_or_default();
        let maps: Vec<&ObjId> = values
            .iter()
            .filter_map(|(value, obj)| matches!(value, Value::Object(ObjType::Map)).then_some(obj))
            .collect();
        let mut photos = Vec::new();
        for map in &maps {
            add_new(&mut photos, Node::at(doc, (*map).clone()).texts("photos"));
        }
        add_new(&mut photos, shared_photos(doc, &key));
        // get_all lists values in op order; the winner `get` shows is the last one.
        let parsed: Vec<Answer> = match &item {
            Some((_, item)) => maps
                .iter()
                .rev()
                .filter_map(|obj| read_one(doc, obj, item, &photos))
                .collect(),
            None => Vec::new(),
        };
        let (Some((id, _)), Some(contested)) = (item, contested(parsed)) else {
            unreadable.push(key);
            continue;
        };
        read.insert(id, contested);
    }
    (read, unreadable)
}

/// The winner first; others that say something different (the same response,
/// note and photos from two people is no conflict).
fn contested(parsed: Vec<Answer>) -> Option<Contested<Answer>> {
    let mut all = parsed.into_iter();
    let value = all.next()?;
    let same = |a: &Answer, b: &Answer| {
        a.response == b.response && a.note == b.note && a.photos == b.photos
    };
    let mut others: Vec<Answer> = Vec::new();
    for answer in all {
        if !same(&answer, &value) && !others.iter().any(|o| same(o, &answer)) {
            others.push(answer);
        }
    }
    Some(Contested { value, others })
}

/// Appends to `into` the readable hashes of `texts` it does not hold yet.
fn add_new(into: &mut Vec<BlobHash>, texts: Vec<String>) {
    for hash in texts.iter().filter_map(|t| t.parse::<BlobHash>().ok()) {
        if !into.contains(&hash) {
            into.push(hash);
        }
    }
}

/// Every hash in every list under `item` in every root `photos` map.
fn shared_photos(doc: &impl ReadDoc, item: &str) -> Vec<String> {
    let lists = doc
        .get_all(ROOT, PHOTOS)
        .unwrap_or_default()
        .into_iter()
        .filter(|(value, _)| matches!(value, Value::Object(ObjType::Map)))
        .flat_map(|(_, map)| doc.get_all(&map, item).unwrap_or_default())
        .filter(|(value, _)| matches!(value, Value::Object(ObjType::List)));
    let mut texts = Vec::new();
    for (_, list) in lists {
        texts.extend(
            doc.list_range(&list, ..)
                .filter_map(|entry| Value::from(entry.value).as_str().map(str::to_owned)),
        );
    }
    texts
}

/// Appends to `item`'s list under the root `photos` map those of `photos` the
/// document does not already keep for it, creating the map or the list where
/// this document has none yet.
pub(super) fn keep_photos(
    tx: &mut impl Transactable,
    item: &ItemId,
    photos: &[BlobHash],
) -> Result<(), AutomergeError> {
    let kept = shared_photos(tx, item.as_str());
    let new: Vec<&BlobHash> = photos
        .iter()
        .filter(|p| !kept.iter().any(|k| k == p.as_str()))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    let map = match tx.get(ROOT, PHOTOS)? {
        Some((Value::Object(ObjType::Map), map)) => map,
        _ => tx.put_object(ROOT, PHOTOS, ObjType::Map)?,
    };
    let list = match tx.get(&map, item.as_str())? {
        Some((Value::Object(ObjType::List), list)) => list,
        _ => tx.put_object(&map, item.as_str(), ObjType::List)?,
    };
    for (index, photo) in (tx.length(&list)..).zip(new) {
        tx.insert(&list, index, photo.as_str())?;
    }
    Ok(())
}

fn read_one(doc: &Automerge, obj: &ObjId, item: &Item, photos: &[BlobHash]) -> Option<Answer> {
    let node = Node::at(doc, obj.clone());
    let response = match node.boolean("na") {
        Some(true) => Response::NotApplicable,
        _ => Response::Given(read_value(&node, item)?),
    };
    let answer = Answer {
        response,
        note: node.text("note").unwrap_or_default(),
        photos: photos.to_vec(),
        by: read_person(&node)?,
        at_ms: node.int("at")?,
    };
    answer.check(item).ok().map(|()| answer)
}

fn read_value(node: &Node<'_>, item: &Item) -> Option<AnswerValue> {
    let text = || node.text("value");
    Some(match item.kind() {
        ItemKind::YesNo { .. } => match text()?.as_str() {
            "yes" => AnswerValue::Yes,
            "no" => AnswerValue::No,
            _ => return None,
        },
        ItemKind::SingleChoice(_) => AnswerValue::Choice(text()?),
        ItemKind::MultipleChoice(_) => {
            node.object("value", ObjType::List)?;
            AnswerValue::Choices(node.texts("value"))
        }
        ItemKind::Number(_) => AnswerValue::Number(node.float("value")?),
        ItemKind::Text => AnswerValue::Text(text()?),
        ItemKind::Date => AnswerValue::Date(text()?.parse().ok()?),
        ItemKind::Photo => AnswerValue::Photo,
        ItemKind::Signature => AnswerValue::Signature(text()?.parse().ok()?),
        ItemKind::Instruction => return None,
    })
}
