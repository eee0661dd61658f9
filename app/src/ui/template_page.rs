//! One checklist template version (/templates/:id). For auditors and admins a
//! draft opens in the editor: title, purpose, sections (add, rename, move up
//! or down, remove) and their items (`ui::template_item`), then "Publish".
//! Every step goes through core (`SpecEdit::apply`) and is saved on the device
//! at once, finished or not; core refuses to publish an unfinished draft and
//! `Problem` says where, so the message stands next to what is wrong.
//! A published or retired version, and any version for technicians and
//! managers, is shown read-only.

use fieldbook_core::doc::checklist_template::{self, TemplateRecord};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{may_write, Person, RecordKind};
use fieldbook_core::model::checklist::editing::{Direction, Place, Problem, SpecEdit};
use fieldbook_core::model::checklist::{SectionSpec, TemplateSpec, TemplateStatus};
use leptos::prelude::*;

use super::repo;
use super::routed_record::{routed_record, RoutedRecord};
use super::template_item::{describe_kind, ItemEditor, ItemRow};
use super::wording::sentence;

/// What the editor shows beside a place: a refused step or what stops publishing.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Notes {
    pub refused: Option<(Place, String)>,
    /// Shown once a publish was refused, and kept current until it is fixed.
    pub problem: Option<Problem>,
}

impl Notes {
    /// The messages for `place`.
    pub(super) fn at(&self, place: Place) -> Vec<String> {
        let refused = self.refused.iter().filter(|(p, _)| *p == place);
        let problem = self.problem.iter().filter(|p| p.place == place);
        refused
            .map(|(_, m)| sentence(m))
            .chain(problem.map(|p| sentence(&p.error.to_string())))
            .collect()
    }
}

#[component]
pub fn TemplatePage() -> impl IntoView {
    let RoutedRecord {
        id,
        latest,
        failure,
    } = routed_record(
        checklist_template::read,
        "This template's link is not valid.",
    );
    // Which view to show changes only when the status or the person's role
    // does, so a save (which reloads the record) keeps the editor and what it
    // has open.
    let mode = Memo::new(move |_| {
        let editable = latest.with(|r| {
            r.as_ref().map(|(record, person)| {
                record.template.status() == TemplateStatus::Draft
                    && may_write(person.role, RecordKind::ChecklistTemplate)
            })
        });
        id.get().zip(editable)
    });
    view! {
        <section class="page template">
            <a class="back" href="/checklists">"← Checklists"</a>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || latest.with(Option::is_none).then(|| view! { <p class="loading">"Loading…"</p> })}
            {move || latest.get().zip(mode.get()).map(|((record, _), (_, editable))| view! {
                <TemplateHead record=record editable=editable/>
            })}
            {move || mode.get().map(|(id, editable)| if editable {
                view! { <TemplateEditor id=id record=latest/> }.into_any()
            } else {
                view! { <TemplateView record=latest/> }.into_any()
            })}
        </section>
    }
}

/// Title, version and status, and what the page lets the person do.
#[component]
fn TemplateHead(record: TemplateRecord, editable: bool) -> impl IntoView {
    let t = &record.template;
    let status = format!("Version {} · {}", t.version(), t.status().label());
    let hint = match (editable, t.status()) {
        (true, _) => "A draft: every change is saved on this device. Runs start from it once it is published.",
        (false, TemplateStatus::Draft) => "A draft being written by an auditor or administrator.",
        (false, _) => "Published versions never change. To change this template, use Edit on the Checklists page: it makes the next version.",
    };
    view! {
        <header class="record-head">
            <h1>{t.title().to_owned()}</h1>
            <p class="meta"><span class=format!("badge template-{}", t.status().as_str())>{status}</span></p>
            <p class="hint">{hint}</p>
            {(!record.needs_review.is_empty()).then(|| view! {
                <p class="badge conflict">"An edit made offline reached this version after it was published; what was published is kept. Make the next version to change it."</p>
            })}
        </header>
    }
}

/// The draft editor: the content as last saved, changed one step at a time.
#[component]
fn TemplateEditor(
    id: DocumentId,
    record: RwSignal<Option<(TemplateRecord, Person)>>,
) -> impl IntoView {
    let spec = RwSignal::new(TemplateSpec::default());
    let pending = RwSignal::new(0u32);
    // The content from the device; a change from elsewhere (another device's
    // edit arriving) replaces what is shown, but only once this device's own
    // steps are saved, so a read from before a save never undoes a step.
    Effect::new(move |_| {
        if let Some(content) = record.with(|r| r.as_ref().map(|(r, _)| r.content())) {
            if pending.get_untracked() == 0 && spec.with_untracked(|s| *s != content) {
                spec.set(content);
            }
        }
    });
    let notes = RwSignal::new(Notes {
        refused: None,
        problem: None,
    });
    let tried = RwSignal::new(false);
    let status = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    let open = RwSignal::new(None::<(usize, usize)>);
    let edit = Callback::new(move |(place, step): (Place, SpecEdit)| {
        let mut next = spec.get_untracked();
        let opens = match &step {
            SpecEdit::AddItem { section } => next
                .sections
                .get(*section)
                .map(|s| (*section, s.items.len())),
            _ => None,
        };
        if let Err(e) = step.apply(&mut next) {
            notes.update(|n| n.refused = Some((place, e.to_string())));
            return;
        }
        if opens.is_some() {
            open.set(opens);
        }
        notes.update(|n| {
            n.refused = None;
            n.problem = if tried.get_untracked() {
                Problem::of(&next)
            } else {
                None
            };
        });
        spec.set(next.clone());
        let Some(repo) = repo() else { return };
        status.set(Some("Saving…".to_owned()));
        pending.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            let saved = repo.save_template(id, next).await;
            pending.update(|n| *n -= 1);
            match saved {
                Ok(()) => {
                    failed.set(None);
                    status.set(Some("Saved on this device".to_owned()));
                }
                Err(e) => {
                    status.set(None);
                    failed.set(Some(sentence(&e.to_string())));
                }
            }
        });
    });
    let publish = move |_| {
        let Some(repo) = repo() else { return };
        tried.set(true);
        let problem = Problem::of(&spec.get_untracked());
        notes.update(|n| n.problem = problem.clone());
        failed.set(None);
        leptos::task::spawn_local(async move {
            match repo.publish_template(id).await {
                Ok(()) => status.set(Some(
                    "Published: new runs start from this version".to_owned(),
                )),
                Err(e) => failed.set(Some(sentence(&e.to_string()))),
            }
        });
    };
    let notes_at = move |place| notes.with(|n| n.at(place));
    view! {
        <div class="template-editor">
            <div class="form" role="group" aria-label="Template">
                <label for="template-title">"Title"</label>
                <input id="template-title" prop:value=move || spec.with(|s| s.title.clone())
                    on:change=move |ev| edit.run((Place::Template, SpecEdit::Title(event_target_value(&ev))))/>
                <label for="template-purpose">"Purpose (why and when it is used)"</label>
                <textarea id="template-purpose" rows="2" prop:value=move || spec.with(|s| s.purpose.clone())
                    on:change=move |ev| edit.run((Place::Template, SpecEdit::Purpose(event_target_value(&ev))))></textarea>
                <PlaceNotes notes=Signal::derive(move || notes_at(Place::Template))/>
            </div>
            {move || {
                let count = spec.with(|s| s.sections.len());
                spec.with(|s| s.sections.clone()).into_iter().enumerate().map(|(index, section)| view! {
                    <SectionEditor index=index count=count section=section edit=edit notes=notes open=open/>
                }).collect_view()
            }}
            <button type="button" class="button big wide"
                on:click=move |_| edit.run((Place::Template, SpecEdit::AddSection))>
                "Add section"
            </button>
            <div class="publish-bar">
                <p class="saved" role="status">{move || status.get()}</p>
                {move || failed.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="button" class="button big primary" on:click=publish>"Publish"</button>
            </div>
        </div>
    }
}

/// One section: its title, its buttons, its items and "Add item".
#[component]
fn SectionEditor(
    index: usize,
    count: usize,
    section: SectionSpec,
    edit: Callback<(Place, SpecEdit)>,
    notes: RwSignal<Notes>,
    open: RwSignal<Option<(usize, usize)>>,
) -> impl IntoView {
    let place = Place::Section(index);
    let name = format!("Section {}: {}", index + 1, section.title);
    let field = format!("section-{index}-title");
    let items = section.items.len();
    let step = move |s: SpecEdit| edit.run((place, s));
    view! {
        <section class="section-editor" aria-label=name.clone()>
            <div class="form">
                <label for=field.clone()>{format!("Section {} title", index + 1)}</label>
                <input id=field prop:value=section.title.clone()
                    on:change=move |ev| step(SpecEdit::RenameSection { section: index, title: event_target_value(&ev) })/>
                <div class="step-buttons">
                    <MoveButtons what=format!("section {}", index + 1) at=index count=count
                        on_move=Callback::new(move |direction| step(SpecEdit::MoveSection { section: index, direction }))/>
                    <button type="button" class="button danger"
                        aria-label=format!("Remove section {}", index + 1)
                        on:click=move |_| step(SpecEdit::RemoveSection { section: index })>"Remove"</button>
                </div>
                <PlaceNotes notes=Signal::derive(move || notes.with(|n| n.at(place)))/>
            </div>
            <ol class="item-rows">
                {section.items.into_iter().enumerate().map(|(item, spec)| {
                    let here = (index, item);
                    view! {
                        <li>
                            {move || if open.get() == Some(here) {
                                view! { <ItemEditor section=index item=item items=items spec=spec.clone() edit=edit notes=notes open=open/> }.into_any()
                            } else {
                                view! { <ItemRow section=index item=item spec=spec.clone() notes=notes open=open/> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <button type="button" class="button big wide"
                aria-label=format!("Add item to section {}", index + 1)
                on:click=move |_| step(SpecEdit::AddItem { section: index })>
                "Add item"
            </button>
        </section>
    }
}

/// "↑ Up" and "↓ Down" for the `at`-th of `count` (a section or an item).
#[component]
pub(super) fn MoveButtons(
    /// What moves, as the buttons' names say it ("section 2", "item 2.3").
    what: String,
    at: usize,
    count: usize,
    on_move: Callback<Direction>,
) -> impl IntoView {
    view! {
        <button type="button" class="button" disabled=at == 0
            aria-label=format!("Move {what} up")
            on:click=move |_| on_move.run(Direction::Up)>"↑ Up"</button>
        <button type="button" class="button" disabled=at + 1 == count
            aria-label=format!("Move {what} down")
            on:click=move |_| on_move.run(Direction::Down)>"↓ Down"</button>
    }
}

/// The messages for one place, if any.
#[component]
pub(super) fn PlaceNotes(notes: Signal<Vec<String>>) -> impl IntoView {
    view! {
        {move || notes.get().into_iter().map(|m| view! { <p class="error" role="alert">{m}</p> }).collect_view()}
    }
}

/// A version read-only: sections and items as a person filling a run sees them,
/// with each item's kind, clause, weight, and options' scores and flags.
#[component]
fn TemplateView(record: RwSignal<Option<(TemplateRecord, Person)>>) -> impl IntoView {
    move || {
        let spec = record.with(|r| r.as_ref().map(|(r, _)| r.content()))?;
        Some(view! {
            {(!spec.purpose.is_empty()).then(|| view! { <p>{spec.purpose.clone()}</p> })}
            {spec.sections.into_iter().enumerate().map(|(index, section)| view! {
                <section class="section-view" aria-label=format!("Section {}: {}", index + 1, section.title)>
                    <h2>{section.title.clone()}</h2>
                    <ol class="item-rows">
                        {section.items.into_iter().map(|item| view! {
                            <li class="item-row">
                                <span class="title">{item.prompt.clone()}</span>
                                <span class="meta">{describe_kind(&item)}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
            }).collect_view()}
        })
    }
}
