//! The site's internal audits (title, status, lead, planned day, runs and
//! findings, scope) and the "New audit" form: scope, criteria, clauses, the
//! planned day, the team picked from the site's people (the signed-in auditor
//! leads unless someone else is picked), and auditees. Only roles core lets
//! write audits see "New audit"; core parses the form (`AuditForm::parse`) and
//! says what is missing in words. Below the list, "Import an audit"
//! (`ui::audit_transfer`).

use fieldbook_core::model::access::{may_write, RecordKind, Role};
use fieldbook_core::model::audit::AuditForm;
use fieldbook_core::model::workflow::UserRef;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::audit_transfer::ImportAudit;
use super::repo;
use super::wording::sentence;
use crate::profile::SitePerson;
use crate::repo::Signals;
use crate::store::Summary;

#[component]
pub fn AuditList() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let audits = move || {
        let mut rows: Vec<Summary> = signals
            .summaries
            .get()
            .into_iter()
            .filter(|s| s.kind == RecordKind::Audit.as_str())
            .collect();
        rows.sort_by_key(|s| std::cmp::Reverse(s.created_at_ms));
        rows
    };
    let may_plan = move || {
        signals
            .profile
            .with(|p| may_plan(p.as_ref().map(|p| p.user.role.as_str())))
    };
    view! {
        <section class="page audits">
            <div class="page-head">
                <h1>"Audits"</h1>
                <Show when=may_plan>
                    <a class="button big primary" href="/audits/new">"New audit"</a>
                </Show>
            </div>
            <Show
                when=move || !audits().is_empty()
                fallback=|| view! { <p class="empty">"No audits on this device yet."</p> }
            >
                <ul class="cards" aria-label="Audits">
                    <For each=audits key=|s| (s.id.clone(), s.title.clone(), s.status.clone(), s.detail.clone(), s.conflicts) let:s>
                        <li class="card">
                            <a href=format!("/audits/{}", s.id)>
                                <span class="badge run-status">{s.status.clone()}</span>
                                <span class="title">{s.title.clone()}</span>
                                <span class="meta">{s.detail.clone().unwrap_or_default()}</span>
                                {s.conflicts.then(|| view! { <span class="badge conflict">"Needs a review"</span> })}
                            </a>
                        </li>
                    </For>
                </ul>
            </Show>
            <ImportAudit/>
        </section>
    }
}

/// Whether someone of `role` may plan audits (core's access table).
fn may_plan(role: Option<&str>) -> bool {
    role.and_then(|r| r.parse::<Role>().ok())
        .is_some_and(|r| may_write(r, RecordKind::Audit))
}

#[component]
pub fn NewAuditPage() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let form = RwSignal::new(AuditForm::default());
    let lead = RwSignal::new(String::new());
    let auditors = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();

    // The default site's people; the signed-in person first leads.
    let site = Memo::new(move |_| {
        signals.profile.with(|p| {
            p.as_ref().and_then(|p| {
                p.sites
                    .iter()
                    .find(|s| s.id == p.user.default_site)
                    .or(p.sites.first())
                    .map(|s| (s.id.clone(), s.name.clone(), s.people.clone()))
            })
        })
    });
    let me = Memo::new(move |_| {
        signals.profile.with(|p| {
            p.as_ref().map(|p| SitePerson {
                id: p.user.id.clone(),
                login: p.user.login.clone(),
                name: p.user.name.clone(),
                role: p.user.role.clone(),
            })
        })
    });
    Effect::new(move |_| {
        if let Some(me) = me.get() {
            if lead.get_untracked().is_empty() {
                lead.set(me.id);
            }
        }
    });
    // Who may be on an audit team: the site's auditors and admins (core lets
    // them write audits), and the signed-in person in any case.
    let candidates = Memo::new(move |_| {
        let mut people: Vec<SitePerson> = site
            .get()
            .map(|(_, _, people)| people)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| may_plan(Some(&p.role)))
            .collect();
        if let Some(me) = me.get() {
            if !people.iter().any(|p| p.id == me.id) {
                people.insert(0, me);
            }
        }
        people
    });
    let user_ref = move |id: &str| {
        candidates.with(|c| {
            c.iter().find(|p| p.id == id).map(|p| UserRef {
                user_id: p.id.clone(),
                name: p.name.clone(),
            })
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(repo) = repo() else { return };
        let lead_id = lead.get_untracked();
        let mut filled = form.get_untracked();
        filled.site = site
            .get_untracked()
            .map(|(id, _, _)| id)
            .unwrap_or_default();
        filled.lead = user_ref(&lead_id);
        filled.auditors = auditors
            .get_untracked()
            .iter()
            .filter(|id| **id != lead_id)
            .filter_map(|id| user_ref(id))
            .collect();
        let plan = match filled.parse() {
            Ok(plan) => plan,
            Err(e) => {
                error.set(Some(sentence(&e.to_string())));
                return;
            }
        };
        error.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match repo.create_audit(plan).await {
                Ok(id) => navigate(&format!("/audits/{id}"), Default::default()),
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };

    let text = move |label: &'static str,
                     id: &'static str,
                     rows: u8,
                     get: fn(&AuditForm) -> String,
                     set: fn(&mut AuditForm, String)| {
        view! {
            <label for=id>{label}</label>
            {if rows == 0 {
                view! { <input id=id type="text" prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))/> }.into_any()
            } else {
                view! { <textarea id=id rows=rows prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))></textarea> }.into_any()
            }}
        }
    };

    view! {
        <section class="page new-audit">
            <a class="back" href="/audits">"← Audits"</a>
            <h1>"New audit"</h1>
            <Show when=move || may_plan(signals.profile.with(|p| p.as_ref().map(|p| p.user.role.clone())).as_deref())
                fallback=|| view! { <p class="error" role="alert">"Only auditors and admins plan audits."</p> }>
                <form class="form" aria-label="New audit" on:submit=submit.clone()>
                    {text("Title", "audit-title", 0, |f| f.title.clone(), |f, v| f.title = v)}
                    {text("Scope (what the audit covers)", "audit-scope", 2, |f| f.scope.clone(), |f, v| f.scope = v)}
                    {text("Criteria (what it is checked against)", "audit-criteria", 2, |f| f.criteria.clone(), |f, v| f.criteria = v)}
                    {text("Clauses (for example 8.7.3, 9.2)", "audit-clauses", 0, |f| f.clauses.clone(), |f, v| f.clauses = v)}
                    <label for="audit-planned">"Planned for"</label>
                    <input id="audit-planned" type="date" prop:value=move || form.with(|f| f.planned_for.clone())
                        on:input=move |ev| form.update(|f| f.planned_for = event_target_value(&ev))/>
                    <p class="hint">{move || site.get().map(|(_, name, _)| format!("Site: {name}"))}</p>
                    <label for="audit-lead">"Lead auditor"</label>
                    <select id="audit-lead" prop:value=move || lead.get()
                        on:change=move |ev| lead.set(event_target_value(&ev))>
                        <For each=move || candidates.get() key=|p| p.id.clone() let:p>
                            <option value=p.id.clone()>{p.name.clone()}</option>
                        </For>
                    </select>
                    <fieldset class="team-choice">
                        <legend>"Auditors"</legend>
                        <For each=move || candidates.get() key=|p| p.id.clone() let:p>
                            {
                                let id = p.id.clone();
                                let checked_id = id.clone();
                                let lead_id = id.clone();
                                view! {
                                    <label class="radio">
                                        <input type="checkbox"
                                            prop:checked=move || auditors.with(|a| a.contains(&checked_id))
                                            disabled=move || lead.with(|l| *l == lead_id)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let id = id.clone();
                                                auditors.update(|a| {
                                                    a.retain(|x| *x != id);
                                                    if on { a.push(id); }
                                                });
                                            }/>
                                        {format!("{} ({})", p.name, p.login)}
                                    </label>
                                }
                            }
                        </For>
                    </fieldset>
                    {text("Auditees (one per line)", "audit-auditees", 2, |f| f.auditees.clone(), |f, v| f.auditees = v)}
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <div class="actions">
                        <button type="submit" class="button big primary" disabled=move || busy.get()>"Plan the audit"</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
