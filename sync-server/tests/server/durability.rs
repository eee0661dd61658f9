//! What the server acknowledged survives the server dying.

use fieldbook_core::doc::incident::{self, Edit};

use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;
use crate::{new_incident, random_id, stamp};

backend_tests!(
    tokio::test;
    acknowledged_changes_survive_sigkill,
    acknowledged_changes_survive_sigterm,
);

enum Stop {
    Kill,
    Terminate,
}

async fn acknowledged_changes_survive_sigkill(db: TestDb) {
    // 70 edits: more than the 64 chunks that trigger compaction, so a snapshot and
    // later appends are both on disk when the process dies.
    let chunks = write_then_stop(&db, Stop::Kill, 70).await;
    assert!(chunks <= 64, "compaction left {chunks} chunks");
}

async fn acknowledged_changes_survive_sigterm(db: TestDb) {
    write_then_stop(&db, Stop::Terminate, 20).await;
}

/// Writes `edits` changes one at a time, each acknowledged before the next, stops the
/// server, restarts it on the same database and reads everything back with a fresh
/// client. Returns how many chunks the document is stored in.
async fn write_then_stop(db: &TestDb, stop: Stop, edits: usize) -> i64 {
    let options = Options::new(db);
    let server = ServerProcess::start(&options).await;
    let id = random_id();

    // 1. Write and wait for each acknowledgement.
    let mut writer = TestClient::connect(server.addr, "writer").await;
    writer
        .create(id, new_incident("Badge reader at gate 3 rejects cards"))
        .await;
    writer
        .until("the incident is acknowledged", |c| c.acked(id))
        .await;
    let mut description = String::from("Reported by the night shift.");
    for step in 1..=edits {
        description.push_str(&format!("\nstep {step}"));
        let edit = Edit::Description(description.clone());
        writer
            .change(id, |d| incident::edit(d, &edit, stamp()))
            .await
            .expect("edit");
        writer
            .until(&format!("edit {step} is acknowledged"), |c| c.acked(id))
            .await;
    }
    let heads = writer.heads(id);

    // 2. Stop the server.
    match stop {
        Stop::Kill => server.kill().await,
        Stop::Terminate => {
            let status = server.terminate().await;
            assert!(status.success(), "graceful exit, got {status}");
        }
    }
    let chunks = db.count_chunks(id).await;

    // 3. A fresh server and a fresh client see every change.
    let server = ServerProcess::start(&options).await;
    let mut reader = TestClient::connect(server.addr, "reader").await;
    reader.request(id).await;
    reader
        .until("the reader has every change", |c| c.heads(id) == heads)
        .await;
    // The creation, the edits, and the server's own change giving it a reference.
    assert_eq!(reader.doc(id).get_changes(&[]).len(), edits + 2);
    let read = incident::read(reader.doc(id)).expect("an incident");
    assert_eq!(read.reference.as_deref(), Some("INC-000001"));
    assert_eq!(read.description, description);
    chunks
}
