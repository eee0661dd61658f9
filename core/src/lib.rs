//! fieldbook-core: Fieldbook's domain and sync protocol, shared by the browser app
//! and the sync server.
//!
//! It does no IO, reads no clock and makes no random numbers of its own: time comes
//! in as a [`doc::Stamp`], document ids from bytes the caller supplies, and storage
//! and network effects go out as data (changes to persist, frames to send). That keeps
//! it deterministic, testable natively, and identical in wasm32 and on the server.
//!
//! - [`model`]: records as the domain sees them (incident, priority matrix, status).
//! - [`doc`]: the Automerge schema of each record: create, read, edit, conflicts.
//! - [`wire`]: the automerge-repo wire protocol (CBOR messages).
//! - [`sync`]: the sans-IO peer: handshake per connection, sync state per document.
//! - [`ids`]: document and peer ids.
//!
//! A client logs an incident with [`doc::incident::create`] on a fresh
//! `Automerge` whose actor is the device's, lists it in the site's catalog with
//! [`doc::catalog::add`], and syncs both through a [`sync::DocSync`].

pub mod doc;
pub mod ids;
pub mod model;
pub mod sync;
pub mod wire;
