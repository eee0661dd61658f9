//! Two auditors fill in one internal audit run on two tablets, offline, then
//! merge: the checklist as it meets Automerge.
//!
//! Each test is numbered steps. Replicas fork from one run document, answer
//! with `doc::checklist_run::answer`, act with `perform`, and merge both ways;
//! every replica must then read the same run, whatever the merge order.

use automerge::{ActorId, Automerge};
use fieldbook_core::doc::checklist_run::{
    add_photo, answer, create, perform, read, set_assignees, NewRun, RunPerformError,
};
use fieldbook_core::doc::Stamp;
use fieldbook_core::model::access::{Person, Role};
use fieldbook_core::model::checklist::{iso20000_internal_audit, ItemId, ItemKind};
use fieldbook_core::model::checklist_run::{
    Answer, AnswerError, AnswerRefused, AnswerValue, Response, Run, RunCommand, RunContext,
    RunStatus, RunTransitionError,
};
use fieldbook_core::model::evidence::{BlobHash, Evidence};
use proptest::prelude::*;

const MINUTE: i64 = 60_000;
const T0: i64 = 1_704_096_000_000;

fn person(id: &str, role: Role) -> Person {
    Person {
        user_id: id.into(),
        name: id.to_uppercase(),
        role,
    }
}

fn ana() -> Person {
    person("ana", Role::Auditor)
}

fn ben() -> Person {
    person("ben", Role::Auditor)
}

fn tablet(n: u8) -> Automerge {
    Automerge::new().with_actor(ActorId::from([n; 16]))
}

/// A scheduled internal audit run on tablet 1, and tablet 2's copy of it.
fn run_on_two_tablets() -> (Automerge, Automerge) {
    let mut a = tablet(1);
    let new = NewRun {
        context: RunContext {
            site: "north".into(),
            incident: None,
            audit: Some("audit-2024-1".into()),
        },
        assignees: vec![ana(), ben()],
        template: iso20000_internal_audit(),
    };
    create(&mut a, &new, &ana(), Stamp::at(T0)).expect("create");
    let b = a.fork().with_actor(ActorId::from([2; 16]));
    (a, b)
}

#[test]
fn a_run_started_for_an_audit_keeps_its_audit_through_save_load_and_merge() {
    // 1. Tablet 1 starts the run for an audit; tablet 2 answers on its copy.
    let (mut a, mut b) = run_on_two_tablets();
    answer(
        &mut b,
        &id("c4-issues"),
        &given(AnswerValue::Yes, ben(), T0 + MINUTE),
        Stamp::at(T0 + MINUTE),
    )
    .expect("answer");
    // 2. Both read the audit it was started for, before and after merging and reloading.
    assert_eq!(
        read(&b).expect("read b").context.audit.as_deref(),
        Some("audit-2024-1")
    );
    let (run, _) = merge_both_ways(&mut a, &mut b);
    assert_eq!(run.context.audit.as_deref(), Some("audit-2024-1"));
    let loaded = read(&Automerge::load(&a.save()).expect("load")).expect("read");
    assert_eq!(loaded.context.audit.as_deref(), Some("audit-2024-1"));
    assert_eq!(loaded.context.site, "north");
}

fn merge_both_ways(a: &mut Automerge, b: &mut Automerge) -> (Run, Run) {
    a.merge(b).expect("merge into a");
    b.merge(a).expect("merge into b");
    (read(a).expect("read a"), read(b).expect("read b"))
}

/// The value a person gives to `item` of the internal audit template.
fn value_for(kind: &ItemKind, yes: bool) -> Option<AnswerValue> {
    Some(match kind {
        ItemKind::YesNo { .. } if yes => AnswerValue::Yes,
        ItemKind::YesNo { .. } => AnswerValue::No,
        ItemKind::Number(_) => AnswerValue::Number(1.0),
        ItemKind::Text => AnswerValue::Text("Seen in the SMS manual".into()),
        ItemKind::Date => AnswerValue::Date("2024-01-10".parse().ok()?),
        _ => return None,
    })
}

fn given(value: AnswerValue, by: Person, at_ms: i64) -> Answer {
    Answer {
        response: Response::Given(value),
        note: String::new(),
        photos: Vec::new(),
        by,
        at_ms,
    }
}

/// Answers every answerable item (photos aside) of the sections `sections` on `doc`.
fn answer_sections(doc: &mut Automerge, sections: std::ops::Range<usize>, by: Person, at: i64) {
    let template = read(doc).expect("read").template;
    let mut now = at;
    for section in &template.sections()[sections] {
        for item in section.items() {
            let Some(value) = value_for(item.kind(), true) else {
                continue;
            };
            now += MINUTE;
            let a = given(value, by.clone(), now);
            answer(doc, item.id(), &a, Stamp::at(now)).expect("answer");
        }
    }
}

fn id(s: &str) -> ItemId {
    s.parse().expect("item id")
}

#[test]
fn two_auditors_answering_different_sections_merge_without_conflict() {
    // 1. Both tablets hold the scheduled run.
    let (mut a, mut b) = run_on_two_tablets();
    // 2. Offline, Ana answers clauses 4 to 6 and Ben clauses 7 to 10; each
    //    tablet starts the run with its first answer.
    answer_sections(&mut a, 0..3, ana(), T0);
    answer_sections(&mut b, 3..7, ben(), T0 + 5 * MINUTE);
    // 3. They meet.
    let (seen_a, seen_b) = merge_both_ways(&mut a, &mut b);
    // 4. Both tablets read the same run: every answer there, no conflict, no review.
    assert_eq!(seen_a, seen_b);
    let answerable = seen_a
        .template
        .items()
        .filter(|i| value_for(i.kind(), true).is_some())
        .count();
    assert_eq!(seen_a.answers.len(), answerable);
    assert!(seen_a.contested_items().is_empty());
    assert!(seen_a.unreadable_answers.is_empty());
    assert_eq!(seen_a.status(), RunStatus::InProgress);
    assert_eq!(
        seen_a.derived().needs_review,
        None,
        "two starts are no conflict"
    );
    assert_eq!(seen_a.answer(&id("c4-issues")).map(|a| &a.by), Some(&ana()));
    assert_eq!(
        seen_a.answer(&id("c10-causes")).map(|a| &a.by),
        Some(&ben())
    );
    // 5. The photo item is the only required one left... and it is not required.
    assert_eq!(seen_a.unanswered_required(), Vec::<ItemId>::new());
    let score = seen_a.live_score();
    assert_eq!(
        (score.points, score.max, score.pass),
        (score.max, score.max, Some(true))
    );
}

#[test]
fn the_same_item_answered_on_both_tablets_keeps_both_answers() {
    // 1. Both tablets hold the run; Ana answers everything on tablet 1.
    let (mut a, mut b) = run_on_two_tablets();
    answer_sections(&mut a, 0..7, ana(), T0);
    b.merge(&mut a).expect("sync before going offline");
    // 2. Offline, both answer the incident procedure question, differently.
    let item = id("c8-incidents");
    let yes = given(AnswerValue::Yes, ana(), T0 + 100 * MINUTE);
    let mut no = given(AnswerValue::No, ben(), T0 + 101 * MINUTE);
    no.note = "Procedure has no priority matrix".into();
    answer(&mut a, &item, &yes, Stamp::at(T0 + 100 * MINUTE)).expect("yes");
    answer(&mut b, &item, &no, Stamp::at(T0 + 101 * MINUTE)).expect("no");
    // 3. They meet: both answers are kept and shown, none silently lost.
    let (seen_a, seen_b) = merge_both_ways(&mut a, &mut b);
    assert_eq!(seen_a, seen_b);
    let contested = &seen_a.answers[&item];
    assert!(contested.is_conflict());
    let mut responses: Vec<_> = contested
        .all()
        .map(|a| (a.by.user_id.clone(), a.response.clone()))
        .collect();
    responses.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        responses,
        vec![
            ("ana".to_owned(), Response::Given(AnswerValue::Yes)),
            ("ben".to_owned(), Response::Given(AnswerValue::No)),
        ]
    );
    // 4. Submitting waits until a person picks one.
    let refused = perform(
        &mut a,
        RunCommand::Submit { signature: None },
        &ana(),
        Stamp::at(T0 + 110 * MINUTE),
    );
    assert!(matches!(
        refused,
        Err(RunPerformError::Refused(RunTransitionError::AnswersInConflict(ref items))) if items == &vec![item.clone()]
    ));
    // 5. Ana picks Ben's answer (an ordinary new answer); the conflict is gone.
    answer(&mut a, &item, &no, Stamp::at(T0 + 111 * MINUTE)).expect("pick");
    let settled = read(&a).expect("read");
    assert!(!settled.answers[&item].is_conflict());
    assert_eq!(
        settled.answer(&item).map(|a| &a.response),
        Some(&Response::Given(AnswerValue::No))
    );
    let suggested: Vec<ItemId> = settled
        .finding_suggestions("run-1")
        .into_iter()
        .map(|s| s.item)
        .collect();
    assert!(suggested.contains(&item), "{suggested:?}");
}

#[test]
fn photos_two_auditors_add_to_one_answer_offline_are_both_kept() {
    // 1. Ana answers "No" to the incident procedure question; both tablets have it.
    let (mut a, mut b) = run_on_two_tablets();
    let item = id("c8-incidents");
    let mut no = given(AnswerValue::No, ana(), T0);
    no.note = "No priority matrix".into();
    answer(&mut a, &item, &no, Stamp::at(T0)).expect("answer");
    b.merge(&mut a).expect("sync before going offline");
    // 2. Offline, each adds a photo to that answer; Ana adds hers twice.
    let (first, second): (BlobHash, BlobHash) = (
        "aa".repeat(32).parse().expect("hash"),
        "bb".repeat(32).parse().expect("hash"),
    );
    add_photo(&mut a, &item, &first, &ana(), Stamp::at(T0 + MINUTE)).expect("photo a");
    add_photo(&mut a, &item, &first, &ana(), Stamp::at(T0 + 2 * MINUTE)).expect("again");
    add_photo(&mut b, &item, &second, &ben(), Stamp::at(T0 + MINUTE)).expect("photo b");
    // 3. They meet: one answer, still Ana's "No" with her note, holding both
    //    photos; no conflict to resolve.
    let (seen_a, seen_b) = merge_both_ways(&mut a, &mut b);
    assert_eq!(seen_a, seen_b);
    assert!(!seen_a.answers[&item].is_conflict());
    let kept = seen_a.answer(&item).expect("answer");
    assert_eq!(kept.response, Response::Given(AnswerValue::No));
    assert_eq!(
        (&kept.by, kept.note.as_str()),
        (&ana(), "No priority matrix")
    );
    let mut photos = kept.photos.clone();
    photos.sort();
    assert_eq!(photos, vec![first.clone(), second.clone()]);
    // 4. The finding it suggests carries both photos as evidence.
    let suggestion = seen_a
        .finding_suggestions("run-1")
        .into_iter()
        .find(|s| s.item == item)
        .expect("a flagged answer suggests a finding");
    let mut shown: Vec<&BlobHash> = suggestion
        .evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Photo { blob, .. } => Some(blob),
            _ => None,
        })
        .collect();
    shown.sort();
    assert_eq!(shown, vec![&first, &second]);
}

#[test]
fn a_photo_added_while_another_tablet_edits_the_answer_is_kept() {
    // 1. Ana answers "No" with a photo; both tablets have it.
    let (mut a, mut b) = run_on_two_tablets();
    let item = id("c8-incidents");
    let (first, second, third): (BlobHash, BlobHash, BlobHash) = (
        "aa".repeat(32).parse().expect("hash"),
        "bb".repeat(32).parse().expect("hash"),
        "cc".repeat(32).parse().expect("hash"),
    );
    let mut no = given(AnswerValue::No, ana(), T0);
    no.photos = vec![first.clone()];
    answer(&mut a, &item, &no, Stamp::at(T0)).expect("answer");
    b.merge(&mut a).expect("sync before going offline");
    // 2. Offline, Ana adds a photo on tablet 1 while Ben, on tablet 2, edits
    //    the note of the same answer (re-answering it, keeping what he sees)
    //    and adds a photo of his own after.
    add_photo(&mut a, &item, &second, &ana(), Stamp::at(T0 + MINUTE)).expect("photo a");
    let mut edited = read(&b)
        .expect("read b")
        .answer(&item)
        .expect("answer")
        .clone();
    edited.note = "No priority matrix in the procedure".into();
    edited.by = ben();
    edited.at_ms = T0 + MINUTE;
    answer(&mut b, &item, &edited, Stamp::at(T0 + MINUTE)).expect("note b");
    add_photo(&mut b, &item, &third, &ben(), Stamp::at(T0 + 2 * MINUTE)).expect("photo b");
    // 3. They meet: Ben's note stands and all three photos are there.
    let (seen_a, seen_b) = merge_both_ways(&mut a, &mut b);
    assert_eq!(seen_a, seen_b);
    let kept = seen_a.answer(&item).expect("answer");
    assert_eq!(kept.note, "No priority matrix in the procedure");
    let mut photos = kept.photos.clone();
    photos.sort();
    assert_eq!(photos, vec![first, second, third]);
}

#[test]
fn photos_added_to_two_conflicting_answers_are_all_kept() {
    // 1. Offline, Ana answers "No" with a photo and Ben answers "Yes" with
    //    another: a conflict for a person to settle.
    let (mut a, mut b) = run_on_two_tablets();
    let item = id("c8-incidents");
    let (first, second): (BlobHash, BlobHash) = (
        "aa".repeat(32).parse().expect("hash"),
        "bb".repeat(32).parse().expect("hash"),
    );
    let mut no = given(AnswerValue::No, ana(), T0);
    no.photos = vec![first.clone()];
    answer(&mut a, &item, &no, Stamp::at(T0)).expect("answer a");
    let mut yes = given(AnswerValue::Yes, ben(), T0);
    yes.photos = vec![second.clone()];
    answer(&mut b, &item, &yes, Stamp::at(T0)).expect("answer b");
    // 2. They meet: both answers are offered, and whichever stands holds both
    //    photos: evidence is never part of the choice.
    let (seen, _) = merge_both_ways(&mut a, &mut b);
    let contested = &seen.answers[&item];
    assert!(contested.is_conflict());
    for answer in std::iter::once(&contested.value).chain(&contested.others) {
        let mut photos = answer.photos.clone();
        photos.sort();
        assert_eq!(photos, vec![first.clone(), second.clone()]);
    }
}

#[test]
fn a_run_from_before_the_photos_map_keeps_its_photos_and_takes_new_ones() {
    use automerge::transaction::Transactable;
    use automerge::{ReadDoc, ROOT};
    // 1. A run as an earlier Fieldbook wrote it: no root `photos` map, and the
    //    answer's photo inside the answer map.
    let (mut a, _) = run_on_two_tablets();
    let item = id("c8-incidents");
    answer(
        &mut a,
        &item,
        &given(AnswerValue::No, ana(), T0),
        Stamp::at(T0),
    )
    .expect("answer");
    let old: BlobHash = "aa".repeat(32).parse().expect("hash");
    let mut tx = a.transaction();
    tx.delete(ROOT, "photos").expect("drop the photos map");
    let answers = tx.get(ROOT, "answers").expect("get").expect("answers").1;
    let map = tx
        .get(&answers, item.as_str())
        .expect("get")
        .expect("answer")
        .1;
    let list = tx.get(&map, "photos").expect("get").expect("photos").1;
    tx.insert(&list, 0, old.as_str()).expect("old photo");
    tx.commit();
    assert_eq!(
        read(&a)
            .expect("read")
            .answer(&item)
            .expect("answer")
            .photos,
        vec![old.clone()]
    );
    // 2. Two tablets with that run each add a photo offline; each creates the
    //    photos map the run lacked.
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    let (first, second): (BlobHash, BlobHash) = (
        "bb".repeat(32).parse().expect("hash"),
        "cc".repeat(32).parse().expect("hash"),
    );
    add_photo(&mut a, &item, &first, &ana(), Stamp::at(T0 + MINUTE)).expect("photo a");
    add_photo(&mut b, &item, &second, &ben(), Stamp::at(T0 + MINUTE)).expect("photo b");
    // 3. They meet: the old photo and both new ones are there.
    let (seen, _) = merge_both_ways(&mut a, &mut b);
    let mut photos = seen.answer(&item).expect("answer").photos.clone();
    photos.sort();
    assert_eq!(photos, vec![old, first, second]);
}

#[test]
fn a_photo_answers_a_photo_item_but_other_items_need_an_answer_first() {
    let (mut a, _) = run_on_two_tablets();
    let photo: BlobHash = "cc".repeat(32).parse().expect("hash");
    // 1. A photo item with no answer yet is answered by its first photo.
    let register = id("c7-document-register");
    add_photo(&mut a, &register, &photo, &ana(), Stamp::at(T0)).expect("photo item");
    let run = read(&a).expect("read");
    let answered = run.answer(&register).expect("answered");
    assert_eq!(answered.response, Response::Given(AnswerValue::Photo));
    assert_eq!(answered.photos, vec![photo.clone()]);
    assert_eq!(run.status(), RunStatus::InProgress);
    // 2. A yes/no question with no answer refuses a photo, and nothing is written.
    let heads = a.get_heads();
    let refused = add_photo(
        &mut a,
        &id("c5-policy"),
        &photo,
        &ana(),
        Stamp::at(T0 + MINUTE),
    );
    assert!(matches!(
        refused,
        Err(RunPerformError::AnswerRefused(AnswerRefused::Invalid(
            AnswerError::NotAnsweredYet(_)
        )))
    ));
    assert_eq!(a.get_heads(), heads);
}

#[test]
fn a_run_survives_save_and_load_and_answering_after_submit_needs_a_reopen() {
    // 1. Ana answers everything, with a photo and a note, and submits with a signature.
    let (mut a, _) = run_on_two_tablets();
    answer_sections(&mut a, 0..7, ana(), T0);
    let photo = "ab".repeat(32).parse().expect("hash");
    let mut shot = given(AnswerValue::Photo, ana(), T0 + 200 * MINUTE);
    shot.photos = vec![photo];
    shot.note = "Register on the wall of room 2".into();
    answer(
        &mut a,
        &id("c7-document-register"),
        &shot,
        Stamp::at(T0 + 200 * MINUTE),
    )
    .expect("photo");
    let signature = Some("cd".repeat(32).parse().expect("hash"));
    perform(
        &mut a,
        RunCommand::Submit { signature },
        &ana(),
        Stamp::at(T0 + 201 * MINUTE),
    )
    .expect("submit");
    // 2. Save and load: the same run, the score frozen in the submit event.
    let loaded = Automerge::load(&a.save()).expect("load");
    let run = read(&loaded).expect("read");
    assert_eq!(run, read(&a).expect("read a"));
    assert_eq!(run.status(), RunStatus::Submitted);
    assert_eq!(run.template, iso20000_internal_audit());
    assert_eq!(run.assignees, vec![ana(), ben()]);
    let submission = run.derived().standing.submission.expect("submitted");
    assert_eq!(submission.score, run.live_score());
    // 3. Changing an answer now is refused; reopening (with a reason) allows it.
    let late = given(AnswerValue::No, ana(), T0 + 202 * MINUTE);
    let refused = answer(
        &mut a,
        &id("c5-policy"),
        &late,
        Stamp::at(T0 + 202 * MINUTE),
    );
    assert!(matches!(
        refused,
        Err(RunPerformError::AnswerRefused(AnswerRefused::Locked(
            RunTransitionError::AnswersLocked(RunStatus::Submitted)
        )))
    ));
    let reopen = RunCommand::Reopen {
        reason: "Policy found to be a draft".into(),
    };
    perform(&mut a, reopen, &ana(), Stamp::at(T0 + 203 * MINUTE)).expect("reopen");
    answer(
        &mut a,
        &id("c5-policy"),
        &late,
        Stamp::at(T0 + 204 * MINUTE),
    )
    .expect("answer");
    let run = read(&a).expect("read");
    assert_eq!(run.status(), RunStatus::InProgress);
    assert!(run.score().points < submission.score.points);
    let kinds: Vec<&str> = run.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["scheduled", "started", "submitted", "reopened"]);
    // 4. Assignees change by user id.
    set_assignees(&mut a, &[ben()], Stamp::at(T0 + 205 * MINUTE)).expect("assign");
    assert_eq!(read(&a).expect("read").assignees, vec![ben()]);
}

#[test]
fn approve_and_send_back_on_two_tablets_needs_review() {
    // 1. A submitted run on both tablets.
    let (mut a, mut b) = run_on_two_tablets();
    answer_sections(&mut a, 0..7, ana(), T0);
    perform(
        &mut a,
        RunCommand::Submit { signature: None },
        &ana(),
        Stamp::at(T0 + 300 * MINUTE),
    )
    .expect("submit");
    b.merge(&mut a).expect("sync");
    // 2. Offline, a manager approves on one and an auditor sends it back on the other.
    let manager = person("mia", Role::Manager);
    perform(
        &mut a,
        RunCommand::Approve,
        &manager,
        Stamp::at(T0 + 310 * MINUTE),
    )
    .expect("approve");
    let back = RunCommand::Reject {
        reason: "Sample too small".into(),
    };
    perform(&mut b, back, &ben(), Stamp::at(T0 + 311 * MINUTE)).expect("reject");
    // 3. They meet: one status everywhere, and the refused step is shown for review.
    let (seen_a, seen_b) = merge_both_ways(&mut a, &mut b);
    assert_eq!(seen_a.derived(), seen_b.derived());
    assert_eq!(seen_a.status(), RunStatus::Reviewed);
    let conflict = seen_a.derived().needs_review.expect("flagged");
    assert_eq!(conflict.b.len(), 1);
    assert_eq!(conflict.b[0].by, Some(ben()));
}

/// A fully answered, submitted run, saved; built once for every generated case.
fn submitted_run() -> &'static [u8] {
    static SAVED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SAVED.get_or_init(|| {
        let (mut base, _) = run_on_two_tablets();
        answer_sections(&mut base, 0..7, ana(), T0);
        let submit = RunCommand::Submit { signature: None };
        perform(&mut base, submit, &ana(), Stamp::at(T0 + 300 * MINUTE)).expect("submit");
        base.save()
    })
}

/// A workflow step a tablet may try offline.
fn step(n: u8) -> RunCommand {
    match n % 5 {
        0 => RunCommand::Approve,
        1 => RunCommand::Reject {
            reason: "again".into(),
        },
        2 => RunCommand::Reopen {
            reason: "more".into(),
        },
        3 => RunCommand::Close,
        _ => RunCommand::Submit { signature: None },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Three tablets each try some steps offline on a submitted run; whatever
    /// order they merge in, every replica derives the same status and conflicts.
    #[test]
    fn merge_order_does_not_change_the_derived_run(
        tries in proptest::collection::vec(proptest::collection::vec(0u8..5, 0..4), 3),
    ) {
        let base = Automerge::load(submitted_run()).expect("load");
        let mut replicas: Vec<Automerge> = (0..3u8)
            .map(|n| base.fork().with_actor(ActorId::from([10 + n; 16])))
            .collect();
        let reviewer = person("mia", Role::Manager);
        for (n, (replica, steps)) in replicas.iter_mut().zip(&tries).enumerate() {
            for (k, s) in steps.iter().enumerate() {
                let at = T0 + (400 + 10 * k as i64 + n as i64) * MINUTE;
                let _ = perform(replica, step(*s), &reviewer, Stamp::at(at));
            }
        }
        let mut forward = replicas[0].clone();
        forward.merge(&mut replicas[1].clone()).expect("merge");
        forward.merge(&mut replicas[2].clone()).expect("merge");
        let mut backward = replicas[2].clone();
        backward.merge(&mut replicas[1].clone()).expect("merge");
        backward.merge(&mut replicas[0].clone()).expect("merge");
        let (f, b) = (read(&forward).expect("read"), read(&backward).expect("read"));
        prop_assert_eq!(f.derived(), b.derived());
        prop_assert_eq!(f.score(), b.score());
    }
}
