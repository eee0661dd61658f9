//! A `request` for a document the server never saw.

use crate::random_id;
use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;

backend_tests!(tokio::test;
    requesting_an_unknown_document_is_answered_doc_unavailable,
    a_document_someone_opened_but_never_filled_is_still_unavailable
);

async fn requesting_an_unknown_document_is_answered_doc_unavailable(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let id = random_id();

    let mut client = TestClient::connect(server.addr, "phone").await;
    client.request(id).await;
    client
        .until("doc-unavailable", |c| c.unavailable.contains(&id))
        .await;
    assert!(client.received.is_empty(), "no sync message for it");

    // The request did not create it.
    let mut other = TestClient::connect(server.addr, "tablet").await;
    other.request(id).await;
    other
        .until("doc-unavailable again", |c| c.unavailable.contains(&id))
        .await;
}

async fn a_document_someone_opened_but_never_filled_is_still_unavailable(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let id = random_id();

    // 1. A device offers an empty document: the server answers it, storing nothing.
    let mut opener = TestClient::connect(server.addr, "opener").await;
    opener.create(id, automerge::Automerge::new()).await;
    opener
        .until("the server's answer", |c| !c.received.is_empty())
        .await;

    // 2. Someone else looking for it is told it is not there, as for any unknown id.
    let mut seeker = TestClient::connect(server.addr, "seeker").await;
    seeker.request(id).await;
    seeker
        .until("doc-unavailable", |c| c.unavailable.contains(&id))
        .await;
    assert!(seeker.received.is_empty(), "no sync message for it");
}
