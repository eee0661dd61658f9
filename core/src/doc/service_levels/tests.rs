//! The service-levels document, and an incident's copy of the version it was logged under.

use super::*;
use crate::doc::incident::{self, NewIncident};
use crate::model::access::Role;
use crate::model::incident::{TicketKind, Title};
use crate::model::priority::{Impact, Urgency};
use crate::model::service_levels::{standing, LevelsForm};
use crate::model::sla::ClockState;
use automerge::ActorId;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
/// Monday 2024-01-01 00:00 UTC.
const MONDAY: i64 = 1_704_067_200_000;

fn device(n: u8) -> Automerge {
    Automerge::new().with_actor(ActorId::from([n; 16]))
}

fn admin() -> Person {
    Person {
        user_id: "u-admin".into(),
        name: "Ada Admin".into(),
        role: Role::Admin,
    }
}

/// Version `version`: P3 resolves in `p3_hours` business hours, 08:00–18:00
/// Monday to Friday in UTC+01:00, with a holiday on Tuesday 2024-01-02.
fn office(version: u32, p3_hours: u32) -> ServiceLevels {
    let mut form = LevelsForm::of(&ServiceLevels::standard());
    form.resolution[2] = (p3_hours * 60).to_string();
    form.utc_offset = "+01:00".into();
    form.week = std::array::from_fn(|i| (i < 5).then(|| ("08:00".into(), "18:00".into())));
    form.holidays = "2024-01-02".into();
    form.parse(version).expect("valid")
}

fn p3_incident() -> NewIncident {
    NewIncident {
        kind: TicketKind::Incident,
        needs_approval: false,
        site: "north".into(),
        title: Title::parse("Badge reader offline").expect("title"),
        description: String::new(),
        impact: Impact::parse(3).expect("impact"),
        urgency: Urgency::parse(3).expect("urgency"),
    }
}

#[test]
fn published_versions_read_back_in_order_with_who_published_them() {
    let mut doc = device(1);
    create(
        &mut doc,
        "north",
        &office(2, 10),
        &admin(),
        Stamp::at(MONDAY),
    )
    .expect("create");
    let first = read(&doc).expect("read");
    publish(
        &mut doc,
        &office(3, 20),
        &[],
        &admin(),
        Stamp::at(MONDAY + HOUR),
    )
    .expect("publish");
    let record = read(&Automerge::load(&doc.save()).expect("load")).expect("read");
    assert_eq!(record.site, "north");
    assert_eq!(record.versions.len(), 2);
    assert_eq!(record.versions[0], first.versions[0]);
    assert_eq!(record.versions[0].levels, office(2, 10));
    assert_eq!(record.versions[1].levels, office(3, 20));
    assert_eq!(record.versions[1].at_ms, MONDAY + HOUR);
    assert_eq!(record.versions[1].by, admin());
}

#[test]
fn the_holds_that_pause_the_clocks_read_back_from_the_site_and_the_incident() {
    for pause_on in [[false; 4], [false, true, true, false], [true; 4]] {
        let mut form = LevelsForm::of(&office(2, 10));
        form.pause_on = pause_on;
        let levels = form.parse(2).expect("valid");
        let mut site = device(1);
        create(&mut site, "north", &levels, &admin(), Stamp::at(MONDAY)).expect("create");
        let site = Automerge::load(&site.save()).expect("load");
        assert_eq!(read(&site).expect("read").versions[0].levels, levels);
        let mut doc = device(3);
        incident::create_under(&mut doc, &p3_incident(), &levels, Stamp::at(MONDAY))
            .expect("create");
        let doc = Automerge::load(&doc.save()).expect("load");
        assert_eq!(incident::read(&doc).expect("read").levels(), levels);
    }
}

#[test]
fn an_old_version_number_is_refused_and_nothing_is_written() {
    let mut doc = device(1);
    create(
        &mut doc,
        "north",
        &office(2, 10),
        &admin(),
        Stamp::at(MONDAY),
    )
    .expect("create");
    let heads = doc.get_heads();
    let refused = publish(&mut doc, &office(2, 12), &[], &admin(), Stamp::at(MONDAY));
    assert_eq!(
        refused.expect_err("same number").to_string(),
        "version 2 is already published; publish version 3"
    );
    // Versions in the site's other documents count too.
    let refused = publish(
        &mut doc,
        &office(3, 12),
        &[office(3, 8)],
        &admin(),
        Stamp::at(MONDAY),
    );
    assert!(matches!(refused, Err(PublishLevelsError::Refused(_))));
    assert_eq!(doc.get_heads(), heads);
}

#[test]
fn two_admins_publishing_offline_both_keep_their_version_as_contested_values() {
    let mut a = device(1);
    create(&mut a, "north", &office(2, 10), &admin(), Stamp::at(MONDAY)).expect("create");
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    publish(
        &mut a,
        &office(3, 12),
        &[],
        &admin(),
        Stamp::at(MONDAY + HOUR),
    )
    .expect("a");
    publish(
        &mut b,
        &office(3, 30),
        &[],
        &admin(),
        Stamp::at(MONDAY + HOUR),
    )
    .expect("b");
    a.merge(&mut b).expect("merge");
    b.merge(&mut a.clone()).expect("merge");
    let levels = |doc: &Automerge| {
        read(doc)
            .expect("read")
            .versions
            .into_iter()
            .map(|p| p.levels)
            .collect::<Vec<_>>()
    };
    let (seen_a, seen_b) = (standing(levels(&a)), standing(levels(&b)));
    assert_eq!(seen_a, seen_b, "every device shows the same one");
    let seen = seen_a.expect("published");
    assert!(seen.is_conflict());
    let mut both: Vec<u32> = seen
        .all()
        .map(|l| l.policy.targets[2].resolution_minutes.get())
        .collect();
    both.sort();
    assert_eq!(both, [12 * 60, 30 * 60]);
    // The next publication settles it.
    publish(
        &mut a,
        &office(4, 12),
        &[],
        &admin(),
        Stamp::at(MONDAY + 2 * HOUR),
    )
    .expect("settle");
    let settled = standing(levels(&a)).expect("published");
    assert_eq!((settled.value.version, settled.is_conflict()), (4, false));
}

#[test]
fn a_version_that_does_not_read_is_left_out() {
    let mut doc = device(1);
    create(
        &mut doc,
        "north",
        &office(2, 10),
        &admin(),
        Stamp::at(MONDAY),
    )
    .expect("create");
    let list = Reader { doc: &doc }
        .object(&ROOT, "versions", ObjType::List)
        .expect("list");
    let entry = doc.list_range(&list, ..).next().expect("entry").id();
    let week = Reader { doc: &doc }
        .object(&entry, "week", ObjType::List)
        .expect("week");
    doc.transact::<_, _, AutomergeError>(|tx| tx.put(&week, 0, "18:00-08:00").map(|_| ()))
        .expect("corrupt");
    assert!(read(&doc).expect("read").versions.is_empty());
}

#[test]
fn an_incident_counts_on_the_calendar_and_targets_it_was_logged_under() {
    let mut doc = device(3);
    // Logged Monday 17:00 local (16:00 UTC) under 10 business hours for P3.
    let logged = MONDAY + 16 * HOUR;
    incident::create_under(&mut doc, &p3_incident(), &office(2, 10), Stamp::at(logged))
        .expect("create");
    let found = incident::read(&doc).expect("read");
    assert_eq!(found.matrix_version, 2);
    assert_eq!(found.levels(), office(2, 10));
    // Wednesday 10:00 local: Monday's last hour, Tuesday a holiday, two hours on Wednesday.
    let wednesday_10 = MONDAY + 2 * 24 * HOUR + 9 * HOUR;
    let sla = found.sla(wednesday_10, |_| true);
    assert_eq!(sla.policy_version, 2);
    assert_eq!(sla.resolution.elapsed_business_ms, 3 * HOUR);
    assert_eq!(sla.resolution.target_ms, 10 * HOUR);
    assert_eq!(sla.resolution.state, ClockState::Running);
    // On the standard 24 × 7 calendar the same incident would be breached long ago.
    let mut standard = device(4);
    incident::create(&mut standard, &p3_incident(), Stamp::at(logged)).expect("create");
    let standard = incident::read(&standard).expect("read");
    assert_eq!(standard.levels(), ServiceLevels::standard());
    assert_eq!(
        standard.sla(wednesday_10, |_| true).resolution.target_ms,
        24 * HOUR
    );
    assert_eq!(
        standard
            .sla(wednesday_10, |_| true)
            .resolution
            .elapsed_business_ms,
        41 * HOUR
    );
}

#[test]
fn a_later_publication_changes_neither_the_clocks_nor_the_priority_of_an_incident() {
    let mut site = device(1);
    create(
        &mut site,
        "north",
        &office(2, 10),
        &admin(),
        Stamp::at(MONDAY),
    )
    .expect("create");
    let mut doc = device(3);
    let logged = MONDAY + 8 * HOUR;
    let standing_then = standing(
        read(&site)
            .expect("read")
            .versions
            .into_iter()
            .map(|p| p.levels),
    )
    .expect("published")
    .value;
    incident::create_under(&mut doc, &p3_incident(), &standing_then, Stamp::at(logged))
        .expect("create");
    let before = incident::read(&doc).expect("read");
    // The admin publishes version 3: P3 in 5 hours, and impact 3 × urgency 3 becomes P1.
    let mut form = LevelsForm::of(&standing_then);
    form.resolution[2] = "300".into();
    form.matrix[2][2] = crate::model::priority::Priority::P1;
    let three = form.parse(3).expect("valid");
    publish(&mut site, &three, &[], &admin(), Stamp::at(logged + HOUR)).expect("publish");
    let later = logged + 5 * HOUR;
    let after = incident::read(&doc).expect("read");
    assert_eq!(after.sla(later, |_| true), before.sla(later, |_| true));
    assert_eq!(after.sla(later, |_| true).resolution.target_ms, 10 * HOUR);
    assert_eq!(after.priority(), crate::model::priority::Priority::P3);
    // An incident logged now takes version 3.
    let mut new_doc = device(4);
    incident::create_under(&mut new_doc, &p3_incident(), &three, Stamp::at(later)).expect("create");
    let new = incident::read(&new_doc).expect("read");
    assert_eq!(new.priority(), crate::model::priority::Priority::P1);
    assert_eq!(new.sla(later, |_| true).policy_version, 3);
    // Editing the old incident's impact still uses its own matrix (version 2).
    incident::edit(
        &mut doc,
        &incident::Edit::Urgency(Urgency::parse(2).expect("urgency")),
        Stamp::at(later),
    )
    .expect("edit");
    let edited = incident::read(&doc).expect("read");
    assert_eq!(
        edited.priority(),
        office(2, 10).matrix.priority(
            Impact::parse(3).expect("impact"),
            Urgency::parse(2).expect("urgency"),
        )
    );
}

/// An incident logged under `levels` on device 1.
fn logged_under(levels: &ServiceLevels) -> Automerge {
    let mut doc = device(1);
    incident::create_under(&mut doc, &p3_incident(), levels, Stamp::at(MONDAY)).expect("create");
    doc
}

/// Writes `value` at `index` of the copy's list `list`.
fn rewrite(doc: &mut Automerge, list: &str, index: usize, value: i64) {
    let (_, copy) = doc
        .get(ROOT, "serviceLevels")
        .expect("reads")
        .expect("a copy");
    let (_, list) = doc.get(&copy, list).expect("reads").expect("the list");
    let mut tx = doc.transaction();
    tx.put(&list, index, value).expect("put");
    tx.commit();
}

#[test]
fn the_copy_reads_as_the_version_the_incident_was_logged_under() {
    assert_eq!(
        incident::levels_copy(&logged_under(&office(2, 10))),
        Some(office(2, 10))
    );
    assert_eq!(
        incident::levels_copy(&logged_under(&ServiceLevels::standard())),
        Some(ServiceLevels::standard())
    );

    // A document from before copies were kept has none, and so has one whose
    // copy does not read: both count on the standard.
    let mut old = logged_under(&office(2, 10));
    let mut tx = old.transaction();
    tx.delete(ROOT, "serviceLevels").expect("delete");
    tx.commit();
    assert_eq!(incident::levels_copy(&old), None);
    assert_eq!(
        incident::read(&old).expect("read").levels(),
        ServiceLevels::standard()
    );
    let mut garbled = logged_under(&office(2, 10));
    rewrite(&mut garbled, "resolution", 0, 0);
    assert_eq!(
        incident::levels_copy(&garbled),
        None,
        "a target of 0 minutes does not read"
    );
}

#[test]
fn a_new_incident_brings_its_copy_and_work_on_it_leaves_the_copy_alone() {
    let mut doc = logged_under(&office(2, 10));
    assert!(
        incident::levels_copy_changed(&doc, &[]).expect("read"),
        "new: the copy arrives with it"
    );
    let created = doc.get_heads();

    incident::edit(
        &mut doc,
        &incident::Edit::Title(Title::parse("Badge reader at gate 2 offline").expect("title")),
        Stamp::at(2_000),
    )
    .expect("edit");
    incident::edit(
        &mut doc,
        &incident::Edit::Impact(Impact::parse(1).expect("impact")),
        Stamp::at(3_000),
    )
    .expect("a new priority, under the copy's matrix");
    assert!(!incident::levels_copy_changed(&doc, &created).expect("read"));

    // Another device's work merged in changes nothing either.
    let mut other = device(2);
    other.merge(&mut doc.clone()).expect("merge");
    incident::edit(
        &mut other,
        &incident::Edit::Description("Gate 2 only".into()),
        Stamp::at(4_000),
    )
    .expect("edit");
    doc.merge(&mut other).expect("merge");
    assert!(!incident::levels_copy_changed(&doc, &created).expect("read"));
    assert_eq!(incident::levels_copy(&doc), Some(office(2, 10)));
}

#[test]
fn rewriting_a_target_removing_or_adding_the_copy_are_changes() {
    let mut lax = logged_under(&office(2, 10));
    let created = lax.get_heads();
    rewrite(&mut lax, "resolution", 0, 5_256_000);
    assert!(incident::levels_copy_changed(&lax, &created).expect("read"));

    let mut emptied = logged_under(&office(2, 10));
    let (_, copy) = emptied
        .get(ROOT, "serviceLevels")
        .expect("reads")
        .expect("a copy");
    let mut tx = emptied.transaction();
    tx.put_object(&copy, "week", ObjType::List)
        .expect("no working hours");
    tx.commit();
    assert!(incident::levels_copy_changed(&emptied, &created).expect("read"));

    let mut removed = logged_under(&office(2, 10));
    let mut tx = removed.transaction();
    tx.delete(ROOT, "serviceLevels").expect("delete");
    tx.commit();
    assert!(incident::levels_copy_changed(&removed, &created).expect("read"));

    // An incident stored without a copy does not get one later.
    let mut old = removed.clone();
    let without = old.get_heads();
    let mut tx = old.transaction();
    tx.put_object(ROOT, "serviceLevels", ObjType::Map)
        .expect("put");
    tx.commit();
    assert!(incident::levels_copy_changed(&old, &without).expect("read"));
}

#[test]
fn writing_the_same_value_again_is_no_change_and_unknown_heads_are_an_error() {
    let mut doc = logged_under(&office(2, 10));
    let created = doc.get_heads();
    let p3 = i64::from(office(2, 10).policy.targets[2].resolution_minutes.get());
    rewrite(&mut doc, "resolution", 2, p3);
    assert!(!incident::levels_copy_changed(&doc, &created).expect("read"));

    let elsewhere = logged_under(&ServiceLevels::standard());
    let mut foreign = device(3);
    incident::create(&mut foreign, &p3_incident(), Stamp::at(9_000)).expect("create");
    assert!(matches!(
        incident::levels_copy_changed(&elsewhere, &foreign.get_heads()),
        Err(ReadError::UnknownHeads)
    ));
}

#[test]
fn a_hold_the_published_version_no_longer_pauses_keeps_the_clock_running() {
    use crate::model::action::Command;
    use crate::model::event::HoldReason;
    // The admin unticks "Awaiting vendor" and publishes version 2.
    let mut form = LevelsForm::of(&ServiceLevels::standard());
    form.pause_on[1] = false;
    let mut site = device(1);
    create(
        &mut site,
        "north",
        &form.parse(2).expect("valid"),
        &admin(),
        Stamp::at(MONDAY),
    )
    .expect("create");
    let two = standing(
        read(&site)
            .expect("read")
            .versions
            .into_iter()
            .map(|p| p.levels),
    )
    .expect("published")
    .value;
    // Two incidents logged under it at 08:00 and taken on at once, held an hour
    // later: one for a vendor, one for the caller.
    let held_for = |n: u8, reason: HoldReason| {
        let mut doc = device(n);
        let logged = MONDAY + 8 * HOUR;
        incident::create_under(&mut doc, &p3_incident(), &two, Stamp::at(logged)).expect("create");
        let assign = Command::Assign {
            group: "Desk".into(),
            assignee: None,
        };
        for (command, at) in [
            (assign, logged),
            (Command::StartWork, logged),
            (Command::Hold(reason), logged + HOUR),
        ] {
            incident::perform(&mut doc, command, Stamp::at(at)).expect("performed");
        }
        incident::read(&doc)
            .expect("read")
            .sla(logged + 3 * HOUR, |_| true)
    };
    let vendor = held_for(3, HoldReason::AwaitingVendor);
    assert_eq!(vendor.resolution.state, ClockState::Running);
    assert_eq!(vendor.resolution.elapsed_business_ms, 3 * HOUR);
    let caller = held_for(4, HoldReason::AwaitingCaller);
    assert_eq!(caller.resolution.state, ClockState::Paused);
    assert_eq!(caller.resolution.elapsed_business_ms, HOUR);
}
