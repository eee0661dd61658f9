use super::*;
use crate::model::priority::Priority::{P1, P2, P3, P4};

fn form() -> LevelsForm {
    LevelsForm::of(&ServiceLevels::standard())
}

#[test]
fn the_standard_form_reads_back_as_the_standard_under_a_new_number() {
    let standard = ServiceLevels::standard();
    let next = form().parse(2).expect("valid");
    assert_eq!(next.version, 2);
    assert_eq!(next.policy.version, 2);
    assert_eq!(next.matrix.version, 2);
    assert_eq!(next.policy.targets, standard.policy.targets);
    assert_eq!(next.policy.pause_on, standard.policy.pause_on);
    assert_eq!(next.calendar, standard.calendar);
    assert_eq!(next.matrix.table, standard.matrix.table);
    assert_eq!(form().pause_on, [true, true, false, false]);
    assert_eq!(form().utc_offset, "+00:00");
    assert_eq!(form().week[0], Some(("00:00".into(), "24:00".into())));
}

#[test]
fn an_office_calendar_with_targets_and_a_matrix_is_read_from_the_form() {
    let mut f = form();
    f.resolution[2] = " 600 ".into();
    f.utc_offset = "+01:00".into();
    f.week = std::array::from_fn(|i| (i < 5).then(|| ("08:00".into(), "18:00".into())));
    f.holidays = "2026-12-25, 2026-12-26\n2027-01-01".into();
    f.matrix[3][3] = P3;
    let levels = f.parse(5).expect("valid");
    assert_eq!(levels.policy.targets(P3).resolution_minutes.get(), 600);
    assert_eq!(levels.calendar.utc_offset_minutes(), 60);
    assert_eq!(levels.calendar.hours(Weekday::Saturday), None);
    let monday = levels.calendar.hours(Weekday::Monday).expect("open");
    assert_eq!((monday.open_minute(), monday.close_minute()), (480, 1080));
    assert_eq!(levels.calendar.holidays().count(), 3);
    assert_eq!(
        levels.priority(Impact::parse(4).unwrap(), Urgency::parse(4).unwrap()),
        P3
    );
    // And back again.
    assert_eq!(LevelsForm::of(&levels).parse(5), Ok(levels));
}

#[test]
fn every_mistake_is_listed_in_words() {
    let mut f = form();
    f.first_response[0] = "0".into();
    f.resolution[1] = "soon".into();
    f.first_response[3] = "500".into();
    f.resolution[3] = "100".into();
    f.week[0] = Some(("18:00".into(), "08:00".into()));
    f.week[1] = Some(("8".into(), "17:00".into()));
    f.utc_offset = "+15:00".into();
    f.holidays = "2026-02-30 25/12".into();
    let errors = f.parse(2).expect_err("invalid");
    let words: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        words,
        [
            "P1 first response: a target is a whole number of minutes above 0, not “0”",
            "P2 resolution: a target is a whole number of minutes above 0, not “soon”",
            "P4: resolution (100 min) cannot come before first response (500 min)",
            "Monday: working hours must close after they open (18:00 to 08:00 does not)",
            "Tuesday: “8” is not a time of day (write HH:MM, e.g. 08:00)",
            "holiday “2026-02-30”: month 2 of 2026 has no day 30",
            "holiday “25/12”: a date is written YYYY-MM-DD, not `25/12`",
            "a UTC offset is between -14:00 and +14:00, not 900 minutes",
        ]
    );
    f = form();
    f.utc_offset = "CET".into();
    assert_eq!(
        f.parse(2),
        Err(vec![LevelsError::OffsetFormat("CET".into())])
    );
}

#[test]
fn offsets_and_clock_times_are_read_as_people_write_them() {
    assert_eq!(parse_offset("+01:00"), Some(60));
    assert_eq!(parse_offset("-05:30"), Some(-330));
    assert_eq!(parse_offset("UTC+2"), Some(120));
    assert_eq!(parse_offset("0"), Some(0));
    assert_eq!(parse_offset("+1:5"), None);
    assert_eq!(parse_offset(""), None);
    assert_eq!(offset_text(-330), "-05:30");
    assert_eq!(parse_clock("8:30"), Some((8, 30)));
    assert_eq!(parse_clock("24:00"), Some((24, 0)));
    assert_eq!(parse_clock("0830"), None);
}

#[test]
fn the_highest_version_stands_and_concurrent_ones_are_contested() {
    assert_eq!(standing(Vec::new()), None);
    let v = |version: u32, p3_resolution: &str| {
        let mut f = form();
        f.resolution[2] = p3_resolution.into();
        f.parse(version).expect("valid")
    };
    let (two, three_a, three_b) = (v(2, "900"), v(3, "600"), v(3, "1200"));
    let only = standing([two.clone()]).expect("published");
    assert_eq!((only.value.version, only.is_conflict()), (2, false));
    let both = standing([three_a.clone(), two.clone(), three_b.clone()]).expect("published");
    assert_eq!(both.value, three_a);
    assert_eq!(both.others, vec![three_b.clone()]);
    assert_eq!(next_version([&two, &three_a, &three_b]), 4);
    assert_eq!(next_version([]), 2);
    assert_eq!(
        PublishError::check(3, [&two, &three_a]),
        Err(PublishError::NotNewer {
            version: 3,
            next: 4
        })
    );
    assert_eq!(PublishError::check(4, [&two, &three_a]), Ok(()));
    let _ = (P1, P2, P4);
}

#[test]
fn the_holds_that_pause_the_clocks_are_read_from_the_form() {
    use crate::model::event::HoldReason::{AwaitingCaller, AwaitingProblem, AwaitingVendor};
    let mut f = form();
    // Vendor waits count against the targets; problem waits pause them.
    f.pause_on = [true, false, false, true];
    let levels = f.parse(2).expect("valid");
    assert_eq!(
        levels.policy.pause_on,
        [AwaitingCaller, AwaitingProblem].into()
    );
    assert_eq!(LevelsForm::of(&levels).pause_on, f.pause_on);
    assert_eq!(
        pause_words(&levels.policy.pause_on),
        "Clocks pause while on hold: Awaiting caller, Awaiting problem"
    );
    // No reason pausing is a policy too: every hold counts.
    f.pause_on = [false; 4];
    let none = f.parse(3).expect("valid");
    assert!(none.policy.pause_on.is_empty());
    assert_eq!(LevelsForm::of(&none).parse(3), Ok(none.clone()));
    assert_eq!(
        pause_words(&none.policy.pause_on),
        "Clocks keep running while on hold"
    );
    // The pause set does not come from any earlier version.
    let mut from_none = LevelsForm::of(&none);
    from_none.pause_on[1] = true;
    assert_eq!(
        from_none.parse(4).expect("valid").policy.pause_on,
        [AwaitingVendor].into()
    );
}

#[test]
fn a_calendar_is_described_in_one_line() {
    assert_eq!(
        calendar_words(&ServiceLevels::standard().calendar),
        "Every day 00:00–24:00, UTC+00:00"
    );
    let mut f = form();
    f.utc_offset = "+01:00".into();
    f.week = std::array::from_fn(|i| (i < 5).then(|| ("08:00".into(), "18:00".into())));
    f.week[5] = Some(("09:00".into(), "12:00".into()));
    f.holidays = "2026-12-25 2026-12-26".into();
    let levels = f.parse(2).expect("valid");
    assert_eq!(
        calendar_words(&levels.calendar),
        "Monday to Friday 08:00–18:00, Saturday 09:00–12:00, UTC+01:00, 2 holidays"
    );
}
