//! A WebSocket client that speaks frames, not the protocol: for tests that send what
//! a real client would not, and keep reading while they write.

use std::net::SocketAddr;

use fieldbook_core::ids::PeerId;
use fieldbook_core::sync::{Connection, Incoming};
use fieldbook_core::wire::{Message, PeerMetadata};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::WebSocketStream;

use crate::test_client::WAIT;

type Socket = WebSocketStream<TcpStream>;

pub struct RawClient {
    pub sink: SplitSink<Socket, WsMessage>,
    pub stream: SplitStream<Socket>,
    /// The local address of the TCP connection: the server's socket's peer.
    pub local: SocketAddr,
}

impl RawClient {
    /// Opens the WebSocket without the handshake.
    pub async fn connect(addr: SocketAddr) -> RawClient {
        RawClient::connect_with(addr, None).await
    }

    /// Like [`RawClient::connect`], with the kernel's receive buffer for the socket
    /// set to `recv_buffer` bytes (as small as the kernel allows), so that a client
    /// that stops reading pushes back on the server after little data.
    pub async fn connect_with(addr: SocketAddr, recv_buffer: Option<u32>) -> RawClient {
        let socket = TcpSocket::new_v4().expect("a socket");
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size).expect("SO_RCVBUF");
        }
        let tcp = socket.connect(addr).await.expect("connect");
        tcp.set_nodelay(true).expect("TCP_NODELAY");
        let local = tcp.local_addr().expect("local address");
        let (ws, _) = tokio_tungstenite::client_async(crate::test_client::sync_request(addr), tcp)
            .await
            .expect("upgrade to a WebSocket");
        let (sink, stream) = ws.split();
        RawClient {
            sink,
            stream,
            local,
        }
    }

    /// Opens the WebSocket and completes the handshake as `name`; returns the open
    /// protocol state, to frame messages with.
    pub async fn join(addr: SocketAddr, name: &str) -> (RawClient, Connection) {
        RawClient::join_with(addr, name, None).await
    }

    /// [`RawClient::join`] with [`RawClient::connect_with`]'s receive buffer.
    pub async fn join_with(
        addr: SocketAddr,
        name: &str,
        recv_buffer: Option<u32>,
    ) -> (RawClient, Connection) {
        let mut client = RawClient::connect_with(addr, recv_buffer).await;
        let peer = PeerId::parse(name).expect("peer id");
        let (mut connection, join) = Connection::initiator(peer, PeerMetadata::default());
        assert!(client.send(join).await, "send `join`");
        let reply = tokio::time::timeout(WAIT, client.stream.next())
            .await
            .expect("the `peer` reply in time");
        let Some(Ok(WsMessage::Binary(bytes))) = reply else {
            panic!("expected the `peer` reply, got {reply:?}");
        };
        assert!(matches!(
            connection.receive(&bytes),
            Ok(Incoming::Opened { .. })
        ));
        (client, connection)
    }

    /// Sends one binary frame; `false` if the connection is gone.
    pub async fn send(&mut self, frame: Vec<u8>) -> bool {
        self.sink
            .send(WsMessage::Binary(frame.into()))
            .await
            .is_ok()
    }

    /// Reads until the server ends the connection, and returns its `error` messages.
    /// Fails if the connection is still open after [`WAIT`].
    pub async fn errors_until_closed(&mut self) -> Vec<String> {
        errors_until_closed(&mut self.stream).await
    }
}

/// Reads `stream` until the server ends the connection; returns its `error` messages.
pub async fn errors_until_closed(stream: &mut SplitStream<Socket>) -> Vec<String> {
    let mut errors = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let frame = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("the server closes the connection in time");
        match frame {
            Some(Ok(WsMessage::Binary(bytes))) => {
                if let Ok(Message::Error { message }) = Message::decode(&bytes) {
                    errors.push(message);
                }
            }
            Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => return errors,
            Some(Ok(_)) => {}
        }
    }
}
