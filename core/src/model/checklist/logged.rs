//! One entry of a checklist record's append-only log (a template's publication
//! log or a run's lifecycle log), and the order every device evaluates it in.
//!
//! Like the incident's log (`model::event`), entries from offline devices meet
//! in an Automerge list whose order depends on the merge, so evaluation sorts
//! by device time, then device, then id. Unlike the incident's, each entry also
//! names the person behind it: a run's history must show who submitted and who
//! approved, not only which tablet.

use std::cmp::Ordering;

use crate::model::access::Person;

/// One log entry of kind `K`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged<K> {
    /// Unique within the record (the device's actor, the log length and the time).
    pub id: String,
    pub kind: K,
    /// Device time, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The Automerge actor (device) that appended it.
    pub device: String,
    /// Who did it; `None` only when a stored entry's person cannot be read.
    pub by: Option<Person>,
}

impl<K: Ord> Logged<K> {
    /// The evaluation order: device time, then device, then id (then kind, so
    /// that even malformed duplicates sort the same everywhere).
    pub fn evaluation_order(&self, other: &Logged<K>) -> Ordering {
        (self.at_ms, &self.device, &self.id, &self.kind).cmp(&(
            other.at_ms,
            &other.device,
            &other.id,
            &other.kind,
        ))
    }
}

/// The entries, sorted into the order every device evaluates them in.
pub fn in_evaluation_order<K: Ord + Clone>(entries: &[Logged<K>]) -> Vec<Logged<K>> {
    let mut sorted = entries.to_vec();
    sorted.sort_by(Logged::evaluation_order);
    sorted
}

/// The time for a new entry made at `now_ms` on a log: never before the latest
/// entry the device has seen, so a reaction sorts after what it reacts to even
/// when device clocks disagree (as `model::action::apply` does for incidents).
pub fn next_stamp<K>(entries: &[Logged<K>], now_ms: i64) -> i64 {
    match entries.iter().map(|e| e.at_ms).max() {
        Some(latest) => now_ms.max(latest.saturating_add(1)),
        None => now_ms,
    }
}

/// A new entry's id: the device, the log's length and the time.
pub fn entry_id<K>(entries: &[Logged<K>], device: &str, at_ms: i64) -> String {
    format!("{device}-{}-{at_ms}", entries.len())
}
