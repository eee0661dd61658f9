//! The automerge-repo handshake and the framing of sync traffic on one connection.

use crate::ids::{DocumentId, PeerId};
use crate::wire::{DecodeError, Message, PeerMetadata, PROTOCOL_VERSION};

/// Which end of the connection we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The client: sends `join`, waits for `peer`.
    Initiator,
    /// The server: waits for `join`, answers `peer`.
    Receiver,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Initiator sent `join` / receiver waits for one.
    Handshaking,
    Open {
        remote: PeerId,
    },
    Closed,
}

/// One connection's protocol state.
#[derive(Debug)]
pub struct Connection {
    local: PeerId,
    role: Role,
    metadata: PeerMetadata,
    state: State,
}

/// What a received frame means to the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// The handshake finished; `reply` (the receiver's `peer` message) must be sent.
    Opened {
        remote: PeerId,
        metadata: Option<PeerMetadata>,
        reply: Option<Vec<u8>>,
    },
    /// An Automerge sync message for a document. `request` asks for
    /// `doc-unavailable` if we do not have the document.
    Sync {
        document_id: DocumentId,
        data: Vec<u8>,
        request: bool,
    },
    /// The remote has no such document.
    Unavailable { document_id: DocumentId },
    /// The remote is leaving.
    Left,
    /// The remote reported an error and will close.
    RemoteError { message: String },
    /// A message we accept but do not act on (ephemeral, remote heads gossip).
    Ignored { kind: &'static str },
}

/// Why the connection must close. [`ProtocolError::to_wire`] is the `error` message to send first.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProtocolError {
    #[error("could not read the message: {0}")]
    Decode(#[from] DecodeError),
    #[error("expected {expected} first, got `{got}`")]
    OutOfOrder {
        expected: &'static str,
        got: &'static str,
    },
    #[error("protocol version {0:?} is not supported; this server speaks version 1")]
    UnsupportedVersion(Vec<String>),
    #[error("the connection is closed")]
    Closed,
}

impl ProtocolError {
    /// The `error` message that tells the remote why we close.
    pub fn to_wire(&self) -> Vec<u8> {
        Message::Error {
            message: self.to_string(),
        }
        .encode()
    }
}

impl Connection {
    /// A client connection and the `join` message to send as soon as the socket opens.
    pub fn initiator(local: PeerId, metadata: PeerMetadata) -> (Connection, Vec<u8>) {
        let join = Message::Join {
            sender_id: local.clone(),
            supported_protocol_versions: vec![PROTOCOL_VERSION.to_owned()],
            metadata: Some(metadata.clone()),
        }
        .encode();
        (
            Connection {
                local,
                role: Role::Initiator,
                metadata,
                state: State::Handshaking,
            },
            join,
        )
    }

    /// A server connection, waiting for the client's `join`.
    pub fn receiver(local: PeerId, metadata: PeerMetadata) -> Connection {
        Connection {
            local,
            role: Role::Receiver,
            metadata,
            state: State::Handshaking,
        }
    }

    /// The remote peer, once the handshake is done.
    pub fn remote(&self) -> Option<&PeerId> {
        match &self.state {
            State::Open { remote } => Some(remote),
            _ => None,
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open { .. })
    }

    /// Interprets one received frame. An error closes the connection: send
    /// [`ProtocolError::to_wire`] and drop the socket.
    pub fn receive(&mut self, frame: &[u8]) -> Result<Incoming, ProtocolError> {
        let result = Message::decode(frame)
            .map_err(ProtocolError::from)
            .and_then(|message| self.handle(message));
        if result.is_err() {
            self.state = State::Closed;
        }
        result
    }

    fn handle(&mut self, message: Message) -> Result<Incoming, ProtocolError> {
        match (&self.state, self.role, message) {
            (State::Closed, _, _) => Err(ProtocolError::Closed),
            (_, _, Message::Error { message }) => {
                self.state = State::Closed;
                Ok(Incoming::RemoteError { message })
            }
            (
                State::Handshaking,
                Role::Receiver,
                Message::Join {
                    sender_id,
                    supported_protocol_versions,
                    metadata,
                },
            ) => {
                if !supported_protocol_versions
                    .iter()
                    .any(|v| v == PROTOCOL_VERSION)
                {
                    return Err(ProtocolError::UnsupportedVersion(
                        supported_protocol_versions,
                    ));
                }
                let reply = Message::Peer {
                    sender_id: self.local.clone(),
                    target_id: sender_id.clone(),
                    selected_protocol_version: PROTOCOL_VERSION.to_owned(),
                    metadata: Some(self.metadata.clone()),
                }
                .encode();
                self.state = State::Open {
                    remote: sender_id.clone(),
                };
                Ok(Incoming::Opened {
                    remote: sender_id,
                    metadata,
                    reply: Some(reply),
                })
            }
            (
                State::Handshaking,
                Role::Initiator,
                Message::Peer {
                    sender_id,
                    selected_protocol_version,
                    metadata,
                    ..
                },
            ) => {
                if selected_protocol_version != PROTOCOL_VERSION {
                    return Err(ProtocolError::UnsupportedVersion(vec![
                        selected_protocol_version,
                    ]));
                }
                self.state = State::Open {
                    remote: sender_id.clone(),
                };
                Ok(Incoming::Opened {
                    remote: sender_id,
                    metadata,
                    reply: None,
                })
            }
            (State::Handshaking, role, other) => Err(ProtocolError::OutOfOrder {
                expected: match role {
                    Role::Receiver => "join",
                    Role::Initiator => "peer",
                },
                got: other.kind(),
            }),
            (State::Open { .. }, _, message) => Ok(match message {
                Message::Sync {
                    document_id, data, ..
                } => Incoming::Sync {
                    document_id,
                    data,
                    request: false,
                },
                Message::Request {
                    document_id, data, ..
                } => Incoming::Sync {
                    document_id,
                    data,
                    request: true,
                },
                Message::DocUnavailable { document_id, .. } => {
                    Incoming::Unavailable { document_id }
                }
                Message::Leave { .. } => {
                    self.state = State::Closed;
                    Incoming::Left
                }
                other => Incoming::Ignored { kind: other.kind() },
            }),
        }
    }

    /// Frames an Automerge sync message for the remote. `None` before the handshake.
    pub fn sync(&self, document_id: DocumentId, data: Vec<u8>, request: bool) -> Option<Vec<u8>> {
        let target_id = self.remote()?.clone();
        let sender_id = self.local.clone();
        Some(
            if request {
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
            .encode(),
        )
    }

    /// Frames a `doc-unavailable` answer. `None` before the handshake.
    pub fn unavailable(&self, document_id: DocumentId) -> Option<Vec<u8>> {
        Some(
            Message::DocUnavailable {
                sender_id: self.local.clone(),
                target_id: self.remote()?.clone(),
                document_id,
            }
            .encode(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(s: &str) -> PeerId {
        PeerId::parse(s).expect("peer id")
    }

    fn open_pair() -> (Connection, Connection) {
        let (mut client, join) = Connection::initiator(pid("client"), PeerMetadata::default());
        let mut server = Connection::receiver(pid("server"), PeerMetadata::default());
        let Ok(Incoming::Opened {
            reply: Some(peer),
            remote,
            ..
        }) = server.receive(&join)
        else {
            panic!("server did not open");
        };
        assert_eq!(remote, pid("client"));
        assert!(matches!(
            client.receive(&peer),
            Ok(Incoming::Opened { reply: None, .. })
        ));
        (client, server)
    }

    #[test]
    fn handshake_opens_both_ends() {
        let (client, server) = open_pair();
        assert_eq!(client.remote(), Some(&pid("server")));
        assert_eq!(server.remote(), Some(&pid("client")));
    }

    #[test]
    fn sync_before_join_is_refused_and_closes() {
        let mut server = Connection::receiver(pid("server"), PeerMetadata::default());
        let (client, _) = open_pair();
        let doc = DocumentId::from_bytes([1; 16]);
        let frame = client.sync(doc, vec![1, 2], false).expect("open");
        assert_eq!(
            server.receive(&frame),
            Err(ProtocolError::OutOfOrder {
                expected: "join",
                got: "sync"
            })
        );
        assert_eq!(server.receive(&frame), Err(ProtocolError::Closed));
    }

    #[test]
    fn a_lone_cbor_null_before_the_handshake_is_a_decode_error() {
        let mut server = Connection::receiver(pid("server"), PeerMetadata::default());
        assert_eq!(
            server.receive(&[0xf6]),
            Err(ProtocolError::Decode(DecodeError::NotAMap))
        );
        let error = Message::decode(&ProtocolError::Closed.to_wire()).expect("decodes");
        assert_eq!(error.kind(), "error");
    }

    #[test]
    fn unsupported_version_is_refused() {
        let join = Message::Join {
            sender_id: pid("c"),
            supported_protocol_versions: vec!["2".into()],
            metadata: None,
        }
        .encode();
        let mut server = Connection::receiver(pid("server"), PeerMetadata::default());
        assert!(matches!(
            server.receive(&join),
            Err(ProtocolError::UnsupportedVersion(_))
        ));
    }

    #[test]
    fn request_and_sync_reach_the_caller_with_their_kind() {
        let (client, mut server) = open_pair();
        let doc = DocumentId::from_bytes([2; 16]);
        let request = client.sync(doc, vec![9], true).expect("open");
        assert_eq!(
            server.receive(&request),
            Ok(Incoming::Sync {
                document_id: doc,
                data: vec![9],
                request: true
            })
        );
        let unavailable = server.unavailable(doc).expect("open");
        let mut client = client;
        assert_eq!(
            client.receive(&unavailable),
            Ok(Incoming::Unavailable { document_id: doc })
        );
    }
}
