//! A run's state as a pure function of its event log, with merges that make an
//! invalid sequence shown to a person instead of hidden.
//!
//! The same rule as the incident's (`model::derived`), on the run's table:
//! events are walked in evaluation order; one that cannot follow the status
//! reached so far is *refused*, neither applied nor dropped, and reported in a
//! [`RunConflict`] with the applied events that made it illegal. Two reviewers
//! approving and rejecting the same submission offline, or two people
//! submitting the same run, end up here. A `reconciled` event sets the refused
//! events aside for good.

use std::collections::BTreeSet;

use super::lifecycle::{RunEvent, RunEventKind, RunStatus, RunTransitionError, Standing};
use crate::model::checklist::logged::in_evaluation_order;

/// What the event log says about a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDerived {
    pub standing: Standing,
    /// The events that were legal and applied, in evaluation order.
    pub applied: Vec<RunEvent>,
    /// Refused events no one has reviewed yet, with the branch that won.
    pub needs_review: Option<RunConflict>,
}

/// Two branches of a run's log that cannot both hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunConflict {
    /// The applied events that moved the run since the refused events were
    /// last legal (empty for an event that was never legal). Evaluation order.
    pub a: Vec<RunEvent>,
    /// The refused events, in evaluation order.
    pub b: Vec<RunEvent>,
    /// Why each event of `b` was refused, in the same order.
    pub why: Vec<RunTransitionError>,
}

impl RunDerived {
    pub fn status(&self) -> RunStatus {
        self.standing.status
    }
}

/// Derives the run's state from its events, in whatever order they come.
pub fn derive(events: &[RunEvent]) -> RunDerived {
    let sorted = in_evaluation_order(events);
    let reconciled: BTreeSet<&str> = sorted
        .iter()
        .filter_map(|e| match &e.kind {
            RunEventKind::Reconciled { events } => Some(events.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();

    // standings[j] is where the run stood before applied event j.
    let mut standings = vec![Standing::start()];
    let mut applied: Vec<usize> = Vec::new();
    let mut refused: Vec<(usize, RunTransitionError)> = Vec::new();
    for (i, event) in sorted.iter().enumerate() {
        if reconciled.contains(event.id.as_str()) {
            continue;
        }
        let current = &standings[standings.len() - 1];
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
        RunConflict {
            a: winners.into_iter().map(|k| sorted[k].clone()).collect(),
            b,
            why,
        }
    });

    RunDerived {
        standing: standings.pop().unwrap_or_else(Standing::start),
        applied: applied.into_iter().map(|k| sorted[k].clone()).collect(),
        needs_review,
    }
}
