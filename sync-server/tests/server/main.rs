//! The sync server over real sockets: the real binary (or, where a test needs a
//! store that fails, the real `app()` on a real listener), a real database, and
//! clients that speak the protocol with core's own `Connection` and `DocSync`.
//!
//! Every test runs twice, on SQLite (a file in a temporary directory) and on
//! PostgreSQL (a fresh database from `FIELDBOOK_TEST_POSTGRES_URL`): see
//! [`test_db`] and its `backend_tests!`.
//!
//! No test sleeps to synchronise: each waits for a condition with a deadline
//! ([`test_client::TestClient::until`]). (The crash test sleeps a random time
//! before it kills the server; that is the fault it injects, not a wait.)

#[macro_use]
mod test_db;

mod credentials;
mod flagged_server;
mod http;
mod raw_client;
mod server_process;
mod test_client;

mod authorization;
mod bad_input;
mod blobs;
mod corrupt_storage;
mod crash;
mod demo_data;
mod document_panic;
mod durability;
mod hostile_input;
mod http_routes;
mod limits;
mod receipts;
mod resident_documents;
mod service_levels;
mod sign_in;
mod store_semantics;
mod sync_between_clients;
mod unavailable;
mod uncommitted_heads;

use automerge::Automerge;
use fieldbook_core::doc::{incident, Stamp};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::incident::{TicketKind, Title};
use fieldbook_core::model::priority::{Impact, Urgency};

/// A new incident document, as a device would create it.
pub fn new_incident(title: &str) -> Automerge {
    let mut doc = Automerge::new();
    let new = incident::NewIncident {
        kind: TicketKind::Incident,
        needs_approval: false,
        site: "north".to_owned(),
        title: Title::parse(title).expect("title"),
        description: "Reported by the night shift.".to_owned(),
        impact: Impact::parse(3).expect("impact"),
        urgency: Urgency::parse(2).expect("urgency"),
    };
    incident::create(&mut doc, &new, stamp()).expect("create incident");
    doc
}

pub fn random_id() -> DocumentId {
    DocumentId::from_bytes(rand::random())
}

pub fn stamp() -> Stamp {
    Stamp::at(1_790_000_000_000)
}
