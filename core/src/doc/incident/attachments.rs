//! The stored form of an incident's photos: the append-only `attachments` list.
//!
//! ```text
//! attachments: [ { type: "photo", blob, caption, at, device } ]
//! ```
//! `blob` is the SHA-256 of the photo's bytes (the bytes live outside the
//! document). New incidents are created with the list; an incident created
//! before it existed gets it with its first attachment, and if two devices do
//! that apart, Automerge keeps both lists as concurrent values of the field:
//! reading takes the items of every one, so no photo is hidden by the merge.
//! Items that cannot be read (no valid hash) are left out.

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjId, ObjType, ReadDoc, Value, ROOT};

use super::as_i64;
use crate::model::evidence::Attachment;

pub(super) const KEY: &str = "attachments";

/// The list a new attachment goes into: the field's current winner, or a new one.
pub(super) fn list_for_append(
    tx: &mut impl Transactable,
    existing: Option<ObjId>,
) -> Result<ObjId, AutomergeError> {
    match existing {
        Some(list) => Ok(list),
        None => tx.put_object(ROOT, KEY, ObjType::List),
    }
}

/// The winning `attachments` list, if the document has one.
pub(super) fn winning_list(doc: &Automerge) -> Option<ObjId> {
    match doc.get(ROOT, KEY) {
        Ok(Some((Value::Object(ObjType::List), id))) => Some(id),
        _ => None,
    }
}

/// Appends `attachment` at `index` of `list`.
pub(super) fn write(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    attachment: &Attachment,
) -> Result<(), AutomergeError> {
    let map = tx.insert_object(list, index, ObjType::Map)?;
    tx.put(&map, "type", "photo")?;
    tx.put(&map, "blob", attachment.blob.as_str())?;
    tx.put(&map, "caption", attachment.caption.as_str())?;
    tx.put(&map, "at", attachment.at_ms)?;
    tx.put(&map, "device", attachment.device.as_str())?;
    Ok(())
}

/// Every readable attachment of every concurrent `attachments` list, oldest first
/// (by device time, then list order).
pub(super) fn read_all(doc: &Automerge) -> Vec<Attachment> {
    let lists = doc.get_all(ROOT, KEY).unwrap_or_default();
    let mut all: Vec<Attachment> = lists
        .into_iter()
        .filter_map(|(value, id)| matches!(value, Value::Object(ObjType::List)).then_some(id))
        .flat_map(|list| {
            doc.list_range(&list, ..)
                .filter_map(|item| {
                    let id = item.id();
                    matches!(item.value.into_value(), Value::Object(ObjType::Map)).then_some(id)
                })
                .filter_map(|map| read_one(doc, &map))
                .collect::<Vec<_>>()
        })
        .collect();
    all.sort_by_key(|a| a.at_ms);
    all
}

fn read_one(doc: &Automerge, map: &ObjId) -> Option<Attachment> {
    let scalar = |key: &str| match doc.get(map, key).ok().flatten()? {
        (Value::Scalar(s), _) => Some(s.into_owned()),
        _ => None,
    };
    let text = |key: &str| scalar(key).and_then(|v| v.as_str().map(str::to_owned));
    if text("type").as_deref() != Some("photo") {
        return None;
    }
    Some(Attachment {
        blob: text("blob")?.parse().ok()?,
        caption: text("caption").unwrap_or_default(),
        at_ms: scalar("at").and_then(|v| as_i64(&v))?,
        device: text("device").unwrap_or_default(),
    })
}
