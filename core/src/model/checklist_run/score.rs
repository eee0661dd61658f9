//! A run's score: points earned over points possible, and whether that passes.
//!
//! Each scored item (yes/no and choice items) counts its outcome × its weight.
//! An item answered "not applicable" is left out of the maximum as well as the
//! points, so it neither helps nor hurts; an unanswered item counts in the
//! maximum with no points, so an unfinished run cannot look better than it is.
//! The pass test is in whole numbers (`points × 100 >= pass mark × max`) so
//! every device agrees on it exactly.
//!
//! The score is computed live while a run is filled in and frozen into the
//! `submitted` event; after submission the run shows the frozen one.

use super::answer::Answer;
use crate::model::checklist::{ItemId, Template};

/// Points earned, points possible, and the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Score {
    pub points: u64,
    pub max: u64,
    /// Whether the run passes the template's pass mark; `None` when the template
    /// has none or nothing was scored (every scored item not applicable).
    pub pass: Option<bool>,
}

impl Score {
    /// Points as a percentage of the maximum; `None` when the maximum is zero.
    pub fn percent(&self) -> Option<f64> {
        (self.max > 0).then(|| self.points as f64 * 100.0 / self.max as f64)
    }
}

/// The score of `template` with the answers `answer_to` gives for each item.
pub fn score<'a>(template: &Template, answer_to: impl Fn(&ItemId) -> Option<&'a Answer>) -> Score {
    let mut points = 0u64;
    let mut max = 0u64;
    for item in template.items() {
        let weight = u64::from(item.weight());
        let item_max = u64::from(item.max_outcome()) * weight;
        if item_max == 0 {
            continue;
        }
        match answer_to(item.id()).map(|a| a.outcome_score(item)) {
            Some(None) => {}
            Some(Some(earned)) => {
                max += item_max;
                points += (u64::from(earned) * weight).min(item_max);
            }
            None => max += item_max,
        }
    }
    let pass = template
        .pass_mark()
        .filter(|_| max > 0)
        .map(|mark| points * 100 >= u64::from(mark) * max);
    Score { points, max, pass }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::access::{Person, Role};
    use crate::model::checklist::tests::small_spec;
    use crate::model::checklist_run::answer::{AnswerValue, Response};

    fn answer(value: Option<AnswerValue>) -> Answer {
        Answer {
            response: value.map_or(Response::NotApplicable, Response::Given),
            note: String::new(),
            photos: Vec::new(),
            by: Person {
                user_id: "u1".into(),
                name: "Ana".into(),
                role: Role::Auditor,
            },
            at_ms: 0,
        }
    }

    fn score_of(answers: &[(&str, Option<AnswerValue>)]) -> Score {
        let template = Template::parse(small_spec()).unwrap();
        let map: BTreeMap<ItemId, Answer> = answers
            .iter()
            .map(|(id, v)| (id.parse().unwrap(), answer(v.clone())))
            .collect();
        score(&template, |id| map.get(id))
    }

    fn choice(v: &str) -> Option<AnswerValue> {
        Some(AnswerValue::Choice(v.into()))
    }

    #[test]
    fn points_are_outcome_times_weight_and_unanswered_items_count_in_the_max() {
        // door: yes/no weight 1 (max 1); backup: best option 2 × weight 2 (max 4).
        let s = score_of(&[
            ("door", Some(AnswerValue::Yes)),
            ("backup", choice("log-review")),
        ]);
        assert_eq!((s.points, s.max, s.pass), (3, 5, Some(false)));
        assert_eq!(s.percent(), Some(60.0));
        let s = score_of(&[("door", Some(AnswerValue::Yes))]);
        assert_eq!((s.points, s.max), (1, 5));
        let s = score_of(&[
            ("door", Some(AnswerValue::No)),
            ("backup", choice("restore-test")),
        ]);
        assert_eq!((s.points, s.max, s.pass), (4, 5, Some(true)));
    }

    #[test]
    fn not_applicable_leaves_the_item_out_of_the_max() {
        let s = score_of(&[("door", Some(AnswerValue::Yes)), ("backup", None)]);
        assert_eq!((s.points, s.max, s.pass), (1, 1, Some(true)));
        assert_eq!(s.percent(), Some(100.0));
    }

    #[test]
    fn a_zero_maximum_has_no_percentage_and_no_verdict() {
        let s = score_of(&[("door", None), ("backup", None), ("temp", None)]);
        assert_eq!(s, Score::default());
        assert_eq!(s.percent(), None);
        assert_eq!(s.pass, None);
    }

    #[test]
    fn the_pass_mark_is_inclusive() {
        let mut spec = small_spec();
        spec.sections[0].items[0].weight = 2;
        spec.sections[1].items[0].weight = 1;
        let template = Template::parse(spec).unwrap();
        let run = |door: AnswerValue, backup: &str| {
            let door = answer(Some(door));
            let backup = answer(choice(backup));
            score(&template, |id| match id.as_str() {
                "door" => Some(&door),
                "backup" => Some(&backup),
                _ => None,
            })
        };
        // door 2 of 2, backup 1 of 2: exactly the 75 % pass mark.
        let s = run(AnswerValue::Yes, "log-review");
        assert_eq!((s.points, s.max, s.pass), (3, 4, Some(true)));
        let s = run(AnswerValue::No, "restore-test");
        assert_eq!((s.points, s.max, s.pass), (2, 4, Some(false)));
    }
}
