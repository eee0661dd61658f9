//! A panic while the server handles one document ends that document's sync for the
//! connection that caused it, not the process: with the `--test-panic-doc` hook, a
//! change that sets `fieldbook-test-panic` on the chosen document panics the server
//! as a bug in Automerge would.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use fieldbook_sync_server::hub::TEST_PANIC_KEY;

use crate::flagged_server::FlaggedServer;
use crate::http;
use crate::test_client::TestClient;
use crate::{new_incident, random_id};

fn put(key: &'static str, value: i64) -> impl FnOnce(&mut automerge::Automerge) {
    move |d| {
        d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, key, value))
            .expect("change");
    }
}

#[tokio::test]
async fn a_panic_on_one_document_closes_only_the_connection_that_caused_it() {
    let (poisoned, healthy) = (random_id(), random_id());
    let mut server = FlaggedServer::start(&["--test-panic-doc", &poisoned.to_string()]).await;

    // 1. Two clients sync the document the hook watches; a third syncs another.
    let mut culprit = TestClient::connect(server.addr, "culprit").await;
    culprit
        .create(poisoned, new_incident("Scanner gun 12 reboots on scan"))
        .await;
    culprit
        .until("the incident is acknowledged", |c| c.acked(poisoned))
        .await;
    let mut peer = TestClient::connect(server.addr, "peer").await;
    peer.request(poisoned).await;
    let heads = culprit.heads(poisoned);
    peer.until("the peer has the incident", |c| c.heads(poisoned) == heads)
        .await;
    let mut bystander = TestClient::connect(server.addr, "bystander").await;
    bystander
        .create(healthy, new_incident("Label printer out of ribbon"))
        .await;
    bystander
        .until("the incident is acknowledged", |c| c.acked(healthy))
        .await;

    // 2. The culprit's change trips the hook: it gets an `error` and is closed.
    culprit.change(poisoned, put(TEST_PANIC_KEY, 1)).await;
    culprit.until("an error and the close", |c| c.closed).await;
    assert_eq!(culprit.errors.len(), 1, "{:?}", culprit.errors);
    assert!(
        culprit.errors[0].contains(&poisoned.to_string()),
        "{:?}",
        culprit.errors
    );
    assert_eq!(server.metric("fieldbook_document_panics_total").await, 1);
    assert!(server.is_running());

    // 3. The other client of that document syncs on, from what was stored: its
    //    change is acknowledged, and the poison never reached it.
    peer.change(poisoned, put("after", 2)).await;
    peer.until("the peer's change is acknowledged", |c| c.acked(poisoned))
        .await;
    assert!(!peer.closed && peer.errors.is_empty(), "{:?}", peer.errors);
    assert!(matches!(
        peer.doc(poisoned).get(ROOT, TEST_PANIC_KEY),
        Ok(None)
    ));

    // 4. Another document, and the server as a whole, never noticed.
    bystander.change(healthy, put("after", 2)).await;
    bystander
        .until("the change is acknowledged", |c| c.acked(healthy))
        .await;
    assert!(!bystander.closed && bystander.errors.is_empty());
    assert_eq!(http::get(server.addr, "/healthz").await.status, 200);

    // 5. A newcomer reads the document as stored: the peer's change, no poison.
    let mut newcomer = TestClient::connect(server.addr, "newcomer").await;
    newcomer.request(poisoned).await;
    let heads = peer.heads(poisoned);
    newcomer
        .until("the newcomer has the document", |c| {
            c.heads(poisoned) == heads
        })
        .await;
    assert!(matches!(
        newcomer.doc(poisoned).get(ROOT, TEST_PANIC_KEY),
        Ok(None)
    ));
    assert!(server.is_running());
}
