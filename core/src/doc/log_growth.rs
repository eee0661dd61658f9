//! What a change did to a record's `events` list: the log of every record kind
//! only grows, so a change may add event maps but never alter, replace or
//! remove one that was there. The server reads this before it stores a change
//! whose new events it checks (an approval, a verification): an event is new
//! when its map is new, whatever `id` text the device gave it.

use std::collections::BTreeSet;

use automerge::{Automerge, ChangeHash, ObjId, ObjType, ReadDoc, Value, ROOT};

use super::ReadError;

/// How the log at `heads` became the log now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Growth {
    /// Only appended: the maps of the new events, in list order.
    Appended(Vec<ObjId>),
    /// An event that was there was changed, replaced or removed, or the whole
    /// list was replaced.
    Rewritten,
}

/// Compares the document's `events` list at `heads` with now.
pub fn events_growth(doc: &Automerge, heads: &[ChangeHash]) -> Result<Growth, ReadError> {
    let Some(list) = events_list(doc, None) else {
        return Ok(Growth::Appended(Vec::new()));
    };
    let now: Vec<ObjId> = doc.list_range(&list, ..).map(|item| item.id()).collect();
    if heads.is_empty() {
        return Ok(Growth::Appended(now));
    }
    if !doc.get_missing_deps(heads).is_empty() {
        return Err(ReadError::UnknownHeads);
    }
    let before: BTreeSet<ObjId> = match events_list(doc, Some(heads)) {
        None => BTreeSet::new(),
        Some(old) if old != list => return Ok(Growth::Rewritten),
        Some(old) => doc
            .list_range_at(&old, .., heads)
            .map(|item| item.id())
            .collect(),
    };
    if before.iter().any(|id| !now.contains(id)) {
        return Ok(Growth::Rewritten);
    }
    let touched = doc.diff(heads, &doc.get_heads()).into_iter().any(|patch| {
        before.contains(&patch.obj) || patch.path.iter().any(|(obj, _)| before.contains(obj))
    });
    if touched {
        return Ok(Growth::Rewritten);
    }
    Ok(Growth::Appended(
        now.into_iter().filter(|id| !before.contains(id)).collect(),
    ))
}

fn events_list(doc: &Automerge, heads: Option<&[ChangeHash]>) -> Option<ObjId> {
    let found = match heads {
        Some(heads) => doc.get_at(ROOT, "events", heads),
        None => doc.get(ROOT, "events"),
    };
    match found {
        Ok(Some((Value::Object(ObjType::List), id))) => Some(id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, Automerge, ObjType, ReadDoc, ROOT};

    use super::{events_growth, Growth};

    /// A document whose log holds one event with id `first`.
    fn logged() -> Automerge {
        let mut doc = Automerge::new().with_actor(ActorId::from([1; 16]));
        let mut tx = doc.transaction();
        let list = tx.put_object(ROOT, "events", ObjType::List).unwrap();
        let event = tx.insert_object(&list, 0, ObjType::Map).unwrap();
        tx.put(&event, "id", "first").unwrap();
        tx.put(&event, "type", "created").unwrap();
        tx.commit();
        doc
    }

    fn list(doc: &Automerge) -> automerge::ObjId {
        doc.get(ROOT, "events").unwrap().unwrap().1
    }

    #[test]
    fn a_new_event_is_new_by_its_map_even_with_an_old_id() {
        let mut doc = logged();
        let heads = doc.get_heads();
        let events = list(&doc);
        let mut tx = doc.transaction();
        let event = tx.insert_object(&events, 1, ObjType::Map).unwrap();
        tx.put(&event, "id", "first").unwrap();
        tx.put(&event, "type", "verified").unwrap();
        tx.commit();
        assert_eq!(
            events_growth(&doc, &heads),
            Ok(Growth::Appended(vec![event]))
        );
        let now = doc.get_heads();
        assert_eq!(events_growth(&doc, &now), Ok(Growth::Appended(Vec::new())));
    }

    #[test]
    fn changing_removing_or_replacing_an_event_is_a_rewrite() {
        let base = logged();
        let heads = base.get_heads();
        let first = base.get(list(&base), 0).unwrap().unwrap().1;

        let mut edited = base.fork();
        let mut tx = edited.transaction();
        tx.put(&first, "type", "verified").unwrap();
        tx.commit();
        assert_eq!(events_growth(&edited, &heads), Ok(Growth::Rewritten));

        let mut removed = base.fork();
        let events = list(&removed);
        let mut tx = removed.transaction();
        tx.delete(&events, 0).unwrap();
        tx.commit();
        assert_eq!(events_growth(&removed, &heads), Ok(Growth::Rewritten));

        let mut replaced = base.fork();
        let mut tx = replaced.transaction();
        tx.put_object(ROOT, "events", ObjType::List).unwrap();
        tx.commit();
        assert_eq!(events_growth(&replaced, &heads), Ok(Growth::Rewritten));

        // Anything else in the document is not the log's business.
        let mut elsewhere = base.fork();
        let mut tx = elsewhere.transaction();
        tx.put(ROOT, "title", "Renamed").unwrap();
        tx.commit();
        assert_eq!(
            events_growth(&elsewhere, &heads),
            Ok(Growth::Appended(Vec::new()))
        );
    }
}
