//! One sync connection: the automerge-repo handshake, then each frame handed to the
//! [`Hub`], and the hub's outbox framed back onto the socket.
//!
//! Generic over any `Stream + Sink` of WebSocket messages, so it can be driven by
//! channels as well as by axum's `WebSocket`.

use std::collections::HashSet;
use std::fmt::Display;

use axum::extract::ws::Message as WsMessage;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::sync::{Connection, Incoming};
use fieldbook_core::wire::{Message, PeerMetadata};
use futures::{Sink, SinkExt, Stream, StreamExt};

use crate::hub::{ConnId, Hub, Outbound};

/// Runs one connection until the remote leaves, breaks the protocol, or the server
/// shuts down. A protocol or storage failure is reported with an `error` message first.
pub async fn run<S, E>(socket: S, hub: Hub)
where
    S: Stream<Item = Result<WsMessage, E>> + Sink<WsMessage> + Unpin,
    S::Error: Display,
    E: Display,
{
    let (conn, mut outbox) = hub.register();
    let mut shutdown = hub.shutdown_signal();
    let metadata = PeerMetadata {
        storage_id: None,
        is_ephemeral: false,
    };
    let mut session = Session {
        connection: Connection::receiver(hub.peer_id().clone(), metadata),
        socket,
        hub,
        conn,
        touched: HashSet::new(),
    };
    tracing::debug!(%conn, "connection opened");
    loop {
        // Outbound first: our own replies must never wait behind the next inbound frame.
        let flow = tokio::select! {
            biased;
            () = shutting_down(&mut shutdown) => Flow::Close,
            outbound = outbox.recv() => match outbound {
                Some(outbound) => session.send_outbound(outbound).await,
                None => session.fail("the connection fell too far behind; reconnect to resync".to_owned()).await,
            },
            frame = session.socket.next() => match frame {
                Some(Ok(WsMessage::Binary(bytes))) => session.receive(&bytes).await,
                Some(Ok(WsMessage::Text(text))) => session.receive(text.as_bytes()).await,
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => Flow::Continue,
                Some(Ok(WsMessage::Close(_))) | None => Flow::Close,
                Some(Err(error)) => {
                    tracing::debug!(%conn, %error, "socket failed");
                    Flow::Close
                }
            },
        };
        if let Flow::Close = flow {
            break;
        }
    }
    let Session {
        mut socket,
        hub,
        touched,
        ..
    } = session;
    if let Err(error) = socket.close().await {
        tracing::debug!(%conn, %error, "closing the socket failed");
    }
    hub.unregister(conn, touched).await;
    tracing::debug!(%conn, "connection closed");
}

/// Resolves once the server shuts down (or the hub is gone).
async fn shutting_down(signal: &mut tokio::sync::watch::Receiver<bool>) {
    // Only `()` leaves this function: the `Ref` guard must not live across an await.
    let _ = signal.wait_for(|down| *down).await;
}

enum Flow {
    Continue,
    Close,
}

struct Session<S> {
    connection: Connection,
    socket: S,
    hub: Hub,
    conn: ConnId,
    /// Documents this connection synced, to disconnect from when it closes.
    touched: HashSet<DocumentId>,
}

impl<S> Session<S>
where
    S: Sink<WsMessage> + Unpin,
    S::Error: Display,
{
    async fn receive(&mut self, frame: &[u8]) -> Flow {
        let conn = self.conn;
        let incoming = match self.connection.receive(frame) {
            Ok(incoming) => incoming,
            Err(error) => {
                tracing::warn!(%conn, %error, "protocol error; closing the connection");
                self.send(error.to_wire()).await;
                return Flow::Close;
            }
        };
        match incoming {
            Incoming::Opened { remote, reply, .. } => {
                tracing::info!(%conn, peer = %remote, "peer joined");
                match reply {
                    Some(reply) => self.send(reply).await,
                    None => Flow::Continue,
                }
            }
            Incoming::Sync {
                document_id,
                data,
                request,
            } => {
                self.touched.insert(document_id);
                match self.hub.sync(conn, document_id, &data, request).await {
                    Ok(()) => Flow::Continue,
                    Err(error) => {
                        tracing::warn!(%conn, document = %document_id, %error, "sync message refused; closing the connection");
                        self.fail(error.client_message()).await
                    }
                }
            }
            Incoming::Unavailable { document_id } => {
                tracing::debug!(%conn, document = %document_id, "peer does not have a document");
                Flow::Continue
            }
            Incoming::Left => Flow::Close,
            Incoming::RemoteError { message } => {
                tracing::info!(%conn, %message, "peer reported an error");
                Flow::Close
            }
            Incoming::Ignored { kind } => {
                tracing::trace!(%conn, kind, "message ignored");
                Flow::Continue
            }
        }
    }

    async fn send_outbound(&mut self, outbound: Outbound) -> Flow {
        let frame = match outbound {
            Outbound::Sync { document_id, data } => self.connection.sync(document_id, data, false),
            Outbound::Unavailable { document_id } => self.connection.unavailable(document_id),
        };
        match frame {
            Some(frame) => self.send(frame).await,
            // Nothing is addressed to a connection before its handshake.
            None => Flow::Continue,
        }
    }

    /// Tells the remote why, then closes.
    async fn fail(&mut self, message: String) -> Flow {
        self.send(Message::Error { message }.encode()).await;
        Flow::Close
    }

    async fn send(&mut self, frame: Vec<u8>) -> Flow {
        match self.socket.send(WsMessage::Binary(frame.into())).await {
            Ok(()) => Flow::Continue,
            Err(error) => {
                tracing::debug!(conn = %self.conn, %error, "sending failed");
                Flow::Close
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use futures::channel::mpsc;

    use super::*;
    use crate::hub::random_peer_id;
    use crate::store::SqliteStore;

    /// A socket made of two channels: what the test sends in, and what the session sends out.
    struct Duplex {
        inbound: mpsc::UnboundedReceiver<Result<WsMessage, Infallible>>,
        outbound: mpsc::UnboundedSender<WsMessage>,
    }

    impl Stream for Duplex {
        type Item = Result<WsMessage, Infallible>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Pin::new(&mut self.inbound).poll_next(cx)
        }
    }

    impl Sink<WsMessage> for Duplex {
        type Error = mpsc::SendError;
        fn poll_ready(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Result<(), Self::Error>> {
            Pin::new(&mut self.outbound).poll_ready(cx)
        }
        fn start_send(mut self: Pin<&mut Self>, item: WsMessage) -> Result<(), Self::Error> {
            Pin::new(&mut self.outbound).start_send(item)
        }
        fn poll_flush(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Result<(), Self::Error>> {
            Pin::new(&mut self.outbound).poll_flush(cx)
        }
        fn poll_close(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Result<(), Self::Error>> {
            Pin::new(&mut self.outbound).poll_close(cx)
        }
    }

    type Ends = (
        mpsc::UnboundedSender<Result<WsMessage, Infallible>>,
        mpsc::UnboundedReceiver<WsMessage>,
    );

    async fn hub(dir: &tempfile::TempDir) -> Hub {
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let store = SqliteStore::open(&url).await.expect("open the store");
        Hub::new(Arc::new(store), random_peer_id())
    }

    fn duplex() -> (Duplex, Ends) {
        let (to_server, inbound) = mpsc::unbounded();
        let (outbound, from_server) = mpsc::unbounded();
        (Duplex { inbound, outbound }, (to_server, from_server))
    }

    #[tokio::test]
    async fn a_lone_cbor_null_before_the_handshake_gets_an_error_and_ends_the_session() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = hub(&dir).await;
        let (socket, (to_server, mut from_server)) = duplex();
        to_server
            .unbounded_send(Ok(WsMessage::Binary(vec![0xf6].into())))
            .expect("send");

        run(socket, hub.clone()).await;

        let Some(WsMessage::Binary(frame)) = from_server.next().await else {
            panic!("expected a binary frame");
        };
        let message = Message::decode(&frame).expect("a protocol message");
        assert_eq!(message.kind(), "error");
        assert_eq!(
            from_server.next().await,
            None,
            "the session closed the socket"
        );
        hub.sessions_closed().await;
    }

    #[tokio::test]
    async fn shutting_down_ends_an_idle_session() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = hub(&dir).await;
        let (socket, (_to_server, mut from_server)) = duplex();
        let session = tokio::spawn(run(socket, hub.clone()));

        hub.shut_down();

        session.await.expect("the session ends");
        assert_eq!(from_server.next().await, None);
        hub.sessions_closed().await;
    }
}
