//! A document's history: every change, from Automerge's change metadata, and
//! the heads of any point in it, so a record can be read as it was then (for
//! an incident, `incident::read_at`).
//!
//! The list is in causal order (a change after every change it depends on), so
//! each prefix of it is a version of the document that existed on some device
//! or could exist after a merge: "as at" a change means with that change and
//! every change listed before it.

use automerge::{Automerge, ChangeHash};

/// One change to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub hash: ChangeHash,
    /// The actor (hex) of the device that made it.
    pub device: String,
    /// Device time of the change, in seconds (Automerge change metadata); 0 if
    /// the writer recorded none.
    pub device_time_s: i64,
    /// What the change did, as the writer described it.
    pub message: Option<String>,
    /// The changes it was made on top of.
    pub deps: Vec<ChangeHash>,
}

/// Every change of `doc`, oldest first, in causal order.
pub fn changes(doc: &Automerge) -> Vec<Change> {
    doc.get_changes_meta(&[])
        .into_iter()
        .map(|c| Change {
            hash: c.hash,
            device: c.actor.to_hex_string(),
            device_time_s: c.timestamp,
            message: c.message.map(|m| m.into_owned()),
            deps: c.deps,
        })
        .collect()
}

/// The heads of the document as at `hash`: with that change and every change
/// listed before it in `changes` (as [`changes`] returns them). `None` if
/// `hash` is not among them.
pub fn heads_through(changes: &[Change], hash: &ChangeHash) -> Option<Vec<ChangeHash>> {
    let end = changes.iter().position(|c| c.hash == *hash)?;
    let prefix = &changes[..=end];
    let mut heads: Vec<ChangeHash> = prefix
        .iter()
        .map(|c| c.hash)
        .filter(|h| !prefix.iter().any(|c| c.deps.contains(h)))
        .collect();
    heads.sort_unstable();
    Some(heads)
}
