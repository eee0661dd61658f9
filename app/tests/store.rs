//! The device store against the browser's real IndexedDB (headless Chromium).
// wasm_bindgen_test functions are tests, but clippy's allow-unwrap-in-tests does not know them.
#![allow(clippy::unwrap_used)]

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ROOT};
use fieldbook_app::store::{Batch, LocalStore, Summary, SyncRow};
use fieldbook_core::model::listing::{SlaSnapshot, SlaSnapshotState};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A document id unique to this test run, so tests sharing a browser profile never meet.
fn doc_id(tag: &str) -> String {
    format!("{tag}-{}", js_sys::Math::random())
}

/// A document's chunks as `Automerge::load` takes them, and how many there were.
async fn load(store: &LocalStore, id: &str) -> (Vec<u8>, usize) {
    let chunks = store.load_chunks(id).await.unwrap();
    let count = chunks.len();
    (chunks.into_iter().flat_map(|c| c.bytes).collect(), count)
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
    let (bytes, count) = load(&store, &id).await;
    assert_eq!(count, 5);
    let loaded = Automerge::load(&bytes).unwrap();
    assert_eq!(loaded.get_heads(), doc.get_heads());

    // Another document's chunks are not mixed in.
    let (other, other_count) = load(&store, &doc_id("empty")).await;
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
    let (bytes, count) = load(&store, &id).await;
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
                    assignee: Some("Sam Okafor".into()),
                    detail: None,
                    sla: Some(SlaSnapshot {
                        state: SlaSnapshotState::Running,
                        counting: true,
                        remaining_ms: 3_600_000,
                        at_ms: 1,
                    }),
                    calendar: Some(office_calendar()),
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
    assert_eq!(summary.assignee.as_deref(), Some("Sam Okafor"));
    assert_eq!(
        summary.sla.map(|s| (s.state, s.remaining_ms)),
        Some((SlaSnapshotState::Running, 3_600_000))
    );
    assert_eq!(summary.calendar, Some(office_calendar()));
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

#[wasm_bindgen_test]
async fn a_set_aside_chunk_is_kept_but_no_longer_loaded() {
    let store = LocalStore::open().await.unwrap();
    let id = doc_id("aside");
    let mut doc = Automerge::new().with_actor(ActorId::from([9; 16]));
    let good = edit(&mut doc, 1);
    store
        .write(Batch {
            chunks: vec![
                (id.clone(), good),
                (id.clone(), vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]),
            ],
            ..Batch::default()
        })
        .await
        .unwrap();
    let chunks = store.load_chunks(&id).await.unwrap();
    assert_eq!(chunks.len(), 2);
    let damaged: Vec<_> = chunks.into_iter().filter(|c| c.bytes.len() == 7).collect();
    store.set_aside(&id, &damaged).await.unwrap();

    let (bytes, count) = load(&store, &id).await;
    assert_eq!(count, 1);
    assert_eq!(
        Automerge::load(&bytes).unwrap().get_heads(),
        doc.get_heads()
    );
    // The damaged bytes are still on the device, under their own key.
    let kept = store.chunk_keys(&id).await.unwrap();
    assert!(
        kept.iter()
            .any(|k| k.starts_with(&format!("{id}/set-aside/"))),
        "{kept:?}"
    );
}

/// Monday to Friday 08:00–18:00 at UTC+01:00 with one holiday: a summary keeps
/// it so the list carries the SLA forward on the incident's own calendar.
fn office_calendar() -> fieldbook_core::model::calendar::BusinessCalendar {
    use fieldbook_core::model::calendar::{BusinessCalendar, Hours};
    let hours = Hours::new((8, 0), (18, 0)).unwrap();
    let holiday = "2026-12-25".parse().unwrap();
    BusinessCalendar::weekdays(60, hours, [holiday]).unwrap()
}
