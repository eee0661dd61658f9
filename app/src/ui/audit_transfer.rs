//! "Export audit" on the audit page and "Import an audit" on the audits list.
//!
//! Export gathers the audit with its records and pictures (`Repo::export_audit`)
//! and downloads one `.fieldbook` file through a Blob URL. Import reads a file
//! the person picks, decodes it with core (`bundle::Bundle::decode`: a bad file
//! is said in words and nothing is touched), and adds it at the site the person
//! picks (`Repo::import_bundle`); then it syncs like any record.

use fieldbook_core::bundle::Bundle;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{may_write, RecordKind, Role};
use js_sys::Uint8Array;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::repo;
use super::wording::sentence;
use crate::repo::{Imported, Signals};

/// The type a downloaded export is given.
const BUNDLE_TYPE: &str = "application/vnd.fieldbook.bundle";

/// "Export audit": the audit, its runs, findings, corrective actions and their
/// pictures as one file to download.
#[component]
pub fn ExportAudit(
    /// The audit's document.
    id: DocumentId,
) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let export = move |_| {
        let Some(repo) = repo() else { return };
        let online = signals.status.with_untracked(|s| s.online && !s.signed_out);
        busy.set(true);
        message.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            match repo.export_audit(id, online).await {
                Ok(export) => match download(&export.file_name, &export.bytes) {
                    Ok(()) => message.set(Some(format!(
                        "Exported {}: {}.",
                        export.file_name, export.contents
                    ))),
                    Err(e) => error.set(Some(e)),
                },
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="details transfer" aria-label="Export">
            <h2>"Export"</h2>
            <p class="hint">"One file with this audit, its runs, findings, corrective actions and photos, for another Fieldbook to import."</p>
            <button type="button" class="button big" disabled=move || busy.get() on:click=export>
                {move || if busy.get() { "Exporting…" } else { "Export audit" }}
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || message.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
        </section>
    }
}

/// Hands `bytes` to the browser as a download named `name`.
fn download(name: &str, bytes: &[u8]) -> Result<(), String> {
    let failed = || "The browser could not save the file.".to_owned();
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(BUNDLE_TYPE);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| failed())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| failed())?;
    let link: web_sys::HtmlAnchorElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .ok_or_else(failed)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The download has started from the URL; it may go once the click is handled.
    gloo::timers::callback::Timeout::new(0, move || crate::blobs::revoke(&url)).forget();
    Ok(())
}

/// "Import an audit": a file made with "Export audit", added at one of the
/// person's sites. Shown to roles core lets write audits.
#[component]
pub fn ImportAudit() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let sites = Memo::new(move |_| {
        signals
            .profile
            .with(|p| p.as_ref().map(|p| p.site_choices()).unwrap_or_default())
    });
    let may_import = move || {
        signals.profile.with(|p| {
            p.as_ref()
                .and_then(|p| p.user.role.parse::<Role>().ok())
                .is_some_and(|r| may_write(r, RecordKind::Audit))
        })
    };
    let site = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<Imported>);
    let error = RwSignal::new(None::<String>);
    let file = NodeRef::<leptos::html::Input>::new();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(repo) = repo() else { return };
        let Some(chosen) = file
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            error.set(Some("Choose the audit's file first.".to_owned()));
            return;
        };
        let picked = site.get_untracked();
        let target = if picked.is_empty() {
            sites.get_untracked().first().map(|(id, _)| id.clone())
        } else {
            Some(picked)
        };
        let Some(target) = target else {
            error.set(Some(sentence(
                &crate::repo::ActionError::NoSite.to_string(),
            )));
            return;
        };
        busy.set(true);
        done.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = match read_file(&chosen).await {
                Ok(bytes) => match Bundle::decode(&bytes) {
                    Ok(bundle) => repo
                        .import_bundle(&bundle, &target)
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                },
                Err(e) => Err(e),
            };
            match result {
                Ok(imported) => done.set(Some(imported)),
                Err(e) => error.set(Some(sentence(&e))),
            }
            busy.set(false);
        });
    };

    view! {
        <Show when=may_import>
            <section class="details transfer" aria-label="Import an audit">
                <h2>"Import an audit"</h2>
                <form class="form" aria-label="Import an audit" on:submit=submit>
                    <label for="import-file">"Audit file (.fieldbook, from “Export audit”)"</label>
                    <input id="import-file" class="file-input" type="file" accept=".fieldbook" node_ref=file/>
                    <Show when=move || sites.with(|s| s.len() > 1)
                        fallback=move || view! {
                            <p class="hint">{move || sites.with(|s| s.first().map(|(_, name)| format!("Into site: {name}")))}</p>
                        }>
                        <label for="import-site">"Into site"</label>
                        <select id="import-site" on:change=move |ev| site.set(event_target_value(&ev))>
                            <For each=move || sites.get() key=|s| s.0.clone() let:s>
                                <option value=s.0.clone()>{s.1.clone()}</option>
                            </For>
                        </select>
                    </Show>
                    <p class="hint">"The records keep their history and are listed at this site; the people named in them stay as they were."</p>
                    <div class="actions">
                        <button type="submit" class="button big primary" disabled=move || busy.get()>
                            {move || if busy.get() { "Importing…" } else { "Import audit" }}
                        </button>
                    </div>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    {move || done.get().map(|i| view! {
                        <p class="saved" role="status">
                            {format!("Imported audit “{}”: {}. ", i.title, i.contents)}
                            <a href=format!("/audits/{}", i.audit)>"Open it"</a>
                        </p>
                    })}
                </form>
            </section>
        </Show>
    }
}

/// The bytes of a picked file.
async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let max = fieldbook_core::bundle::MAX_BUNDLE_BYTES;
    if file.size() > max as f64 {
        return Err(fieldbook_core::bundle::BundleError::TooLarge {
            size_mb: (file.size() / (1024.0 * 1024.0)).ceil() as usize,
            max_mb: max / (1024 * 1024),
        }
        .to_string());
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "The file could not be read; choose it again.".to_owned())?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
