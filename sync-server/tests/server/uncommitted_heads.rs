//! The server never advertises heads it has not committed.
//!
//! The real `app()` on a real socket, over a store whose every append fails.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use axum::serve::ListenerExt;
use fieldbook_core::ids::DocumentId;
use fieldbook_sync_server::store::{
    BlobStore, ChangeReceipt, Chunk, ChunkId, Database, Directory, Receipt, Site, Store, StoreError,
};
use fieldbook_sync_server::{app, AppState};
use tokio::net::TcpListener;

use crate::test_client::TestClient;
use crate::test_db::TestDb;
use crate::{new_incident, random_id};

backend_tests!(tokio::test; a_change_that_cannot_be_stored_is_never_advertised);

/// A store whose appends fail while `refuse` is set, as a full disk would.
struct RefusingStore {
    inner: Arc<dyn Store>,
    refuse: AtomicBool,
    refused: AtomicUsize,
}

#[async_trait]
impl Store for RefusingStore {
    async fn load(&self, doc: DocumentId) -> Result<Option<Vec<Chunk>>, StoreError> {
        self.inner.load(doc).await
    }
    async fn append(
        &self,
        doc: DocumentId,
        bytes: &[u8],
        receipt: &Receipt,
    ) -> Result<ChunkId, StoreError> {
        if self.refuse.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        }
        self.inner.append(doc, bytes, receipt).await
    }
    async fn compact(&self, d: DocumentId, s: &[u8], r: &[ChunkId]) -> Result<ChunkId, StoreError> {
        self.inner.compact(d, s, r).await
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

async fn serve(
    dir: &Path,
    store: Arc<RefusingStore>,
    directory: Arc<dyn Directory>,
    blobs: Arc<dyn BlobStore>,
) -> std::net::SocketAddr {
    let db = Database {
        store: store.clone(),
        directory,
        blobs,
    };
    crate::credentials::ensure_people(&db).await;
    let token = crate::credentials::new_token(&db, "tech").await;
    let state = AppState::new(db, dir.join("nodist"));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    crate::credentials::register(addr, token);
    let listener = listener.tap_io(|tcp| tcp.set_nodelay(true).expect("TCP_NODELAY"));
    tokio::spawn(async move { axum::serve(listener, app(state)).await });
    addr
}

async fn a_change_that_cannot_be_stored_is_never_advertised(db: TestDb) {
    let opened = db.open_database().await;
    let store = Arc::new(RefusingStore {
        inner: opened.store,
        refuse: AtomicBool::new(true),
        refused: AtomicUsize::new(0),
    });
    let addr = serve(db.dir(), Arc::clone(&store), opened.directory, opened.blobs).await;
    let id: DocumentId = random_id();

    // 1. An observer syncs the (still empty) document, so the server pushes it
    //    whatever heads it advertises for it.
    let mut observer = TestClient::connect(addr, "observer").await;
    observer.create(id, Automerge::new()).await;
    observer
        .until("the server's first answer", |c| !c.received.is_empty())
        .await;

    // 2. A tablet sends an incident; storing it fails. It is told and closed.
    let mut tablet = TestClient::connect(addr, "tablet").await;
    tablet
        .create(id, new_incident("Wi-Fi down in warehouse B"))
        .await;
    tablet.until("the error and the close", |c| c.closed).await;
    assert!(
        store.refused.load(Ordering::SeqCst) >= 1,
        "an append was refused"
    );
    assert_eq!(tablet.errors.len(), 1, "{:?}", tablet.errors);
    assert!(
        tablet.errors[0].contains("nothing in this message was accepted"),
        "{:?}",
        tablet.errors
    );
    assert!(!tablet.acked(id));

    // 3. The disk recovers; the observer's own change is stored and acknowledged.
    //    Everything the server sent it before that acknowledgement is in `received`.
    store.refuse.store(false, Ordering::SeqCst);
    observer
        .change(id, |d| {
            d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "seen", true))
                .expect("change")
        })
        .await;
    observer
        .until("the observer's change is acknowledged", |c| c.acked(id))
        .await;

    // 4. Neither client was ever shown a head of the change that was not stored.
    let unstored = tablet.heads(id);
    for client in [&tablet, &observer] {
        for (doc, data) in &client.received {
            let message = automerge::sync::Message::decode(data).expect("a sync message");
            assert!(
                *doc != id || !unstored.iter().any(|h| message.heads.contains(h)),
                "the server advertised a head it never stored"
            );
        }
    }
    assert!(observer
        .doc(id)
        .get_change_meta_by_hash(&unstored[0])
        .is_none());
}
