//! Settings → Service levels: an administrator edits the site's SLA targets per
//! priority, its business calendar (UTC offset, hours per weekday, holidays)
//! and its impact × urgency matrix, and publishes them as the next version.
//! Core reads the form (`LevelsForm::parse`) and names every mistake; the repo
//! publishes (`Repo::publish_levels`). Other roles are told who sets them; the
//! server refuses their changes anyway. Works offline like every other edit.

use fieldbook_core::doc::service_levels::Published;
use fieldbook_core::model::access::Role;
use fieldbook_core::model::date::Weekday;
use fieldbook_core::model::priority::{Impact, Priority, Urgency};
use fieldbook_core::model::service_levels::{calendar_words, day_name, LevelsForm, ServiceLevels};
use leptos::prelude::*;

use super::repo;
use super::wording::{device_time, duration_words};
use crate::repo::{Signals, SiteLevels};

/// The page at `/settings/service-levels`.
#[component]
pub fn ServiceLevelsPage() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let is_admin = Memo::new(move |_| {
        signals.profile.with(|p| {
            p.as_ref()
                .and_then(|p| p.user.role.parse::<Role>().ok())
                .is_some_and(|r| r == Role::Admin)
        })
    });
    let site = Memo::new(move |_| {
        signals
            .profile
            .with(|p| p.as_ref().and_then(|p| p.sites.first().cloned()))
    });
    view! {
        <section class="page service-levels">
            <h1>"Service levels"</h1>
            {move || match (is_admin.get(), site.get()) {
                (false, site) => view! {
                    <p class="notice" role="note">
                        "Service levels (SLA targets, business hours and the priority matrix) are set by an administrator."
                    </p>
                    {site.map(|site| view! { <InForce site=site.id/> })}
                    <a class="button" href="/incidents">"Back to incidents"</a>
                }.into_any(),
                (true, None) => view! {
                    <p class="notice" role="note">
                        "Your sites have not reached this device yet; connect to the network once."
                    </p>
                }.into_any(),
                (true, Some(site)) => view! {
                    <p class="lede">{format!("For {}. New incidents are logged under the version published last; incidents already logged keep theirs.", site.name)}</p>
                    <LevelsEditor site=site.id/>
                }.into_any(),
            }}
        </section>
    }
}

/// What the device holds of `site`'s service levels, read again whenever any document changes.
fn held_levels(site: StoredValue<String>) -> LocalResource<SiteLevels> {
    let signals = expect_context::<Signals>();
    LocalResource::new(move || {
        signals.revision.track();
        async move {
            match repo() {
                Some(repo) => repo.site_levels(&site.get_value()).await,
                None => SiteLevels::default(),
            }
        }
    })
}

/// Which version new incidents at `site` are logged under, read-only.
#[component]
fn InForce(
    /// The site.
    site: String,
) -> impl IntoView {
    let site = StoredValue::new(site);
    let held = held_levels(site);
    move || {
        held.get().map(|levels| {
            let standing = levels.standing();
            view! {
                <p class="standing" role="status">{format!(
                    "New incidents are logged under version {}: {}.",
                    standing.version,
                    calendar_words(&standing.calendar)
                )}</p>
            }
        })
    }
}

/// The form, the published versions, and Publish.
#[component]
fn LevelsEditor(
    /// The site whose service levels are edited.
    site: String,
) -> impl IntoView {
    let site = StoredValue::new(site);
    let held = held_levels(site);
    // `form` holds what is typed; `shown` is what the inputs were last drawn
    // with, so typing does not redraw (and unfocus) them.
    let form = RwSignal::new(None::<LevelsForm>);
    let shown = RwSignal::new(None::<LevelsForm>);
    // The form follows what is published until the person starts typing.
    let dirty = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(levels) = held.get() {
            if !dirty.get_untracked() {
                let published = Some(LevelsForm::of(&levels.standing()));
                form.set(published.clone());
                shown.set(published);
            }
        }
    });
    let errors = RwSignal::new(Vec::<String>::new());
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let edit = move |change: Box<dyn FnOnce(&mut LevelsForm)>| {
        dirty.set(true);
        message.set(None);
        form.update(|f| {
            if let Some(f) = f {
                change(f)
            }
        });
    };
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(current), Some(levels)) = (form.get_untracked(), held.get_untracked()) else {
            return;
        };
        let version = levels.next_version();
        match current.parse(version, &levels.standing()) {
            Err(found) => {
                errors.set(found.iter().map(ToString::to_string).collect());
                message.set(None);
            }
            Ok(next) => {
                errors.set(Vec::new());
                let Some(repo) = repo() else { return };
                busy.set(true);
                leptos::task::spawn_local(async move {
                    match repo.publish_levels(&site.get_value(), next).await {
                        Ok(()) => {
                            dirty.set(false);
                            message.set(Some(format!(
                                "Version {version} published. New incidents are logged under it."
                            )));
                        }
                        Err(e) => errors.set(vec![e.to_string()]),
                    }
                    busy.set(false);
                });
            }
        }
    };
    let standing_words = move || {
        held.get().map(|levels| match levels.contested() {
            None => "Fieldbook's standard (version 1): no version published for this site yet."
                .to_owned(),
            Some(c) => format!(
                "Version {} is in force: {}.",
                c.value.version,
                calendar_words(&c.value.calendar)
            ),
        })
    };
    view! {
        <p class="standing" role="status">{standing_words}</p>
        {move || held.get().and_then(|levels| contested_notice(&levels, form, shown, dirty))}
        {move || shown.get().map(|f| view! {
            <form class="form levels-form" on:submit=publish novalidate>
                <Targets form=f.clone() edit=edit/>
                <Calendar form=f.clone() edit=edit/>
                <Matrix form=f edit=edit/>
                {move || (!errors.get().is_empty()).then(|| view! {
                    <div class="error" role="alert">
                        <p>"Not published. Please correct:"</p>
                        <ul>{errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                    </div>
                })}
                {move || message.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
                <div class="form-buttons">
                    <button type="submit" class="button primary big" disabled=move || busy.get()>
                        {move || format!("Publish version {}", held.get().map(|l| l.next_version()).unwrap_or(2))}
                    </button>
                </div>
            </form>
        })}
        {move || held.get().map(|levels| view! { <VersionList published=levels.published/> })}
    }
}

/// Two versions with the same number, published offline at once: say so and
/// let the administrator take either into the form before publishing the next.
fn contested_notice(
    levels: &SiteLevels,
    form: RwSignal<Option<LevelsForm>>,
    shown: RwSignal<Option<LevelsForm>>,
    dirty: RwSignal<bool>,
) -> Option<impl IntoView> {
    let contested = levels.contested().filter(|c| c.is_conflict())?;
    let version = contested.value.version;
    let by = |l: &ServiceLevels| {
        levels
            .published
            .iter()
            .find(|p| &p.levels == l)
            .map(|p| p.by.name.clone())
            .unwrap_or_default()
    };
    let choices: Vec<(String, ServiceLevels)> =
        contested.all().map(|l| (by(l), l.clone())).collect();
    Some(view! {
        <div class="conflict" role="group" aria-label="Concurrent versions">
            <p>{format!("Two administrators published version {version} at the same time. Incidents logged meanwhile use {}'s. Pick one to start from, then publish.", choices[0].0)}</p>
            <div class="form-buttons">
                {choices.into_iter().map(|(name, levels)| view! {
                    <button type="button" class="button" on:click=move |_| {
                        dirty.set(true);
                        form.set(Some(LevelsForm::of(&levels)));
                        shown.set(Some(LevelsForm::of(&levels)));
                    }>{format!("Start from {name}'s")}</button>
                }).collect_view()}
            </div>
        </div>
    })
}

/// First-response and resolution targets per priority, in minutes.
#[component]
fn Targets(
    form: LevelsForm,
    edit: impl Fn(Box<dyn FnOnce(&mut LevelsForm)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="levels-targets">
            <legend>"Targets (business minutes)"</legend>
            {Priority::ALL.into_iter().enumerate().map(|(i, p)| {
                let first = form.first_response[i].clone();
                let resolution = form.resolution[i].clone();
                view! {
                    <div class="target-row">
                        <span class="target-priority">{p.to_string()}</span>
                        <label>
                            {format!("{p} first response")}
                            <input type="text" inputmode="numeric" value=first
                                on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |f| f.first_response[i] = v)) }/>
                        </label>
                        <label>
                            {format!("{p} resolution")}
                            <input type="text" inputmode="numeric" value=resolution.clone()
                                on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |f| f.resolution[i] = v)) }/>
                        </label>
                        <span class="target-words">{format!("now {}", minutes_words(&resolution))}</span>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The offset, the working hours of each weekday, and the holidays.
#[component]
fn Calendar(
    form: LevelsForm,
    edit: impl Fn(Box<dyn FnOnce(&mut LevelsForm)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="levels-calendar">
            <legend>"Business calendar"</legend>
            <label>
                "UTC offset (e.g. +01:00)"
                <input type="text" value=form.utc_offset.clone()
                    on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |f| f.utc_offset = v)) }/>
            </label>
            {Weekday::ALL.into_iter().map(|day| {
                let i = day.index();
                let name = day_name(day);
                let hours = form.week[i].clone();
                // Each day's row keeps its own state, so turning a day on or off
                // shows or hides its hours without drawing the form again.
                let on = RwSignal::new(hours.is_some());
                let (open, close) = hours.unwrap_or_else(default_hours);
                let (open, close) = (RwSignal::new(open), RwSignal::new(close));
                view! {
                    <div class="day-row">
                        <label class="check">
                            <input type="checkbox" prop:checked=move || on.get()
                                on:change=move |ev| {
                                    let working = event_target_checked(&ev);
                                    let (o, c) = default_hours();
                                    open.set(o.clone());
                                    close.set(c.clone());
                                    on.set(working);
                                    edit(Box::new(move |f| f.week[i] = working.then_some((o, c))));
                                }/>
                            {format!("{name} is a working day")}
                        </label>
                        <Show when=move || on.get()>
                            <label>
                                {format!("{name} opens")}
                                <input type="text" inputmode="numeric" prop:value=move || open.get()
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        open.set(v.clone());
                                        edit(Box::new(move |f| if let Some(h) = &mut f.week[i] { h.0 = v }))
                                    }/>
                            </label>
                            <label>
                                {format!("{name} closes")}
                                <input type="text" inputmode="numeric" prop:value=move || close.get()
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        close.set(v.clone());
                                        edit(Box::new(move |f| if let Some(h) = &mut f.week[i] { h.1 = v }))
                                    }/>
                            </label>
                        </Show>
                    </div>
                }
            }).collect_view()}
            <label>
                "Holidays (YYYY-MM-DD, one a line)"
                <textarea rows="4" prop:value=form.holidays.clone()
                    on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |f| f.holidays = v)) }></textarea>
            </label>
        </fieldset>
    }
}

/// Impact × urgency → priority, one choice per cell.
#[component]
fn Matrix(
    form: LevelsForm,
    edit: impl Fn(Box<dyn FnOnce(&mut LevelsForm)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="levels-matrix">
            <legend>"Priority matrix (impact × urgency)"</legend>
            {Impact::ALL.into_iter().map(|impact| {
                let row = usize::from(impact.level() - 1);
                view! {
                    <div class="matrix-row">
                        <span class="matrix-impact">{format!("Impact {}", impact.label())}</span>
                        {Urgency::ALL.into_iter().map(|urgency| {
                            let col = usize::from(urgency.level() - 1);
                            let chosen = form.matrix[row][col];
                            view! {
                                <label class="matrix-cell">
                                    <span class="visually-hidden">{format!("Impact {} and urgency {}", impact.label(), urgency.label())}</span>
                                    <span class="matrix-urgency" aria-hidden="true">{urgency.label()}</span>
                                    <select on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        if let Some(p) = v.parse::<i64>().ok().and_then(Priority::from_rank) {
                                            edit(Box::new(move |f| f.matrix[row][col] = p));
                                        }
                                    }>
                                        {Priority::ALL.into_iter().map(|p| view! {
                                            <option value=p.rank().to_string() selected=p == chosen>{p.to_string()}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// Every published version, newest first.
#[component]
fn VersionList(published: Vec<Published>) -> impl IntoView {
    let mut published = published;
    published.sort_by(|a, b| {
        b.levels
            .version
            .cmp(&a.levels.version)
            .then(b.at_ms.cmp(&a.at_ms))
    });
    (!published.is_empty()).then(|| {
        view! {
            <section class="levels-history" aria-labelledby="levels-history-heading">
                <h2 id="levels-history-heading">"Published versions"</h2>
                <ul>
                    {published.into_iter().map(|p| {
                        let p3 = p.levels.policy.targets(Priority::P3).resolution_minutes.get();
                        view! {
                            <li>{format!(
                                "Version {} by {} on {} · P3 resolution {}",
                                p.levels.version,
                                p.by.name,
                                device_time(p.at_ms),
                                duration_words(i64::from(p3) * 60_000),
                            )}</li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// The hours a day gets when it is made a working day.
fn default_hours() -> (String, String) {
    ("08:00".to_owned(), "18:00".to_owned())
}

/// "10 h" for a target typed in minutes, or nothing while it is not a number.
fn minutes_words(text: &str) -> String {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|m| *m > 0)
        .map(|m| duration_words(m * 60_000))
        .unwrap_or_default()
}

/// "Service levels" in the sections bar, for administrators only.
#[component]
pub fn AdminLink() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let is_admin = move || {
        signals.profile.with(|p| {
            p.as_ref()
                .is_some_and(|p| p.user.role == Role::Admin.as_str())
        })
    };
    view! {
        <Show when=is_admin>
            <a href="/settings/service-levels">"Service levels"</a>
        </Show>
    }
}
