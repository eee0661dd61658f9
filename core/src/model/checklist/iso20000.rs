//! The ISO/IEC 20000-1:2018 internal audit checklist shipped with Fieldbook.
//!
//! One section per clause with requirements (4 to 10). The questions are our
//! own plain wording of what an internal auditor asks, not the standard's text;
//! each names the clause it checks. Most are yes / no / n-a, scoring a point
//! for yes and flagging no (a flagged answer suggests a finding); a few ask for
//! a figure, a date, a note or a photo as objective evidence.
//!
//! The data sits in tables below rather than in a JSON file so that core needs
//! no JSON parser; [`iso20000_internal_audit`] runs it through
//! [`Template::parse`], so the shipped template obeys the same rules as any other.

use super::spec::{ItemSpec, KindSpec, SectionSpec, TemplateSpec};
use super::{Template, TemplateStatus};

/// The key of the shipped internal audit template.
pub const KEY: &str = "iso20000-internal-audit";

/// How a question is answered.
#[derive(Clone, Copy)]
enum Ask {
    /// Yes scores 1, no is flagged.
    YesNo,
    /// A count, at least zero; `flag_above` flags a count above it.
    Count {
        flag_above: Option<f64>,
    },
    Text,
    Date,
    Photo,
    Instruction,
}

/// (item id, clause, weight, how it is answered, prompt, guidance)
type Question = (
    &'static str,
    &'static str,
    u32,
    Ask,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const SECTIONS: [(&str, &[Question]); 7] = [
    ("4 Context of the organization", &[
        ("c4-scope-agreed", "", 0, Ask::Instruction, "Agree the audit scope with the auditee before you start, and note who you interview in each item's note.", ""),
        ("c4-issues", "4.1", 1, Ask::YesNo, "Are the internal and external issues that affect the service management system identified and kept up to date?", "Ask when they were last reviewed and what changed."),
        ("c4-parties", "4.2", 1, Ask::YesNo, "Are the interested parties and what they require of the services identified?", "Customers, users, suppliers, regulators, internal teams."),
        ("c4-scope", "4.3", 2, Ask::YesNo, "Is the scope of the service management system written down, naming the services and who delivers them?", ""),
        ("c4-scope-services", "4.3", 0, Ask::Text, "Which services does the scope document name?", "Copy the list as written."),
        ("c4-processes", "4.4", 1, Ask::YesNo, "Are the processes of the service management system and how they interact described?", "A process map or an equivalent description."),
    ]),
    ("5 Leadership", &[
        ("c5-involvement", "5.1", 1, Ask::YesNo, "Can top management show how it takes part in the service management system?", "Minutes, decisions on resources, attendance at reviews."),
        ("c5-policy", "5.2", 2, Ask::YesNo, "Is there a service management policy approved by top management?", ""),
        ("c5-policy-known", "5.2", 1, Ask::YesNo, "Do the staff you interviewed know where the policy is and what it asks of them?", "Ask at least two people outside management."),
        ("c5-policy-commitments", "5.2", 1, Ask::YesNo, "Does the policy commit to meeting service requirements and to continual improvement?", ""),
        ("c5-roles", "5.3", 1, Ask::YesNo, "Are responsibilities and authorities for the service management system assigned and known to the people who hold them?", ""),
        ("c5-owner", "5.3", 0, Ask::Text, "Who is responsible for the service management system as a whole?", "Name and role."),
    ]),
    ("6 Planning", &[
        ("c6-risks", "6.1", 2, Ask::YesNo, "Are risks and opportunities for the service management system and the services identified and assessed?", "Look at the risk register and its last review."),
        ("c6-risk-actions", "6.1", 1, Ask::YesNo, "Are actions planned for those risks, and is it checked whether the actions worked?", ""),
        ("c6-open-risks", "6.1", 0, Ask::Count { flag_above: None }, "How many risks are open in the risk register today?", ""),
        ("c6-objectives", "6.2", 1, Ask::YesNo, "Are service management objectives set, measurable and monitored?", ""),
        ("c6-objective-plans", "6.2", 1, Ask::YesNo, "For each objective, is it clear what will be done, by whom, by when and how the result is judged?", ""),
        ("c6-sms-plan", "6.3", 1, Ask::YesNo, "Is there a plan for the service management system covering its objectives, resources, responsibilities and monitoring?", ""),
    ]),
    ("7 Support of the service management system", &[
        ("c7-resources", "7.1", 1, Ask::YesNo, "Are the people, tools, information and budget the services need determined and provided?", ""),
        ("c7-competence", "7.2", 1, Ask::YesNo, "Are competence needs defined for roles that affect the services, with training records kept?", "Sample two or three people's records."),
        ("c7-awareness", "7.3", 1, Ask::YesNo, "Do staff know how their work contributes and what happens when the agreed processes are not followed?", ""),
        ("c7-communication", "7.4", 1, Ask::YesNo, "Is it agreed what is communicated about the service management system, when, to whom and by whom?", ""),
        ("c7-documents", "7.5", 2, Ask::YesNo, "Are documents controlled: approved, versioned, available where they are needed and protected?", ""),
        ("c7-records", "7.5", 1, Ask::YesNo, "Are records such as incidents, changes and audit reports kept and protected from unintended change?", ""),
        ("c7-document-register", "7.5", 0, Ask::Photo, "Take a photo of the document register or its index page.", ""),
        ("c7-knowledge", "7.6", 1, Ask::YesNo, "Is there knowledge, kept current, that staff use to deliver and support the services?", "A knowledge base, runbooks, known-error records."),
    ]),
    ("8 Operation of the service management system", &[
        ("c8-planning", "8.1", 1, Ask::YesNo, "Are the operational processes planned and controlled, with records showing they ran as planned?", ""),
        ("c8-catalogue", "8.2.4", 1, Ask::YesNo, "Is there a service catalogue describing each service, its intended outcomes and its dependencies?", ""),
        ("c8-configuration", "8.2.6", 1, Ask::YesNo, "Are configuration items recorded with what is needed to manage them, and is the record checked for accuracy?", ""),
        ("c8-sla", "8.3.3", 2, Ask::YesNo, "Are there service level agreements whose targets are measured and reported?", ""),
        ("c8-suppliers", "8.3.4", 1, Ask::YesNo, "Is each external supplier's performance monitored against its contract and reviewed?", ""),
        ("c8-capacity", "8.4.3", 1, Ask::YesNo, "Is capacity planned from current and expected demand?", ""),
        ("c8-changes", "8.5.1", 2, Ask::YesNo, "Are changes recorded, assessed for risk and impact, approved, and reviewed after they are made?", "Sample three recent changes."),
        ("c8-incidents", "8.6.1", 2, Ask::YesNo, "Is there a documented incident management procedure including priority by impact and urgency?", ""),
        ("c8-incident-sample", "8.6.1", 0, Ask::Count { flag_above: Some(2.0) }, "Of ten closed incidents sampled, how many missed their resolution target?", "More than two is flagged."),
        ("c8-problems", "8.6.3", 1, Ask::YesNo, "Are problems identified, their root causes analysed and known errors recorded?", ""),
        ("c8-continuity", "8.7.2", 1, Ask::YesNo, "Is the service continuity plan tested at planned intervals, with the results recorded?", ""),
        ("c8-security", "8.7.3", 1, Ask::YesNo, "Are information security controls assessed and their effectiveness reviewed?", ""),
    ]),
    ("9 Performance evaluation", &[
        ("c9-measures", "9.1", 1, Ask::YesNo, "Is it decided what is monitored and measured, how, when, and who analyses the results?", ""),
        ("c9-results", "9.1", 1, Ask::YesNo, "Are service performance results analysed and compared with their targets?", ""),
        ("c9-programme", "9.2", 2, Ask::YesNo, "Is there an internal audit programme that covers every process at planned intervals?", ""),
        ("c9-impartial", "9.2", 1, Ask::YesNo, "Are auditors chosen so that nobody audits their own work?", ""),
        ("c9-review", "9.3", 2, Ask::YesNo, "Does top management review the service management system at planned intervals, with its inputs and decisions recorded?", ""),
        ("c9-last-review", "9.3", 0, Ask::Date, "When was the last management review held?", "The date on its minutes."),
        ("c9-reports", "9.4", 1, Ask::YesNo, "Are service reports produced and shared with interested parties as agreed?", ""),
    ]),
    ("10 Improvement", &[
        ("c10-correction", "10.1", 1, Ask::YesNo, "When a nonconformity is found, is it corrected and are its consequences dealt with?", ""),
        ("c10-causes", "10.1", 2, Ask::YesNo, "Are the causes of nonconformities analysed, and corrective actions checked for effectiveness?", ""),
        ("c10-records", "10.1", 1, Ask::YesNo, "Are nonconformities and corrective actions recorded with their results?", ""),
        ("c10-overdue", "10.1", 0, Ask::Count { flag_above: Some(0.0) }, "How many corrective actions are past their due date?", "Any overdue action is flagged."),
        ("c10-opportunities", "10.2", 1, Ask::YesNo, "Are opportunities for improvement collected, evaluated and prioritised against criteria?", ""),
        ("c10-improvement-results", "10.2", 1, Ask::YesNo, "Are the results of improvements measured against what they set out to achieve?", ""),
        ("c10-since-last", "10.2", 0, Ask::Text, "What improvement was made since the last internal audit?", ""),
    ]),
];

/// The shipped internal audit template, version 1, published.
pub fn iso20000_internal_audit() -> Template {
    let sections = SECTIONS
        .iter()
        .map(|(title, questions)| SectionSpec {
            title: (*title).to_owned(),
            items: questions.iter().map(item).collect(),
        })
        .collect();
    let spec = TemplateSpec {
        key: KEY.to_owned(),
        version: 1,
        title: "ISO/IEC 20000-1:2018 internal audit".to_owned(),
        purpose: "Checks each clause of the service management system standard during an \
                  internal audit; a flagged answer suggests a finding."
            .to_owned(),
        clauses: (4..=10).map(|c: u8| c.to_string()).collect(),
        pass_mark: Some(80),
        sections,
    };
    match Template::parse(spec) {
        Ok(template) => template.with_status(TemplateStatus::Published),
        // The tables are constants and a unit test parses them.
        Err(error) => unreachable!("the shipped template does not parse: {error}"),
    }
}

fn item(&(id, clause, weight, ask, prompt, guidance): &Question) -> ItemSpec {
    let kind = match ask {
        Ask::YesNo => KindSpec::yes_no(),
        Ask::Count { flag_above } => KindSpec::Number {
            min: Some(0.0),
            max: flag_above,
        },
        Ask::Text => KindSpec::Text,
        Ask::Date => KindSpec::Date,
        Ask::Photo => KindSpec::Photo,
        Ask::Instruction => KindSpec::Instruction,
    };
    ItemSpec {
        id: id.to_owned(),
        kind,
        prompt: prompt.to_owned(),
        guidance: guidance.to_owned(),
        required: matches!(ask, Ask::YesNo),
        clause: (!clause.is_empty()).then(|| clause.to_owned()),
        weight,
    }
}
