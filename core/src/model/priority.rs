//! Impact, urgency and the versioned matrix that turns them into a priority.

use std::fmt;

/// How widely an incident affects the business: 1 (extensive) to 4 (minor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Impact(u8);

/// How quickly the business needs it fixed: 1 (critical) to 4 (low).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Urgency(u8);

/// Why a number is not an impact or urgency level.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{what} is a level from 1 to 4, not {value}")]
pub struct LevelError {
    pub what: &'static str,
    pub value: i64,
}

macro_rules! level {
    ($ty:ident, $what:literal, $labels:expr) => {
        impl $ty {
            /// Every level, most severe first.
            pub const ALL: [$ty; 4] = [$ty(1), $ty(2), $ty(3), $ty(4)];

            pub fn parse(value: i64) -> Result<$ty, LevelError> {
                match value {
                    1..=4 => Ok($ty(value as u8)),
                    _ => Err(LevelError { what: $what, value }),
                }
            }

            /// 1 (most severe) to 4.
            pub fn level(self) -> u8 {
                self.0
            }

            /// A word for the level, as the form shows it.
            pub fn label(self) -> &'static str {
                $labels[usize::from(self.0 - 1)]
            }
        }
    };
}

level!(
    Impact,
    "impact",
    ["Extensive", "Significant", "Moderate", "Minor"]
);
level!(Urgency, "urgency", ["Critical", "High", "Medium", "Low"]);

/// P1 (most urgent) to P4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    /// Every priority, most urgent first.
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    /// The priority of a rank from 1 (P1) to 4 (P4).
    pub fn from_rank(rank: i64) -> Option<Priority> {
        Priority::ALL
            .into_iter()
            .find(|p| i64::from(p.rank()) == rank)
    }

    /// 1 for P1 to 4 for P4.
    pub fn rank(self) -> u8 {
        match self {
            Priority::P1 => 1,
            Priority::P2 => 2,
            Priority::P3 => 3,
            Priority::P4 => 4,
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}", self.rank())
    }
}

/// A versioned impact × urgency table. Incidents record the version they were
/// prioritised with, so a later table never silently re-prioritises old records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityMatrix {
    pub version: u32,
    /// `table[impact - 1][urgency - 1]`.
    pub table: [[Priority; 4]; 4],
}

impl PriorityMatrix {
    /// The matrix Fieldbook ships with (version 1).
    pub fn standard() -> PriorityMatrix {
        use Priority::*;
        PriorityMatrix {
            version: 1,
            table: [
                [P1, P1, P2, P3],
                [P1, P2, P3, P3],
                [P2, P3, P3, P4],
                [P3, P3, P4, P4],
            ],
        }
    }

    /// The matrix of a given version, if Fieldbook knows it.
    pub fn by_version(version: u32) -> Option<PriorityMatrix> {
        (version == 1).then(PriorityMatrix::standard)
    }

    pub fn priority(&self, impact: Impact, urgency: Urgency) -> Priority {
        self.table[usize::from(impact.0 - 1)][usize::from(urgency.0 - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_outside_one_to_four_are_refused() {
        assert!(Impact::parse(0).is_err());
        assert!(Urgency::parse(5).is_err());
        assert_eq!(Impact::parse(2).map(Impact::level), Ok(2));
    }

    #[test]
    fn standard_matrix_corners_and_diagonal() {
        let m = PriorityMatrix::standard();
        let p = |i, u| m.priority(Impact(i), Urgency(u));
        assert_eq!(p(1, 1), Priority::P1);
        assert_eq!(p(4, 4), Priority::P4);
        assert_eq!(p(1, 4), Priority::P3);
        assert_eq!(p(4, 1), Priority::P3);
        assert_eq!(p(2, 2), Priority::P2);
        assert_eq!(p(3, 3), Priority::P3);
    }

    #[test]
    fn priority_never_improves_as_impact_or_urgency_worsens() {
        let m = PriorityMatrix::standard();
        for i in Impact::ALL {
            for u in Urgency::ALL {
                if i.0 > 1 {
                    assert!(m.priority(Impact(i.0 - 1), u) <= m.priority(i, u));
                }
                if u.0 > 1 {
                    assert!(m.priority(i, Urgency(u.0 - 1)) <= m.priority(i, u));
                }
            }
        }
    }

    #[test]
    fn only_known_versions_resolve() {
        assert!(PriorityMatrix::by_version(1).is_some());
        assert!(PriorityMatrix::by_version(2).is_none());
    }
}
