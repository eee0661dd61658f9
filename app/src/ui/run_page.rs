//! One checklist run, as an auditor fills it in on a tablet with no network:
//! where it stands (status, "12 of 50 answered", the live score and pass or
//! fail), the next actions core offers (Submit is refused by core until every
//! required item is answered), then each section with its items.
//!
//! The page reads the run once per revision and renders each item keyed by
//! what it shows, so an answer arriving from another device re-renders that
//! item only, not a note someone is typing elsewhere.

use fieldbook_core::doc::checklist_run;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Role;
use fieldbook_core::model::checklist_run::{next_actions, Run, RunAction, RunCommand, Score};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::repo;
use super::run_item::{ItemView, RunItem};
use super::wording::sentence;
use crate::repo::Signals;

/// A run as the page shows it.
#[derive(Debug, Clone, PartialEq)]
struct RunRecord {
    run: Run,
    /// Findings raised from this run's answers, as (item id, finding).
    findings: Vec<(String, DocumentId)>,
    role: Role,
}

#[component]
pub fn RunPage() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let params = use_params_map();
    let id = Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<DocumentId>().ok())
    });
    let loaded = LocalResource::new(move || {
        signals.revision.track();
        let id = id.get();
        async move {
            let (Some(id), Some(repo)) = (id, repo()) else {
                return Err("This run's link is not valid.".to_owned());
            };
            let run = repo
                .read_record(id, checklist_run::read)
                .await
                .map_err(|e| e.to_string())?;
            let findings = repo.findings_of_run(id).await;
            let role = repo.person().map(|p| p.role).unwrap_or(Role::Technician);
            Ok(RunRecord {
                run,
                findings,
                role,
            })
        }
    });
    let latest = RwSignal::new(None::<RunRecord>);
    let failure = RwSignal::new(None::<String>);
    Effect::new(move |_| match loaded.get() {
        Some(Ok(record)) => {
            failure.set(None);
            latest.set(Some(record));
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });

    let sections = move || {
        latest.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.run
                        .template
                        .sections()
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (i, s.title().to_owned()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };

    view! {
        <section class="page run">
            <a class="back" href="/checklists">"← Checklists"</a>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || latest.with(Option::is_none).then(|| view! { <p class="loading">"Loading…"</p> })}
            {move || latest.get().map(|r| view! { <RunHead record=r/> })}
            {move || id.get().map(|run| view! { <RunActions run=run record=latest.into()/> })}
            <For each=sections key=|s| s.clone() let:section>
                {
                    let (index, title) = section;
                    let items = move || {
                        latest.with(|r| r.as_ref().map(|r| item_views(r, index)).unwrap_or_default())
                    };
                    let heading = format!("section-{index}");
                    view! {
                        <section class="run-section" aria-labelledby=heading.clone()>
                            <h2 id=heading.clone()>{title}</h2>
                            <For each=items key=ItemView::key let:view>
                                {move || id.get().map(|run| view! { <RunItem run=run view=view.clone()/> })}
                            </For>
                        </section>
                    }
                }
            </For>
        </section>
    }
}

/// Title, status, progress and score.
#[component]
fn RunHead(record: RunRecord) -> impl IntoView {
    let run = &record.run;
    let progress = run.progress();
    let score = run.score();
    let frozen = run.derived().standing.submission.is_some();
    let contested = run.contested_items().len();
    view! {
        <header class="record-head">
            <h1>{run.template.title().to_owned()}</h1>
            <p class="meta">{format!("Version {} · site {}", run.template.version(), run.context.site)}</p>
        </header>
        <section class="run-summary" aria-label="Run summary">
            <p class="status-line"><span class="status">{run.status().label()}</span></p>
            <p class="progress-text">{format!("{} of {} answered", progress.answered, progress.answerable)}</p>
            <div class="bar" aria-hidden="true">
                <div class="bar-fill" style=format!("width: {}%", percent(progress.answered, progress.answerable))></div>
            </div>
            <p class="score">{score_words(&score, run.template.pass_mark(), frozen)}</p>
            {verdict(&score).map(|(class, words)| view! { <p class=format!("verdict {class}")>{words}</p> })}
            {(contested > 0).then(|| view! {
                <p class="error">{format!("{contested} answers were given twice at once; choose one on each before submitting.")}</p>
            })}
        </section>
    }
}

/// The run's next actions from core, as large buttons; Reject and Reopen ask for a reason.
#[component]
fn RunActions(run: DocumentId, record: Signal<Option<RunRecord>>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let asking = RwSignal::new(None::<RunAction>);
    let reason = RwSignal::new(String::new());
    let actions = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| next_actions(&r.run, r.role))
                .unwrap_or_default()
        })
    });
    let perform = move |command: RunCommand| {
        let Some(repo) = repo() else { return };
        let label = command.action().label();
        busy.set(true);
        error.set(None);
        done.set(None);
        leptos::task::spawn_local(async move {
            match repo.perform_run(run, command).await {
                Ok(()) => {
                    asking.set(None);
                    reason.set(String::new());
                    done.set(Some(format!("{label} — recorded on this device")));
                }
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };
    let press = move |action: RunAction| match action {
        RunAction::Start => perform(RunCommand::Start),
        RunAction::Submit => perform(RunCommand::Submit { signature: None }),
        RunAction::Approve => perform(RunCommand::Approve),
        RunAction::Close => perform(RunCommand::Close),
        RunAction::Reconcile => perform(RunCommand::Reconcile),
        RunAction::Reject | RunAction::Reopen => {
            error.set(None);
            asking.set(Some(action));
        }
    };
    let submit_reason = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let reason = reason.get_untracked();
        match asking.get_untracked() {
            Some(RunAction::Reject) => perform(RunCommand::Reject { reason }),
            Some(RunAction::Reopen) => perform(RunCommand::Reopen { reason }),
            _ => {}
        }
    };
    view! {
        <section class="next-actions" aria-label="Next actions">
            {move || match asking.get() {
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
                    <form class="action-form" aria-label=action.label() on:submit=submit_reason>
                        <h2>{action.label()}</h2>
                        <label for="run-reason">"Reason"</label>
                        <textarea id="run-reason" rows="2"
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        <div class="form-buttons">
                            <button type="button" class="button" on:click=move |_| { asking.set(None); error.set(None); }>"Back"</button>
                            <button type="submit" class="button primary" disabled=move || busy.get()>{action.label()}</button>
                        </div>
                    </form>
                }.into_any(),
            }}
            {move || asking.with(Option::is_none).then(|| error.get()).flatten()
                .map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || done.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
        </section>
    }
}

/// The items of section `index` with their answers and findings.
fn item_views(record: &RunRecord, index: usize) -> Vec<ItemView> {
    let run = &record.run;
    let locked = run.derived().standing.may_answer().is_err();
    run.template
        .sections()
        .get(index)
        .map(|s| {
            s.items()
                .iter()
                .map(|item| ItemView {
                    item: item.clone(),
                    answer: run.answers.get(item.id()).cloned(),
                    finding: record
                        .findings
                        .iter()
                        .find(|(i, _)| i == item.id().as_str())
                        .map(|(_, f)| *f),
                    locked,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// "Score: 7 of 9 points (78 %)", with the pass mark and whether it is frozen.
pub(super) fn score_words(score: &Score, pass_mark: Option<u32>, frozen: bool) -> String {
    let mut words = match score.percent() {
        Some(p) => format!(
            "Score: {} of {} points ({:.0} %)",
            score.points, score.max, p
        ),
        None => "Score: nothing scored yet".to_owned(),
    };
    if let Some(mark) = pass_mark {
        words.push_str(&format!(" · pass mark {mark} %"));
    }
    words.push_str(match frozen {
        true => " · as submitted",
        false => " · not applicable items left out",
    });
    words
}

fn verdict(score: &Score) -> Option<(&'static str, &'static str)> {
    score.pass.map(|pass| match pass {
        true => ("pass", "Pass"),
        false => ("fail", "Fail"),
    })
}

fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}
