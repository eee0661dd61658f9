//! The sync hub: every document some connection syncs, in memory, and the outbox
//! of every connection.
//!
//! Per document an `Arc<tokio::sync::Mutex<DocEntry>>` holds a [`DocSync`] keyed by
//! [`ConnId`]. Under that lock the hub applies a connection's sync message, appends
//! the new changes to the [`Store`], and only after the commit generates the
//! messages for every connected peer. So the server never advertises heads that are
//! not durable, and a change from one connection is pushed to all the others.
//!
//! What bounds the hub's memory (see [`Limits`]): each connection's outbox holds at
//! most `outbox_capacity` messages (a connection that does not keep up is closed);
//! each connection syncs at most `max_documents_per_connection` documents; and of
//! the documents no one syncs, only the `max_idle_documents` most recently used stay
//! in memory.
//!
//! Every message is authorized against the connection's [`Principal`]: a document
//! belongs to the organisation and site it was first received for (fixed then, in
//! the [`Directory`]); someone who may not read it gets the same answers as for a
//! document that does not exist, and changes from a role that may only read that
//! kind of record are never stored. Each stored change is recorded with who sent it
//! and when it arrived, and a new incident gets its human reference (INC-000001;
//! a service request REQ-000001; an approval or refusal of a service request is
//! stored only from a manager or admin whose event states their own role)
//! as the server's own change. A new incident's copy of its service levels must
//! be the standard, a version published for its site, or an admin's, and never
//! changes once stored.
//!
//! Everything done to one document runs inside an unwind boundary: a panic there (a
//! bug in Automerge, or here) throws that document's in-memory state away, closes
//! the connection whose message caused it, and restarts the other connections' sync
//! of it from storage. The process and every other document carry on.

mod doc_entry;
mod documents;
mod idle_documents;
mod recovery;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use fieldbook_core::ids::{DocumentId, PeerId};
use fieldbook_core::sync::{Applied, DocSync, SyncError};
use futures::FutureExt;
use tokio::sync::{mpsc, watch, Notify};

use crate::auth::Principal;
use crate::limits::Limits;
use crate::route::now_ms;
use crate::store::{Directory, DocAccess, Receipt, Store, StoreError, SERVER_USER};
use doc_entry::DocEntry;
pub use doc_entry::LoadError;
use documents::Docs;
pub(crate) use recovery::panic_message;

/// The root key that makes the `--test-panic-doc` hook fire: see [`Hub::inject_test_panic`].
pub const TEST_PANIC_KEY: &str = "fieldbook-test-panic";

/// The server's side of every connection and the documents they sync. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// Identifies one WebSocket connection for as long as it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(u64);

/// What the hub asks a connection to send; the connection frames it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// An Automerge sync message for a document.
    Sync {
        document_id: DocumentId,
        data: Vec<u8>,
    },
    /// The answer to a `request` for a document the server does not have.
    Unavailable { document_id: DocumentId },
    /// The server cannot go on syncing with this connection: send `error` with
    /// `message`, then close.
    Close { message: String },
}

/// A newly registered connection: what its session drains and watches.
#[derive(Debug)]
pub struct Registration {
    pub conn: ConnId,
    /// What the hub asks the connection to send, in order.
    pub outbox: mpsc::Receiver<Outbound>,
    /// Notified when the outbox overflowed: the connection is not reading its socket
    /// and must close at once, even in the middle of a send that is blocked.
    pub evicted: Arc<Notify>,
}

/// Why a connection's sync message was not accepted. The connection must close.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("document {document} could not be loaded from storage: {source}")]
    Load {
        document: DocumentId,
        source: LoadError,
    },
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("the connection already syncs {limit} documents, the most one may")]
    TooManyDocuments { limit: usize },
    #[error("{message}")]
    NotAllowed { message: String },
    #[error("handling document {document} panicked: {message}")]
    Panicked {
        document: DocumentId,
        message: String,
    },
}

/// The hub's gauges and counters at one moment, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HubStats {
    /// Sync connections registered now.
    pub connections_open: usize,
    /// Documents in memory: synced now, or idle and cached.
    pub documents_resident: usize,
    /// Of those, documents no connection syncs.
    pub documents_idle: usize,
    /// Frames received on sync connections since start.
    pub messages_received: u64,
    /// Connections the server closed because of a fault: bad input, a limit,
    /// storage, a panic, or falling behind.
    pub errors: u64,
    /// Panics caught while handling a document.
    pub document_panics: u64,
}

struct Inner {
    peer_id: PeerId,
    store: Arc<dyn Store>,
    directory: Arc<dyn Directory>,
    limits: Limits,
    docs: Mutex<Docs>,
    conns: Mutex<HashMap<ConnId, ConnState>>,
    next_conn: AtomicU64,
    /// How many connections are registered.
    sessions: watch::Sender<usize>,
    /// Becomes `true` when the server shuts down.
    shutdown: watch::Sender<bool>,
    messages_received: AtomicU64,
    errors: AtomicU64,
    document_panics: AtomicU64,
    /// See [`Hub::inject_test_panic`].
    test_panic_document: OnceLock<DocumentId>,
}

/// The hub's view of one registered connection.
struct ConnState {
    /// Who is signed in on it.
    principal: Arc<Principal>,
    /// `None` once the connection fell too far behind.
    outbox: Option<mpsc::Sender<Outbound>>,
    evicted: Arc<Notify>,
    /// Every document the connection synced, to disconnect from when it closes.
    documents: HashSet<DocumentId>,
}

impl Hub {
    /// A hub with the default [`Limits`] that announces itself as `peer_id`, keeps
    /// documents in `store` and looks up where they belong in `directory`.
    pub fn new(store: Arc<dyn Store>, directory: Arc<dyn Directory>, peer_id: PeerId) -> Hub {
        Hub::with_limits(store, directory, peer_id, Limits::default())
    }

    /// A hub that enforces `limits`.
    pub fn with_limits(
        store: Arc<dyn Store>,
        directory: Arc<dyn Directory>,
        peer_id: PeerId,
        limits: Limits,
    ) -> Hub {
        Hub {
            inner: Arc::new(Inner {
                peer_id,
                store,
                directory,
                limits,
                docs: Mutex::default(),
                conns: Mutex::default(),
                next_conn: AtomicU64::new(1),
                sessions: watch::Sender::new(0),
                shutdown: watch::Sender::new(false),
                messages_received: AtomicU64::new(0),
                errors: AtomicU64::new(0),
                document_panics: AtomicU64::new(0),
                test_panic_document: OnceLock::new(),
            }),
        }
    }

    /// The peer id this server announces in every handshake.
    pub fn peer_id(&self) -> &PeerId {
        &self.inner.peer_id
    }

    /// The limits this hub and its connections enforce.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The directory of people and credentials the hub checks against.
    pub fn directory(&self) -> &dyn Directory {
        self.inner.directory.as_ref()
    }

    /// **Test hook** (`--test-panic-doc`): from now on, a sync message that leaves
    /// `document` with a root key [`TEST_PANIC_KEY`] makes the hub panic while it
    /// handles it, as a bug in Automerge would, so tests can check that a panic ends
    /// only that document's sync. Only the first call has an effect. Never used in
    /// production; nothing else reads the key.
    pub fn inject_test_panic(&self, document: DocumentId) {
        let _ = self.inner.test_panic_document.set(document);
    }

    /// Registers a new connection of `principal`.
    pub fn register(&self, principal: Arc<Principal>) -> Registration {
        let conn = ConnId(self.inner.next_conn.fetch_add(1, Ordering::Relaxed));
        let (tx, outbox) = mpsc::channel(self.inner.limits.outbox_capacity.get());
        let evicted = Arc::new(Notify::new());
        lock(&self.inner.conns).insert(
            conn,
            ConnState {
                principal,
                outbox: Some(tx),
                evicted: Arc::clone(&evicted),
                documents: HashSet::new(),
            },
        );
        self.inner.sessions.send_modify(|n| *n += 1);
        Registration {
            conn,
            outbox,
            evicted,
        }
    }

    /// Forgets a closed connection: disconnects it from every document it synced,
    /// which then become idle if no one else syncs them.
    pub async fn unregister(&self, conn: ConnId) {
        let documents = lock(&self.inner.conns)
            .remove(&conn)
            .map(|state| state.documents)
            .unwrap_or_default();
        for document in documents {
            let entry = lock(&self.inner.docs).get(document);
            if let Some(entry) = entry {
                if let Some(doc) = entry.lock().await.doc.as_mut() {
                    doc.disconnect(&conn);
                }
            }
            lock(&self.inner.docs).park_if_idle(document, self.inner.limits.max_idle_documents);
        }
        self.inner
            .sessions
            .send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Handles an Automerge sync message from `conn` for `document_id`.
    ///
    /// `request` asks for `doc-unavailable` rather than a new empty document when the
    /// server has never seen it. On `Err` nothing new was advertised, and the caller
    /// must tell the remote and close the connection.
    pub async fn sync(
        &self,
        conn: ConnId,
        document_id: DocumentId,
        data: &[u8],
        request: bool,
    ) -> Result<(), HubError> {
        let Some(principal) = self.claim(conn, document_id)? else {
            return Ok(());
        };
        let entry = lock(&self.inner.docs).take_up(document_id);
        let mut entry = entry.lock().await;
        // The unwind boundary around everything done to one document. After a panic
        // the document in memory may be half changed, so it is thrown away: storage
        // holds only what was committed.
        let handled = AssertUnwindSafe(self.sync_locked(
            &mut entry,
            conn,
            &principal,
            document_id,
            data,
            request,
        ))
        .catch_unwind()
        .await;
        match handled {
            Ok(result) => result,
            Err(panic) => {
                let message = panic_message(panic.as_ref());
                tracing::error!(%conn, document = %document_id, panic = %message, "handling a sync message panicked; restarting the document's sync from storage");
                self.inner.document_panics.fetch_add(1, Ordering::Relaxed);
                self.restart_after_panic(&mut entry, document_id, conn)
                    .await;
                Err(HubError::Panicked {
                    document: document_id,
                    message,
                })
            }
        }
    }

    /// Counts a frame received on a sync connection.
    pub fn record_message(&self) {
        self.inner.messages_received.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a connection the server closed because of a fault.
    pub fn record_error(&self) {
        self.inner.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The gauges and counters now.
    pub fn stats(&self) -> HubStats {
        let (documents_resident, documents_idle) = {
            let docs = lock(&self.inner.docs);
            (docs.resident(), docs.idle())
        };
        HubStats {
            connections_open: *self.inner.sessions.borrow(),
            documents_resident,
            documents_idle,
            messages_received: self.inner.messages_received.load(Ordering::Relaxed),
            errors: self.inner.errors.load(Ordering::Relaxed),
            document_panics: self.inner.document_panics.load(Ordering::Relaxed),
        }
    }

    /// Asks every connection to close; see [`Hub::sessions_closed`].
    pub fn shut_down(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// Becomes ready when the server is shutting down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Waits until no connection is registered.
    pub async fn sessions_closed(&self) {
        let mut sessions = self.inner.sessions.subscribe();
        // The sender lives in `self`, so this only ends when the count reaches zero.
        let _ = sessions.wait_for(|n| *n == 0).await;
    }

    /// Records that `conn` syncs `document_id`, within its limit, and returns who is
    /// signed in on it. `Ok(None)` if the connection is not registered (its session
    /// is ending): nothing to do.
    fn claim(
        &self,
        conn: ConnId,
        document_id: DocumentId,
    ) -> Result<Option<Arc<Principal>>, HubError> {
        let limit = self.inner.limits.max_documents_per_connection.get();
        let mut conns = lock(&self.inner.conns);
        let Some(state) = conns.get_mut(&conn) else {
            return Ok(None);
        };
        if !state.documents.contains(&document_id) {
            if state.documents.len() >= limit {
                return Err(HubError::TooManyDocuments { limit });
            }
            state.documents.insert(document_id);
        }
        Ok(Some(Arc::clone(&state.principal)))
    }

    /// Applies one sync message under the document's lock. Runs inside the unwind
    /// boundary of [`Hub::sync`].
    async fn sync_locked(
        &self,
        entry: &mut DocEntry,
        conn: ConnId,
        principal: &Principal,
        document_id: DocumentId,
        data: &[u8],
        request: bool,
    ) -> Result<(), HubError> {
        if entry.doc.is_none() {
            match self.inner.store.load(document_id).await? {
                Some(chunks) => entry.load(chunks).map_err(|source| {
                    tracing::error!(document = %document_id, error = %source, "a stored document does not load");
                    HubError::Load {
                        document: document_id,
                        source,
                    }
                })?,
                None if request => {
                    self.push(conn, Outbound::Unavailable { document_id });
                    return Ok(());
                }
                None => entry.start_empty(),
            }
            entry.access = self.inner.directory.document_access(document_id).await?;
            if entry.access.is_none() && !entry.chunks.is_empty() {
                entry.access = Some(self.claim_unregistered(document_id, entry).await?);
            }
        }
        if let Some(access) = &entry.access {
            if !principal.may_read(access) {
                self.answer_as_unknown(conn, document_id, data, request);
                return Ok(());
            }
        }
        // A document someone started but that holds nothing yet is not there to find.
        if request
            && entry.access.is_none()
            && entry
                .doc
                .as_ref()
                .is_some_and(|d| d.doc().get_heads().is_empty())
        {
            self.push(conn, Outbound::Unavailable { document_id });
            return Ok(());
        }
        let DocEntry {
            doc,
            chunks,
            access,
        } = entry;
        let Some(doc) = doc.as_mut() else {
            return Ok(());
        };

        let heads_before = doc.doc().get_heads();
        let applied = match doc.receive(&conn, data) {
            Ok(applied) => applied,
            Err(error) => {
                // A message that failed half way may have applied some changes: drop them.
                if doc.doc().get_heads() != heads_before {
                    self.undo(
                        document_id,
                        conn,
                        doc,
                        &Applied {
                            heads_before,
                            ..Applied::default()
                        },
                    );
                } else {
                    doc.disconnect(&conn);
                }
                return Err(error.into());
            }
        };
        self.test_panic_hook(document_id, doc);
        if !applied.is_empty() {
            let mut admitted = self
                .admit(document_id, principal, doc.doc(), access)
                .await
                .and_then(|reference| {
                    kind_unchanged(document_id, doc.doc(), &applied)?;
                    approvals_by_sender(document_id, principal, doc.doc(), access, &applied)
                        .map(|()| reference)
                });
            if admitted.is_ok() {
                if let Err(error) = self
                    .impartial_verifications(document_id, principal, doc.doc(), access, &applied)
                    .await
                {
                    admitted = Err(error);
                }
            }
            if admitted.is_ok() {
                if let Err(error) = self
                    .published_service_levels(document_id, principal, doc.doc(), access, &applied)
                    .await
                {
                    admitted = Err(error);
                }
            }
            let reference = match admitted {
                Ok(reference) => reference,
                Err(error) => {
                    self.undo(document_id, conn, doc, &applied);
                    return Err(error);
                }
            };
            let receipt = receipt(doc.doc(), &applied, &principal.user_id);
            match self
                .inner
                .store
                .append(document_id, &applied.changes, &receipt)
                .await
            {
                Ok(chunk) => chunks.push(chunk),
                Err(error) => {
                    self.undo(document_id, conn, doc, &applied);
                    return Err(error.into());
                }
            }
            if let Some(reference) = reference {
                self.write_reference(document_id, doc, chunks, &reference)
                    .await;
            }
            if chunks.len() > doc_entry::MAX_CHUNKS {
                self.compact(document_id, doc, chunks).await;
            }
        }
        // Everything in `doc` is now committed: safe to advertise.
        self.fan_out(document_id, doc);
        Ok(())
    }

    /// Refuses a new verification of a finding unless the sender made it in their
    /// own name and owns neither the finding nor any of its corrective actions,
    /// as read from the action documents the server holds. Every device's
    /// lifecycle checks the verifier against the owners the event lists; this
    /// makes that list, and the verifier's name, the truth rather than a
    /// device's word.
    async fn impartial_verifications(
        &self,
        document_id: DocumentId,
        principal: &Principal,
        doc: &automerge::Automerge,
        access: &Option<DocAccess>,
        applied: &Applied,
    ) -> Result<(), HubError> {
        use fieldbook_core::doc::{corrective_action, finding};
        use fieldbook_core::model::access::RecordKind;
        use fieldbook_core::model::finding::FindingEvent;
        let is_finding =
            access.as_ref().and_then(|a| a.kind.as_deref()) == Some(RecordKind::Finding.as_str());
        if !is_finding {
            return Ok(());
        }
        // A log that does not read is refused by every device's lifecycle anyway.
        let added = match finding::verifications_added_since(doc, &applied.heads_before) {
            Ok(Some(added)) => added,
            Ok(None) => return Err(rewritten_log(document_id)),
            Err(_) => return Ok(()),
        };
        if added.is_empty() {
            return Ok(());
        }
        let refuse = |why: String| Err(not_stored(document_id, why));
        // A finding new to this server that arrives verified is an imported
        // audit's (its verifier worked on another Fieldbook): only an admin
        // brings those in.
        if applied.heads_before.is_empty() {
            return if principal.role == fieldbook_core::model::access::Role::Admin {
                Ok(())
            } else {
                refuse(format!(
                    "a finding that arrives already verified (from an imported audit) is accepted only from an admin, not from {}",
                    principal.name
                ))
            };
        }
        if added.iter().any(|e| e.by.user_id != principal.user_id) {
            return refuse(format!(
                "{} may record a verification only in their own name",
                principal.name
            ));
        }
        let Ok(record) = finding::read(doc) else {
            return Ok(());
        };
        let standing = record.derived().standing;
        let finding_owners = record.owner.iter().flat_map(|o| o.all());
        if finding_owners
            .chain(standing.owner.iter())
            .any(|o| o.user_id == principal.user_id)
        {
            return refuse(format!(
                "{} owns this finding and so may not verify it: verification must be impartial",
                principal.name
            ));
        }
        // Every action any link names, even one set aside: a change that sets a
        // link aside and verifies in one message is checked like any other.
        let mut linked: Vec<&String> = Vec::new();
        for event in &record.events {
            if let FindingEvent::ActionLinked { action } = &event.kind {
                if !linked.contains(&action) {
                    linked.push(action);
                }
            }
        }
        for action in linked {
            let id = action.parse::<DocumentId>().ok();
            let belongs = match id {
                Some(id) => self
                    .inner
                    .directory
                    .document_access(id)
                    .await?
                    .is_some_and(|a| {
                        a.organisation == principal.organisation
                            && a.kind.as_deref() == Some(RecordKind::CorrectiveAction.as_str())
                    }),
                None => false,
            };
            let loaded = match id {
                Some(id) if belongs => self.load_stored(id).await?,
                _ => None,
            };
            let read = loaded.and_then(|doc| corrective_action::read(&doc).ok());
            let Some(read) = read else {
                return refuse(format!(
                    "corrective action {action} of this finding is not on the server, so who owns it is not known and the finding cannot be verified yet"
                ));
            };
            if read.owners().iter().any(|o| o.user_id == principal.user_id) {
                return refuse(format!(
                    "{} owns corrective action “{}” of this finding and so may not verify it: verification must be impartial",
                    principal.name, read.title
                ));
            }
        }
        Ok(())
    }

    /// Refuses a change to an incident's or service request's copy of the
    /// service levels it was logged under (`serviceLevels`, whose targets,
    /// calendar and matrix give its SLA clocks and priority on every device)
    /// unless the record is new to this server and the copy is Fieldbook's
    /// standard, a version published in one of the site's service-levels
    /// documents the server holds, or sent by an admin (who may publish anyway,
    /// and whose offline device may log under a version it published before
    /// the publication arrived). A record with no copy (older documents)
    /// counts on the standard and is stored; a copy that does not read is none
    /// of the three. Once stored, the copy never changes. Only a change that
    /// touched the copy loads the site's publications.
    async fn published_service_levels(
        &self,
        document_id: DocumentId,
        principal: &Principal,
        doc: &automerge::Automerge,
        access: &Option<DocAccess>,
        applied: &Applied,
    ) -> Result<(), HubError> {
        use fieldbook_core::doc::{incident, service_levels};
        use fieldbook_core::model::access::{RecordKind, Role};
        use fieldbook_core::model::incident::TicketKind;
        use fieldbook_core::model::service_levels::ServiceLevels;
        let Some(access) = access else {
            return Ok(());
        };
        let Some(ticket) = access.kind.as_deref().and_then(TicketKind::parse) else {
            return Ok(());
        };
        // Heads the document holds always read; should they not, the copy is
        // checked as if it had changed.
        if !incident::levels_copy_changed(doc, &applied.heads_before).unwrap_or(true) {
            return Ok(());
        }
        let what = ticket.label().to_lowercase();
        let refuse = |why: String| Err(not_stored(document_id, why));
        if !applied.heads_before.is_empty() {
            return refuse(format!(
                "the service levels this {what} was logged under never change once the server has them, and this change alters them"
            ));
        }
        // New here, and it holds a copy (with none it counts on the standard).
        let copy = incident::levels_copy(doc);
        if principal.role == Role::Admin || copy.as_ref() == Some(&ServiceLevels::standard()) {
            return Ok(());
        }
        let Some(copy) = copy else {
            return refuse(format!(
                "this {what}'s copy of its service levels does not read as a version, so it is neither Fieldbook's standard nor a version an administrator published for site {}",
                access.site
            ));
        };
        let documents = self
            .inner
            .directory
            .documents_of_kind(
                &access.organisation,
                &access.site,
                RecordKind::SlaPolicy.as_str(),
            )
            .await?;
        for id in documents {
            let published = self
                .load_stored(id)
                .await?
                .and_then(|policy| service_levels::read(&policy).ok())
                .is_some_and(|record| record.versions.iter().any(|p| p.levels == copy));
            if published {
                return Ok(());
            }
        }
        refuse(format!(
            "this {what} is logged under service levels (version {}) that are neither Fieldbook's standard nor a version an administrator published for site {}",
            copy.version, access.site
        ))
    }

    /// A document as the store holds it; `None` if it holds none or its chunks
    /// do not load.
    async fn load_stored(
        &self,
        document_id: DocumentId,
    ) -> Result<Option<automerge::Automerge>, HubError> {
        let Some(chunks) = self.inner.store.load(document_id).await? else {
            return Ok(None);
        };
        let bytes: Vec<u8> = chunks
            .iter()
            .flat_map(|c| c.bytes.iter().copied())
            .collect();
        Ok(automerge::Automerge::load(&bytes).ok())
    }

    /// Decides whether `principal`'s new changes may be stored. A document seen for
    /// the first time is registered: its organisation is theirs, its site the one
    /// its contents name (or their default site), its kind the one it says. Returns
    /// the reference to write if it is a new incident (`INC-000001`) or service
    /// request (`REQ-000001`).
    async fn admit(
        &self,
        document_id: DocumentId,
        principal: &Principal,
        doc: &automerge::Automerge,
        access: &mut Option<DocAccess>,
    ) -> Result<Option<String>, HubError> {
        let mut reference = None;
        if access.is_none() {
            let wanted = DocAccess {
                organisation: principal.organisation.clone(),
                site: named_site(doc).unwrap_or_else(|| principal.default_site.clone()),
                kind: fieldbook_core::doc::kind_of(doc),
            };
            if !principal.works_at(&wanted.site) {
                return Err(HubError::NotAllowed {
                    message: format!(
                        "document {document_id} belongs to site {}, where you do not work; nothing in it was stored",
                        wanted.site
                    ),
                });
            }
            if principal.may_write(&wanted) {
                let registered = self
                    .inner
                    .directory
                    .register_document(document_id, &wanted, &principal.user_id, now_ms())
                    .await?;
                if registered.created {
                    reference = registered.reference.zip(
                        wanted
                            .kind
                            .as_deref()
                            .and_then(fieldbook_core::model::incident::TicketKind::parse),
                    );
                }
                *access = Some(registered.access);
            } else {
                *access = Some(wanted);
            }
        }
        let Some(access) = access.as_ref() else {
            return Ok(None);
        };
        if principal.may_write(access) {
            Ok(reference.map(|(number, kind)| format!("{}-{number:06}", kind.reference_prefix())))
        } else {
            Err(HubError::NotAllowed {
                message: format!(
                    "as {} {} you may read {} records but not change them; your changes to document {document_id} were not stored",
                    article(principal.role.as_str()),
                    principal.role,
                    access.kind.as_deref().unwrap_or("these"),
                ),
            })
        }
    }

    /// Where a document stored before documents were registered belongs: the site
    /// its contents name, in that site's organisation. One that names no known site
    /// is given a place no one reaches; its data stays in storage.
    async fn claim_unregistered(
        &self,
        document_id: DocumentId,
        entry: &DocEntry,
    ) -> Result<DocAccess, HubError> {
        let Some(doc) = entry.doc.as_ref() else {
            return Ok(nowhere());
        };
        let named = named_site(doc.doc());
        let sites = self.inner.store.sites().await?;
        let Some(site) = sites.iter().find(|s| Some(&s.id) == named.as_ref()) else {
            tracing::warn!(document = %document_id, "a stored document names no known site; no one may sync it");
            return Ok(nowhere());
        };
        let access = DocAccess {
            organisation: site.organisation.clone(),
            site: site.id.clone(),
            kind: fieldbook_core::doc::kind_of(doc.doc()),
        };
        let registered = self
            .inner
            .directory
            .register_document(document_id, &access, SERVER_USER, now_ms())
            .await?;
        Ok(registered.access)
    }

    /// Answers a message about a document `conn` may not see exactly as if the
    /// server had never heard of it: `doc-unavailable` to a request, an empty
    /// document's reply to a sync. Nothing is applied or stored.
    fn answer_as_unknown(&self, conn: ConnId, document_id: DocumentId, data: &[u8], request: bool) {
        if request {
            self.push(conn, Outbound::Unavailable { document_id });
            return;
        }
        let mut stranger = DocSync::new(automerge::Automerge::new());
        match stranger.receive(&conn, data) {
            Ok(applied) if applied.is_empty() => {
                if let Some(data) = stranger.generate_for(&conn) {
                    self.push(conn, Outbound::Sync { document_id, data });
                }
            }
            // It sent changes to a document it may not see: refused, as unknown.
            _ => self.push(conn, Outbound::Unavailable { document_id }),
        }
    }

    /// Writes `INC-…` (or `REQ-…`) into a new incident (or service request) as
    /// the server's own change, stored with the server as its author. If it cannot
    /// be stored it is rolled back; the record keeps its provisional reference on
    /// devices.
    async fn write_reference(
        &self,
        document_id: DocumentId,
        doc: &mut DocSync<ConnId>,
        chunks: &mut Vec<crate::store::ChunkId>,
        reference: &str,
    ) {
        let (written, applied) = doc.change(|d| {
            let actor = d.get_actor().clone();
            d.set_actor(server_actor());
            let result = fieldbook_core::doc::incident::set_reference(d, reference, now_ms());
            d.set_actor(actor);
            result
        });
        if let Err(error) = written {
            tracing::error!(document = %document_id, %error, "could not write the incident's reference");
            return;
        }
        let receipt = receipt(doc.doc(), &applied, SERVER_USER);
        match self
            .inner
            .store
            .append(document_id, &applied.changes, &receipt)
            .await
        {
            Ok(chunk) => chunks.push(chunk),
            Err(error) => {
                tracing::error!(document = %document_id, %error, "could not store the incident's reference");
                if let Err(error) = doc.rollback(&applied) {
                    tracing::error!(document = %document_id, %error, "rolling back the reference failed");
                }
            }
        }
    }

    /// Removes what could not be stored, drops `conn` (it will be closed), and
    /// restarts the other peers' sync from what is durable.
    fn undo(
        &self,
        document_id: DocumentId,
        conn: ConnId,
        doc: &mut DocSync<ConnId>,
        applied: &Applied,
    ) {
        if let Err(error) = doc.rollback(applied) {
            tracing::error!(document = %document_id, %error, "rolling back unstored changes failed");
        }
        doc.disconnect(&conn);
        self.fan_out(document_id, doc);
    }

    async fn compact(
        &self,
        document_id: DocumentId,
        doc: &DocSync<ConnId>,
        chunks: &mut Vec<crate::store::ChunkId>,
    ) {
        let snapshot = doc.doc().save();
        match self
            .inner
            .store
            .compact(document_id, &snapshot, chunks)
            .await
        {
            Ok(chunk) => *chunks = vec![chunk],
            // The chunks are still there; compaction will be tried after the next append.
            Err(error) => {
                tracing::warn!(document = %document_id, %error, "compaction failed")
            }
        }
    }

    fn fan_out(&self, document_id: DocumentId, doc: &mut DocSync<ConnId>) {
        for (peer, data) in doc.generate() {
            self.push(peer, Outbound::Sync { document_id, data });
        }
    }

    /// Queues a message for `conn`. A connection whose outbox is full is too slow to
    /// keep up: it is told to close at once (and resyncs when it comes back).
    fn push(&self, conn: ConnId, message: Outbound) {
        let mut conns = lock(&self.inner.conns);
        let Some(state) = conns.get_mut(&conn) else {
            return;
        };
        let Some(outbox) = &state.outbox else {
            return;
        };
        match outbox.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(%conn, capacity = self.inner.limits.outbox_capacity, "outbox full; closing the connection");
                state.outbox = None;
                state.evicted.notify_one();
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                state.outbox = None;
            }
        }
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conn-{}", self.0)
    }
}

impl HubError {
    /// The `error` message the remote is sent before the connection closes.
    pub fn client_message(&self) -> String {
        match self {
            HubError::Load { document, .. } => {
                format!("the server cannot read document {document} from its storage")
            }
            HubError::Store(_) => {
                "the server's storage failed; nothing in this message was accepted".to_owned()
            }
            HubError::Sync(error) => error.to_string(),
            HubError::TooManyDocuments { limit } => format!(
                "this connection already syncs {limit} documents, the most the server allows"
            ),
            HubError::NotAllowed { message } => message.clone(),
            HubError::Panicked { document, .. } => format!(
                "the server failed while handling document {document}; reconnect to resync it"
            ),
        }
    }
}

/// The receipt for the changes `applied` added to `doc`, sent by `user_id` now.
fn receipt(doc: &automerge::Automerge, applied: &Applied, user_id: &str) -> Receipt {
    Receipt {
        user_id: user_id.to_owned(),
        received_ms: now_ms(),
        hashes: doc
            .get_changes(&applied.heads_before)
            .iter()
            .map(|c| c.hash())
            .collect(),
    }
}

/// A place no organisation or site matches.
fn nowhere() -> DocAccess {
    DocAccess {
        organisation: String::new(),
        site: String::new(),
        kind: None,
    }
}

/// The `site` a document names at its root, if any.
fn named_site(doc: &automerge::Automerge) -> Option<String> {
    use automerge::ReadDoc;
    doc.get(automerge::ROOT, "site")
        .ok()
        .flatten()
        .and_then(|(v, _)| v.into_scalar().ok())
        .and_then(|v| match v {
            automerge::ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
}

/// The actor of the server's own changes: the same in every process, so the
/// history shows "the server" rather than a machine.
fn server_actor() -> automerge::ActorId {
    automerge::ActorId::from(b"fieldbook-server".as_slice())
}

/// Refuses new approvals or refusals of a service request unless the sender is
/// someone who approves (a manager or admin) and the event states the sender's
/// own role: the lifecycle checks the role an event states on every device, and
/// this makes that role the truth, not a device's word.
fn approvals_by_sender(
    document_id: DocumentId,
    principal: &Principal,
    doc: &automerge::Automerge,
    access: &Option<DocAccess>,
    applied: &Applied,
) -> Result<(), HubError> {
    use fieldbook_core::model::event::EventKind;
    let is_request = access.as_ref().and_then(|a| a.kind.as_deref())
        == Some(fieldbook_core::model::access::RecordKind::ServiceRequest.as_str());
    if !is_request {
        return Ok(());
    }
    // A log that does not read is refused by every device's lifecycle anyway.
    let added = match fieldbook_core::doc::incident::events_added_since(doc, &applied.heads_before)
    {
        Ok(Some(added)) => added,
        Ok(None) => return Err(rewritten_log(document_id)),
        Err(_) => return Ok(()),
    };
    let claimed = added.iter().find_map(|event| match &event.kind {
        EventKind::Approved { role, .. } | EventKind::ApprovalRefused { role, .. } => Some(*role),
        _ => None,
    });
    match claimed {
        None => Ok(()),
        Some(role)
            if role == principal.role
                && fieldbook_core::model::lifecycle::approves(principal.role) =>
        {
            Ok(())
        }
        Some(_) => Err(HubError::NotAllowed {
            message: format!(
                "as {} {} you may not approve or refuse service requests; your changes to document {document_id} were not stored",
                article(principal.role.as_str()),
                principal.role,
            ),
        }),
    }
}

/// Refuses a change to what kind of record a document is. The server reads a
/// document's kind once, when it first arrives, and checks every later change
/// against it (who may write, the reference, approvals, verifications, service
/// levels); a document that arrived as one kind (or none) and became another
/// would pass none of those checks.
fn kind_unchanged(
    document_id: DocumentId,
    doc: &automerge::Automerge,
    applied: &Applied,
) -> Result<(), HubError> {
    if applied.heads_before.is_empty() {
        return Ok(());
    }
    let before = fieldbook_core::doc::kind_at(doc, &applied.heads_before);
    let now = fieldbook_core::doc::kind_of(doc);
    if before == now {
        return Ok(());
    }
    let name = |kind: &Option<String>| match kind {
        Some(kind) => format!("a record of kind “{kind}”"),
        None => "a record of no kind".to_owned(),
    };
    Err(not_stored(
        document_id,
        format!(
            "a record's kind never changes, and this change makes {} {}",
            name(&before),
            name(&now)
        ),
    ))
}

/// A change that alters an event already in a log: the log only grows.
fn rewritten_log(document_id: DocumentId) -> HubError {
    not_stored(
        document_id,
        "the change alters events already in the record's history, which only grows",
    )
}

/// A refusal: `why`, and that nothing of the change was stored.
fn not_stored(document_id: DocumentId, why: impl fmt::Display) -> HubError {
    HubError::NotAllowed {
        message: format!("{why}; your changes to document {document_id} were not stored"),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A fresh server peer id, `fieldbook-server-` and 16 random hex digits.
pub fn random_peer_id() -> PeerId {
    let bytes: [u8; 8] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    PeerId::parse(format!("fieldbook-server-{hex}")).expect("34 bytes of text is a valid peer id")
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The maps stay consistent even if a holder panicked: every update is one call.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
