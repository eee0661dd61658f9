//! Words for the incident page: durations, device times, devices, events and
//! resolution codes as a technician reads them. Presentation only: what the
//! events mean is core's business.

use chrono::{Local, TimeZone};
use fieldbook_core::model::event::{Closure, Event, EventKind, RESOLUTION_CODES};
use fieldbook_core::model::incident::Contested;
use fieldbook_core::model::signature::ChangeAfterSigning;

/// The words for each of core's resolution codes (`model::event::RESOLUTION_CODES`),
/// in its order: what the technician chooses from.
pub fn resolution_choices() -> Vec<(&'static str, String)> {
    RESOLUTION_CODES
        .iter()
        .map(|code| (*code, resolution_code_label(code)))
        .collect()
}

/// The words for a stored resolution code (the code itself if this version has
/// no words for it, such as one written by a newer version).
pub fn resolution_code_label(code: &str) -> String {
    match code {
        "fixed" => "Fixed",
        "workaround" => "Workaround in place",
        "replaced" => "Replaced hardware",
        "configuration" => "Configuration changed",
        "advice" => "Advice given to the caller",
        "no-fault" => "No fault found",
        "third-party" => "Fixed by a third party",
        other => other,
    }
    .to_owned()
}

/// "3 h 12 min", "2 d 4 h", "less than a minute" (the sign is ignored).
pub fn duration_words(ms: i64) -> String {
    let minutes = ms.unsigned_abs() / 60_000;
    let (days, hours, mins) = (minutes / 1_440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "less than a minute".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// A device time in the device's own time zone: "Tue 4 Mar, 14:05".
pub fn device_time(at_ms: i64) -> String {
    match Local.timestamp_millis_opt(at_ms).single() {
        Some(t) => t.format("%a %-d %b, %H:%M").to_string(),
        None => "an unknown time".to_owned(),
    }
}

/// A change's device time, to the second: "Tue 4 Mar, 14:05:09".
pub fn device_time_to_second(at_s: i64) -> String {
    match Local.timestamp_opt(at_s, 0).single() {
        Some(t) => t.format("%a %-d %b, %H:%M:%S").to_string(),
        None => "an unknown time".to_owned(),
    }
}

/// Who made a change: this device, or another one by the start of its actor id.
pub fn who(device: &str, this_device: &str) -> String {
    if device == this_device {
        "This device".to_owned()
    } else {
        format!("Device {}", device.chars().take(6).collect::<String>())
    }
}

/// An event in a short sentence, with what was filled in.
pub fn describe(event: &Event) -> String {
    let label = event.kind.label();
    match &event.kind {
        EventKind::Assigned { group, assignee } => match assignee {
            Some(person) => format!("Assigned to {group} ({person})"),
            None => format!("Assigned to {group}"),
        },
        EventKind::Held { reason } => format!("{label}: {}", reason.label()),
        EventKind::Resolved { code, notes } => {
            format!("{label} ({}): {notes}", resolution_code_label(code))
        }
        EventKind::Closed {
            closure: Closure::Confirmed { by },
        } => format!("{label}, confirmed by {by}"),
        EventKind::Closed {
            closure: Closure::AutoClosed { after_ms },
        } => format!(
            "{label} without confirmation after {}",
            duration_words(*after_ms)
        ),
        EventKind::Reopened { reason }
        | EventKind::Cancelled { reason }
        | EventKind::MajorDeclared { reason } => format!("{label}: {reason}"),
        EventKind::MajorReviewed { notes } => format!("{label}: {notes}"),
        EventKind::PriorityChanged {
            impact,
            urgency,
            priority,
        } => format!(
            "{label} to {priority} (impact {}, urgency {})",
            impact.level(),
            urgency.level()
        ),
        EventKind::WorkNote { text } => format!("{label}: {text}"),
        EventKind::Reconciled { events } => match events.len() {
            1 => format!("{label}: 1 change set aside"),
            n => format!("{label}: {n} changes set aside"),
        },
        EventKind::Approved { by, .. } => format!("{label} by {by}"),
        EventKind::ApprovalRefused { by, reason, .. } => format!("{label} by {by}: {reason}"),
        EventKind::Created
        | EventKind::WorkStarted
        | EventKind::Resumed
        | EventKind::ApprovalRequested
        | EventKind::Unreadable { .. }
        | EventKind::Other(_) => label.to_owned(),
    }
}

/// What an Automerge change did, from the message the writer gave it.
pub fn change_words(message: Option<&str>) -> String {
    let words = match message.unwrap_or_default() {
        "create incident" => "Logged the incident",
        "create service request" => "Logged the service request",
        "approved" => "Approved the request",
        "approvalRefused" => "Refused the request",
        "assign reference" => "Gave it its reference",
        "set title" => "Changed the title",
        "edit description" => "Edited the description",
        "set impact" => "Changed the impact",
        "set urgency" => "Changed the urgency",
        "assigned" => "Assigned",
        "workStarted" => "Started work",
        "held" => "Put on hold",
        "resumed" => "Resumed work",
        "resolved" => "Resolved",
        "closed" => "Closed",
        "reopened" => "Reopened",
        "cancelled" => "Cancelled",
        "majorDeclared" => "Declared a major incident",
        "majorReviewed" => "Recorded the major incident review",
        "priorityChanged" => "Changed the priority",
        "note" => "Added a work note",
        "attach photo" => "Attached a photo",
        "sign" => "Customer signed",
        "reconciled" => "Marked a conflict as reviewed",
        "" => "Changed the record",
        other => return other.to_owned(),
    };
    words.to_owned()
}

/// What changed after a customer signed, in a short sentence.
pub fn after_signing_words(change: &ChangeAfterSigning) -> String {
    fn now<T>(now: &Contested<T>, show: impl Fn(&T) -> String) -> String {
        if now.is_conflict() {
            let all: Vec<String> = now.all().map(&show).collect();
            format!("now has two values: {}", all.join(" / "))
        } else {
            format!("is now {}", show(&now.value))
        }
    }
    let quoted = |t: &String| format!("“{t}”");
    match change {
        ChangeAfterSigning::Title { signed, now: n } => {
            format!("Title was “{signed}”, {}", now(n, quoted))
        }
        ChangeAfterSigning::Description => "Description edited".to_owned(),
        ChangeAfterSigning::Impact { signed, now: n } => format!(
            "Impact was {} – {}, {}",
            signed.level(),
            signed.label(),
            now(n, |i| format!("{} – {}", i.level(), i.label()))
        ),
        ChangeAfterSigning::Urgency { signed, now: n } => format!(
            "Urgency was {} – {}, {}",
            signed.level(),
            signed.label(),
            now(n, |u| format!("{} – {}", u.level(), u.label()))
        ),
        ChangeAfterSigning::Event(event) => describe(event),
        ChangeAfterSigning::Photo(photo) if photo.caption.is_empty() => "Photo added".to_owned(),
        ChangeAfterSigning::Photo(photo) => format!("Photo added: {}", photo.caption),
    }
}

/// A message from core ("a resolution needs notes") as a sentence.
pub fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn every_resolution_code_of_core_has_words() {
        for (code, words) in resolution_choices() {
            assert_ne!(words, code, "no words for “{code}”");
        }
        assert_eq!(resolution_choices().len(), RESOLUTION_CODES.len());
    }

    #[wasm_bindgen_test]
    fn durations_read_like_a_person_would_say_them() {
        let min = 60_000;
        assert_eq!(duration_words(30_000), "less than a minute");
        assert_eq!(duration_words(12 * min), "12 min");
        assert_eq!(duration_words(-25 * min), "25 min");
        assert_eq!(duration_words(240 * min), "4 h");
        assert_eq!(duration_words(192 * min), "3 h 12 min");
        assert_eq!(duration_words((2 * 1_440 + 4 * 60 + 5) * min), "2 d 4 h");
        assert_eq!(duration_words(5 * 1_440 * min), "5 d");
    }

    #[wasm_bindgen_test]
    fn core_messages_become_sentences() {
        assert_eq!(
            sentence("a resolution needs notes saying what was done"),
            "A resolution needs notes saying what was done."
        );
        assert_eq!(sentence("Already a sentence."), "Already a sentence.");
        assert_eq!(sentence(""), "");
    }
}
