//! Idle documents leave memory: with `--max-idle-documents 4`, syncing many documents
//! one after another keeps at most four in memory once their clients are gone, as
//! `/metrics` reports; a document that left is read back from storage.

use fieldbook_core::doc::incident;

use crate::flagged_server::FlaggedServer;
use crate::http;
use crate::test_client::TestClient;
use crate::{new_incident, random_id};

const CAP: u64 = 4;

#[tokio::test]
async fn syncing_many_documents_one_after_another_keeps_memory_bounded() {
    let server = FlaggedServer::start(&["--max-idle-documents", &CAP.to_string()]).await;

    // 1. Twelve devices, each syncing its own incident, then leaving.
    let mut ids = Vec::new();
    for n in 0..12 {
        let id = random_id();
        ids.push(id);
        let mut client = TestClient::connect(server.addr, &format!("device-{n}")).await;
        client
            .create(id, new_incident(&format!("Forklift {n} needs a service")))
            .await;
        client
            .until("the incident is acknowledged", |c| c.acked(id))
            .await;
        drop(client);
        server
            .until_metric("fieldbook_connections_open", |open| open == 0)
            .await;
        let resident = server.metric("fieldbook_documents_resident").await;
        assert!(
            resident <= CAP,
            "after device {n}: {resident} documents in memory"
        );
        assert_eq!(resident, (n + 1).min(CAP));
        assert_eq!(server.metric("fieldbook_documents_idle").await, resident);
    }

    // 2. The first incident left memory long ago, and reads back from storage.
    let mut reader = TestClient::connect(server.addr, "reader").await;
    reader.request(ids[0]).await;
    reader
        .until("the first incident arrives", |c| {
            c.docs
                .get(&ids[0])
                .is_some_and(|d| incident::read(d.doc()).is_ok())
        })
        .await;
    let read = incident::read(reader.doc(ids[0])).expect("a readable incident");
    assert_eq!(read.title.value, "Forklift 0 needs a service");
    assert_eq!(
        server.metric("fieldbook_documents_resident").await,
        CAP + 1,
        "the idle ones and the one being read"
    );

    // 3. The exposition format is what Prometheus reads.
    let metrics = http::get(server.addr, "/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.headers["content-type"].starts_with("text/plain; version=0.0.4"),
        "{:?}",
        metrics.headers
    );
    assert!(server.metric("fieldbook_messages_received_total").await > 24);
    assert_eq!(server.metric("fieldbook_errors_total").await, 0);
}
