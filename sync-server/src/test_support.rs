//! For unit tests: a directory with one organisation, one site and a technician
//! working there, and the principal of that technician.

use std::sync::Arc;

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Role;

use crate::auth::Principal;
use crate::store::{Directory, Site, Store};

pub(crate) const ORGANISATION: &str = "acme";
pub(crate) const SITE: &str = "north";

/// Adds the organisation and site the [`technician`] works at.
pub(crate) async fn seed(store: &dyn Store, directory: &dyn Directory) {
    directory
        .add_organisation(ORGANISATION, "Acme")
        .await
        .expect("add the organisation");
    store
        .add_site(ORGANISATION, SITE, "North depot", catalog())
        .await
        .expect("add the site");
}

/// A technician of [`ORGANISATION`] at [`SITE`].
pub(crate) fn technician() -> Arc<Principal> {
    Arc::new(Principal {
        user_id: "u-tech".to_owned(),
        organisation: ORGANISATION.to_owned(),
        login: "tech".to_owned(),
        name: "Tess".to_owned(),
        role: Role::Technician,
        sites: vec![Site {
            organisation: ORGANISATION.to_owned(),
            id: SITE.to_owned(),
            name: "North depot".to_owned(),
            catalog: catalog(),
        }],
        default_site: SITE.to_owned(),
    })
}

fn catalog() -> DocumentId {
    DocumentId::from_bytes([0xca; 16])
}
