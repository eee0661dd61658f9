//! Evidence blobs: photos by the SHA-256 of their bytes, outside the documents.
//!
//! | route | who | what |
//! |---|---|---|
//! | `PUT /api/blobs/{sha256}` | signed in | stores the body for the user's organisation: 201 when new, 200 when it was already there |
//! | `GET /api/blobs/{sha256}` | signed in | the blob, if the user's organisation has it, else 404 |
//!
//! A device documents a photo by its hash (`Evidence::Photo`, an incident's
//! attachments) and uploads the bytes here when it is online; any device of the
//! organisation fetches them on demand. The hash in the path must be the SHA-256
//! of the body, so a blob can never be stored under another's name, and storing
//! is idempotent (a retried upload changes nothing). Only JPEG, PNG and WebP
//! images are taken, checked against their first bytes, up to
//! [`Limits::max_blob_bytes`](crate::limits::Limits::max_blob_bytes).
//!
//! A blob of another organisation answers exactly as a missing one does. Blobs
//! never change, so a fetched one may be cached for good (`immutable`).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::StreamExt;
use sha2::{Digest, Sha256};

use crate::auth::AuthError;
use crate::route::{now_ms, signed_in};
use crate::store::{NewBlob, StoreError, Stored};
use crate::AppState;

/// The content types a blob may have.
pub const CONTENT_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// How long a client may keep a fetched blob: a year (blobs never change).
pub const CACHE_CONTROL: &str = "private, max-age=31536000, immutable";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/blobs/{sha256}", get(fetch).put(store))
}

/// Why a blob request failed; each says so in words.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("`{0}` is not a SHA-256: the path must end in 64 hexadecimal digits")]
    BadHash(String),
    #[error(
        "the body's SHA-256 is {actual}, not {expected} as the path says: \
         the upload was damaged or sent to the wrong address"
    )]
    HashMismatch { expected: String, actual: String },
    #[error("the body is empty: send the photo's bytes")]
    Empty,
    #[error("a photo must be sent as image/jpeg, image/png or image/webp, not {0}")]
    UnsupportedType(String),
    #[error("the body does not look like a {0} image: its first bytes do not match")]
    NotThatType(&'static str),
    #[error("this photo is larger than the server takes ({limit} bytes at most)")]
    TooLarge { limit: usize },
    #[error("the upload was cut off: {0}")]
    Body(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}

impl IntoResponse for BlobError {
    fn into_response(self) -> Response {
        let error = match self {
            BlobError::Auth(error) => return error.into_response(),
            other => other,
        };
        let status = match &error {
            BlobError::Auth(_) => StatusCode::UNAUTHORIZED,
            BlobError::BadHash(_)
            | BlobError::HashMismatch { .. }
            | BlobError::Empty
            | BlobError::Body(_) => StatusCode::BAD_REQUEST,
            BlobError::UnsupportedType(_) | BlobError::NotThatType(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            BlobError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BlobError::NotFound => StatusCode::NOT_FOUND,
            BlobError::Store(error) => {
                tracing::error!(%error, "blob request failed");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(serde_json::json!({ "error": "internal error" })),
                )
                    .into_response();
            }
        };
        (
            status,
            Json(serde_json::json!({ "error": error.to_string() })),
        )
            .into_response()
    }
}

/// What a stored blob's answer says.
#[derive(Debug, serde::Serialize)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: usize,
}

/// `PUT /api/blobs/{sha256}`: stores the body for the signed-in user's organisation.
async fn store(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, BlobError> {
    let (principal, _) = signed_in(&state, &headers).await?;
    let expected = parse_hash(&sha256)?;
    let content_type = content_type(&headers)?;
    let limit = state.hub.limits().max_blob_bytes.get();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BlobError::TooLarge { limit });
    }
    let bytes = read_body(body, limit).await?;
    if bytes.is_empty() {
        return Err(BlobError::Empty);
    }
    let actual = hex(&Sha256::digest(&bytes));
    if actual != expected {
        return Err(BlobError::HashMismatch { expected, actual });
    }
    if !looks_like(content_type, &bytes) {
        return Err(BlobError::NotThatType(content_type));
    }
    let size = bytes.len();
    let stored = state
        .blobs
        .put_blob(&NewBlob {
            sha256: expected.clone(),
            organisation: principal.organisation.clone(),
            content_type: content_type.to_owned(),
            bytes,
            created_by: principal.user_id.clone(),
            created_ms: now_ms(),
        })
        .await?;
    let status = match stored {
        Stored::Created => {
            tracing::info!(blob = %expected, size, user = %principal.user_id, "blob stored");
            StatusCode::CREATED
        }
        Stored::AlreadyThere => StatusCode::OK,
    };
    Ok((
        status,
        Json(StoredBlob {
            sha256: expected,
            size,
        }),
    )
        .into_response())
}

/// `GET /api/blobs/{sha256}`: the blob, if the user's organisation has it.
async fn fetch(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> Result<Response, BlobError> {
    let (principal, _) = signed_in(&state, &headers).await?;
    let sha256 = parse_hash(&sha256)?;
    let blob = state
        .blobs
        .blob(&principal.organisation, &sha256)
        .await?
        .ok_or(BlobError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, blob.content_type),
            (header::CACHE_CONTROL, CACHE_CONTROL.to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        blob.bytes,
    )
        .into_response())
}

/// The hash from the path, lowercase.
fn parse_hash(text: &str) -> Result<String, BlobError> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(BlobError::BadHash(text.chars().take(80).collect()))
    }
}

/// The request's content type, if it is one a blob may have (parameters ignored).
fn content_type(headers: &HeaderMap) -> Result<&'static str, BlobError> {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    CONTENT_TYPES
        .into_iter()
        .find(|t| *t == essence)
        .ok_or_else(|| {
            BlobError::UnsupportedType(if raw.is_empty() {
                "no content type".to_owned()
            } else {
                raw.chars().take(80).collect()
            })
        })
}

/// Reads at most `limit` bytes; one more is [`BlobError::TooLarge`], whatever the
/// request said its length was.
async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, BlobError> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| BlobError::Body(e.to_string()))?;
        if bytes.len() + chunk.len() > limit {
            return Err(BlobError::TooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Whether `bytes` start as an image of `content_type` does.
fn looks_like(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/webp" => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        _ => false,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_64_hex_digits_kept_lowercase() {
        assert_eq!(parse_hash(&"AB".repeat(32)).ok(), Some("ab".repeat(32)));
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(65)] {
            assert!(parse_hash(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn content_types_are_read_without_parameters_and_others_refused() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().expect("header"));
            content_type(&headers)
        };
        assert_eq!(with("image/JPEG").ok(), Some("image/jpeg"));
        assert_eq!(with("image/png; q=1").ok(), Some("image/png"));
        for bad in ["image/gif", "text/html", "image/svg+xml"] {
            assert!(
                matches!(with(bad), Err(BlobError::UnsupportedType(ref t)) if t == bad),
                "{bad}"
            );
        }
        assert!(matches!(
            content_type(&HeaderMap::new()),
            Err(BlobError::UnsupportedType(ref t)) if t == "no content type"
        ));
    }

    #[test]
    fn first_bytes_must_match_the_type() {
        assert!(looks_like("image/jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(!looks_like("image/jpeg", b"<html>"));
        assert!(looks_like("image/png", b"\x89PNG\r\n\x1a\nrest"));
        assert!(looks_like("image/webp", b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(!looks_like("image/webp", b"RIFF\0\0\0\0WAVE"));
    }
}
