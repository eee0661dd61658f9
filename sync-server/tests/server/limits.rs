//! Each limit of `fieldbook_sync_server::limits`, set by its flag on the real binary
//! and hit over a real socket: the connection that breaks it gets an `error` (where
//! it can still hear one) and is closed; the others are served on.

use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{Automerge, ScalarValue, ROOT};
use fieldbook_core::ids::{DocumentId, PeerId};
use fieldbook_core::sync::DocSync;
use fieldbook_core::wire::Message;
use futures::SinkExt;
use rand::RngCore;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::flagged_server::FlaggedServer;
use crate::raw_client::{self, RawClient};
use crate::test_client::{TestClient, Wait, WAIT};
use crate::{new_incident, random_id};

const MIB: usize = 1024 * 1024;

/// A client that syncs one document, and can show it is still served.
struct Bystander {
    client: TestClient,
    id: DocumentId,
    edits: i64,
}

impl Bystander {
    async fn start(server: &FlaggedServer) -> Bystander {
        let mut client = TestClient::connect(server.addr, "bystander").await;
        let id = random_id();
        client
            .create(id, new_incident("Conveyor belt 3 stops at random"))
            .await;
        client
            .until("the incident is acknowledged", |c| c.acked(id))
            .await;
        Bystander {
            client,
            id,
            edits: 0,
        }
    }

    /// Makes a change and waits for the server to acknowledge it.
    async fn still_served(&mut self) {
        self.edits += 1;
        let n = self.edits;
        self.client
            .change(self.id, |d| {
                d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "probe", n))
                    .expect("change")
            })
            .await;
        let id = self.id;
        self.client
            .until("the bystander's change is acknowledged", |c| c.acked(id))
            .await;
        assert!(!self.client.closed && self.client.errors.is_empty());
    }
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

#[tokio::test]
async fn a_message_over_8_mib_gets_an_error_and_closes_only_that_connection() {
    // The default limit: no flag.
    let server = FlaggedServer::start(&[]).await;
    let mut bystander = Bystander::start(&server).await;

    // 1. A message just under the limit is accepted: a 7.5 MiB attachment.
    let mut big = TestClient::connect(server.addr, "big-but-fine").await;
    let id = random_id();
    big.create(id, automerge::Automerge::new()).await;
    big.change(id, |d| {
        d.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(
                ROOT,
                "attachment",
                ScalarValue::Bytes(random_bytes(15 * MIB / 2)),
            )
        })
        .expect("change")
    })
    .await;
    big.until("the attachment is acknowledged", |c| c.acked(id))
        .await;

    // 2. One byte over: an `error` naming the size, then the close. The client keeps
    //    reading while it writes, as the server answers before the frame has arrived.
    let (client, _) = RawClient::join(server.addr, "too-big").await;
    let RawClient {
        mut sink,
        mut stream,
        ..
    } = client;
    let writer = tokio::spawn(async move {
        let frame = random_bytes(8 * MIB + 1);
        let _ = sink.send(WsMessage::Binary(frame.into())).await;
    });
    let errors = raw_client::errors_until_closed(&mut stream).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("too long"), "{errors:?}");
    writer.abort();

    // 3. Everyone else is still served.
    bystander.still_served().await;
    big.change(id, |d| {
        d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "after", 1))
            .expect("change")
    })
    .await;
    big.until("a later change is acknowledged", |c| c.acked(id))
        .await;
}

#[tokio::test]
async fn a_connection_over_the_message_rate_gets_an_error_and_is_closed() {
    let server =
        FlaggedServer::start(&["--messages-per-second", "5", "--message-burst", "20"]).await;
    let mut bystander = Bystander::start(&server).await;

    // 1. Forty `ephemeral` messages at once, twice the burst.
    let (mut flooder, connection) = RawClient::join(server.addr, "flooder").await;
    let server_id = connection.remote().expect("open").clone();
    for count in 0..40 {
        if !flooder.send(ephemeral(&server_id, count)).await {
            break;
        }
    }
    let errors = flooder.errors_until_closed().await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("messages per second"), "{errors:?}");

    // 2. A client within the burst is not affected.
    let (mut polite, connection) = RawClient::join(server.addr, "polite").await;
    let server_id = connection.remote().expect("open").clone();
    for count in 0..15 {
        assert!(polite.send(ephemeral(&server_id, count)).await);
    }
    bystander.still_served().await;
    let closed =
        tokio::time::timeout(Duration::from_millis(200), polite.errors_until_closed()).await;
    assert!(closed.is_err(), "the polite client is still connected");
}

fn ephemeral(server: &PeerId, count: u64) -> Vec<u8> {
    Message::Ephemeral {
        sender_id: PeerId::parse("flooder").expect("peer id"),
        target_id: server.clone(),
        document_id: DocumentId::from_bytes([7; 16]),
        count,
        session_id: "cursor".to_owned(),
        data: vec![0xa0],
    }
    .encode()
}

#[tokio::test]
async fn a_connection_over_its_document_limit_gets_an_error_and_is_closed() {
    let server = FlaggedServer::start(&["--max-documents-per-connection", "3"]).await;
    let mut bystander = Bystander::start(&server).await;

    // 1. Three documents are fine.
    let mut hoarder = TestClient::connect(server.addr, "hoarder").await;
    for n in 0..3 {
        let id = random_id();
        hoarder
            .create(id, new_incident(&format!("Pallet jack {n} is missing")))
            .await;
        hoarder
            .until("the incident is acknowledged", |c| c.acked(id))
            .await;
    }

    // 2. A fourth is refused, and the connection closed.
    hoarder
        .create(random_id(), new_incident("One incident too many"))
        .await;
    hoarder.until("the close", |c| c.closed).await;
    assert_eq!(hoarder.errors.len(), 1, "{:?}", hoarder.errors);
    assert!(
        hoarder.errors[0].contains("3 documents"),
        "{:?}",
        hoarder.errors
    );

    // 3. The bystander, with one document of its own, is not affected.
    bystander.still_served().await;
}

#[tokio::test]
async fn a_socket_that_never_sends_join_is_closed_at_the_deadline() {
    let server = FlaggedServer::start(&["--handshake-timeout", "300ms"]).await;

    // 1. A socket that says nothing gets an `error` and is closed.
    let started = Instant::now();
    let mut silent = RawClient::connect(server.addr).await;
    let errors = silent.errors_until_closed().await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("join"), "{errors:?}");

    // 2. A client that joined in time may stay quiet for longer than the deadline.
    let mut quiet = TestClient::connect(server.addr, "quiet").await;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(600);
    assert_eq!(quiet.wait_for(deadline, |_| false).await, Wait::TimedOut);
    let id = random_id();
    quiet
        .create(id, new_incident("Still here after a pause"))
        .await;
    quiet
        .until("the incident is acknowledged", |c| c.acked(id))
        .await;
}

#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected_and_the_rest_carry_on() {
    let server = FlaggedServer::start(&["--outbox-capacity", "8"]).await;
    let id = random_id();

    // 1. A writer syncs a document; a reader with a small socket receive buffer asks
    //    for it, and then never reads again.
    let mut writer = TestClient::connect(server.addr, "writer").await;
    writer
        .create(id, new_incident("Freezer alarm in bay 2"))
        .await;
    writer
        .until("the incident is acknowledged", |c| c.acked(id))
        .await;
    let (mut reader, connection) = RawClient::join_with(server.addr, "reader", Some(4096)).await;
    let mut reader_doc: DocSync<&str> = DocSync::new(Automerge::new());
    reader_doc.connect("server");
    let request = reader_doc.generate_for(&"server").expect("a first message");
    assert!(
        reader
            .send(connection.sync(id, request, true).expect("open"))
            .await
    );
    assert_eq!(server.metric("fieldbook_connections_open").await, 2);

    // 2. The writer attaches 64 KiB at a time, each change acknowledged, until the
    //    server gives up on the reader: the socket buffers fill, then its outbox.
    let mut changes = 0;
    while server.metric("fieldbook_connections_open").await > 1 {
        assert!(changes < 100, "the reader was never disconnected");
        changes += 1;
        writer
            .change(id, |d| {
                d.transact::<_, _, automerge::AutomergeError>(|tx| {
                    tx.put(ROOT, "photo", ScalarValue::Bytes(random_bytes(64 * 1024)))
                })
                .expect("change")
            })
            .await;
        writer
            .until("the change is acknowledged", |c| c.acked(id))
            .await;
    }
    assert_eq!(server.metric("fieldbook_errors_total").await, 1);

    // 3. The writer was never held back, and is still served.
    writer
        .change(id, |d| {
            d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "after", 1))
                .expect("change")
        })
        .await;
    writer
        .until("a later change is acknowledged", |c| c.acked(id))
        .await;

    // 4. The reader finds the connection closed behind what was already buffered.
    reader.errors_until_closed().await;
}

#[tokio::test]
async fn every_socket_the_server_accepts_has_tcp_nodelay() {
    let server = FlaggedServer::start(&[]).await;
    let (client, _) = RawClient::join(server.addr, "nodelay").await;
    let plain_http = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    let plain_local = plain_http.local_addr().expect("local address");
    // The server accepts the plain connection in its own time.
    let deadline = Instant::now() + WAIT;
    let accepted = loop {
        let accepted = server_sockets(server.pid(), server.addr.port());
        if accepted.iter().any(|(peer, _)| *peer == plain_local) || Instant::now() > deadline {
            break accepted;
        }
        tokio::task::yield_now().await;
    };

    for local in [client.local, plain_local] {
        let nodelay = accepted
            .iter()
            .find(|(peer, _)| *peer == local)
            .map(|(_, nodelay)| *nodelay);
        assert_eq!(
            nodelay,
            Some(true),
            "the server's socket for {local}: {accepted:?}"
        );
    }
    assert!(accepted.iter().all(|(_, nodelay)| *nodelay), "{accepted:?}");
}

/// The server's connected sockets on `port`: each one's peer address and whether it
/// has TCP_NODELAY, read from the server process's own file descriptors through
/// `pidfd_getfd(2)` (Linux 5.6; allowed for a child of the test process).
fn server_sockets(pid: u32, port: u16) -> Vec<(std::net::SocketAddr, bool)> {
    use rustix::process::{pidfd_getfd, pidfd_open, Pid, PidfdFlags, PidfdGetfdFlags};

    let pid = Pid::from_raw(i32::try_from(pid).expect("a pid")).expect("a pid");
    let pidfd = pidfd_open(pid, PidfdFlags::empty()).expect("pidfd_open the server");
    let mut sockets = Vec::new();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd", pid = pid.as_raw_nonzero()))
        .expect("list the server's file descriptors");
    for fd in fds {
        let Some(fd) = fd
            .ok()
            .and_then(|e| e.file_name().to_str()?.parse::<RawFd>().ok())
        else {
            continue;
        };
        let fd = match pidfd_getfd(&pidfd, fd, PidfdGetfdFlags::empty()) {
            Ok(fd) => fd,
            // Closed meanwhile.
            Err(rustix::io::Errno::BADF) => continue,
            Err(error) => panic!(
                "pidfd_getfd on the server failed ({error}); this test needs Linux 5.6+ \
                 and permission to trace a child process"
            ),
        };
        let (Ok(Some(local)), Ok(Some(peer))) = (
            rustix::net::getsockname(&fd).map(Some),
            rustix::net::getpeername(&fd),
        ) else {
            continue;
        };
        let (Ok(local), Ok(peer)) = (
            std::net::SocketAddr::try_from(local),
            std::net::SocketAddr::try_from(peer),
        ) else {
            continue;
        };
        if local.port() == port {
            let nodelay = rustix::net::sockopt::tcp_nodelay(&fd).expect("read TCP_NODELAY");
            sockets.push((peer, nodelay));
        }
    }
    sockets
}
