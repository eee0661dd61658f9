//! fieldbook-core: Fieldbook's domain and sync protocol, shared by the browser app
//! and the sync server.
//!
//! It does no IO, reads no clock and makes no random numbers of its own: time comes
//! in as a [`doc::Stamp`], document ids from bytes the caller supplies, and storage
//! and network effects go out as data (changes to persist, frames to send). That keeps
//! it deterministic, testable natively, and identical in wasm32 and on the server.
//!
//! - [`model`]: records as the domain sees them: incident, priority matrix, the
//!   workflow (event log → lifecycle → derived status and conflicts → next
//!   actions) and the SLA clocks on a business calendar.
//! - [`doc`]: the Automerge schema of each record: create, read, edit, conflicts.
//! - [`wire`]: the automerge-repo wire protocol (CBOR messages).
//! - [`sync`]: the sans-IO peer: handshake per connection, sync state per document.
//! - [`bundle`]: an audit with its records and pictures as one file, for
//!   another Fieldbook to import.
//! - [`ids`]: document and peer ids.
//!
//! A client logs an incident with [`doc::incident::create`] on a fresh
//! `Automerge` whose actor is the device's, lists it in the site's catalog with
//! [`doc::catalog::add`], and syncs both through a [`sync::DocSync`]. A person's
//! workflow step is [`doc::incident::perform`] (guarded by
//! [`model::action::apply`]); the buttons come from
//! [`model::incident::Incident::next_actions`], the status and any conflict from
//! [`model::incident::Incident::derived`], and the SLA clocks from
//! [`model::incident::Incident::sla`] with the device clock passed in.

pub mod bundle;
pub mod doc;
pub mod ids;
pub mod model;
pub mod sync;
pub mod wire;
