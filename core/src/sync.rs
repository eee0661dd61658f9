//! The sans-IO sync peer: bytes and documents in, bytes to send and changes to
//! persist out. The browser and the server run this same code.
//!
//! Two parts:
//! - [`Connection`] speaks the automerge-repo handshake and turns each received
//!   frame into an [`Incoming`] event, or a [`ProtocolError`] that ends the connection.
//! - [`DocSync`] holds one document and the Automerge sync state of every peer
//!   syncing it. [`DocSync::receive`] applies a peer's sync message and returns
//!   the new changes, which the caller persists; only then does it call
//!   [`DocSync::generate`] for the messages to send. So heads are never
//!   advertised before they are durable.
//!
//! A typical server loop for one frame:
//! ```text
//! match conn.receive(&frame)? {
//!     Incoming::Sync { document_id, data, .. } => {
//!         let doc = load_or_create(document_id).await?;     // caller's IO
//!         let applied = doc.receive(&peer_key, &data)?;
//!         storage.append(document_id, &applied.changes).await?; // caller's IO
//!         for (peer, bytes) in doc.generate() { send(peer, conn.sync(document_id, bytes, false)) }
//!     }
//!     ...
//! }
//! ```

mod bloom_guard;
mod connection;
mod doc_sync;
pub mod pacing;
pub mod resting;

pub use connection::{Connection, Incoming, ProtocolError, Role};
pub use doc_sync::{Applied, DocSync, SyncError};
