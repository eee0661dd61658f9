//! Editing a draft step by step, and finding where a draft is not yet a template.

use super::*;
use crate::model::checklist::tests::small_spec;
use crate::model::checklist::{ItemKind, TemplateStatus};

fn apply(spec: &mut TemplateSpec, edit: SpecEdit) {
    edit.apply(spec).expect("applies");
}

fn item(section: usize, item: usize, change: ItemChange) -> SpecEdit {
    SpecEdit::Item {
        section,
        item,
        change,
    }
}

#[test]
fn sections_are_added_renamed_moved_and_removed() {
    let mut spec = small_spec();
    apply(&mut spec, SpecEdit::AddSection);
    assert_eq!(spec.sections[2].title, "Section 3");
    apply(
        &mut spec,
        SpecEdit::RenameSection {
            section: 2,
            title: "Power".into(),
        },
    );
    apply(
        &mut spec,
        SpecEdit::MoveSection {
            section: 2,
            direction: Direction::Up,
        },
    );
    let titles: Vec<&str> = spec.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Room", "Power", "Backups"]);
    let before = spec.clone();
    assert_eq!(
        SpecEdit::MoveSection {
            section: 0,
            direction: Direction::Up
        }
        .apply(&mut spec),
        Err(EditError::AtEdge("top"))
    );
    assert_eq!(
        SpecEdit::MoveSection {
            section: 2,
            direction: Direction::Down
        }
        .apply(&mut spec),
        Err(EditError::AtEdge("bottom"))
    );
    assert_eq!(
        SpecEdit::RemoveSection { section: 7 }.apply(&mut spec),
        Err(EditError::NoSection(8))
    );
    assert_eq!(spec, before, "a refused edit changes nothing");
    apply(&mut spec, SpecEdit::RemoveSection { section: 1 });
    assert_eq!(spec.sections.len(), 2);
    assert!(Template::parse(spec).is_ok());
}

#[test]
fn a_new_item_gets_an_unused_id_and_is_publishable_once_it_has_a_prompt() {
    let mut spec = small_spec();
    spec.version = 2;
    apply(&mut spec, SpecEdit::AddItem { section: 1 });
    apply(&mut spec, SpecEdit::AddItem { section: 1 });
    let ids: Vec<&str> = spec.sections[1]
        .items
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["backup", "v2-1", "v2-2"]);
    let problem = Problem::of(&spec).expect("no prompt yet");
    assert_eq!(
        problem.place,
        Place::Item {
            section: 1,
            item: 1
        }
    );
    assert_eq!(problem.error.to_string(), "item `v2-1` needs a prompt");
    apply(
        &mut spec,
        SpecEdit::RemoveItem {
            section: 1,
            item: 2,
        },
    );
    apply(
        &mut spec,
        item(
            1,
            1,
            ItemChange::Prompt("Is the restore log signed?".into()),
        ),
    );
    apply(
        &mut spec,
        SpecEdit::MoveItem {
            section: 1,
            item: 1,
            direction: Direction::Up,
        },
    );
    assert_eq!(spec.sections[1].items[0].id, "v2-1");
    assert_eq!(Problem::of(&spec), None);
}

#[test]
fn an_item_takes_a_clause_weight_and_flagged_options() {
    let mut spec = small_spec();
    apply(&mut spec, SpecEdit::AddItem { section: 0 });
    let at = |change| item(0, 2, change);
    apply(
        &mut spec,
        at(ItemChange::Prompt("Fire exits clear?".into())),
    );
    apply(&mut spec, at(ItemChange::Kind(KindName::SingleChoice)));
    apply(&mut spec, at(ItemChange::AddOption));
    apply(
        &mut spec,
        at(ItemChange::OptionLabel {
            option: 2,
            label: "Blocked".into(),
        }),
    );
    apply(
        &mut spec,
        at(ItemChange::Flag {
            option: OptionRef::Choice(2),
            flag: true,
        }),
    );
    apply(
        &mut spec,
        at(ItemChange::Score {
            option: OptionRef::Choice(0),
            score: " 3 ".into(),
        }),
    );
    apply(&mut spec, at(ItemChange::Weight("2".into())));
    apply(&mut spec, at(ItemChange::Clause(" 8.7.3 ".into())));
    apply(
        &mut spec,
        at(ItemChange::Guidance("Walk every exit".into())),
    );
    apply(&mut spec, at(ItemChange::Required(false)));
    let template = Template::parse(spec.clone()).expect("valid");
    let added = template.item(&"v1-1".parse().unwrap()).unwrap();
    assert_eq!(
        added.clause().map(ToString::to_string),
        Some("8.7.3".into())
    );
    assert_eq!((added.weight(), added.required()), (2, false));
    let ItemKind::SingleChoice(options) = added.kind() else {
        panic!("a single choice");
    };
    let blocked = options.get("option-3").unwrap();
    assert_eq!(
        (blocked.label.as_str(), blocked.outcome.flag),
        ("Blocked", true)
    );
    assert_eq!(added.max_outcome(), 3);

    apply(&mut spec, at(ItemChange::Kind(KindName::MultipleChoice)));
    assert!(matches!(&spec.sections[0].items[2].kind, KindSpec::MultipleChoice(o) if o.len() == 3));
    assert_eq!(
        at(ItemChange::Weight("two".into())).apply(&mut spec),
        Err(EditError::NotAWholeNumber {
            field: "The weight",
            text: "two".into()
        })
    );
    assert_eq!(
        at(ItemChange::Min("1".into())).apply(&mut spec),
        Err(EditError::NotANumberItem)
    );
    for _ in 0..2 {
        apply(&mut spec, at(ItemChange::RemoveOption { option: 0 }));
    }
    assert_eq!(
        at(ItemChange::RemoveOption { option: 0 }).apply(&mut spec),
        Err(EditError::LastOption)
    );
}

#[test]
fn number_bounds_are_parsed_and_a_bad_clause_is_placed_at_its_item() {
    let mut spec = small_spec();
    let temp = |change| item(0, 1, change);
    apply(&mut spec, temp(ItemChange::Min("16,5".into())));
    apply(&mut spec, temp(ItemChange::Max("".into())));
    assert_eq!(
        spec.sections[0].items[1].kind,
        KindSpec::Number {
            min: Some(16.5),
            max: None
        }
    );
    assert!(matches!(
        temp(ItemChange::Max("warm".into())).apply(&mut spec),
        Err(EditError::NotANumber { .. })
    ));
    apply(&mut spec, item(1, 0, ItemChange::Clause("12.1".into())));
    let problem = Problem::of(&spec).expect("bad clause");
    assert_eq!(
        problem.place,
        Place::Item {
            section: 1,
            item: 0
        }
    );
    assert_eq!(
        problem.error.to_string(),
        "item `backup`: `12.1` is not a clause of ISO/IEC 20000-1 (write it like 8.6.1, from 4 to 10)"
    );
    apply(
        &mut spec,
        SpecEdit::RenameSection {
            section: 1,
            title: " ".into(),
        },
    );
    apply(&mut spec, item(1, 0, ItemChange::Clause("".into())));
    assert_eq!(Problem::of(&spec).unwrap().place, Place::Section(1));
    apply(&mut spec, SpecEdit::Title("".into()));
    assert_eq!(Problem::of(&spec).unwrap().place, Place::Template);
}

#[test]
fn a_new_template_starts_as_a_valid_draft_under_an_unused_key() {
    let template = TemplateSpec::starter("Server room: weekly check!", &[]).unwrap();
    assert_eq!(template.key(), "server-room-weekly-check");
    assert_eq!(
        (template.version(), template.status()),
        (1, TemplateStatus::Draft)
    );
    assert_eq!(template.items().count(), 1);
    assert_eq!(
        key_for("Server room: weekly check", &["server-room-weekly-check"]),
        "server-room-weekly-check-2"
    );
    assert_eq!(key_for("  ✓✓ ", &[]), "checklist");
    assert_eq!(
        TemplateSpec::starter("  ", &[]),
        Err(TemplateError::MissingTitle)
    );
}
