//! The catalog: one document per site listing the ids and kinds of that site's
//! records. Adding a record is a map insert under a fresh key, so concurrent
//! additions from offline devices merge without conflict.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, ROOT};

use super::{check_header, ReadError, Stamp, SCHEMA_VERSION};
use crate::ids::DocumentId;

const KIND: &str = "catalog";

/// One record the catalog lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: DocumentId,
    /// The record's kind, such as `incident`.
    pub kind: String,
}

/// Writes a new, empty catalog for `site` into an empty document.
///
/// Only the server creates catalogs (one per site, with demo data or when a site
/// is added), so two devices never race to create the same one.
pub fn create(
    doc: &mut Automerge,
    site: &str,
    stamp: Stamp,
) -> Result<(), automerge::AutomergeError> {
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("create catalog"),
        |tx| {
            tx.put(ROOT, "kind", KIND)?;
            tx.put(ROOT, "schema", SCHEMA_VERSION)?;
            tx.put(ROOT, "site", site)?;
            tx.put_object(ROOT, "records", ObjType::Map)?;
            Ok(())
        },
    )
    .map(|_| ())
    .map_err(|failure| failure.error)
}

/// Lists the catalog's records, in id order. Keys that are not document ids are skipped.
pub fn entries(doc: &Automerge) -> Result<Vec<Entry>, ReadError> {
    check_header(doc, KIND)?;
    let records = records_obj(doc)?;
    Ok(doc
        .keys(&records)
        .filter_map(|key| {
            let id = key.parse::<DocumentId>().ok()?;
            let (_, entry) = doc.get(&records, key.as_str()).ok().flatten()?;
            let kind = doc
                .get(&entry, "kind")
                .ok()
                .flatten()?
                .0
                .as_str()?
                .to_owned();
            Some(Entry { id, kind })
        })
        .collect())
}

/// The site the catalog belongs to.
pub fn site(doc: &Automerge) -> Result<String, ReadError> {
    check_header(doc, KIND)?;
    doc.get(ROOT, "site")
        .ok()
        .flatten()
        .and_then(|(v, _)| v.as_str().map(str::to_owned))
        .ok_or(ReadError::BadField("site"))
}

/// Adds a record to the catalog. Adding one that is already listed changes nothing.
pub fn add(doc: &mut Automerge, entry: &Entry, stamp: Stamp) -> Result<(), ReadError> {
    let records = records_obj(doc)?;
    let key = entry.id.to_string();
    if doc.get(&records, key.as_str()).ok().flatten().is_some() {
        return Ok(());
    }
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options("add record"),
        |tx| {
            let obj = tx.put_object(&records, key.as_str(), ObjType::Map)?;
            tx.put(&obj, "kind", entry.kind.as_str())?;
            tx.put(&obj, "addedAt", stamp.at_ms)?;
            Ok(())
        },
    )
    .map(|_| ())
    .map_err(|_| ReadError::BadField("records"))
}

fn records_obj(doc: &Automerge) -> Result<automerge::ObjId, ReadError> {
    match doc.get(ROOT, "records") {
        Ok(Some((automerge::Value::Object(ObjType::Map), id))) => Ok(id),
        _ => Err(ReadError::BadField("records")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> DocumentId {
        DocumentId::from_bytes([n; 16])
    }

    #[test]
    fn concurrent_additions_from_two_devices_both_survive_the_merge() {
        let mut server = Automerge::new();
        create(&mut server, "north", Stamp::at(0)).expect("create");
        let mut a = server.fork();
        let mut b = server.fork();
        add(
            &mut a,
            &Entry {
                id: id(1),
                kind: "incident".into(),
            },
            Stamp::at(1),
        )
        .expect("add");
        add(
            &mut b,
            &Entry {
                id: id(2),
                kind: "incident".into(),
            },
            Stamp::at(2),
        )
        .expect("add");
        a.merge(&mut b).expect("merge");
        let ids: Vec<_> = entries(&a)
            .expect("entries")
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&id(1)) && ids.contains(&id(2)));
        assert_eq!(site(&a).as_deref(), Ok("north"));
    }

    #[test]
    fn adding_twice_writes_nothing_the_second_time() {
        let mut doc = Automerge::new();
        create(&mut doc, "north", Stamp::at(0)).expect("create");
        let entry = Entry {
            id: id(3),
            kind: "incident".into(),
        };
        add(&mut doc, &entry, Stamp::at(1)).expect("add");
        let heads = doc.get_heads();
        add(&mut doc, &entry, Stamp::at(2)).expect("add again");
        assert_eq!(doc.get_heads(), heads);
    }

    #[test]
    fn an_incident_is_not_a_catalog() {
        let mut doc = Automerge::new();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(ROOT, "kind", "incident")?;
            tx.put(ROOT, "schema", 1u64)
        })
        .expect("write");
        assert!(matches!(entries(&doc), Err(ReadError::WrongKind { .. })));
        assert_eq!(entries(&Automerge::new()), Err(ReadError::Empty));
    }
}
