//! The two SLA clocks, always in view near the top of an incident: state, time
//! left or overdue in words, and a bar. Core computes them (`sla_state`) from the
//! event log; this renders them as of the page's ticking device time.

use fieldbook_core::model::incident::Status;
use fieldbook_core::model::service_levels::{calendar_words, pause_words};
use fieldbook_core::model::sla::{Clock, ClockState, SlaState};
use leptos::prelude::*;

use super::wording::duration_words;
use crate::repo::IncidentRecord;

/// The SLA clocks of an incident, and whether they are provisional.
#[component]
pub fn SlaTimers(
    /// The incident as last read from the device.
    record: Signal<Option<IncidentRecord>>,
    /// Device time, milliseconds; the page moves it every 30 seconds.
    now_ms: Signal<i64>,
) -> impl IntoView {
    let state = Memo::new(move |_| {
        let now_ms = now_ms.get();
        record.with(|r| r.as_ref().map(|r| sla_now(r, now_ms)))
    });
    // Why paused clocks are paused: a service request waiting for its approval,
    // or work on hold.
    let pause = Memo::new(move |_| {
        record.with(|r| match r.as_ref().map(|r| r.incident.status()) {
            Some(Status::AwaitingApproval) => "stopped until a manager approves",
            _ => "stopped while on hold",
        })
    });
    // Which service levels the clocks count on: the version the incident was logged under.
    let levels_words = move || {
        record.with(|r| {
            r.as_ref().map(|r| {
                let levels = r.incident.levels();
                format!(
                    "Service levels version {}: {}",
                    levels.version,
                    calendar_words(&levels.calendar)
                )
            })
        })
    };
    // Which holds stop them, under that version.
    let pause_line = move || {
        record.with(|r| {
            r.as_ref()
                .map(|r| pause_words(&r.incident.levels().policy.pause_on))
        })
    };
    move || {
        state.get().map(|s| {
            view! {
                <section class="sla" aria-labelledby="sla-heading">
                    <div class="sla-head">
                        <h2 id="sla-heading">"SLA"</h2>
                        {s.provisional.then(|| view! {
                            <p class="provisional" role="note">
                                <span class="provisional-mark">"Provisional"</span>
                                " Changes on this device have not reached the server yet, so another device's changes may still move these clocks."
                            </p>
                        })}
                    </div>
                    <div class="clocks">
                        {clock_view("First response", &s.first_response, pause.get())}
                        {clock_view("Resolution", &s.resolution, pause.get())}
                    </div>
                    <p class="sla-levels">{levels_words}</p>
                    <p class="sla-levels sla-pauses">{pause_line}</p>
                </section>
            }
        })
    }
}

/// The clocks as of `now_ms`, under the service levels the incident was logged
/// under. An event counts as confirmed once the server has acknowledged heads
/// that include it (`confirmed_event_ids`, done by the repo).
fn sla_now(record: &IncidentRecord, now_ms: i64) -> SlaState {
    let confirmed = &record.confirmed_events;
    record
        .incident
        .sla(now_ms, |event| confirmed.contains(&event.id))
}

fn clock_view(name: &'static str, clock: &Clock, pause: &'static str) -> impl IntoView {
    let (state, class) = match clock.state {
        ClockState::Running => ("Running", "running"),
        ClockState::Paused => ("Paused", "paused"),
        ClockState::Met => ("Met", "met"),
        ClockState::Breached => ("Breached", "breached"),
        ClockState::Cancelled => ("Cancelled", "cancelled"),
    };
    let left = duration_words(clock.remaining_ms);
    let words = match clock.state {
        ClockState::Running => format!("{left} left"),
        ClockState::Paused => format!("{left} left; {pause}"),
        ClockState::Met => format!("{left} to spare"),
        ClockState::Breached if clock.counting => format!("{left} overdue"),
        ClockState::Breached => format!("{left} over target"),
        ClockState::Cancelled => "Stopped: the incident was cancelled".to_owned(),
    };
    // A warning colour once three quarters of the target is used.
    let late = clock.state == ClockState::Running && clock.percent_elapsed >= 75;
    let shown = clock.percent_elapsed.min(100);
    let value_text = format!("{}% of the target used; {words}", clock.percent_elapsed);
    view! {
        <div class=format!("clock {class}{}", if late { " late" } else { "" })
            role="group" aria-label=name>
            <div class="clock-top">
                <span class="clock-name">{name}</span>
                <span class="clock-state">{state}</span>
            </div>
            <p class="clock-words">{words}</p>
            <div class="bar" role="progressbar"
                aria-label=format!("{name} target used")
                aria-valuemin="0" aria-valuemax="100"
                aria-valuenow=shown.to_string()
                aria-valuetext=value_text>
                <div class="bar-fill" style=format!("width: {shown}%")></div>
            </div>
            <p class="clock-target">
                {format!("Target {} for {}", duration_words(clock.target_ms), clock.priority)}
            </p>
        </div>
    }
}
