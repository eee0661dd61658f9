//! Append-only lists at the incident's root (`attachments`, `signatures`).
//!
//! New incidents are created with each list; an incident created before a list
//! existed gets it with its first item, and if two devices do that apart,
//! Automerge keeps both lists as concurrent values of the field: reading takes
//! the items of every one, so nothing is hidden by the merge.

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjId, ObjType, ReadDoc, Value, ROOT};

/// The list a new item goes into: the field's current winner, or a new one.
pub(super) fn list_for_append(
    tx: &mut impl Transactable,
    key: &str,
    existing: Option<ObjId>,
) -> Result<ObjId, AutomergeError> {
    match existing {
        Some(list) => Ok(list),
        None => tx.put_object(ROOT, key, ObjType::List),
    }
}

/// The winning list at `key`, if the document has one.
pub(super) fn winning_list(doc: &Automerge, key: &str) -> Option<ObjId> {
    match doc.get(ROOT, key) {
        Ok(Some((Value::Object(ObjType::List), id))) => Some(id),
        _ => None,
    }
}

/// The maps in every concurrent list at `key`, list by list.
fn maps(doc: &Automerge, key: &str) -> Vec<ObjId> {
    doc.get_all(ROOT, key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(value, id)| matches!(value, Value::Object(ObjType::List)).then_some(id))
        .flat_map(|list| {
            doc.list_range(&list, ..)
                .filter_map(|item| {
                    let id = item.id();
                    matches!(item.value.into_value(), Value::Object(ObjType::Map)).then_some(id)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every item of every concurrent list at `key` that `read` can read, oldest
/// first (by `at`, device time, then list order).
pub(super) fn read_all<T>(
    doc: &Automerge,
    key: &str,
    read: impl Fn(&Automerge, &ObjId) -> Option<T>,
    at: impl Fn(&T) -> i64,
) -> Vec<T> {
    let mut all: Vec<T> = maps(doc, key)
        .iter()
        .filter_map(|map| read(doc, map))
        .collect();
    all.sort_by_key(at);
    all
}

/// A scalar field of an item map.
pub(super) fn scalar(doc: &Automerge, map: &ObjId, key: &str) -> Option<automerge::ScalarValue> {
    match doc.get(map, key).ok().flatten()? {
        (Value::Scalar(s), _) => Some(s.into_owned()),
        _ => None,
    }
}

/// A text field of an item map.
pub(super) fn text(doc: &Automerge, map: &ObjId, key: &str) -> Option<String> {
    scalar(doc, map, key).and_then(|v| v.as_str().map(str::to_owned))
}
