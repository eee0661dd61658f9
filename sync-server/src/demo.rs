//! Demo data for a fresh store: one site, its catalog, and three incidents.

use automerge::Automerge;
use fieldbook_core::doc::{catalog, incident, Stamp};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::incident::Title;
use fieldbook_core::model::priority::{Impact, Urgency};

use crate::store::{Store, StoreError};

/// The demo site's id.
pub const SITE_ID: &str = "demo";
/// The demo site's name.
pub const SITE_NAME: &str = "Demo site";

/// (title, description, impact, urgency) of each demo incident.
const INCIDENTS: [(&str, &str, i64, i64); 3] = [
    (
        "Wi-Fi down in warehouse B",
        "Handheld scanners in warehouse B lost Wi-Fi at 07:40. Access points AP-B3 and \
         AP-B4 show offline on the controller; picking has moved to paper lists.",
        2,
        1,
    ),
    (
        "Badge reader at gate 3 rejects cards",
        "Since the night shift every badge is refused at gate 3 (red light, no beep). \
         Gates 1 and 2 work. Security is letting staff in by hand.",
        3,
        2,
    ),
    (
        "Label printer offline at packing station 5",
        "The label printer at packing station 5 shows offline in the print queue after \
         this morning's power cut. Station 6 prints normally; parcels are being moved there.",
        4,
        3,
    ),
];

/// Why the demo data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the demo data is not valid: {0}")]
    Invalid(String),
}

/// Writes the demo site, its catalog and its incidents if the store has no site yet.
/// Returns whether it wrote anything. The site is added last, so a crash half way
/// leaves no half-filled site.
pub async fn seed_if_empty(store: &dyn Store, stamp: Stamp) -> Result<bool, DemoError> {
    if !store.sites().await?.is_empty() {
        return Ok(false);
    }
    let mut catalog_doc = Automerge::new();
    catalog::create(&mut catalog_doc, SITE_ID, stamp).map_err(invalid)?;
    for (title, description, impact, urgency) in INCIDENTS {
        let new = incident::NewIncident {
            site: SITE_ID.to_owned(),
            title: Title::parse(title).map_err(invalid)?,
            description: description.to_owned(),
            impact: Impact::parse(impact).map_err(invalid)?,
            urgency: Urgency::parse(urgency).map_err(invalid)?,
        };
        let mut doc = Automerge::new();
        incident::create(&mut doc, &new, stamp).map_err(invalid)?;
        let id = random_document_id();
        store.append(id, &doc.save()).await?;
        let entry = catalog::Entry {
            id,
            kind: "incident".to_owned(),
        };
        catalog::add(&mut catalog_doc, &entry, stamp).map_err(invalid)?;
    }
    let catalog_id = random_document_id();
    store.append(catalog_id, &catalog_doc.save()).await?;
    store.add_site(SITE_ID, SITE_NAME, catalog_id).await?;
    Ok(true)
}

/// A new document id from 16 random bytes.
pub fn random_document_id() -> DocumentId {
    DocumentId::from_bytes(rand::random())
}

fn invalid(error: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(error.to_string())
}
