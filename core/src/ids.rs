//! Identifiers on the wire and in storage.

use std::fmt;
use std::str::FromStr;

/// A document id: 16 random bytes, written as automerge-repo writes them (bs58check).
///
/// Made on the device from bytes the caller supplies (core has no randomness of its own).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

/// Why a string is not a [`DocumentId`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentIdError {
    #[error("not base58check text")]
    NotBase58Check,
    #[error("a document id is 16 bytes, this one is {0}")]
    WrongLength(usize),
}

impl DocumentId {
    /// A document id from 16 random bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> DocumentId {
        DocumentId(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = DocumentIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // automerge-repo URLs put the id behind `automerge:`; accept both forms.
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        if s.len() > 64 {
            return Err(DocumentIdError::NotBase58Check);
        }
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|_| DocumentIdError::NotBase58Check)?;
        let array: [u8; 16] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| DocumentIdError::WrongLength(bytes.len()))?;
        Ok(DocumentId(array))
    }
}

/// The ephemeral id a peer announces in `join` or `peer`: any non-empty text up to 256 bytes.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct PeerId(String);

/// Why text is not a [`PeerId`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a peer id is 1 to 256 bytes of text")]
pub struct PeerIdError;

impl PeerId {
    pub fn parse(text: impl Into<String>) -> Result<PeerId, PeerIdError> {
        let text = text.into();
        if text.is_empty() || text.len() > 256 {
            return Err(PeerIdError);
        }
        Ok(PeerId(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_id_round_trips_through_text() {
        let id = DocumentId::from_bytes([7; 16]);
        let text = id.to_string();
        assert_eq!(text.parse::<DocumentId>(), Ok(id));
        assert_eq!(format!("automerge:{text}").parse::<DocumentId>(), Ok(id));
    }

    #[test]
    fn document_id_rejects_a_bad_checksum_and_a_wrong_length() {
        let mut text = DocumentId::from_bytes([1; 16]).to_string();
        let last = text.pop().map(|c| if c == '2' { '3' } else { '2' });
        text.extend(last);
        assert_eq!(
            text.parse::<DocumentId>(),
            Err(DocumentIdError::NotBase58Check)
        );
        let short = bs58::encode([1u8; 8]).with_check().into_string();
        assert_eq!(
            short.parse::<DocumentId>(),
            Err(DocumentIdError::WrongLength(8))
        );
    }

    #[test]
    fn peer_id_must_be_short_non_empty_text() {
        assert!(PeerId::parse("").is_err());
        assert!(PeerId::parse("x".repeat(257)).is_err());
        assert_eq!(
            PeerId::parse("tablet-1").map(|p| p.to_string()).ok(),
            Some("tablet-1".into())
        );
    }
}
