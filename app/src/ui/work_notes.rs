//! Work notes: an append-only stream, newest first, each with the device that
//! wrote it and its device time, and a box to add one. A note is a `note` event
//! (core's `Command::AddNote`), so notes from devices that were apart never
//! conflict.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::action::Command;
use fieldbook_core::model::event::{in_evaluation_order, EventKind};
use leptos::prelude::*;

use super::repo;
use super::wording::{device_time, sentence, who};
use crate::repo::IncidentRecord;

/// One note as the stream shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Note {
    id: String,
    text: String,
    who: String,
    when: String,
    on_server: bool,
}

/// The stream of work notes and the box to add one.
#[component]
pub fn WorkNotes(
    /// The incident's document.
    id: Signal<Option<DocumentId>>,
    /// The incident as last read from the device.
    record: Signal<Option<IncidentRecord>>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let notes = Memo::new(move |_| record.with(|r| r.as_ref().map(notes_of).unwrap_or_default()));

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(id), Some(repo)) = (id.get_untracked(), repo()) else {
            return;
        };
        let command = Command::AddNote {
            text: text.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match repo.perform(id, command).await {
                Ok(()) => text.set(String::new()),
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="work-notes" aria-labelledby="notes-heading">
            <h2 id="notes-heading">"Work notes"</h2>
            <form class="note-form" aria-label="Add a work note" novalidate on:submit=add>
                <label for="note-text">"New work note"</label>
                <textarea id="note-text" rows="3"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="form-buttons">
                    <button type="submit" class="button primary" disabled=move || busy.get()>"Add note"</button>
                </div>
            </form>
            <Show
                when=move || notes.with(|n| !n.is_empty())
                fallback=|| view! { <p class="empty">"No work notes yet."</p> }
            >
                <ol class="notes" aria-label="Work notes, newest first">
                    <For each=move || notes.get() key=|n| (n.id.clone(), n.on_server) let:note>
                        <li class="note">
                            <p class="note-text">{note.text.clone()}</p>
                            <p class="note-meta">
                                {note.who.clone()}" · "{note.when.clone()}" (device time)"
                                {(!note.on_server).then(|| view! { <span class="pending-tag">"not yet on the server"</span> })}
                            </p>
                        </li>
                    </For>
                </ol>
            </Show>
        </section>
    }
}

/// The notes of the log, newest first.
fn notes_of(record: &IncidentRecord) -> Vec<Note> {
    let mut notes: Vec<Note> = in_evaluation_order(&record.incident.events)
        .into_iter()
        .filter_map(|event| match event.kind {
            EventKind::WorkNote { text } => Some(Note {
                on_server: record.confirmed_events.contains(&event.id),
                who: who(&event.device, &record.this_device),
                when: device_time(event.at_ms),
                id: event.id,
                text,
            }),
            _ => None,
        })
        .collect();
    notes.reverse();
    notes
}
