//! Parses the configuration and serves. Everything else lives in the library.

use std::io::{IsTerminal, Write};
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::serve::ListenerExt;
use clap::Parser;
use fieldbook_core::doc::Stamp;
use fieldbook_core::ids::DocumentId;
use fieldbook_sync_server::auth::{self, AuthConfig};
use fieldbook_sync_server::hub::Hub;
use fieldbook_sync_server::limits::{self, Limits};
use fieldbook_sync_server::store;
use fieldbook_sync_server::{app, demo, AppState};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

mod admin;

/// How long open sync connections get to close after a shutdown signal.
const SESSION_GRACE: Duration = Duration::from_secs(5);

/// Fieldbook's sync server: the sync WebSocket, the JSON API, and the built app.
///
/// With no command it serves. The commands administer the directory of the
/// database it would serve: organisations, sites, users and API tokens.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Config {
    #[command(subcommand)]
    command: Option<admin::Command>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "FIELDBOOK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// The database, chosen by the URL's scheme: `sqlite://PATH` (the file and its
    /// directory are created if missing) or `postgres://USER@HOST:PORT/DB` (also
    /// `postgresql://`; the database must exist). The schema is brought up to date.
    #[arg(
        long,
        visible_alias = "database-url",
        env = "FIELDBOOK_DATABASE",
        default_value = "sqlite://data/fieldbook.db",
        global = true
    )]
    database: String,
    /// The built app (`cargo xtask build` writes it).
    #[arg(long, env = "FIELDBOOK_DIST", default_value = "dist")]
    dist: PathBuf,
    /// On a store with no sites, create a demo site with a few incidents.
    #[arg(long, env = "FIELDBOOK_DEMO", value_parser = clap::builder::FalseyValueParser::new())]
    demo: bool,
    /// With --demo: how many incidents the demo site starts with (the three written
    /// ones, then made-up ones: to try Fieldbook, or benchmark it, under a realistic load).
    #[arg(long, env = "FIELDBOOK_DEMO_INCIDENTS", default_value_t = demo::DEFAULT_INCIDENTS)]
    demo_incidents: usize,
    #[command(flatten)]
    limits: LimitFlags,
    #[command(flatten)]
    auth: AuthFlags,
    /// Test hook, not for production: a sync message that leaves this document with
    /// the root key `fieldbook-test-panic` makes the server panic while handling it
    /// (as a bug in Automerge would), so tests can check that only that document's
    /// sync is affected. See `Hub::inject_test_panic`.
    #[arg(long, hide = true, value_name = "DOCUMENT_ID")]
    test_panic_doc: Option<DocumentId>,
}

/// What one sync connection may ask of the server, and how many idle documents stay
/// in memory. See `fieldbook_sync_server::limits` for what happens at each limit.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Limits")]
struct LimitFlags {
    /// The largest WebSocket message (and frame) a client may send, in bytes; a
    /// larger one gets an `error` and the connection is closed.
    #[arg(long, env = "FIELDBOOK_MAX_MESSAGE_BYTES", default_value_t = limits::DEFAULT_MAX_MESSAGE_BYTES)]
    max_message_bytes: NonZeroUsize,
    /// Messages one connection may send per second, sustained; faster gets an
    /// `error` and the connection is closed.
    #[arg(long, env = "FIELDBOOK_MESSAGES_PER_SECOND", default_value_t = limits::DEFAULT_MESSAGES_PER_SECOND)]
    messages_per_second: NonZeroU32,
    /// Messages one connection may send at once above the sustained rate. A device
    /// offers every document it holds as it connects, paced (`core::sync::pacing`:
    /// 400 a second after 800, and one answer each): keep this and the rate at
    /// least twice those.
    #[arg(long, env = "FIELDBOOK_MESSAGE_BURST", default_value_t = limits::DEFAULT_MESSAGE_BURST)]
    message_burst: NonZeroU32,
    /// Distinct documents one connection may sync; one more gets an `error` and the
    /// connection is closed.
    #[arg(long, env = "FIELDBOOK_MAX_DOCUMENTS_PER_CONNECTION", default_value_t = limits::DEFAULT_MAX_DOCUMENTS_PER_CONNECTION)]
    max_documents_per_connection: NonZeroUsize,
    /// How long a new sync socket has to send `join` (`250ms`, `10s`, `2m`) before it
    /// gets an `error` and is closed.
    #[arg(long, env = "FIELDBOOK_HANDSHAKE_TIMEOUT", default_value = limits::DEFAULT_HANDSHAKE_TIMEOUT, value_parser = limits::parse_duration)]
    handshake_timeout: Duration,
    /// Messages that may wait for one connection to read them; a connection that
    /// falls further behind is closed (and resyncs when it reconnects).
    #[arg(long, env = "FIELDBOOK_OUTBOX_CAPACITY", default_value_t = limits::DEFAULT_OUTBOX_CAPACITY)]
    outbox_capacity: NonZeroUsize,
    /// Documents no connection syncs that stay in memory, least recently used out
    /// first; 0 drops each as soon as no one syncs it.
    #[arg(long, env = "FIELDBOOK_MAX_IDLE_DOCUMENTS", default_value_t = limits::DEFAULT_MAX_IDLE_DOCUMENTS)]
    max_idle_documents: usize,
    /// The largest photo (or other evidence blob) one upload may carry, in bytes;
    /// a larger one is refused with 413.
    #[arg(long, env = "FIELDBOOK_MAX_BLOB_BYTES", default_value_t = limits::DEFAULT_MAX_BLOB_BYTES)]
    max_blob_bytes: NonZeroUsize,
    /// How often an open sync connection checks that its session or token still
    /// holds (`30s`, `5m`); one that expired or signed out is told and closed.
    #[arg(long, env = "FIELDBOOK_CREDENTIAL_CHECK_INTERVAL", default_value = limits::DEFAULT_CREDENTIAL_CHECK_INTERVAL, value_parser = limits::parse_duration)]
    credential_check_interval: Duration,
}

/// How people sign in. See `fieldbook_sync_server::auth`.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Sign-in")]
struct AuthFlags {
    /// An origin besides the server's own whose pages may use the session cookie,
    /// such as `https://fieldbook.example.com`; repeat, or separate with commas.
    #[arg(
        long = "allowed-origin",
        env = "FIELDBOOK_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// How long a browser session lasts after sign-in (`90s`, `12h`, `14d`).
    #[arg(long, env = "FIELDBOOK_SESSION_TTL", default_value = auth::DEFAULT_SESSION_TTL, value_parser = limits::parse_duration)]
    session_ttl: Duration,
    /// Mark the session cookie `Secure`: set this when serving over HTTPS.
    #[arg(long, env = "FIELDBOOK_SECURE_COOKIE", value_parser = clap::builder::FalseyValueParser::new())]
    secure_cookie: bool,
}

impl From<AuthFlags> for AuthConfig {
    fn from(flags: AuthFlags) -> AuthConfig {
        AuthConfig {
            allowed_origins: flags.allowed_origins,
            session_ttl: flags.session_ttl,
            secure_cookie: flags.secure_cookie,
        }
    }
}

impl From<LimitFlags> for Limits {
    fn from(flags: LimitFlags) -> Limits {
        Limits {
            max_message_bytes: flags.max_message_bytes,
            messages_per_second: flags.messages_per_second,
            message_burst: flags.message_burst,
            max_documents_per_connection: flags.max_documents_per_connection,
            handshake_timeout: flags.handshake_timeout,
            outbox_capacity: flags.outbox_capacity,
            max_idle_documents: flags.max_idle_documents,
            max_blob_bytes: flags.max_blob_bytes,
            credential_check_interval: flags.credential_check_interval,
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let db = store::open(&config.database)
        .await
        .with_context(|| format!("opening the database {}", store::redact(&config.database)))?;
    if let Some(command) = config.command {
        let result = admin::run(command, &db, now_ms()?).await;
        db.store.close().await;
        return result;
    }
    if config.demo {
        let stamp = Stamp::at(now_ms()?);
        if demo::seed_if_empty(
            db.store.as_ref(),
            db.directory.as_ref(),
            stamp,
            config.demo_incidents,
        )
        .await
        .context("writing the demo data")?
        {
            tracing::info!(site = demo::SITE_ID, "demo data written");
        }
    }

    let store = Arc::clone(&db.store);
    let state = AppState::with_config(db, config.dist, config.limits.into(), config.auth.into());
    let hub = state.hub.clone();
    if let Some(document) = config.test_panic_doc {
        tracing::warn!(%document, "test hook: sync messages may make this document panic");
        hub.inject_test_panic(document);
    }
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "fieldbook listening on http://{addr}")?;
        if config.demo {
            let logins: Vec<&str> = demo::USERS.iter().map(|(login, _, _)| *login).collect();
            writeln!(
                stdout,
                "demo sign-in: login `tech`, password `{}` (also: {})",
                demo::PASSWORD,
                logins[1..].join(", ")
            )?;
        }
        stdout.flush()?;
    }
    tracing::info!(%addr, peer = %hub.peer_id(), "serving");

    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal(hub.clone()))
        .await
        .context("serving")?;

    if tokio::time::timeout(SESSION_GRACE, hub.sessions_closed())
        .await
        .is_err()
    {
        tracing::warn!("some sync connections did not close in time");
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, after asking every sync connection to close.
async fn shutdown_signal(hub: Hub) {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
    hub.shut_down();
}

/// The wall clock in milliseconds since the Unix epoch (the server may read a clock).
fn now_ms() -> anyhow::Result<i64> {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?;
    i64::try_from(elapsed.as_millis()).context("the clock is past the year 292 million")
}
