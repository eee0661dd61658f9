//! One incident, as a technician works it: where it stands and its SLA clocks
//! at the top, a "needs review" banner when devices disagreed, the next actions
//! as large buttons, the customer's signature once resolved (a pad to sign on,
//! and what changed after signing), the photos (a large "Add photo" button and a strip), work
//! notes beside the editable details (with a choice
//! wherever two people changed a field at once), and the change history, whose
//! "As at" links show the record as it was then (`?at=<change>`, `ui::as_at`).
//!
//! The page reads the incident once per revision (`Repo::incident_record`) and
//! keeps the last good read in a signal its sections share, so a sync arriving
//! while someone types re-renders values, not forms.

use fieldbook_core::doc::draft::Draft;
use fieldbook_core::doc::incident::Edit;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::incident::{Incident, Status, TicketKind, Title};
use fieldbook_core::model::lifecycle::Approval;
use fieldbook_core::model::priority::{Impact, PriorityMatrix, Urgency};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::as_at::AsAt;
use super::history::History;
use super::incident_actions::NextActions;
use super::incident_list::provisional_reference;
use super::needs_review::NeedsReview;
use super::photos::IncidentPhotos;
use super::repo;
use super::signature::IncidentSignatures;
use super::sla_timers::SlaTimers;
use super::work_notes::WorkNotes;
use crate::repo::{now, IncidentRecord, Signals};

/// The form fields of an incident, bound to a draft.
#[component]
pub fn DraftFields(
    /// The values being edited.
    draft: RwSignal<Draft>,
    /// The matrix that turns impact and urgency into a priority: the incident's
    /// own, or the site's standing one for a new incident.
    #[prop(into)]
    matrix: Signal<PriorityMatrix>,
) -> impl IntoView {
    let priority = move || {
        let d = draft.get();
        match (Impact::parse(d.impact), Urgency::parse(d.urgency)) {
            (Ok(i), Ok(u)) => matrix.with(|m| m.priority(i, u)).to_string(),
            _ => "—".to_owned(),
        }
    };
    let level = |value: String| value.parse::<i64>().unwrap_or(0);
    view! {
        <label for="title">"Title"</label>
        <input id="title" name="title" type="text" maxlength="200" required
            prop:value=move || draft.get().title
            on:input=move |ev| draft.update(|d| d.title = event_target_value(&ev))/>
        <label for="description">"Description"</label>
        <textarea id="description" name="description" rows="4"
            prop:value=move || draft.get().description
            on:input=move |ev| draft.update(|d| d.description = event_target_value(&ev))></textarea>
        <div class="row">
            <div>
                <label for="impact">"Impact"</label>
                <select id="impact" name="impact"
                    prop:value=move || draft.get().impact.to_string()
                    on:change=move |ev| draft.update(|d| d.impact = level(event_target_value(&ev)))>
                    {Impact::ALL.into_iter().map(|i| view! {
                        <option value=i.level().to_string()>{format!("{} – {}", i.level(), i.label())}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="urgency">"Urgency"</label>
                <select id="urgency" name="urgency"
                    prop:value=move || draft.get().urgency.to_string()
                    on:change=move |ev| draft.update(|d| d.urgency = level(event_target_value(&ev)))>
                    {Urgency::ALL.into_iter().map(|u| view! {
                        <option value=u.level().to_string()>{format!("{} – {}", u.level(), u.label())}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <span class="label">"Priority"</span>
                <output class="priority" aria-label="Priority">{priority}</output>
            </div>
        </div>
    }
}

/// How often the SLA clocks move on a page left open.
const TICK_MS: u32 = 30_000;

/// The incident page: the record as it is now, or, with `?at=<change>`, as it
/// was at that point of its history (read only).
#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<DocumentId>().ok())
    });
    let at = Memo::new(move |_| query.read().get("at"));
    move || match at.get() {
        Some(at) => view! { <AsAt id=id at=Signal::derive(move || at.clone())/> }.into_any(),
        None => view! { <CurrentIncident id=id/> }.into_any(),
    }
}

/// The incident as it is now, to work on.
#[component]
fn CurrentIncident(id: Signal<Option<DocumentId>>) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let query = use_query_map();
    let loaded = LocalResource::new(move || {
        signals.revision.track();
        let id = id.get();
        async move {
            let (Some(id), Some(repo)) = (id, repo()) else {
                return Err("This incident's link is not valid.".to_owned());
            };
            repo.incident_record(id).await.map_err(|e| e.to_string())
        }
    });

    // The last good read stays on screen while the next one loads, so forms
    // below keep what the person is typing when a sync arrives.
    let latest = RwSignal::new(None::<IncidentRecord>);
    let failure = RwSignal::new(None::<String>);
    // Device time for the clocks: every 30 s, and whenever the record changes.
    let now_ms = RwSignal::new(now().at_ms);
    let tick = gloo::timers::callback::Interval::new(TICK_MS, move || {
        now_ms.try_set(now().at_ms);
    });
    // Dropped (and so stopped) with the page.
    let _tick = StoredValue::new_local(tick);
    Effect::new(move |_| match loaded.get() {
        Some(Ok(record)) => {
            now_ms.set(now().at_ms);
            failure.set(None);
            latest.set(Some(record));
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let record: Signal<Option<IncidentRecord>> = latest.into();
    let now_ms: Signal<i64> = now_ms.into();

    // The form follows the record until the person starts typing.
    let draft = RwSignal::new(Draft::default());
    let baseline = RwSignal::new(Draft::default());
    let message = RwSignal::new(
        query
            .read_untracked()
            .get("saved")
            .map(|_| "Saved on this device".to_owned()),
    );
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(current) = record.with(|r| r.as_ref().map(|r| Draft::of(&r.incident))) {
            if draft.get_untracked() == baseline.get_untracked() {
                draft.set(current.clone());
            }
            baseline.set(current);
        }
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(id), Some(repo)) = (id.get_untracked(), repo()) else {
            return;
        };
        let edits = match draft.get_untracked().edits_since(&baseline.get_untracked()) {
            Ok(edits) => edits,
            Err(e) => {
                error.set(Some(e.to_string()));
                return;
            }
        };
        error.set(None);
        if edits.is_empty() {
            message.set(Some("Nothing to save".to_owned()));
            return;
        }
        message.set(None);
        leptos::task::spawn_local(async move {
            let saved = draft.get_untracked();
            match repo.edit_incident(id, edits).await {
                Ok(()) => {
                    baseline.set(saved);
                    message.set(Some("Saved on this device".to_owned()));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    let choose = move |edit: Edit| {
        let (Some(id), Some(repo)) = (id.get_untracked(), repo()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match repo.edit_incident(id, vec![edit]).await {
                Ok(()) => message.set(Some("Saved on this device".to_owned())),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <section class="page incident">
            <a class="back" href="/incidents">"← Incidents"</a>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match latest.get() {
                None => failure.with(Option::is_none)
                    .then(|| view! { <p class="loading">"Loading…"</p> })
                    .into_any(),
                Some(current) => view! {
                    <Header incident=current.incident.clone()
                        id=id.get().map(|i| i.to_string()).unwrap_or_default()/>
                }.into_any(),
            }}
            <SlaTimers record=record now_ms=now_ms/>
            <NeedsReview id=id record=record/>
            <NextActions id=id record=record now_ms=now_ms/>
            <IncidentSignatures id=id record=record/>
            <IncidentPhotos id=id record=record/>
            <div class="incident-columns">
                <WorkNotes id=id record=record/>
                <section class="details" aria-labelledby="details-heading">
                    <h2 id="details-heading">"Details"</h2>
                    {move || latest.get().map(|current| view! {
                        <Conflicts incident=current.incident on_choose=choose/>
                    })}
                    <form on:submit=save class="form">
                        <DraftFields draft=draft matrix=Signal::derive(move || {
                            record.with(|r| r.as_ref().map(|r| r.incident.matrix()))
                                .unwrap_or_else(PriorityMatrix::standard)
                        })/>
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        {move || message.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
                        <div class="actions">
                            <button type="submit" class="button primary">"Save changes"</button>
                        </div>
                    </form>
                </section>
            </div>
            <History id=id record=record/>
        </section>
    }
}

/// Title, priority, reference, and where the incident stands.
#[component]
pub(super) fn Header(incident: Incident, id: String) -> impl IntoView {
    let reference = incident
        .reference
        .clone()
        .unwrap_or_else(|| provisional_reference(&id));
    let standing = incident.derived().standing;
    let hold = standing.hold.map(|h| format!(" · {}", h.label()));
    let assignment = standing.assignment.map(|a| match a.assignee {
        Some(person) => format!("{} · {person}", a.group),
        None => a.group,
    });
    let kind = (incident.kind == TicketKind::ServiceRequest).then_some("Service request · ");
    let approval = standing.approval.as_ref().and_then(|a| match a {
        Approval::Pending if standing.status == Status::AwaitingApproval => {
            Some("Waiting for a manager’s approval before work starts".to_owned())
        }
        Approval::Pending => None,
        Approval::Given { by } => Some(format!("Approved by {by}")),
        Approval::Refused { by, reason } => Some(format!("Refused by {by}: {reason}")),
    });
    view! {
        <section class="record-head" aria-label=format!("{} summary", incident.kind.label())>
            <h1>{incident.title.value.clone()}</h1>
            <p class="meta">
                <span class=format!("badge p{}", incident.priority().rank())>{incident.priority().to_string()}</span>
                " "{kind}{reference}" · "
                <span class="status">{standing.status.label()}{hold}</span>
                {standing.major.then(|| view! { " " <span class="badge major">"Major incident"</span> })}
            </p>
            {approval.map(|a| view! { <p class="meta approval">{a}</p> })}
            <p class="meta assignment">{match assignment {
                Some(a) => format!("Assigned to {a}"),
                None => "Not assigned yet".to_owned(),
            }}</p>
        </section>
    }
}

/// Where people changed the same field at the same time, every value, to pick from.
#[component]
fn Conflicts(
    incident: Incident,
    on_choose: impl Fn(Edit) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let mut choices: Vec<(&'static str, Vec<(String, Edit)>)> = Vec::new();
    if incident.title.is_conflict() {
        choices.push((
            "Title",
            incident
                .title
                .all()
                .filter_map(|t| Title::parse(t).ok().map(|p| (t.clone(), Edit::Title(p))))
                .collect(),
        ));
    }
    if incident.impact.is_conflict() {
        choices.push((
            "Impact",
            incident
                .impact
                .all()
                .map(|i| (format!("{} – {}", i.level(), i.label()), Edit::Impact(*i)))
                .collect(),
        ));
    }
    if incident.urgency.is_conflict() {
        choices.push((
            "Urgency",
            incident
                .urgency
                .all()
                .map(|u| (format!("{} – {}", u.level(), u.label()), Edit::Urgency(*u)))
                .collect(),
        ));
    }
    choices
        .into_iter()
        .map(|(field, values)| {
            view! {
                <div class="conflict-box" role="group" aria-label=format!("{field} has two values")>
                    <p>
                        <strong>{field}</strong>
                        " was changed on two devices at the same time. Choose the value to keep:"
                    </p>
                    <div class="choices">
                        {values.into_iter().map(|(label, edit)| {
                            let edit = std::sync::Arc::new(edit);
                            view! {
                                <button type="button" class="button choice"
                                    on:click=move |_| on_choose((*edit).clone())>
                                    {format!("Keep “{label}”")}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </div>
            }
        })
        .collect_view()
}
