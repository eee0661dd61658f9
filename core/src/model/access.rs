//! Who may change which kind of record: the one table the server enforces on
//! every sync message and the app uses to offer or hide editing.
//!
//! A role either writes a kind of record or only reads it; a user sees only the
//! records of their sites whatever their role. Finer rules inside a record (only
//! an auditor classifies a finding, the verifier is neither owner nor action
//! owner) are lifecycle guards in each record's model, evaluated on its event log.

use std::fmt;
use std::str::FromStr;

/// What a person does in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Logs and works incidents and service requests, runs checklists.
    Technician,
    /// Runs internal audits, raises findings, verifies corrective actions.
    Auditor,
    /// Reviews and approves; reads everything at their sites.
    Manager,
    /// Users, sites, SLA policies, checklist templates.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Technician, Role::Auditor, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Technician => "technician",
            Role::Auditor => "auditor",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role (technician, auditor, manager or admin)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// The kind of record a document holds, as written in its `kind` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    /// A site's list of its records.
    Catalog,
    Incident,
    ServiceRequest,
    SlaPolicy,
    ChecklistTemplate,
    ChecklistRun,
    AuditProgramme,
    Audit,
    Finding,
    CorrectiveAction,
}

impl RecordKind {
    pub const ALL: [RecordKind; 10] = [
        RecordKind::Catalog,
        RecordKind::Incident,
        RecordKind::ServiceRequest,
        RecordKind::SlaPolicy,
        RecordKind::ChecklistTemplate,
        RecordKind::ChecklistRun,
        RecordKind::AuditProgramme,
        RecordKind::Audit,
        RecordKind::Finding,
        RecordKind::CorrectiveAction,
    ];

    /// The `kind` field's value in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Catalog => "catalog",
            RecordKind::Incident => "incident",
            RecordKind::ServiceRequest => "service-request",
            RecordKind::SlaPolicy => "sla-policy",
            RecordKind::ChecklistTemplate => "checklist-template",
            RecordKind::ChecklistRun => "checklist-run",
            RecordKind::AuditProgramme => "audit-programme",
            RecordKind::Audit => "audit",
            RecordKind::Finding => "finding",
            RecordKind::CorrectiveAction => "corrective-action",
        }
    }

    /// Parses a `kind` field; `None` for kinds this version does not know.
    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a person with `role` may change records of `kind`. Everyone may read
/// every kind at their sites.
///
/// - Technicians work incidents and service requests, fill checklist runs, answer
///   findings and carry out corrective actions addressed to them.
/// - Auditors write templates, runs, audits and findings and verify corrective
///   actions; they only read incidents and service requests, so an audit never
///   edits the records it examines.
/// - Managers approve and review: incidents, service requests, runs, the audit
///   programme, findings and corrective actions; they do not write templates or
///   audits.
/// - Admins write everything, including SLA policies and templates.
/// - Whoever creates a record lists it in its site's catalog, so every role
///   writes catalogs.
pub fn may_write(role: Role, kind: RecordKind) -> bool {
    use RecordKind as K;
    match role {
        Role::Admin => true,
        Role::Technician => matches!(
            kind,
            K::Catalog
                | K::Incident
                | K::ServiceRequest
                | K::ChecklistRun
                | K::Finding
                | K::CorrectiveAction
        ),
        Role::Auditor => matches!(
            kind,
            K::Catalog
                | K::ChecklistTemplate
                | K::ChecklistRun
                | K::AuditProgramme
                | K::Audit
                | K::Finding
                | K::CorrectiveAction
        ),
        Role::Manager => matches!(
            kind,
            K::Catalog
                | K::Incident
                | K::ServiceRequest
                | K::ChecklistRun
                | K::AuditProgramme
                | K::Finding
                | K::CorrectiveAction
        ),
    }
}

/// The person behind an event or change, as recorded in the record itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Person {
    /// The user's id on the server (stable; names can change).
    pub user_id: String,
    /// Shown in history and on reports.
    pub name: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip_and_unknown_names_are_refused() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("root".parse::<Role>(), Err(UnknownRole("root".to_owned())));
    }

    #[test]
    fn kind_names_round_trip_and_unknown_kinds_are_none() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RecordKind::parse("spreadsheet"), None);
    }

    #[test]
    fn auditors_only_read_the_incidents_they_examine() {
        assert!(!may_write(Role::Auditor, RecordKind::Incident));
        assert!(!may_write(Role::Auditor, RecordKind::ServiceRequest));
        assert!(may_write(Role::Auditor, RecordKind::Finding));
    }

    #[test]
    fn only_admins_write_sla_policies_and_everyone_writes_catalogs() {
        for role in Role::ALL {
            assert_eq!(
                may_write(role, RecordKind::SlaPolicy),
                role == Role::Admin,
                "{role}"
            );
            assert!(may_write(role, RecordKind::Catalog), "{role}");
        }
    }

    #[test]
    fn templates_are_written_by_auditors_and_admins_only() {
        let writers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| may_write(*r, RecordKind::ChecklistTemplate))
            .collect();
        assert_eq!(writers, vec![Role::Auditor, Role::Admin]);
    }
}
