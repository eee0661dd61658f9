//! Bad input closes only the connection that sent it.

use automerge::transaction::Transactable;
use automerge::ROOT;

use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;
use crate::{new_incident, random_id};

backend_tests!(tokio::test; bad_input_gets_an_error_and_closes_only_that_connection);

async fn bad_input_gets_an_error_and_closes_only_that_connection(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let id = random_id();
    let mut good = TestClient::connect(server.addr, "good").await;
    good.create(
        id,
        new_incident("Label printer offline at packing station 5"),
    )
    .await;
    good.until("the incident is acknowledged", |c| c.acked(id))
        .await;

    // 1. A lone CBOR `null` before the handshake.
    let mut bad = TestClient::connect_raw(server.addr, "null-first").await;
    bad.send_frame(vec![0xf6]).await;
    expect_error_and_close(&mut bad).await;
    still_syncs(&mut good, id, 1).await;

    // 2. Malformed CBOR after the handshake (a map whose key is cut short).
    let mut bad = TestClient::connect(server.addr, "bad-cbor").await;
    bad.send_frame(vec![0xa1, 0x64, 0x74]).await;
    expect_error_and_close(&mut bad).await;
    still_syncs(&mut good, id, 2).await;

    // 3. A well-formed `sync` message whose Automerge bytes are garbage, for the
    //    very document the good client syncs.
    let mut bad = TestClient::connect(server.addr, "bad-sync").await;
    let frame = bad
        .connection
        .sync(id, vec![0x42, 0xff, 0xff, 0x00, 0x13], false)
        .expect("open");
    bad.send_frame(frame).await;
    expect_error_and_close(&mut bad).await;
    still_syncs(&mut good, id, 3).await;
}

async fn expect_error_and_close(bad: &mut TestClient) {
    bad.until("an error and the close", |c| c.closed).await;
    assert_eq!(bad.errors.len(), 1, "one `error` message: {:?}", bad.errors);
}

async fn still_syncs(good: &mut TestClient, id: fieldbook_core::ids::DocumentId, n: i64) {
    good.change(id, |d| {
        d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "probe", n))
            .expect("change")
    })
    .await;
    good.until("the good client's change is acknowledged", |c| c.acked(id))
        .await;
    assert!(!good.closed && good.errors.is_empty());
}
