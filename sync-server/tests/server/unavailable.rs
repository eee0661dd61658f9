//! A `request` for a document the server never saw.

use crate::random_id;
use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;

backend_tests!(tokio::test; requesting_an_unknown_document_is_answered_doc_unavailable);

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
