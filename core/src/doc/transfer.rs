//! What moving a record to another Fieldbook needs to know of its document:
//! the pictures it names, and the site it says it belongs to.
//!
//! Pictures are named by their SHA-256 wherever a record keeps them (an
//! incident's attachments and signatures, a run answer's photos or signature,
//! a submitted run's signature, evidence of findings and corrective actions), so
//! [`blobs_named`] reads every text value of the document that is a SHA-256,
//! whatever its place. The one other kind of 64-digit hex a document holds is a
//! change hash, kept only in `heads` lists (the version a signature covers):
//! those are skipped.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, Prop, ReadDoc, Value, ROOT};

use super::fields::ChangeError;
use super::{audit, kind_of, Stamp};
use crate::model::access::RecordKind;
use crate::model::evidence::BlobHash;

/// Every picture `doc` names, including in values concurrent edits left side
/// by side, each once, in order.
pub fn blobs_named(doc: &Automerge) -> Vec<BlobHash> {
    let mut found = std::collections::BTreeSet::new();
    // An explicit stack: a document from a file may nest deeply.
    let mut stack: Vec<ObjId> = vec![ROOT];
    while let Some(obj) = stack.pop() {
        let props: Vec<Prop> = match doc.object_type(&obj) {
            Ok(ObjType::Map | ObjType::Table) => doc.keys(&obj).map(Prop::Map).collect(),
            Ok(ObjType::List) => (0..doc.length(&obj)).map(Prop::Seq).collect(),
            // Text is what people type, never a picture's name.
            _ => continue,
        };
        for prop in props {
            let skip_heads = matches!(&prop, Prop::Map(key) if key == "heads");
            for (value, id) in doc.get_all(&obj, prop.clone()).unwrap_or_default() {
                match value {
                    Value::Object(_) if !skip_heads => stack.push(id),
                    Value::Scalar(scalar) => {
                        if let Some(hash) = scalar.as_str().and_then(|s| s.parse().ok()) {
                            found.insert(hash);
                        }
                    }
                    Value::Object(_) => {}
                }
            }
        }
    }
    found.into_iter().collect()
}

/// Writes `site` as the site the record in `doc` belongs to, when it names
/// another: a run's, finding's or corrective action's `site`, an audit's
/// `sites`. An ordinary change on top of the record's history (message "moved
/// to site …"), so everything before it is kept. Returns whether it changed
/// anything.
pub fn move_to_site(doc: &mut Automerge, site: &str, stamp: Stamp) -> Result<bool, ChangeError> {
    let kind = kind_of(doc).as_deref().and_then(RecordKind::parse);
    if kind == Some(RecordKind::Audit) {
        let Ok(record) = audit::read(doc) else {
            return Ok(false);
        };
        if record.sites == [site] {
            return Ok(false);
        }
        return audit::edit(doc, &audit::Edit::Sites(vec![site.to_owned()]), stamp).map(|()| true);
    }
    let named = doc
        .get(ROOT, "site")
        .ok()
        .flatten()
        .and_then(|(v, _)| v.as_str().map(str::to_owned));
    if named.as_deref().is_none_or(|named| named == site) {
        return Ok(false);
    }
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| stamp.commit_options(&format!("moved to site {site}")),
        |tx| tx.put(ROOT, "site", site),
    )
    .map(|_| true)
    .map_err(|failure| ChangeError::Automerge(failure.error))
}
