//! Choosing a person: the people of the record's site, as the server listed
//! them in the (cached) profile, so an owner can be picked offline.

use fieldbook_core::model::workflow::UserRef;
use leptos::prelude::*;

use crate::profile::SitePerson;
use crate::repo::Signals;

/// The people the app knows: those of the user's sites, or, from a profile
/// cached before the server listed them, the user alone.
pub fn known_people(signals: &Signals) -> Vec<SitePerson> {
    signals.profile.with_untracked(|p| match p {
        Some(p) if !p.people().is_empty() => p.people(),
        Some(p) => vec![SitePerson {
            id: p.user.id.clone(),
            login: p.user.login.clone(),
            name: p.user.name.clone(),
            role: p.user.role.clone(),
        }],
        None => Vec::new(),
    })
}

/// The people of `site` (a record's site): see [`crate::profile::Profile::people_at`].
pub fn people_of_site(signals: &Signals, site: Option<&str>) -> Vec<SitePerson> {
    let listed = signals
        .profile
        .with_untracked(|p| p.as_ref().map(|p| p.people_at(site)).unwrap_or_default());
    if listed.is_empty() {
        known_people(signals)
    } else {
        listed
    }
}

/// The person with user id `id`, as events record them.
pub fn person_ref(signals: &Signals, id: &str) -> Option<UserRef> {
    known_people(signals)
        .into_iter()
        .find(|p| p.id == id)
        .map(|p| UserRef {
            user_id: p.id,
            name: p.name,
        })
}

/// A labelled list of the people the app knows; `chosen` holds the user id.
#[component]
pub fn PersonPicker(
    /// The select's id, unique on the page.
    input_id: &'static str,
    /// The label's words.
    label: &'static str,
    /// The chosen user id; empty for nobody yet.
    chosen: RwSignal<String>,
    /// The site of the record the person is picked for: only its people are offered.
    site: Option<String>,
) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let people = people_of_site(&signals, site.as_deref());
    view! {
        <label for=input_id>{label}</label>
        <select id=input_id prop:value=move || chosen.get()
            on:change=move |ev| chosen.set(event_target_value(&ev))>
            <option value="">"Choose a person"</option>
            {people.into_iter().map(|p| {
                let text = format!("{} ({}, {})", p.name, p.login, p.role);
                view! { <option value=p.id.clone() selected=move || chosen.get() == p.id>{text}</option> }
            }).collect_view()}
        </select>
    }
}
