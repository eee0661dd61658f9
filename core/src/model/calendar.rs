//! The business calendar an SLA counts on: working hours per weekday, holidays,
//! and a fixed offset from UTC.
//!
//! [`business_ms_between`] is the only question the SLA engine asks of it: how
//! much working time lies between two instants. It costs the same for a day or a
//! century (whole weeks are counted at once), so a corrupt timestamp cannot make
//! it loop for long.

use std::collections::BTreeSet;

use super::date::{Date, Weekday};

const MINUTE_MS: i128 = 60_000;
const DAY_MS: i128 = 86_400_000;

/// The working hours of one day, in local time: from `open` to `close`, minutes
/// after midnight. One span a day (no lunch break); 00:00–24:00 is the whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hours {
    open: u16,
    close: u16,
}

/// When people work, for counting SLA time.
///
/// The time zone is a **fixed offset from UTC in minutes** (e.g. `60` for CET),
/// not a time-zone database entry: core carries no tz data, so a site that
/// changes to summer time needs a calendar version per season (or the offset of
/// the season that matters most). Holidays are whole local days.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "StoredCalendar", into = "StoredCalendar")]
pub struct BusinessCalendar {
    utc_offset_minutes: i32,
    week: [Option<Hours>; 7],
    /// Day numbers (days since 1970-01-01) of the holidays.
    holidays: BTreeSet<i64>,
}

/// A calendar as a summary row keeps it on the device; read back through
/// [`BusinessCalendar::new`]'s checks.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredCalendar {
    offset: i32,
    /// Monday first: open and close minute of each working day.
    week: [Option<(u16, u16)>; 7],
    holidays: Vec<i64>,
}

impl From<BusinessCalendar> for StoredCalendar {
    fn from(c: BusinessCalendar) -> StoredCalendar {
        StoredCalendar {
            offset: c.utc_offset_minutes,
            week: c.week.map(|h| h.map(|h| (h.open, h.close))),
            holidays: c.holidays.into_iter().collect(),
        }
    }
}

impl TryFrom<StoredCalendar> for BusinessCalendar {
    type Error = CalendarError;

    fn try_from(s: StoredCalendar) -> Result<BusinessCalendar, CalendarError> {
        let mut week = [None; 7];
        for (day, hours) in week.iter_mut().zip(s.week) {
            if let Some((open, close)) = hours {
                let at = |m: u16| (u8::try_from(m / 60).unwrap_or(u8::MAX), (m % 60) as u8);
                *day = Some(Hours::new(at(open), at(close))?);
            }
        }
        let mut calendar = BusinessCalendar::new(s.offset, week, [])?;
        calendar.holidays = s.holidays.into_iter().collect();
        Ok(calendar)
    }
}

/// Why values are not working hours or a calendar.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("{hour:02}:{minute:02} is not a time of day")]
    Time { hour: u8, minute: u8 },
    #[error("working hours must close after they open ({open} to {close} does not)")]
    Backwards { open: String, close: String },
    #[error("a UTC offset is between -14:00 and +14:00, not {0} minutes")]
    Offset(i32),
}

impl Hours {
    /// Hours from `open` to `close`, each `(hour, minute)`; `(24, 0)` is the end of the day.
    pub fn new(open: (u8, u8), close: (u8, u8)) -> Result<Hours, CalendarError> {
        let minutes = |(hour, minute): (u8, u8)| -> Result<u16, CalendarError> {
            let m = u16::from(hour) * 60 + u16::from(minute);
            if minute >= 60 || m > 24 * 60 {
                return Err(CalendarError::Time { hour, minute });
            }
            Ok(m)
        };
        let (o, c) = (minutes(open)?, minutes(close)?);
        if c <= o {
            return Err(CalendarError::Backwards {
                open: format!("{:02}:{:02}", open.0, open.1),
                close: format!("{:02}:{:02}", close.0, close.1),
            });
        }
        Ok(Hours { open: o, close: c })
    }

    /// The whole day, 00:00 to 24:00.
    pub fn all_day() -> Hours {
        Hours {
            open: 0,
            close: 24 * 60,
        }
    }

    /// Minutes after local midnight when work starts.
    pub fn open_minute(self) -> u16 {
        self.open
    }

    /// Minutes after local midnight when work stops.
    pub fn close_minute(self) -> u16 {
        self.close
    }

    fn ms(self) -> i128 {
        i128::from(self.close - self.open) * MINUTE_MS
    }
}

impl BusinessCalendar {
    /// A calendar from its offset, its hours per weekday (Monday first; `None` is a
    /// day off) and its holidays.
    pub fn new(
        utc_offset_minutes: i32,
        week: [Option<Hours>; 7],
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<BusinessCalendar, CalendarError> {
        if utc_offset_minutes.abs() > 14 * 60 {
            return Err(CalendarError::Offset(utc_offset_minutes));
        }
        Ok(BusinessCalendar {
            utc_offset_minutes,
            week,
            holidays: holidays.into_iter().map(Date::day_number).collect(),
        })
    }

    /// Monday to Friday within `hours`, weekends off.
    pub fn weekdays(
        utc_offset_minutes: i32,
        hours: Hours,
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<BusinessCalendar, CalendarError> {
        let mut week = [Some(hours); 7];
        week[Weekday::Saturday.index()] = None;
        week[Weekday::Sunday.index()] = None;
        BusinessCalendar::new(utc_offset_minutes, week, holidays)
    }

    /// Every minute counts: 24 × 7 in UTC, no holidays (for P1 targets, say).
    pub fn always() -> BusinessCalendar {
        BusinessCalendar {
            utc_offset_minutes: 0,
            week: [Some(Hours::all_day()); 7],
            holidays: BTreeSet::new(),
        }
    }

    pub fn utc_offset_minutes(&self) -> i32 {
        self.utc_offset_minutes
    }

    /// The working hours of a weekday, if it is a working day.
    pub fn hours(&self, day: Weekday) -> Option<Hours> {
        self.week[day.index()]
    }

    /// The holidays, earliest first.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays
            .iter()
            .filter_map(|&n| Date::from_day_number(n))
    }

    /// Working time on local day `day` (a day number) between local instants `from` and `to`.
    fn within_day(&self, day: i128, from: i128, to: i128) -> i128 {
        let Some(hours) = self.hours_of(day) else {
            return 0;
        };
        let open = day * DAY_MS + i128::from(hours.open) * MINUTE_MS;
        let close = day * DAY_MS + i128::from(hours.close) * MINUTE_MS;
        (to.min(close) - from.max(open)).max(0)
    }

    /// Working hours of local day `day`, or `None` on a day off or a holiday.
    fn hours_of(&self, day: i128) -> Option<Hours> {
        let day = i64::try_from(day).ok()?;
        if self.holidays.contains(&day) {
            return None;
        }
        self.week[Weekday::of_day_number(day).index()]
    }

    fn weekly_ms(&self) -> i128 {
        self.week.iter().flatten().map(|h| h.ms()).sum()
    }
}

/// Working time, in milliseconds, between two instants (ms since the Unix epoch).
/// Zero when `to` is not after `from`.
pub fn business_ms_between(calendar: &BusinessCalendar, from_ms: i64, to_ms: i64) -> i64 {
    if to_ms <= from_ms {
        return 0;
    }
    let offset = i128::from(calendar.utc_offset_minutes) * MINUTE_MS;
    let (from, to) = (i128::from(from_ms) + offset, i128::from(to_ms) + offset);
    let (first, last) = (from.div_euclid(DAY_MS), to.div_euclid(DAY_MS));
    if first == last {
        return saturate(calendar.within_day(first, from, to));
    }
    let mut total = calendar.within_day(first, from, (first + 1) * DAY_MS)
        + calendar.within_day(last, last * DAY_MS, to);
    // Whole days strictly between: whole weeks at once, then the rest one by one.
    let whole_days = last - first - 1;
    let weeks = whole_days / 7;
    let weeks_end = first + 1 + weeks * 7;
    total += weeks * calendar.weekly_ms();
    if let (Ok(lo), Ok(hi)) = (i64::try_from(first + 1), i64::try_from(weeks_end)) {
        for &holiday in calendar.holidays.range(lo..hi) {
            if let Some(hours) = calendar.week[Weekday::of_day_number(holiday).index()] {
                total -= hours.ms();
            }
        }
    }
    for day in weeks_end..last {
        total += calendar.within_day(day, day * DAY_MS, (day + 1) * DAY_MS);
    }
    saturate(total)
}

/// Working time between two instants in whole minutes (rounded down).
pub fn business_minutes_between(calendar: &BusinessCalendar, from_ms: i64, to_ms: i64) -> i64 {
    business_ms_between(calendar, from_ms, to_ms) / 60_000
}

fn saturate(ms: i128) -> i64 {
    i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Monday 2024-01-01 00:00 UTC.
    const MONDAY: i64 = 1_704_067_200_000;
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;

    fn office(holidays: &[&str]) -> BusinessCalendar {
        let hours = Hours::new((8, 0), (18, 0)).expect("hours");
        let holidays = holidays.iter().map(|d| d.parse::<Date>().expect("date"));
        BusinessCalendar::weekdays(0, hours, holidays).expect("calendar")
    }

    #[test]
    fn counts_only_working_hours_of_a_day() {
        let cal = office(&[]);
        assert_eq!(
            business_ms_between(&cal, MONDAY + 7 * HOUR, MONDAY + 9 * HOUR),
            HOUR
        );
        assert_eq!(
            business_minutes_between(&cal, MONDAY, MONDAY + DAY),
            10 * 60
        );
        assert_eq!(business_ms_between(&cal, MONDAY + DAY, MONDAY), 0);
    }

    #[test]
    fn a_weekend_does_not_count() {
        let cal = office(&[]);
        // Friday 17:00 to Monday 09:00: one hour on Friday, one on Monday.
        let friday_17 = MONDAY + 4 * DAY + 17 * HOUR;
        let monday_9 = MONDAY + 7 * DAY + 9 * HOUR;
        assert_eq!(business_ms_between(&cal, friday_17, monday_9), 2 * HOUR);
    }

    #[test]
    fn a_holiday_does_not_count() {
        let cal = office(&["2024-01-02"]);
        // Monday 17:00 to Wednesday 09:00, with Tuesday a holiday.
        let from = MONDAY + 17 * HOUR;
        let to = MONDAY + 2 * DAY + 9 * HOUR;
        assert_eq!(business_ms_between(&cal, from, to), 2 * HOUR);
        assert_eq!(business_ms_between(&office(&[]), from, to), 12 * HOUR);
    }

    #[test]
    fn long_spans_count_whole_weeks_and_their_holidays() {
        let holidays = ["2024-01-02", "2024-01-06", "2024-03-05"];
        let cal = office(&holidays);
        let (from, to) = (MONDAY + 3 * HOUR, MONDAY + 100 * DAY + 11 * HOUR);
        // Day by day, the slow way.
        let slow: i64 = (0..=100)
            .map(|d| {
                let day = MONDAY + d * DAY;
                business_ms_between(&cal, from.max(day), to.min(day + DAY))
            })
            .sum();
        assert_eq!(business_ms_between(&cal, from, to), slow);
        // 14 weeks of 50 hours, a Monday and a Tuesday of 10, 3 hours on the last
        // day (a Wednesday), minus two weekday holidays (the Saturday was off anyway).
        assert_eq!(slow, (14 * 50 + 2 * 10 + 3 - 2 * 10) * HOUR);
    }

    #[test]
    fn the_offset_moves_the_working_day() {
        let hours = Hours::new((8, 0), (18, 0)).expect("hours");
        let cet = BusinessCalendar::weekdays(60, hours, []).expect("calendar");
        // 07:00–08:00 UTC is 08:00–09:00 in CET.
        assert_eq!(
            business_ms_between(&cet, MONDAY + 7 * HOUR, MONDAY + 8 * HOUR),
            HOUR
        );
        assert_eq!(
            BusinessCalendar::weekdays(15 * 60, hours, []),
            Err(CalendarError::Offset(900))
        );
    }

    #[test]
    fn extreme_instants_neither_overflow_nor_loop() {
        let cal = office(&["2024-01-02"]);
        assert!(business_ms_between(&cal, i64::MIN, i64::MAX) > 0);
        assert_eq!(
            business_ms_between(&BusinessCalendar::always(), 0, 10 * DAY),
            10 * DAY
        );
    }

    #[test]
    fn hours_must_be_times_that_close_after_they_open() {
        assert_eq!(
            Hours::new((18, 0), (8, 0))
                .expect_err("backwards")
                .to_string(),
            "working hours must close after they open (18:00 to 08:00 does not)"
        );
        assert_eq!(
            Hours::new((8, 60), (9, 0)),
            Err(CalendarError::Time {
                hour: 8,
                minute: 60
            })
        );
        assert!(Hours::new((0, 0), (24, 0)).is_ok());
        assert!(Hours::new((0, 0), (24, 1)).is_err());
    }
}
