//! The Automerge form of each record: how it is created, read (hydrated into a
//! domain type) and changed. Only this module knows key names and object shapes.

pub mod audit;
pub mod catalog;
pub mod checklist_run;
pub mod checklist_template;
pub mod corrective_action;
pub mod draft;
mod fields;
pub mod finding;
pub mod history;
pub mod incident;
pub mod log_growth;
pub mod service_levels;
pub mod transfer;

use automerge::{ReadDoc, ROOT};

/// The schema version written into every document this build creates. Written as
/// a signed integer: JavaScript Automerge reads unsigned ones as BigInt, which
/// breaks `JSON.stringify` in tools that read our documents.
pub const SCHEMA_VERSION: i64 = 1;

/// When and by whom a change is made: the device clock read once per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Device time, milliseconds since the Unix epoch.
    pub at_ms: i64,
}

impl Stamp {
    pub fn at(at_ms: i64) -> Stamp {
        Stamp { at_ms }
    }

    /// Automerge change metadata carries seconds.
    pub(crate) fn commit_options(&self, message: &str) -> automerge::transaction::CommitOptions {
        automerge::transaction::CommitOptions::default()
            .with_time(self.at_ms.div_euclid(1000))
            .with_message(message.to_owned())
    }
}

/// Why a document cannot be read as the record it claims to be.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the document is empty")]
    Empty,
    #[error("the document is a {found}, not a {expected}")]
    WrongKind {
        expected: &'static str,
        found: String,
    },
    #[error("the document's schema version {0} is newer than this app understands")]
    NewerSchema(i64),
    #[error("field `{0}` is missing or malformed")]
    BadField(&'static str),
    #[error("the document has no changes with those heads")]
    UnknownHeads,
}

/// What kind of record a document holds, from its `kind` field.
pub fn kind_of(doc: &automerge::Automerge) -> Option<String> {
    doc.get(ROOT, "kind")
        .ok()
        .flatten()
        .and_then(|(v, _)| v.as_str().map(str::to_owned))
}

/// [`kind_of`] the document as it was at `heads`.
pub fn kind_at(doc: &automerge::Automerge, heads: &[automerge::ChangeHash]) -> Option<String> {
    doc.get_at(ROOT, "kind", heads)
        .ok()
        .flatten()
        .and_then(|(v, _)| v.as_str().map(str::to_owned))
}

/// Checks the `kind` and `schema` fields common to every record document.
pub(crate) fn check_header(
    doc: &automerge::Automerge,
    expected: &'static str,
) -> Result<(), ReadError> {
    if doc.get_heads().is_empty() {
        return Err(ReadError::Empty);
    }
    match kind_of(doc) {
        Some(k) if k == expected => {}
        Some(found) => return Err(ReadError::WrongKind { expected, found }),
        None => return Err(ReadError::BadField("kind")),
    }
    let schema = doc
        .get(ROOT, "schema")
        .ok()
        .flatten()
        .and_then(|(v, _)| v.as_scalar().and_then(whole_number))
        .ok_or(ReadError::BadField("schema"))?;
    if schema > SCHEMA_VERSION {
        return Err(ReadError::NewerSchema(schema));
    }
    Ok(())
}

/// A whole number however it was stored: a signed or unsigned integer, or a float
/// with no fraction (a JavaScript number written without a type).
pub(crate) fn whole_number(v: &automerge::ScalarValue) -> Option<i64> {
    use automerge::ScalarValue;
    match v {
        ScalarValue::Int(n) => Some(*n),
        ScalarValue::Uint(n) => i64::try_from(*n).ok(),
        ScalarValue::F64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        _ => None,
    }
}
