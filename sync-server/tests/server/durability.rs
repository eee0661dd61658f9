//! What the server acknowledged survives the server dying.

use fieldbook_core::doc::incident::{self, Edit};
use sqlx::sqlite::SqlitePool;

use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::{new_incident, random_id, stamp};

enum Stop {
    Kill,
    Terminate,
}

#[tokio::test]
async fn acknowledged_changes_survive_sigkill() {
    // 70 edits: more than the 64 chunks that trigger compaction, so a snapshot and
    // later appends are both on disk when the process dies.
    let chunks = write_then_stop(Stop::Kill, 70).await;
    assert!(chunks <= 64, "compaction left {chunks} chunks");
}

#[tokio::test]
async fn acknowledged_changes_survive_sigterm() {
    write_then_stop(Stop::Terminate, 20).await;
}

/// Writes `edits` changes one at a time, each acknowledged before the next, stops the
/// server, restarts it on the same database and reads everything back with a fresh
/// client. Returns how many chunks the document is stored in.
async fn write_then_stop(stop: Stop, edits: usize) -> i64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = Options::in_dir(dir.path());
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
    let chunks = stored_chunks(&options, id).await;

    // 3. A fresh server and a fresh client see every change.
    let server = ServerProcess::start(&options).await;
    let mut reader = TestClient::connect(server.addr, "reader").await;
    reader.request(id).await;
    reader
        .until("the reader has every change", |c| c.heads(id) == heads)
        .await;
    assert_eq!(reader.doc(id).get_changes(&[]).len(), edits + 1);
    let read = incident::read(reader.doc(id)).expect("an incident");
    assert_eq!(read.description, description);
    chunks
}

async fn stored_chunks(options: &Options, id: fieldbook_core::ids::DocumentId) -> i64 {
    let url = format!("sqlite://{}", options.dir.join("db.sqlite").display());
    let pool = SqlitePool::connect(&url).await.expect("open the database");
    let count = sqlx::query_scalar("SELECT count(*) FROM chunks WHERE document = ?")
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .expect("count chunks");
    pool.close().await;
    count
}
