//! The real server binary started with extra flags (the limits, the panic hook), on
//! SQLite in its own temporary directory, and its `/metrics`.
//!
//! What these tests check does not depend on the database, so they run once, on
//! SQLite, rather than through `backend_tests!`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

use crate::http;
use crate::test_client::WAIT;

/// How long the server may take to start.
const STARTUP: Duration = Duration::from_secs(30);

/// A running server process; killed if dropped.
pub struct FlaggedServer {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    pub addr: SocketAddr,
    pub log: PathBuf,
    _dir: TempDir,
}

impl FlaggedServer {
    /// Starts the server with `args` after the usual `--listen`, `--database` and `--dist`.
    pub async fn start(args: &[&str]) -> FlaggedServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("server.log");
        let stderr = std::fs::File::create(&log).expect("create log file");
        let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_fieldbook-sync-server"))
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--database")
            .arg(&database)
            .arg("--dist")
            .arg(dir.path().join("nodist"))
            .args(args)
            .env("RUST_LOG", "info,fieldbook_sync_server=debug")
            .env_remove("FIELDBOOK_DEMO")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .kill_on_drop(true)
            .spawn()
            .expect("spawn the server");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        tokio::time::timeout(STARTUP, stdout.read_line(&mut line))
            .await
            .unwrap_or_else(|_| panic!("the server did not start; see {}", log.display()))
            .expect("read the server's stdout");
        let addr = line
            .trim()
            .strip_prefix("fieldbook listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}; see {}", log.display()))
            .parse()
            .expect("a socket address");
        crate::credentials::register(addr, crate::credentials::seed(&database, false).await);
        FlaggedServer {
            child,
            _stdout: stdout,
            addr,
            log,
            _dir: dir,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("the server is running")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The value of one sample of `GET /metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        let response = http::get(self.addr, "/metrics").await;
        assert_eq!(response.status, 200);
        response
            .body
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {name} in {}", response.body))
            .parse()
            .expect("a whole number")
    }

    /// Polls `/metrics` until `name` satisfies `ok`; fails after [`WAIT`].
    pub async fn until_metric(&self, name: &str, ok: impl Fn(u64) -> bool) -> u64 {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let value = self.metric(name).await;
            if ok(value) {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting on {name}, last {value}; see {}",
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
