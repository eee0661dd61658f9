//! An audit as one file: the export another Fieldbook imports.
//!
//! A bundle holds whole documents and the pictures they name, so what arrives
//! is what left: each document is its full Automerge save (every change, so
//! its history, who did what and the heads a signature covers all survive),
//! and each blob is its bytes under its SHA-256. A small [`Manifest`] says
//! which audit it is, when and by whom it was exported.
//!
//! The file is `MAGIC`, the format version as a CBOR unsigned integer, then a
//! CBOR map:
//!
//! ```text
//! { "manifest":  { "exportedAt": ms, "exportedBy": name, "audit": id, "title": text },
//!   "documents": [ { "id": id, "save": bytes }, … ],
//!   "blobs":     [ { "sha256": hex, "type": "image/jpeg" | "image/png" | "image/webp", "bytes": bytes }, … ] }
//! ```
//!
//! A record's kind is read from its document, never from the file's word.
//! [`Bundle::decode`] takes untrusted bytes and either gives a bundle whose
//! every document loads as an audit, a checklist run, a finding or a corrective
//! action, whose every blob hashes to its name and which holds the audit its
//! manifest names, or a [`BundleError`] that says in words what is wrong with
//! the file. Keys this version does not know are skipped, so a later version
//! may add some without a new format number; one that changes the meaning of
//! what is here raises [`FORMAT_VERSION`].

use std::collections::BTreeSet;
use std::fmt;

use automerge::Automerge;
use minicbor::{Decoder, Encoder};
use sha2::{Digest, Sha256};

use crate::doc::kind_of;
use crate::ids::DocumentId;
use crate::model::access::{may_write, RecordKind, Role};
use crate::model::evidence::BlobHash;
use crate::model::finding::FindingEvent;

/// How every bundle starts.
pub const MAGIC: &[u8] = b"FIELDBOOK-BUNDLE\n";
/// The format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;
/// The largest file [`Bundle::decode`] reads: a browser holds it in memory twice.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024 * 1024;
/// The kinds of record an audit export holds.
pub const KINDS: [RecordKind; 4] = [
    RecordKind::Audit,
    RecordKind::ChecklistRun,
    RecordKind::Finding,
    RecordKind::CorrectiveAction,
];
/// The picture types a blob may have (what the server stores).
pub const BLOB_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// What the file says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Device time of the export, milliseconds since the Unix epoch.
    pub exported_at_ms: i64,
    /// The name of the person who exported it.
    pub exported_by: String,
    /// The audit's document.
    pub audit: DocumentId,
    /// The audit's title when exported.
    pub title: String,
}

/// One record: its document's id and full save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocumentId,
    /// Read from the document itself.
    pub kind: RecordKind,
    /// `Automerge::save()`: every change.
    pub save: Vec<u8>,
}

impl Document {
    /// The document as saved; [`Bundle::decode`] checked that it loads.
    pub fn load(&self) -> Result<Automerge, automerge::AutomergeError> {
        Automerge::load(&self.save)
    }
}

/// A photo or signature picture, named by the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub hash: BlobHash,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Blob {
    /// A blob named by the hash of `bytes`.
    pub fn new(bytes: Vec<u8>, content_type: &str) -> Blob {
        Blob {
            hash: sha256(&bytes),
            content_type: content_type.to_owned(),
            bytes,
        }
    }
}

/// An audit with its runs, findings, corrective actions and their pictures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub manifest: Manifest,
    pub documents: Vec<Document>,
    pub blobs: Vec<Blob>,
}

/// Why a file cannot be imported, in words for the person who picked it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("this file is {size_mb} MB; an audit export can be at most {max_mb} MB")]
    TooLarge { size_mb: usize, max_mb: usize },
    #[error(
        "this is not a Fieldbook audit export; choose a .fieldbook file made with \"Export audit\""
    )]
    NotABundle,
    #[error(
        "this export was made by a newer Fieldbook (file format {found}); this one reads format \
         {supported}. Update Fieldbook, then import it again"
    )]
    NewerFormat { found: u64, supported: u64 },
    #[error("the file is damaged or incomplete ({0}); export it again")]
    Damaged(String),
    #[error(
        "the photo {short} in the file does not match its fingerprint: the file is damaged; \
         export it again",
        short = short_hash(.hash)
    )]
    BlobMismatch { hash: BlobHash },
    #[error(
        "record {id} in the file does not load ({reason}): the file is damaged; export it again"
    )]
    DocumentDoesNotLoad { id: String, reason: String },
    #[error("record {id} in the file is {found}, which an audit export does not hold")]
    UnexpectedKind { id: String, found: String },
    #[error("the file names audit {0} but does not hold it; export it again")]
    MissingAudit(String),
}

/// What a bundle holds, counted for the person importing it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contents {
    pub audits: usize,
    pub runs: usize,
    pub findings: usize,
    pub actions: usize,
    pub photos: usize,
}

impl fmt::Display for Contents {
    /// "1 audit, 2 runs, 3 findings, 1 corrective action, 5 photos".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            count(self.audits, "audit"),
            count(self.runs, "run"),
            count(self.findings, "finding"),
            count(self.actions, "corrective action"),
            count(self.photos, "photo"),
        ];
        f.write_str(&parts.join(", "))
    }
}

impl Bundle {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        let mut e = Encoder::new(&mut out);
        // Writing to a Vec cannot fail.
        let _ = write_body(&mut e, FORMAT_VERSION, self);
        out
    }

    /// Reads a file someone picked: see the module's contract.
    pub fn decode(bytes: &[u8]) -> Result<Bundle, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge {
                size_mb: bytes.len().div_ceil(1024 * 1024),
                max_mb: MAX_BUNDLE_BYTES / (1024 * 1024),
            });
        }
        let body = bytes.strip_prefix(MAGIC).ok_or(BundleError::NotABundle)?;
        let mut d = Decoder::new(body);
        let version = d
            .u64()
            .map_err(|_| damaged("no format version after the header"))?;
        if version > FORMAT_VERSION {
            return Err(BundleError::NewerFormat {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let raw = read_body(&mut d).map_err(|e| damaged(&e))?;
        if d.position() != body.len() {
            return Err(damaged("bytes after the end of the export"));
        }
        raw.check()
    }

    /// How many records of each kind and pictures it holds.
    /// Whether someone with `role` may bring this audit in: their role must
    /// write every kind of record in it, and a finding already verified (on the
    /// Fieldbook it came from) is brought in only by an admin, since the server
    /// otherwise stores a verification only from its verifier. The reason is in
    /// words for the person importing.
    pub fn may_import(&self, role: Role) -> Result<(), String> {
        if let Some(kind) = self
            .documents
            .iter()
            .map(|d| d.kind)
            .find(|k| !may_write(role, *k))
        {
            return Err(format!(
                "as {role} you may not add {kind} records; ask an auditor or an admin to import this audit"
            ));
        }
        let verified = self
            .documents
            .iter()
            .filter(|d| d.kind == RecordKind::Finding)
            .filter_map(|d| d.load().ok())
            .filter_map(|doc| crate::doc::finding::read(&doc).ok())
            .filter(|f| {
                f.events
                    .iter()
                    .any(|e| matches!(e.kind, FindingEvent::Verified { .. }))
            })
            .count();
        if verified > 0 && role != Role::Admin {
            return Err(format!(
                "this audit has {verified} verified finding{}: only an admin can import it, since each verification stays in its verifier's name",
                if verified == 1 { "" } else { "s" }
            ));
        }
        Ok(())
    }

    pub fn contents(&self) -> Contents {
        let mut contents = Contents {
            photos: self.blobs.len(),
            ..Contents::default()
        };
        for document in &self.documents {
            match document.kind {
                RecordKind::Audit => contents.audits += 1,
                RecordKind::ChecklistRun => contents.runs += 1,
                RecordKind::Finding => contents.findings += 1,
                RecordKind::CorrectiveAction => contents.actions += 1,
                _ => {}
            }
        }
        contents
    }
}

/// The SHA-256 of `bytes` as a blob's name.
pub fn sha256(bytes: &[u8]) -> BlobHash {
    BlobHash::of_digest(&Sha256::digest(bytes).into())
}

/// The name of an export of the audit titled `title` on `date` (YYYY-MM-DD):
/// `audit-<title in lower case, words joined by dashes>-<date>.fieldbook`.
pub fn file_name(title: &str, date: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("audit-{date}.fieldbook")
    } else {
        format!("audit-{slug}-{date}.fieldbook")
    }
}

/// The pictures a set of documents name, each once, in order.
pub fn blobs_named_by<'a>(docs: impl IntoIterator<Item = &'a Automerge>) -> Vec<BlobHash> {
    let all: BTreeSet<BlobHash> = docs
        .into_iter()
        .flat_map(crate::doc::transfer::blobs_named)
        .collect();
    all.into_iter().collect()
}

// ----- decoding ------------------------------------------------------------

/// A body as read, before its documents and blobs are checked.
struct RawBundle {
    manifest: RawManifest,
    documents: Vec<(String, Vec<u8>)>,
    blobs: Vec<(String, String, Vec<u8>)>,
}

#[derive(Default)]
struct RawManifest {
    exported_at_ms: Option<i64>,
    exported_by: Option<String>,
    audit: Option<String>,
    title: Option<String>,
}

impl RawBundle {
    fn check(self) -> Result<Bundle, BundleError> {
        let m = self.manifest;
        let audit_text = m
            .audit
            .ok_or_else(|| damaged("the manifest names no audit"))?;
        let audit: DocumentId = audit_text
            .parse()
            .map_err(|_| damaged("the manifest's audit id is not an id"))?;
        let manifest = Manifest {
            exported_at_ms: m
                .exported_at_ms
                .ok_or_else(|| damaged("the manifest has no export time"))?,
            exported_by: m.exported_by.unwrap_or_default(),
            audit,
            title: m.title.unwrap_or_default(),
        };
        let mut documents: Vec<Document> = Vec::new();
        for (id_text, save) in self.documents {
            let id: DocumentId = id_text
                .parse()
                .map_err(|_| damaged(&format!("`{id_text}` is not a record id")))?;
            if documents.iter().any(|d| d.id == id) {
                return Err(damaged(&format!("record {id} is in it twice")));
            }
            let doc = Automerge::load(&save).map_err(|e| BundleError::DocumentDoesNotLoad {
                id: id.to_string(),
                reason: e.to_string(),
            })?;
            let found = kind_of(&doc);
            let kind = found
                .as_deref()
                .and_then(RecordKind::parse)
                .filter(|k| KINDS.contains(k))
                .ok_or_else(|| BundleError::UnexpectedKind {
                    id: id.to_string(),
                    found: match &found {
                        Some(kind) => format!("a {kind} record"),
                        None => "not a record".to_owned(),
                    },
                })?;
            documents.push(Document { id, kind, save });
        }
        if !documents
            .iter()
            .any(|d| d.id == audit && d.kind == RecordKind::Audit)
        {
            return Err(BundleError::MissingAudit(audit.to_string()));
        }
        let mut blobs: Vec<Blob> = Vec::new();
        for (hash_text, content_type, bytes) in self.blobs {
            let hash: BlobHash = hash_text
                .parse()
                .map_err(|_| damaged(&format!("`{hash_text}` is not a photo's fingerprint")))?;
            if !BLOB_TYPES.contains(&content_type.as_str()) {
                return Err(damaged(&format!(
                    "photo {} is of type `{content_type}`, not a picture",
                    short_hash(&hash)
                )));
            }
            if sha256(&bytes) != hash {
                return Err(BundleError::BlobMismatch { hash });
            }
            if !blobs.iter().any(|b| b.hash == hash) {
                blobs.push(Blob {
                    hash,
                    content_type,
                    bytes,
                });
            }
        }
        Ok(Bundle {
            manifest,
            documents,
            blobs,
        })
    }
}

fn read_body(d: &mut Decoder<'_>) -> Result<RawBundle, String> {
    let mut manifest = None;
    let mut documents = None;
    let mut blobs = None;
    for_each_entry(d, "the export", |d, key| {
        match key {
            "manifest" => manifest = Some(read_manifest(d)?),
            "documents" => {
                let mut list = Vec::new();
                for_each_item(d, "documents", |d| {
                    let (mut id, mut save) = (None, None);
                    for_each_entry(d, "a record", |d, key| {
                        match key {
                            "id" => id = Some(text(d, "a record's id")?),
                            "save" => save = Some(bytes(d, "a record's save")?),
                            _ => skip(d)?,
                        }
                        Ok(())
                    })?;
                    list.push((
                        id.ok_or("a record without an id")?,
                        save.ok_or("a record without its save")?,
                    ));
                    Ok(())
                })?;
                documents = Some(list);
            }
            "blobs" => {
                let mut list = Vec::new();
                for_each_item(d, "blobs", |d| {
                    let (mut hash, mut kind, mut data) = (None, None, None);
                    for_each_entry(d, "a photo", |d, key| {
                        match key {
                            "sha256" => hash = Some(text(d, "a photo's fingerprint")?),
                            "type" => kind = Some(text(d, "a photo's type")?),
                            "bytes" => data = Some(bytes(d, "a photo's bytes")?),
                            _ => skip(d)?,
                        }
                        Ok(())
                    })?;
                    list.push((
                        hash.ok_or("a photo without its fingerprint")?,
                        kind.ok_or("a photo without its type")?,
                        data.ok_or("a photo without its bytes")?,
                    ));
                    Ok(())
                })?;
                blobs = Some(list);
            }
            _ => skip(d)?,
        }
        Ok(())
    })?;
    Ok(RawBundle {
        manifest: manifest.ok_or("no manifest")?,
        documents: documents.ok_or("no records")?,
        blobs: blobs.unwrap_or_default(),
    })
}

fn read_manifest(d: &mut Decoder<'_>) -> Result<RawManifest, String> {
    let mut m = RawManifest::default();
    for_each_entry(d, "the manifest", |d, key| {
        match key {
            "exportedAt" => {
                m.exported_at_ms = Some(d.i64().map_err(|_| "the export time is not a number")?)
            }
            "exportedBy" => m.exported_by = Some(text(d, "who exported it")?),
            "audit" => m.audit = Some(text(d, "the audit's id")?),
            "title" => m.title = Some(text(d, "the audit's title")?),
            _ => skip(d)?,
        }
        Ok(())
    })?;
    Ok(m)
}

/// Calls `each` with every key of a definite-length map, the decoder at its value.
fn for_each_entry(
    d: &mut Decoder<'_>,
    what: &str,
    mut each: impl FnMut(&mut Decoder<'_>, &str) -> Result<(), String>,
) -> Result<(), String> {
    let n = d
        .map()
        .ok()
        .flatten()
        .ok_or_else(|| format!("{what} is not a map"))?;
    for _ in 0..n {
        let key = d
            .str()
            .map_err(|_| format!("{what} has a key that is not text"))?;
        each(d, key)?;
    }
    Ok(())
}

/// Calls `each` for every item of a definite-length array.
fn for_each_item(
    d: &mut Decoder<'_>,
    what: &str,
    mut each: impl FnMut(&mut Decoder<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let n = d
        .array()
        .ok()
        .flatten()
        .ok_or_else(|| format!("{what} is not a list"))?;
    for _ in 0..n {
        each(d)?;
    }
    Ok(())
}

fn text(d: &mut Decoder<'_>, what: &str) -> Result<String, String> {
    d.str()
        .map(str::to_owned)
        .map_err(|_| format!("{what} is not text"))
}

fn bytes(d: &mut Decoder<'_>, what: &str) -> Result<Vec<u8>, String> {
    d.bytes()
        .map(<[u8]>::to_vec)
        .map_err(|_| format!("{what} is cut short or not bytes"))
}

fn skip(d: &mut Decoder<'_>) -> Result<(), String> {
    d.skip().map_err(|_| "a value is cut short".to_owned())
}

fn damaged(detail: &str) -> BundleError {
    BundleError::Damaged(detail.to_owned())
}

// ----- encoding ------------------------------------------------------------

type EncodeResult = Result<(), minicbor::encode::Error<std::convert::Infallible>>;

fn write_body(e: &mut Encoder<&mut Vec<u8>>, version: u64, bundle: &Bundle) -> EncodeResult {
    let m = &bundle.manifest;
    e.u64(version)?.map(3)?;
    e.str("manifest")?.map(4)?;
    e.str("exportedAt")?.i64(m.exported_at_ms)?;
    e.str("exportedBy")?.str(&m.exported_by)?;
    e.str("audit")?.str(&m.audit.to_string())?;
    e.str("title")?.str(&m.title)?;
    e.str("documents")?.array(bundle.documents.len() as u64)?;
    for document in &bundle.documents {
        e.map(2)?;
        e.str("id")?.str(&document.id.to_string())?;
        e.str("save")?.bytes(&document.save)?;
    }
    e.str("blobs")?.array(bundle.blobs.len() as u64)?;
    for blob in &bundle.blobs {
        e.map(3)?;
        e.str("sha256")?.str(blob.hash.as_str())?;
        e.str("type")?.str(&blob.content_type)?;
        e.str("bytes")?.bytes(&blob.bytes)?;
    }
    Ok(())
}

/// The bytes of `bundle` as a file of format `version`, for tests of what a
/// newer Fieldbook writes.
#[doc(hidden)]
pub fn encode_as_version(bundle: &Bundle, version: u64) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    let _ = write_body(&mut Encoder::new(&mut out), version, bundle);
    out
}

// ----- wording -------------------------------------------------------------

/// The first 12 hex digits of a hash: enough for a person to tell photos apart.
fn short_hash(hash: &BlobHash) -> &str {
    &hash.as_str()[..12]
}

/// "1 run", "3 findings".
fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}
