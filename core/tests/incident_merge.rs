//! Two tablets work the same incident offline, then merge: the workflow as it
//! meets Automerge.
//!
//! Each test is numbered steps. Replicas fork from one document, append events
//! with `doc::incident::perform`, and merge both ways; every replica must then
//! derive the same status, conflicts and SLA, whatever the merge order.

use automerge::{ActorId, Automerge};
use fieldbook_core::doc::incident::{create, perform, read, NewIncident};
use fieldbook_core::doc::Stamp;
use fieldbook_core::model::action::{Action, Command, LifecyclePolicy};
use fieldbook_core::model::event::{EventKind, HoldReason};
use fieldbook_core::model::incident::{Incident, Status, TicketKind, Title};
use fieldbook_core::model::priority::{Impact, Urgency};
use proptest::prelude::*;

const MINUTE: i64 = 60_000;
const T0: i64 = 1_704_096_000_000;

fn tablet(n: u8) -> Automerge {
    Automerge::new().with_actor(ActorId::from([n; 16]))
}

fn new_incident() -> NewIncident {
    NewIncident {
        kind: TicketKind::Incident,
        needs_approval: false,
        site: "north".into(),
        title: Title::parse("Switch down in room 4").expect("title"),
        description: String::new(),
        impact: Impact::parse(2).expect("impact"),
        urgency: Urgency::parse(2).expect("urgency"),
    }
}

/// An incident logged, assigned and started on tablet 1, and tablet 2's copy of it.
fn in_progress_on_two_tablets() -> (Automerge, Automerge) {
    let mut a = tablet(1);
    create(&mut a, &new_incident(), Stamp::at(T0)).expect("create");
    let assign = Command::Assign {
        group: "Network".into(),
        assignee: Some("Ana".into()),
    };
    perform(&mut a, assign, Stamp::at(T0 + MINUTE)).expect("assign");
    perform(&mut a, Command::StartWork, Stamp::at(T0 + 2 * MINUTE)).expect("start");
    let b = a.fork().with_actor(ActorId::from([2; 16]));
    (a, b)
}

fn merge_both_ways(a: &mut Automerge, b: &mut Automerge) -> (Incident, Incident) {
    a.merge(b).expect("merge into a");
    b.merge(a).expect("merge into b");
    (read(a).expect("read a"), read(b).expect("read b"))
}

fn resolve() -> Command {
    Command::Resolve {
        code: "replaced".into(),
        notes: "Replaced the PSU".into(),
    }
}

#[test]
fn compatible_offline_work_merges_without_review() {
    // 1. Both tablets hold the incident in progress.
    let (mut a, mut b) = in_progress_on_two_tablets();
    // 2. Offline, tablet A puts it on hold and resumes; tablet B adds a work note.
    perform(
        &mut a,
        Command::Hold(HoldReason::AwaitingVendor),
        Stamp::at(T0 + 10 * MINUTE),
    )
    .expect("hold");
    perform(&mut a, Command::Resume, Stamp::at(T0 + 40 * MINUTE)).expect("resume");
    let note = Command::AddNote {
        text: "Vendor ships a PSU".into(),
    };
    perform(&mut b, note, Stamp::at(T0 + 15 * MINUTE)).expect("note");
    // 3. They meet.
    let (seen_a, seen_b) = merge_both_ways(&mut a, &mut b);
    // 4. Same log, same status, nothing to review, same SLA.
    assert_eq!(a.get_heads(), b.get_heads());
    assert_eq!(seen_a.derived(), seen_b.derived());
    assert_eq!(seen_a.status(), Status::InProgress);
    assert_eq!(seen_a.derived().needs_review, None);
    let now = T0 + 60 * MINUTE;
    let sla = seen_a.sla(now, |_| true);
    assert_eq!(sla, seen_b.sla(now, |_| true));
    // 60 minutes since logging, 30 of them on hold for the vendor.
    assert_eq!(sla.resolution.elapsed_business_ms, 30 * MINUTE);
}

#[test]
fn a_resolve_concurrent_with_a_reassignment_needs_review_on_both_tablets() {
    // 1. Both tablets hold the incident in progress.
    let (mut a, mut b) = in_progress_on_two_tablets();
    // 2. Offline, tablet A resolves it; tablet B hands it to another group.
    let resolved = perform(&mut a, resolve(), Stamp::at(T0 + 10 * MINUTE)).expect("resolve");
    let reassign = Command::Assign {
        group: "Facilities".into(),
        assignee: None,
    };
    let reassigned = perform(&mut b, reassign, Stamp::at(T0 + 12 * MINUTE)).expect("reassign");
    // 3. They meet.
    let (seen_a, seen_b) = merge_both_ways(&mut a, &mut b);
    // 4. Both show the same conflict: the resolve came first, the reassignment
    //    could not follow it.
    let (da, db) = (seen_a.derived(), seen_b.derived());
    assert_eq!(da, db);
    assert_eq!(da.status(), Status::Resolved);
    let conflict = da.needs_review.expect("needs review");
    assert_eq!(conflict.a, vec![resolved]);
    assert_eq!(conflict.b, vec![reassigned]);
    assert_eq!(
        conflict.why[0].to_string(),
        "Assign is not possible while the incident is Resolved"
    );
    // 5. Reviewing the conflict is the first thing offered.
    let actions = seen_b.next_actions(&LifecyclePolicy::standard(), T0 + 20 * MINUTE);
    assert_eq!(actions.first(), Some(&Action::Reconcile));
    // 6. Tablet B's person accepts the resolution; once synced, both are clear,
    //    and the refused event is still in the history.
    perform(&mut b, Command::Reconcile, Stamp::at(T0 + 20 * MINUTE)).expect("reconcile");
    let (seen_a, seen_b) = merge_both_ways(&mut a, &mut b);
    assert_eq!(seen_a.derived().needs_review, None);
    assert_eq!(seen_b.derived(), seen_a.derived());
    assert!(seen_a
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Assigned { group, .. } if group == "Facilities")));
}

/// A tablet's offline session: which action (among those offered) and minutes later.
fn session() -> impl Strategy<Value = Vec<(u8, u8)>> {
    prop::collection::vec((any::<u8>(), 1u8..90), 0..6)
}

/// Performs, on `doc`, the offered action each step picks, from `start`.
fn work(doc: &mut Automerge, steps: &[(u8, u8)], start: i64) {
    let policy = LifecyclePolicy::standard();
    let mut now = start;
    for &(choice, minutes) in steps {
        now += i64::from(minutes) * MINUTE;
        let incident = read(doc).expect("read");
        let offered = incident.next_actions(&policy, now);
        let Some(&action) = offered.get(usize::from(choice) % offered.len().max(1)) else {
            continue;
        };
        let command = match action {
            Action::Assign => Command::Assign {
                group: "Desk".into(),
                assignee: None,
            },
            Action::StartWork => Command::StartWork,
            Action::Hold => Command::Hold(HoldReason::AwaitingCaller),
            Action::Resume => Command::Resume,
            Action::Resolve => resolve(),
            Action::Close => Command::Close {
                confirmed_by: "Caller".into(),
            },
            Action::Reopen => Command::Reopen {
                reason: "again".into(),
            },
            Action::Reconcile => Command::Reconcile,
            _ => Command::AddNote {
                text: format!("{action}"),
            },
        };
        perform(doc, command, Stamp::at(now)).expect("offered actions are accepted");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Merge laws for the workflow: whatever each tablet did offline, merging in
    /// either order, or twice, or through save and load, derives the same state.
    #[test]
    fn every_replica_derives_the_same_state(
        prefix in session(),
        on_a in session(),
        on_b in session(),
        on_c in session(),
    ) {
        let mut origin = tablet(1);
        create(&mut origin, &new_incident(), Stamp::at(T0)).expect("create");
        work(&mut origin, &prefix, T0);
        let mut a = origin.fork().with_actor(ActorId::from([1; 16]));
        let mut b = origin.fork().with_actor(ActorId::from([2; 16]));
        let mut c = origin.fork().with_actor(ActorId::from([3; 16]));
        let start = T0 + 600 * MINUTE;
        work(&mut a, &on_a, start);
        work(&mut b, &on_b, start);
        work(&mut c, &on_c, start);

        // (a ∪ b) ∪ c on one side, a ∪ (c ∪ b) on the other.
        let mut ab = a.fork();
        ab.merge(&mut b.clone()).expect("merge");
        ab.merge(&mut c.clone()).expect("merge");
        let mut cb = c.fork();
        cb.merge(&mut b.clone()).expect("merge");
        let mut acb = a.fork();
        acb.merge(&mut cb).expect("merge");
        let left = read(&ab).expect("read");
        let right = read(&acb).expect("read");
        prop_assert_eq!(left.derived(), right.derived());

        // Idempotent, and a saved copy loads to the same state.
        let mut again = ab.fork();
        again.merge(&mut ab.clone()).expect("merge");
        prop_assert_eq!(read(&again).expect("read").derived(), left.derived());
        let loaded = Automerge::load(&ab.save()).expect("load");
        prop_assert_eq!(read(&loaded).expect("read").derived(), left.derived());

        let now = start + 2_000 * MINUTE;
        prop_assert_eq!(left.sla(now, |_| true), right.sla(now, |_| true));
    }
}
