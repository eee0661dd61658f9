//! Parsing templates, versioning them, and the shipped internal audit template.

use std::collections::BTreeSet;

use super::*;

fn option(value: &str, score: u32, flag: bool) -> ChoiceOption {
    ChoiceOption {
        value: value.into(),
        label: value.to_uppercase(),
        outcome: Outcome { score, flag },
    }
}

pub(crate) fn small_spec() -> TemplateSpec {
    let mut number = ItemSpec::yes_no("temp", "Server room temperature (°C)");
    number.kind = KindSpec::Number {
        min: Some(18.0),
        max: Some(27.0),
    };
    number.weight = 0;
    let mut choice = ItemSpec::yes_no("backup", "How are backups checked?");
    choice.kind = KindSpec::SingleChoice(vec![
        option("restore-test", 2, false),
        option("log-review", 1, false),
        option("not-checked", 0, true),
    ]);
    choice.clause = Some("8.7.2".into());
    choice.weight = 2;
    TemplateSpec {
        key: "site-inspection".into(),
        version: 1,
        title: " Site inspection ".into(),
        purpose: "Monthly walk-through".into(),
        clauses: vec!["8.7".into()],
        pass_mark: Some(75),
        sections: vec![
            SectionSpec {
                title: "Room".into(),
                items: vec![ItemSpec::yes_no("door", "Is the door locked?"), number],
            },
            SectionSpec {
                title: "Backups".into(),
                items: vec![choice],
            },
        ],
    }
}

#[test]
fn a_spec_parses_into_a_trimmed_draft_and_back() {
    let template = Template::parse(small_spec()).unwrap();
    assert_eq!(template.status(), TemplateStatus::Draft);
    assert_eq!(template.title(), "Site inspection");
    assert_eq!(template.items().count(), 3);
    let backup: ItemId = "backup".parse().unwrap();
    assert_eq!(template.item(&backup).map(Item::max_outcome), Some(2));
    let mut expected = small_spec();
    expected.title = "Site inspection".into();
    assert_eq!(template.to_spec(), expected);
}

#[test]
fn bad_specs_are_refused_with_what_is_wrong() {
    let refuse = |change: fn(&mut TemplateSpec)| {
        let mut spec = small_spec();
        change(&mut spec);
        Template::parse(spec).expect_err("refused")
    };
    assert_eq!(
        refuse(|s| s.sections[1].items[0].id = "door".into()),
        TemplateError::DuplicateItem("door".parse().unwrap())
    );
    assert!(matches!(
        refuse(|s| s.sections[0].items[1].kind = KindSpec::Number {
            min: Some(30.0),
            max: Some(20.0)
        }),
        TemplateError::BadKind {
            error: KindError::BoundsReversed { .. },
            ..
        }
    ));
    assert!(matches!(
        refuse(|s| s.sections[1].items[0].kind = KindSpec::MultipleChoice(vec![])),
        TemplateError::BadKind {
            error: KindError::NoOptions,
            ..
        }
    ));
    assert!(matches!(
        refuse(|s| s.sections[1].items[0].kind =
            KindSpec::SingleChoice(vec![option("a", 1, false), option("a", 0, true)])),
        TemplateError::BadKind {
            error: KindError::DuplicateOption(_),
            ..
        }
    ));
    assert!(matches!(
        refuse(|s| s.sections[0].items[0].id = "has space".into()),
        TemplateError::BadItemId(_)
    ));
    assert!(matches!(
        refuse(|s| s.sections[0].items[0].prompt = "  ".into()),
        TemplateError::MissingPrompt(_)
    ));
    assert!(matches!(
        refuse(|s| s.clauses.push("3.1".into())),
        TemplateError::BadClause(_)
    ));
    assert_eq!(refuse(|s| s.version = 0), TemplateError::ZeroVersion);
    assert_eq!(refuse(|s| s.title.clear()), TemplateError::MissingTitle);
    assert_eq!(
        refuse(|s| s.pass_mark = Some(101)),
        TemplateError::PassMarkOver100(101)
    );
    assert!(matches!(
        refuse(|s| s.key = "Site Inspection".into()),
        TemplateError::BadKey(_)
    ));
    assert_eq!(
        refuse(|s| s.sections.iter_mut().for_each(|s| s
            .items
            .iter_mut()
            .for_each(|i| i.kind = KindSpec::Instruction))),
        TemplateError::NothingToAnswer
    );
}

#[test]
fn a_draft_is_edited_in_place() {
    let draft = Template::parse(small_spec()).unwrap();
    let mut spec = draft.to_spec();
    spec.title = "Site inspection (monthly)".into();
    let edited = draft.edit(spec).unwrap();
    assert_eq!(edited.title(), "Site inspection (monthly)");
    assert_eq!(edited.version(), 1);
    let mut moved = draft.to_spec();
    moved.version = 2;
    assert_eq!(draft.edit(moved), Err(VersionError::KeyOrVersionChanged));
    assert_eq!(draft.next_version(), Err(VersionError::StillDraft(1)));
}

#[test]
fn a_published_version_is_never_edited_but_yields_the_next_draft() {
    let published = Template::parse(small_spec())
        .unwrap()
        .with_status(TemplateStatus::Published);
    let refused = published.edit(published.to_spec()).expect_err("fixed");
    assert_eq!(
        refused.to_string(),
        "version 1 of “site-inspection” is published and cannot change; edit a new version"
    );
    let next = published.next_version().unwrap();
    assert_eq!((next.version(), next.status()), (2, TemplateStatus::Draft));
    assert_eq!(next.sections(), published.sections());
    let mut spec = next.to_spec();
    spec.sections[0].items.pop();
    assert_eq!(next.edit(spec).unwrap().items().count(), 2);
    let retired = published.with_status(TemplateStatus::Retired);
    assert!(retired.edit(retired.to_spec()).is_err());
    assert_eq!(retired.next_version().map(|t| t.version()), Ok(2));
}

#[test]
fn the_shipped_internal_audit_template_covers_clauses_4_to_10() {
    let template = iso20000_internal_audit();
    assert_eq!(template.status(), TemplateStatus::Published);
    assert_eq!(template.key(), iso20000::KEY);
    assert_eq!(template.sections().len(), 7);
    for (section, clause) in template.sections().iter().zip(4u8..=10) {
        let items = section.items();
        assert!(
            (4..=12).contains(&items.len()),
            "{}: {} items",
            section.title(),
            items.len()
        );
        assert!(section.title().starts_with(&format!("{clause} ")));
        for item in items.iter().filter(|i| i.is_answerable()) {
            assert_eq!(
                item.clause().map(ClauseRef::top),
                Some(clause),
                "{}",
                item.id()
            );
        }
    }
    let ids: BTreeSet<&ItemId> = template.items().map(Item::id).collect();
    assert_eq!(ids.len(), template.items().count(), "ids are unique");
    let tops: BTreeSet<u8> = template.clauses().iter().map(ClauseRef::top).collect();
    assert_eq!(tops, (4..=10).collect());
    let flagged_no = template
        .items()
        .filter(|i| matches!(i.kind(), ItemKind::YesNo { no, .. } if no.flag))
        .count();
    assert!(flagged_no * 2 > template.items().count(), "mostly yes/no");
    assert!(template
        .items()
        .any(|i| i.prompt().contains("priority by impact and urgency")));
    // It survives the round trip through its plain form.
    assert_eq!(
        Template::parse(template.to_spec()).map(|t| t.with_status(TemplateStatus::Published)),
        Ok(template)
    );
}
