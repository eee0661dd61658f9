//! One item of a run as an auditor answers it with gloves on: the clause, the
//! prompt and guidance, big answer buttons (or a number, text or date field),
//! "not applicable", a note, the answer's photos and "Add photo" (a photo item's
//! answer is its photo), who answered, and, for a flagged answer, "Raise a
//! finding" (which carries the photos into the finding's evidence). Whether an answer fits, whether the run still takes answers and
//! whether an answer is flagged are core's decisions.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::checklist::{Item, ItemKind, Options};
use fieldbook_core::model::checklist_run::{Answer, AnswerValue, Response};
use fieldbook_core::model::evidence::BlobHash;
use fieldbook_core::model::incident::Contested;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::photos::{AddPhoto, PhotoStrip};
use super::repo;
use super::wording::sentence;
use crate::blobs::PhotoFor;

/// What the page knows of one item, re-rendered only when it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemView {
    pub item: Item,
    /// The answer, with every value when two were given at once.
    pub answer: Option<Contested<Answer>>,
    /// A finding already raised from this item's answer.
    pub finding: Option<DocumentId>,
    /// Answers cannot change now (submitted, reviewed, closed).
    pub locked: bool,
}

impl ItemView {
    /// Changes whenever anything shown changes.
    pub fn key(&self) -> String {
        format!(
            "{}|{:?}|{:?}|{}",
            self.item.id(),
            self.answer,
            self.finding,
            self.locked
        )
    }
}

#[component]
pub fn RunItem(
    /// The run's document.
    run: DocumentId,
    /// The item, its answer and what can be done.
    view: ItemView,
) -> impl IntoView {
    let item = view.item.clone();
    let id = item.id().to_string();
    let dom = dom_id(&id);
    let answer = view.answer.as_ref().map(|a| a.value.clone());
    let note = RwSignal::new(answer.as_ref().map(|a| a.note.clone()).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let locked = view.locked;

    let save = {
        let item_id = item.id().clone();
        move |response: Response| {
            let Some(repo) = repo() else { return };
            let item_id = item_id.clone();
            busy.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                if let Err(e) = repo
                    .answer(run, item_id, response, note.get_untracked())
                    .await
                {
                    error.set(Some(sentence(&e.to_string())));
                }
                busy.set(false);
            });
        }
    };

    let flagged = answer.as_ref().is_some_and(|a| a.is_flagged(&item));
    let given = answer.as_ref().map(|a| a.response.clone());
    let controls = controls(&item, given.clone(), locked, busy, save.clone(), &dom);
    let who = answer
        .as_ref()
        .map(|a| format!("{} — {}", a.response.display(&item), a.by.name));
    let contested = view
        .answer
        .as_ref()
        .filter(|a| a.is_conflict())
        .map(|a| a.all().cloned().collect::<Vec<_>>());
    let note_save = {
        let save = save.clone();
        let given = given.clone();
        move |_| {
            if let Some(response) = given.clone() {
                save(response);
            }
        }
    };
    let navigate = use_navigate();
    let raise = {
        let item_id = item.id().clone();
        move |_| {
            let Some(repo) = repo() else { return };
            let item_id = item_id.clone();
            let navigate = navigate.clone();
            busy.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                match repo.raise_finding(run, item_id).await {
                    Ok(finding) => navigate(&format!("/findings/{finding}"), Default::default()),
                    Err(e) => error.set(Some(sentence(&e.to_string()))),
                }
                busy.set(false);
            });
        }
    };
    let answerable = item.is_answerable();
    let photos: Vec<(BlobHash, String)> = answer
        .as_ref()
        .map(|a| {
            a.photos
                .iter()
                .map(|p| (p.clone(), item.prompt().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    // A photo item is answered by its first photo; any other takes photos once answered.
    let takes_photos = !locked
        && match item.kind() {
            ItemKind::Photo => true,
            ItemKind::Signature | ItemKind::Instruction => false,
            _ => answer.is_some(),
        };
    let photo_target = PhotoFor::Answer {
        run,
        item: item.id().clone(),
    };

    view! {
        <article id=dom.clone() class=if flagged { "item flagged" } else { "item" } aria-labelledby=format!("{dom}-prompt")>
            <p class="item-meta">
                {item.clause().map(|c| view! { <span class="clause">{format!("Clause {c}")}</span> })}
                {item.required().then(|| view! { <span class="req">"required"</span> })}
            </p>
            <h3 id=format!("{dom}-prompt")>{item.prompt().to_owned()}</h3>
            {(!item.guidance().is_empty()).then(|| view! { <p class="guidance">{item.guidance().to_owned()}</p> })}
            {controls}
            {contested.map(|values| {
                let save = save.clone();
                view! {
                    <div class="conflict-box" role="group" aria-label="Two answers">
                        <p>"Two people answered this at the same time. Choose the answer to keep:"</p>
                        <div class="choices">
                            {values.into_iter().map(|a| {
                                let save = save.clone();
                                let label = format!("Keep “{}” ({})", a.response.display(&view.item), a.by.name);
                                let response = a.response.clone();
                                view! {
                                    <button type="button" class="button choice" disabled=locked
                                        on:click=move |_| save(response.clone())>{label}</button>
                                }
                            }).collect_view()}
                        </div>
                    </div>
                }
            })}
            {answerable.then(|| view! {
                <label class="note-label" for=format!("{dom}-note")>"Note"</label>
                <textarea id=format!("{dom}-note") class="item-note" rows="2" disabled=locked
                    placeholder="What you saw or were told"
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                    on:change=note_save></textarea>
            })}
            {(!photos.is_empty()).then(|| view! {
                <PhotoStrip photos=photos label=format!("Photos for: {}", item.prompt())/>
            })}
            {takes_photos.then(|| view! {
                <div class="photo-add">
                    <AddPhoto input_id=format!("{dom}-photo") target=photo_target/>
                </div>
            })}
            {who.map(|w| view! { <p class="answered">"Answer: "<strong>{w}</strong></p> })}
            {flagged.then(|| match view.finding {
                Some(finding) => view! {
                    <p class="flag">
                        <span class="badge flag-badge">"Flagged"</span>
                        <a class="button big" href=format!("/findings/{finding}")>"Open the finding"</a>
                    </p>
                }.into_any(),
                None => view! {
                    <p class="flag">
                        <span class="badge flag-badge">"Flagged"</span>
                        <button type="button" class="button big primary" disabled=move || busy.get()
                            on:click=raise.clone()>"Raise a finding"</button>
                    </p>
                }.into_any(),
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </article>
    }
}

/// The answer controls for `item`'s kind, with "N/A" for every answerable item.
fn controls(
    item: &Item,
    given: Option<Response>,
    locked: bool,
    busy: RwSignal<bool>,
    save: impl Fn(Response) + Clone + 'static,
    dom: &str,
) -> AnyView {
    let button = {
        let given = given.clone();
        let save = save.clone();
        move |label: String, response: Response| {
            let pressed = given.as_ref() == Some(&response);
            let save = save.clone();
            view! {
                <button type="button" class=if pressed { "button answer pressed" } else { "button answer" }
                    aria-pressed=if pressed { "true" } else { "false" }
                    disabled=move || locked || busy.get()
                    on:click=move |_| save(response.clone())>{label}</button>
            }
        }
    };
    let na = button("N/A".to_owned(), Response::NotApplicable);
    let value = match &given {
        Some(Response::Given(v)) => Some(v.clone()),
        _ => None,
    };
    match item.kind() {
        ItemKind::Instruction => view! { <p class="instruction">"Read and follow; nothing to answer."</p> }.into_any(),
        ItemKind::YesNo { .. } => view! {
            <div class="answers" role="group" aria-label="Answer">
                {button("Yes".to_owned(), Response::Given(AnswerValue::Yes))}
                {button("No".to_owned(), Response::Given(AnswerValue::No))}
                {na}
            </div>
        }
        .into_any(),
        ItemKind::SingleChoice(options) => view! {
            <div class="answers" role="group" aria-label="Answer">
                {options.iter().map(|o| button(o.label.clone(), Response::Given(AnswerValue::Choice(o.value.clone())))).collect_view()}
                {na}
            </div>
        }
        .into_any(),
        ItemKind::MultipleChoice(options) => {
            let chosen = match value {
                Some(AnswerValue::Choices(vs)) => vs,
                _ => Vec::new(),
            };
            view! {
                <div class="answers" role="group" aria-label="Answer (choose any)">
                    {multiple(options, chosen, locked, busy, save.clone())}
                    {na}
                </div>
            }
            .into_any()
        }
        ItemKind::Number(_) => {
            let text = match value {
                Some(AnswerValue::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            field(dom, "number", text, locked, busy, save, na, |t| {
                t.trim()
                    .replace(',', ".")
                    .parse::<f64>()
                    .map(AnswerValue::Number)
                    .map_err(|_| "Write a number, such as 3 or 2.5.".to_owned())
            })
        }
        ItemKind::Text => {
            let text = match value {
                Some(AnswerValue::Text(t)) => t,
                _ => String::new(),
            };
            field(dom, "text", text, locked, busy, save, na, |t| {
                Ok(AnswerValue::Text(t.trim().to_owned()))
            })
        }
        ItemKind::Date => {
            let text = match value {
                Some(AnswerValue::Date(d)) => d.to_string(),
                _ => String::new(),
            };
            field(dom, "date", text, locked, busy, save, na, |t| {
                t.parse()
                    .map(AnswerValue::Date)
                    .map_err(|_| "Choose a date.".to_owned())
            })
        }
        ItemKind::Photo => view! {
            <p class="hint">"Answer with a photo (below), or mark N/A if this does not apply."</p>
            <div class="answers" role="group" aria-label="Answer">{na}</div>
        }
        .into_any(),
        ItemKind::Signature => view! {
            <p class="hint">"Signatures are not taken here yet; mark N/A if this does not apply."</p>
            <div class="answers" role="group" aria-label="Answer">{na}</div>
        }
        .into_any(),
    }
}

/// Toggle buttons for a multiple-choice item: each tap saves the new set.
fn multiple(
    options: &Options,
    chosen: Vec<String>,
    locked: bool,
    busy: RwSignal<bool>,
    save: impl Fn(Response) + Clone + 'static,
) -> impl IntoView {
    options
        .iter()
        .map(|o| {
            let on = chosen.contains(&o.value);
            let mut next: Vec<String> = chosen.iter().filter(|v| **v != o.value).cloned().collect();
            if !on {
                next.push(o.value.clone());
            }
            let save = save.clone();
            view! {
                <button type="button" class=if on { "button answer pressed" } else { "button answer" }
                    aria-pressed=if on { "true" } else { "false" }
                    disabled=move || locked || busy.get()
                    on:click=move |_| save(Response::Given(AnswerValue::Choices(next.clone())))>
                    {o.label.clone()}
                </button>
            }
        })
        .collect_view()
}

/// A number, text or date input saved with its own button, and N/A beside it.
#[allow(clippy::too_many_arguments)]
fn field(
    dom: &str,
    input_type: &'static str,
    current: String,
    locked: bool,
    busy: RwSignal<bool>,
    save: impl Fn(Response) + Clone + 'static,
    na: impl IntoView + 'static,
    parse: fn(&str) -> Result<AnswerValue, String>,
) -> AnyView {
    let text = RwSignal::new(current);
    let problem = RwSignal::new(None::<String>);
    let input_id = format!("{dom}-value");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse(&text.get_untracked()) {
            Ok(value) => {
                problem.set(None);
                save(Response::Given(value));
            }
            Err(message) => problem.set(Some(message)),
        }
    };
    let input = match input_type {
        "text" => view! {
            <textarea id=input_id.clone() rows="2" disabled=locked
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        kind => view! {
            <input id=input_id.clone() type=kind disabled=locked
                inputmode=if kind == "number" { "decimal" } else { "text" }
                step="any"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))/>
        }
        .into_any(),
    };
    view! {
        <form class="value-form" on:submit=submit>
            <label for=input_id>"Answer"</label>
            {input}
            <div class="answers">
                <button type="submit" class="button answer" disabled=move || locked || busy.get()>"Save answer"</button>
                {na}
            </div>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </form>
    }
    .into_any()
}

/// An id usable in the DOM from an item id (letters, digits, `.`, `-`, `_`).
fn dom_id(item: &str) -> String {
    format!("item-{}", item.replace('.', "_"))
}
