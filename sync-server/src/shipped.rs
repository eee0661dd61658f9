//! What every site starts with besides its catalog: the checklist templates
//! Fieldbook ships, published, so a device has them after its first sync and an
//! auditor can start a run offline for days.
//!
//! Today that is one template, the ISO/IEC 20000-1 internal audit
//! (`fieldbook_core::model::checklist::iso20000_internal_audit`). Each site gets
//! its own copy: a document belongs to exactly one site, and a site's people
//! sync only their site's documents. The server writes them when it creates a
//! site (demo data, `site add`), before the site's catalog is stored, so the
//! catalog lists them from its first version.

use automerge::Automerge;
use fieldbook_core::doc::{catalog, checklist_template, Stamp};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{Person, RecordKind, Role};
use fieldbook_core::model::checklist::iso20000_internal_audit;

use crate::store::{Directory, DocAccess, Receipt, Store, StoreError, SERVER_USER};

/// Why the shipped templates could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ShippedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the shipped template could not be written: {0}")]
    Template(#[from] checklist_template::TemplateChangeError),
    #[error("the catalog could not list the shipped template: {0}")]
    Catalog(#[from] fieldbook_core::doc::ReadError),
}

/// Who the server's own template documents say wrote them.
pub fn publisher() -> Person {
    Person {
        user_id: SERVER_USER.to_owned(),
        name: "Fieldbook".to_owned(),
        role: Role::Admin,
    }
}

/// Writes each shipped template as a published document of the site `access`
/// names, registers and stores it, and lists it in `catalog_doc` (which the
/// caller stores afterwards). Returns the new documents' ids.
pub async fn add_templates(
    store: &dyn Store,
    directory: &dyn Directory,
    access: &DocAccess,
    catalog_doc: &mut Automerge,
    stamp: Stamp,
) -> Result<Vec<DocumentId>, ShippedError> {
    let template = iso20000_internal_audit();
    let mut doc = Automerge::new();
    checklist_template::create(&mut doc, &template, &publisher(), stamp)?;
    let id = DocumentId::from_bytes(rand::random());
    let access = DocAccess {
        kind: Some(RecordKind::ChecklistTemplate.as_str().to_owned()),
        ..access.clone()
    };
    directory
        .register_document(id, &access, SERVER_USER, stamp.at_ms)
        .await?;
    let receipt = Receipt {
        user_id: SERVER_USER.to_owned(),
        received_ms: stamp.at_ms,
        hashes: doc.get_changes(&[]).iter().map(|c| c.hash()).collect(),
    };
    store.append(id, &doc.save(), &receipt).await?;
    let entry = catalog::Entry {
        id,
        kind: RecordKind::ChecklistTemplate.as_str().to_owned(),
    };
    catalog::add(catalog_doc, &entry, stamp)?;
    Ok(vec![id])
}
