//! A customer's signature on a resolved incident, and what changed after it.
//!
//! The customer draws on the technician's screen; the picture is a blob named by
//! its SHA-256, outside the document (like a photo). The record keeps who
//! signed, when (device time), on which device, and the document's heads at
//! that moment: the exact version of the record the customer saw. Whatever is
//! in the record now and was not in that version ([`changed_after_signing`]) is
//! shown beside the signature, so a later edit can never pass for signed.
//!
//! Deliberately left out of the comparison: the human reference the server
//! writes on first receipt (an identifier, not content, and usually written
//! after an offline signature reaches the server), and other signatures.

use super::event::Event;
use super::evidence::{Attachment, BlobHash};
use super::incident::{Contested, Incident, Status};
use super::priority::{Impact, Urgency};

/// The name of the person who signed: trimmed, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignerName(String);

/// Why text is not a signer's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerNameError {
    #[error("write the name of the person signing")]
    Empty,
    #[error("a name is at most {max} characters; this one has {len}")]
    TooLong { len: usize, max: usize },
}

impl SignerName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(text: impl AsRef<str>) -> Result<SignerName, SignerNameError> {
        let trimmed = text.as_ref().trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return Err(SignerNameError::Empty);
        }
        if len > Self::MAX_CHARS {
            return Err(SignerNameError::TooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(SignerName(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A signature recorded on an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The picture of the signature (PNG), by the SHA-256 of its bytes.
    pub blob: BlobHash,
    /// Who signed, as written on the device.
    pub signer: String,
    /// Device time of the signing, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The Automerge actor (hex) of the device it was drawn on.
    pub device: String,
    /// The document's heads when the customer signed (hex change hashes): the
    /// version of the record the signature covers.
    pub heads: Vec<String>,
}

/// Why a signature is not taken now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignRefusal {
    #[error("a customer signs a resolved incident; this one is {0}")]
    NotResolved(Status),
}

/// Whether the customer may sign an incident in `status`: only once it is
/// resolved (the signature confirms the resolution), and until it is closed.
pub fn may_sign(status: Status) -> Result<(), SignRefusal> {
    match status {
        Status::Resolved => Ok(()),
        other => Err(SignRefusal::NotResolved(other)),
    }
}

/// One difference between the record as signed and as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeAfterSigning {
    Title {
        signed: String,
        now: Contested<String>,
    },
    Description,
    Impact {
        signed: Impact,
        now: Contested<Impact>,
    },
    Urgency {
        signed: Urgency,
        now: Contested<Urgency>,
    },
    /// An event the signed version did not have (a note, a status change, …).
    Event(Event),
    /// A photo the signed version did not have.
    Photo(Attachment),
}

/// What the record `now` has that the version `signed` (the record at the
/// signature's heads) did not: changed fields first, then events and photos in
/// the order the record lists them. Empty when nothing changed.
///
/// A field counts as changed when its value or its concurrent values differ, so
/// an edit made on another device before the signature reached it (merged
/// later) shows too: the customer never saw it.
pub fn changed_after_signing(signed: &Incident, now: &Incident) -> Vec<ChangeAfterSigning> {
    let mut changes = Vec::new();
    if signed.title != now.title {
        changes.push(ChangeAfterSigning::Title {
            signed: signed.title.value.clone(),
            now: now.title.clone(),
        });
    }
    if signed.description != now.description {
        changes.push(ChangeAfterSigning::Description);
    }
    if signed.impact != now.impact {
        changes.push(ChangeAfterSigning::Impact {
            signed: signed.impact.value,
            now: now.impact.clone(),
        });
    }
    if signed.urgency != now.urgency {
        changes.push(ChangeAfterSigning::Urgency {
            signed: signed.urgency.value,
            now: now.urgency.clone(),
        });
    }
    changes.extend(
        now.events
            .iter()
            .filter(|e| !signed.events.iter().any(|s| s.id == e.id))
            .cloned()
            .map(ChangeAfterSigning::Event),
    );
    changes.extend(
        now.attachments
            .iter()
            .filter(|a| !signed.attachments.iter().any(|s| s.blob == a.blob))
            .cloned()
            .map(ChangeAfterSigning::Photo),
    );
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::EventKind;
    use crate::model::incident::TicketKind;

    fn incident() -> Incident {
        Incident {
            kind: TicketKind::Incident,
            site: "north".into(),
            title: Contested::single("Printer jam".into()),
            description: "Tray 3".into(),
            impact: Contested::single(Impact::parse(2).expect("impact")),
            urgency: Contested::single(Urgency::parse(2).expect("urgency")),
            matrix_version: 1,
            service_levels: None,
            reference: None,
            created_at_ms: 1,
            events: vec![Event {
                id: "a-0".into(),
                kind: EventKind::Created,
                at_ms: 1,
                device: "a".into(),
            }],
            attachments: Vec::new(),
            signatures: Vec::new(),
        }
    }

    #[test]
    fn signer_names_are_trimmed_and_bounded() {
        assert_eq!(
            SignerName::parse("  Ana Ruiz ").map(|n| n.as_str().to_owned()),
            Ok("Ana Ruiz".to_owned())
        );
        assert_eq!(SignerName::parse(" \t"), Err(SignerNameError::Empty));
        assert_eq!(
            SignerName::parse("x".repeat(101)),
            Err(SignerNameError::TooLong { len: 101, max: 100 })
        );
        assert!(SignerName::parse("é".repeat(100)).is_ok());
    }

    #[test]
    fn only_a_resolved_incident_is_signed() {
        assert_eq!(may_sign(Status::Resolved), Ok(()));
        for status in [
            Status::New,
            Status::Assigned,
            Status::InProgress,
            Status::OnHold,
            Status::Closed,
            Status::Cancelled,
            Status::Reopened,
        ] {
            let refused = may_sign(status).expect_err("refused");
            assert_eq!(
                refused.to_string(),
                format!(
                    "a customer signs a resolved incident; this one is {}",
                    status.label()
                )
            );
        }
    }

    #[test]
    fn the_same_record_has_no_change_after_signing_and_the_reference_does_not_count() {
        let signed = incident();
        let mut now = signed.clone();
        now.reference = Some("INC-000007".into());
        assert_eq!(changed_after_signing(&signed, &now), vec![]);
    }

    #[test]
    fn changed_fields_new_events_and_new_photos_are_listed_fields_first() {
        let signed = incident();
        let mut now = signed.clone();
        let note = Event {
            id: "b-1".into(),
            kind: EventKind::WorkNote {
                text: "Came back".into(),
            },
            at_ms: 5,
            device: "b".into(),
        };
        now.events.push(note.clone());
        let photo = Attachment {
            blob: "ab".repeat(32).parse().expect("hash"),
            caption: String::new(),
            at_ms: 6,
            device: "b".into(),
        };
        now.attachments.push(photo.clone());
        now.title = Contested {
            value: "Printer jam, tray 3".into(),
            others: vec!["Printer jam".into()],
        };
        now.description = "Tray 3 and 4".into();
        now.urgency = Contested::single(Urgency::parse(1).expect("urgency"));

        assert_eq!(
            changed_after_signing(&signed, &now),
            vec![
                ChangeAfterSigning::Title {
                    signed: "Printer jam".into(),
                    now: now.title.clone(),
                },
                ChangeAfterSigning::Description,
                ChangeAfterSigning::Urgency {
                    signed: Urgency::parse(2).expect("urgency"),
                    now: Contested::single(Urgency::parse(1).expect("urgency")),
                },
                ChangeAfterSigning::Event(note),
                ChangeAfterSigning::Photo(photo),
            ]
        );
    }
}
