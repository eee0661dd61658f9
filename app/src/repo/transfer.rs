//! An audit out of this Fieldbook as one file, and into it from one.
//!
//! Export ([`Repo::export_audit`]): the audit, the runs and findings that are
//! its own (`audit_record`, core's `members`), the corrective actions of those
//! findings, each as its full Automerge save, and every picture they name
//! (`doc::transfer::blobs_named`), from the device or fetched from the server.
//! Nothing is left out silently: while a linked record or a picture is neither
//! here nor reachable, the export is refused and says which.
//!
//! Import ([`Repo::import_bundle`]): the pictures are kept on the device first
//! (queued for upload like photos), then every document is merged into the one
//! with its id on this device (Automerge merge: a record that is already here
//! keeps everything it had and gains what the file adds), moved to the site the
//! person picked (`doc::transfer::move_to_site`, a change on top of its
//! history) and listed in that site's catalog, all in one saved batch. From
//! there it syncs like any record, so the server checks each document as it
//! checks a person's own: their role must write that kind, and the site must
//! be one they work at.

use std::collections::BTreeMap;
use std::rc::Rc;

use automerge::Automerge;
use fieldbook_core::bundle::{self, Blob, Bundle, Contents, Document, Manifest};
use fieldbook_core::doc::{catalog, transfer};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::RecordKind;
use fieldbook_core::model::evidence::BlobHash;

use leptos::prelude::*;

use super::{now, ActionError, Repo};
use crate::blobs::{self, Found};
use crate::store::Batch;

/// An export ready to download.
#[derive(Debug, Clone)]
pub struct Export {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub contents: Contents,
}

/// What an import added to this device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub audit: DocumentId,
    pub title: String,
    pub contents: Contents,
}

impl Repo {
    /// The audit in document `id` with its runs, findings, their corrective
    /// actions and every picture they name, as one file. `online` says whether
    /// pictures not on this device may be fetched from the server.
    pub async fn export_audit(&self, id: DocumentId, online: bool) -> Result<Export, ActionError> {
        let record = self.audit_record(id).await?;
        if record.missing > 0 {
            return Err(ActionError::Invalid(format!(
                "{} linked to this audit {} not reached this device yet, so the export would be \
                 incomplete; connect to the network so {} arrive, then export again",
                super::count(record.missing, "record"),
                if record.missing == 1 { "has" } else { "have" },
                if record.missing == 1 { "it" } else { "they" },
            )));
        }
        let mut ids: Vec<(DocumentId, String)> = vec![(id, "the audit".to_owned())];
        ids.extend(
            record
                .runs
                .iter()
                .map(|(run, _)| (*run, self.label(*run, "run"))),
        );
        for (found, finding) in &record.findings {
            ids.push((*found, self.label(*found, "finding")));
            for action in self.actions_of(finding).await {
                match action {
                    Ok((action_id, _)) => {
                        ids.push((action_id, self.label(action_id, "corrective action")))
                    }
                    Err(missing) => {
                        return Err(ActionError::Invalid(format!(
                            "the corrective action {missing} of {} has not reached this device \
                             yet, so the export would be incomplete; connect to the network so \
                             it arrives, then export again",
                            self.label(*found, "finding")
                        )))
                    }
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        ids.retain(|(id, _)| seen.insert(*id));

        // Every document's full save, and which pictures each names.
        let mut documents = Vec::new();
        let mut named: BTreeMap<BlobHash, Vec<String>> = BTreeMap::new();
        {
            let _op = self.ops.lock().await;
            for (doc_id, label) in &ids {
                self.ensure_loaded(*doc_id).await?;
                let inner = self.inner.borrow();
                let doc = inner
                    .docs
                    .get(doc_id)
                    .ok_or(ActionError::Unreadable(doc_id.to_string()))?
                    .sync
                    .doc();
                let kind = fieldbook_core::doc::kind_of(doc)
                    .as_deref()
                    .and_then(RecordKind::parse)
                    .ok_or(ActionError::Unreadable(doc_id.to_string()))?;
                for hash in transfer::blobs_named(doc) {
                    named.entry(hash).or_default().push(label.clone());
                }
                documents.push(Document {
                    id: *doc_id,
                    kind,
                    save: doc.save(),
                });
            }
        }

        // Every picture, from the device or the server.
        let store = self.store();
        let mut pictures = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        for (hash, labels) in &named {
            match blobs::load(&store, hash, online).await {
                Ok(Found::Here(blob)) => pictures.push(Blob {
                    hash: hash.clone(),
                    content_type: blob.content_type,
                    bytes: blob.bytes,
                }),
                _ => missing.extend(labels.iter().cloned()),
            }
        }
        if !missing.is_empty() {
            missing.sort();
            missing.dedup();
            let n = named.len() - pictures.len();
            return Err(ActionError::Invalid(format!(
                "{} of {} {} neither on this device nor {}, so no file was made; \
                 connect to the network (the device that took {} must have synced), then export again",
                super::count(n, "photo"),
                missing.join(", "),
                if n == 1 { "is" } else { "are" },
                if online {
                    "on the server yet"
                } else {
                    "reachable while offline"
                },
                if n == 1 { "it" } else { "them" },
            )));
        }

        let person = self.person()?;
        let at = now().at_ms;
        let bundle = Bundle {
            manifest: Manifest {
                exported_at_ms: at,
                exported_by: person.name,
                audit: id,
                title: record.audit.title.clone(),
            },
            documents,
            blobs: pictures,
        };
        Ok(Export {
            file_name: bundle::file_name(&record.audit.title, &today(at)),
            contents: bundle.contents(),
            bytes: bundle.encode(),
        })
    }

    /// Adds the audit in `bundle` to this device at `site` (one of the
    /// person's sites): see the module's contract. Refused for roles that do
    /// not write audits; nothing is written then.
    pub async fn import_bundle(
        self: &Rc<Self>,
        bundle: &Bundle,
        site: &str,
    ) -> Result<Imported, ActionError> {
        let person = self.person()?;
        bundle
            .may_import(person.role)
            .map_err(ActionError::Invalid)?;
        let (site, catalog_id) = self.site_catalog(Some(site))?;

        // The pictures first: no record on this device names one it does not have.
        let store = self.store();
        for blob in &bundle.blobs {
            let uploaded =
                matches!(store.blob(blob.hash.as_str()).await, Ok(Some(b)) if b.uploaded);
            store
                .put_blob(
                    blob.hash.as_str(),
                    &blob.bytes,
                    &blob.content_type,
                    uploaded,
                )
                .await?;
        }

        let _op = self.ops.lock().await;
        self.ensure_loaded(catalog_id).await?;
        let stamp = now();
        let mut batch = Batch::default();
        let mut touched = vec![catalog_id];
        let result = self
            .merge_documents(bundle, &site, catalog_id, stamp, &mut batch, &mut touched)
            .await;
        if let Err(e) = result {
            // Nothing was stored: drop what memory gained.
            let keys: Vec<String> = touched.iter().map(ToString::to_string).collect();
            self.forget_unsaved(&keys).await;
            return Err(e);
        }
        self.commit(batch).await?;
        self.saved();
        self.send_pending(&touched);
        if self.signals.status.with_untracked(|s| s.connected) {
            blobs::upload_pending(self.store());
        }
        Ok(Imported {
            audit: bundle.manifest.audit,
            title: bundle.manifest.title.clone(),
            contents: bundle.contents(),
        })
    }

    /// Merges each document of `bundle` into this device's, moves it to `site`,
    /// lists it in the catalog, and stages it all in `batch`. The caller holds
    /// the ops lock and stores the batch.
    async fn merge_documents(
        &self,
        bundle: &Bundle,
        site: &str,
        catalog_id: DocumentId,
        stamp: fieldbook_core::doc::Stamp,
        batch: &mut Batch,
        touched: &mut Vec<DocumentId>,
    ) -> Result<(), ActionError> {
        let unreadable = |id: DocumentId, e: String| {
            ActionError::Invalid(format!("record {id} could not be merged: {e}"))
        };
        let mut listed = Vec::new();
        for document in &bundle.documents {
            let id = document.id;
            let mut imported: Automerge =
                document.load().map_err(|e| unreadable(id, e.to_string()))?;
            self.ensure_loaded(id).await?;
            touched.push(id);
            let changes = {
                let mut inner = self.inner.borrow_mut();
                let loaded = inner
                    .docs
                    .get_mut(&id)
                    .ok_or(ActionError::Unreadable(id.to_string()))?;
                let (result, applied) = loaded.sync.change(|doc| {
                    doc.merge(&mut imported)
                        .map_err(|e| unreadable(id, e.to_string()))?;
                    transfer::move_to_site(doc, site, stamp)
                        .map_err(|e| unreadable(id, e.to_string()))
                });
                result?;
                applied.changes
            };
            self.stage(batch, id, changes);
            listed.push(catalog::Entry {
                id,
                kind: document.kind.as_str().to_owned(),
            });
        }
        let changes = {
            let mut inner = self.inner.borrow_mut();
            let loaded = inner.docs.get_mut(&catalog_id).ok_or(ActionError::NoSite)?;
            let (added, applied) = loaded.sync.change(|doc| {
                listed
                    .iter()
                    .try_for_each(|entry| catalog::add(doc, entry, stamp))
            });
            added.map_err(|_| ActionError::NoSite)?;
            applied.changes
        };
        self.stage(batch, catalog_id, changes);
        Ok(())
    }

    /// "finding “Interested parties are not listed”": a record as messages name it.
    fn label(&self, id: DocumentId, kind: &str) -> String {
        let key = id.to_string();
        self.signals.summaries.with_untracked(|all| {
            match all.iter().find(|s| s.id == key).map(|s| s.title.trim()) {
                Some(title) if !title.is_empty() => format!("{kind} “{title}”"),
                _ => format!("{kind} {key}"),
            }
        })
    }
}

/// The device's local date at `at_ms`, as YYYY-MM-DD.
fn today(at_ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}
