//! The device's documents and their sync with the server.
//!
//! [`Repo`] owns every loaded Automerge document (as a `DocSync` with one peer,
//! the server), the IndexedDB store, and the socket. Every operation that touches
//! documents runs under one async lock, in order: a received frame is applied,
//! persisted, and only then answered; a local edit is persisted before the UI
//! says "saved on device" and only then offered to the server.
//!
//! The UI reads [`Signals`]: record summaries, the sync status, and a revision
//! counter that moves whenever any document changes.

mod actions;
mod audits;
mod inbox;
mod records;
mod retry;
mod service_levels;
mod status;
mod templates;
mod transfer;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use automerge::{ActorId, Automerge, ChangeHash};
use fieldbook_core::doc::{catalog, history, incident, Stamp};
use fieldbook_core::ids::{DocumentId, PeerId};
use fieldbook_core::model::incident::Incident;
use fieldbook_core::model::signature::{ChangeAfterSigning, Signature, SignerName};
use fieldbook_core::sync::pacing::Pacer;
use fieldbook_core::sync::{resting, Connection, DocSync};
use fieldbook_core::wire::PeerMetadata;
use futures::lock::Mutex;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::profile::Profile;
use crate::store::{Batch, LocalStore, StoreError, Summary, SyncRow};
use crate::transport::{backoff_ms, Socket, SocketEvents};
pub use actions::ActionDraft;
pub use audits::{count, AuditRecord};
pub use service_levels::SiteLevels;
pub use status::SyncStatus;
pub use transfer::{Export, Imported};

/// The only peer a browser syncs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Server;

/// Chunks a document may gather on the device before they are compacted into one snapshot.
const COMPACT_AFTER_CHUNKS: usize = 32;

/// What the UI reads. All are `Copy` handles.
#[derive(Clone, Copy)]
pub struct Signals {
    pub summaries: RwSignal<Vec<Summary>>,
    pub status: RwSignal<SyncStatus>,
    /// Moves whenever any document changes, locally or from the server.
    pub revision: RwSignal<u64>,
    pub profile: RwSignal<Option<Profile>>,
}

/// An action that could not be done, in words for the person who asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("this record could not be read: {0}")]
    Unreadable(String),
    #[error("your site's records have not reached this device yet; connect to the network once")]
    NoSite,
    #[error("{0}")]
    Invalid(String),
}

/// An incident as the incident page shows it (see [`Repo::incident_record`]).
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRecord {
    pub incident: Incident,
    /// Ids of the events the server has acknowledged.
    pub confirmed_events: std::collections::BTreeSet<String>,
    /// Every change to the document, in causal order (oldest first).
    pub history: Vec<HistoryEntry>,
    /// The customer's signatures, oldest first, each with what changed after it.
    pub signatures: Vec<SignedVersion>,
    /// This device's Automerge actor (hex), to tell its own changes apart.
    pub this_device: String,
}

/// One Automerge change, from its metadata (`doc::history::changes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The change's hash (hex): its server receipt's key, and the point "as at" shows.
    pub hash: String,
    /// The actor (hex) of the device that made it.
    pub device: String,
    /// Device time of the change, in seconds (Automerge change metadata).
    pub device_time_s: i64,
    /// What the change did, as the writer described it.
    pub message: Option<String>,
    /// Whether the server has acknowledged it.
    pub on_server: bool,
}

/// A signature, and what the record has now that the signed version did not
/// (`doc::incident::changed_after_signing`); `None` if that version cannot be read.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedVersion {
    pub signature: Signature,
    pub changed_after: Option<Vec<ChangeAfterSigning>>,
}

struct Loaded {
    sync: DocSync<Server>,
    chunks: usize,
}

#[derive(Default)]
struct Inner {
    docs: HashMap<DocumentId, Loaded>,
    sync_rows: HashMap<String, SyncRow>,
    socket: Option<Socket>,
    connection: Option<Connection>,
    attempts: u32,
    reconnect: Option<gloo::timers::callback::Timeout>,
    /// Documents asked of the server and not yet answered.
    pending: HashSet<DocumentId>,
    /// Frames received and not yet handled ([`inbox`]).
    inbox: std::collections::VecDeque<Vec<u8>>,
    /// Whether a task is handling the inbox.
    draining: bool,
    /// Documents waiting to be offered to the server, in order ([`Repo::pump`]).
    offers: std::collections::VecDeque<DocumentId>,
    /// How fast offers may go (`sync::pacing`); made anew at each connection.
    pacer: Option<Pacer>,
    /// Documents offered on this connection: the server answers an offer once,
    /// so one made again on the same connection would wait for ever.
    offered: HashSet<DocumentId>,
    /// Comes back to [`Repo::pump`] when the rate held offers back.
    pump_timer: Option<gloo::timers::callback::Timeout>,
}

/// The device's document repository.
pub struct Repo {
    store: Rc<LocalStore>,
    actor: ActorId,
    peer_id: PeerId,
    signals: Signals,
    ops: Mutex<()>,
    inner: RefCell<Inner>,
}

impl Repo {
    /// Opens the device's storage and starts syncing in the background.
    pub async fn start(signals: Signals) -> Result<Rc<Repo>, StoreError> {
        let store = Rc::new(LocalStore::open().await?);
        let actor = match store.get_meta::<String>("device").await? {
            Some(hex) => ActorId::from(hex_decode(&hex).unwrap_or_else(random_bytes)),
            None => {
                let actor = ActorId::from(random_bytes());
                store.put_meta("device", &actor.to_hex_string()).await?;
                actor
            }
        };
        let profile = store.get_meta::<Profile>("profile").await?;
        let last_sync_ms = store.get_meta::<i64>("lastSync").await?;
        if store.get_meta::<bool>("persistence").await?.is_none() {
            // Asked once per device: may the browser keep this data under storage pressure?
            let granted = crate::ui::request_persistence().await.unwrap_or(false);
            store.put_meta("persistence", &granted).await?;
        }
        let mut summaries = store.summaries().await?;
        sort_summaries(&mut summaries);
        let sync_rows: HashMap<String, SyncRow> = store.sync_rows().await?.into_iter().collect();
        let unacked = sync_rows.values().map(|r| r.unacked).sum();
        signals.summaries.set(summaries);
        signals.profile.set(profile);
        signals.status.update(|s| {
            s.unacked = unacked;
            s.online = navigator_online();
            s.last_sync_ms = last_sync_ms;
        });
        let peer_id = PeerId::parse(format!("browser-{}", hex_encode(&random_bytes())))
            .map_err(|e| StoreError::Open(e.to_string()))?;
        let repo = Rc::new(Repo {
            store,
            actor,
            peer_id,
            signals,
            ops: Mutex::new(()),
            inner: RefCell::new(Inner {
                sync_rows,
                ..Inner::default()
            }),
        });
        repo.watch_network();
        repo.watch_storage();
        repo.refresh_profile();
        repo.connect();
        Ok(repo)
    }

    pub fn signals(&self) -> Signals {
        self.signals
    }

    /// The device's storage, for what lives beside the documents (photos).
    pub fn store(&self) -> Rc<LocalStore> {
        self.store.clone()
    }

    /// Attaches a photo to an incident, as one saved action. The photo's bytes must
    /// already be on the device (`blobs::add_photo` stores them first), so the
    /// record never names a photo this device cannot show.
    pub async fn attach_photo(
        &self,
        id: DocumentId,
        blob: fieldbook_core::model::evidence::BlobHash,
        caption: String,
    ) -> Result<(), ActionError> {
        self.change_incident(id, |d, stamp| {
            incident::attach_photo(d, blob, &caption, stamp)
                .map(drop)
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Records the customer's signature on a resolved incident, as one saved
    /// action. The picture's bytes must already be on the device
    /// (`blobs::add_signature` stores them first). Core refuses it, in words, if
    /// the incident is not resolved.
    pub async fn sign(
        &self,
        id: DocumentId,
        blob: fieldbook_core::model::evidence::BlobHash,
        signer: SignerName,
    ) -> Result<(), ActionError> {
        self.change_incident(id, |d, stamp| {
            incident::sign(d, blob, &signer, stamp)
                .map(drop)
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Reads an incident, loading its document from the device if needed.
    pub async fn incident(&self, id: DocumentId) -> Result<Incident, ActionError> {
        let _op = self.ops.lock().await;
        self.ensure_loaded(id).await?;
        let inner = self.inner.borrow();
        let loaded = inner
            .docs
            .get(&id)
            .ok_or(ActionError::Unreadable(id.to_string()))?;
        incident::read(loaded.sync.doc()).map_err(|e| ActionError::Unreadable(e.to_string()))
    }

    /// Logs a new incident or service request at the person's first site, under
    /// that site's standing service levels (`Repo::site_levels`), and lists it
    /// in that site's catalog.
    pub async fn create_incident(
        self: &Rc<Self>,
        new: incident::NewIncident,
    ) -> Result<DocumentId, ActionError> {
        let _op = self.ops.lock().await;
        let site = self
            .signals
            .profile
            .get_untracked()
            .and_then(|p| p.sites.into_iter().next())
            .ok_or(ActionError::NoSite)?;
        let catalog_id: DocumentId = site.catalog.parse().map_err(|_| ActionError::NoSite)?;
        self.ensure_loaded(catalog_id).await?;
        let levels = self.levels_locked(&site.id).await.standing();
        let id = DocumentId::from_bytes(random_bytes());
        let stamp = now();
        let new = incident::NewIncident {
            site: site.id.clone(),
            ..new
        };
        let mut doc = DocSync::new(Automerge::new().with_actor(self.actor.clone()));
        let (created, incident_changes) =
            doc.change(|d| incident::create_under(d, &new, &levels, stamp));
        created.map_err(|e| ActionError::Invalid(e.to_string()))?;

        let catalog_changes = {
            let mut inner = self.inner.borrow_mut();
            let loaded = inner.docs.get_mut(&catalog_id).ok_or(ActionError::NoSite)?;
            let entry = catalog::Entry {
                id,
                kind: new.kind.as_str().into(),
            };
            let (added, changes) = loaded.sync.change(|d| catalog::add(d, &entry, stamp));
            added.map_err(|_| ActionError::NoSite)?;
            changes
        };
        if self.inner.borrow().connection.is_some() {
            doc.connect(Server);
        }
        self.inner.borrow_mut().docs.insert(
            id,
            Loaded {
                sync: doc,
                chunks: 0,
            },
        );

        let mut batch = Batch::default();
        self.stage(&mut batch, id, incident_changes.changes);
        self.stage(&mut batch, catalog_id, catalog_changes.changes);
        self.commit(batch).await?;
        self.saved();
        self.send_pending(&[id, catalog_id]);
        Ok(id)
    }

    /// Applies a person's edits to an incident, as one saved action.
    pub async fn edit_incident(
        &self,
        id: DocumentId,
        edits: Vec<incident::Edit>,
    ) -> Result<(), ActionError> {
        self.change_incident(id, |d, stamp| {
            edits
                .iter()
                .try_for_each(|edit| incident::edit(d, edit, stamp))
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Records a person's workflow action on an incident (assign, hold, resolve, …)
    /// as one saved change: the lifecycle checks it against the log
    /// (`doc::incident::perform`), the event is written to the device, then offered
    /// to the server. A refusal comes back as [`ActionError::Invalid`] in the
    /// lifecycle's words, and nothing is written.
    pub async fn perform(
        &self,
        id: DocumentId,
        command: fieldbook_core::model::action::Command,
    ) -> Result<(), ActionError> {
        use fieldbook_core::doc::incident::PerformError;
        self.change_incident(id, |d, stamp| match incident::perform(d, command, stamp) {
            Ok(_) => Ok(()),
            Err(PerformError::Refused(refusal)) => Err(ActionError::Invalid(refusal.to_string())),
            Err(e) => Err(ActionError::Invalid(e.to_string())),
        })
        .await
    }

    /// One person's action on a loaded incident: `change` runs on the document with
    /// the device time read once; what it adds is saved on the device (strict
    /// durability) and then offered to the server. If it fails, nothing it may have
    /// half-applied stays in memory: the document reloads from what is stored.
    async fn change_incident(
        &self,
        id: DocumentId,
        change: impl FnOnce(&mut Automerge, Stamp) -> Result<(), ActionError>,
    ) -> Result<(), ActionError> {
        let _op = self.ops.lock().await;
        self.change_locked(id, change).await
    }

    /// As [`Repo::change_incident`], for a caller that holds the ops lock.
    async fn change_locked(
        &self,
        id: DocumentId,
        change: impl FnOnce(&mut Automerge, Stamp) -> Result<(), ActionError>,
    ) -> Result<(), ActionError> {
        self.ensure_loaded(id).await?;
        let stamp = now();
        let changes = {
            let mut inner = self.inner.borrow_mut();
            let loaded = inner
                .docs
                .get_mut(&id)
                .ok_or(ActionError::Unreadable(id.to_string()))?;
            let (result, applied) = loaded.sync.change(|d| change(d, stamp));
            if let Err(e) = result {
                if !applied.is_empty() {
                    inner.docs.remove(&id);
                }
                return Err(e);
            }
            applied.changes
        };
        let mut batch = Batch::default();
        self.stage(&mut batch, id, changes);
        self.commit(batch).await?;
        self.saved();
        self.send_pending(&[id]);
        Ok(())
    }

    /// An incident with what the server has acknowledged of it and its change
    /// history: what the incident page shows. "Confirmed" events and changes are
    /// those under the heads the server acknowledged (the sync row).
    pub async fn incident_record(&self, id: DocumentId) -> Result<IncidentRecord, ActionError> {
        let _op = self.ops.lock().await;
        self.ensure_loaded(id).await?;
        let inner = self.inner.borrow();
        let loaded = inner
            .docs
            .get(&id)
            .ok_or(ActionError::Unreadable(id.to_string()))?;
        let doc = loaded.sync.doc();
        let incident = incident::read(doc).map_err(|e| ActionError::Unreadable(e.to_string()))?;
        let acked: Vec<ChangeHash> = inner
            .sync_rows
            .get(&id.to_string())
            .map(|row| {
                row.acked
                    .iter()
                    .filter_map(|h| h.parse::<ChangeHash>().ok())
                    .filter(|h| doc.get_change_by_hash(h).is_some())
                    .collect()
            })
            .unwrap_or_default();
        // Unknown heads: treat nothing as confirmed (provisional, never falsely final).
        let confirmed_events = incident::confirmed_event_ids(doc, &acked).unwrap_or_default();
        let unconfirmed: HashSet<ChangeHash> = doc
            .get_changes_meta(&acked)
            .iter()
            .map(|c| c.hash)
            .collect();
        let history = history::changes(doc)
            .into_iter()
            .map(|c| HistoryEntry {
                hash: c.hash.to_string(),
                device: c.device,
                device_time_s: c.device_time_s,
                message: c.message,
                on_server: !unconfirmed.contains(&c.hash),
            })
            .collect();
        let signatures = incident
            .signatures
            .iter()
            .map(|signature| SignedVersion {
                changed_after: incident::changed_after_signing(doc, &incident, signature).ok(),
                signature: signature.clone(),
            })
            .collect();
        Ok(IncidentRecord {
            incident,
            confirmed_events,
            history,
            signatures,
            this_device: self.actor.to_hex_string(),
        })
    }

    // ----- persistence ---------------------------------------------------------

    /// A person's action reached the device's storage: an earlier storage warning
    /// no longer describes the present.
    fn saved(&self) {
        self.signals.status.update(|s| s.error = None);
    }

    /// Adds a document's new changes, its summary and its sync row to a batch.
    fn stage(&self, batch: &mut Batch, id: DocumentId, changes: Vec<u8>) {
        if changes.is_empty() {
            return;
        }
        let key = id.to_string();
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let Some(loaded) = inner.docs.get_mut(&id) else {
            return;
        };
        loaded.chunks += 1;
        if let Ok(incident) = incident::read(loaded.sync.doc()) {
            batch
                .summaries
                .push(Summary::of_incident(&key, &incident, now().at_ms));
        } else if let Some(summary) = records::summary_of(&key, loaded.sync.doc()) {
            batch.summaries.push(summary);
        }
        let row = sync_row(&loaded.sync, inner.sync_rows.get(&key));
        inner.sync_rows.insert(key.clone(), row.clone());
        batch.chunks.push((key.clone(), changes));
        batch.sync_rows.push((key, row));
    }

    /// Writes a batch, then shows its effects: summaries, the unacknowledged count.
    async fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let summaries = batch.summaries.clone();
        let ids: Vec<String> = batch.chunks.iter().map(|(id, _)| id.clone()).collect();
        if let Err(e) = self.store.write(batch).await {
            self.signals
                .status
                .update(|s| s.error = Some(e.to_string()));
            self.forget_unsaved(&ids).await;
            return Err(e);
        }
        self.signals.summaries.update(|all| {
            for s in summaries {
                match all.iter_mut().find(|x| x.id == s.id) {
                    Some(existing) => *existing = s,
                    None => all.push(s),
                }
            }
            sort_summaries(all);
        });
        self.publish_unacked();
        self.signals.revision.update(|r| *r += 1);
        for id in ids {
            self.compact_if_needed(&id).await;
        }
        Ok(())
    }

    /// After a failed write: drop what memory holds beyond the device's storage, so
    /// nothing unsaved is shown or sent. The documents reload from storage when next used.
    async fn forget_unsaved(&self, ids: &[String]) {
        {
            let mut inner = self.inner.borrow_mut();
            for id in ids.iter().filter_map(|k| k.parse::<DocumentId>().ok()) {
                inner.docs.remove(&id);
            }
        }
        if let Ok(rows) = self.store.sync_rows().await {
            self.inner.borrow_mut().sync_rows = rows.into_iter().collect();
        }
        self.publish_unacked();
    }

    async fn compact_if_needed(&self, key: &str) {
        let Ok(id) = key.parse::<DocumentId>() else {
            return;
        };
        let snapshot = {
            let inner = self.inner.borrow();
            match inner.docs.get(&id) {
                Some(l) if l.chunks > COMPACT_AFTER_CHUNKS => l.sync.doc().save(),
                _ => return,
            }
        };
        match self.store.compact(key, &snapshot).await {
            Ok(()) => {
                if let Some(l) = self.inner.borrow_mut().docs.get_mut(&id) {
                    l.chunks = 1;
                }
            }
            Err(e) => leptos::logging::warn!("compaction of {key} failed (nothing lost): {e}"),
        }
    }

    async fn ensure_loaded(&self, id: DocumentId) -> Result<(), StoreError> {
        if self.inner.borrow().docs.contains_key(&id) {
            return Ok(());
        }
        let key = id.to_string();
        let chunks = self.store.load_chunks(&key).await?;
        let count = chunks.len();
        let all: Vec<u8> = chunks
            .iter()
            .flat_map(|c| c.bytes.iter().copied())
            .collect();
        let (doc, damaged) = match Automerge::load(&all) {
            Ok(doc) => (doc, None),
            Err(error) => {
                leptos::logging::warn!(
                    "{id} does not load ({error}); setting damaged chunks aside"
                );
                let (doc, damaged) = load_readable(&chunks);
                (doc, Some(damaged))
            }
        };
        let mut sync = DocSync::new(doc.with_actor(self.actor.clone()));
        let damaged_chunks = damaged;
        let damaged = damaged_chunks.is_some();
        if let Some(chunks) = damaged_chunks {
            // First what the server is known to have, of what is left: the
            // record is then offered with the heads it really has at every
            // connect until it is whole again. Then the damaged chunks go aside.
            let row = sync_row(&sync, self.inner.borrow().sync_rows.get(&key));
            self.store
                .write(Batch {
                    sync_rows: vec![(key.clone(), row.clone())],
                    ..Batch::default()
                })
                .await?;
            self.inner.borrow_mut().sync_rows.insert(key.clone(), row);
            self.store.set_aside(&key, &chunks).await?;
            self.signals.status.update(|s| {
                s.error = Some(
                    "A damaged record on this device was set aside; it is being fetched \
                     again from the server."
                        .to_owned(),
                )
            });
        }
        let mut inner = self.inner.borrow_mut();
        if inner.connection.as_ref().is_some_and(Connection::is_open) {
            sync.connect(Server);
        }
        inner.docs.entry(id).or_insert(Loaded {
            sync,
            chunks: count,
        });
        drop(inner);
        // Found damaged on opening, after the connection offered the document by
        // its heads: ask the server for what was set aside now.
        if damaged {
            self.send_pending(&[id]);
        }
        Ok(())
    }

    fn publish_unacked(&self) {
        let total: u32 = self
            .inner
            .borrow()
            .sync_rows
            .values()
            .map(|r| r.unacked)
            .sum();
        // Before the profile names the site, the device does not know what to fetch.
        let pending = !self.inner.borrow().pending.is_empty()
            || !self.inner.borrow().offers.is_empty()
            || self.signals.profile.get_untracked().is_none();
        let before = self.signals.status.with_untracked(|s| s.last_sync_ms);
        self.signals.status.update(|s| {
            s.unacked = total;
            s.syncing = s.connected && (total > 0 || pending);
            if s.connected && total == 0 && !pending {
                s.last_sync_ms = Some(now().at_ms);
            }
        });
        // Remember the last complete sync across reloads (at most once a minute).
        let after = self.signals.status.with_untracked(|s| s.last_sync_ms);
        if let Some(at) = after {
            if before.is_none_or(|b| at - b > 60_000) {
                let store = self.store.clone();
                leptos::task::spawn_local(async move {
                    if let Err(e) = store.put_meta("lastSync", &at).await {
                        leptos::logging::warn!("the last sync time could not be kept: {e}");
                    }
                });
            }
        }
    }

    // ----- sync ----------------------------------------------------------------

    /// Opens the socket unless one is open, the device is offline, or no one is
    /// signed in.
    fn connect(self: &Rc<Self>) {
        if !navigator_online()
            || self.inner.borrow().socket.is_some()
            || self.signals.status.with_untracked(|s| s.signed_out)
        {
            return;
        }
        let events: Rc<dyn SocketEvents> = Rc::new(Events(Rc::downgrade(self)));
        match Socket::open(events) {
            Ok(socket) => self.inner.borrow_mut().socket = Some(socket),
            Err(e) => {
                leptos::logging::warn!("could not open the sync socket: {e}");
                self.schedule_reconnect();
            }
        }
    }

    fn disconnect(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.socket = None;
        inner.connection = None;
        inner.pending.clear();
        inner.offers.clear();
        inner.offered.clear();
        inner.pacer = None;
        inner.pump_timer = None;
        // Frames of the closed socket must not reach the next connection.
        inner.inbox.clear();
        for loaded in inner.docs.values_mut() {
            loaded.sync.disconnect(&Server);
        }
        drop(inner);
        self.signals.status.update(|s| {
            s.connected = false;
            s.syncing = false;
        });
    }

    fn schedule_reconnect(self: &Rc<Self>) {
        let attempt = {
            let mut inner = self.inner.borrow_mut();
            inner.attempts += 1;
            inner.attempts
        };
        let delay = backoff_ms(attempt - 1, js_sys::Math::random());
        let weak = Rc::downgrade(self);
        let timeout = gloo::timers::callback::Timeout::new(delay, move || {
            if let Some(repo) = weak.upgrade() {
                repo.inner.borrow_mut().reconnect = None;
                repo.connect();
            }
        });
        self.inner.borrow_mut().reconnect = Some(timeout);
    }

    fn on_open(&self) {
        let (connection, join) = Connection::initiator(
            self.peer_id.clone(),
            PeerMetadata {
                storage_id: Some(self.actor.to_hex_string()),
                is_ephemeral: false,
            },
        );
        let mut inner = self.inner.borrow_mut();
        inner.connection = Some(connection);
        if let Some(socket) = &inner.socket {
            let _ = socket.send(&join);
        }
    }

    fn on_closed(self: &Rc<Self>) {
        self.disconnect();
        // A refused upgrade looks like any other closed socket: ask who is signed
        // in, which stops the retries if the session ended.
        self.refresh_profile();
        self.schedule_reconnect();
    }

    /// After the handshake: offer every document on the device to the server, and
    /// ask for the site catalogs.
    async fn start_sync(&self) {
        let catalogs: Vec<DocumentId> = self.signals.profile.with_untracked(|p| {
            p.iter()
                .flat_map(|p| &p.sites)
                .filter_map(|s| s.catalog.parse().ok())
                .collect()
        });
        let mut ids = catalogs.clone();
        ids.extend(
            self.signals
                .summaries
                .get_untracked()
                .iter()
                .filter_map(|s| s.id.parse::<DocumentId>().ok()),
        );
        ids.extend(
            self.inner
                .borrow()
                .sync_rows
                .keys()
                .filter_map(|k| k.parse::<DocumentId>().ok()),
        );
        ids.sort();
        ids.dedup();
        // A document the server has whole stays on disk: its heads say so
        // (`sync::resting`). Catalogs are always loaded, to find what they list.
        let (resting, active): (Vec<DocumentId>, Vec<DocumentId>) = ids
            .into_iter()
            .partition(|id| !catalogs.contains(id) && self.resting_heads(*id).is_some());
        for id in &active {
            if let Err(e) = self.ensure_loaded(*id).await {
                leptos::logging::warn!("{id} could not be loaded for sync: {e}");
            }
        }
        {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            for loaded in inner.docs.values_mut() {
                if !loaded.sync.is_connected(&Server) {
                    loaded.sync.connect(Server);
                }
            }
            // Catalogs first: on a new device they say what else to fetch. Run
            // again on the same connection (the profile changed), only what was
            // not offered yet.
            let (first, rest): (Vec<DocumentId>, Vec<DocumentId>) =
                active.into_iter().partition(|id| catalogs.contains(id));
            let waiting: HashSet<DocumentId> = inner.offers.iter().copied().collect();
            let queued: Vec<DocumentId> = first
                .into_iter()
                .chain(rest)
                .chain(resting)
                .filter(|id| !inner.offered.contains(id) && !waiting.contains(id))
                .collect();
            inner.offers.extend(queued);
            if inner.pacer.is_none() {
                inner.pacer = Some(Pacer::device(now().at_ms));
            }
        }
        self.publish_unacked();
    }

    /// Offers queued documents to the server as fast as the pacing allows
    /// (`sync::pacing`): a loaded document with a sync message, a resting one
    /// by its heads. Called after connecting and after each burst of answers;
    /// when only the rate holds offers back, it comes back by itself.
    pub(super) fn pump(self: &Rc<Self>) {
        let batch: Vec<DocumentId> = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            if !inner.connection.as_ref().is_some_and(Connection::is_open) {
                return;
            }
            let Some(pacer) = inner.pacer.as_mut() else {
                return;
            };
            let n = pacer.take(now().at_ms, inner.pending.len(), inner.offers.len());
            let batch: Vec<DocumentId> = inner.offers.drain(..n).collect();
            inner.offered.extend(batch.iter().copied());
            batch
        };
        let (resting, loaded): (Vec<DocumentId>, Vec<DocumentId>) = batch
            .into_iter()
            .partition(|id| self.resting_heads(*id).is_some());
        self.send_pending(&loaded);
        self.announce_resting(&resting);
        let wait = {
            let inner = self.inner.borrow();
            match &inner.pacer {
                Some(pacer)
                    if !inner.offers.is_empty()
                        && inner.pending.len() < pacer.window()
                        && inner.pump_timer.is_none() =>
                {
                    // Not sooner than a tenth of a second: a few dozen offers
                    // at a time, not one per timer.
                    Some(pacer.wait_ms().max(100))
                }
                _ => None,
            }
        };
        if let Some(wait) = wait {
            let weak = Rc::downgrade(self);
            let timer = gloo::timers::callback::Timeout::new(wait, move || {
                if let Some(repo) = weak.upgrade() {
                    repo.inner.borrow_mut().pump_timer = None;
                    repo.pump();
                }
            });
            self.inner.borrow_mut().pump_timer = Some(timer);
        }
        self.publish_unacked();
    }

    /// The heads of a document that is not in memory and whose every change the
    /// server has acknowledged; `None` if it has unacknowledged changes, or the
    /// server never acknowledged any.
    fn resting_heads(&self, id: DocumentId) -> Option<Vec<ChangeHash>> {
        let inner = self.inner.borrow();
        if inner.docs.contains_key(&id) {
            return None;
        }
        let row = inner.sync_rows.get(&id.to_string())?;
        if row.unacked != 0 || row.acked.is_empty() {
            return None;
        }
        row.acked.iter().map(|h| h.parse().ok()).collect()
    }

    /// Tells the server the heads of documents it has whole, without loading
    /// them: each stays on disk unless the server answers with more.
    fn announce_resting(&self, ids: &[DocumentId]) {
        let messages: Vec<(DocumentId, Vec<u8>)> = ids
            .iter()
            .filter_map(|id| Some((*id, resting::resting_message(&self.resting_heads(*id)?))))
            .collect();
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let (Some(connection), Some(socket)) = (inner.connection.as_ref(), inner.socket.as_ref())
        else {
            return;
        };
        for (id, message) in messages {
            if let Some(frame) = connection.sync(id, message, false) {
                inner.pending.insert(id);
                let _ = socket.send(&frame);
            }
        }
    }

    /// Sends each document's next sync message, if it has one.
    fn send_pending(&self, ids: &[DocumentId]) {
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let (Some(connection), Some(socket)) = (inner.connection.as_ref(), inner.socket.as_ref())
        else {
            return;
        };
        if !connection.is_open() {
            return;
        }
        for id in ids {
            let Some(loaded) = inner.docs.get_mut(id) else {
                continue;
            };
            if !loaded.sync.is_connected(&Server) {
                loaded.sync.connect(Server);
            }
            let empty = loaded.sync.doc().get_heads().is_empty();
            let first = !loaded.sync.has_heard_from(&Server);
            if let Some(message) = loaded.sync.generate_for(&Server) {
                if let Some(frame) = connection.sync(*id, message, empty) {
                    // Until the server first answers for a document, we do not know
                    // what it has: the strip says "Syncing…", not "Up to date".
                    if first {
                        inner.pending.insert(*id);
                    }
                    let _ = socket.send(&frame);
                }
            }
        }
    }

    // ----- profile and network -----------------------------------------------

    /// Fetches who is signed in and their sites; keeps the cached copy when offline.
    /// If the server says no one is signed in, sync stops until someone signs in.
    fn refresh_profile(self: &Rc<Self>) {
        let repo = self.clone();
        leptos::task::spawn_local(async move {
            match crate::profile::fetch().await {
                Ok(profile) => repo.signed_in(profile).await,
                Err(crate::profile::FetchError::SignedOut(_)) => repo.stop_signed_out(),
                Err(crate::profile::FetchError::Unreachable(_)) => {}
            }
        });
    }

    /// Someone is signed in as `profile`: cache it and (re)start syncing.
    pub async fn signed_in(self: &Rc<Self>, profile: Profile) {
        let was_signed_out = self.signals.status.with_untracked(|s| s.signed_out);
        let changed = self.signals.profile.get_untracked().as_ref() != Some(&profile);
        if changed {
            if let Err(e) = self.store.put_meta("profile", &profile).await {
                leptos::logging::warn!("the profile could not be cached: {e}");
            }
            self.signals.profile.set(Some(profile));
        }
        if was_signed_out {
            self.signals.status.update(|s| s.signed_out = false);
            self.inner.borrow_mut().attempts = 0;
            self.connect();
        }
        if changed {
            let _op = self.ops.lock().await;
            self.start_sync().await;
            self.pump();
        }
    }

    /// Signs this browser out on the server. Everything on the device stays,
    /// including changes not yet on the server: they go up after the next sign-in.
    pub async fn sign_out(self: &Rc<Self>) -> Result<(), String> {
        crate::profile::sign_out().await?;
        self.stop_signed_out();
        Ok(())
    }

    fn stop_signed_out(&self) {
        self.signals.status.update(|s| s.signed_out = true);
        self.inner.borrow_mut().reconnect = None;
        self.disconnect();
    }

    /// When the browser closes the device's storage under the app (cleared or
    /// failing), says so and reopens it at once; nothing is deleted. A change being
    /// written at that moment fails on its own, with its own message.
    fn watch_storage(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        crate::store::strict::on_connection_lost(move || {
            let Some(repo) = weak.upgrade() else {
                return;
            };
            repo.signals.status.update(|s| {
                s.error = Some(
                    "The browser closed this device's storage; reopening it. \
                     Everything saved before is kept."
                        .to_owned(),
                )
            });
            leptos::task::spawn_local(async move {
                let message = match repo.store.reopen().await {
                    Ok(()) => "The browser closed this device's storage and Fieldbook reopened \
                               it. Everything saved before is kept."
                        .to_owned(),
                    Err(e) => format!(
                        "The browser closed this device's storage and it could not be \
                         reopened ({e}). Everything saved before is kept; Fieldbook tries \
                         again with your next change."
                    ),
                };
                repo.signals.status.update(|s| s.error = Some(message));
            });
        });
    }

    fn watch_network(self: &Rc<Self>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let weak = Rc::downgrade(self);
        let online = Closure::<dyn FnMut()>::new(move || {
            if let Some(repo) = weak.upgrade() {
                repo.signals.status.update(|s| s.online = true);
                repo.inner.borrow_mut().attempts = 0;
                repo.inner.borrow_mut().reconnect = None;
                repo.refresh_profile();
                repo.connect();
            }
        });
        let weak = Rc::downgrade(self);
        let offline = Closure::<dyn FnMut()>::new(move || {
            if let Some(repo) = weak.upgrade() {
                repo.signals.status.update(|s| s.online = false);
                repo.inner.borrow_mut().reconnect = None;
                repo.disconnect();
            }
        });
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        let _ =
            window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        // The repo lives as long as the page.
        online.forget();
        offline.forget();
    }
}

/// Bridges socket callbacks to the repo without keeping it alive.
struct Events(std::rc::Weak<Repo>);

impl SocketEvents for Events {
    fn opened(&self) {
        if let Some(repo) = self.0.upgrade() {
            repo.on_open();
        }
    }

    fn frame(&self, bytes: Vec<u8>) {
        if let Some(repo) = self.0.upgrade() {
            repo.receive(bytes);
        }
    }

    fn closed(&self) {
        if let Some(repo) = self.0.upgrade() {
            repo.on_closed();
        }
    }
}

/// Loads what can be read of a document whose chunks do not load together: each
/// chunk is kept if the document still loads with it. Returns the document and
/// the chunks that could not be read.
fn load_readable(chunks: &[crate::store::Chunk]) -> (Automerge, Vec<crate::store::Chunk>) {
    let mut good: Vec<u8> = Vec::new();
    let mut damaged = Vec::new();
    for chunk in chunks {
        let mut candidate = good.clone();
        candidate.extend_from_slice(&chunk.bytes);
        if Automerge::load(&candidate).is_ok() {
            good = candidate;
        } else {
            damaged.push(chunk.clone());
        }
    }
    let doc = Automerge::load(&good).unwrap_or_default();
    (doc, damaged)
}

/// What the server has acknowledged of a document, and what it has not.
fn sync_row(sync: &DocSync<Server>, previous: Option<&SyncRow>) -> SyncRow {
    let acked: Vec<ChangeHash> = match sync.shared_heads(&Server) {
        Some(shared) if !shared.is_empty() => shared.to_vec(),
        _ => previous
            .map(|row| {
                row.acked
                    .iter()
                    .filter_map(|h| h.parse::<ChangeHash>().ok())
                    .filter(|h| sync.doc().get_change_by_hash(h).is_some())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let unacked = sync.doc().get_changes(&acked).len() as u32;
    SyncRow {
        acked: acked.iter().map(ToString::to_string).collect(),
        unacked,
    }
}

fn sort_summaries(all: &mut [Summary]) {
    all.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then(b.created_at_ms.cmp(&a.created_at_ms))
    });
}

/// The device clock, read once per action.
pub fn now() -> Stamp {
    Stamp::at(js_sys::Date::now() as i64)
}

fn navigator_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(hex: &str) -> Option<[u8; 16]> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    bytes?.try_into().ok()
}

use automerge::ReadDoc as _;
