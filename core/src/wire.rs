//! The automerge-repo wire protocol, version 1: CBOR maps with a `type` field.
//!
//! [`Message::decode`] turns untrusted bytes into a [`Message`] or a [`DecodeError`];
//! [`Message::encode`] writes the form the JavaScript `automerge-repo` 2.x client reads.
//! The decoder accepts what that client really sends: `peerMetadata` as well as the
//! `metadata` of the protocol's CDDL, integers sent as floats, `undefined` for absent
//! fields, and `supportedProtocolVersions` as a list or a single string.

mod value;

use minicbor::Encoder;

use crate::ids::{DocumentId, PeerId};
use value::Value;

/// The only protocol version there is.
pub const PROTOCOL_VERSION: &str = "1";

/// Metadata a peer sends about itself in `join` and `peer`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerMetadata {
    /// Identifies persistent storage behind the peer, if it has one.
    pub storage_id: Option<String>,
    /// Whether the peer expects to come back with the same storage id.
    pub is_ephemeral: bool,
}

/// Heads of one document as seen by a storage id, in `remote-heads-changed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteHeads {
    /// Change hashes, hex encoded.
    pub heads: Vec<String>,
    /// Milliseconds since the Unix epoch on the peer that first sent them.
    pub timestamp: u64,
}

/// One protocol message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Join {
        sender_id: PeerId,
        supported_protocol_versions: Vec<String>,
        metadata: Option<PeerMetadata>,
    },
    Peer {
        sender_id: PeerId,
        target_id: PeerId,
        selected_protocol_version: String,
        metadata: Option<PeerMetadata>,
    },
    Leave {
        sender_id: PeerId,
    },
    /// Like `Sync`, but asks for `DocUnavailable` if the receiver has no such document.
    Request {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    /// An Automerge sync message for one document.
    Sync {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    Ephemeral {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        count: u64,
        session_id: String,
        data: Vec<u8>,
    },
    /// A protocol error; the sender closes the connection after it.
    Error {
        message: String,
    },
    RemoteSubscriptionChange {
        sender_id: PeerId,
        target_id: PeerId,
        add: Vec<String>,
        remove: Vec<String>,
    },
    RemoteHeadsChanged {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        new_heads: Vec<(String, RemoteHeads)>,
    },
}

/// Why bytes are not a protocol message.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    #[error("the message is not valid CBOR")]
    Malformed,
    #[error("the message nests deeper than the protocol allows")]
    TooDeep,
    #[error("the message declares more items than the protocol allows")]
    TooLong,
    #[error("the message is not a CBOR map")]
    NotAMap,
    #[error("the message has trailing bytes after its end")]
    TrailingBytes,
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    #[error("the message has no `type` field")]
    MissingType,
    #[error("field `{0}` is missing or has the wrong type")]
    BadField(&'static str),
    #[error("`{0}` is not a document id")]
    BadDocumentId(String),
}

impl From<minicbor::decode::Error> for DecodeError {
    fn from(_: minicbor::decode::Error) -> Self {
        DecodeError::Malformed
    }
}

impl Message {
    /// Decodes one message from the whole of `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        let mut d = minicbor::Decoder::new(bytes);
        let root = Value::decode(&mut d, 0)?;
        if d.position() != bytes.len() {
            return Err(DecodeError::TrailingBytes);
        }
        if !matches!(root, Value::Map(_)) {
            return Err(DecodeError::NotAMap);
        }
        let kind = match root.field("type") {
            Value::Text(t) => t.as_str(),
            Value::Absent => return Err(DecodeError::MissingType),
            _ => return Err(DecodeError::BadField("type")),
        };
        let m = &root;
        Ok(match kind {
            "join" => Message::Join {
                sender_id: peer(m, "senderId")?,
                supported_protocol_versions: match m.field("supportedProtocolVersions") {
                    Value::Text(v) => vec![v.clone()],
                    Value::Array(_) => texts(m, "supportedProtocolVersions")?,
                    _ => return Err(DecodeError::BadField("supportedProtocolVersions")),
                },
                metadata: metadata(m)?,
            },
            "peer" => Message::Peer {
                sender_id: peer(m, "senderId")?,
                target_id: peer(m, "targetId")?,
                selected_protocol_version: text(m, "selectedProtocolVersion")?,
                metadata: metadata(m)?,
            },
            "leave" => Message::Leave {
                sender_id: peer(m, "senderId")?,
            },
            "request" | "sync" => {
                let sender_id = peer(m, "senderId")?;
                let target_id = peer(m, "targetId")?;
                let document_id = document(m)?;
                let data = bytes_field(m, "data")?;
                if kind == "request" {
                    Message::Request {
                        sender_id,
                        target_id,
                        document_id,
                        data,
                    }
                } else {
                    Message::Sync {
                        sender_id,
                        target_id,
                        document_id,
                        data,
                    }
                }
            }
            "doc-unavailable" => Message::DocUnavailable {
                sender_id: peer(m, "senderId")?,
                target_id: peer(m, "targetId")?,
                document_id: document(m)?,
            },
            "ephemeral" => Message::Ephemeral {
                sender_id: peer(m, "senderId")?,
                target_id: peer(m, "targetId")?,
                document_id: document(m)?,
                count: uint(m.field("count")).ok_or(DecodeError::BadField("count"))?,
                session_id: text(m, "sessionId")?,
                data: bytes_field(m, "data")?,
            },
            "error" => Message::Error {
                message: text(m, "message")?,
            },
            "remote-subscription-change" => Message::RemoteSubscriptionChange {
                sender_id: peer(m, "senderId")?,
                target_id: peer(m, "targetId")?,
                add: optional_texts(m, "add")?,
                remove: optional_texts(m, "remove")?,
            },
            "remote-heads-changed" => Message::RemoteHeadsChanged {
                sender_id: peer(m, "senderId")?,
                target_id: peer(m, "targetId")?,
                document_id: document(m)?,
                new_heads: new_heads(m.field("newHeads"))?,
            },
            other => return Err(DecodeError::UnknownType(other.to_owned())),
        })
    }

    /// Encodes the message as the JavaScript client expects it.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        self.write(&mut e)
            .expect("writing CBOR into a Vec cannot fail");
        e.into_writer()
    }

    /// The message's `type` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Leave { .. } => "leave",
            Message::Request { .. } => "request",
            Message::Sync { .. } => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::Error { .. } => "error",
            Message::RemoteSubscriptionChange { .. } => "remote-subscription-change",
            Message::RemoteHeadsChanged { .. } => "remote-heads-changed",
        }
    }

    fn write(
        &self,
        e: &mut Encoder<Vec<u8>>,
    ) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
        match self {
            Message::Join {
                sender_id,
                supported_protocol_versions,
                metadata,
            } => {
                e.map(3 + u64::from(metadata.is_some()))?;
                e.str("type")?.str(self.kind())?;
                e.str("senderId")?.str(sender_id.as_str())?;
                e.str("supportedProtocolVersions")?
                    .array(supported_protocol_versions.len() as u64)?;
                for v in supported_protocol_versions {
                    e.str(v)?;
                }
                if let Some(meta) = metadata {
                    write_metadata(e, meta)?;
                }
            }
            Message::Peer {
                sender_id,
                target_id,
                selected_protocol_version,
                metadata,
            } => {
                e.map(4 + u64::from(metadata.is_some()))?;
                e.str("type")?.str(self.kind())?;
                e.str("senderId")?.str(sender_id.as_str())?;
                e.str("targetId")?.str(target_id.as_str())?;
                e.str("selectedProtocolVersion")?
                    .str(selected_protocol_version)?;
                if let Some(meta) = metadata {
                    write_metadata(e, meta)?;
                }
            }
            Message::Leave { sender_id } => {
                e.map(2)?;
                e.str("type")?.str(self.kind())?;
                e.str("senderId")?.str(sender_id.as_str())?;
            }
            Message::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }
            | Message::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            } => {
                e.map(5)?;
                e.str("type")?.str(self.kind())?;
                e.str("senderId")?.str(sender_id.as_str())?;
                e.str("targetId")?.str(target_id.as_str())?;
                e.str("documentId")?.str(&document_id.to_string())?;
                e.str("data")?.bytes(data)?;
            }
            Message::DocUnavailable {
                sender_id,
                target_id,
                document_id,
            } => {
                e.map(4)?;
                e.str("type")?.str(self.kind())?;
                e.str("senderId")?.str(sender_id.as_str())?;
                e.str("targetId")?.str(target_id.as_str())?;
                e.str("documentId")?.str(&document_id.to_string())?;
            }
            Message::Ephemeral {
                sender_id,
                target_id,
                document_id,
                count,
                session_id,
                data,
            } => {
                e.map(7)?;
                e.str("type")?.str(self.kind())?;
                e.str("senderId")?.str(sender_id.as_str())?;
                e.str("targetId")?.str(target_id.as_str())?;
                e.str("documentId")?.str(&document_id.to_string())?;
                e.str("count")?.u64(*count)?;
                e.str("sessionId")?.str(session_id)?;
                e.str("data")?.bytes(data)?;
            }
            Message::Error { message } => {
                e.map(2)?;
                e.str("type")?.str(self.kind())?;
                e.str("message")?.str(message)?;
            }
            Message::RemoteSubscriptionChange {
                sender_id,
                target_id,
                add,
                remove,
            } => {
                e.map(5)?;
                e.str("type")?.str(self.kind())?;
                e.str("senderId")?.str(sender_id.as_str())?;
                e.str("targetId")?.str(target_id.as_str())?;
                e.str("add")?.array(add.len() as u64)?;
                for s in add {
                    e.str(s)?;
                }
                e.str("remove")?.array(remove.len() as u64)?;
                for s in remove {
                    e.str(s)?;
                }
            }
            Message::RemoteHeadsChanged {
                sender_id,
                target_id,
                document_id,
                new_heads,
            } => {
                e.map(5)?;
                e.str("type")?.str(self.kind())?;
                e.str("senderId")?.str(sender_id.as_str())?;
                e.str("targetId")?.str(target_id.as_str())?;
                e.str("documentId")?.str(&document_id.to_string())?;
                e.str("newHeads")?.map(new_heads.len() as u64)?;
                for (storage_id, heads) in new_heads {
                    e.str(storage_id)?.map(2)?;
                    e.str("heads")?.array(heads.heads.len() as u64)?;
                    for h in &heads.heads {
                        e.str(h)?;
                    }
                    e.str("timestamp")?.u64(heads.timestamp)?;
                }
            }
        }
        Ok(())
    }
}

fn write_metadata(
    e: &mut Encoder<Vec<u8>>,
    meta: &PeerMetadata,
) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
    e.str("peerMetadata")?
        .map(1 + u64::from(meta.storage_id.is_some()))?;
    if let Some(storage_id) = &meta.storage_id {
        e.str("storageId")?.str(storage_id)?;
    }
    e.str("isEphemeral")?.bool(meta.is_ephemeral)?;
    Ok(())
}

fn text(m: &Value, key: &'static str) -> Result<String, DecodeError> {
    match m.field(key) {
        Value::Text(t) => Ok(t.clone()),
        _ => Err(DecodeError::BadField(key)),
    }
}

fn peer(m: &Value, key: &'static str) -> Result<PeerId, DecodeError> {
    let text = text(m, key)?;
    PeerId::parse(text).map_err(|_| DecodeError::BadField(key))
}

fn document(m: &Value) -> Result<DocumentId, DecodeError> {
    let text = text(m, "documentId")?;
    text.parse().map_err(|_| DecodeError::BadDocumentId(text))
}

fn bytes_field(m: &Value, key: &'static str) -> Result<Vec<u8>, DecodeError> {
    match m.field(key) {
        Value::Bytes(b) => Ok(b.clone()),
        _ => Err(DecodeError::BadField(key)),
    }
}

fn texts(m: &Value, key: &'static str) -> Result<Vec<String>, DecodeError> {
    match m.field(key) {
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::Text(t) => Ok(t.clone()),
                _ => Err(DecodeError::BadField(key)),
            })
            .collect(),
        _ => Err(DecodeError::BadField(key)),
    }
}

fn optional_texts(m: &Value, key: &'static str) -> Result<Vec<String>, DecodeError> {
    if m.field(key).is_absent() {
        Ok(Vec::new())
    } else {
        texts(m, key)
    }
}

/// A non-negative whole number, whether sent as an integer or a float.
fn uint(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n <= u64::MAX as f64 => {
            Some(*n as u64)
        }
        _ => None,
    }
}

fn metadata(m: &Value) -> Result<Option<PeerMetadata>, DecodeError> {
    let meta = match m.field("peerMetadata") {
        Value::Absent => m.field("metadata"),
        present => present,
    };
    match meta {
        Value::Absent => Ok(None),
        Value::Map(_) => Ok(Some(PeerMetadata {
            storage_id: match meta.field("storageId") {
                Value::Text(t) => Some(t.clone()),
                Value::Absent => None,
                _ => return Err(DecodeError::BadField("storageId")),
            },
            is_ephemeral: match meta.field("isEphemeral") {
                Value::Bool(b) => *b,
                Value::Absent => false,
                _ => return Err(DecodeError::BadField("isEphemeral")),
            },
        })),
        _ => Err(DecodeError::BadField("peerMetadata")),
    }
}

fn new_heads(v: &Value) -> Result<Vec<(String, RemoteHeads)>, DecodeError> {
    let Value::Map(entries) = v else {
        return Err(DecodeError::BadField("newHeads"));
    };
    entries
        .iter()
        .map(|(k, v)| {
            let Value::Text(storage_id) = k else {
                return Err(DecodeError::BadField("newHeads"));
            };
            Ok((
                storage_id.clone(),
                RemoteHeads {
                    heads: texts(v, "heads")?,
                    timestamp: uint(v.field("timestamp"))
                        .ok_or(DecodeError::BadField("timestamp"))?,
                },
            ))
        })
        .collect()
}
