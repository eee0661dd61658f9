//! The customer's signature on a resolved incident: a pad to draw on with a
//! finger, a pen or the mouse ("Clear", "Save signature"), and each signature
//! recorded, with who signed, when, and what changed after signing.
//!
//! The rules live in core: who may sign when (`model::signature::may_sign`),
//! the signer's name (`SignerName`), and what changed after the signed version
//! (`changed_after_signing`). `blobs::add_signature` keeps the picture on the
//! device (PNG, by SHA-256) before the record names it; it uploads with the
//! photos. Everything works offline.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::incident::Status;
use fieldbook_core::model::signature::{may_sign, SignerName};
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::photos::Photo;
use super::repo;
use super::wording::{after_signing_words, device_time, sentence, who};
use crate::blobs;
use crate::repo::{IncidentRecord, SignedVersion};

/// The pad's drawing surface, in canvas pixels (shown at any width, 2:1).
const PAD_WIDTH: u32 = 1000;
const PAD_HEIGHT: u32 = 500;
/// Line width, in canvas pixels.
const INK_WIDTH: f64 = 6.0;

/// The signatures section of the incident page: what is signed, and the pad
/// while the incident is resolved.
#[component]
pub fn IncidentSignatures(
    /// The incident's document.
    id: Signal<Option<DocumentId>>,
    /// The incident as last read from the device.
    record: Signal<Option<IncidentRecord>>,
) -> impl IntoView {
    let signed = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.signatures
                        .iter()
                        .map(|s| (s.clone(), who(&s.signature.device, &r.this_device)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let status = Memo::new(move |_| record.with(|r| r.as_ref().map(|r| r.incident.status())));
    let sign_again = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let may = move || status.get().is_some_and(|s| may_sign(s).is_ok());
    let pad_open = move || may() && (signed.with(Vec::is_empty) || sign_again.get());
    // Also a closed incident nobody signed: a reviewer should see that it was not.
    let shown =
        move || may() || signed.with(|s| !s.is_empty()) || status.get() == Some(Status::Closed);

    view! {
        <Show when=shown>
            <section class="signatures" aria-labelledby="signatures-heading">
                <h2 id="signatures-heading">"Customer signature"</h2>
                {move || message.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
                // Re-rendered whenever a signature or what changed after it differs.
                <ul class="signed-list" aria-label="Signatures">
                    {move || signed.get().into_iter().map(|(s, device)| view! {
                        <li><SignedView signed=s device=device/></li>
                    }).collect_view()}
                </ul>
                <Show
                    when=pad_open
                    fallback=move || may().then(|| view! {
                        <button type="button" class="button" on:click=move |_| {
                            message.set(None);
                            sign_again.set(true);
                        }>"Ask for a new signature"</button>
                    })
                >
                    <SignaturePad id=id on_saved=move || {
                        sign_again.set(false);
                        message.set(Some("Signature saved on this device".to_owned()));
                    }/>
                </Show>
                {move || (status.get() == Some(Status::Closed) && signed.with(Vec::is_empty)).then(|| view! {
                    <p class="empty">"Closed without a customer signature."</p>
                })}
            </section>
        </Show>
    }
}

/// One recorded signature: the picture, who and when, and what changed after.
#[component]
fn SignedView(signed: SignedVersion, device: String) -> impl IntoView {
    let signature = signed.signature;
    let alt = format!("Signature of {}", signature.signer);
    let after = match signed.changed_after {
        None => view! {
            <p class="warning">"What changed after signing cannot be worked out on this device."</p>
        }
        .into_any(),
        Some(changes) if changes.is_empty() => view! {
            <p class="unchanged">"No changes since signing."</p>
        }
        .into_any(),
        Some(changes) => view! {
            <div class="after-signing" role="group" aria-label="Changed after signing">
                <p><strong>"Changed after signing:"</strong></p>
                <ul>
                    {changes.iter().map(|c| view! { <li>{after_signing_words(c)}</li> }).collect_view()}
                </ul>
            </div>
        }
        .into_any(),
    };
    view! {
        <figure class="signed">
            <div class="signature-image">
                <Photo blob=signature.blob.clone() caption=alt noun="Signature"/>
            </div>
            <figcaption>
                <span class="signer">"Signed by "{signature.signer.clone()}</span>
                <span class="photo-meta">{device_time(signature.at_ms)}" · "{device}</span>
            </figcaption>
        </figure>
        {after}
    }
}

/// A point on the pad, in canvas pixels.
#[derive(Debug, Clone, Copy)]
struct Point {
    x: f64,
    y: f64,
}

/// The pad: the customer draws, the technician (or customer) writes the name
/// and saves. Calls `on_saved` once the signature is on the device.
#[component]
fn SignaturePad(
    /// The incident to sign.
    id: Signal<Option<DocumentId>>,
    /// Called after the signature was saved on the device.
    on_saved: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let signer = RwSignal::new(String::new());
    let drawn = RwSignal::new(false);
    let last = StoredValue::new(None::<Point>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let context = move || {
        canvas.get_untracked().and_then(|c| {
            c.get_context("2d")
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        })
    };
    let clear = move || {
        if let Some(ctx) = context() {
            ctx.set_fill_style_str("#ffffff");
            ctx.fill_rect(0.0, 0.0, f64::from(PAD_WIDTH), f64::from(PAD_HEIGHT));
            ctx.set_stroke_style_str("#10161f");
            ctx.set_fill_style_str("#10161f");
            ctx.set_line_width(INK_WIDTH);
            ctx.set_line_cap("round");
            ctx.set_line_join("round");
        }
        drawn.set(false);
        last.set_value(None);
    };
    Effect::new(move |_| {
        if canvas.get().is_some() {
            clear();
        }
    });
    // Where a pointer is, in canvas pixels, whatever size the pad is shown at.
    let at = move |ev: &web_sys::PointerEvent| -> Option<Point> {
        let c = canvas.get_untracked()?;
        let rect = c.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        Some(Point {
            x: (f64::from(ev.client_x()) - rect.left()) * f64::from(PAD_WIDTH) / rect.width(),
            y: (f64::from(ev.client_y()) - rect.top()) * f64::from(PAD_HEIGHT) / rect.height(),
        })
    };
    let down = move |ev: web_sys::PointerEvent| {
        ev.prevent_default();
        if let Some(c) = canvas.get_untracked() {
            let _ = c.set_pointer_capture(ev.pointer_id());
        }
        let (Some(p), Some(ctx)) = (at(&ev), context()) else {
            return;
        };
        ctx.begin_path();
        let _ = ctx.arc(p.x, p.y, INK_WIDTH / 2.0, 0.0, std::f64::consts::TAU);
        ctx.fill();
        last.set_value(Some(p));
        drawn.set(true);
        error.set(None);
    };
    let moved = move |ev: web_sys::PointerEvent| {
        let Some(from) = last.get_value() else {
            return;
        };
        ev.prevent_default();
        let (Some(to), Some(ctx)) = (at(&ev), context()) else {
            return;
        };
        ctx.begin_path();
        ctx.move_to(from.x, from.y);
        ctx.line_to(to.x, to.y);
        ctx.stroke();
        last.set_value(Some(to));
    };
    let up = move |_: web_sys::PointerEvent| last.set_value(None);

    let save = move |_| {
        let (Some(id), Some(repo), Some(c)) = (id.get_untracked(), repo(), canvas.get_untracked())
        else {
            return;
        };
        if !drawn.get_untracked() {
            error.set(Some(
                "Ask the customer to sign in the box first.".to_owned(),
            ));
            return;
        }
        let name = match SignerName::parse(signer.get_untracked()) {
            Ok(name) => name,
            Err(e) => {
                error.set(Some(sentence(&e.to_string())));
                return;
            }
        };
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let canvas: web_sys::HtmlCanvasElement = c;
            match blobs::add_signature(&repo, id, &canvas, name).await {
                Ok(_) => on_saved(),
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.try_set(false);
        });
    };

    view! {
        <div class="signature-pad">
            <p class="hint">"Ask the customer to sign below with a finger, confirming the resolution."</p>
            <canvas node_ref=canvas width=PAD_WIDTH height=PAD_HEIGHT
                role="img" aria-label="Signature pad: the customer signs here"
                on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointercancel=up></canvas>
            <label for="signer-name">"Name of the person signing"</label>
            <input id="signer-name" type="text" maxlength="100" autocomplete="name"
                prop:value=move || signer.get()
                on:input=move |ev| signer.set(event_target_value(&ev))/>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="actions">
                <button type="button" class="button" on:click=move |_| clear()>"Clear"</button>
                <button type="button" class="button primary" disabled=move || busy.get() on:click=save>
                    {move || if busy.get() { "Saving…" } else { "Save signature" }}
                </button>
            </div>
        </div>
    }
}
