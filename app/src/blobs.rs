//! Photos and signatures on the device: taken or drawn, hashed, kept, uploaded,
//! fetched.
//!
//! A photo or a signature picture is a blob named by the SHA-256 of its bytes,
//! outside the documents; a record holds only the hash (an incident's
//! attachment or signature, a run answer's photos, a finding's or corrective
//! action's evidence). The typical sequence for a photo (a signature is the same
//! from step 1's encoding on: the pad's canvas as PNG, [`add_signature`]):
//!
//! 1. [`add_photo`]: the file from the camera input is drawn onto a canvas no
//!    larger than [`MAX_EDGE`] on its long side and encoded as JPEG
//!    ([`JPEG_QUALITY`]); its SHA-256 comes from SubtleCrypto. The bytes are
//!    written to IndexedDB (strict durability) *before* the record names them
//!    ([`PhotoFor`] says which), and both before the UI says "saved".
//! 2. [`upload_pending`]: every blob the server does not have yet goes up with
//!    `PUT /api/blobs/{sha256}`; it leaves the queue only on 200 or 201. The repo
//!    calls it whenever the sync connection opens, so uploads resume after a
//!    reconnect.
//! 3. [`load`]: a photo to show comes from IndexedDB, or is fetched on demand with
//!    `GET /api/blobs/{sha256}` and kept on the device.

use std::cell::Cell;
use std::rc::Rc;

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::checklist::ItemId;
use fieldbook_core::model::evidence::BlobHash;
use fieldbook_core::model::signature::SignerName;
use js_sys::{Function, Promise, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::repo::{ActionError, Repo};
use crate::store::{LocalStore, StoreError, StoredBlob};

/// The longest side of a stored photo, in pixels.
pub const MAX_EDGE: f64 = 1600.0;
/// JPEG quality of a stored photo (0–1).
pub const JPEG_QUALITY: f64 = 0.8;
/// What every stored photo is.
pub const CONTENT_TYPE: &str = "image/jpeg";
/// What every stored signature is.
pub const SIGNATURE_TYPE: &str = "image/png";

/// Why a photo or signature could not be added, in words for the person
/// holding the device.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EvidenceError {
    #[error("That file is not a picture this browser can open. Choose a photo.")]
    NotAnImage,
    #[error("This browser cannot prepare pictures here: {0}")]
    Unsupported(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Action(#[from] ActionError),
}

/// A photo ready to keep: JPEG bytes and their hash.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub hash: BlobHash,
    pub bytes: Vec<u8>,
}

/// The record a new photo goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoFor {
    /// An incident's attachments.
    Incident(DocumentId),
    /// The answer to an item of a checklist run.
    Answer { run: DocumentId, item: ItemId },
    /// A finding's objective evidence.
    Finding(DocumentId),
    /// Only kept on the device: a form names it when it is sent (the evidence
    /// of a corrective action's step, implementation or check, a verification).
    Evidence,
}

/// Shrinks, hashes and keeps the photo `file`, records it in `target` with
/// `caption`, and offers it to the server if connected. When this returns `Ok`,
/// the photo and the record naming it are both on the device.
pub async fn add_photo(
    repo: &Rc<Repo>,
    target: PhotoFor,
    file: &web_sys::File,
    caption: String,
) -> Result<BlobHash, EvidenceError> {
    let prepared = prepare(file).await?;
    keep(repo, &prepared, CONTENT_TYPE).await?;
    let hash = prepared.hash.clone();
    match target {
        PhotoFor::Incident(id) => repo.attach_photo(id, hash, caption).await?,
        PhotoFor::Answer { run, item } => repo.add_answer_photo(run, item, hash).await?,
        PhotoFor::Finding(id) => repo.add_finding_photo(id, hash, caption).await?,
        PhotoFor::Evidence => {}
    }
    offered(repo);
    Ok(prepared.hash)
}

/// Keeps the customer's signature drawn on `canvas` as a PNG and records it on
/// incident `id` as signed by `signer`; offers it to the server if connected.
/// When this returns `Ok`, the picture and the signature are both on the device.
pub async fn add_signature(
    repo: &Rc<Repo>,
    id: DocumentId,
    canvas: &web_sys::HtmlCanvasElement,
    signer: SignerName,
) -> Result<BlobHash, EvidenceError> {
    let png = to_blob(canvas, SIGNATURE_TYPE, None).await?;
    let prepared = read_back(png).await?;
    keep(repo, &prepared, SIGNATURE_TYPE).await?;
    repo.sign(id, prepared.hash.clone(), signer).await?;
    offered(repo);
    Ok(prepared.hash)
}

/// Writes a prepared blob to the device (strict durability), keeping an upload
/// already done (the same picture again) marked as done.
async fn keep(repo: &Repo, prepared: &Prepared, content_type: &str) -> Result<(), EvidenceError> {
    let store = repo.store();
    let uploaded = matches!(store.blob(prepared.hash.as_str()).await, Ok(Some(b)) if b.uploaded);
    store
        .put_blob(
            prepared.hash.as_str(),
            &prepared.bytes,
            content_type,
            uploaded,
        )
        .await?;
    Ok(())
}

/// A blob was kept and recorded: show it, and upload it now if connected.
fn offered(repo: &Repo) {
    bump_revision();
    if repo.signals().status.with_untracked(|s| s.connected) {
        upload_pending(repo.store());
    }
}

/// Draws `file` no larger than [`MAX_EDGE`], encodes it as JPEG and hashes it.
pub async fn prepare(file: &web_sys::File) -> Result<Prepared, EvidenceError> {
    let window = web_sys::window().ok_or_else(|| EvidenceError::Unsupported("no window".into()))?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(file)
            .map_err(|_| EvidenceError::NotAnImage)?,
    )
    .await
    .map_err(|_| EvidenceError::NotAnImage)?
    .unchecked_into();
    let (width, height) = fit(f64::from(bitmap.width()), f64::from(bitmap.height()));
    let unsupported = |what: &str| EvidenceError::Unsupported(what.to_owned());
    let canvas: web_sys::HtmlCanvasElement = window
        .document()
        .ok_or_else(|| unsupported("no document"))?
        .create_element("canvas")
        .map_err(|_| unsupported("no canvas"))?
        .unchecked_into();
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or_else(|| unsupported("no 2d canvas"))?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, width, height)
        .map_err(|_| EvidenceError::NotAnImage)?;
    bitmap.close();
    let jpeg = to_blob(&canvas, CONTENT_TYPE, Some(JPEG_QUALITY)).await?;
    read_back(jpeg).await
}

/// The bytes of an encoded picture, and their hash.
async fn read_back(blob: web_sys::Blob) -> Result<Prepared, EvidenceError> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| EvidenceError::Unsupported("the picture could not be read back".into()))?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    let hash = sha256(&bytes).await?;
    Ok(Prepared { hash, bytes })
}

/// The size to draw a `width` × `height` picture at: the same, or scaled down so
/// its long side is [`MAX_EDGE`], never below one pixel.
pub fn fit(width: f64, height: f64) -> (f64, f64) {
    let long = width.max(height);
    let scale = if long > MAX_EDGE {
        MAX_EDGE / long
    } else {
        1.0
    };
    (
        (width * scale).round().max(1.0),
        (height * scale).round().max(1.0),
    )
}

/// Encodes what `canvas` shows as `content_type` (with `quality`, 0–1, for lossy types).
async fn to_blob(
    canvas: &web_sys::HtmlCanvasElement,
    content_type: &str,
    quality: Option<f64>,
) -> Result<web_sys::Blob, EvidenceError> {
    let mut failure = None;
    let made = Promise::new(&mut |resolve: Function, reject: Function| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = if blob.is_null() {
                reject.call0(&JsValue::NULL)
            } else {
                resolve.call1(&JsValue::NULL, &blob)
            };
        });
        let quality = quality.map_or(JsValue::UNDEFINED, JsValue::from_f64);
        if let Err(e) = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            content_type,
            &quality,
        ) {
            failure = Some(e);
        }
    });
    if failure.is_some() {
        return Err(EvidenceError::Unsupported(
            "the picture could not be encoded".into(),
        ));
    }
    JsFuture::from(made)
        .await
        .map(JsCast::unchecked_into)
        .map_err(|_| EvidenceError::Unsupported("the picture could not be encoded".into()))
}

/// The SHA-256 of `bytes`, from the browser's SubtleCrypto.
pub async fn sha256(bytes: &[u8]) -> Result<BlobHash, EvidenceError> {
    let unsupported = || {
        EvidenceError::Unsupported(
            "photos and signatures need a secure connection (https) to this server for hashing"
                .into(),
        )
    };
    let subtle = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.subtle())
        .filter(|s| !JsValue::from(s.clone()).is_undefined())
        .ok_or_else(unsupported)?;
    let data = Uint8Array::from(bytes);
    let digest = JsFuture::from(
        subtle
            .digest_with_str_and_buffer_source("SHA-256", &data)
            .map_err(|_| unsupported())?,
    )
    .await
    .map_err(|_| unsupported())?;
    let hex: String = Uint8Array::new(&digest)
        .to_vec()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex.parse().map_err(|_| unsupported())
}

// ----- upload -------------------------------------------------------------

thread_local! {
    /// Whether an upload round runs, and whether another was asked for meanwhile.
    static UPLOADING: Cell<(bool, bool)> = const { Cell::new((false, false)) };
    /// Moves whenever a photo is kept, uploaded or fetched.
    static REVISION: RwSignal<u64> = RwSignal::new(0);
}

/// A signal that moves whenever a photo is kept, uploaded or fetched on this
/// device, for views that show whether a photo is on the server.
pub fn revision() -> RwSignal<u64> {
    REVISION.with(|r| *r)
}

fn bump_revision() {
    revision().update(|n| *n += 1);
}

/// Uploads every blob the server does not have yet, one at a time, in the
/// background. A call while a round runs makes it run once more afterwards.
pub fn upload_pending(store: Rc<LocalStore>) {
    let (running, _) = UPLOADING.with(Cell::get);
    if running {
        UPLOADING.with(|u| u.set((true, true)));
        return;
    }
    UPLOADING.with(|u| u.set((true, false)));
    leptos::task::spawn_local(async move {
        loop {
            upload_round(&store).await;
            let (_, again) = UPLOADING.with(Cell::get);
            if again {
                UPLOADING.with(|u| u.set((true, false)));
            } else {
                UPLOADING.with(|u| u.set((false, false)));
                break;
            }
        }
    });
}

async fn upload_round(store: &LocalStore) {
    let pending = match store.pending_blobs().await {
        Ok(pending) => pending,
        Err(e) => {
            leptos::logging::warn!("the photos to upload could not be listed: {e}");
            return;
        }
    };
    for sha in pending {
        let blob = match store.blob(&sha).await {
            Ok(Some(blob)) => blob,
            Ok(None) => continue,
            Err(e) => {
                leptos::logging::warn!("photo {sha} could not be read for upload: {e}");
                continue;
            }
        };
        match put(&sha, &blob).await {
            Ok(200 | 201) => match store.mark_uploaded(&sha).await {
                Ok(()) => bump_revision(),
                Err(e) => leptos::logging::warn!("photo {sha} uploaded but not marked: {e}"),
            },
            // Signed out: the next sign-in reconnects, and that uploads again.
            Ok(401) => return,
            Ok(status) => {
                leptos::logging::warn!("the server refused photo {sha} ({status}); it stays queued")
            }
            // Offline or the server is away: the next connection tries again.
            Err(e) => {
                leptos::logging::warn!("photo upload stopped: {e}");
                return;
            }
        }
    }
}

async fn put(sha: &str, blob: &StoredBlob) -> Result<u16, String> {
    let response = gloo::net::http::Request::put(&format!("/api/blobs/{sha}"))
        .header("Content-Type", &blob.content_type)
        .body(Uint8Array::from(blob.bytes.as_slice()))
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(response.status())
}

// ----- showing ------------------------------------------------------------

/// Where a photo to show stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// On the device.
    Here(StoredBlob),
    /// Not on the device, and the server could not be asked.
    NotHere,
    /// Not on the device, and not on the server yet (the device that took it
    /// has not uploaded it).
    NotOnServer,
}

/// The photo `hash`: from the device, else fetched from the server when
/// `online` and kept on the device.
pub async fn load(store: &LocalStore, hash: &BlobHash, online: bool) -> Result<Found, String> {
    if let Some(blob) = store.blob(hash.as_str()).await.map_err(|e| e.to_string())? {
        return Ok(Found::Here(blob));
    }
    if !online {
        return Ok(Found::NotHere);
    }
    let response = match gloo::net::http::Request::get(&format!("/api/blobs/{hash}"))
        .send()
        .await
    {
        Ok(response) => response,
        Err(_) => return Ok(Found::NotHere),
    };
    match response.status() {
        200 => {}
        404 => return Ok(Found::NotOnServer),
        _ => return Ok(Found::NotHere),
    }
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap_or_else(|| CONTENT_TYPE.to_owned());
    let bytes = response.binary().await.map_err(|e| e.to_string())?;
    // Only bytes that are what their name says are kept.
    if sha256(&bytes).await.map_err(|e| e.to_string())? != *hash {
        return Err("the photo arrived damaged; it will be fetched again".to_owned());
    }
    store
        .put_blob(hash.as_str(), &bytes, &content_type, true)
        .await
        .map_err(|e| e.to_string())?;
    bump_revision();
    Ok(Found::Here(StoredBlob {
        bytes,
        content_type,
        uploaded: true,
    }))
}

/// An object URL for `blob`; revoke it with [`revoke`] when it is no longer shown.
pub fn object_url(blob: &StoredBlob) -> Option<String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(blob.bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&blob.content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn large_photos_shrink_to_1600_on_the_long_side_and_small_ones_stay() {
        assert_eq!(fit(4032.0, 3024.0), (1600.0, 1200.0));
        assert_eq!(fit(3024.0, 4032.0), (1200.0, 1600.0));
        assert_eq!(fit(800.0, 600.0), (800.0, 600.0));
        assert_eq!(fit(1600.0, 10.0), (1600.0, 10.0));
        assert_eq!(fit(100_000.0, 1.0), (1600.0, 1.0));
    }
}
