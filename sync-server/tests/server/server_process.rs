//! The real server binary, started on a free port.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

use crate::test_db::TestDb;

/// How long the server may take to start or stop.
const STARTUP: Duration = Duration::from_secs(30);

static STARTS: AtomicUsize = AtomicUsize::new(0);

/// How to start the server.
pub struct Options {
    /// Holds the server's logs.
    pub dir: PathBuf,
    /// `--database`.
    pub database: String,
    /// `--dist`; `dir/nodist` (absent) unless set.
    pub dist: Option<PathBuf>,
    pub demo: bool,
    /// More arguments after the usual ones, such as `--allowed-origin …`.
    pub extra_args: Vec<String>,
}

impl Options {
    /// On the test's database, with logs in its temporary directory.
    pub fn new(db: &TestDb) -> Options {
        Options {
            dir: db.dir().to_owned(),
            database: db.url().to_owned(),
            dist: None,
            demo: false,
            extra_args: Vec::new(),
        }
    }
}

/// A running server process; killed if dropped.
pub struct ServerProcess {
    child: Child,
    stdout: BufReader<ChildStdout>,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl ServerProcess {
    pub async fn start(options: &Options) -> ServerProcess {
        let n = STARTS.fetch_add(1, Ordering::Relaxed);
        let log = options.dir.join(format!("server-{n}.log"));
        let stderr = std::fs::File::create(&log).expect("create log file");
        let dist = options
            .dist
            .clone()
            .unwrap_or_else(|| options.dir.join("nodist"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_fieldbook-sync-server"));
        command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--database")
            .arg(&options.database)
            .arg("--dist")
            .arg(&dist)
            .env("RUST_LOG", "info,fieldbook_sync_server=debug")
            .env_remove("FIELDBOOK_DEMO")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .kill_on_drop(true);
        if options.demo {
            command.arg("--demo");
        }
        command.args(&options.extra_args);
        let mut child = command.spawn().expect("spawn the server");
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
        crate::credentials::register(
            addr,
            crate::credentials::seed(&options.database, options.demo).await,
        );
        ServerProcess {
            child,
            stdout,
            addr,
            log,
        }
    }

    /// The next line the server prints on standard output after the listening line
    /// (which [`ServerProcess::start`] read), without its line break.
    pub async fn next_stdout_line(&mut self) -> String {
        let mut line = String::new();
        tokio::time::timeout(STARTUP, self.stdout.read_line(&mut line))
            .await
            .unwrap_or_else(|_| panic!("no line on stdout; see {}", self.log.display()))
            .expect("read the server's stdout");
        line.trim_end_matches(['\r', '\n']).to_owned()
    }

    /// Kills the server with SIGKILL (what `Child::kill` sends on Unix): no chance to clean up.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("SIGKILL the server");
    }

    /// Sends SIGTERM and waits for a graceful exit.
    pub async fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().expect("the server is running");
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .await
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        tokio::time::timeout(STARTUP, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("the server ignored SIGTERM; see {}", self.log.display()))
            .expect("wait for the server")
    }
}
