//! `cargo xtask test`: every check CI runs, in order, stopping at the first failure.
//!
//! Steps (`--only rust` keeps tools..app wasm tests, `--only e2e` keeps tools and the last three):
//! tools → fmt → clippy (native) → clippy (app, wasm32) → check core (wasm32) → cargo test (core,
//! server) → app wasm tests (headless Chromium) → build app → build server → Playwright.
//! The last line printed is `xtask test: N passed, M failed`.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use crate::{build, cargo, root, run, target_dir, tools, USAGE};

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
        steps.push(step("cargo test (core, server)", || {
            run(cargo().args([
                "test",
                "-p",
                "fieldbook-core",
                "-p",
                "fieldbook-sync-server",
            ]))
        }));
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
    let server = target_dir().join("debug/fieldbook-sync-server");
    let dist = root().join("dist");
    let mut npx = Command::new("npx");
    npx.current_dir(root().join("tests"))
        .args(["--no-install", "playwright", "test"])
        .args(args)
        .env("FIELDBOOK_SERVER_BIN", &server)
        .env("FIELDBOOK_DIST", &dist)
        .stdin(std::process::Stdio::null());
    run(&mut npx)
}

fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}
