//! The database behind a test's server: SQLite in a temporary directory, or a fresh
//! PostgreSQL database created for the test and dropped after it.
//!
//! Every test that uses a database is written once, as `async fn name(db: TestDb)`,
//! and [`backend_tests!`] runs it twice: `…::sqlite::name` and `…::postgres::name`.
//!
//! PostgreSQL comes from `FIELDBOOK_TEST_POSTGRES_URL`: a URL of a role that may
//! create databases, and a database to connect to for that, such as
//! `postgres://fieldbook@127.0.0.1:5432/postgres` (`cargo xtask test` starts a
//! throwaway cluster and sets it). Each test creates a database named
//! `fieldbook_test_…` through it, and drops it when the test ends, passed or failed.
//! Without the variable the PostgreSQL variants fail when `CI` is set, so CI cannot
//! skip them silently; elsewhere they pass after printing a notice.

use std::io::Write;
use std::path::Path;
use std::str::FromStr;
use std::sync::Once;

use fieldbook_core::ids::DocumentId;
use fieldbook_sync_server::store::{self, Store};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool};
use sqlx::sqlite::SqlitePool;
use sqlx::Connection;
use tempfile::TempDir;

/// Where the PostgreSQL variants find their server.
pub const POSTGRES_URL_VAR: &str = "FIELDBOOK_TEST_POSTGRES_URL";

/// Runs each named `async fn name(db: TestDb)` of the enclosing module against both
/// databases, as `sqlite::name` and `postgres::name`, under the given test attribute.
///
/// ```text
/// backend_tests!(tokio::test; first_test, second_test);
/// ```
macro_rules! backend_tests {
    ($test:meta; $($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[$test]
                async fn $name() {
                    super::$name($crate::test_db::TestDb::sqlite()).await;
                }
            )+
        }
        mod postgres {
            $(
                #[$test]
                async fn $name() {
                    let module = module_path!();
                    let name = stringify!($name);
                    if let Some(db) = $crate::test_db::TestDb::postgres(module, name).await {
                        super::$name(db).await;
                    }
                }
            )+
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's database and temporary directory (the SQLite file, server logs).
pub struct TestDb {
    backend: Backend,
    dir: TempDir,
    url: String,
    /// The PostgreSQL database to drop at the end, and how to reach the server.
    created: Option<Created>,
}

struct Created {
    admin: PgConnectOptions,
    name: String,
}

impl TestDb {
    /// A SQLite database file (not yet created) in a fresh temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        TestDb {
            backend: Backend::Sqlite,
            dir,
            url,
            created: None,
        }
    }

    /// A new, empty PostgreSQL database for the test `name` in `module`; `None` (after a
    /// notice) when PostgreSQL is not configured and we are not in CI.
    pub async fn postgres(module: &str, name: &str) -> Option<TestDb> {
        let admin_url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                assert!(
                    !in_ci(),
                    "{POSTGRES_URL_VAR} is not set, so the PostgreSQL variant of {module}::{name} \
                     cannot run; CI must run it. Set it to a URL of a role that may create \
                     databases, e.g. postgres://fieldbook@127.0.0.1:5432/postgres \
                     (`cargo xtask test` starts a cluster and sets it)."
                );
                skip_notice();
                return None;
            }
        };
        let admin = PgConnectOptions::from_str(&admin_url)
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is not a PostgreSQL URL: {e}"));
        let suffix: u64 = rand::random();
        let short: String = name.chars().take(30).collect();
        let db_name = format!("fieldbook_test_{short}_{suffix:016x}");
        let mut conn = PgConnection::connect_with(&admin)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot connect to {} ({POSTGRES_URL_VAR}): {e}",
                    store::redact(&admin_url)
                )
            });
        sqlx::raw_sql(&format!("CREATE DATABASE \"{db_name}\""))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {db_name}: {e}"));
        conn.close().await.expect("close the admin connection");

        let mut url = url::Url::parse(&admin_url).expect("a URL");
        url.set_path(&format!("/{db_name}"));
        Some(TestDb {
            backend: Backend::Postgres,
            dir: tempfile::tempdir().expect("temp dir"),
            url: url.to_string(),
            created: Some(Created {
                admin,
                name: db_name,
            }),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL the server is given as `--database`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The name of the PostgreSQL database made for this test.
    pub fn postgres_database(&self) -> Option<&str> {
        self.created.as_ref().map(|c| c.name.as_str())
    }

    /// A temporary directory for this test (SQLite keeps its file here).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Opens the store the way the server does (migrations included).
    pub async fn open_store(&self) -> std::sync::Arc<dyn Store> {
        self.open_database().await.store
    }

    /// Opens the database the way the server does: its documents and directory.
    pub async fn open_database(&self) -> store::Database {
        store::open(&self.url).await.expect("open the store")
    }

    /// How many chunks `id` is stored in.
    pub async fn count_chunks(&self, id: DocumentId) -> i64 {
        match self.pools().await {
            Pools::Sqlite(pool) => {
                let n = sqlx::query_scalar("SELECT count(*) FROM chunks WHERE document = ?")
                    .bind(id.to_string())
                    .fetch_one(&pool)
                    .await
                    .expect("count chunks");
                pool.close().await;
                n
            }
            Pools::Postgres(pool) => {
                let n = sqlx::query_scalar("SELECT count(*) FROM chunks WHERE document = $1")
                    .bind(id.to_string())
                    .fetch_one(&pool)
                    .await
                    .expect("count chunks");
                pool.close().await;
                n
            }
        }
    }

    /// Every stored blob row as `(sha256, organisation, created_by, size)`, in that
    /// order.
    pub async fn blob_rows(&self) -> Vec<(String, String, String, i64)> {
        const SQL: &str = "SELECT sha256, organisation, created_by, size FROM blobs \
                           ORDER BY sha256, organisation";
        match self.pools().await {
            Pools::Sqlite(pool) => {
                let rows = sqlx::query_as(SQL)
                    .fetch_all(&pool)
                    .await
                    .expect("read blobs");
                pool.close().await;
                rows
            }
            Pools::Postgres(pool) => {
                let rows = sqlx::query_as(SQL)
                    .fetch_all(&pool)
                    .await
                    .expect("read blobs");
                pool.close().await;
                rows
            }
        }
    }

    /// Stores `bytes` as an incremental chunk of `id`, behind the server's back.
    pub async fn insert_raw_chunk(&self, id: DocumentId, bytes: &[u8]) {
        match self.pools().await {
            Pools::Sqlite(pool) => {
                sqlx::query(
                    "INSERT INTO chunks (document, kind, bytes) VALUES (?, 'incremental', ?)",
                )
                .bind(id.to_string())
                .bind(bytes)
                .execute(&pool)
                .await
                .expect("insert a chunk");
                pool.close().await;
            }
            Pools::Postgres(pool) => {
                sqlx::query(
                    "INSERT INTO chunks (document, kind, bytes) VALUES ($1, 'incremental', $2)",
                )
                .bind(id.to_string())
                .bind(bytes)
                .execute(&pool)
                .await
                .expect("insert a chunk");
                pool.close().await;
            }
        }
    }

    /// Runs SQL (one or more statements, no parameters) on the database.
    pub async fn execute(&self, sql: &str) {
        match self.pools().await {
            Pools::Sqlite(pool) => {
                sqlx::raw_sql(sql)
                    .execute(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                pool.close().await;
            }
            Pools::Postgres(pool) => {
                sqlx::raw_sql(sql)
                    .execute(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                pool.close().await;
            }
        }
    }

    async fn pools(&self) -> Pools {
        match self.backend {
            Backend::Sqlite => Pools::Sqlite(
                SqlitePool::connect(&self.url)
                    .await
                    .expect("open the SQLite database"),
            ),
            Backend::Postgres => Pools::Postgres(
                PgPool::connect(&self.url)
                    .await
                    .expect("connect to the PostgreSQL database"),
            ),
        }
    }
}

enum Pools {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(Created { admin, name }) = self.created.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: drop the
        // database from a thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let mut conn = PgConnection::connect_with(&admin)
                    .await
                    .map_err(|e| e.to_string())?;
                // FORCE ends the connections of a server the test killed or left running.
                sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .map_err(|e| format!("DROP DATABASE {name}: {e}"))?;
                conn.close().await.map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("warning: could not drop a test database: {error}"),
            Err(_) => eprintln!("warning: dropping a test database panicked"),
        }
    }
}

/// Whether we run in CI (`CI` set to anything but empty, `0` or `false`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// Says once, past the test harness's output capture, that the PostgreSQL variants
/// are skipped.
fn skip_notice() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\nnote: {POSTGRES_URL_VAR} is not set: the PostgreSQL variants of the server tests \
             pass without running (in CI they fail). `cargo xtask test` starts a cluster and sets \
             it.\n"
        );
    });
}
