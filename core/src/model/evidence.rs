//! Clause references and objective evidence, shared by checklist items, runs,
//! findings and corrective actions.
//!
//! Photos and signatures live outside the documents as blobs addressed by their
//! SHA-256; a record holds only the hash, so evidence is never duplicated by a
//! merge and can be fetched on demand.

use std::fmt;
use std::str::FromStr;

/// A clause of ISO/IEC 20000-1:2018, such as `8.6.1`: two to four numbers, the
/// first between 4 and 10 (the clauses with requirements).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClauseRef(Vec<u8>);

/// Why a clause reference cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a clause of ISO/IEC 20000-1 (write it like 8.6.1, from 4 to 10)")]
pub struct BadClause(pub String);

impl ClauseRef {
    /// The parts, `[8, 6, 1]` for `8.6.1`.
    pub fn parts(&self) -> &[u8] {
        &self.0
    }

    /// The top-level clause, 4 to 10.
    pub fn top(&self) -> u8 {
        self.0[0]
    }
}

impl FromStr for ClauseRef {
    type Err = BadClause;

    fn from_str(s: &str) -> Result<ClauseRef, BadClause> {
        let bad = || BadClause(s.to_owned());
        let parts = s
            .trim()
            .split('.')
            .map(|p| {
                if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                p.parse::<u8>().map_err(|_| bad())
            })
            .collect::<Result<Vec<u8>, BadClause>>()?;
        if parts.is_empty() || parts.len() > 4 || !(4..=10).contains(&parts[0]) {
            return Err(bad());
        }
        if parts[1..].contains(&0) {
            return Err(bad());
        }
        Ok(ClauseRef(parts))
    }
}

impl fmt::Display for ClauseRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The SHA-256 of a blob (photo, signature image), as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlobHash(String);

/// Why a blob hash cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a SHA-256 (64 hexadecimal digits)")]
pub struct BadBlobHash(pub String);

impl BlobHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name of a blob whose SHA-256 digest is `digest`.
    pub fn of_digest(digest: &[u8; 32]) -> BlobHash {
        BlobHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl FromStr for BlobHash {
    type Err = BadBlobHash;

    fn from_str(s: &str) -> Result<BlobHash, BadBlobHash> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(BlobHash(s.to_ascii_lowercase()))
        } else {
            Err(BadBlobHash(s.to_owned()))
        }
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One piece of objective evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Evidence {
    /// A photo, by the hash of its blob, with what it shows.
    Photo { blob: BlobHash, caption: String },
    /// Something seen or said, written down (interview notes, observations).
    Note { text: String },
    /// Another record: a document id, optionally narrowed to a part of it (the
    /// item id of a checklist answer), and a label to show.
    Record {
        document: String,
        item: Option<String>,
        label: String,
    },
}

/// A photo attached to a record (an incident's `attachments`): the blob, what it
/// shows, and when and on which device it was attached. Attachments are only ever
/// added, so devices that attach photos apart never conflict.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Attachment {
    pub blob: BlobHash,
    pub caption: String,
    /// Device time, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The Automerge actor (hex) of the device that attached it.
    pub device: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_parse_and_print_the_same() {
        for s in ["4", "4.1", "8.6.1", "10.2", "8.7.3"] {
            assert_eq!(
                s.parse::<ClauseRef>().map(|c| c.to_string()),
                Ok(s.to_owned())
            );
        }
        assert_eq!("8.6.1".parse::<ClauseRef>().map(|c| c.top()), Ok(8));
    }

    #[test]
    fn clauses_outside_4_to_10_and_malformed_ones_are_refused() {
        for s in [
            "",
            "3.1",
            "11",
            "8..1",
            "8.0",
            "8.6.1.2.3",
            "8.a",
            "x",
            "8.123",
            "-8",
        ] {
            assert!(s.parse::<ClauseRef>().is_err(), "{s:?} was accepted");
        }
    }

    #[test]
    fn clauses_order_numerically_not_as_text() {
        let a: ClauseRef = "8.10".parse().unwrap();
        let b: ClauseRef = "8.9".parse().unwrap();
        assert!(b < a);
    }

    #[test]
    fn blob_hashes_are_64_hex_digits_kept_lowercase() {
        let upper = "A".repeat(64);
        assert_eq!(
            upper.parse::<BlobHash>().map(|h| h.to_string()),
            Ok("a".repeat(64))
        );
        assert!("abc".parse::<BlobHash>().is_err());
        assert!("g".repeat(64).parse::<BlobHash>().is_err());
    }
}
