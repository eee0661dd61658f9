//! What the audit, finding and corrective-action records share: an append-only
//! log of events that say who did what on which device, and the one way a
//! status is derived from such a log.
//!
//! The incident has its own copy of this machinery ([`super::derived`]), written
//! before these records existed and tied to its event type. The records here
//! carry more in each event (the [`Person`] behind it, since their guards are
//! about *who* acts: the lead auditor, an impartial verifier), so they share a
//! generic form instead: a record names its [`Lifecycle`] (where it stands after
//! each event, and why an event cannot follow) and [`derive`] does the rest.
//!
//! As for incidents, evaluation never uses list order: events are sorted by
//! device time, device, id. An event that is not a legal transition from where
//! the record stands is *refused*, neither applied nor dropped, and shown with
//! the applied events that made it illegal, so that two offline devices that
//! each did something legal on their own never have one of them silently lost.
//! A person reviews the conflict and appends a reconciling event that sets the
//! refused events aside for good.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt::Debug;

use super::access::Person;

/// One entry of a record's append-only log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged<K> {
    /// Unique within the record (made from the device's actor, the log length and the time).
    pub id: String,
    pub kind: K,
    /// Device time, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The Automerge actor (device) that appended it.
    pub device: String,
    /// The person who acted, as the device knew them then.
    pub by: Person,
}

/// Someone a record refers to (an owner, an auditor, a verifier): the user id
/// that guards compare, and the name people read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserRef {
    pub user_id: String,
    pub name: String,
}

/// A record's transition table: where it stands before any event, and after each.
pub trait Lifecycle: Clone + PartialEq + Debug + Sized {
    /// What an event says happened.
    type Kind: Clone + Ord + Debug;
    /// Why an event cannot follow, in words for a person.
    type Error: Clone + PartialEq + Debug;

    /// Before any event.
    fn start() -> Self;

    /// Where the record stands after `event`, or why `event` cannot follow.
    fn after(&self, event: &Logged<Self::Kind>) -> Result<Self, Self::Error>;

    /// The ids of the events a reconciling event sets aside; `None` for other kinds.
    fn set_aside(kind: &Self::Kind) -> Option<&[String]>;
}

/// What a log says about a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived<S: Lifecycle> {
    /// Where it stands after every applied event.
    pub standing: S,
    /// The events that were legal and applied, in evaluation order.
    pub applied: Vec<Logged<S::Kind>>,
    /// Refused events no one has reviewed yet, with the branch that won.
    pub needs_review: Option<Conflict<S>>,
    /// The latest device time of any event, applied or not.
    pub latest_at_ms: Option<i64>,
}

/// Two branches of a log that cannot both hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict<S: Lifecycle> {
    /// The applied events after the last point from which a refused event would
    /// have been legal (empty when it never would have been). Evaluation order.
    pub a: Vec<Logged<S::Kind>>,
    /// The refused events, in evaluation order.
    pub b: Vec<Logged<S::Kind>>,
    /// Why each event of `b` was refused, in the same order.
    pub why: Vec<S::Error>,
}

impl<K: Ord> Logged<K> {
    /// The evaluation order: device time, then device, then id, then kind (so
    /// that even malformed duplicates sort the same everywhere).
    pub fn evaluation_order(&self, other: &Logged<K>) -> Ordering {
        (self.at_ms, &self.device, &self.id, &self.kind).cmp(&(
            other.at_ms,
            &other.device,
            &other.id,
            &other.kind,
        ))
    }
}

impl UserRef {
    /// Whether `person` is this user.
    pub fn is(&self, person: &Person) -> bool {
        self.user_id == person.user_id
    }
}

impl From<&Person> for UserRef {
    fn from(person: &Person) -> UserRef {
        UserRef {
            user_id: person.user_id.clone(),
            name: person.name.clone(),
        }
    }
}

/// Derives a record's standing from its events, in whatever order they come.
pub fn derive<S: Lifecycle>(events: &[Logged<S::Kind>]) -> Derived<S> {
    let mut sorted = events.to_vec();
    sorted.sort_by(Logged::evaluation_order);
    let named: BTreeSet<String> = sorted
        .iter()
        .filter_map(|e| S::set_aside(&e.kind))
        .flatten()
        .cloned()
        .collect();
    // A review sets aside only events the log refuses anyway (a refused event
    // changes nothing, so setting it aside changes no other outcome): naming an
    // event that applies, such as a link to a corrective action, does nothing.
    let set_aside: BTreeSet<String> = if named.is_empty() {
        named
    } else {
        let mut plain = S::start();
        let mut refused_anyway = BTreeSet::new();
        for event in &sorted {
            match plain.after(event) {
                Ok(next) => plain = next,
                Err(_) => {
                    refused_anyway.insert(event.id.clone());
                }
            }
        }
        named.intersection(&refused_anyway).cloned().collect()
    };

    // standings[j] is where the record stood before applied event j.
    let mut standings = vec![S::start()];
    let mut applied: Vec<usize> = Vec::new();
    let mut refused: Vec<(usize, S::Error)> = Vec::new();
    for (i, event) in sorted.iter().enumerate() {
        if set_aside.contains(&event.id) {
            continue;
        }
        let current = standings.last().cloned().unwrap_or_else(S::start);
        match current.after(event) {
            Ok(next) => {
                applied.push(i);
                standings.push(next);
            }
            Err(error) => refused.push((i, error)),
        }
    }

    let needs_review = (!refused.is_empty()).then(|| {
        let mut winners = BTreeSet::new();
        for (i, _) in &refused {
            let before = applied.partition_point(|&k| k < *i);
            let legal_from = (0..before)
                .rev()
                .find(|&j| standings[j].after(&sorted[*i]).is_ok());
            if let Some(from) = legal_from {
                winners.extend(
                    (from..before)
                        .filter(|&j| standings[j] != standings[j + 1])
                        .map(|j| applied[j]),
                );
            }
        }
        let (b, why) = refused
            .into_iter()
            .map(|(i, error)| (sorted[i].clone(), error))
            .unzip();
        Conflict {
            a: winners.into_iter().map(|k| sorted[k].clone()).collect(),
            b,
            why,
        }
    });

    Derived {
        standing: standings.pop().unwrap_or_else(S::start),
        latest_at_ms: sorted.iter().map(|e| e.at_ms).max(),
        applied: applied.into_iter().map(|k| sorted[k].clone()).collect(),
        needs_review,
    }
}

/// The event a device appends next: at `now_ms`, or one millisecond after the
/// latest event it has seen if that is later, so a reaction always sorts after
/// what it reacted to even when device clocks disagree.
pub fn next_event<K>(
    log_len: usize,
    latest_at_ms: Option<i64>,
    kind: K,
    by: &Person,
    device: &str,
    now_ms: i64,
) -> Logged<K> {
    let at_ms = match latest_at_ms {
        Some(latest) => now_ms.max(latest.saturating_add(1)),
        None => now_ms,
    };
    Logged {
        id: format!("{device}-{log_len}-{at_ms}"),
        kind,
        at_ms,
        device: device.to_owned(),
        by: by.clone(),
    }
}

/// Text a person typed, as stored: trimmed.
pub(crate) fn trimmed(text: String) -> String {
    text.trim().to_owned()
}

/// Whether a person typed anything.
pub(crate) fn filled(text: &str) -> bool {
    !text.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::access::Role;

    /// A counter that may only go up by one: enough to show refusals.
    #[derive(Debug, Clone, PartialEq)]
    struct Count(i64);

    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
    enum Step {
        To(i64),
        Forget(Vec<String>),
    }

    impl Lifecycle for Count {
        type Kind = Step;
        type Error = String;
        fn start() -> Count {
            Count(0)
        }
        fn after(&self, event: &Logged<Step>) -> Result<Count, String> {
            match &event.kind {
                Step::To(n) if *n == self.0 + 1 => Ok(Count(*n)),
                Step::To(n) => Err(format!("{n} cannot follow {}", self.0)),
                Step::Forget(_) => Ok(self.clone()),
            }
        }
        fn set_aside(kind: &Step) -> Option<&[String]> {
            match kind {
                Step::Forget(ids) => Some(ids),
                Step::To(_) => None,
            }
        }
    }

    fn person() -> Person {
        Person {
            user_id: "u1".into(),
            name: "Ann".into(),
            role: Role::Auditor,
        }
    }

    fn step(id: &str, device: &str, at_ms: i64, kind: Step) -> Logged<Step> {
        Logged {
            id: id.into(),
            kind,
            at_ms,
            device: device.into(),
            by: person(),
        }
    }

    #[test]
    fn concurrent_steps_that_cannot_both_hold_are_shown_not_dropped() {
        let log = vec![
            step("a-0", "a", 1, Step::To(1)),
            step("b-1", "b", 3, Step::To(2)),
            step("a-1", "a", 2, Step::To(2)),
        ];
        let derived = derive::<Count>(&log);
        assert_eq!(derived.standing, Count(2));
        let conflict = derived.needs_review.expect("flagged");
        assert_eq!(conflict.a[0].id, "a-1");
        assert_eq!(conflict.b[0].id, "b-1");
        assert_eq!(conflict.why, vec!["2 cannot follow 2".to_owned()]);
    }

    #[test]
    fn a_reconciling_event_sets_the_refused_ones_aside() {
        let log = vec![
            step("a-0", "a", 1, Step::To(1)),
            step("a-1", "a", 2, Step::To(2)),
            step("b-1", "b", 3, Step::To(2)),
            step("b-2", "b", 4, Step::Forget(vec!["b-1".into()])),
        ];
        let derived = derive::<Count>(&log);
        assert_eq!(derived.needs_review, None);
        assert_eq!(derived.applied.len(), 3);
        assert_eq!(derived.latest_at_ms, Some(4));
    }

    #[test]
    fn a_reconciling_event_cannot_set_aside_one_that_applies() {
        // "b-2" names "a-1", which applies: setting it aside would let "b-1"
        // in instead. It changes nothing; the conflict stays for a person.
        let log = vec![
            step("a-0", "a", 1, Step::To(1)),
            step("a-1", "a", 2, Step::To(2)),
            step("b-1", "b", 3, Step::To(2)),
            step(
                "b-2",
                "b",
                4,
                Step::Forget(vec!["a-1".into(), "a-0".into()]),
            ),
        ];
        let derived = derive::<Count>(&log);
        assert_eq!(derived.standing, Count(2));
        let applied: Vec<&str> = derived.applied.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(applied, ["a-0", "a-1", "b-2"]);
        assert_eq!(derived.needs_review.expect("still flagged").b[0].id, "b-1");
    }

    #[test]
    fn the_next_event_sorts_after_what_the_device_has_seen() {
        let event = next_event(3, Some(100), Step::To(1), &person(), "d", 50);
        assert_eq!(event.at_ms, 101);
        assert_eq!(event.id, "d-3-101");
        assert_eq!(
            next_event(0, None, Step::To(1), &person(), "d", 50).at_ms,
            50
        );
    }
}
