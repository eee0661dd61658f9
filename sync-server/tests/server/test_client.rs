//! A sync client for tests: core's `Connection::initiator` and one `DocSync` per
//! document, over tokio-tungstenite with TCP_NODELAY.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

use automerge::{Automerge, ChangeHash};
use fieldbook_core::ids::{DocumentId, PeerId};
use fieldbook_core::sync::{Applied, Connection, DocSync, Incoming};
use fieldbook_core::wire::PeerMetadata;
use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::WebSocketStream;

/// How long any one wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// The key of the server in every `DocSync` of the client.
pub const SERVER: &str = "server";

/// How a [`TestClient::wait_for`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Done,
    Closed,
    TimedOut,
}

pub struct TestClient {
    ws: WebSocketStream<TcpStream>,
    pub connection: Connection,
    pub docs: HashMap<DocumentId, DocSync<&'static str>>,
    /// Documents the server answered `doc-unavailable` for.
    pub unavailable: HashSet<DocumentId>,
    /// `error` messages from the server.
    pub errors: Vec<String>,
    /// Every Automerge sync message the server sent, in order.
    pub received: Vec<(DocumentId, Vec<u8>)>,
    /// Whether the server closed the connection.
    pub closed: bool,
}

impl TestClient {
    /// Opens the socket without the handshake.
    pub async fn connect_raw(addr: SocketAddr, name: &str) -> TestClient {
        TestClient::try_connect_raw(addr, name)
            .await
            .expect("connect and upgrade to a WebSocket")
    }

    /// Opens the socket and completes the automerge-repo handshake.
    pub async fn connect(addr: SocketAddr, name: &str) -> TestClient {
        let mut client = TestClient::connect_raw(addr, name).await;
        let join = client.rejoin(name);
        client.send_frame(join).await;
        client
            .until("the handshake", |c| c.connection.is_open())
            .await;
        client
    }

    /// Like [`TestClient::connect`], but `None` if the server is gone or goes away
    /// before the handshake completes (as when a test kills it).
    pub async fn try_connect(addr: SocketAddr, name: &str) -> Option<TestClient> {
        let mut client = TestClient::try_connect_raw(addr, name).await?;
        let join = client.rejoin(name);
        if !client.try_send(join).await {
            return None;
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        match client.wait_for(deadline, |c| c.connection.is_open()).await {
            Wait::Done => Some(client),
            Wait::Closed => None,
            Wait::TimedOut => panic!("timed out waiting for the handshake"),
        }
    }

    async fn try_connect_raw(addr: SocketAddr, name: &str) -> Option<TestClient> {
        TestClient::upgrade(addr, sync_request(addr), name)
            .await
            .ok()
    }

    /// Opens the socket and completes the handshake as `name`, signed in with the
    /// API token `token` (not the server's registered one).
    pub async fn connect_as(addr: SocketAddr, name: &str, token: &str) -> TestClient {
        TestClient::connect_with(addr, bearer_request(addr, "/sync", Some(token)), name).await
    }

    /// Upgrades with exactly `request` and completes the handshake as `name`.
    pub async fn connect_with(addr: SocketAddr, request: Request, name: &str) -> TestClient {
        let mut client = TestClient::upgrade(addr, request, name)
            .await
            .expect("connect and upgrade to a WebSocket");
        let join = client.rejoin(name);
        client.send_frame(join).await;
        client
            .until("the handshake", |c| c.connection.is_open())
            .await;
        client
    }

    /// Sends exactly `request` to upgrade a new TCP connection to `addr`, without
    /// the protocol handshake; the server's refusal comes back as
    /// `tungstenite::Error::Http` with its response.
    pub async fn upgrade(
        addr: SocketAddr,
        request: Request,
        name: &str,
    ) -> Result<TestClient, tokio_tungstenite::tungstenite::Error> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(tokio_tungstenite::tungstenite::Error::Io)?;
        tcp.set_nodelay(true).expect("TCP_NODELAY");
        let (ws, _) = tokio_tungstenite::client_async(request, tcp).await?;
        let (connection, _join) =
            Connection::initiator(PeerId::parse(name).expect("peer id"), metadata());
        Ok(TestClient {
            ws,
            connection,
            docs: HashMap::new(),
            unavailable: HashSet::new(),
            errors: Vec::new(),
            received: Vec::new(),
            closed: false,
        })
    }

    /// A fresh connection state; returns the `join` message that opens it.
    fn rejoin(&mut self, name: &str) -> Vec<u8> {
        let (connection, join) =
            Connection::initiator(PeerId::parse(name).expect("peer id"), metadata());
        self.connection = connection;
        join
    }

    /// Starts syncing a document this client made (a `sync`, not a `request`).
    pub async fn create(&mut self, id: DocumentId, doc: Automerge) {
        let mut sync = DocSync::new(doc);
        sync.connect(SERVER);
        self.docs.insert(id, sync);
        self.flush(id, false).await;
    }

    /// Asks the server for a document this client does not have.
    pub async fn request(&mut self, id: DocumentId) {
        let mut sync = DocSync::new(Automerge::new());
        sync.connect(SERVER);
        self.docs.insert(id, sync);
        self.flush(id, true).await;
    }

    /// Makes a local change and sends it.
    pub async fn change<R>(&mut self, id: DocumentId, edit: impl FnOnce(&mut Automerge) -> R) -> R {
        let (result, _): (R, Applied) = self.sync_mut(id).change(edit);
        self.flush(id, false).await;
        result
    }

    pub fn doc(&self, id: DocumentId) -> &Automerge {
        self.docs
            .get(&id)
            .expect("a document this client syncs")
            .doc()
    }

    pub fn heads(&self, id: DocumentId) -> Vec<ChangeHash> {
        self.doc(id).get_heads()
    }

    /// Whether the server said it has every change this client has of `id`.
    pub fn acked(&self, id: DocumentId) -> bool {
        self.docs
            .get(&id)
            .is_some_and(|d| d.peer_has_everything(&SERVER))
    }

    /// Sends one raw frame.
    pub async fn send_frame(&mut self, frame: Vec<u8>) {
        assert!(self.try_send(frame).await, "send a frame");
    }

    /// Sends one raw frame; `false` (and `closed` set) if the connection is gone.
    async fn try_send(&mut self, frame: Vec<u8>) -> bool {
        if self.closed {
            return false;
        }
        let sent = self.ws.send(WsMessage::Binary(frame.into())).await.is_ok();
        if !sent {
            self.closed = true;
        }
        sent
    }

    /// Handles what the server sends until `done` holds; fails after [`WAIT`], or if
    /// the connection closes first.
    pub async fn until(&mut self, what: &str, done: impl Fn(&TestClient) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        match self.wait_for(deadline, done).await {
            Wait::Done => {}
            Wait::Closed => panic!(
                "the connection closed while waiting for {what}; errors: {:?}",
                self.errors
            ),
            Wait::TimedOut => panic!("timed out waiting for {what}"),
        }
    }

    /// Handles what the server sends until `done` holds, the connection closes, or
    /// `deadline` passes, whichever comes first.
    pub async fn wait_for(
        &mut self,
        deadline: tokio::time::Instant,
        done: impl Fn(&TestClient) -> bool,
    ) -> Wait {
        while !done(self) {
            if self.closed {
                return Wait::Closed;
            }
            let Ok(frame) = tokio::time::timeout_at(deadline, self.ws.next()).await else {
                return Wait::TimedOut;
            };
            match frame {
                Some(Ok(WsMessage::Binary(bytes))) => self.receive(&bytes).await,
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => self.closed = true,
                Some(Ok(_)) => {}
            }
        }
        Wait::Done
    }

    async fn receive(&mut self, frame: &[u8]) {
        match self.connection.receive(frame) {
            Ok(Incoming::Sync {
                document_id, data, ..
            }) => {
                self.received.push((document_id, data.clone()));
                if let Some(doc) = self.docs.get_mut(&document_id) {
                    doc.receive(&SERVER, &data).expect("a valid sync message");
                    self.flush(document_id, false).await;
                }
            }
            Ok(Incoming::Unavailable { document_id }) => {
                self.unavailable.insert(document_id);
            }
            Ok(Incoming::RemoteError { message }) => self.errors.push(message),
            Ok(Incoming::Left) => self.closed = true,
            Ok(Incoming::Opened { .. } | Incoming::Ignored { .. }) => {}
            Err(error) => panic!("the server broke the protocol: {error}"),
        }
    }

    /// Sends what `id`'s sync state says the server should hear now, if anything.
    async fn flush(&mut self, id: DocumentId, request: bool) {
        let Some(data) = self.sync_mut(id).generate_for(&SERVER) else {
            return;
        };
        let frame = self
            .connection
            .sync(id, data, request)
            .expect("the connection is open");
        // A failed send marks the client closed, which the next wait reports.
        self.try_send(frame).await;
    }

    fn sync_mut(&mut self, id: DocumentId) -> &mut DocSync<&'static str> {
        self.docs
            .get_mut(&id)
            .expect("a document this client syncs")
    }
}

fn metadata() -> PeerMetadata {
    PeerMetadata {
        storage_id: None,
        is_ephemeral: true,
    }
}

/// The `/sync` upgrade request, with the bearer token of the server at `addr` if the
/// tests gave it one.
pub fn sync_request(addr: SocketAddr) -> Request {
    bearer_request(
        addr,
        "/sync",
        crate::credentials::token_for(addr).as_deref(),
    )
}

/// An upgrade request for `path_and_query` (such as `/sync?ticket=…`), with
/// `Authorization: Bearer token` if given and no other credential.
pub fn bearer_request(addr: SocketAddr, path_and_query: &str, token: Option<&str>) -> Request {
    let mut request = plain_request(addr, path_and_query);
    if let Some(token) = token {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("a header value"),
        );
    }
    request
}

/// An upgrade request for `path_and_query` with no credential and no `Origin`: add
/// headers to it with `headers_mut`.
pub fn plain_request(addr: SocketAddr, path_and_query: &str) -> Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    format!("ws://{addr}{path_and_query}")
        .into_client_request()
        .expect("a request")
}
