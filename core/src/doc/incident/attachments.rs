//! The stored form of an incident's photos: the append-only `attachments` list
//! (see `appendable.rs` for how concurrent first lists merge).
//!
//! ```text
//! attachments: [ { type: "photo", blob, caption, at, device } ]
//! ```
//! `blob` is the SHA-256 of the photo's bytes (the bytes live outside the
//! document). Items that cannot be read (no valid hash) are left out.

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjId, ObjType};

use super::appendable::{self, scalar, text};
use super::as_i64;
use crate::model::evidence::Attachment;

pub(super) const KEY: &str = "attachments";

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
    appendable::read_all(doc, KEY, read_one, |a| a.at_ms)
}

fn read_one(doc: &Automerge, map: &ObjId) -> Option<Attachment> {
    if text(doc, map, "type").as_deref() != Some("photo") {
        return None;
    }
    Some(Attachment {
        blob: text(doc, map, "blob")?.parse().ok()?,
        caption: text(doc, map, "caption").unwrap_or_default(),
        at_ms: scalar(doc, map, "at").and_then(|v| as_i64(&v))?,
        device: text(doc, map, "device").unwrap_or_default(),
    })
}
