//! The hub driven directly, with core's `DocSync` as the clients: memory bounds, the
//! per-connection document limit, slow connections, and panics.

use std::num::NonZeroUsize;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use async_trait::async_trait;

use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};

use super::*;
use crate::store::{ChangeReceipt, Chunk, ChunkId, Site, SqliteStore};

const SERVER: &str = "server";

/// One client: a registered connection and its side of each document's sync.
struct Client {
    conn: ConnId,
    outbox: mpsc::Receiver<Outbound>,
    evicted: Arc<Notify>,
    docs: HashMap<DocumentId, DocSync<&'static str>>,
}

impl Client {
    fn register(hub: &Hub) -> Client {
        let Registration {
            conn,
            outbox,
            evicted,
        } = hub.register(crate::test_support::technician());
        Client {
            conn,
            outbox,
            evicted,
            docs: HashMap::new(),
        }
    }

    /// Starts syncing `id`, from an empty document.
    fn open(&mut self, id: DocumentId) {
        let mut sync = DocSync::new(Automerge::new());
        sync.connect(SERVER);
        self.docs.insert(id, sync);
    }

    fn put(&mut self, id: DocumentId, key: &str, value: i64) {
        let sync = self.docs.get_mut(&id).expect("an open document");
        sync.change(|d| {
            d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, key, value))
                .expect("put")
        });
    }

    /// Exchanges messages with the hub until neither side has anything to say.
    async fn settle(&mut self, hub: &Hub, id: DocumentId) -> Result<(), HubError> {
        for _ in 0..20 {
            self.take_outbox();
            let sync = self.docs.get_mut(&id).expect("an open document");
            let Some(message) = sync.generate_for(&SERVER) else {
                return Ok(());
            };
            hub.sync(self.conn, id, &message, false).await?;
        }
        panic!("sync did not settle");
    }

    /// Applies everything the hub queued for this client; returns how many messages.
    fn take_outbox(&mut self) -> usize {
        let mut taken = 0;
        while let Ok(outbound) = self.outbox.try_recv() {
            taken += 1;
            if let Outbound::Sync { document_id, data } = outbound {
                if let Some(sync) = self.docs.get_mut(&document_id) {
                    sync.receive(&SERVER, &data).expect("a valid sync message");
                }
            }
        }
        taken
    }

    fn doc(&self, id: DocumentId) -> &Automerge {
        self.docs.get(&id).expect("an open document").doc()
    }
}

fn id(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}

fn nz(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("non-zero")
}

async fn hub(dir: &tempfile::TempDir, limits: Limits) -> Hub {
    let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let store = Arc::new(SqliteStore::open(&url).await.expect("open the store"));
    crate::test_support::seed(store.as_ref(), store.as_ref()).await;
    Hub::with_limits(store.clone(), store, random_peer_id(), limits)
}

#[tokio::test]
async fn idle_documents_beyond_the_cap_leave_memory_and_load_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = hub(
        &dir,
        Limits {
            max_idle_documents: 3,
            ..Limits::default()
        },
    )
    .await;

    // 1. Ten documents, each synced by a connection that then closes.
    for n in 0..10 {
        let mut client = Client::register(&hub);
        client.open(id(n));
        client.put(id(n), "n", i64::from(n));
        client.settle(&hub, id(n)).await.expect("sync");
        assert_eq!(hub.stats().documents_resident, 1 + usize::from(n.min(3)));
        hub.unregister(client.conn).await;
        let stats = hub.stats();
        assert!(stats.documents_resident <= 3, "{stats:?}");
        assert_eq!(stats.documents_idle, stats.documents_resident);
    }

    // 2. The first one left memory; syncing it again loads it from storage.
    let mut client = Client::register(&hub);
    client.open(id(0));
    client.settle(&hub, id(0)).await.expect("sync");
    client.take_outbox();
    assert_eq!(
        client
            .doc(id(0))
            .get(ROOT, "n")
            .expect("read")
            .map(|(v, _)| v.as_i64()),
        Some(Some(0))
    );
    assert_eq!(
        hub.stats().documents_idle,
        3,
        "the document in use is not idle"
    );
}

#[tokio::test]
async fn a_zero_cap_drops_every_document_no_one_syncs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = hub(
        &dir,
        Limits {
            max_idle_documents: 0,
            ..Limits::default()
        },
    )
    .await;
    let mut first = Client::register(&hub);
    let mut second = Client::register(&hub);
    for client in [&mut first, &mut second] {
        client.open(id(1));
        client.settle(&hub, id(1)).await.expect("sync");
    }
    hub.unregister(first.conn).await;
    assert_eq!(
        hub.stats().documents_resident,
        1,
        "still synced by the second"
    );
    hub.unregister(second.conn).await;
    assert_eq!(hub.stats().documents_resident, 0);
}

#[tokio::test]
async fn a_connection_may_sync_only_so_many_documents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = hub(
        &dir,
        Limits {
            max_documents_per_connection: nz(2),
            ..Limits::default()
        },
    )
    .await;
    let mut client = Client::register(&hub);
    for n in 1..=2 {
        client.open(id(n));
        client.settle(&hub, id(n)).await.expect("within the limit");
    }
    client.put(id(1), "again", 1);
    client
        .settle(&hub, id(1))
        .await
        .expect("a document it already syncs");
    client.open(id(3));
    let error = client.settle(&hub, id(3)).await.expect_err("one too many");
    assert!(
        matches!(error, HubError::TooManyDocuments { limit: 2 }),
        "{error}"
    );
    // Another connection has its own allowance.
    let mut other = Client::register(&hub);
    other.open(id(3));
    other.settle(&hub, id(3)).await.expect("sync");
}

#[tokio::test]
async fn a_connection_whose_outbox_overflows_is_evicted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = hub(
        &dir,
        Limits {
            outbox_capacity: nz(4),
            ..Limits::default()
        },
    )
    .await;
    let mut writer = Client::register(&hub);
    let mut reader = Client::register(&hub);
    writer.open(id(1));
    writer.put(id(1), "n", 0);
    writer.settle(&hub, id(1)).await.expect("sync");
    reader.open(id(1));
    reader.settle(&hub, id(1)).await.expect("sync");
    reader.take_outbox();

    // The reader stops taking its messages; the writer goes on.
    for n in 1..=10 {
        writer.put(id(1), "n", n);
        writer
            .settle(&hub, id(1))
            .await
            .expect("the writer is not held back");
    }
    tokio::time::timeout(Duration::from_secs(5), reader.evicted.notified())
        .await
        .expect("the reader was evicted");
    assert_eq!(reader.take_outbox(), 4, "no more than the capacity waited");
    let writer_evicted = tokio::time::timeout(Duration::ZERO, writer.evicted.notified()).await;
    assert!(writer_evicted.is_err(), "the writer keeps up");
}

#[tokio::test]
async fn a_panic_closes_the_culprit_and_restarts_the_others_from_storage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = hub(&dir, Limits::default()).await;
    let (poisoned, healthy) = (id(1), id(2));
    hub.inject_test_panic(poisoned);

    // 1. Two connections sync the document; a third syncs another one.
    let mut culprit = Client::register(&hub);
    let mut peer = Client::register(&hub);
    let mut bystander = Client::register(&hub);
    culprit.open(poisoned);
    culprit.put(poisoned, "n", 1);
    culprit.settle(&hub, poisoned).await.expect("sync");
    peer.open(poisoned);
    peer.settle(&hub, poisoned).await.expect("sync");
    peer.take_outbox();
    bystander.open(healthy);
    bystander.put(healthy, "n", 1);
    bystander.settle(&hub, healthy).await.expect("sync");

    // 2. A change that trips the hook: the culprit's sync fails with the panic.
    culprit.put(poisoned, TEST_PANIC_KEY, 1);
    let error = culprit
        .settle(&hub, poisoned)
        .await
        .expect_err("the hook panics");
    assert!(
        matches!(error, HubError::Panicked { document, .. } if document == poisoned),
        "{error}"
    );
    assert_eq!(hub.stats().document_panics, 1);

    // 3. The peer was sent a fresh start from what is stored, without the poison.
    assert!(peer.take_outbox() >= 1, "the peer's sync restarted");
    peer.settle(&hub, poisoned)
        .await
        .expect("the peer syncs on");
    peer.put(poisoned, "m", 2);
    peer.settle(&hub, poisoned)
        .await
        .expect("and its changes are accepted");
    peer.take_outbox();
    assert!(peer.docs[&poisoned].peer_has_everything(&SERVER));
    assert!(matches!(
        peer.doc(poisoned).get(ROOT, TEST_PANIC_KEY),
        Ok(None)
    ));

    // 4. Other documents never noticed.
    bystander.put(healthy, "n", 2);
    bystander.settle(&hub, healthy).await.expect("sync");
    bystander.take_outbox();
    assert!(bystander.docs[&healthy].peer_has_everything(&SERVER));
}

/// A store whose loads fail while `fail_loads` is set, as an unreachable database would.
struct FlakyLoads {
    inner: SqliteStore,
    fail_loads: AtomicBool,
}

#[async_trait]
impl Store for FlakyLoads {
    async fn load(&self, doc: DocumentId) -> Result<Option<Vec<Chunk>>, StoreError> {
        if self.fail_loads.load(Ordering::SeqCst) {
            return Err(StoreError::Corrupt("the test made loading fail".to_owned()));
        }
        self.inner.load(doc).await
    }
    async fn append(
        &self,
        doc: DocumentId,
        bytes: &[u8],
        receipt: &Receipt,
    ) -> Result<ChunkId, StoreError> {
        self.inner.append(doc, bytes, receipt).await
    }
    async fn compact(
        &self,
        doc: DocumentId,
        snapshot: &[u8],
        replaces: &[ChunkId],
    ) -> Result<ChunkId, StoreError> {
        self.inner.compact(doc, snapshot, replaces).await
    }
    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        self.inner.sites().await
    }
    async fn add_site(
        &self,
        organisation: &str,
        id: &str,
        name: &str,
        catalog: DocumentId,
    ) -> Result<(), StoreError> {
        self.inner.add_site(organisation, id, name, catalog).await
    }
    async fn receipts(&self, doc: DocumentId) -> Result<Vec<ChangeReceipt>, StoreError> {
        self.inner.receipts(doc).await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
}

#[tokio::test]
async fn when_a_panicked_document_cannot_be_reloaded_its_other_connections_are_closed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let inner = SqliteStore::open(&url).await.expect("open the store");
    crate::test_support::seed(&inner, &inner).await;
    let directory: Arc<dyn Directory> = Arc::new(inner.clone());
    let store = Arc::new(FlakyLoads {
        inner,
        fail_loads: AtomicBool::new(false),
    });
    let hub = Hub::new(
        Arc::clone(&store) as Arc<dyn Store>,
        directory,
        random_peer_id(),
    );
    let poisoned = id(1);
    hub.inject_test_panic(poisoned);
    let mut culprit = Client::register(&hub);
    let mut peer = Client::register(&hub);
    culprit.open(poisoned);
    culprit.put(poisoned, "n", 1);
    culprit.settle(&hub, poisoned).await.expect("sync");
    peer.open(poisoned);
    peer.settle(&hub, poisoned).await.expect("sync");
    peer.take_outbox();

    // 1. The panic, while storage cannot be read.
    store.fail_loads.store(true, Ordering::SeqCst);
    culprit.put(poisoned, TEST_PANIC_KEY, 1);
    let error = culprit
        .settle(&hub, poisoned)
        .await
        .expect_err("the hook panics");
    assert!(matches!(error, HubError::Panicked { .. }), "{error}");

    // 2. The peer is told to close, with a reason.
    let outbound = peer.outbox.try_recv().expect("a message for the peer");
    assert!(
        matches!(&outbound, Outbound::Close { message } if message.contains("reconnect")),
        "{outbound:?}"
    );

    // 3. Once storage is back, a reconnecting peer loads the document again.
    store.fail_loads.store(false, Ordering::SeqCst);
    hub.unregister(peer.conn).await;
    let mut again = Client::register(&hub);
    again.open(poisoned);
    again.settle(&hub, poisoned).await.expect("sync");
    again.take_outbox();
    assert!(matches!(again.doc(poisoned).get(ROOT, "n"), Ok(Some(_))));
}
