//! Parses the configuration and serves. Everything else lives in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::serve::ListenerExt;
use clap::Parser;
use fieldbook_core::doc::Stamp;
use fieldbook_sync_server::hub::Hub;
use fieldbook_sync_server::store::{SqliteStore, Store};
use fieldbook_sync_server::{app, demo, AppState};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// How long open sync connections get to close after a shutdown signal.
const SESSION_GRACE: Duration = Duration::from_secs(5);

/// Fieldbook's sync server: the sync WebSocket, the JSON API, and the built app.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Config {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "FIELDBOOK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// The database; the file and its directory are created if missing.
    #[arg(
        long,
        env = "FIELDBOOK_DATABASE",
        default_value = "sqlite://data/fieldbook.db"
    )]
    database: String,
    /// The built app (`cargo xtask build` writes it).
    #[arg(long, env = "FIELDBOOK_DIST", default_value = "dist")]
    dist: PathBuf,
    /// On a store with no sites, create a demo site with a few incidents.
    #[arg(long, env = "FIELDBOOK_DEMO", value_parser = clap::builder::FalseyValueParser::new())]
    demo: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let store = Arc::new(
        SqliteStore::open(&config.database)
            .await
            .with_context(|| format!("opening the database {}", config.database))?,
    );
    if config.demo {
        let stamp = Stamp::at(now_ms()?);
        if demo::seed_if_empty(store.as_ref(), stamp)
            .await
            .context("writing the demo data")?
        {
            tracing::info!(site = demo::SITE_ID, "demo data written");
        }
    }

    let state = AppState::new(Arc::clone(&store) as Arc<dyn Store>, config.dist);
    let hub = state.hub.clone();
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "fieldbook listening on http://{addr}")?;
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
