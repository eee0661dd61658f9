//! The incident list: which rows a filter keeps and in what order, from summary
//! rows alone, so the list opens and filters without loading any document.
//!
//! A summary keeps an [`SlaSnapshot`] of the clock that is due first, taken when
//! the record last changed. Between changes a running clock only loses business
//! time, on the calendar of the record's service levels, so the snapshot gives
//! the remaining time at any later moment ([`SlaSnapshot::remaining_at`]) and the
//! list can sort by urgency without recomputing any SLA.

use super::calendar::{business_ms_between, BusinessCalendar};
use super::incident::TicketKind;
use super::sla::{Clock, ClockState, SlaState};

/// The clock of a record that falls due first, as it stood at `at_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SlaSnapshot {
    /// Running, paused, met, breached or cancelled at `at_ms`.
    pub state: SlaSnapshotState,
    /// Whether business time still counts against it.
    pub counting: bool,
    /// Business milliseconds left at `at_ms` (negative once breached).
    pub remaining_ms: i64,
    /// When the snapshot was taken (device time, ms since the Unix epoch).
    pub at_ms: i64,
}

/// [`ClockState`] in a form a summary row can store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SlaSnapshotState {
    Running,
    Paused,
    Met,
    Breached,
    Cancelled,
}

/// The SLA states a person filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaFilter {
    /// Still counting and within target.
    Running,
    Paused,
    Breached,
    /// Stopped (met or cancelled): nothing left to chase.
    Stopped,
}

impl SlaSnapshot {
    /// The snapshot of whichever of the two clocks falls due first: the first
    /// response while it still counts, else the resolution clock.
    pub fn of(sla: &SlaState, at_ms: i64) -> SlaSnapshot {
        let clock = match (&sla.first_response, &sla.resolution) {
            (first, resolution)
                if first.counting && first.remaining_ms <= resolution.remaining_ms =>
            {
                first
            }
            (_, resolution) => resolution,
        };
        SlaSnapshot::of_clock(clock, at_ms)
    }

    fn of_clock(clock: &Clock, at_ms: i64) -> SlaSnapshot {
        SlaSnapshot {
            state: match clock.state {
                ClockState::Running => SlaSnapshotState::Running,
                ClockState::Paused => SlaSnapshotState::Paused,
                ClockState::Met => SlaSnapshotState::Met,
                ClockState::Breached => SlaSnapshotState::Breached,
                ClockState::Cancelled => SlaSnapshotState::Cancelled,
            },
            counting: clock.counting,
            remaining_ms: clock.remaining_ms,
            at_ms,
        }
    }

    /// Business milliseconds left at `now_ms`.
    pub fn remaining_at(&self, calendar: &BusinessCalendar, now_ms: i64) -> i64 {
        if self.counting {
            self.remaining_ms - business_ms_between(calendar, self.at_ms, now_ms)
        } else {
            self.remaining_ms
        }
    }

    /// The state at `now_ms`: a running clock whose time ran out is breached.
    pub fn state_at(&self, calendar: &BusinessCalendar, now_ms: i64) -> SlaSnapshotState {
        match self.state {
            SlaSnapshotState::Running if self.remaining_at(calendar, now_ms) < 0 => {
                SlaSnapshotState::Breached
            }
            state => state,
        }
    }
}

/// One record as the list sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    /// Incident or service request.
    pub kind: TicketKind,
    pub title: &'a str,
    pub reference: Option<&'a str>,
    /// The status label (`New`, `In progress`, …).
    pub status: &'a str,
    /// 1 (P1) to 4 (P4).
    pub priority: u8,
    pub assignee: Option<&'a str>,
    pub site: &'a str,
    pub sla: Option<SlaSnapshot>,
    /// The calendar the record's clocks count on (its service-levels version's),
    /// to carry the snapshot forward.
    pub calendar: &'a BusinessCalendar,
    pub created_at_ms: i64,
    /// What a text search looks in, made once per row by [`search_text`].
    pub search: &'a str,
}

/// The text a search looks in: title and reference, in lower case. Made once per
/// row, not per keystroke.
pub fn search_text(title: &str, reference: Option<&str>) -> String {
    format!("{} {}", title, reference.unwrap_or_default()).to_lowercase()
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    /// Breached first (most overdue first), then by time left; paused and
    /// stopped clocks after every running one.
    #[default]
    SlaUrgency,
    /// P1 first, newest first within a priority.
    Priority,
    Newest,
}

/// What a person asked the list for. Empty fields keep every row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Only incidents, or only service requests.
    pub kind: Option<TicketKind>,
    pub status: Option<String>,
    pub priority: Option<u8>,
    pub assignee: Option<String>,
    pub site: Option<String>,
    pub sla: Option<SlaFilter>,
    /// Words that must all appear in the title or reference, in any case.
    pub text: String,
    pub sort: Sort,
}

/// The indexes of `rows` that `query` keeps, in its order, as of `now_ms`.
pub fn select(rows: &[Row<'_>], query: &Query, now_ms: i64) -> Vec<usize> {
    let words: Vec<String> = query
        .text
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut kept: Vec<(usize, UrgencyKey)> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| keeps(row, query, &words, now_ms))
        .map(|(i, row)| (i, urgency(row, now_ms)))
        .collect();
    match query.sort {
        Sort::SlaUrgency => kept.sort_by(|(a, ka), (b, kb)| {
            ka.cmp(kb).then_with(|| newest_first(&rows[*a], &rows[*b]))
        }),
        Sort::Priority => kept.sort_by(|(a, _), (b, _)| {
            rows[*a]
                .priority
                .cmp(&rows[*b].priority)
                .then_with(|| newest_first(&rows[*a], &rows[*b]))
        }),
        Sort::Newest => kept.sort_by(|(a, _), (b, _)| newest_first(&rows[*a], &rows[*b])),
    }
    kept.into_iter().map(|(i, _)| i).collect()
}

fn keeps(row: &Row<'_>, query: &Query, words: &[String], now_ms: i64) -> bool {
    let calendar = row.calendar;
    if query.kind.is_some_and(|k| k != row.kind)
        || query.status.as_deref().is_some_and(|s| s != row.status)
        || query.priority.is_some_and(|p| p != row.priority)
        || query.site.as_deref().is_some_and(|s| s != row.site)
        || query
            .assignee
            .as_deref()
            .is_some_and(|a| row.assignee != Some(a))
    {
        return false;
    }
    if let Some(filter) = query.sla {
        let state = row.sla.map(|s| s.state_at(calendar, now_ms));
        let matches = match filter {
            SlaFilter::Running => state == Some(SlaSnapshotState::Running),
            SlaFilter::Paused => state == Some(SlaSnapshotState::Paused),
            SlaFilter::Breached => state == Some(SlaSnapshotState::Breached),
            SlaFilter::Stopped => matches!(
                state,
                Some(SlaSnapshotState::Met | SlaSnapshotState::Cancelled)
            ),
        };
        if !matches {
            return false;
        }
    }
    words.iter().all(|w| row.search.contains(w.as_str()))
}

/// Lower sorts first: (band, time left).
type UrgencyKey = (u8, i64);

fn urgency(row: &Row<'_>, now_ms: i64) -> UrgencyKey {
    let Some(sla) = row.sla else {
        return (4, 0);
    };
    let calendar = row.calendar;
    let remaining = sla.remaining_at(calendar, now_ms);
    match sla.state_at(calendar, now_ms) {
        SlaSnapshotState::Breached if sla.counting => (0, remaining),
        SlaSnapshotState::Running => (1, remaining),
        SlaSnapshotState::Paused => (2, remaining),
        SlaSnapshotState::Breached => (3, remaining),
        SlaSnapshotState::Met | SlaSnapshotState::Cancelled => (4, 0),
    }
}

fn newest_first(a: &Row<'_>, b: &Row<'_>) -> std::cmp::Ordering {
    b.created_at_ms.cmp(&a.created_at_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;
    static ALWAYS: std::sync::LazyLock<BusinessCalendar> =
        std::sync::LazyLock::new(BusinessCalendar::always);

    fn snapshot(state: SlaSnapshotState, counting: bool, remaining_ms: i64) -> SlaSnapshot {
        SlaSnapshot {
            state,
            counting,
            remaining_ms,
            at_ms: 0,
        }
    }

    fn row(title: &'static str, sla: Option<SlaSnapshot>, created_at_ms: i64) -> Row<'static> {
        Row {
            kind: TicketKind::Incident,
            title,
            reference: None,
            status: "New",
            priority: 3,
            assignee: None,
            site: "north",
            sla,
            calendar: &ALWAYS,
            created_at_ms,
            search: "",
        }
    }

    fn titles(rows: &[Row<'_>], query: &Query, now_ms: i64) -> Vec<String> {
        select(rows, query, now_ms)
            .into_iter()
            .map(|i| rows[i].title.to_owned())
            .collect()
    }

    #[test]
    fn urgency_puts_overdue_first_then_least_time_left_then_paused_then_stopped() {
        use SlaSnapshotState as S;
        let rows = [
            row("met", Some(snapshot(S::Met, false, 5 * HOUR)), 1),
            row("paused", Some(snapshot(S::Paused, false, HOUR)), 2),
            row(
                "four hours left",
                Some(snapshot(S::Running, true, 4 * HOUR)),
                3,
            ),
            row("overdue", Some(snapshot(S::Breached, true, -HOUR)), 4),
            row(
                "two hours left",
                Some(snapshot(S::Running, true, 2 * HOUR)),
                5,
            ),
            row("no clock", None, 6),
        ];
        assert_eq!(
            titles(&rows, &Query::default(), 0),
            [
                "overdue",
                "two hours left",
                "four hours left",
                "paused",
                "no clock",
                "met"
            ]
        );
    }

    #[test]
    fn time_passing_turns_a_running_clock_into_a_breach_without_new_events() {
        use SlaSnapshotState as S;
        let running = snapshot(S::Running, true, 2 * HOUR);
        let calendar = BusinessCalendar::always();
        assert_eq!(running.state_at(&calendar, HOUR), S::Running);
        assert_eq!(running.remaining_at(&calendar, HOUR), HOUR);
        assert_eq!(running.state_at(&calendar, 3 * HOUR), S::Breached);
        let paused = snapshot(S::Paused, false, 2 * HOUR);
        assert_eq!(paused.remaining_at(&calendar, 10 * HOUR), 2 * HOUR);

        let rows = [row("soon", Some(running), 1)];
        let breached = Query {
            sla: Some(SlaFilter::Breached),
            ..Query::default()
        };
        assert!(titles(&rows, &breached, HOUR).is_empty());
        assert_eq!(titles(&rows, &breached, 3 * HOUR), ["soon"]);
    }

    #[test]
    fn the_kind_filter_keeps_incidents_or_service_requests() {
        let mut laptop = row("New laptop for Ana", None, 2);
        laptop.kind = TicketKind::ServiceRequest;
        let rows = [row("Printer jam", None, 1), laptop];
        let only = |kind| Query {
            kind: Some(kind),
            ..Query::default()
        };
        assert_eq!(
            titles(&rows, &only(TicketKind::ServiceRequest), 0),
            ["New laptop for Ana"]
        );
        assert_eq!(
            titles(&rows, &only(TicketKind::Incident), 0),
            ["Printer jam"]
        );
        assert_eq!(titles(&rows, &Query::default(), 0).len(), 2);
    }

    #[test]
    fn text_search_needs_every_word_in_title_or_reference_in_any_case() {
        let printer_text = search_text("Label printer offline", Some("INC-000003"));
        let wifi_text = search_text("Wi-Fi down in warehouse B", None);
        let mut printer = row("Label printer offline", None, 1);
        printer.reference = Some("INC-000003");
        printer.search = &printer_text;
        let mut wifi = row("Wi-Fi down in warehouse B", None, 2);
        wifi.search = &wifi_text;
        let rows = [printer, wifi];
        let search = |text: &str| Query {
            text: text.to_owned(),
            ..Query::default()
        };
        assert_eq!(
            titles(&rows, &search("PRINTER off"), 0),
            ["Label printer offline"]
        );
        assert_eq!(
            titles(&rows, &search("inc-000003"), 0),
            ["Label printer offline"]
        );
        assert!(titles(&rows, &search("printer warehouse"), 0).is_empty());
        assert_eq!(titles(&rows, &search("  "), 0).len(), 2);
    }

    #[test]
    fn filters_combine_and_each_can_exclude() {
        let mut a = row("a", None, 1);
        a.status = "In progress";
        a.priority = 1;
        a.assignee = Some("sam");
        let mut b = row("b", None, 2);
        b.site = "south";
        let rows = [a, b];
        let q = |f: fn(&mut Query)| {
            let mut query = Query::default();
            f(&mut query);
            query
        };
        assert_eq!(
            titles(&rows, &q(|q| q.status = Some("In progress".into())), 0),
            ["a"]
        );
        assert_eq!(titles(&rows, &q(|q| q.priority = Some(1)), 0), ["a"]);
        assert_eq!(
            titles(&rows, &q(|q| q.assignee = Some("sam".into())), 0),
            ["a"]
        );
        assert_eq!(
            titles(&rows, &q(|q| q.site = Some("south".into())), 0),
            ["b"]
        );
        assert!(titles(
            &rows,
            &q(|q| {
                q.site = Some("south".into());
                q.priority = Some(1);
            }),
            0
        )
        .is_empty());
    }

    #[test]
    fn priority_and_newest_orders() {
        let mut p1 = row("old p1", None, 1);
        p1.priority = 1;
        let rows = [row("new p3", None, 9), p1, row("mid p3", None, 5)];
        let by = |sort| Query {
            sort,
            ..Query::default()
        };
        assert_eq!(
            titles(&rows, &by(Sort::Priority), 0),
            ["old p1", "new p3", "mid p3"]
        );
        assert_eq!(
            titles(&rows, &by(Sort::Newest), 0),
            ["new p3", "mid p3", "old p1"]
        );
    }
}
