//! Calendar dates and weekdays, proleptic Gregorian, without a time zone.
//!
//! A [`Date`] is what a holiday list holds: a day as people write it
//! (`2024-12-25`). Conversions to and from a day number (days since 1970-01-01)
//! use Howard Hinnant's `days_from_civil` algorithm, so no date library is needed.

use std::fmt;
use std::str::FromStr;

/// A day of the Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// A day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Why text or numbers are not a date.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DateError {
    #[error("a date is written YYYY-MM-DD, not `{0}`")]
    Format(String),
    #[error("there is no month {0}")]
    Month(u8),
    #[error("month {month} of {year} has no day {day}")]
    Day { year: i32, month: u8, day: u8 },
}

impl Date {
    /// The date of a year, month (1–12) and day (1–31, as the month allows).
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Day { year, month, day });
        }
        Ok(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn day_number(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, if its year fits an `i32`.
    pub fn from_day_number(days: i64) -> Option<Date> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = u8::try_from(doy - (153 * mp + 2) / 5 + 1).ok()?;
        let month = u8::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).ok()?;
        let year = i32::try_from(yoe + era * 400 + i64::from(month <= 2)).ok()?;
        Some(Date { year, month, day })
    }

    pub fn weekday(self) -> Weekday {
        Weekday::of_day_number(self.day_number())
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Parses `YYYY-MM-DD` (a four-digit year).
    fn from_str(text: &str) -> Result<Date, DateError> {
        let bad = || DateError::Format(text.to_owned());
        let mut parts = text.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(bad());
        }
        Date::new(
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Weekday {
    /// Every weekday, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// 0 for Monday to 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The weekday of a day number (1970-01-01 was a Thursday).
    pub fn of_day_number(days: i64) -> Weekday {
        // rem_euclid(7) is in 0..7, so the index is always in bounds.
        Weekday::ALL[usize::try_from((days + 3).rem_euclid(7)).unwrap_or(0)]
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_match_known_dates() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        assert_eq!(d("1970-01-01").day_number(), 0);
        assert_eq!(d("2000-03-01").day_number(), 11_017);
        assert_eq!(d("1969-12-31").day_number(), -1);
        assert_eq!(d("2024-01-01").weekday(), Weekday::Monday);
        assert_eq!(d("2024-12-25").weekday(), Weekday::Wednesday);
    }

    #[test]
    fn day_numbers_round_trip() {
        for n in (-800_000..800_000).step_by(997) {
            let date = Date::from_day_number(n).expect("in range");
            assert_eq!(date.day_number(), n, "{date}");
        }
    }

    #[test]
    fn bad_dates_are_refused_with_a_reason() {
        assert_eq!(
            "2023-02-29"
                .parse::<Date>()
                .expect_err("no leap day")
                .to_string(),
            "month 2 of 2023 has no day 29"
        );
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert_eq!(
            "2024-13-01".parse::<Date>().expect_err("month"),
            DateError::Month(13)
        );
        assert_eq!(
            "24-1-1".parse::<Date>().expect_err("format").to_string(),
            "a date is written YYYY-MM-DD, not `24-1-1`"
        );
        assert!("2024-01-01-".parse::<Date>().is_err());
        assert_eq!(
            "2024-01-05".parse::<Date>().map(|d| d.to_string()),
            Ok("2024-01-05".to_owned())
        );
    }
}
