//! What the server knows about a document besides its contents.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /api/documents/{id}/receipts` | signed in, may read the document | every change the server stored: its hash, who sent it, when it arrived |
//!
//! The receipts are the audit trail's "who" and "when it reached us": a device
//! knows its changes' device times, and learns the server's times here, for the
//! changes the server has (each receipt is written in the transaction that
//! stores the change). A document someone may not read answers exactly as one
//! that does not exist (404), as does an id that is not a document id.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use fieldbook_core::ids::DocumentId;
use serde::Serialize;

use crate::route::signed_in;
use crate::store::SERVER_USER;
use crate::{AppError, AppState};

/// The name shown for changes the server made itself (human references).
pub const SERVER_NAME: &str = "Fieldbook server";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/documents/{id}/receipts", get(receipts))
}

/// The receipts of one document, in the order the changes arrived.
#[derive(Debug, Serialize)]
pub struct Receipts {
    pub document: String,
    pub receipts: Vec<ReceiptView>,
}

/// One stored change.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptView {
    /// The change's hash (hex).
    pub change: String,
    pub user_id: String,
    /// The user's name as the directory has it now ([`SERVER_NAME`] for the server).
    pub user_name: String,
    /// Server time it arrived, milliseconds since the Unix epoch.
    pub received_at: i64,
}

/// `GET /api/documents/{id}/receipts`.
async fn receipts(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Receipts>, AppError> {
    let (principal, _) = signed_in(&state, &headers).await?;
    let doc: DocumentId = id.parse().map_err(|_| AppError::NotFound)?;
    state
        .directory
        .document_access(doc)
        .await?
        .filter(|access| principal.may_read(access))
        .ok_or(AppError::NotFound)?;
    let stored = state.store.receipts(doc).await?;
    let mut names: HashMap<String, String> = HashMap::new();
    for receipt in &stored {
        if names.contains_key(&receipt.user_id) {
            continue;
        }
        let name = if receipt.user_id == SERVER_USER {
            SERVER_NAME.to_owned()
        } else {
            state
                .directory
                .user(&receipt.user_id)
                .await?
                .map_or_else(|| receipt.user_id.clone(), |user| user.name)
        };
        names.insert(receipt.user_id.clone(), name);
    }
    let receipts = stored
        .into_iter()
        .map(|r| ReceiptView {
            user_name: names.get(&r.user_id).cloned().unwrap_or_default(),
            change: r.change_hash,
            user_id: r.user_id,
            received_at: r.received_ms,
        })
        .collect();
    Ok(Json(Receipts {
        document: doc.to_string(),
        receipts,
    }))
}
