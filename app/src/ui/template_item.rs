//! One item of a template draft: a row (prompt, kind, clause, weight; any
//! message for it) that opens into its editor, one item at a time, so a long
//! template stays short on a phone. The editor sets the kind, prompt,
//! guidance, clause, weight, whether it is required, the bounds of a number,
//! and each answer's score and flag (yes and no, or each choice option).
//! Every field is saved when it is left; core parses what was typed.

use fieldbook_core::model::checklist::editing::{ItemChange, KindName, OptionRef, Place, SpecEdit};
use fieldbook_core::model::checklist::{ItemSpec, KindSpec, Outcome};
use leptos::prelude::*;

use super::template_page::{MoveButtons, Notes, PlaceNotes};

/// An item, closed: what it asks and how, and "Edit item".
#[component]
pub(super) fn ItemRow(
    section: usize,
    item: usize,
    spec: ItemSpec,
    notes: RwSignal<Notes>,
    open: RwSignal<Option<(usize, usize)>>,
) -> impl IntoView {
    let place = Place::Item { section, item };
    let prompt = match spec.prompt.trim() {
        "" => "New item: no prompt yet".to_owned(),
        p => p.to_owned(),
    };
    view! {
        <div class="item-row">
            <span class="title">{prompt.clone()}</span>
            <span class="meta">{describe_kind(&spec)}</span>
            <PlaceNotes notes=Signal::derive(move || notes.with(|n| n.at(place)))/>
            <button type="button" class="button big"
                aria-label=format!("Edit item {}.{}: {prompt}", section + 1, item + 1)
                on:click=move |_| open.set(Some((section, item)))>"Edit item"</button>
        </div>
    }
}

/// An item, open for editing.
#[component]
pub(super) fn ItemEditor(
    section: usize,
    item: usize,
    /// How many items its section has (for the move buttons).
    items: usize,
    spec: ItemSpec,
    edit: Callback<(Place, SpecEdit)>,
    notes: RwSignal<Notes>,
    open: RwSignal<Option<(usize, usize)>>,
) -> impl IntoView {
    let place = Place::Item { section, item };
    let change = move |c: ItemChange| {
        edit.run((
            place,
            SpecEdit::Item {
                section,
                item,
                change: c,
            },
        ))
    };
    let step = move |s: SpecEdit| edit.run((place, s));
    let field = move |name: &str| format!("item-{section}-{item}-{name}");
    let kind = KindName::of(&spec.kind);
    let number = format!("{}.{}", section + 1, item + 1);
    view! {
        <fieldset class="form item-editor">
            <legend>{format!("Item {number} ({})", spec.id)}</legend>
            <label for=field("kind")>"Kind of answer"</label>
            <select id=field("kind") on:change=move |ev| {
                if let Some(k) = KindName::parse(&event_target_value(&ev)) { change(ItemChange::Kind(k)) }
            }>
                {KindName::ALL.into_iter().map(|k| view! {
                    <option value=k.as_str() selected=k == kind>{k.label()}</option>
                }).collect_view()}
            </select>
            <label for=field("prompt")>"Prompt (the question)"</label>
            <textarea id=field("prompt") rows="2" prop:value=spec.prompt.clone()
                on:change=move |ev| change(ItemChange::Prompt(event_target_value(&ev)))></textarea>
            <label for=field("guidance")>"Guidance (what to look at or ask for)"</label>
            <textarea id=field("guidance") rows="2" prop:value=spec.guidance.clone()
                on:change=move |ev| change(ItemChange::Guidance(event_target_value(&ev)))></textarea>
            <div class="row">
                <div>
                    <label for=field("clause")>"Clause (e.g. 8.7.3)"</label>
                    <input id=field("clause") inputmode="decimal" prop:value=spec.clause.clone().unwrap_or_default()
                        on:change=move |ev| change(ItemChange::Clause(event_target_value(&ev)))/>
                </div>
                <div>
                    <label for=field("weight")>"Weight"</label>
                    <input id=field("weight") inputmode="numeric" prop:value=spec.weight.to_string()
                        on:change=move |ev| change(ItemChange::Weight(event_target_value(&ev)))/>
                </div>
                <label class="check">
                    <input type="checkbox" prop:checked=spec.required
                        on:change=move |ev| change(ItemChange::Required(event_target_checked(&ev)))/>
                    "Required"
                </label>
            </div>
            {kind_fields(&spec.kind, field, change)}
            <PlaceNotes notes=Signal::derive(move || notes.with(|n| n.at(place)))/>
            <div class="step-buttons">
                <MoveButtons what=format!("item {number}") at=item count=items
                    on_move=Callback::new(move |direction| step(SpecEdit::MoveItem { section, item, direction }))/>
                <button type="button" class="button danger"
                    aria-label=format!("Remove item {number}")
                    on:click=move |_| { open.set(None); step(SpecEdit::RemoveItem { section, item }) }>"Remove"</button>
                <button type="button" class="button primary" on:click=move |_| open.set(None)>"Done"</button>
            </div>
        </fieldset>
    }
}

/// The fields of the item's kind: outcomes of yes and no, the options of a
/// choice, or the bounds of a number.
fn kind_fields(
    kind: &KindSpec,
    field: impl Fn(&str) -> String + Copy + 'static,
    change: impl Fn(ItemChange) + Copy + 'static,
) -> AnyView {
    match kind {
        KindSpec::YesNo { yes, no } => view! {
            <div class="outcomes">
                {outcome_fields("Yes", OptionRef::Yes, *yes, field, change)}
                {outcome_fields("No", OptionRef::No, *no, field, change)}
            </div>
        }
        .into_any(),
        KindSpec::SingleChoice(options) | KindSpec::MultipleChoice(options) => view! {
            <div class="outcomes">
                {options.iter().enumerate().map(|(n, o)| {
                    let label_id = field(&format!("option-{n}-label"));
                    view! {
                        <div class="option" role="group" aria-label=format!("Option {}", n + 1)>
                            <label for=label_id.clone()>{format!("Option {} label", n + 1)}</label>
                            <input id=label_id prop:value=o.label.clone()
                                on:change=move |ev| change(ItemChange::OptionLabel { option: n, label: event_target_value(&ev) })/>
                            {outcome_fields(&format!("Option {}", n + 1), OptionRef::Choice(n), o.outcome, field, change)}
                            <button type="button" class="button danger"
                                aria-label=format!("Remove option {}", n + 1)
                                on:click=move |_| change(ItemChange::RemoveOption { option: n })>"Remove option"</button>
                        </div>
                    }
                }).collect_view()}
                <button type="button" class="button big" on:click=move |_| change(ItemChange::AddOption)>"Add option"</button>
            </div>
        }
        .into_any(),
        KindSpec::Number { min, max } => {
            let show = |b: &Option<f64>| b.map(|b| b.to_string()).unwrap_or_default();
            view! {
                <div class="row">
                    <div>
                        <label for=field("min")>"Lowest expected value"</label>
                        <input id=field("min") inputmode="decimal" prop:value=show(min)
                            on:change=move |ev| change(ItemChange::Min(event_target_value(&ev)))/>
                    </div>
                    <div>
                        <label for=field("max")>"Highest expected value"</label>
                        <input id=field("max") inputmode="decimal" prop:value=show(max)
                            on:change=move |ev| change(ItemChange::Max(event_target_value(&ev)))/>
                    </div>
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// Score and flag of one answer.
fn outcome_fields(
    name: &str,
    option: OptionRef,
    outcome: Outcome,
    field: impl Fn(&str) -> String,
    change: impl Fn(ItemChange) + Copy + 'static,
) -> impl IntoView {
    let key = match option {
        OptionRef::Yes => "yes".to_owned(),
        OptionRef::No => "no".to_owned(),
        OptionRef::Choice(n) => format!("option-{n}"),
    };
    let score = field(&format!("{key}-score"));
    view! {
        <div class="outcome">
            <label for=score.clone()>{format!("{name}: score")}</label>
            <input id=score inputmode="numeric" prop:value=outcome.score.to_string()
                on:change=move |ev| change(ItemChange::Score { option, score: event_target_value(&ev) })/>
            <label class="check">
                <input type="checkbox" prop:checked=outcome.flag
                    on:change=move |ev| change(ItemChange::Flag { option, flag: event_target_checked(&ev) })/>
                {format!("{name}: flag (suggests a finding)")}
            </label>
        </div>
    }
}

/// One line on how an item is answered: kind, clause, weight, required, and
/// which answers score or are flagged.
pub(super) fn describe_kind(item: &ItemSpec) -> String {
    let mut parts = vec![KindName::of(&item.kind).label().to_owned()];
    if let Some(clause) = &item.clause {
        parts.push(format!("clause {clause}"));
    }
    if item.kind != KindSpec::Instruction {
        parts.push(format!("weight {}", item.weight));
        if !item.required {
            parts.push("optional".to_owned());
        }
    }
    let outcome = |name: &str, o: &Outcome| {
        let flag = if o.flag { ", flagged" } else { "" };
        format!("{name} {}{flag}", o.score)
    };
    match &item.kind {
        KindSpec::YesNo { yes, no } => {
            parts.push(outcome("yes", yes));
            parts.push(outcome("no", no));
        }
        KindSpec::SingleChoice(options) | KindSpec::MultipleChoice(options) => {
            parts.extend(options.iter().map(|o| outcome(&o.label, &o.outcome)));
        }
        KindSpec::Number { min, max } => {
            let show = |b: &Option<f64>| b.map(|b| b.to_string()).unwrap_or_else(|| "any".into());
            parts.push(format!("expected {} to {}", show(min), show(max)));
        }
        _ => {}
    }
    parts.join(" · ")
}
