//! fieldbook-app: the Leptos client that runs in the browser (wasm32).
//!
//! On start it opens the device's IndexedDB ([`store`]), loads the record
//! summaries and the cached profile, and mounts the UI at once, with or without a
//! network. [`repo::Repo`] then syncs every document with the server over a
//! WebSocket ([`transport`]) whenever one is reachable. Components ([`ui`]) read
//! signals and call the repo; the rules they apply live in `fieldbook-core`.

pub mod blobs;
pub mod profile;
pub mod receipts;
pub mod repo;
pub mod store;
pub mod transport;
pub mod ui;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point: the page's module script calls it after loading the wasm. (Not a
/// `start` function, so the browser tests can load the crate without mounting the app.)
#[wasm_bindgen]
pub fn run() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
