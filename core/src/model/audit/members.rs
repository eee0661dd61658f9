//! Which checklist runs and findings belong to an audit: those its log links,
//! runs that name it, findings that name it, and findings raised from an answer
//! of one of its runs (a finding raised offline from an audit's run is the
//! audit's even before anyone links it).

use super::Standing;

/// A checklist run as the device knows it: its document id and the audit it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunRef<'a> {
    pub id: &'a str,
    pub audit: Option<&'a str>,
}

/// A finding as the device knows it: its document id, the audit it names and
/// the run it was raised from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingRef<'a> {
    pub id: &'a str,
    pub audit: Option<&'a str>,
    pub run: Option<&'a str>,
}

/// The audit's runs and findings by document id: the linked ones first, in
/// the order they were linked (including any not on this device yet), then the
/// others in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    pub runs: Vec<String>,
    pub findings: Vec<String>,
}

/// The runs and findings of the audit in document `audit`, whose log stands at
/// `standing`, among those the device holds.
pub fn members(
    audit: &str,
    standing: &Standing,
    runs: &[RunRef],
    findings: &[FindingRef],
) -> Members {
    let mut found = Members {
        runs: standing.runs.clone(),
        findings: standing.findings.clone(),
    };
    for run in runs.iter().filter(|r| r.audit == Some(audit)) {
        if !found.runs.iter().any(|r| r == run.id) {
            found.runs.push(run.id.to_owned());
        }
    }
    for finding in findings {
        let ours = finding.audit == Some(audit)
            || finding
                .run
                .is_some_and(|run| found.runs.iter().any(|r| r == run));
        if ours && !found.findings.iter().any(|f| f == finding.id) {
            found.findings.push(finding.id.to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workflow::Lifecycle;

    #[test]
    fn linked_named_and_raised_from_its_runs_belong_to_the_audit() {
        let mut standing = Standing::start();
        standing.runs = vec!["linked-run".into()];
        standing.findings = vec!["linked-finding".into()];
        let runs = [
            RunRef {
                id: "linked-run",
                audit: Some("audit"),
            },
            RunRef {
                id: "named-run",
                audit: Some("audit"),
            },
            RunRef {
                id: "other-audit-run",
                audit: Some("other"),
            },
            RunRef {
                id: "plain-run",
                audit: None,
            },
        ];
        let findings = [
            FindingRef {
                id: "linked-finding",
                audit: None,
                run: None,
            },
            FindingRef {
                id: "named",
                audit: Some("audit"),
                run: None,
            },
            FindingRef {
                id: "from-linked-run",
                audit: None,
                run: Some("linked-run"),
            },
            FindingRef {
                id: "from-named-run",
                audit: None,
                run: Some("named-run"),
            },
            FindingRef {
                id: "from-plain-run",
                audit: None,
                run: Some("plain-run"),
            },
            FindingRef {
                id: "of-other",
                audit: Some("other"),
                run: Some("other-audit-run"),
            },
        ];
        let found = members("audit", &standing, &runs, &findings);
        assert_eq!(found.runs, ["linked-run", "named-run"]);
        assert_eq!(
            found.findings,
            [
                "linked-finding",
                "named",
                "from-linked-run",
                "from-named-run"
            ]
        );
    }

    #[test]
    fn a_linked_record_not_on_this_device_is_still_listed() {
        let mut standing = Standing::start();
        standing.runs = vec!["elsewhere".into()];
        let found = members("audit", &standing, &[], &[]);
        assert_eq!(found.runs, ["elsewhere"]);
        assert!(found.findings.is_empty());
    }
}
