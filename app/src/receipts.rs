//! Server receipts: when each change of a document reached the server and who
//! sent it (`GET /api/documents/{id}/receipts`), for the history view.
//!
//! Fetched when online and some change the server has acknowledged has no
//! receipt here yet, and cached on the device (the `meta` store, one entry per
//! document), so the history shows server times offline too. A receipt never
//! changes once written, so the cache only grows.

use std::collections::HashMap;

use fieldbook_core::ids::DocumentId;
use serde::{Deserialize, Serialize};

use crate::store::LocalStore;

/// One stored change, as the server received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The change's hash (hex).
    pub change: String,
    pub user_name: String,
    /// Server time, milliseconds since the Unix epoch.
    pub received_at: i64,
}

/// Receipts by change hash.
pub type Receipts = HashMap<String, Receipt>;

#[derive(Deserialize)]
struct Answer {
    receipts: Vec<Receipt>,
}

fn key(id: DocumentId) -> String {
    format!("receipts/{id}")
}

/// The receipts of document `id` for the changes in `wanted` (the hashes the
/// server has acknowledged): from the device, and from the server when `online`
/// and some are missing here. Offline, or if the server cannot answer, what the
/// device has.
pub async fn for_changes(
    store: &LocalStore,
    id: DocumentId,
    wanted: &[String],
    online: bool,
) -> Receipts {
    let mut known: Receipts = store
        .get_meta::<Vec<Receipt>>(&key(id))
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r.change.clone(), r))
        .collect();
    let missing = wanted.iter().any(|h| !known.contains_key(h));
    if !(missing && online) {
        return known;
    }
    match fetch(id).await {
        Ok(fetched) => {
            known.extend(fetched.into_iter().map(|r| (r.change.clone(), r)));
            let all: Vec<&Receipt> = known.values().collect();
            if let Err(e) = store.put_meta(&key(id), &all).await {
                leptos::logging::warn!("the server times could not be kept on the device: {e}");
            }
        }
        Err(e) => leptos::logging::warn!("the server times of {id} could not be fetched: {e}"),
    }
    known
}

async fn fetch(id: DocumentId) -> Result<Vec<Receipt>, String> {
    let response = gloo::net::http::Request::get(&format!("/api/documents/{id}/receipts"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    response
        .json::<Answer>()
        .await
        .map(|a| a.receipts)
        .map_err(|e| e.to_string())
}
