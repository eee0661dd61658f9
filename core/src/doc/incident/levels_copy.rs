//! The incident's copy of the service levels it was logged under:
//! `serviceLevels`, written once, by [`create_under`](super::create_under), in
//! the change that creates the incident, and never again. The server reads the
//! copy when an incident arrives (it must be one an administrator published, or
//! the standard) and refuses any later change to it ([`levels_copy_changed`]).

use automerge::{hydrate, Automerge, ChangeHash, ObjType, ReadDoc, Value, ROOT};

use super::LEVELS_KEY;
use crate::doc::{service_levels, ReadError};
use crate::model::service_levels::ServiceLevels;

/// The incident's copy as every device reads it; `None` if the document has
/// none or its copy does not read as a version (either way the incident counts
/// on the standard, `ServiceLevels::standard`).
pub fn levels_copy(doc: &Automerge) -> Option<ServiceLevels> {
    match doc.get(ROOT, LEVELS_KEY) {
        Ok(Some((Value::Object(ObjType::Map), id))) => service_levels::read_levels(doc, &id),
        _ => None,
    }
}

/// Whether the copy now differs from the copy at `heads`: written where there
/// was none, removed, replaced, or any value in it changed. It compares what is
/// stored, not only what reads, and costs a read of the copy at both points
/// (the rest of the document is not read). Empty `heads` are a document before
/// its first change, which held no copy.
pub fn levels_copy_changed(doc: &Automerge, heads: &[ChangeHash]) -> Result<bool, ReadError> {
    if heads.is_empty() {
        return Ok(stored_copy(doc, None).is_some());
    }
    if !doc.get_missing_deps(heads).is_empty() {
        return Err(ReadError::UnknownHeads);
    }
    Ok(stored_copy(doc, Some(heads)) != stored_copy(doc, None))
}

/// The value at `serviceLevels` (the one every device reads when writes
/// conflict), whole, at `heads` or now.
fn stored_copy(doc: &Automerge, heads: Option<&[ChangeHash]>) -> Option<hydrate::Value> {
    let found = match heads {
        Some(heads) => doc.get_at(ROOT, LEVELS_KEY, heads),
        None => doc.get(ROOT, LEVELS_KEY),
    };
    match found.ok().flatten()? {
        (Value::Object(_), id) => ReadDoc::hydrate(doc, &id, heads).ok(),
        (Value::Scalar(value), _) => Some(hydrate::Value::Scalar(value.into_owned())),
    }
}
