//! A finding's next actions as large buttons, each opening inline what it needs
//! (a classification and reason, an owner, a correction, a root cause, …).
//! Which actions exist and whether the filled-in one is allowed is core's
//! decision (`Finding::next_actions`, `doc::finding::perform`); a refusal is
//! shown in core's words.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Person;
use fieldbook_core::model::evidence::{BlobHash, Evidence};
use fieldbook_core::model::finding::{
    Action, Classification, Command, Finding, RootCause, VerificationResult,
};
use leptos::prelude::*;

use super::next_actions::{next_actions_view, Panel};
use super::people::{person_ref, PersonPicker};
use super::photos::{AddPhoto, PhotoStrip};
use super::repo;
use crate::blobs::PhotoFor;
use crate::repo::Signals;

/// What the person types into the open action's form.
#[derive(Clone, Copy)]
struct Inputs {
    text: RwSignal<String>,
    second: RwSignal<String>,
    third: RwSignal<String>,
    choice: RwSignal<String>,
    /// Photos kept for the verification's evidence.
    photos: RwSignal<Vec<BlobHash>>,
    signals: Signals,
}

#[component]
pub fn FindingActions(
    /// The finding's document.
    id: DocumentId,
    /// The finding as last read, with the person looking at it.
    record: Signal<Option<(Finding, Person)>>,
) -> impl IntoView {
    let panel = Panel::<Action>::new();
    let inputs = Inputs {
        text: RwSignal::new(String::new()),
        second: RwSignal::new(String::new()),
        third: RwSignal::new(String::new()),
        choice: RwSignal::new(String::new()),
        photos: RwSignal::new(Vec::new()),
        signals: expect_context::<Signals>(),
    };
    let actions = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|(f, who)| f.next_actions(who))
                .unwrap_or_default()
        })
    });
    let perform = move |command: Command, label: &'static str| {
        let Some(repo) = repo() else { return };
        panel.run(
            label,
            async move { repo.perform_finding(id, command).await },
        );
    };
    let press = move |action: Action| {
        panel.clear();
        let direct = match action {
            Action::Issue => Some(Command::Issue),
            Action::Acknowledge => Some(Command::Acknowledge),
            Action::StartAction => Some(Command::StartAction),
            Action::SubmitForVerification => Some(Command::SubmitForVerification),
            Action::Accept => Some(Command::Accept),
            Action::Close => Some(Command::Close),
            Action::Reconcile => Some(Command::Reconcile),
            _ => None,
        };
        match direct {
            Some(command) => perform(command, action.label()),
            None => {
                for s in [inputs.text, inputs.second, inputs.third] {
                    s.set(String::new());
                }
                inputs.photos.set(Vec::new());
                let preset = record.with_untracked(|r| {
                    r.as_ref().map(|(f, _)| match action {
                        Action::Reclassify => f.classification.value.as_str().to_owned(),
                        Action::ChangeOwner => f
                            .owner
                            .as_ref()
                            .map(|o| o.value.user_id.clone())
                            .unwrap_or_default(),
                        Action::Verify => VerificationResult::Effective.as_str().to_owned(),
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
        |a| a == Action::Decline,
        press,
        submit,
        move |action| {
            let site = record.with_untracked(|r| r.as_ref().map(|(f, _)| f.site.clone()));
            fields(action, inputs, site)
        },
    )
}

fn fields(action: Action, inputs: Inputs, site: Option<String>) -> AnyView {
    match action {
        Action::Reclassify => view! {
            <fieldset class="classification-choice">
                <legend>"Classification"</legend>
                {Classification::ALL.into_iter().map(|c| {
                    let value = c.as_str();
                    view! {
                        <label class="radio">
                            <input type="radio" name="classification" value=value
                                prop:checked=move || inputs.choice.get() == value
                                on:change=move |_| inputs.choice.set(value.to_owned())/>
                            {c.label()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            {area("finding-reason", "Reason", inputs.text)}
        }
        .into_any(),
        Action::Decline => area("finding-reason", "Reason", inputs.text).into_any(),
        Action::RecordCorrection => area(
            "finding-correction",
            "What was done to contain it",
            inputs.text,
        )
        .into_any(),
        Action::AddNote => area("finding-note", "Note", inputs.text).into_any(),
        Action::LinkAction => line(
            "finding-action",
            "Corrective action (document id)",
            "text",
            inputs.text,
        )
        .into_any(),
        Action::ChangeDueDate => {
            line("finding-due", "Response due", "date", inputs.text).into_any()
        }
        Action::ChangeOwner => view! {
            <PersonPicker input_id="finding-owner" label="Owner" chosen=inputs.choice site=site/>
        }
        .into_any(),
        Action::AnalyseCause => view! {
            {line("finding-method", "Method (five whys, fishbone, …)", "text", inputs.text)}
            {area("finding-analysis", "Analysis", inputs.second)}
            {area("finding-similar", "Similar cases elsewhere", inputs.third)}
        }
        .into_any(),
        Action::Verify => view! {
            <label for="finding-result">"Result"</label>
            <select id="finding-result" prop:value=move || inputs.choice.get()
                on:change=move |ev| inputs.choice.set(event_target_value(&ev))>
                <option value=VerificationResult::Effective.as_str()>"Effective"</option>
                <option value=VerificationResult::NotEffective.as_str()>"Not effective"</option>
            </select>
            {area("finding-evidence", "Evidence that the actions worked", inputs.second)}
            <div class="photo-add">
                <AddPhoto input_id="finding-verify-photo" target=PhotoFor::Evidence
                    on_added=Callback::new(move |hash| inputs.photos.update(|p| p.push(hash)))/>
                {move || {
                    let photos: Vec<_> = inputs.photos.get().into_iter()
                        .map(|h| (h, "Verification evidence".to_owned())).collect();
                    (!photos.is_empty()).then(|| view! { <PhotoStrip photos=photos label="Photos for the verification"/> })
                }}
            </div>
            {area("finding-notes", "Notes", inputs.text)}
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// A labelled text area bound to `value`.
pub(super) fn area(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <textarea id=id rows="3" prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))></textarea>
    }
}

/// A labelled one-line input of type `kind` bound to `value`.
pub(super) fn line(
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
        Ok(match action {
            Action::Reclassify => Command::Reclassify {
                to: Classification::parse(&self.choice.get_untracked())
                    .ok_or("Choose a classification.")?,
                reason: text,
            },
            Action::Decline => Command::Decline { reason: text },
            Action::RecordCorrection => Command::RecordCorrection { text },
            Action::AddNote => Command::AddNote { text },
            Action::LinkAction => Command::LinkAction { action: text },
            Action::ChangeDueDate => Command::ChangeDueDate(
                text.parse()
                    .map_err(|_| "Choose the date the response is due.")?,
            ),
            Action::ChangeOwner => Command::ChangeOwner(
                person_ref(&self.signals, &self.choice.get_untracked())
                    .ok_or("Choose the person who owns the finding.")?,
            ),
            Action::AnalyseCause => Command::AnalyseCause(RootCause {
                method: text,
                analysis: self.second.get_untracked(),
                similar_elsewhere: self.third.get_untracked(),
            }),
            Action::Verify => Command::Verify {
                result: VerificationResult::parse(&self.choice.get_untracked())
                    .ok_or("Choose a result.")?,
                evidence: evidence(&self.second.get_untracked(), &self.photos.get_untracked()),
                notes: text,
            },
            other => {
                return Err(format!(
                    "{} needs nothing more; press its button.",
                    other.label()
                ))
            }
        })
    }
}

/// Evidence from a form: the written note, if any, and the photos taken for it.
pub fn evidence(note: &str, photos: &[BlobHash]) -> Vec<Evidence> {
    let note = (!note.trim().is_empty()).then(|| Evidence::Note {
        text: note.trim().to_owned(),
    });
    let photos = photos.iter().map(|blob| Evidence::Photo {
        blob: blob.clone(),
        caption: String::new(),
    });
    note.into_iter().chain(photos).collect()
}
