//! The fieldsets of the service-levels form (Settings → Service levels): targets
//! per priority, which holds pause the clocks, the business calendar and the
//! priority matrix. Each is drawn once from a [`LevelsForm`] and reports every
//! change through `edit`; core reads the whole form (`LevelsForm::parse`).

use fieldbook_core::model::date::Weekday;
use fieldbook_core::model::event::HoldReason;
use fieldbook_core::model::priority::{Impact, Priority, Urgency};
use fieldbook_core::model::service_levels::{day_name, LevelsForm};
use leptos::prelude::*;

use super::wording::duration_words;

/// First-response and resolution targets per priority, in minutes.
#[component]
pub fn Targets(
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
pub fn Calendar(
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
pub fn Matrix(
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

/// Which holds stop the clocks: one big tick box per reason, as the hold form
/// names them.
#[component]
pub fn Pauses(
    form: LevelsForm,
    edit: impl Fn(Box<dyn FnOnce(&mut LevelsForm)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="levels-pauses">
            <legend>"Clocks pause while on hold"</legend>
            <p class="hint">"Ticked: an incident's SLA clocks stop while it waits for this. Not ticked: they keep counting."</p>
            {HoldReason::ALL.into_iter().enumerate().map(|(i, reason)| {
                let pauses = form.pause_on[i];
                view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=pauses
                            on:change=move |ev| {
                                let pauses = event_target_checked(&ev);
                                edit(Box::new(move |f| f.pause_on[i] = pauses))
                            }/>
                        {reason.label()}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
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
