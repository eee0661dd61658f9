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

use super::finding_actions::{area, evidence, line};
use super::next_actions::{next_actions_view, Panel};
use super::people::{person_ref, PersonPicker};
use super::photos::{AddPhoto, PhotoStrip};
use super::repo;
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
    let panel = Panel::<Action>::new();
    let inputs = Inputs {
        text: RwSignal::new(String::new()),
        note: RwSignal::new(String::new()),
        choice: RwSignal::new(String::new()),
        photos: RwSignal::new(Vec::new()),
        signals: expect_context::<Signals>(),
    };
    let actions = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|(a, who)| a.next_actions(who))
                .unwrap_or_default()
        })
    });
    let perform = move |command: Command, label: &'static str| {
        let Some(repo) = repo() else { return };
        panel.run(label, async move { repo.perform_action(id, command).await });
    };
    let press = move |action: Action| {
        panel.clear();
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
                panel.open.set(Some(action));
            }
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(action) = panel.open.get_untracked() else {
            return;
        };
        match inputs.command(action) {
            Ok(command) => perform(command, action.label()),
            Err(message) => panel.error.set(Some(message)),
        }
    };
    next_actions_view(
        panel,
        actions,
        Action::label,
        |a| a == Action::Cancel,
        press,
        submit,
        move |action| fields(action, inputs, record),
    )
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
            <PersonPicker input_id="action-owner" label="Owner" chosen=inputs.choice
                site=record.with_untracked(|r| r.as_ref().map(|(a, _)| a.site.clone()))/>
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
