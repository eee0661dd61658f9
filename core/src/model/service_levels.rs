//! A site's service levels: the SLA policy (targets per priority), the business
//! calendar it counts on and the impact × urgency matrix, published together as
//! one numbered version.
//!
//! An administrator edits a [`LevelsForm`]; [`LevelsForm::parse`] turns it into
//! the next [`ServiceLevels`] or lists every mistake in words. A published
//! version never changes: publishing again makes version n+1. An incident keeps
//! a copy of the version it was logged under (see `doc::incident`), so its
//! clocks and priority never move when an administrator publishes later.
//! Two administrators publishing offline at once both make version n+1:
//! [`standing`] shows one and keeps the other as a contested value until one of
//! them publishes again.

use super::calendar::{BusinessCalendar, CalendarError, Hours};
use super::date::{Date, DateError, Weekday};
use super::event::HoldReason;
use super::incident::Contested;
use super::priority::{Impact, Priority, PriorityMatrix, Urgency};
use super::sla::{SlaPolicy, Targets};
use std::collections::BTreeSet;
use std::num::NonZeroU32;

/// One published version of a site's service levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLevels {
    /// 1 for Fieldbook's standard, then n+1 at each publication.
    pub version: u32,
    /// Its `version` is this one's.
    pub policy: SlaPolicy,
    pub calendar: BusinessCalendar,
    /// Its `version` is this one's.
    pub matrix: PriorityMatrix,
}

/// What an administrator types: each field as text, as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelsForm {
    /// Minutes to first response, P1 to P4.
    pub first_response: [String; 4],
    /// Minutes to resolution, P1 to P4.
    pub resolution: [String; 4],
    /// `+01:00`, `-05:30`, `0`.
    pub utc_offset: String,
    /// Monday first: `None` is a day off, else opening and closing time (`08:00`, `18:00`).
    pub week: [Option<(String, String)>; 7],
    /// Dates `YYYY-MM-DD`, separated by commas, spaces or lines.
    pub holidays: String,
    /// `matrix[impact - 1][urgency - 1]`.
    pub matrix: [[Priority; 4]; 4],
    /// Whether a hold for each of [`HoldReason::ALL`], in that order, pauses the
    /// clocks. None ticked is a policy too: every hold counts against the targets.
    pub pause_on: [bool; HoldReason::ALL.len()],
}

/// One mistake in a [`LevelsForm`], in words for the administrator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelsError {
    #[error("{priority} {clock}: a target is a whole number of minutes above 0, not “{text}”")]
    Target {
        priority: Priority,
        clock: &'static str,
        text: String,
    },
    #[error(
        "{priority}: resolution ({resolution} min) cannot come before first response ({first} min)"
    )]
    ResolutionBeforeResponse {
        priority: Priority,
        first: u32,
        resolution: u32,
    },
    #[error("{day}: “{text}” is not a time of day (write HH:MM, e.g. 08:00)")]
    TimeFormat { day: &'static str, text: String },
    #[error("{day}: {error}")]
    Hours {
        day: &'static str,
        error: CalendarError,
    },
    #[error("the UTC offset is written like +01:00 or -05:30, not “{0}”")]
    OffsetFormat(String),
    #[error(transparent)]
    Offset(CalendarError),
    #[error("holiday “{text}”: {error}")]
    Holiday { text: String, error: DateError },
}

/// Why a version cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    #[error("version {version} is already published; publish version {next}")]
    NotNewer { version: u32, next: u32 },
}

impl ServiceLevels {
    /// Fieldbook's standard (version 1): [`SlaPolicy::standard`] on a 24 × 7 UTC
    /// calendar with [`PriorityMatrix::standard`]. A site that never published its
    /// own counts on this.
    pub fn standard() -> ServiceLevels {
        ServiceLevels {
            version: 1,
            policy: SlaPolicy::standard(),
            calendar: BusinessCalendar::always(),
            matrix: PriorityMatrix::standard(),
        }
    }

    /// The priority of an impact and urgency under this version's matrix.
    pub fn priority(&self, impact: Impact, urgency: Urgency) -> Priority {
        self.matrix.priority(impact, urgency)
    }
}

impl LevelsForm {
    /// The form filled in with `levels`, to edit them.
    pub fn of(levels: &ServiceLevels) -> LevelsForm {
        let minutes = |f: fn(Targets) -> NonZeroU32| {
            Priority::ALL.map(|p| f(levels.policy.targets(p)).to_string())
        };
        LevelsForm {
            first_response: minutes(|t| t.first_response_minutes),
            resolution: minutes(|t| t.resolution_minutes),
            utc_offset: offset_text(levels.calendar.utc_offset_minutes()),
            week: Weekday::ALL.map(|day| {
                levels
                    .calendar
                    .hours(day)
                    .map(|h| (clock_text(h.open_minute()), clock_text(h.close_minute())))
            }),
            holidays: levels
                .calendar
                .holidays()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            matrix: levels.matrix.table,
            pause_on: HoldReason::ALL.map(|r| levels.policy.pause_on.contains(&r)),
        }
    }

    /// The version `version` these values make; every mistake is listed, in
    /// the form's order.
    pub fn parse(&self, version: u32) -> Result<ServiceLevels, Vec<LevelsError>> {
        let mut errors = Vec::new();
        let mut targets = [None; 4];
        for (i, priority) in Priority::ALL.into_iter().enumerate() {
            let first = minutes(&self.first_response[i], priority, "first response");
            let resolution = minutes(&self.resolution[i], priority, "resolution");
            match (first, resolution) {
                (Ok(first), Ok(resolution)) if resolution < first => {
                    errors.push(LevelsError::ResolutionBeforeResponse {
                        priority,
                        first: first.get(),
                        resolution: resolution.get(),
                    })
                }
                (Ok(first), Ok(resolution)) => {
                    targets[i] = Some(Targets {
                        first_response_minutes: first,
                        resolution_minutes: resolution,
                    })
                }
                (first, resolution) => {
                    errors.extend(first.err().into_iter().chain(resolution.err()))
                }
            }
        }
        let mut week = [None; 7];
        for (day, hours) in Weekday::ALL.into_iter().zip(&self.week) {
            let Some((open, close)) = hours else { continue };
            let name = day_name(day);
            let time = |text: &str| {
                parse_clock(text).ok_or_else(|| LevelsError::TimeFormat {
                    day: name,
                    text: text.trim().to_owned(),
                })
            };
            match (time(open), time(close)) {
                (Ok(o), Ok(c)) => match Hours::new(o, c) {
                    Ok(h) => week[day.index()] = Some(h),
                    Err(error) => errors.push(LevelsError::Hours { day: name, error }),
                },
                (o, c) => errors.extend(o.err().into_iter().chain(c.err())),
            }
        }
        let offset = parse_offset(&self.utc_offset);
        if offset.is_none() {
            errors.push(LevelsError::OffsetFormat(self.utc_offset.trim().to_owned()));
        }
        let mut holidays = Vec::new();
        for text in self
            .holidays
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            match text.parse::<Date>() {
                Ok(date) => holidays.push(date),
                Err(error) => errors.push(LevelsError::Holiday {
                    text: text.to_owned(),
                    error,
                }),
            }
        }
        let calendar = offset.map(|o| BusinessCalendar::new(o, week, holidays));
        let pause_on = HoldReason::ALL
            .into_iter()
            .zip(self.pause_on)
            .filter_map(|(reason, pauses)| pauses.then_some(reason))
            .collect();
        match (calendar, targets) {
            (Some(Ok(calendar)), [Some(p1), Some(p2), Some(p3), Some(p4)]) if errors.is_empty() => {
                Ok(ServiceLevels {
                    version,
                    policy: SlaPolicy {
                        version,
                        targets: [p1, p2, p3, p4],
                        pause_on,
                    },
                    calendar,
                    matrix: PriorityMatrix {
                        version,
                        table: self.matrix,
                    },
                })
            }
            (Some(Err(e)), _) => {
                errors.push(LevelsError::Offset(e));
                Err(errors)
            }
            _ => Err(errors),
        }
    }
}

/// The version that stands among every published one (of all of a site's
/// service-level documents): the highest number. Versions published
/// concurrently with the same number are all kept: the first is shown, the others
/// are its contested values until someone publishes the next. `None` if nothing
/// was published: the site counts on [`ServiceLevels::standard`].
pub fn standing(
    published: impl IntoIterator<Item = ServiceLevels>,
) -> Option<Contested<ServiceLevels>> {
    let all: Vec<ServiceLevels> = published.into_iter().collect();
    let top = all.iter().map(|l| l.version).max()?;
    let mut highest = all.into_iter().filter(|l| l.version == top);
    let value = highest.next()?;
    let mut others: Vec<ServiceLevels> = Vec::new();
    for other in highest {
        if other != value && !others.contains(&other) {
            others.push(other);
        }
    }
    Some(Contested { value, others })
}

/// The number the next publication takes, after every version in `published`.
pub fn next_version<'a>(published: impl IntoIterator<Item = &'a ServiceLevels>) -> u32 {
    published
        .into_iter()
        .map(|l| l.version)
        .max()
        .unwrap_or(1)
        .saturating_add(1)
}

/// The calendar in a line a person reads: runs of weekdays with the same hours,
/// the offset and the number of holidays. "Every day 00:00–24:00, UTC+00:00" is
/// the standard's.
pub fn calendar_words(calendar: &BusinessCalendar) -> String {
    let mut runs: Vec<(Weekday, Weekday, Hours)> = Vec::new();
    for day in Weekday::ALL {
        let Some(hours) = calendar.hours(day) else {
            continue;
        };
        match runs.last_mut() {
            Some((_, last, h)) if *h == hours && last.index() + 1 == day.index() => *last = day,
            _ => runs.push((day, day, hours)),
        }
    }
    let span = |h: Hours| {
        format!(
            "{}–{}",
            clock_text(h.open_minute()),
            clock_text(h.close_minute())
        )
    };
    let mut parts: Vec<String> = match runs.as_slice() {
        [] => vec!["no working hours".to_owned()],
        [(Weekday::Monday, Weekday::Sunday, h)] => vec![format!("Every day {}", span(*h))],
        _ => runs
            .iter()
            .map(|(first, last, h)| match first == last {
                true => format!("{} {}", day_name(*first), span(*h)),
                false => format!("{} to {} {}", day_name(*first), day_name(*last), span(*h)),
            })
            .collect(),
    };
    parts.push(format!("UTC{}", offset_text(calendar.utc_offset_minutes())));
    match calendar.holidays().count() {
        0 => {}
        1 => parts.push("1 holiday".to_owned()),
        n => parts.push(format!("{n} holidays")),
    }
    parts.join(", ")
}

/// Which holds pause the clocks, in a line a person reads, the reasons in the
/// form's order: "Clocks pause while on hold: Awaiting caller, Awaiting vendor",
/// or "Clocks keep running while on hold" when none does.
pub fn pause_words(pause_on: &BTreeSet<HoldReason>) -> String {
    let reasons: Vec<&str> = HoldReason::ALL
        .into_iter()
        .filter(|r| pause_on.contains(r))
        .map(HoldReason::label)
        .collect();
    match reasons.as_slice() {
        [] => "Clocks keep running while on hold".to_owned(),
        _ => format!("Clocks pause while on hold: {}", reasons.join(", ")),
    }
}

/// The weekday as a form names it.
pub fn day_name(day: Weekday) -> &'static str {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ][day.index()]
}

/// `HH:MM` of minutes after midnight (`24:00` is the end of the day).
pub fn clock_text(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `+01:00` of an offset in minutes.
pub fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// `(hour, minute)` of `HH:MM` or `H:MM`; range checks are `Hours::new`'s.
pub fn parse_clock(text: &str) -> Option<(u8, u8)> {
    let (h, m) = text.trim().split_once(':')?;
    let digits =
        |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return None;
    }
    Some((h.parse().ok()?, m.parse().ok()?))
}

/// Minutes of `+01:00`, `-05:30`, `UTC+2`, `0`; `None` if it is not written so.
/// The range is `BusinessCalendar::new`'s to check.
pub fn parse_offset(text: &str) -> Option<i32> {
    let t = text.trim();
    let t = t.strip_prefix("UTC").unwrap_or(t).trim();
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => (1, t),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "00"));
    let ok = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60).then_some(sign * (h * 60 + m))
}

fn minutes(text: &str, priority: Priority, clock: &'static str) -> Result<NonZeroU32, LevelsError> {
    text.trim()
        .parse::<u32>()
        .ok()
        .and_then(NonZeroU32::new)
        .ok_or_else(|| LevelsError::Target {
            priority,
            clock,
            text: text.trim().to_owned(),
        })
}

impl PublishError {
    /// Refuses `version` unless it follows every version in `published`.
    pub fn check<'a>(
        version: u32,
        published: impl IntoIterator<Item = &'a ServiceLevels>,
    ) -> Result<(), PublishError> {
        let next = next_version(published);
        if version < next {
            return Err(PublishError::NotNewer { version, next });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
