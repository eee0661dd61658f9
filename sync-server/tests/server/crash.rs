//! SIGKILL at random moments while devices write: nothing acknowledged is lost.
//!
//! One database for the whole test; each round:
//! 1. The server starts on it, and an auditor (a fresh client) requests every
//!    document: each must be served with every change acknowledged so far.
//! 2. [`DEVICES`] devices connect at once. Each offers everything it holds (as an
//!    app resends its outbox after a reconnect), then writes change after change,
//!    to its own document (a fifth of them) or to one of [`SHARED_DOCS`]
//!    documents every device writes, waiting for each to be acknowledged.
//! 3. After a random delay (a quarter within [`EARLY_KILL_MS`] ms, while the devices
//!    connect and resend; the rest up to [`MAX_WRITE_MS`] ms) the test SIGKILLs the
//!    server.
//! 4. Straight from the database: every document loads (`Automerge::load` of its
//!    chunks, as the server does), and holds every change a device saw
//!    acknowledged: the heads the server said it shares with the device
//!    (`DocSync::shared_heads`; equal to the device's heads when
//!    `peer_has_everything`). A head implies its history: Automerge keeps a change
//!    whose dependencies are missing out of the document.
//!
//! Every [`ROUNDS_PER_EPOCH`] rounds the devices move to new documents, so a long run
//! does not sync ever-growing documents. The shared documents pass 64 chunks, the
//! point where the server compacts them, within an epoch, so kills also land around
//! compactions and restarts load snapshots.
//!
//! `FIELDBOOK_CRASH_ROUNDS` (default [`DEFAULT_ROUNDS`]) sets the number of rounds and
//! `FIELDBOOK_CRASH_SEED` the seed (printed; random by default). The seed fixes the
//! documents, the devices' choices and the kill delays; thread timing still varies.
//! `bench/crash-rounds.sh` runs many rounds with the output shown.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ROOT};
use fieldbook_core::ids::DocumentId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::server_process::{Options, ServerProcess};
use crate::test_client::{TestClient, Wait, SERVER, WAIT};
use crate::test_db::TestDb;

backend_tests!(tokio::test; acknowledged_changes_survive_random_sigkills);

/// Devices writing at once.
const DEVICES: usize = 8;
/// Documents every device writes.
const SHARED_DOCS: usize = 2;
/// How many of a device's changes go to its own document; the rest go to the shared
/// ones, so that those reach the 64 chunks that trigger compaction within an epoch.
const OWN_DOC_SHARE: f64 = 0.2;
/// Rounds when `FIELDBOOK_CRASH_ROUNDS` is not set.
const DEFAULT_ROUNDS: usize = 20;
/// Rounds between switches to new documents.
const ROUNDS_PER_EPOCH: usize = 20;
/// The longest the devices write before the kill.
const MAX_WRITE_MS: u64 = 800;
/// A quarter of the kills come within this many milliseconds of the start, while the
/// devices connect and resend what they hold.
const EARLY_KILL_MS: u64 = 50;

/// Per document, the change hashes some device saw acknowledged.
type Acked = HashMap<DocumentId, HashSet<ChangeHash>>;

async fn acknowledged_changes_survive_random_sigkills(db: TestDb) {
    let rounds = env_number("FIELDBOOK_CRASH_ROUNDS").map_or(DEFAULT_ROUNDS, |n| n as usize);
    let seed = env_number("FIELDBOOK_CRASH_SEED").unwrap_or_else(rand::random);
    let backend = format!("{:?}", db.backend());
    eprintln!(
        "crash test on {backend}: {rounds} rounds, seed {seed} \
         (FIELDBOOK_CRASH_SEED={seed} FIELDBOOK_CRASH_ROUNDS={rounds} to repeat)"
    );
    let context = format!("{backend}, seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let options = Options::new(&db);
    let started = Instant::now();

    let mut devices: Vec<Device> = (0..DEVICES)
        .map(|i| Device::new(i, StdRng::seed_from_u64(rng.random())))
        .collect();
    let mut shared: Arc<[DocumentId]> = Arc::from(Vec::new());
    let mut acked = Acked::new();
    let mut total_writes = 0;

    for round in 0..rounds {
        let round_started = Instant::now();
        let server = ServerProcess::start(&options).await;
        let context = format!(
            "round {round}, {context}; server log {}",
            server.log.display()
        );

        // 1. Everything acknowledged before the last kill is served after the restart.
        audit(server.addr, &acked, &context).await;
        if round % ROUNDS_PER_EPOCH == 0 {
            acked.clear();
            shared = (0..SHARED_DOCS).map(|_| new_id(&mut rng)).collect();
            for device in &mut devices {
                device.start_epoch(new_id(&mut rng), &shared);
            }
        }

        // 2. and 3. The devices write; the server dies at a random moment.
        let kill_after = Duration::from_millis(if rng.random_bool(0.25) {
            rng.random_range(0..=EARLY_KILL_MS)
        } else {
            rng.random_range(EARLY_KILL_MS..=MAX_WRITE_MS)
        });
        let writers: Vec<_> = devices
            .drain(..)
            .map(|device| tokio::spawn(device.write_until_closed(server.addr, shared.clone())))
            .collect();
        tokio::time::sleep(kill_after).await;
        server.kill().await;
        let mut writes = 0;
        for writer in writers {
            let (device, device_acked, device_writes) = writer.await.expect("a device task");
            devices.push(device);
            writes += device_writes;
            for (id, hashes) in device_acked {
                acked.entry(id).or_default().extend(hashes);
            }
        }
        devices.sort_by_key(|d| d.index);

        // 4. Every document loads from the database and holds what was acknowledged.
        let docs: HashSet<DocumentId> = devices
            .iter()
            .flat_map(|d| d.docs.keys().copied())
            .chain(acked.keys().copied())
            .collect();
        let stats = verify_storage(&db, &docs, &acked, &context).await;
        total_writes += writes;
        eprintln!(
            "{backend} round {round:>3}: killed after {:>4} ms; {writes:>3} changes written; stored: \
             {:>4} changes in {:>3} chunks ({} snapshots) in {} documents; {:.2} s",
            kill_after.as_millis(),
            stats.changes,
            stats.chunks,
            stats.snapshots,
            docs.len(),
            round_started.elapsed().as_secs_f64()
        );
    }

    // A last restart: everything acknowledged in the last round is served.
    let server = ServerProcess::start(&options).await;
    audit(
        server.addr,
        &acked,
        &format!("after the last round, {context}"),
    )
    .await;
    assert!(server.terminate().await.success());
    eprintln!(
        "crash test on {backend}: {rounds} rounds, {total_writes} changes written, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A device: its documents (kept across connections, like an app's local store) and
/// its own random choices.
struct Device {
    index: usize,
    name: String,
    own: DocumentId,
    docs: HashMap<DocumentId, Automerge>,
    rng: StdRng,
    edits: i64,
}

impl Device {
    fn new(index: usize, rng: StdRng) -> Device {
        Device {
            index,
            name: format!("device-{index}"),
            own: DocumentId::from_bytes([0; 16]),
            docs: HashMap::new(),
            rng,
            edits: 0,
        }
    }

    /// Forgets the old documents and starts `own` and `shared`, all empty.
    fn start_epoch(&mut self, own: DocumentId, shared: &[DocumentId]) {
        self.own = own;
        self.docs = std::iter::once(own)
            .chain(shared.iter().copied())
            .map(|id| (id, Automerge::new()))
            .collect();
    }

    /// Connects, offers every document, and writes until the connection closes.
    /// Returns the device, what it saw acknowledged, and how many changes it made.
    async fn write_until_closed(
        mut self,
        addr: SocketAddr,
        shared: Arc<[DocumentId]>,
    ) -> (Device, Acked, usize) {
        let mut acked = Acked::new();
        let mut writes = 0;
        let Some(mut client) = TestClient::try_connect(addr, &self.name).await else {
            return (self, acked, writes);
        };
        for (id, doc) in self.docs.drain() {
            client.create(id, doc).await;
        }
        while !client.closed {
            let id = if self.rng.random_bool(OWN_DOC_SHARE) {
                self.own
            } else {
                shared[self.rng.random_range(0..shared.len())]
            };
            self.edits += 1;
            let (key, value) = (format!("{}-{}", self.name, self.edits), self.edits);
            client
                .change(id, |d| {
                    d.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, key, value))
                        .expect("change")
                })
                .await;
            writes += 1;
            let outcome = client
                .wait_for(tokio::time::Instant::now() + WAIT, |c| c.acked(id))
                .await;
            record(&client, &mut acked);
            assert_ne!(
                outcome,
                Wait::TimedOut,
                "{}: a change was not acknowledged within {WAIT:?}, and the server did not close",
                self.name
            );
        }
        record(&client, &mut acked);
        assert!(
            client.errors.is_empty(),
            "{}: the server sent errors: {:?}",
            self.name,
            client.errors
        );
        self.docs = client
            .docs
            .into_iter()
            .map(|(id, sync)| (id, sync.doc().clone()))
            .collect();
        (self, acked, writes)
    }
}

/// Adds what the server has acknowledged to `client`, per document, to `acked`.
fn record(client: &TestClient, acked: &mut Acked) {
    for (id, sync) in &client.docs {
        if let Some(heads) = sync.shared_heads(&SERVER) {
            acked.entry(*id).or_default().extend(heads.iter().copied());
        }
    }
}

/// A fresh client requests every document and must receive every acknowledged change.
async fn audit(addr: SocketAddr, acked: &Acked, context: &str) {
    let mut auditor = TestClient::connect(addr, "auditor").await;
    let expected: Vec<(DocumentId, &HashSet<ChangeHash>)> = acked
        .iter()
        .filter(|(_, hashes)| !hashes.is_empty())
        .map(|(id, hashes)| (*id, hashes))
        .collect();
    for (id, _) in &expected {
        auditor.request(*id).await;
    }
    let has_all = |c: &TestClient| {
        expected.iter().all(|(id, hashes)| {
            hashes
                .iter()
                .all(|h| c.doc(*id).get_change_meta_by_hash(h).is_some())
        })
    };
    let outcome = auditor
        .wait_for(tokio::time::Instant::now() + WAIT, has_all)
        .await;
    if outcome != Wait::Done {
        let missing: Vec<String> = expected
            .iter()
            .filter_map(|(id, hashes)| {
                let lost = hashes
                    .iter()
                    .filter(|h| auditor.doc(*id).get_change_meta_by_hash(h).is_none())
                    .count();
                (lost > 0).then(|| format!("{id}: {lost} of {}", hashes.len()))
            })
            .collect();
        panic!(
            "after a restart the server did not serve every acknowledged change ({outcome:?}; \
             unavailable: {:?}; errors: {:?}; missing: {missing:?}) — {context}",
            auditor.unavailable, auditor.errors
        );
    }
}

struct StorageStats {
    changes: usize,
    chunks: usize,
    snapshots: usize,
}

/// Loads `docs` straight from the database: each must load, and hold what was
/// acknowledged.
async fn verify_storage(
    db: &TestDb,
    docs: &HashSet<DocumentId>,
    acked: &Acked,
    context: &str,
) -> StorageStats {
    let store = db.open_store().await;
    let mut stats = StorageStats {
        changes: 0,
        chunks: 0,
        snapshots: 0,
    };
    for id in docs {
        let expected = acked.get(id).filter(|h| !h.is_empty());
        let chunks = store.load(*id).await.expect("load from the store");
        let Some(chunks) = chunks else {
            assert!(
                expected.is_none(),
                "{id} is not stored, yet {} of its changes were acknowledged — {context}",
                expected.map_or(0, HashSet::len)
            );
            continue;
        };
        stats.chunks += chunks.len();
        let all: Vec<u8> = chunks
            .iter()
            .flat_map(|c| c.bytes.iter().copied())
            .collect();
        let doc = Automerge::load(&all)
            .unwrap_or_else(|e| panic!("{id} does not load from storage: {e} — {context}"));
        stats.changes += doc.get_changes(&[]).len();
        stats.snapshots += chunks.iter().filter(|c| is_snapshot(&c.bytes)).count();
        if let Some(expected) = expected {
            let lost = expected
                .iter()
                .filter(|h| doc.get_change_meta_by_hash(h).is_none())
                .count();
            assert_eq!(
                lost,
                0,
                "{id}: {lost} of {} acknowledged heads are not in storage after SIGKILL — {context}",
                expected.len()
            );
        }
    }
    store.close().await;
    stats
}

/// Whether a chunk is a whole-document save (Automerge's chunk type 0) rather than
/// changes (type 1, or 2 compressed).
fn is_snapshot(bytes: &[u8]) -> bool {
    // Magic (4 bytes), checksum (4 bytes), then the chunk type.
    bytes.get(8) == Some(&0)
}

fn new_id(rng: &mut StdRng) -> DocumentId {
    DocumentId::from_bytes(rng.random())
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
    )
}
