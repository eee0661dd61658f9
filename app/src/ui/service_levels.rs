//! Settings → Service levels: an administrator picks one of their sites and
//! edits its SLA targets per priority, which holds pause the clocks, its business
//! calendar (UTC offset, hours per weekday, holidays) and its impact × urgency
//! matrix, and publishes them as the site's next version. Core reads the form
//! (`LevelsForm::parse`) and names every mistake; the repo publishes
//! (`Repo::publish_levels`). Other roles see the version in force at each of
//! their sites and are told who sets them; the server refuses their changes
//! anyway. Works offline like every other edit.

use fieldbook_core::doc::service_levels::Published;
use fieldbook_core::model::access::Role;
use fieldbook_core::model::priority::Priority;
use fieldbook_core::model::service_levels::{
    calendar_words, pause_words, LevelsForm, ServiceLevels,
};
use leptos::prelude::*;

use super::levels_form::{Calendar, Matrix, Pauses, Targets};
use super::repo;
use super::wording::{device_time, duration_words};
use crate::repo::{Signals, SiteLevels};

/// A site as the page offers it: id and name.
type SiteChoice = (String, String);

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
    // The person's sites, their default one first.
    let sites = Memo::new(move |_| {
        signals
            .profile
            .with(|p| p.as_ref().map(|p| p.site_choices()).unwrap_or_default())
    });
    // The site the form edits: the one picked, else the first.
    let picked = RwSignal::new(None::<String>);
    let site = Memo::new(move |_| {
        let picked = picked.get();
        sites.with(|sites| {
            sites
                .iter()
                .find(|(id, _)| Some(id) == picked.as_ref())
                .or(sites.first())
                .cloned()
        })
    });
    // Unpublished changes in the form: the site cannot be switched meanwhile.
    let dirty = RwSignal::new(false);
    view! {
        <section class="page service-levels">
            <h1>"Service levels"</h1>
            {move || match (is_admin.get(), site.get()) {
                (false, _) => view! {
                    <p class="notice" role="note">
                        "Service levels (SLA targets, which holds pause the clocks, business hours and the priority matrix) are set by an administrator."
                    </p>
                    {move || {
                        let all = sites.get();
                        let named = all.len() > 1;
                        all.into_iter()
                            .map(|(id, name)| view! { <InForce site=id name=named.then_some(name)/> })
                            .collect_view()
                    }}
                    <a class="button" href="/incidents">"Back to incidents"</a>
                }.into_any(),
                (true, None) => view! {
                    <p class="notice" role="note">
                        "Your sites have not reached this device yet; connect to the network once."
                    </p>
                }.into_any(),
                (true, Some((id, name))) => view! {
                    {site_picker(sites.get(), &id, picked, dirty)}
                    <p class="lede">{format!("For {name}. New incidents are logged under the version published last; incidents already logged keep theirs.")}</p>
                    <LevelsEditor site=id dirty=dirty/>
                }.into_any(),
            }}
        </section>
    }
}

/// Which of an administrator's sites the form edits, when they have more than
/// one. Locked while the form holds unpublished changes, so none are lost.
fn site_picker(
    sites: Vec<SiteChoice>,
    current: &str,
    picked: RwSignal<Option<String>>,
    dirty: RwSignal<bool>,
) -> Option<impl IntoView> {
    (sites.len() > 1).then(|| {
        view! {
            <div class="levels-site">
                <label for="levels-site">"Site"</label>
                <select id="levels-site" disabled=move || dirty.get()
                    on:change=move |ev| picked.set(Some(event_target_value(&ev)))>
                    {sites.into_iter().map(|(id, name)| {
                        let chosen = id == current;
                        view! { <option value=id selected=chosen>{name}</option> }
                    }).collect_view()}
                </select>
                <Show when=move || dirty.get()>
                    <p class="hint">"Publish or discard the changes below to switch site."</p>
                </Show>
            </div>
        }
    })
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
    /// The site's name, when the person has several.
    name: Option<String>,
) -> impl IntoView {
    let site = StoredValue::new(site);
    let held = held_levels(site);
    move || {
        held.get().map(|levels| {
            let standing = levels.standing();
            let rest = format!(
                "incidents are logged under version {}: {}. {}.",
                standing.version,
                calendar_words(&standing.calendar),
                pause_words(&standing.policy.pause_on)
            );
            let sentence = match &name {
                Some(name) => format!("At {name}, new {rest}"),
                None => format!("New {rest}"),
            };
            view! { <p class="standing" role="status">{sentence}</p> }
        })
    }
}

/// The form, the published versions, and Publish.
#[component]
fn LevelsEditor(
    /// The site whose service levels are edited.
    site: String,
    /// Whether the form holds changes not published yet.
    dirty: RwSignal<bool>,
) -> impl IntoView {
    let site = StoredValue::new(site);
    let held = held_levels(site);
    // `form` holds what is typed; `shown` is what the inputs were last drawn
    // with, so typing does not redraw (and unfocus) them. Each drawing has a
    // new number: the inputs are made afresh, whatever was typed in them.
    let form = RwSignal::new(None::<LevelsForm>);
    let shown = RwSignal::new(None::<(u32, LevelsForm)>);
    let errors = RwSignal::new(Vec::<String>::new());
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let draw = move |drawn: LevelsForm| {
        form.set(Some(drawn.clone()));
        shown.update(|s| *s = Some((s.as_ref().map_or(0, |(n, _)| n + 1), drawn)));
    };
    // The form follows what is published until the person starts typing.
    dirty.set(false);
    Effect::new(move |_| {
        if let Some(levels) = held.get() {
            let published = LevelsForm::of(&levels.standing());
            if !dirty.get_untracked() && form.get_untracked().as_ref() != Some(&published) {
                draw(published);
            }
        }
    });
    let discard = move |_| {
        dirty.set(false);
        errors.set(Vec::new());
        message.set(None);
        if let Some(levels) = held.get_untracked() {
            draw(LevelsForm::of(&levels.standing()));
        }
    };
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
        match current.parse(version) {
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
                "Version {} is in force: {}. {}.",
                c.value.version,
                calendar_words(&c.value.calendar),
                pause_words(&c.value.policy.pause_on)
            ),
        })
    };
    view! {
        <p class="standing" role="status">{standing_words}</p>
        {move || held.get().and_then(|levels| contested_notice(&levels, draw, dirty))}
        <For each=move || shown.get() key=|(n, _)| *n children=move |(_, f)| view! {
            <form class="form levels-form" on:submit=publish novalidate>
                <Targets form=f.clone() edit=edit/>
                <Pauses form=f.clone() edit=edit/>
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
                    <Show when=move || dirty.get()>
                        <button type="button" class="button big" on:click=discard>"Discard changes"</button>
                    </Show>
                </div>
            </form>
        }/>
        {move || held.get().map(|levels| view! { <VersionList published=levels.published/> })}
    }
}

/// Two versions with the same number, published offline at once: say so and
/// let the administrator take either into the form before publishing the next.
fn contested_notice(
    levels: &SiteLevels,
    draw: impl Fn(LevelsForm) + Copy + Send + Sync + 'static,
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
                        draw(LevelsForm::of(&levels));
                    }>{format!("Start from {name}'s")}</button>
                }).collect_view()}
            </div>
        </div>
    })
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
