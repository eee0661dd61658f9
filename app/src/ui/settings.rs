//! Settings → Sync: what this device holds, whether the browser may evict it, and
//! when it last reached the server.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::status_strip::since;
use crate::repo::{now, Signals};

/// What the browser says about this site's storage.
#[derive(Debug, Clone, PartialEq)]
struct StorageReport {
    persisted: Option<bool>,
    used_bytes: Option<f64>,
    quota_bytes: Option<f64>,
}

async fn storage_report() -> StorageReport {
    let mut report = StorageReport {
        persisted: None,
        used_bytes: None,
        quota_bytes: None,
    };
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
        return report;
    };
    if let Ok(promise) = storage.persisted() {
        report.persisted = JsFuture::from(promise).await.ok().and_then(|v| v.as_bool());
    }
    if let Ok(promise) = storage.estimate() {
        if let Ok(estimate) = JsFuture::from(promise).await {
            let estimate: web_sys::StorageEstimate = estimate.unchecked_into();
            report.used_bytes = estimate.get_usage();
            report.quota_bytes = estimate.get_quota();
        }
    }
    report
}

/// Asks the browser not to evict this site's storage under pressure. Asked once
/// per device; the answer is shown in settings.
pub async fn request_persistence() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.persist().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_000_000.0)
}

#[component]
pub fn SyncSettings() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let report = LocalResource::new(storage_report);
    view! {
        <section class="page">
            <h1>"Sync and storage"</h1>
            <dl class="facts">
                <dt>"Connection"</dt>
                <dd>{move || {
                    let s = signals.status.get();
                    if !s.online { "Offline" } else if s.connected { "Connected to the server" } else { "Connecting…" }
                }}</dd>
                <dt>"Changes not yet on the server"</dt>
                <dd>{move || signals.status.get().unacked.to_string()}</dd>
                <dt>"Last complete sync"</dt>
                <dd>{move || match signals.status.get().last_sync_ms {
                    Some(at) => since(now().at_ms, at),
                    None => "Never on this device".to_owned(),
                }}</dd>
                <dt>"Signed in as"</dt>
                <dd>{move || signals.profile.get().map(|p| format!("{} ({})", p.user.name, p.user.role)).unwrap_or_else(|| "Not yet known on this device".to_owned())}</dd>
                <dt>"Protected from clean-up"</dt>
                <dd>{move || match report.get().and_then(|r| r.persisted) {
                    Some(true) => "Yes: the browser will not delete Fieldbook's data to free space".to_owned(),
                    Some(false) => "No: the browser may delete data under storage pressure; sync often".to_owned(),
                    None => "Unknown".to_owned(),
                }}</dd>
                <dt>"Storage used"</dt>
                <dd>{move || match report.get() {
                    Some(StorageReport { used_bytes: Some(used), quota_bytes: Some(quota), .. }) =>
                        format!("{} used, {} left", megabytes(used), megabytes((quota - used).max(0.0))),
                    _ => "Unknown".to_owned(),
                }}</dd>
            </dl>
            <super::sign_in::SignOut/>
            <a class="button" href="/incidents">"Back to incidents"</a>
        </section>
    }
}
