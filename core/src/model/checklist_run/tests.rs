//! Every transition and guard of a run, the frozen score, conflicts from
//! concurrent offline events (in `conflicts.rs`), answers and finding
//! suggestions.

mod conflicts;

use super::*;
use crate::model::access::Role;
use crate::model::checklist::tests::small_spec;
use crate::model::checklist::TemplateStatus;
use crate::model::evidence::{BlobHash, Evidence};

const MINUTE: i64 = 60_000;
const T0: i64 = 1_704_096_000_000;

fn person(role: Role) -> Person {
    let name = format!("{role}");
    Person {
        user_id: format!("user-{name}"),
        name,
        role,
    }
}

fn tech() -> Person {
    person(Role::Technician)
}

fn manager() -> Person {
    person(Role::Manager)
}

fn new_run() -> Run {
    let template = Template::parse(small_spec())
        .unwrap()
        .with_status(TemplateStatus::Published);
    Run {
        context: RunContext {
            site: "north".into(),
            incident: None,
            audit: Some("audit-1".into()),
        },
        assignees: vec![tech()],
        template,
        answers: BTreeMap::new(),
        unreadable_answers: Vec::new(),
        created_at_ms: T0,
        events: vec![RunEvent {
            id: "a-0".into(),
            kind: RunEventKind::Scheduled,
            at_ms: T0,
            device: "a".into(),
            by: Some(tech()),
        }],
    }
}

fn yes_no(yes: bool) -> AnswerValue {
    if yes {
        AnswerValue::Yes
    } else {
        AnswerValue::No
    }
}

fn answer(value: AnswerValue, at_ms: i64) -> Answer {
    Answer {
        response: Response::Given(value),
        note: String::new(),
        photos: Vec::new(),
        by: tech(),
        at_ms,
    }
}

/// A run one device works, a minute per step.
struct Log {
    run: Run,
    now: i64,
}

impl Log {
    fn new() -> Log {
        Log {
            run: new_run(),
            now: T0,
        }
    }

    fn act(&mut self, command: RunCommand, by: &Person) -> Result<RunEvent, RunTransitionError> {
        self.now += MINUTE;
        let event = apply(&self.run, command, by, "a", self.now)?;
        self.run.events.push(event.clone());
        Ok(event)
    }

    fn then(mut self, command: RunCommand, by: &Person) -> Log {
        let label = format!("{command:?}");
        if let Err(e) = self.act(command, by) {
            panic!("{label} refused: {e}");
        }
        self
    }

    fn refuse(mut self, command: RunCommand, by: &Person) -> RunTransitionError {
        self.act(command, by).expect_err("refused")
    }

    fn answer(mut self, item: &str, value: AnswerValue) -> Log {
        self.now += MINUTE;
        let id: ItemId = item.parse().unwrap();
        let a = answer(value, self.now);
        self.run.check_answer(&id, &a).unwrap();
        self.run.answers.insert(id, Contested::single(a));
        self
    }

    fn all_answered(self) -> Log {
        self.answer("door", AnswerValue::Yes)
            .answer("backup", AnswerValue::Choice("log-review".into()))
            .answer("temp", AnswerValue::Number(22.0))
    }

    fn status(&self) -> RunStatus {
        self.run.status()
    }
}

fn reason(text: &str) -> String {
    text.into()
}

fn reach(status: RunStatus) -> Log {
    match status {
        RunStatus::Scheduled => Log::new(),
        RunStatus::InProgress => Log::new().then(RunCommand::Start, &tech()).all_answered(),
        RunStatus::Submitted => {
            reach(RunStatus::InProgress).then(RunCommand::Submit { signature: None }, &tech())
        }
        RunStatus::Reviewed => reach(RunStatus::Submitted).then(RunCommand::Approve, &manager()),
        RunStatus::Closed => reach(RunStatus::Reviewed).then(RunCommand::Close, &manager()),
    }
}

const ALL: [RunStatus; 5] = [
    RunStatus::Scheduled,
    RunStatus::InProgress,
    RunStatus::Submitted,
    RunStatus::Reviewed,
    RunStatus::Closed,
];

fn command(action: RunAction) -> RunCommand {
    match action {
        RunAction::Start => RunCommand::Start,
        RunAction::Submit => RunCommand::Submit { signature: None },
        RunAction::Approve => RunCommand::Approve,
        RunAction::Reject => RunCommand::Reject {
            reason: reason("photos missing"),
        },
        RunAction::Close => RunCommand::Close,
        RunAction::Reopen => RunCommand::Reopen {
            reason: reason("wrong room"),
        },
        RunAction::Reconcile => RunCommand::Reconcile,
    }
}

#[test]
fn every_transition_of_the_table_and_every_refusal() {
    use RunAction::*;
    let table = [
        (RunStatus::Scheduled, Start, RunStatus::InProgress),
        (RunStatus::InProgress, Submit, RunStatus::Submitted),
        (RunStatus::Submitted, Approve, RunStatus::Reviewed),
        (RunStatus::Submitted, Reject, RunStatus::InProgress),
        (RunStatus::Submitted, Reopen, RunStatus::InProgress),
        (RunStatus::Reviewed, Close, RunStatus::Closed),
        (RunStatus::Reviewed, Reopen, RunStatus::InProgress),
    ];
    for from in ALL {
        for action in [Start, Submit, Approve, Reject, Close, Reopen] {
            let log = reach(from);
            let legal = table.iter().find(|(f, a, _)| *f == from && *a == action);
            match legal {
                Some((_, _, to)) => {
                    let log = log.then(command(action), &manager());
                    assert_eq!(log.status(), *to, "{action} from {from}");
                }
                None => assert_eq!(
                    log.refuse(command(action), &manager()),
                    RunTransitionError::NotAllowed {
                        action,
                        status: from
                    },
                    "{action} from {from}"
                ),
            }
        }
        assert_eq!(
            next_actions(&reach(from).run, Role::Manager)
                .into_iter()
                .collect::<Vec<_>>(),
            table
                .iter()
                .filter(|(f, ..)| *f == from)
                .map(|(_, a, _)| *a)
                .collect::<Vec<_>>(),
            "buttons for {from}"
        );
    }
}

#[test]
fn reject_and_reopen_need_a_reason() {
    let blank = |c: fn(String) -> RunCommand| c("  ".into());
    assert_eq!(
        reach(RunStatus::Submitted)
            .refuse(blank(|reason| RunCommand::Reject { reason }), &manager()),
        RunTransitionError::MissingReason(RunAction::Reject)
    );
    assert_eq!(
        reach(RunStatus::Reviewed).refuse(blank(|reason| RunCommand::Reopen { reason }), &tech()),
        RunTransitionError::MissingReason(RunAction::Reopen)
    );
}

#[test]
fn submitting_needs_every_required_item_answered() {
    let log = Log::new()
        .then(RunCommand::Start, &tech())
        .answer("door", AnswerValue::Yes);
    let refused = log.refuse(RunCommand::Submit { signature: None }, &tech());
    assert_eq!(
        refused,
        RunTransitionError::RequiredUnanswered(vec![
            "temp".parse().unwrap(),
            "backup".parse().unwrap()
        ])
    );
    assert_eq!(
        refused.to_string(),
        "required items are not answered yet: temp, backup"
    );
    // Not applicable is an answer.
    let mut log = Log::new()
        .then(RunCommand::Start, &tech())
        .answer("door", AnswerValue::Yes)
        .answer("backup", AnswerValue::Choice("log-review".into()));
    log.run.answers.insert(
        "temp".parse().unwrap(),
        Contested::single(Answer {
            response: Response::NotApplicable,
            ..answer(AnswerValue::Yes, T0)
        }),
    );
    log.then(RunCommand::Submit { signature: None }, &tech());
}

#[test]
fn submitting_refuses_answers_in_conflict() {
    let mut log = reach(RunStatus::InProgress);
    let door: ItemId = "door".parse().unwrap();
    log.run.answers.insert(
        door.clone(),
        Contested {
            value: answer(AnswerValue::Yes, T0),
            others: vec![answer(AnswerValue::No, T0)],
        },
    );
    assert_eq!(
        log.refuse(RunCommand::Submit { signature: None }, &tech()),
        RunTransitionError::AnswersInConflict(vec![door])
    );
}

#[test]
fn only_reviewers_approve_or_reject() {
    for command in [RunCommand::Approve, command(RunAction::Reject)] {
        assert_eq!(
            reach(RunStatus::Submitted).refuse(command.clone(), &tech()),
            RunTransitionError::NotAReviewer(Role::Technician)
        );
        reach(RunStatus::Submitted).then(command, &person(Role::Auditor));
    }
    assert_eq!(
        next_actions(&reach(RunStatus::Submitted).run, Role::Technician),
        vec![RunAction::Reopen]
    );
}

#[test]
fn the_score_is_frozen_at_submit_and_released_by_reopen() {
    let signature: BlobHash = "ab".repeat(32).parse().unwrap();
    let log = reach(RunStatus::InProgress).then(
        RunCommand::Submit {
            signature: Some(signature.clone()),
        },
        &tech(),
    );
    let frozen = log.run.score();
    assert_eq!((frozen.points, frozen.max), (3, 5));
    let submission = log.run.derived().standing.submission.unwrap();
    assert_eq!(submission.signature, Some(signature));
    // An answer merged in from an offline device after submission changes
    // neither the shown score nor goes unnoticed.
    let mut log = log;
    log.run.answers.insert(
        "backup".parse().unwrap(),
        Contested::single(answer(
            AnswerValue::Choice("restore-test".into()),
            log.now + 1,
        )),
    );
    assert_eq!(log.run.score(), frozen);
    assert_ne!(log.run.live_score(), frozen);
    assert_eq!(
        log.run.answered_after_submit(),
        vec!["backup".parse().unwrap()]
    );
    let log = log.then(command(RunAction::Reopen), &tech());
    assert_eq!(log.run.score(), log.run.live_score());
    assert_eq!(log.run.score().points, 5);
}

#[test]
fn answering_after_submit_is_refused_until_reopened() {
    let door: ItemId = "door".parse().unwrap();
    let change = answer(AnswerValue::No, T0);
    for status in [RunStatus::Submitted, RunStatus::Reviewed, RunStatus::Closed] {
        assert_eq!(
            reach(status).run.check_answer(&door, &change),
            Err(AnswerRefused::Locked(RunTransitionError::AnswersLocked(
                status
            )))
        );
    }
    let reopened = reach(RunStatus::Submitted).then(command(RunAction::Reopen), &tech());
    assert_eq!(reopened.run.check_answer(&door, &change), Ok(()));
    assert_eq!(Log::new().run.check_answer(&door, &change), Ok(()));
}

#[test]
fn answers_must_fit_their_item() {
    let run = Log::new().run;
    let check = |item: &str, a: Answer| run.check_answer(&item.parse().unwrap(), &a);
    let invalid = |e| Err(AnswerRefused::Invalid(e));
    assert!(matches!(
        check("door", answer(AnswerValue::Number(3.0), T0)),
        Err(AnswerRefused::Invalid(AnswerError::WrongKind { .. }))
    ));
    assert_eq!(
        check("backup", answer(AnswerValue::Choice("prayer".into()), T0)),
        invalid(AnswerError::UnknownOption {
            item: "backup".parse().unwrap(),
            value: "prayer".into()
        })
    );
    assert_eq!(
        check("temp", answer(AnswerValue::Number(f64::NAN), T0)),
        invalid(AnswerError::NotANumber("temp".parse().unwrap()))
    );
    assert_eq!(
        check("ghost", answer(AnswerValue::Yes, T0)),
        invalid(AnswerError::UnknownItem("ghost".parse().unwrap()))
    );
    assert_eq!(check("temp", answer(AnswerValue::Number(35.0), T0)), Ok(()));
}

#[test]
fn a_flagged_answer_suggests_a_finding_with_its_evidence() {
    let photo: BlobHash = "cd".repeat(32).parse().unwrap();
    let mut log = Log::new().then(RunCommand::Start, &tech());
    let mut no = answer(yes_no(false), T0);
    no.note = " Door wedged open with a chair ".into();
    no.photos = vec![photo.clone()];
    log.run
        .answers
        .insert("door".parse().unwrap(), Contested::single(no));
    let log = log
        .answer("backup", AnswerValue::Choice("not-checked".into()))
        .answer("temp", AnswerValue::Number(22.0));
    let suggestions = log.run.finding_suggestions("run-doc-1");
    assert_eq!(suggestions.len(), 2);
    let door = &suggestions[0];
    assert_eq!(door.item.as_str(), "door");
    assert_eq!(
        door.clauses,
        vec!["8.7".parse().unwrap()],
        "the template's clause"
    );
    assert_eq!(
        door.statement,
        "Site inspection: asked “Is the door locked?”, the answer was “No”. Note: Door wedged open with a chair"
    );
    assert_eq!(
        door.evidence,
        vec![
            Evidence::Photo {
                blob: photo,
                caption: "Is the door locked?".into()
            },
            Evidence::Note {
                text: "Door wedged open with a chair".into()
            },
            Evidence::Record {
                document: "run-doc-1".into(),
                item: Some("door".into()),
                label: "Site inspection v1: Is the door locked?".into()
            },
        ]
    );
    assert_eq!(suggestions[1].clauses, vec!["8.7.2".parse().unwrap()]);
    assert!(suggestions[1].statement.contains("“NOT-CHECKED”"));
    // Out of bounds flags a number.
    let hot = log.answer("temp", AnswerValue::Number(31.5));
    assert_eq!(hot.run.finding_suggestions("run-doc-1").len(), 3);
}

#[test]
fn progress_counts_answered_items_of_those_that_take_an_answer() {
    let log = Log::new();
    assert_eq!(
        log.run.progress(),
        Progress {
            answered: 0,
            answerable: 3
        }
    );
    let mut log = log.answer("door", AnswerValue::No);
    let mut na = answer(AnswerValue::Yes, T0);
    na.response = Response::NotApplicable;
    log.run
        .answers
        .insert("backup".parse().unwrap(), Contested::single(na));
    assert_eq!(
        log.run.progress(),
        Progress {
            answered: 2,
            answerable: 3
        }
    );
}
