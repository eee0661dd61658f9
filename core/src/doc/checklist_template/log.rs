//! The stored form of a checklist log entry, shared by template and run
//! documents: one map in the `events` list.
//!
//! ```text
//! { id, type, at, device, by (user id), byName, byRole, …fields of the type }
//! ```
//! The person is stored by user id (what guards compare) with the name and
//! role as they were then (what history shows). Entries without an id, type,
//! time or device cannot be told apart and are skipped; an entry whose person
//! cannot be read keeps `by: None`.

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjId, ObjType};

use super::body::Node;
use crate::model::access::Person;
use crate::model::checklist::logged::Logged;

/// Inserts the common fields of `entry` as a map at `index` of `list`, with
/// `type_name` as its type, and returns the map for the type's own fields.
pub(crate) fn write_entry<K>(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    entry: &Logged<K>,
    type_name: &str,
) -> Result<ObjId, AutomergeError> {
    let map = tx.insert_object(list, index, ObjType::Map)?;
    tx.put(&map, "id", entry.id.as_str())?;
    tx.put(&map, "type", type_name)?;
    tx.put(&map, "at", entry.at_ms)?;
    tx.put(&map, "device", entry.device.as_str())?;
    if let Some(person) = &entry.by {
        write_person(tx, &map, person)?;
    }
    Ok(map)
}

/// Writes `by`, `byName` and `byRole` into `map`.
pub(crate) fn write_person(
    tx: &mut impl Transactable,
    map: &ObjId,
    person: &Person,
) -> Result<(), AutomergeError> {
    tx.put(map, "by", person.user_id.as_str())?;
    tx.put(map, "byName", person.name.as_str())?;
    tx.put(map, "byRole", person.role.as_str())
}

/// The person stored by [`write_person`], if readable.
pub(crate) fn read_person(node: &Node<'_>) -> Option<Person> {
    Some(Person {
        user_id: node.text("by")?,
        name: node.text("byName").unwrap_or_default(),
        role: node.text("byRole")?.parse().ok()?,
    })
}

/// Reads every entry of the `events` list of `doc`'s map `obj`, in list order,
/// with `kind` making each entry's kind from its type name and map.
pub(crate) fn read_entries<K>(
    doc: &Automerge,
    obj: ObjId,
    kind: impl Fn(&str, &Node<'_>) -> K,
) -> Vec<Logged<K>> {
    Node::at(doc, obj)
        .maps("events")
        .iter()
        .filter_map(|node| {
            let type_name = node.text("type")?;
            Some(Logged {
                id: node.text("id")?,
                at_ms: node.int("at")?,
                device: node.text("device")?,
                by: read_person(node),
                kind: kind(&type_name, node),
            })
        })
        .collect()
}
