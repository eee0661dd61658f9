//! A device still holding the first version of the storage (version 1: chunks,
//! records, sync and meta; no blobs) opened by the current code, against the
//! browser's real IndexedDB (headless Chromium).
// wasm_bindgen_test functions are tests, but clippy's allow-unwrap-in-tests does not know them.
#![allow(clippy::unwrap_used)]

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ROOT};
use fieldbook_app::store::{LocalStore, SyncRow};
use js_sys::{Array, Uint8Array};
use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A summary row as version 1 wrote it: JSON text, before rows had a detail line,
/// an assignee or an SLA snapshot.
const V1_SUMMARY: &str = r#"{"id":"DOC","kind":"incident","site":"site-1","title":"Printer jams on tray 2","status":"New","priority":3,"conflicts":false,"reference":null,"created_at_ms":1763712000000}"#;

fn chunk_key(doc: &str, kind: &str, name: &str) -> JsValue {
    Array::of3(&doc.into(), &kind.into(), &name.into()).into()
}

/// Builds database `name` at version 1 exactly as the first release created it
/// (rexie, four plain object stores) and fills it with one document's two chunks,
/// its summary and sync rows, and the device's meta rows. Returns the document.
async fn version_1_device(name: &str, doc_id: &str) -> Automerge {
    let v1 = Rexie::builder(name)
        .version(1)
        .add_object_store(ObjectStore::new("chunks"))
        .add_object_store(ObjectStore::new("records"))
        .add_object_store(ObjectStore::new("sync"))
        .add_object_store(ObjectStore::new("meta"))
        .build()
        .await
        .unwrap();
    let mut doc = Automerge::new().with_actor(ActorId::from([3; 16]));
    doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "title", "first"))
        .unwrap();
    let first = doc.save();
    let heads = doc.get_heads();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "title", "second"))
        .unwrap();
    let second = doc.save_after(&heads);

    let tx = v1
        .transaction(
            &["chunks", "records", "sync", "meta"],
            TransactionMode::ReadWrite,
        )
        .unwrap();
    let chunks = tx.store("chunks").unwrap();
    for (name, bytes) in [("a", &first), ("b", &second)] {
        chunks
            .put(
                &Uint8Array::from(bytes.as_slice()).into(),
                Some(&chunk_key(doc_id, "incremental", name)),
            )
            .await
            .unwrap();
    }
    tx.store("records")
        .unwrap()
        .put(
            &JsValue::from_str(&V1_SUMMARY.replace("DOC", doc_id)),
            Some(&JsValue::from_str(doc_id)),
        )
        .await
        .unwrap();
    let sync = format!(r#"{{"acked":["{}"],"unacked":1}}"#, heads[0]);
    tx.store("sync")
        .unwrap()
        .put(&JsValue::from_str(&sync), Some(&JsValue::from_str(doc_id)))
        .await
        .unwrap();
    let meta = tx.store("meta").unwrap();
    for (key, value) in [
        ("device", r#""0303030303030303""#),
        ("persistence", "true"),
        ("lastSync", "1763712000000"),
    ] {
        meta.put(&JsValue::from_str(value), Some(&JsValue::from_str(key)))
            .await
            .unwrap();
    }
    tx.done().await.unwrap();
    v1.close();
    doc
}

/// The version and object store names of database `name`, and the index names of
/// its `blobs` store if it has one; opened without asking for a version.
async fn shape(name: &str) -> (f64, Vec<String>, Vec<String>) {
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let request = factory.open(name).unwrap();
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        request.set_onsuccess(Some(&resolve));
    });
    JsFuture::from(done).await.unwrap();
    let db: web_sys::IdbDatabase = request.result().unwrap().unchecked_into();
    let names = db.object_store_names();
    let stores: Vec<String> = (0..names.length()).filter_map(|i| names.item(i)).collect();
    let indexes = if names.contains("blobs") {
        let index_names = db
            .transaction_with_str("blobs")
            .unwrap()
            .object_store("blobs")
            .unwrap()
            .index_names();
        (0..index_names.length())
            .filter_map(|i| index_names.item(i))
            .collect()
    } else {
        Vec::new()
    };
    let version = db.version();
    db.close();
    (version, stores, indexes)
}

#[wasm_bindgen_test]
async fn a_version_1_device_keeps_every_row_and_gains_the_blobs_store() {
    let name = format!("fieldbook-v1-{}", js_sys::Math::random());
    let doc_id = "v1-document";
    let doc = version_1_device(&name, doc_id).await;
    let (version, stores, _) = shape(&name).await;
    assert_eq!(version, 1.0);
    assert!(!stores.contains(&"blobs".to_owned()));

    let store = LocalStore::open_named(&name).await.unwrap();

    // Every row of version 1 reads back as it was written.
    let chunks = store.load_chunks(doc_id).await.unwrap();
    assert_eq!(chunks.len(), 2);
    let bytes: Vec<u8> = chunks.into_iter().flat_map(|c| c.bytes).collect();
    assert_eq!(
        Automerge::load(&bytes).unwrap().get_heads(),
        doc.get_heads()
    );
    let summaries = store.summaries().await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].id, doc_id);
    assert_eq!(summaries[0].title, "Printer jams on tray 2");
    assert_eq!(summaries[0].priority, 3);
    assert_eq!(summaries[0].assignee, None);
    assert_eq!(summaries[0].sla, None);
    let heads = doc.get_changes(&[]);
    assert_eq!(
        store.sync_rows().await.unwrap(),
        vec![(
            doc_id.to_owned(),
            SyncRow {
                acked: vec![heads[0].hash().to_string()],
                unacked: 1,
            }
        )]
    );
    assert_eq!(
        store.get_meta::<String>("device").await.unwrap().as_deref(),
        Some("0303030303030303")
    );
    assert_eq!(
        store.get_meta::<bool>("persistence").await.unwrap(),
        Some(true)
    );
    assert_eq!(
        store.get_meta::<i64>("lastSync").await.unwrap(),
        Some(1_763_712_000_000)
    );

    // The database is now version 2, with `blobs` and its `pending` index beside
    // the stores it had.
    let (version, mut stores, indexes) = shape(&name).await;
    stores.sort();
    assert_eq!(version, 2.0);
    assert_eq!(stores, ["blobs", "chunks", "meta", "records", "sync"]);
    assert_eq!(indexes, ["pending"]);

    // And the new store works: a photo is kept and queued for upload.
    let hash = "ab".repeat(32);
    store
        .put_blob(&hash, &[1, 2, 3], "image/jpeg", false)
        .await
        .unwrap();
    assert_eq!(store.pending_blobs().await.unwrap(), vec![hash.clone()]);
    assert_eq!(
        store.blob(&hash).await.unwrap().unwrap().bytes,
        vec![1, 2, 3]
    );
}
