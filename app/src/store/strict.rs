//! Writes with strict durability, and the schema upgrade.
//!
//! rexie opens transactions with the browser's default durability, which may
//! report a commit before it reaches the disk. A change the UI calls "saved on
//! device" must survive the tab, the browser and the power going away, so writes
//! go through this second connection to the same database, whose transactions
//! ask for `durability: "strict"`.
//!
//! This connection opens first and brings the schema up to date: it creates the
//! object stores and indexes of [`SCHEMA`] that are missing and never deletes or
//! rewrites anything (rexie's own upgrade deletes every store it is not told
//! about). When another tab opens a newer version, this connection closes (rexie's
//! closes itself) and [`on_version_change`] listeners are told, so the page can
//! ask the person to reload.
//!
//! The browser may also close the connections itself: its storage was cleared or
//! failed, or someone pressed "Force close" in `chrome://indexeddb-internals`. The
//! connection is then marked lost ([`StrictWriter::is_lost`]) and
//! [`on_connection_lost`] listeners are told; [`super::LocalStore`] opens new
//! connections to the same database (never deleting it) before its next use.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbTransaction};

use super::SCHEMA;

/// Who to tell about one kind of event.
type Listeners = RefCell<Vec<Rc<dyn Fn()>>>;

thread_local! {
    static VERSION_CHANGE: Listeners = const { RefCell::new(Vec::new()) };
    static CONNECTION_LOST: Listeners = const { RefCell::new(Vec::new()) };
}

/// Calls `listener` when another tab opens a newer version of the database. By
/// then this tab's connections are closed: nothing more can be saved here until
/// the page is reloaded with the new version.
pub fn on_version_change(listener: impl Fn() + 'static) {
    VERSION_CHANGE.with(|l| l.borrow_mut().push(Rc::new(listener)));
}

/// Calls `listener` when the browser closes the database under the app (its
/// storage was cleared or failed). What was committed before is still there: the
/// store reopens the database at its next use, or when asked
/// ([`super::LocalStore::reopen`]).
pub fn on_connection_lost(listener: impl Fn() + 'static) {
    CONNECTION_LOST.with(|l| l.borrow_mut().push(Rc::new(listener)));
}

fn tell(listeners: &'static std::thread::LocalKey<Listeners>) {
    let listeners: Vec<Rc<dyn Fn()>> = listeners.with(|l| l.borrow().clone());
    for listener in listeners {
        listener();
    }
}

/// Creates what [`SCHEMA`] names and the database lacks, in the upgrade
/// transaction of `request`. Adds only.
fn add_missing(request: &IdbOpenDbRequest) -> Result<(), JsValue> {
    let db: IdbDatabase = request.result()?.unchecked_into();
    let tx = request
        .transaction()
        .ok_or_else(|| JsValue::from_str("no upgrade transaction"))?;
    let present = db.object_store_names();
    for (name, indexes) in SCHEMA {
        let store = if present.contains(name) {
            tx.object_store(name)?
        } else {
            db.create_object_store(name)?
        };
        let present_indexes = store.index_names();
        for (index, key_path) in indexes.iter() {
            if !present_indexes.contains(index) {
                store.create_index_with_str(index, key_path)?;
            }
        }
    }
    Ok(())
}

#[wasm_bindgen]
extern "C" {
    /// An `IDBDatabase` seen through the one method web-sys offers only behind its
    /// unstable-API flag: `transaction(stores, mode, options)`.
    #[wasm_bindgen(js_name = IDBDatabase)]
    type DatabaseWithOptions;

    #[wasm_bindgen(method, catch, js_name = transaction)]
    fn transaction_with_options(
        this: &DatabaseWithOptions,
        stores: &Array,
        mode: &str,
        options: &JsValue,
    ) -> Result<IdbTransaction, JsValue>;
}

/// Why a strict write failed: the DOMException's name and message.
#[derive(Debug, Clone)]
pub struct Failure {
    pub name: String,
    pub message: String,
}

impl Failure {
    fn from_js(value: &JsValue) -> Failure {
        match value.dyn_ref::<web_sys::DomException>() {
            Some(e) => Failure {
                name: e.name(),
                message: e.message(),
            },
            None => Failure {
                name: "Error".into(),
                message: value.as_string().unwrap_or_else(|| format!("{value:?}")),
            },
        }
    }
}

/// One value to put: store name, key, value.
pub struct Put {
    pub store: &'static str,
    pub key: JsValue,
    pub value: JsValue,
}

/// A connection used only for strict-durability writes.
pub struct StrictWriter {
    db: IdbDatabase,
    /// Set when the browser closed the connection (not when we closed it).
    lost: Rc<Cell<bool>>,
    /// Set when we closed it for another tab's newer version.
    replaced: Rc<Cell<bool>>,
}

impl StrictWriter {
    /// Opens the database at `version`, first adding what [`SCHEMA`] names and an
    /// older version lacks.
    pub async fn open(name: &str, version: u32) -> Result<StrictWriter, Failure> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| Failure {
                name: "NotSupported".into(),
                message: "this browser has no IndexedDB".into(),
            })?;
        let request: IdbOpenDbRequest = factory
            .open_with_u32(name, version)
            .map_err(|e| Failure::from_js(&e))?;
        let upgrade = {
            let request = request.clone();
            Closure::once_into_js(move |_: JsValue| {
                if let Err(e) = add_missing(&request) {
                    leptos::logging::error!("the device's storage could not be upgraded: {e:?}");
                    if let Some(tx) = request.transaction() {
                        let _ = tx.abort();
                    }
                }
            })
        };
        request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
        let done = Promise::new(&mut |resolve: Function, reject: Function| {
            let ok = Closure::once_into_js(move |_: JsValue| {
                let _ = resolve.call0(&JsValue::NULL);
            });
            let failed = Closure::once_into_js(move |_: JsValue| {
                let _ = reject.call0(&JsValue::NULL);
            });
            request.set_onsuccess(Some(ok.unchecked_ref()));
            request.set_onerror(Some(failed.unchecked_ref()));
        });
        JsFuture::from(done).await.map_err(|_| Failure {
            name: request
                .error()
                .ok()
                .flatten()
                .map(|e| e.name())
                .unwrap_or_else(|| "UnknownError".into()),
            message: "the device's database could not be opened for writing".into(),
        })?;
        let db: IdbDatabase = request
            .result()
            .map_err(|e| Failure::from_js(&e))?
            .unchecked_into();
        // Another tab upgrading the schema asks every connection to close.
        let replaced = Rc::new(Cell::new(false));
        let close = {
            let db = db.clone();
            let replaced = replaced.clone();
            Closure::<dyn FnMut()>::new(move || {
                replaced.set(true);
                db.close();
                tell(&VERSION_CHANGE);
            })
        };
        db.set_onversionchange(Some(close.as_ref().unchecked_ref()));
        close.forget();
        // `close` fires only when the browser closed the connection, never after
        // our own `close()`.
        let lost = Rc::new(Cell::new(false));
        let closed = {
            let lost = lost.clone();
            Closure::<dyn FnMut()>::new(move || {
                lost.set(true);
                tell(&CONNECTION_LOST);
            })
        };
        db.set_onclose(Some(closed.as_ref().unchecked_ref()));
        closed.forget();
        Ok(StrictWriter { db, lost, replaced })
    }

    /// Whether the browser closed this connection under us (its `close` event has
    /// been seen).
    pub fn is_lost(&self) -> bool {
        self.lost.get()
    }

    /// Whether a write failed because the browser is closing this connection. The
    /// browser aborts the connection's transactions before its `close` event is
    /// dispatched, so this also asks the connection itself: one that is closing
    /// refuses new transactions.
    pub fn was_closed_under_us(&self) -> bool {
        self.lost.get()
            || (!self.replaced.get()
                && SCHEMA
                    .first()
                    .is_some_and(|(store, _)| self.db.transaction_with_str(store).is_err()))
    }

    /// Closes the connection (ours, so no `close` event).
    pub fn close(&self) {
        self.db.close();
    }

    /// Puts every value in one strict read-write transaction and resolves once it
    /// has committed. Any failure aborts the whole transaction: nothing is half written.
    pub async fn write(&self, stores: &[&str], puts: Vec<Put>) -> Result<(), Failure> {
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"durability".into(), &"strict".into())
            .map_err(|e| Failure::from_js(&e))?;
        let tx = self
            .db
            .unchecked_ref::<DatabaseWithOptions>()
            .transaction_with_options(&names, "readwrite", &options)
            .map_err(|e| Failure::from_js(&e))?;
        let done = completion(&tx);
        for put in puts {
            let store = tx
                .object_store(put.store)
                .map_err(|e| Failure::from_js(&e))?;
            if let Err(e) = store.put_with_key(&put.value, &put.key) {
                let _ = tx.abort();
                return Err(Failure::from_js(&e));
            }
        }
        JsFuture::from(done).await.map(drop).map_err(|_| {
            tx.error()
                .map(|e| Failure {
                    name: e.name(),
                    message: e.message(),
                })
                .unwrap_or_else(|| Failure {
                    name: "AbortError".into(),
                    message: "the write was abandoned".into(),
                })
        })
    }
}

/// Resolves when the transaction commits, rejects when it fails or aborts.
fn completion(tx: &IdbTransaction) -> Promise {
    Promise::new(&mut |resolve: Function, reject: Function| {
        let ok = Closure::once_into_js(move |_: JsValue| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject_abort = reject.clone();
        let failed = Closure::once_into_js(move |_: JsValue| {
            let _ = reject.call0(&JsValue::NULL);
        });
        let aborted = Closure::once_into_js(move |_: JsValue| {
            let _ = reject_abort.call0(&JsValue::NULL);
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(failed.unchecked_ref()));
        tx.set_onabort(Some(aborted.unchecked_ref()));
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn writes_ask_for_strict_durability_and_commit() {
        crate::store::LocalStore::open().await.unwrap();
        let writer = StrictWriter::open(crate::store::DB_NAME, crate::store::DB_VERSION)
            .await
            .unwrap();
        let names: Array = [JsValue::from_str("meta")].into_iter().collect();
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"durability".into(), &"strict".into()).unwrap();
        let tx = writer
            .db
            .unchecked_ref::<DatabaseWithOptions>()
            .transaction_with_options(&names, "readwrite", &options)
            .unwrap();
        let durability = js_sys::Reflect::get(&tx, &"durability".into()).unwrap();
        assert_eq!(durability.as_string().as_deref(), Some("strict"));
        tx.abort().unwrap();

        writer
            .write(
                &["meta"],
                vec![Put {
                    store: "meta",
                    key: "strict-test".into(),
                    value: "\"ok\"".into(),
                }],
            )
            .await
            .unwrap();
        let store = crate::store::LocalStore::open().await.unwrap();
        assert_eq!(
            store
                .get_meta::<String>("strict-test")
                .await
                .unwrap()
                .as_deref(),
            Some("ok")
        );
    }

    #[wasm_bindgen_test]
    async fn a_failed_put_aborts_the_whole_transaction() {
        crate::store::LocalStore::open().await.unwrap();
        let writer = StrictWriter::open(crate::store::DB_NAME, crate::store::DB_VERSION)
            .await
            .unwrap();
        // A symbol is not a valid key: the second put fails, so the first must not stay.
        let failure = writer
            .write(
                &["meta"],
                vec![
                    Put {
                        store: "meta",
                        key: "half-written".into(),
                        value: "\"no\"".into(),
                    },
                    Put {
                        store: "meta",
                        key: js_sys::Symbol::for_("not a key").into(),
                        value: "\"no\"".into(),
                    },
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(failure.name, "DataError");
        let store = crate::store::LocalStore::open().await.unwrap();
        assert_eq!(
            store.get_meta::<String>("half-written").await.unwrap(),
            None
        );
    }
}
