//! A corrective action's next actions as large buttons, each opening inline
//! what it needs (a step, evidence with photos, the check's criteria and due
//! date, a result, a reason, an owner). Which actions exist and whether the
//! filled-in one is allowed is core's decision (`CorrectiveAction::next_actions`,
//! `doc::corrective_action::perform`); a refusal is shown in core's words.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Person;
use fieldbook_core::model::corrective_action::{Action, CheckResult, Command, CorrectiveAction};
use fieldbook_core::model::evidence::BlobHash;
use leptos::prelude::*;

use super::finding_actions::evidence;
use super::people::{person_ref, PersonPicker};
use super::photos::{AddPhoto, PhotoStrip};
use super::repo;
use super::wording::sentence;
use crate::blobs::PhotoFor;
use crate::repo::Signals;

/// What the person fills into the open action's form.
#[derive(Clone, Copy)]
struct Inputs {
    text: RwSignal<String>,
    /// Written evidence.
    note: RwSignal<String>,
    /// A date, a result, a step id or a person, by action.
    choice: RwSignal<String>,
    /// Photos kept for the evidence.
    photos: RwSignal<Vec<BlobHash>>,
    signals: Signals,
}

#[component]
pub fn CorrectiveActionButtons(
    /// The corrective action's document.
    id: DocumentId,
    /// The action as last read, with the person looking at it.
    record: Signal<Option<(CorrectiveAction, Person)>>,
) -> impl IntoView {
    let open = RwSignal::new(None::<Action>);
    let inputs = Inputs {
        text: RwSignal::new(String::new()),
        note: RwSignal::new(String::new()),
        choice: RwSignal::new(String::new()),
        photos: RwSignal::new(Vec::new()),
        signals: expect_context::<Signals>(),
    };
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let actions = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|(a, who)| a.next_actions(who))
                .unwrap_or_default()
        })
    });
    let perform = move |command: Command, label: &'static str| {
        let Some(repo) = repo() else { return };
        busy.set(true);
        error.set(None);
        done.set(None);
        leptos::task::spawn_local(async move {
            match repo.perform_action(id, command).await {
                Ok(()) => {
                    open.set(None);
                    done.set(Some(format!("{label} — recorded on this device")));
                }
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };
    let press = move |action: Action| {
        error.set(None);
        done.set(None);
        let direct = match action {
            Action::Approve => Some(Command::Approve),
            Action::Start => Some(Command::Start),
            Action::Close => Some(Command::Close),
            Action::Reconcile => Some(Command::Reconcile),
            _ => None,
        };
        match direct {
            Some(command) => perform(command, action.label()),
            None => {
                inputs.text.set(String::new());
                inputs.note.set(String::new());
                inputs.photos.set(Vec::new());
                let preset = record.with_untracked(|r| {
                    r.as_ref().map(|(a, _)| match action {
                        Action::CompleteStep => a
                            .derived()
                            .standing
                            .open_steps()
                            .next()
                            .map(|s| s.id.clone())
                            .unwrap_or_default(),
                        Action::CheckEffectiveness => CheckResult::Effective.as_str().to_owned(),
                        Action::ChangeOwner => a.owner.value.user_id.clone(),
                        _ => String::new(),
                    })
                });
                inputs.choice.set(preset.unwrap_or_default());
                open.set(Some(action));
            }
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(action) = open.get_untracked() else {
            return;
        };
        match inputs.command(action) {
            Ok(command) => perform(command, action.label()),
            Err(message) => error.set(Some(message)),
        }
    };
    view! {
        <section class="next-actions" aria-label="Next actions">
            {move || match open.get() {
                None => view! {
                    <div class="action-buttons">
                        {move || actions.get().into_iter().enumerate().map(|(i, action)| view! {
                            <button type="button" class=if i == 0 { "button big primary" } else { "button big" }
                                disabled=move || busy.get()
                                on:click=move |_| press(action)>{action.label()}</button>
                        }).collect_view()}
                    </div>
                }.into_any(),
                Some(action) => view! {
                    <form class="action-form" aria-label=action.label() novalidate on:submit=submit>
                        <h2>{action.label()}</h2>
                        {fields(action, inputs, record)}
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        <div class="form-buttons">
                            <button type="button" class="button" on:click=move |_| { open.set(None); error.set(None); }>"Back"</button>
                            <button type="submit" class="button primary" disabled=move || busy.get()>{action.label()}</button>
                        </div>
                    </form>
                }.into_any(),
            }}
            {move || open.with(Option::is_none).then(|| error.get()).flatten()
                .map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || done.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
        </section>
    }
}

fn fields(
    action: Action,
    inputs: Inputs,
    record: Signal<Option<(CorrectiveAction, Person)>>,
) -> AnyView {
    match action {
        Action::AddStep => area("action-step", "What to do", inputs.text).into_any(),
        Action::CompleteStep => {
            let steps: Vec<(String, String)> = record.with_untracked(|r| {
                r.as_ref()
                    .map(|(a, _)| {
                        a.derived()
                            .standing
                            .open_steps()
                            .map(|s| (s.id.clone(), s.text.clone()))
                            .collect()
                    })
                    .unwrap_or_default()
            });
            view! {
                <label for="action-step-done">"Step"</label>
                <select id="action-step-done" prop:value=move || inputs.choice.get()
                    on:change=move |ev| inputs.choice.set(event_target_value(&ev))>
                    {steps.into_iter().map(|(id, text)| view! { <option value=id>{text}</option> }).collect_view()}
                </select>
                {evidence_fields("action-step-evidence", "Evidence the step is done", inputs)}
            }
            .into_any()
        }
        Action::MarkImplemented => evidence_fields(
            "action-implementation",
            "Evidence the action was carried out",
            inputs,
        )
        .into_any(),
        Action::ScheduleCheck => view! {
            {area("action-criteria", "What will show the action worked", inputs.text)}
            {line("action-check-due", "Check due", "date", inputs.choice)}
        }
        .into_any(),
        Action::CheckEffectiveness => view! {
            <label for="action-result">"Result"</label>
            <select id="action-result" prop:value=move || inputs.choice.get()
                on:change=move |ev| inputs.choice.set(event_target_value(&ev))>
                <option value=CheckResult::Effective.as_str()>"Effective"</option>
                <option value=CheckResult::NotEffective.as_str()>"Not effective"</option>
            </select>
            {evidence_fields("action-check-evidence", "Evidence that the action worked", inputs)}
            {area("action-check-notes", "Notes", inputs.text)}
        }
        .into_any(),
        Action::Cancel => area("action-reason", "Reason", inputs.text).into_any(),
        Action::AddNote => area("action-note", "Note", inputs.text).into_any(),
        Action::LinkFinding => line(
            "action-finding",
            "Finding (document id)",
            "text",
            inputs.text,
        )
        .into_any(),
        Action::ChangeOwner => view! {
            <PersonPicker input_id="action-owner" label="Owner" chosen=inputs.choice/>
        }
        .into_any(),
        Action::ChangeDueDate => line("action-due", "Due", "date", inputs.choice).into_any(),
        _ => ().into_any(),
    }
}

/// A written note and photos as evidence.
fn evidence_fields(id: &'static str, label: &'static str, inputs: Inputs) -> impl IntoView {
    view! {
        {area(id, label, inputs.note)}
        <div class="photo-add">
            <AddPhoto input_id=format!("{id}-photo") target=PhotoFor::Evidence
                on_added=Callback::new(move |hash| inputs.photos.update(|p| p.push(hash)))/>
            {move || {
                let photos: Vec<_> = inputs.photos.get().into_iter()
                    .map(|h| (h, String::new())).collect();
                (!photos.is_empty()).then(|| view! { <PhotoStrip photos=photos label="Photos for the evidence"/> })
            }}
        </div>
    }
}

fn area(id: &'static str, label: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <textarea id=id rows="3" prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))></textarea>
    }
}

fn line(
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type=kind prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

impl Inputs {
    /// The command the open form describes; core checks the rest.
    fn command(&self, action: Action) -> Result<Command, String> {
        let text = self.text.get_untracked();
        let choice = self.choice.get_untracked();
        let evidence = || evidence(&self.note.get_untracked(), &self.photos.get_untracked());
        let date = |what: &str| choice.parse().map_err(|_| format!("Choose {what}."));
        Ok(match action {
            Action::AddStep => Command::AddStep { text },
            Action::CompleteStep => Command::CompleteStep {
                step: choice.clone(),
                evidence: evidence(),
            },
            Action::MarkImplemented => Command::MarkImplemented {
                evidence: evidence(),
            },
            Action::ScheduleCheck => Command::ScheduleCheck {
                criteria: text,
                due: date("the date the check is due")?,
            },
            Action::CheckEffectiveness => Command::CheckEffectiveness {
                result: CheckResult::parse(&choice).ok_or("Choose a result.")?,
                notes: text,
                evidence: evidence(),
            },
            Action::Cancel => Command::Cancel { reason: text },
            Action::AddNote => Command::AddNote { text },
            Action::LinkFinding => Command::LinkFinding { finding: text },
            Action::ChangeOwner => Command::ChangeOwner(
                person_ref(&self.signals, &choice)
                    .ok_or("Choose the person who owns the action.")?,
            ),
            Action::ChangeDueDate => Command::ChangeDueDate(date("the date it is due")?),
            other => {
                return Err(format!(
                    "{} needs nothing more; press its button.",
                    other.label()
                ))
            }
        })
    }
}
