//! Build and test automation for Fieldbook (`cargo xtask …`).
//!
//! Why an xtask and not trunk or cargo-leptos: trunk needs a newer rustc than the one we build
//! with, and cargo-leptos downloads tools at run time, which a machine without that network
//! cannot do. Everything here is plain Rust plus the
//! `wasm-bindgen-cli-support` library pinned to the app's wasm-bindgen version.
//!
//! Commands:
//! - `cargo xtask build [--release]` builds the Leptos app for wasm32, runs wasm-bindgen (and
//!   `wasm-opt -Oz` for release, when `tests/node_modules/.bin/wasm-opt` exists) and writes `dist/`.
//! - `cargo xtask run [-- <server args>]` builds the release bundle and the server and starts it on
//!   http://127.0.0.1:8080 with SQLite under `./data` and demo data.
//! - `cargo xtask test [--debug-app] [--only rust|e2e] [-- <playwright args>]` installs what the
//!   tests need when it is missing, then runs the checks and tests, stopping at the first failure.
//!
//! The cargo to call is read from the `CARGO` environment variable at run time, never with
//! `env!("CARGO")`: a dependency ships a rust-toolchain.toml that would pin another toolchain.

mod build;
mod test;
mod tools;

use std::env;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  build [--release]                  build the app and write dist/
  run [-- <server args>]             build (release) and start the server on http://127.0.0.1:8080
  test [--debug-app] [--only rust|e2e] [-- <playwright args>]
                                     install missing test tools, then lint, test and run Playwright
  help                               show this message
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (options, passthrough) = split_passthrough(&args);
    let Some((command, options)) = options.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let result = match command.as_str() {
        "build" => cmd_build(options),
        "run" => cmd_run(options, passthrough),
        "test" => test::cmd_test(options, passthrough),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprint!("unknown command `{other}`\n\n{USAGE}");
            Ok(ExitCode::FAILURE)
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Splits `a b -- c d` into `([a, b], [c, d])`.
fn split_passthrough(args: &[String]) -> (&[String], &[String]) {
    match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[]),
    }
}

fn cmd_build(options: &[String]) -> Result<ExitCode> {
    let mut release = false;
    for option in options {
        match option.as_str() {
            "--release" => release = true,
            other => bail!("unknown option for `build`: {other}\n\n{USAGE}"),
        }
    }
    tools::ensure_wasm_target()?;
    build::build(release)?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_run(options: &[String], passthrough: &[String]) -> Result<ExitCode> {
    if let Some(other) = options.first() {
        bail!("unknown option for `run`: {other} (server arguments go after `--`)\n\n{USAGE}");
    }
    tools::ensure_wasm_target()?;
    let dist = build::build(true)?;
    run(cargo().args(["build", "-p", "fieldbook-sync-server", "--release"]))?;

    let data = root().join("data");
    std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
    let server = target_dir().join("release").join("fieldbook-sync-server");
    let mut command = Command::new(&server);
    command
        .current_dir(root())
        .args(["--listen", "127.0.0.1:8080"])
        .args(["--database", "sqlite://data/fieldbook.db"])
        .arg("--dist")
        .arg(&dist.dir)
        .arg("--demo")
        .args(passthrough);
    eprintln!("$ {}", display(&command));
    eprintln!(
        "xtask: Fieldbook (build {}) on http://127.0.0.1:8080 (Ctrl-C to stop)",
        dist.build_hash
    );
    use std::os::unix::process::CommandExt;
    let err = command.exec();
    Err(err).with_context(|| format!("starting {}", server.display()))
}

/// The workspace root (the parent of this crate's directory).
fn root() -> &'static Path {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir)
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` if set, else `<root>/target`.
fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// A `cargo` command run from the workspace root, using the cargo that runs us.
fn cargo() -> Command {
    let program = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(program);
    command.current_dir(root());
    command
}

/// Runs `command`, echoing it first; fails if it cannot start or exits unsuccessfully.
fn run(command: &mut Command) -> Result<()> {
    let shown = display(command);
    eprintln!("$ {shown}");
    let status = command
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Runs `command` and returns its stdout; fails if it cannot start or exits unsuccessfully.
fn output(command: &mut Command) -> Result<String> {
    let shown = display(command);
    let out = command
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !out.status.success() {
        bail!(
            "`{shown}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A shell-like rendering of a command, with the environment variables it sets.
fn display(command: &Command) -> String {
    let mut parts: Vec<String> = command
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), quote(v?))))
        .collect();
    let program = command.get_program();
    let program = Path::new(program)
        .file_name()
        .filter(|name| *name == "cargo")
        .unwrap_or(program);
    parts.push(quote(program));
    parts.extend(command.get_args().map(quote));
    parts.join(" ")
}

fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
