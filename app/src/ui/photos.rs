//! Photos as evidence: [`AddPhoto`], a large "Add photo" button that opens the
//! camera and records the photo where [`PhotoFor`] says (an incident, a run
//! answer, a finding, or a form's evidence); the incident's photos section; and
//! [`Photo`], one photo shown from this device's storage or fetched when it is
//! not here yet.
//!
//! The rules live elsewhere: `blobs` shrinks, hashes, keeps and uploads; core's
//! `doc` functions record the photo in its record.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::evidence::{Attachment, BlobHash};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::repo;
use super::wording::{device_time, sentence, who};
use crate::blobs::{self, Found, PhotoFor};
use crate::repo::{IncidentRecord, Signals};

/// The photos section of the incident page.
#[component]
pub fn IncidentPhotos(
    /// The incident's document.
    id: Signal<Option<DocumentId>>,
    /// The incident as last read from the device.
    record: Signal<Option<IncidentRecord>>,
) -> impl IntoView {
    let caption = RwSignal::new(String::new());
    let photos = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| {
                    let mut all: Vec<(Attachment, String)> = r
                        .incident
                        .attachments
                        .iter()
                        .map(|a| (a.clone(), who(&a.device, &r.this_device)))
                        .collect();
                    all.reverse();
                    all
                })
                .unwrap_or_default()
        })
    });

    view! {
        <section class="photos" aria-labelledby="photos-heading">
            <h2 id="photos-heading">"Photos"</h2>
            <div class="photo-add">
                <label for="photo-caption">"Caption for the next photo (optional)"</label>
                <input id="photo-caption" type="text" maxlength="200"
                    prop:value=move || caption.get()
                    on:input=move |ev| caption.set(event_target_value(&ev))/>
                {move || id.get().map(|id| view! {
                    <AddPhoto input_id="photo-file" target=PhotoFor::Incident(id) caption=caption/>
                })}
            </div>
            <Show
                when=move || photos.with(|p| !p.is_empty())
                fallback=|| view! { <p class="empty">"No photos yet."</p> }
            >
                <ul class="photo-strip" aria-label="Photos, newest first">
                    <For each=move || photos.get() key=|(a, _)| a.blob.clone() let:photo>
                        <li>
                            <figure>
                                <Photo blob=photo.0.blob.clone() caption=photo.0.caption.clone()/>
                                <figcaption>
                                    {(!photo.0.caption.is_empty()).then(|| view! {
                                        <span class="photo-caption">{photo.0.caption.clone()}</span>
                                    })}
                                    <span class="photo-meta">
                                        {photo.1.clone()}" · "{device_time(photo.0.at_ms)}
                                    </span>
                                </figcaption>
                            </figure>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// A large "Add photo" button (a label; the file input behind it opens the
/// camera). The chosen photo is shrunk, kept on the device and recorded in
/// `target`; then `caption` is cleared and `on_added` hears of it.
#[component]
pub fn AddPhoto(
    /// The id of the file input, unique on the page.
    #[prop(into)]
    input_id: String,
    /// Where the photo is recorded.
    target: PhotoFor,
    /// What the photo shows, if the page asks for it.
    #[prop(optional)]
    caption: Option<RwSignal<String>>,
    /// Told the photo's hash once it is kept and recorded.
    #[prop(optional)]
    on_added: Option<Callback<BlobHash>>,
    /// Whether photos cannot be added now.
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let chosen = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same photo may be chosen again later.
        input.set_value("");
        let Some(repo) = repo() else {
            return;
        };
        let target = target.clone();
        busy.set(true);
        message.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            let text = caption.map(|c| c.get_untracked()).unwrap_or_default();
            match blobs::add_photo(&repo, target, &file, text).await {
                Ok(hash) => {
                    if let Some(c) = caption {
                        c.set(String::new());
                    }
                    message.set(Some("Photo saved on this device".to_owned()));
                    if let Some(on_added) = on_added {
                        on_added.run(hash);
                    }
                }
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };
    let off = move || busy.get() || disabled.get();
    view! {
        <label for=input_id.clone() class="button primary photo-button"
            class:busy=move || busy.get() class:disabled=off>
            {move || if busy.get() { "Saving photo…" } else { "Add photo" }}
        </label>
        <input id=input_id class="visually-hidden" type="file"
            accept="image/*" capture="environment"
            disabled=off
            on:change=chosen/>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        {move || message.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
    }
}

/// Photos in a row, each with its caption.
#[component]
pub fn PhotoStrip(
    /// The photos and what each shows.
    photos: Vec<(BlobHash, String)>,
    /// What the list is, for people using a screen reader.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    view! {
        <ul class="photo-strip" aria-label=label>
            {photos.into_iter().map(|(blob, caption)| view! {
                <li>
                    <figure>
                        <Photo blob=blob caption=caption.clone()/>
                        {(!caption.is_empty()).then(|| view! {
                            <figcaption><span class="photo-caption">{caption}</span></figcaption>
                        })}
                    </figure>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// What a photo's frame shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    Loading,
    /// An object URL of the bytes on this device, and whether the server has them.
    Ready {
        url: String,
        uploaded: bool,
    },
    NotHere,
    NotOnServer,
    Failed(String),
}

/// One photo, from this device's storage (or fetched from the server and kept),
/// shown through an object URL that is revoked when the photo leaves the page.
#[component]
pub fn Photo(
    /// The photo's blob.
    blob: BlobHash,
    /// What it shows (its alternative text).
    caption: String,
    /// What the picture is, for the words shown while it is missing.
    #[prop(default = "Photo")]
    noun: &'static str,
) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let shown = RwSignal::new(Shown::Loading);
    let revoke_current = move || {
        if let Shown::Ready { url, .. } = shown.get_untracked() {
            blobs::revoke(&url);
        }
    };
    // Again whenever the device connects (a missing photo may be fetched now) or a
    // photo is kept or uploaded (to show whether it is on the server).
    let online = Memo::new(move |_| signals.status.with(|s| s.online && !s.signed_out));
    let revision = blobs::revision();
    Effect::new(move |_| {
        let online = online.get();
        revision.track();
        let blob = blob.clone();
        let Some(repo) = repo() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let next = match blobs::load(&repo.store(), &blob, online).await {
                Ok(Found::Here(stored)) => match blobs::object_url(&stored) {
                    Some(url) => Shown::Ready {
                        url,
                        uploaded: stored.uploaded,
                    },
                    None => Shown::Failed("This photo cannot be shown here.".to_owned()),
                },
                Ok(Found::NotHere) => Shown::NotHere,
                Ok(Found::NotOnServer) => Shown::NotOnServer,
                Err(e) => Shown::Failed(e),
            };
            if shown.try_get_untracked().is_some() {
                revoke_current();
                shown.set(next);
            } else if let Shown::Ready { url, .. } = next {
                // The photo left the page while it loaded.
                blobs::revoke(&url);
            }
        });
    });
    on_cleanup(move || {
        if let Some(Shown::Ready { url, .. }) = shown.try_get_untracked() {
            blobs::revoke(&url);
        }
    });
    let alt = if caption.is_empty() {
        noun.to_owned()
    } else {
        caption
    };
    let not_here = format!("{noun} not on this device yet");
    let not_on_server = format!("{noun} not on the server yet");
    let could_not = format!("{noun} could not be shown");

    move || {
        match shown.get() {
        Shown::Loading => view! { <div class="photo-frame placeholder">"Loading photo…"</div> }.into_any(),
        Shown::Ready { url, uploaded } => view! {
            <div class="photo-frame">
                <img src=url alt=alt.clone()/>
                {(!uploaded).then(|| view! { <span class="pending-tag">"not yet on the server"</span> })}
            </div>
        }
        .into_any(),
        Shown::NotHere => view! {
            <div class="photo-frame placeholder" role="img" aria-label=not_here.clone()>
                {format!("{not_here}. It appears when this device is online.")}
            </div>
        }
        .into_any(),
        Shown::NotOnServer => view! {
            <div class="photo-frame placeholder" role="img" aria-label=not_on_server.clone()>
                {format!("{not_on_server}. It appears once the device that made it is online.")}
            </div>
        }
        .into_any(),
        Shown::Failed(message) => view! {
            <div class="photo-frame placeholder" role="img" aria-label=could_not.clone()>
                {message}
            </div>
        }
        .into_any(),
    }
    }
}
