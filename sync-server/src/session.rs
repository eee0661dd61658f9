//! One sync connection: the automerge-repo handshake, then each frame handed to the
//! [`Hub`], and the hub's outbox framed back onto the socket.
//!
//! Generic over any `Stream + Sink` of WebSocket messages, so it can be driven by
//! channels as well as by axum's `WebSocket`.
//!
//! The connection's [`Limits`] are enforced here (the message size by the WebSocket
//! codec, which reports a larger frame as a read error): a socket must send `join`
//! within the handshake deadline, and may send frames only as fast as its token
//! bucket allows. Breaking a limit or the protocol gets an `error` message, then the
//! close; other connections are not affected. The session or token the socket
//! opened with is checked again every `credential_check_interval`; once it has
//! ended the remote is told "your session has ended; sign in again" and closed. A connection whose outbox overflows is
//! closed at once, even while a send to it is blocked.

use std::fmt::Display;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Message as WsMessage;
use fieldbook_core::sync::{Connection, Incoming};
use fieldbook_core::wire::{Message, PeerMetadata};
use futures::{FutureExt, Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

use crate::auth::{AuthError, Principal, Standing};
use crate::hub::{panic_message, ConnId, Hub, Outbound, Registration};
use crate::limits::{Limits, TokenBucket};

/// How long the closing handshake may take before the socket is dropped anyway
/// (a remote that does not read would otherwise hold the session forever).
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Runs one connection until the remote leaves, breaks the protocol or a limit, or
/// the server shuts down. A protocol, limit or storage failure is reported with an
/// `error` message first. A panic in this connection's task closes only it.
pub async fn run<S, E>(socket: S, hub: Hub, principal: Arc<Principal>, standing: Option<Standing>)
where
    S: Stream<Item = Result<WsMessage, E>> + Sink<WsMessage> + Unpin,
    S::Error: Display,
    E: ReadError,
{
    let Registration {
        conn,
        outbox,
        evicted,
    } = hub.register(principal);
    tracing::debug!(%conn, "connection opened");
    let served = AssertUnwindSafe(serve(socket, &hub, conn, outbox, evicted, standing))
        .catch_unwind()
        .await;
    if let Err(panic) = served {
        // The socket was dropped while unwinding, which closes it.
        tracing::error!(%conn, panic = %panic_message(panic.as_ref()), "the connection's task panicked; it is closed");
        hub.record_error();
    }
    hub.unregister(conn).await;
    tracing::debug!(%conn, "connection closed");
}

async fn serve<S, E>(
    socket: S,
    hub: &Hub,
    conn: ConnId,
    mut outbox: mpsc::Receiver<Outbound>,
    evicted: Arc<Notify>,
    standing: Option<Standing>,
) where
    S: Stream<Item = Result<WsMessage, E>> + Sink<WsMessage> + Unpin,
    S::Error: Display,
    E: ReadError,
{
    let limits = hub.limits().clone();
    let mut shutdown = hub.shutdown_signal();
    let metadata = PeerMetadata {
        storage_id: None,
        is_ephemeral: false,
    };
    let opened = Instant::now();
    let handshake_deadline = opened + limits.handshake_timeout;
    let mut next_check = opened + limits.credential_check_interval;
    let mut session = Session {
        connection: Connection::receiver(hub.peer_id().clone(), metadata),
        socket,
        hub: hub.clone(),
        conn,
        evicted,
        bucket: TokenBucket::new(limits.messages_per_second, limits.message_burst, opened),
        limits,
    };
    loop {
        // Outbound first: our own replies must never wait behind the next inbound frame.
        let flow = tokio::select! {
            biased;
            () = shutting_down(&mut shutdown) => Flow::Close,
            () = session.evicted.notified() => session.too_slow(),
            outbound = outbox.recv() => match outbound {
                Some(outbound) => session.send_outbound(outbound).await,
                // The hub holds the sender while the connection is registered.
                None => Flow::Close,
            },
            () = tokio::time::sleep_until(next_check), if standing.is_some() => {
                next_check += session.limits.credential_check_interval;
                match &standing {
                    Some(standing) => session.check_standing(standing).await,
                    None => Flow::Continue,
                }
            }
            () = tokio::time::sleep_until(handshake_deadline), if !session.connection.is_open() => {
                let timeout = session.limits.handshake_timeout;
                session.fail(format!("no `join` within {timeout:?} of connecting")).await
            }
            frame = session.socket.next() => match frame {
                Some(Ok(frame)) => session.frame(frame).await,
                None => Flow::Close,
                // Too large, or broken framing: say why (the socket can still send).
                Some(Err(error)) if error.is_refusal() => {
                    tracing::info!(%conn, %error, "refused a WebSocket message; closing the connection");
                    session.fail(format!("the server refused the WebSocket message: {error}")).await
                }
                Some(Err(error)) => {
                    tracing::debug!(%conn, %error, "the connection broke");
                    Flow::Close
                }
            },
        };
        if let Flow::Close = flow {
            break;
        }
    }
    let mut socket = session.socket;
    match tokio::time::timeout(CLOSE_GRACE, socket.close()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::debug!(%conn, %error, "closing the socket failed"),
        Err(_) => tracing::debug!(%conn, "the close did not complete; dropping the socket"),
    }
}

/// Why reading the socket failed: the remote broke a rule, or went away.
pub trait ReadError: Display {
    /// `true` when the remote sent what the server refuses (a message over the size
    /// limit, broken framing, text that is not UTF-8): it is told why. `false` when
    /// the connection merely ended or broke, which is no fault of anyone's.
    fn is_refusal(&self) -> bool;
}

impl ReadError for axum::Error {
    fn is_refusal(&self) -> bool {
        use tungstenite::error::{Error, ProtocolError};
        let cause = std::error::Error::source(self).and_then(|e| e.downcast_ref::<Error>());
        !matches!(
            cause,
            Some(
                Error::ConnectionClosed
                    | Error::AlreadyClosed
                    | Error::Io(_)
                    | Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)
            )
        )
    }
}

impl ReadError for std::convert::Infallible {
    fn is_refusal(&self) -> bool {
        match *self {}
    }
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
    limits: Limits,
    /// Notified when the hub gave up on this connection's outbox.
    evicted: Arc<Notify>,
    /// Frames this connection may still send.
    bucket: TokenBucket,
}

impl<S> Session<S>
where
    S: Sink<WsMessage> + Unpin,
    S::Error: Display,
{
    /// One frame from the remote, within the rate limit.
    async fn frame(&mut self, frame: WsMessage) -> Flow {
        if let WsMessage::Close(_) = frame {
            return Flow::Close;
        }
        self.hub.record_message();
        if !self.bucket.try_take(Instant::now()) {
            let Limits {
                messages_per_second,
                message_burst,
                ..
            } = self.limits;
            return self
                .fail(format!(
                    "more than {messages_per_second} messages per second (or {message_burst} at once); slow down"
                ))
                .await;
        }
        match frame {
            WsMessage::Binary(bytes) => self.receive(&bytes).await,
            WsMessage::Text(text) => self.receive(text.as_bytes()).await,
            WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Close(_) => Flow::Continue,
        }
    }

    async fn receive(&mut self, frame: &[u8]) -> Flow {
        let conn = self.conn;
        let incoming = match self.connection.receive(frame) {
            Ok(incoming) => incoming,
            Err(error) => {
                tracing::warn!(%conn, %error, "protocol error; closing the connection");
                return self.fail(error.to_string()).await;
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
            } => match self.hub.sync(conn, document_id, &data, request).await {
                Ok(()) => Flow::Continue,
                Err(error) => {
                    tracing::warn!(%conn, document = %document_id, %error, "sync message refused; closing the connection");
                    self.fail(error.client_message()).await
                }
            },
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
            Outbound::Close { message } => return self.fail(message).await,
        };
        match frame {
            Some(frame) => self.send(frame).await,
            // Nothing is addressed to a connection before its handshake.
            None => Flow::Continue,
        }
    }

    /// Tells the remote why, then closes.
    async fn fail(&mut self, message: String) -> Flow {
        self.hub.record_error();
        self.send(Message::Error { message }.encode()).await;
        Flow::Close
    }

    /// Checks that the session or token the connection opened with still signs
    /// its person in; if it has ended (expired, signed out, revoked) says so, as
    /// the sign-in routes do, and closes. A storage failure keeps it open: the
    /// next check asks again.
    async fn check_standing(&mut self, standing: &Standing) -> Flow {
        match standing
            .holds(self.hub.directory(), crate::route::now_ms())
            .await
        {
            Ok(true) => Flow::Continue,
            Ok(false) => {
                tracing::info!(conn = %self.conn, "the connection's session ended; closing it");
                self.fail(AuthError::SessionEnded.to_string()).await
            }
            Err(error) => {
                tracing::warn!(conn = %self.conn, %error, "could not check the connection's session");
                Flow::Continue
            }
        }
    }

    /// The outbox overflowed: the remote is not reading, so an `error` could not reach
    /// it either. Close.
    fn too_slow(&mut self) -> Flow {
        tracing::warn!(conn = %self.conn, "the connection fell too far behind; closing it");
        self.hub.record_error();
        Flow::Close
    }

    /// Sends one frame; gives up if the hub evicts the connection meanwhile (the
    /// remote stopped reading, so the send may never complete).
    async fn send(&mut self, frame: Vec<u8>) -> Flow {
        let evicted = Arc::clone(&self.evicted);
        tokio::select! {
            sent = self.socket.send(WsMessage::Binary(frame.into())) => match sent {
                Ok(()) => Flow::Continue,
                Err(error) => {
                    tracing::debug!(conn = %self.conn, %error, "sending failed");
                    Flow::Close
                }
            },
            () = evicted.notified() => self.too_slow(),
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
        hub_with(dir, Limits::default()).await
    }

    async fn hub_with(dir: &tempfile::TempDir, limits: Limits) -> Hub {
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let store = Arc::new(SqliteStore::open(&url).await.expect("open the store"));
        crate::test_support::seed(store.as_ref(), store.as_ref()).await;
        Hub::with_limits(store.clone(), store, random_peer_id(), limits)
    }

    /// The `error` messages among what the session sent, until it closed the socket.
    async fn errors_until_closed(
        from_server: &mut mpsc::UnboundedReceiver<WsMessage>,
    ) -> Vec<String> {
        let mut errors = Vec::new();
        while let Some(frame) = from_server.next().await {
            if let WsMessage::Binary(bytes) = frame {
                if let Ok(Message::Error { message }) = Message::decode(&bytes) {
                    errors.push(message);
                }
            }
        }
        errors
    }

    fn join() -> WsMessage {
        let peer = fieldbook_core::ids::PeerId::parse("client").expect("peer id");
        let (_, join) = Connection::initiator(peer, PeerMetadata::default());
        WsMessage::Binary(join.into())
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

        run(socket, hub.clone(), crate::test_support::technician(), None).await;

        let Some(WsMessage::Binary(frame)) = from_server.next().await else {
            panic!("expected a binary frame");
        };
        let message = Message::decode(&frame).expect("a protocol message");
        assert_eq!(message.kind(), "error");
        assert_eq!(hub.stats().errors, 1);
        assert_eq!(
            from_server.next().await,
            None,
            "the session closed the socket"
        );
        hub.sessions_closed().await;
    }

    #[tokio::test]
    async fn a_socket_that_never_joins_is_closed_at_the_deadline() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = hub_with(
            &dir,
            Limits {
                handshake_timeout: Duration::from_millis(50),
                ..Limits::default()
            },
        )
        .await;
        let (socket, (_to_server, mut from_server)) = duplex();

        run(socket, hub.clone(), crate::test_support::technician(), None).await;

        let errors = errors_until_closed(&mut from_server).await;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("join"), "{errors:?}");
    }

    #[tokio::test]
    async fn a_joined_socket_outlives_the_handshake_deadline() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = hub_with(
            &dir,
            Limits {
                handshake_timeout: Duration::from_millis(20),
                ..Limits::default()
            },
        )
        .await;
        let (socket, (to_server, mut from_server)) = duplex();
        to_server.unbounded_send(Ok(join())).expect("send");
        let session = tokio::spawn(run(
            socket,
            hub.clone(),
            crate::test_support::technician(),
            None,
        ));
        let peer = from_server.next().await.expect("the `peer` reply");
        assert!(matches!(peer, WsMessage::Binary(_)));

        let waited = tokio::time::timeout(Duration::from_millis(100), from_server.next()).await;
        assert!(waited.is_err(), "nothing sent and not closed: {waited:?}");
        hub.shut_down();
        session.await.expect("the session ends");
    }

    #[tokio::test]
    async fn a_connection_over_its_rate_gets_an_error_and_is_closed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = hub_with(
            &dir,
            Limits {
                messages_per_second: std::num::NonZeroU32::MIN,
                message_burst: std::num::NonZeroU32::new(3).expect("non-zero"),
                ..Limits::default()
            },
        )
        .await;
        let (socket, (to_server, mut from_server)) = duplex();
        to_server.unbounded_send(Ok(join())).expect("send");
        for _ in 0..10 {
            to_server
                .unbounded_send(Ok(WsMessage::Ping(Vec::new().into())))
                .expect("send");
        }

        run(socket, hub.clone(), crate::test_support::technician(), None).await;

        let errors = errors_until_closed(&mut from_server).await;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("messages per second"), "{errors:?}");
        assert_eq!(
            hub.stats().messages_received,
            4,
            "the join, two pings, and the one too many"
        );
    }

    #[tokio::test]
    async fn shutting_down_ends_an_idle_session() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = hub(&dir).await;
        let (socket, (_to_server, mut from_server)) = duplex();
        let session = tokio::spawn(run(
            socket,
            hub.clone(),
            crate::test_support::technician(),
            None,
        ));

        hub.shut_down();

        session.await.expect("the session ends");
        assert_eq!(from_server.next().await, None);
        hub.sessions_closed().await;
    }
}
