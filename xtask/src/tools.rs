//! Installing what the build and the tests need, when it is missing: the wasm32 target (rustup),
//! a C compiler, Chromium and chromedriver, PostgreSQL's server (apt, as root only), and the npm
//! packages under `tests/`.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use anyhow::{bail, Context, Result};

use crate::{output, root, run};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn ensure_wasm_target() -> Result<()> {
    const TARGET: &str = "wasm32-unknown-unknown";
    let installed = match output(Command::new("rustup").args(["target", "list", "--installed"])) {
        Ok(list) => list.lines().any(|line| line.trim() == TARGET),
        Err(err) => {
            // No rustup: accept a toolchain that ships the target's standard library.
            let sysroot = output(Command::new("rustc").args(["--print", "sysroot"]))?;
            let lib = Path::new(sysroot.trim()).join("lib/rustlib").join(TARGET);
            if lib.is_dir() {
                return Ok(());
            }
            bail!("the {TARGET} target is missing and rustup is unavailable ({err:#})");
        }
    };
    if !installed {
        run(Command::new("rustup").args(["target", "add", TARGET]))?;
    }
    Ok(())
}

/// Chromium and chromedriver from Debian, installed with apt when we are root.
pub fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    apt_install(
        &["chromium", "chromium-driver"],
        "Chromium and chromedriver",
    )?;
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        bail!("apt-get installed chromium but {CHROMIUM} or {CHROMEDRIVER} is still missing");
    }
    Ok(())
}

/// The directory holding PostgreSQL's `initdb`, `pg_ctl` and `postgres`, for the throwaway cluster
/// the server's tests run against. Debian's `postgresql` is installed with apt when there is none.
pub fn ensure_postgres() -> Result<PathBuf> {
    if let Some(bin) = postgres_bin_dir() {
        return Ok(bin);
    }
    apt_install(
        &["postgresql"],
        "PostgreSQL (the server's tests run against it)",
    )?;
    postgres_bin_dir().context(
        "apt-get installed postgresql but neither /usr/lib/postgresql/*/bin/initdb nor an `initdb` \
         on PATH exists",
    )
}

/// The newest Debian `/usr/lib/postgresql/<major>/bin` (not on PATH there), else the directory of
/// an `initdb` on PATH (other systems).
fn postgres_bin_dir() -> Option<PathBuf> {
    let debian = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .max_by_key(|(major, _)| *major)
        .map(|(_, bin)| bin);
    debian.or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    })
}

/// A C compiler: rustc links with `cc`, and the server's bundled SQLite is C.
pub fn ensure_c_compiler() -> Result<()> {
    if on_path("cc") {
        return Ok(());
    }
    apt_install(&["build-essential"], "a C compiler (`cc`)")
}

/// `apt-get install` as root (after one `apt-get update` per run); as anyone else, a message
/// saying what to install.
fn apt_install(packages: &[&str], what: &str) -> Result<()> {
    static UPDATED: AtomicBool = AtomicBool::new(false);
    if !is_root()? {
        bail!(
            "{what} missing; install with `sudo apt-get install -y {}` (Debian) and run again",
            packages.join(" ")
        );
    }
    let apt = |args: &[&str]| {
        let mut command = Command::new("apt-get");
        command
            .env("DEBIAN_FRONTEND", "noninteractive")
            // Wait for another apt/dpkg run instead of failing on its lock.
            .args(["-o", "DPkg::Lock::Timeout=600"])
            .args(args)
            .stdin(std::process::Stdio::null());
        command
    };
    if !UPDATED.swap(true, Ordering::SeqCst) {
        run(&mut apt(&["update"]))?;
    }
    run(apt(&["install", "-y", "--no-install-recommends"]).args(packages))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// `npm ci` in `tests/` when `node_modules` is missing or older than the lockfile.
pub fn ensure_npm_packages() -> Result<()> {
    let tests = root().join("tests");
    let lock = tests.join("package-lock.json");
    let manifest = tests.join("package.json");
    // npm writes this file on every install; its age is the age of node_modules.
    let installed = tests.join("node_modules/.package-lock.json");
    let installed_at = modified(&installed);
    let stale = match installed_at {
        None => true,
        Some(at) => [&lock, &manifest]
            .iter()
            .filter_map(|p| modified(p))
            .any(|changed| changed > at),
    };
    if !stale {
        return Ok(());
    }
    let mut npm = Command::new("npm");
    npm.current_dir(&tests)
        .arg(if lock.exists() { "ci" } else { "install" })
        .args(["--no-audit", "--no-fund"])
        // Browsers cannot be downloaded here; the tests use the system Chromium.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .stdin(std::process::Stdio::null());
    run(&mut npm).context("installing the npm packages in tests/ (needs Node.js 20+ and npm)")
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Whether we run as root (the owner of `/proc/self` is the effective user).
pub fn is_root() -> Result<bool> {
    let meta = fs::metadata("/proc/self").context("reading /proc/self")?;
    Ok(meta.uid() == 0)
}
