//! The state of an incident as a pure function of its event log, with merges
//! that make an invalid sequence shown to a person instead of hidden.
//!
//! [`derive()`] walks the events in evaluation order (device time, device, id; see
//! [`in_evaluation_order`]) through the lifecycle table. An event that is not a
//! legal transition from the status reached so far is *refused*: it is neither
//! applied nor dropped, but reported in a [`Conflict`] beside the events that
//! made it illegal. That is what two offline devices produce when one resolves
//! while the other reassigns or puts on hold. A person reviews the conflict,
//! re-does what still matters and appends a `Reconciled` event naming the
//! refused events: they are set aside for good (never applied, even if a later
//! merge would make them legal) but stay in the log for the history.
//!
//! This catches concurrency only where it yields an illegal sequence. Two
//! concurrent sequences that happen to be legal one after the other (two
//! reassignments, say) are applied in evaluation order without a flag.

use std::collections::BTreeSet;

use super::event::{in_evaluation_order, Event, EventKind};
use super::incident::Status;
use super::lifecycle::{Standing, TransitionError};

/// What the event log says about an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Where it stands after every applied event.
    pub standing: Standing,
    /// The events that were legal and applied, in evaluation order.
    pub applied: Vec<Event>,
    /// Refused events no one has reviewed yet, with the branch that won.
    pub needs_review: Option<Conflict>,
    /// The latest device time of any event, applied or not.
    pub latest_at_ms: Option<i64>,
}

/// Two branches of the log that cannot both hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The applied events that made the refused ones illegal: for each refused
    /// event, those after the last point from which it would have been legal
    /// (empty when it would never have been legal). Evaluation order.
    pub a: Vec<Event>,
    /// The refused events, in evaluation order.
    pub b: Vec<Event>,
    /// Why each event of `b` was refused, in the same order.
    pub why: Vec<TransitionError>,
}

impl Derived {
    pub fn status(&self) -> Status {
        self.standing.status
    }
}

/// Derives the incident's state from its events, in whatever order they come.
pub fn derive(events: &[Event]) -> Derived {
    let sorted = in_evaluation_order(events);
    let named: BTreeSet<&str> = sorted
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Reconciled { events } => Some(events.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    // A review sets aside only events the log refuses anyway (a refused event
    // changes nothing, so setting it aside changes no other outcome): naming an
    // event that applies, such as the request for approval, does nothing.
    let reconciled: BTreeSet<&str> = if named.is_empty() {
        named
    } else {
        let mut plain = Standing::start();
        let mut refused_anyway = BTreeSet::new();
        for event in &sorted {
            match plain.after(event) {
                Ok(next) => plain = next,
                Err(_) => {
                    refused_anyway.insert(event.id.as_str());
                }
            }
        }
        named.intersection(&refused_anyway).copied().collect()
    };

    // standings[j] is where the incident stood before applied event j; the last
    // entry is where it stands now.
    let mut standings = vec![Standing::start()];
    let mut applied: Vec<usize> = Vec::new();
    let mut refused: Vec<(usize, TransitionError)> = Vec::new();
    let mut current = Standing::start();
    for (i, event) in sorted.iter().enumerate() {
        if reconciled.contains(event.id.as_str()) {
            continue;
        }
        match current.after(event) {
            Ok(next) => {
                applied.push(i);
                standings.push(next.clone());
                current = next;
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
                // Only events that moved the standing; notes and the like did not.
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
        standing: current,
        latest_at_ms: sorted.iter().map(|e| e.at_ms).max(),
        applied: applied.into_iter().map(|k| sorted[k].clone()).collect(),
        needs_review,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::action::{apply, Command};
    use crate::model::event::HoldReason;

    const MINUTE: i64 = 60_000;

    /// Created, assigned and started on device `a`, a minute apart.
    fn in_progress() -> Vec<Event> {
        let mut events = vec![Event {
            id: "a-0".into(),
            kind: EventKind::Created,
            at_ms: 0,
            device: "a".into(),
        }];
        for (i, command) in [assign("Desk"), Command::StartWork].into_iter().enumerate() {
            let now = (i as i64 + 1) * MINUTE;
            events.push(apply(&events, command, "a", now).expect("legal"));
        }
        events
    }

    fn assign(group: &str) -> Command {
        Command::Assign {
            group: group.into(),
            assignee: None,
        }
    }

    fn resolve() -> Command {
        Command::Resolve {
            code: "fixed".into(),
            notes: "Reseated the cable".into(),
        }
    }

    /// Both devices act on the same log, offline, at the given times.
    fn fork(a: Command, a_at: i64, b: Command, b_at: i64) -> (Vec<Event>, Event, Event) {
        let base = in_progress();
        let ea = apply(&base, a, "a", a_at).expect("legal on a");
        let eb = apply(&base, b, "b", b_at).expect("legal on b");
        let mut merged = base;
        merged.extend([ea.clone(), eb.clone()]);
        (merged, ea, eb)
    }

    #[test]
    fn resolve_against_reassign_needs_review_whichever_clock_is_earlier() {
        for (a_at, b_at) in [(10 * MINUTE, 11 * MINUTE), (11 * MINUTE, 10 * MINUTE)] {
            let (merged, resolved, reassigned) = fork(resolve(), a_at, assign("Network"), b_at);
            let derived = derive(&merged);
            let conflict = derived.needs_review.expect("flagged");
            let (winner, loser) = if a_at < b_at {
                (resolved, reassigned)
            } else {
                (reassigned, resolved)
            };
            assert_eq!(conflict.a, vec![winner]);
            assert_eq!(conflict.b, vec![loser]);
            assert_eq!(conflict.why.len(), 1);
        }
    }

    #[test]
    fn resolve_against_hold_needs_review() {
        let hold = Command::Hold(HoldReason::AwaitingVendor);
        let (merged, _, held) = fork(resolve(), 11 * MINUTE, hold, 10 * MINUTE);
        let derived = derive(&merged);
        assert_eq!(derived.status(), Status::OnHold);
        let conflict = derived.needs_review.expect("flagged");
        assert_eq!(conflict.a, vec![held]);
        assert_eq!(
            conflict.why[0].to_string(),
            "Resolve is not possible while the incident is On hold"
        );
    }

    #[test]
    fn concurrent_notes_and_a_resolve_do_not_conflict() {
        let note = Command::AddNote {
            text: "Cable was loose".into(),
        };
        let (merged, _, _) = fork(resolve(), 10 * MINUTE, note, 11 * MINUTE);
        let derived = derive(&merged);
        assert_eq!(derived.status(), Status::Resolved);
        assert_eq!(derived.needs_review, None);
    }

    #[test]
    fn reconciling_closes_the_conflict_and_keeps_the_events() {
        let (mut merged, _, _) = fork(resolve(), 10 * MINUTE, assign("Network"), 11 * MINUTE);
        let reconcile = apply(&merged, Command::Reconcile, "b", 12 * MINUTE).expect("legal");
        assert_eq!(
            reconcile.kind,
            EventKind::Reconciled {
                events: derive(&merged)
                    .needs_review
                    .expect("flagged")
                    .b
                    .iter()
                    .map(|e| e.id.clone())
                    .collect()
            }
        );
        merged.push(reconcile);
        let derived = derive(&merged);
        assert_eq!(derived.needs_review, None);
        assert_eq!(derived.status(), Status::Resolved);
        assert_eq!(
            derived.applied.len() + 1,
            merged.len(),
            "one stays set aside"
        );
    }

    #[test]
    fn a_review_cannot_set_aside_an_event_that_applies() {
        let (mut merged, _, _) = fork(resolve(), 10 * MINUTE, assign("Network"), 11 * MINUTE);
        let before = derive(&merged);
        let conflict = before.needs_review.clone().expect("flagged");
        assert!(
            !conflict.a.is_empty(),
            "an applied event made the other illegal"
        );
        // A device names the applied side instead of the refused one.
        let mut forged = apply(&merged, Command::Reconcile, "b", 12 * MINUTE).expect("legal");
        forged.kind = EventKind::Reconciled {
            events: conflict.a.iter().map(|e| e.id.clone()).collect(),
        };
        merged.push(forged);
        let derived = derive(&merged);
        assert_eq!(derived.status(), before.status());
        assert_eq!(derived.standing, before.standing);
        assert_eq!(derived.needs_review.map(|c| c.b), Some(conflict.b));
    }

    #[test]
    fn the_order_events_arrive_in_does_not_matter() {
        let (merged, _, _) = fork(resolve(), 10 * MINUTE, assign("Network"), 11 * MINUTE);
        let mut reversed = merged.clone();
        reversed.reverse();
        assert_eq!(derive(&merged), derive(&reversed));
    }
}
