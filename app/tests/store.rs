//! The device store against the browser's real IndexedDB (headless Chromium).

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ROOT};
use fieldbook_app::store::{Batch, LocalStore, Summary, SyncRow};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A document id unique to this test run, so tests sharing a browser profile never meet.
fn doc_id(tag: &str) -> String {
    format!("{tag}-{}", js_sys::Math::random())
}

fn edit(doc: &mut Automerge, value: i64) -> Vec<u8> {
    let before = doc.get_heads();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "n", value))
        .unwrap();
    doc.save_after(&before)
}

#[wasm_bindgen_test]
async fn chunks_written_in_batches_load_back_as_the_same_document() {
    let store = LocalStore::open().await.unwrap();
    let id = doc_id("chunks");
    let mut doc = Automerge::new().with_actor(ActorId::from([7; 16]));
    for n in 0..5 {
        let chunk = edit(&mut doc, n);
        store
            .write(Batch {
                chunks: vec![(id.clone(), chunk)],
                ..Batch::default()
            })
            .await
            .unwrap();
    }
    let (bytes, count) = store.load_doc(&id).await.unwrap();
    assert_eq!(count, 5);
    let loaded = Automerge::load(&bytes).unwrap();
    assert_eq!(loaded.get_heads(), doc.get_heads());

    // Another document's chunks are not mixed in.
    let (other, other_count) = store.load_doc(&doc_id("empty")).await.unwrap();
    assert!(other.is_empty());
    assert_eq!(other_count, 0);
}

#[wasm_bindgen_test]
async fn compaction_leaves_one_snapshot_with_the_same_heads() {
    let store = LocalStore::open().await.unwrap();
    let id = doc_id("compact");
    let mut doc = Automerge::new().with_actor(ActorId::from([8; 16]));
    let mut batch = Batch::default();
    for n in 0..4 {
        batch.chunks.push((id.clone(), edit(&mut doc, n)));
    }
    store.write(batch).await.unwrap();
    store.compact(&id, &doc.save()).await.unwrap();
    let (bytes, count) = store.load_doc(&id).await.unwrap();
    assert_eq!(count, 1);
    assert_eq!(
        Automerge::load(&bytes).unwrap().get_heads(),
        doc.get_heads()
    );
}

#[wasm_bindgen_test]
async fn summaries_sync_rows_and_meta_survive_reopening() {
    let id = doc_id("rows");
    {
        let store = LocalStore::open().await.unwrap();
        store
            .write(Batch {
                summaries: vec![Summary {
                    id: id.clone(),
                    kind: "incident".into(),
                    site: "demo".into(),
                    title: "Badge reader offline".into(),
                    status: "New".into(),
                    priority: 2,
                    conflicts: false,
                    reference: None,
                    created_at_ms: 1,
                }],
                sync_rows: vec![(
                    id.clone(),
                    SyncRow {
                        acked: vec!["ab".into()],
                        unacked: 3,
                    },
                )],
                ..Batch::default()
            })
            .await
            .unwrap();
        store.put_meta(&id, &"kept".to_owned()).await.unwrap();
    }
    let store = LocalStore::open().await.unwrap();
    let summary = store
        .summaries()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    assert_eq!(summary.title, "Badge reader offline");
    let row = store
        .sync_rows()
        .await
        .unwrap()
        .into_iter()
        .find(|(k, _)| *k == id)
        .unwrap()
        .1;
    assert_eq!(row.unacked, 3);
    assert_eq!(
        store.get_meta::<String>(&id).await.unwrap().as_deref(),
        Some("kept")
    );
    assert_eq!(
        store.get_meta::<String>("never-written").await.unwrap(),
        None
    );
}
