//! The incident as it was at a point of its history, read only: the history's
//! "As at" links open it (`/incidents/{id}?at={change hash}`), and "Back to the
//! current record" (or the browser's back button) returns.
//!
//! The version shown has the chosen change and every change listed before it
//! (`doc::history::heads_through`), read with `doc::incident::read_at`.

use automerge::ChangeHash;
use fieldbook_core::doc::{history, incident, ReadError};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::incident::Incident;
use leptos::prelude::*;

use super::incident_page::Header;
use super::repo;
use super::wording::{change_words, describe, device_time, device_time_to_second};

/// The record as at one change.
#[derive(Debug, Clone, PartialEq)]
struct Past {
    incident: Incident,
    /// Device time of the chosen change, seconds.
    at_s: i64,
    what: String,
}

/// The read-only "As at" view of an incident.
#[component]
pub fn AsAt(
    /// The incident's document.
    id: Signal<Option<DocumentId>>,
    /// The change (hash, hex) to show the record as at.
    at: Signal<String>,
) -> impl IntoView {
    let loaded = LocalResource::new(move || {
        let (id, at) = (id.get(), at.get());
        async move {
            let (Some(id), Some(repo)) = (id, repo()) else {
                return Err("This incident's link is not valid.".to_owned());
            };
            let hash: ChangeHash = at
                .parse()
                .map_err(|_| "This point of the history is not a change of the record.")?;
            repo.read_record(id, |doc| {
                let changes = history::changes(doc);
                let change = changes
                    .iter()
                    .find(|c| c.hash == hash)
                    .ok_or(ReadError::UnknownHeads)?;
                let heads =
                    history::heads_through(&changes, &hash).ok_or(ReadError::UnknownHeads)?;
                Ok(Past {
                    incident: incident::read_at(doc, &heads)?,
                    at_s: change.device_time_s,
                    what: change_words(change.message.as_deref()),
                })
            })
            .await
            .map_err(|e| e.to_string())
        }
    });
    let back = move || {
        id.get()
            .map(|id| format!("/incidents/{id}"))
            .unwrap_or_else(|| "/incidents".to_owned())
    };

    view! {
        <section class="page incident as-at">
            <a class="button back-to-now" href=back>"← Back to the current record"</a>
            {move || match loaded.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(past)) => view! {
                    <PastRecord past=past id=id.get().map(|i| i.to_string()).unwrap_or_default()/>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PastRecord(past: Past, id: String) -> impl IntoView {
    let Past {
        incident,
        at_s,
        what,
    } = past;
    let mut events = incident.events.clone();
    events.reverse();
    let photos = incident.attachments.len();
    let signers: Vec<String> = incident
        .signatures
        .iter()
        .map(|s| s.signer.clone())
        .collect();
    view! {
        <p class="as-at-banner" role="status">
            <strong>{format!("As at {}", device_time_to_second(at_s))}</strong>
            {format!(" (device time), after “{what}”. Read only: this is how the record was then.")}
        </p>
        <Header incident=incident.clone() id=id/>
        <dl class="past-fields" aria-label="Fields as at then">
            <dt>"Title"</dt><dd>{incident.title.all().cloned().collect::<Vec<_>>().join(" / ")}</dd>
            <dt>"Description"</dt><dd>{incident.description.clone()}</dd>
            <dt>"Impact"</dt><dd>{format!("{} – {}", incident.impact.value.level(), incident.impact.value.label())}</dd>
            <dt>"Urgency"</dt><dd>{format!("{} – {}", incident.urgency.value.level(), incident.urgency.value.label())}</dd>
            <dt>"Photos"</dt><dd>{photos.to_string()}</dd>
            <dt>"Signed by"</dt><dd>{if signers.is_empty() { "Not signed".to_owned() } else { signers.join(", ") }}</dd>
        </dl>
        <h2>"What had happened by then"</h2>
        <ol class="past-events" aria-label="Events as at then, newest first">
            {events.iter().map(|e| view! {
                <li><span class="what">{describe(e)}</span>" "<span class="when">{device_time(e.at_ms)}</span></li>
            }).collect_view()}
        </ol>
    }
}
