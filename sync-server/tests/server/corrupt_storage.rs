//! A stored chunk that does not load is reported, not a crash.

use crate::http;
use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;
use crate::{new_incident, random_id};

backend_tests!(tokio::test; a_document_with_a_corrupt_chunk_is_refused_with_an_error);

async fn a_document_with_a_corrupt_chunk_is_refused_with_an_error(db: TestDb) {
    let options = Options::new(&db);
    let server = ServerProcess::start(&options).await;
    let (broken, healthy) = (random_id(), random_id());

    // 1. Two documents are stored.
    let mut writer = TestClient::connect(server.addr, "writer").await;
    for id in [broken, healthy] {
        writer
            .create(id, new_incident("Badge reader at gate 3 rejects cards"))
            .await;
        writer
            .until("the incident is acknowledged", |c| c.acked(id))
            .await;
    }
    assert!(server.terminate().await.success());

    // 2. Garbage lands among one document's chunks.
    db.insert_raw_chunk(broken, &[0x85, 0x6f, 0x4a, 0x83, 0xde, 0xad])
        .await;

    // 3. Asking for it gets an error; the server keeps serving everything else.
    let server = ServerProcess::start(&options).await;
    let mut reader = TestClient::connect(server.addr, "reader").await;
    reader.request(broken).await;
    reader.until("the error and the close", |c| c.closed).await;
    assert_eq!(reader.errors.len(), 1, "{:?}", reader.errors);
    assert!(
        reader.errors[0].contains(&broken.to_string()),
        "{:?}",
        reader.errors
    );

    let mut other = TestClient::connect(server.addr, "other").await;
    other.request(healthy).await;
    let heads = writer.heads(healthy);
    other
        .until("the healthy document", |c| c.heads(healthy) == heads)
        .await;
    assert_eq!(http::get(server.addr, "/healthz").await.status, 200);
    let log = std::fs::read_to_string(&server.log).expect("server log");
    assert!(log.contains("a stored document does not load"), "{log}");
}
