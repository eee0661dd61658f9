//! The stored form of an incident's customer signatures: the append-only
//! `signatures` list (see `appendable.rs` for how concurrent first lists merge).
//!
//! ```text
//! signatures: [ { blob, signer, at, device, heads: [change hash (hex), …] } ]
//! ```
//! `blob` is the SHA-256 of the PNG the customer drew; `heads` are the
//! document's heads when they signed. An item without a valid hash, signer,
//! time or heads is left out: a signature that cannot say what it covers is no
//! signature.

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ChangeHash, ObjId, ObjType, ReadDoc, Value};

use super::appendable::{self, scalar, text};
use super::as_i64;
use crate::model::signature::Signature;

pub(super) const KEY: &str = "signatures";

/// Appends `signature` at `index` of `list`.
pub(super) fn write(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    signature: &Signature,
) -> Result<(), AutomergeError> {
    let map = tx.insert_object(list, index, ObjType::Map)?;
    tx.put(&map, "blob", signature.blob.as_str())?;
    tx.put(&map, "signer", signature.signer.as_str())?;
    tx.put(&map, "at", signature.at_ms)?;
    tx.put(&map, "device", signature.device.as_str())?;
    let heads = tx.put_object(&map, "heads", ObjType::List)?;
    for (i, head) in signature.heads.iter().enumerate() {
        tx.insert(&heads, i, head.as_str())?;
    }
    Ok(())
}

/// Every readable signature of every concurrent `signatures` list, oldest first
/// (by device time, then list order).
pub(super) fn read_all(doc: &Automerge) -> Vec<Signature> {
    appendable::read_all(doc, KEY, read_one, |s| s.at_ms)
}

/// The heads a signature covers, as change hashes.
pub(super) fn heads_of(signature: &Signature) -> Option<Vec<ChangeHash>> {
    signature.heads.iter().map(|h| h.parse().ok()).collect()
}

fn read_one(doc: &Automerge, map: &ObjId) -> Option<Signature> {
    let list = match doc.get(map, "heads").ok().flatten()? {
        (Value::Object(ObjType::List), id) => id,
        _ => return None,
    };
    let heads: Vec<String> = doc
        .list_range(&list, ..)
        .map(|item| item.value.into_value().as_str().map(str::to_owned))
        .collect::<Option<_>>()?;
    let signature = Signature {
        blob: text(doc, map, "blob")?.parse().ok()?,
        signer: text(doc, map, "signer").filter(|s| !s.trim().is_empty())?,
        at_ms: scalar(doc, map, "at").and_then(|v| as_i64(&v))?,
        device: text(doc, map, "device").unwrap_or_default(),
        heads,
    };
    let parsed = heads_of(&signature)?;
    (!parsed.is_empty()).then_some(signature)
}
