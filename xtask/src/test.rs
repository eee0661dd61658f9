//! `cargo xtask test`: every check CI runs, in order, stopping at the first failure.
//!
//! Steps (`--only rust` keeps tools..app wasm tests, `--only e2e` keeps tools and the last four):
//! tools → fmt → clippy (native) → clippy (app, wasm32) → check core (wasm32) → cargo test (core,
//! server) → app wasm tests (headless Chromium) → build app → build server → Playwright (projects
//! phone and tablet) → interop (the JavaScript automerge-repo client through our server with
//! `node --test tests/interop/*.test.mjs`, then our app through the JavaScript sync server with
//! Playwright's `interop` project). Arguments after `--` go to the first Playwright run only.
//! The last line printed is `xtask test: N passed, M failed`.
//!
//! The server's tests run on SQLite and on PostgreSQL: for `cargo test` this starts a throwaway
//! PostgreSQL cluster ([`TestCluster`]) and passes it as `FIELDBOOK_TEST_POSTGRES_URL`, unless
//! that variable is already set (then that server is used).

use std::fs;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

use crate::{build, cargo, display, output, root, run, target_dir, tools, USAGE};

/// Where the server's tests find PostgreSQL (see `sync-server/tests/server/test_db.rs`).
const POSTGRES_URL_VAR: &str = "FIELDBOOK_TEST_POSTGRES_URL";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Only {
    All,
    Rust,
    E2e,
}

struct Options {
    release_app: bool,
    only: Only,
}

fn parse(options: &[String]) -> Result<Options> {
    let mut parsed = Options {
        // The end-to-end tests drive what people get: the release build, wasm-opt included.
        release_app: true,
        only: Only::All,
    };
    let mut it = options.iter();
    while let Some(option) = it.next() {
        let only = match option.as_str() {
            "--debug-app" => {
                parsed.release_app = false;
                continue;
            }
            "--only" => it.next().map(String::as_str).unwrap_or(""),
            other => match other.strip_prefix("--only=") {
                Some(value) => value,
                None => bail!("unknown option for `test`: {other}\n\n{USAGE}"),
            },
        };
        parsed.only = match only {
            "rust" => Only::Rust,
            "e2e" => Only::E2e,
            other => bail!("`--only` takes `rust` or `e2e`, not `{other}`"),
        };
    }
    Ok(parsed)
}

type StepFn<'a> = Box<dyn FnOnce() -> Result<()> + 'a>;

struct Step<'a> {
    name: &'static str,
    run: StepFn<'a>,
}

fn step<'a>(name: &'static str, run: impl FnOnce() -> Result<()> + 'a) -> Step<'a> {
    Step {
        name,
        run: Box::new(run),
    }
}

pub fn cmd_test(options: &[String], playwright_args: &[String]) -> Result<ExitCode> {
    let options = parse(options)?;
    let rust = options.only != Only::E2e;
    let e2e = options.only != Only::Rust;
    if !e2e && !playwright_args.is_empty() {
        bail!("arguments after `--` go to Playwright, which `--only rust` does not run");
    }

    let mut steps: Vec<Step> = Vec::new();
    steps.push(step("tools", move || {
        tools::ensure_wasm_target()?;
        tools::ensure_c_compiler()?;
        tools::ensure_chromium()?;
        if rust {
            tools::ensure_postgres()?;
        }
        if e2e {
            tools::ensure_npm_packages()?;
        }
        Ok(())
    }));
    if rust {
        steps.push(step("fmt", || {
            run(cargo().args(["fmt", "--all", "--check"]))
        }));
        steps.push(step("clippy (native)", || {
            run(cargo().args([
                "clippy",
                "--workspace",
                "--exclude",
                "fieldbook-app",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        }));
        steps.push(step("clippy (app, wasm32)", || {
            run(cargo().args([
                "clippy",
                "-p",
                "fieldbook-app",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]))
        }));
        steps.push(step("check core (wasm32)", || {
            run(cargo().args([
                "check",
                "-p",
                "fieldbook-core",
                "--target",
                "wasm32-unknown-unknown",
            ]))
        }));
        steps.push(step("cargo test (core, server)", cargo_test));
        steps.push(step("app wasm tests (headless Chromium)", app_wasm_tests));
    }
    if e2e {
        let release_app = options.release_app;
        steps.push(step(
            if release_app {
                "build app (release)"
            } else {
                "build app (debug)"
            },
            move || build::build(release_app).map(drop),
        ));
        steps.push(step("build server (debug)", || {
            run(cargo().args(["build", "-p", "fieldbook-sync-server"]))
        }));
        steps.push(step("playwright", move || playwright(playwright_args)));
        steps.push(step("interop", interop));
    }

    let total = steps.len();
    let started = Instant::now();
    let mut timings: Vec<(&'static str, Duration, bool)> = Vec::new();
    let mut failure = None;
    for (i, step) in steps.into_iter().enumerate() {
        say(&format!("==> [{}/{total}] {}", i + 1, step.name));
        let step_started = Instant::now();
        let result = (step.run)();
        let elapsed = step_started.elapsed();
        let ok = result.is_ok();
        timings.push((step.name, elapsed, ok));
        match result {
            Ok(()) => say(&format!(
                "<== [{}/{total}] {}: ok in {}",
                i + 1,
                step.name,
                secs(elapsed)
            )),
            Err(err) => {
                say(&format!(
                    "<== [{}/{total}] {}: FAILED after {}: {err:#}",
                    i + 1,
                    step.name,
                    secs(elapsed)
                ));
                failure = Some(step.name);
                break;
            }
        }
    }

    let passed = timings.iter().filter(|(_, _, ok)| *ok).count();
    let failed = timings.len() - passed;
    say("");
    say("xtask test: timings");
    for (name, elapsed, ok) in &timings {
        say(&format!(
            "  {:<38} {:>8}  {}",
            name,
            secs(*elapsed),
            if *ok { "ok" } else { "FAILED" }
        ));
    }
    say(&format!("  {:<38} {:>8}", "total", secs(started.elapsed())));
    if let Some(name) = failure {
        say(&format!(
            "xtask test: stopped at `{name}`; {} later step(s) not run",
            total - timings.len()
        ));
    }
    say(&format!("xtask test: {passed} passed, {failed} failed"));
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `cargo test` of core and the server, the server's tests on both databases.
fn cargo_test() -> Result<()> {
    let mut command = cargo();
    command.args([
        "test",
        "-p",
        "fieldbook-core",
        "-p",
        "fieldbook-sync-server",
    ]);
    // Stopped when dropped: after the tests, whether they passed or not.
    let mut cluster = None;
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => {
            eprintln!("xtask: PostgreSQL from {POSTGRES_URL_VAR} in the environment");
        }
        _ => {
            let started = TestCluster::start(&tools::ensure_postgres()?)?;
            command.env(POSTGRES_URL_VAR, started.url());
            cluster = Some(started);
        }
    }
    let result = run(&mut command);
    drop(cluster);
    result
}

/// `cargo test` of the app for wasm32, run by wasm-bindgen's test runner (built from this crate)
/// in headless Chromium through chromedriver.
fn app_wasm_tests() -> Result<()> {
    run(cargo().args([
        "build",
        "-p",
        "xtask",
        "--release",
        "--bin",
        "wasm-bindgen-test-runner",
    ]))?;
    let runner = target_dir().join("release/wasm-bindgen-test-runner");
    run(cargo()
        .args([
            "test",
            "-p",
            "fieldbook-app",
            "--target",
            "wasm32-unknown-unknown",
        ])
        // Same runner as .cargo/config.toml, but absolute so CARGO_TARGET_DIR cannot break it.
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &runner)
        .env("CHROMEDRIVER", tools::CHROMEDRIVER))
}

fn playwright(args: &[String]) -> Result<()> {
    // The `interop` project has a step of its own; run it here only if asked for by name.
    let projects: &[&str] = if args.iter().any(|a| a.starts_with("--project")) {
        &[]
    } else {
        // `--project=…` form: a bare `--project` takes every later word as a
        // project name, so a spec file given after `--` would be read as one.
        &["--project=phone", "--project=tablet"]
    };
    run(npx_playwright().args(projects).args(args))
}

/// The interoperability tests with the JavaScript automerge-repo 2.5 (tests/interop/): its
/// client against our server (node's test runner), and our app against its server (Playwright).
fn interop() -> Result<()> {
    let tests = root().join("tests");
    let mut files: Vec<String> = fs::read_dir(tests.join("interop"))
        .context("listing tests/interop")?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| format!("interop/{name}"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no tests/interop/*.test.mjs found");
    }
    run(Command::new("node")
        .current_dir(&tests)
        .args(["--test", "--test-reporter=spec"])
        .args(&files)
        .env("FIELDBOOK_SERVER_BIN", server_bin())
        .env("FIELDBOOK_DIST", root().join("dist"))
        .stdin(Stdio::null()))?;
    run(npx_playwright().args(["--project", "interop"]))
}

/// The debug server binary the browser and interop tests run.
fn server_bin() -> PathBuf {
    target_dir().join("debug/fieldbook-sync-server")
}

/// `npx playwright test` in tests/, with the server binary and the built app in its environment.
fn npx_playwright() -> Command {
    let mut npx = Command::new("npx");
    npx.current_dir(root().join("tests"))
        .args(["--no-install", "playwright", "test"])
        .env("FIELDBOOK_SERVER_BIN", server_bin())
        .env("FIELDBOOK_DIST", root().join("dist"))
        .stdin(Stdio::null());
    npx
}

fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// A throwaway PostgreSQL cluster for one test run: `initdb` into a new directory under the
/// system temp dir (as the `postgres` OS user when we are root: initdb refuses root), started with
/// `pg_ctl` on 127.0.0.1 at a free port with its socket in that directory, trust authentication
/// (loopback and that socket only), and superuser `fieldbook`. Dropping it stops the cluster and
/// deletes the directory.
///
/// `pg_ctl` detaches the server from our process group, so a run killed before the drop (Ctrl-C)
/// leaves it running: the next start stops and removes clusters whose xtask is gone.
pub struct TestCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// Prefix of the cluster directories; the xtask's pid follows.
const CLUSTER_PREFIX: &str = "fieldbook-pg-";
/// The cluster's superuser.
const CLUSTER_USER: &str = "fieldbook";

impl TestCluster {
    /// Creates and starts a cluster with the binaries in `bin`.
    pub fn start(bin: &Path) -> Result<TestCluster> {
        let as_postgres = tools::is_root()?;
        remove_stale_clusters(bin, as_postgres);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("{CLUSTER_PREFIX}{}-{nanos:09}", std::process::id()));
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("creating {}", dir.display()))?;
        let mut cluster = TestCluster {
            bin: bin.to_owned(),
            dir,
            port: 0,
            as_postgres,
        };
        if as_postgres {
            // A failure here still removes the directory (the cluster is dropped).
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(&cluster.dir))
            .context("handing the cluster directory to the `postgres` OS user")?;
        }
        let started = Instant::now();
        output(
            cluster
                .pg("initdb")
                .arg("--pgdata")
                .arg(cluster.data())
                .args(["--username", CLUSTER_USER, "--auth", "trust"])
                .args(["--encoding", "UTF8", "--locale", "C"])
                .args(["--no-sync", "--no-instructions"]),
        )
        .context("initdb of the test cluster")?;
        cluster.port = free_port()?;
        let server_options = format!(
            "-h 127.0.0.1 -p {} -k {} -c max_connections=200",
            cluster.port,
            cluster.dir.display()
        );
        let log = cluster.dir.join("postgres.log");
        let started_ok = run(cluster
            .pg("pg_ctl")
            .arg("--pgdata")
            .arg(cluster.data())
            .arg("--log")
            .arg(&log)
            .args(["--wait", "--timeout", "60", "--silent"])
            .args(["-o", &server_options])
            .arg("start"));
        if let Err(err) = started_ok {
            let log = fs::read_to_string(&log).unwrap_or_default();
            bail!("{err:#}\nPostgreSQL's log:\n{log}");
        }
        eprintln!(
            "xtask: PostgreSQL test cluster on 127.0.0.1:{} in {} (started in {:.1}s)",
            cluster.port,
            cluster.dir.display(),
            started.elapsed().as_secs_f64()
        );
        Ok(cluster)
    }

    /// A URL of the superuser and a database to connect to for `CREATE DATABASE`.
    pub fn url(&self) -> String {
        format!("postgres://{CLUSTER_USER}@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// One of the cluster's programs, run as the `postgres` OS user when we are root.
    fn pg(&self, program: &str) -> Command {
        pg_command(&self.bin, program, self.as_postgres, &self.dir)
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        if self.port != 0 {
            stop_cluster(&self.bin, &self.dir, self.as_postgres);
        }
        if let Err(err) = fs::remove_dir_all(&self.dir) {
            eprintln!(
                "xtask: warning: could not remove {}: {err}",
                self.dir.display()
            );
        }
    }
}

fn pg_command(bin: &Path, program: &str, as_postgres: bool, cwd: &Path) -> Command {
    let program = bin.join(program);
    let mut command = if as_postgres {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    };
    // The postgres user may not be able to enter our working directory.
    command.current_dir(cwd).stdin(Stdio::null());
    command
}

/// `pg_ctl stop`, fast (ends sessions, checkpoints); immediate if that fails.
fn stop_cluster(bin: &Path, dir: &Path, as_postgres: bool) {
    let data = dir.join("data");
    for mode in ["fast", "immediate"] {
        let mut command = pg_command(bin, "pg_ctl", as_postgres, dir);
        command
            .arg("--pgdata")
            .arg(&data)
            .args(["--mode", mode, "--wait", "--timeout", "60", "--silent"])
            .arg("stop");
        match output(&mut command) {
            Ok(_) => return,
            Err(err) => eprintln!("xtask: warning: {err:#}"),
        }
    }
    eprintln!(
        "xtask: warning: the PostgreSQL test cluster in {} may still be running ($ {})",
        data.display(),
        display(&pg_command(bin, "pg_ctl", as_postgres, dir))
    );
}

/// Stops and removes test clusters left by xtask runs that no longer exist (killed before they
/// could clean up).
fn remove_stale_clusters(bin: &Path, as_postgres: bool) {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(CLUSTER_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        let dir = entry.path();
        eprintln!(
            "xtask: removing a test cluster left by an earlier run: {}",
            dir.display()
        );
        if dir.join("data/postmaster.pid").exists() {
            stop_cluster(bin, &dir, as_postgres);
        }
        if let Err(err) = fs::remove_dir_all(&dir) {
            eprintln!("xtask: warning: could not remove {}: {err}", dir.display());
        }
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on now.
fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port on 127.0.0.1")?;
    Ok(listener.local_addr()?.port())
}
