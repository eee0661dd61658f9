//! A checklist run: one filling-in of a template at a site, for an incident or
//! an audit, by its assignees.
//!
//! The run embeds the template snapshot it started from, so an old run renders
//! and scores exactly as it did even after the template moves on. Answers are
//! keyed by item id: two people filling different sections offline never
//! conflict, and two answers to the same item stay visible side by side
//! ([`Contested`]) until a person picks one.
//!
//! The workflow is layered like the incident's: [`lifecycle`] (the log and the
//! transition table) → [`derived`] (status and conflicts from the whole log) →
//! [`action`] (what a person can do next and the event it makes). [`score`]
//! computes the score, frozen into the `submitted` event; [`suggestion`] turns
//! flagged answers into finding suggestions. The Automerge form lives in
//! `doc::checklist_run`.

pub mod action;
pub mod answer;
pub mod derived;
pub mod lifecycle;
pub mod score;
pub mod suggestion;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use self::action::{apply, next_actions, RunAction, RunCommand};
pub use self::answer::{Answer, AnswerError, AnswerValue, Response};
pub use self::derived::{derive, RunConflict, RunDerived};
pub use self::lifecycle::{RunEvent, RunEventKind, RunStatus, RunTransitionError, Standing};
pub use self::score::Score;
pub use self::suggestion::FindingSuggestion;
use crate::model::access::Person;
use crate::model::checklist::{ItemId, Template};
use crate::model::incident::Contested;

/// Where and for what a run is done.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunContext {
    pub site: String,
    /// The incident document the run belongs to, if any.
    pub incident: Option<String>,
    /// The audit document the run belongs to, if any.
    pub audit: Option<String>,
}

/// A run read from its document.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub context: RunContext,
    pub assignees: Vec<Person>,
    /// The template snapshot the run started from.
    pub template: Template,
    /// Answers by item id; an item answered concurrently holds every value.
    pub answers: BTreeMap<ItemId, Contested<Answer>>,
    /// Keys of stored answers that cannot be read or no longer fit their item,
    /// kept so they are shown rather than silently dropped.
    pub unreadable_answers: Vec<String>,
    pub created_at_ms: i64,
    pub events: Vec<RunEvent>,
}

/// How many of a run's items are answered: "12 of 50 answered".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub answered: usize,
    pub answerable: usize,
}

/// Why an answer was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerRefused {
    /// The run is not open for answers (submitted, reviewed, closed).
    #[error(transparent)]
    Locked(#[from] RunTransitionError),
    /// The answer does not fit its item.
    #[error(transparent)]
    Invalid(#[from] AnswerError),
}

impl Run {
    /// Everything the event log says: status, the standing submission, and any
    /// conflict that needs a person's review.
    pub fn derived(&self) -> RunDerived {
        derive(&self.events)
    }

    pub fn status(&self) -> RunStatus {
        self.derived().status()
    }

    /// The shown answer to `item` (Automerge's winner when it is contested).
    pub fn answer(&self, item: &ItemId) -> Option<&Answer> {
        self.answers.get(item).map(|a| &a.value)
    }

    /// The score of the answers as they are now.
    pub fn live_score(&self) -> Score {
        score::score(&self.template, |id| self.answer(id))
    }

    /// The score to show: frozen at submission while the submission stands,
    /// live before.
    pub fn score(&self) -> Score {
        match self.derived().standing.submission {
            Some(submission) => submission.score,
            None => self.live_score(),
        }
    }

    /// Whether `answer` to `item` may be written now: the run is open for
    /// answers and the answer fits the item.
    pub fn check_answer(&self, item: &ItemId, answer: &Answer) -> Result<(), AnswerRefused> {
        self.derived().standing.may_answer()?;
        let found = self
            .template
            .item(item)
            .ok_or_else(|| AnswerError::UnknownItem(item.clone()))?;
        answer.check(found)?;
        Ok(())
    }

    /// How far the run is filled in: items with an answer (not applicable
    /// counts) of the items that take one. Instructions count in neither, and
    /// an answer to an item the template no longer has is not counted.
    pub fn progress(&self) -> Progress {
        let mut progress = Progress::default();
        for item in self.template.items().filter(|i| i.is_answerable()) {
            progress.answerable += 1;
            if self.answers.contains_key(item.id()) {
                progress.answered += 1;
            }
        }
        progress
    }

    /// Required items with no answer (not applicable counts as an answer).
    pub fn unanswered_required(&self) -> Vec<ItemId> {
        self.template
            .items()
            .filter(|i| i.required() && !self.answers.contains_key(i.id()))
            .map(|i| i.id().clone())
            .collect()
    }

    /// Items answered concurrently with different values.
    pub fn contested_items(&self) -> Vec<ItemId> {
        self.answers
            .iter()
            .filter(|(_, a)| a.is_conflict())
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Items with an answer given after the standing submission: an offline
    /// device answered while another submitted. The frozen score does not
    /// include them; reopen to take them in.
    pub fn answered_after_submit(&self) -> Vec<ItemId> {
        let Some(submission) = self.derived().standing.submission else {
            return Vec::new();
        };
        self.answers
            .iter()
            .filter(|(_, a)| a.all().any(|a| a.at_ms > submission.at_ms))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// A finding suggestion for every flagged answer, in template order;
    /// `run_document` is this run's document id, for the evidence link.
    pub fn finding_suggestions(&self, run_document: &str) -> Vec<FindingSuggestion> {
        self.template
            .items()
            .filter_map(|item| {
                let answer = self.answer(item.id())?;
                FindingSuggestion::from_answer(&self.template, item, answer, run_document)
            })
            .collect()
    }
}
