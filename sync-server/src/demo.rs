//! Demo data for a fresh store: an organisation with one site, its catalog, three
//! incidents (or as many as `--demo-incidents` asks), the shipped checklist templates ([`crate::shipped`]), and one user
//! per role who all sign in with [`PASSWORD`].

use automerge::Automerge;
use fieldbook_core::doc::{catalog, incident, Stamp};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Role;
use fieldbook_core::model::incident::{TicketKind, Title};
use fieldbook_core::model::priority::{Impact, Urgency};

use crate::auth::password;
use crate::shipped::{self, ShippedError};
use crate::store::{Directory, DocAccess, NewUser, Receipt, Store, StoreError, SERVER_USER};

/// The demo organisation's id.
pub const ORGANISATION_ID: &str = "demo";
/// The password of every demo user. Printed when the server starts with `--demo`.
pub const PASSWORD: &str = "fieldbook-demo";
/// (login, name, role) of each demo user. Two auditors, so one can verify what the
/// other raised; two technicians, so an action owner and a finding owner differ.
pub const USERS: [(&str, &str, Role); 6] = [
    ("tech", "Tess Technician", Role::Technician),
    ("tech2", "Theo Technician", Role::Technician),
    ("auditor", "Ada Auditor", Role::Auditor),
    ("auditor2", "Aziz Auditor", Role::Auditor),
    ("manager", "Mia Manager", Role::Manager),
    ("admin", "Alex Admin", Role::Admin),
];

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
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    #[error(transparent)]
    Shipped(#[from] ShippedError),
}

/// How many incidents the demo site starts with unless told otherwise: the written ones.
pub const DEFAULT_INCIDENTS: usize = INCIDENTS.len();

/// Writes the demo organisation, site, catalog, `incidents` incidents (the written
/// ones first, then made-up ones, to try the app under a realistic load),
/// templates and users if the store has no site yet. Returns whether it wrote
/// anything. The users are added last, so a crash half way leaves no one able
/// to sign in to a half-filled site.
pub async fn seed_if_empty(
    store: &dyn Store,
    directory: &dyn Directory,
    stamp: Stamp,
    incidents: usize,
) -> Result<bool, DemoError> {
    if !store.sites().await?.is_empty() {
        return Ok(false);
    }
    if !directory.organisation_exists(ORGANISATION_ID).await? {
        directory
            .add_organisation(ORGANISATION_ID, "Demo organisation")
            .await?;
    }
    let mut catalog_doc = Automerge::new();
    catalog::create(&mut catalog_doc, SITE_ID, stamp).map_err(invalid)?;
    let catalog_id = random_document_id();
    store
        .add_site(ORGANISATION_ID, SITE_ID, SITE_NAME, catalog_id)
        .await?;
    for n in 0..incidents {
        let (title, description, impact, urgency) = demo_incident(n);
        let new = incident::NewIncident {
            kind: TicketKind::Incident,
            needs_approval: false,
            site: SITE_ID.to_owned(),
            title: Title::parse(&title).map_err(invalid)?,
            description,
            impact: Impact::parse(impact).map_err(invalid)?,
            urgency: Urgency::parse(urgency).map_err(invalid)?,
        };
        let mut doc = Automerge::new();
        incident::create(&mut doc, &new, stamp).map_err(invalid)?;
        let id = random_document_id();
        let registered = directory
            .register_document(id, &access(Some("incident")), SERVER_USER, stamp.at_ms)
            .await?;
        if let Some(number) = registered.reference {
            incident::set_reference(&mut doc, &format!("INC-{number:06}"), stamp.at_ms)
                .map_err(invalid)?;
        }
        store.append(id, &doc.save(), &receipt(&doc, stamp)).await?;
        let entry = catalog::Entry {
            id,
            kind: "incident".to_owned(),
        };
        catalog::add(&mut catalog_doc, &entry, stamp).map_err(invalid)?;
    }
    shipped::add_templates(store, directory, &access(None), &mut catalog_doc, stamp).await?;
    directory
        .register_document(
            catalog_id,
            &access(Some("catalog")),
            SERVER_USER,
            stamp.at_ms,
        )
        .await?;
    store
        .append(
            catalog_id,
            &catalog_doc.save(),
            &receipt(&catalog_doc, stamp),
        )
        .await?;
    for (login, name, role) in USERS {
        let password_hash = password::hash(PASSWORD)?;
        directory
            .add_user(&NewUser {
                id: format!("demo-{login}"),
                organisation: ORGANISATION_ID.to_owned(),
                login: login.to_owned(),
                name: name.to_owned(),
                role,
                password_hash,
                sites: vec![SITE_ID.to_owned()],
                default_site: SITE_ID.to_owned(),
            })
            .await?;
    }
    Ok(true)
}

/// The `n`th demo incident: (title, description, impact, urgency). The written
/// ones, then made-up faults of things at places, every impact and urgency.
fn demo_incident(n: usize) -> (String, String, i64, i64) {
    if let Some((title, description, impact, urgency)) = INCIDENTS.get(n) {
        return (
            (*title).to_owned(),
            (*description).to_owned(),
            *impact,
            *urgency,
        );
    }
    const THINGS: [&str; 8] = [
        "Scanner",
        "Badge reader",
        "Label printer",
        "Laptop",
        "Door sensor",
        "Conveyor",
        "Phone",
        "Camera",
    ];
    const PLACES: [&str; 6] = [
        "dock 1",
        "gate 3",
        "warehouse B",
        "office 2",
        "packing station 5",
        "the yard",
    ];
    let thing = THINGS[n % THINGS.len()];
    let place = PLACES[n / THINGS.len() % PLACES.len()];
    (
        format!("{thing} fault at {place} ({n})"),
        format!("{thing} at {place} reported faulty. A made-up demo incident, number {n}."),
        (n % 4 + 1) as i64,
        (n / 4 % 4 + 1) as i64,
    )
}

fn access(kind: Option<&str>) -> DocAccess {
    DocAccess {
        organisation: ORGANISATION_ID.to_owned(),
        site: SITE_ID.to_owned(),
        kind: kind.map(str::to_owned),
    }
}

fn receipt(doc: &Automerge, stamp: Stamp) -> Receipt {
    Receipt {
        user_id: SERVER_USER.to_owned(),
        received_ms: stamp.at_ms,
        hashes: doc.get_changes(&[]).iter().map(|c| c.hash()).collect(),
    }
}

/// A new document id from 16 random bytes.
pub fn random_document_id() -> DocumentId {
    DocumentId::from_bytes(rand::random())
}

fn invalid(error: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_incidents_are_valid_and_distinct_and_cover_every_priority() {
        let incidents: Vec<_> = (0..500).map(demo_incident).collect();
        assert_eq!(
            incidents[0].0, INCIDENTS[0].0,
            "the written ones come first"
        );
        let mut titles = std::collections::HashSet::new();
        let mut cells = std::collections::HashSet::new();
        for (title, _, impact, urgency) in &incidents {
            Title::parse(title).expect("a title the app accepts");
            Impact::parse(*impact).expect("an impact");
            Urgency::parse(*urgency).expect("an urgency");
            assert!(titles.insert(title.clone()), "{title} twice");
            cells.insert((*impact, *urgency));
        }
        assert_eq!(cells.len(), 16, "every impact with every urgency");
    }
}
