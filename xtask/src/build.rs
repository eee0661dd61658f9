//! `cargo xtask build`: the wasm bundle and `dist/`.
//!
//! Steps: cargo build of `fieldbook-app` for wasm32 → wasm-bindgen (library, target web) →
//! `wasm-opt -Oz` (release only, npm binaryen from `tests/node_modules`; Debian's binaryen 108
//! produces a bundle that fails to load) → a staging directory next to `dist/` holding the
//! content-hashed JS glue and wasm, `index.html` filled in, `public/` and `style/`, and `sw.js`
//! with the build hash and precache list → swapped into place with one `renameat2(RENAME_EXCHANGE)`,
//! so the server never sees a half-written `dist/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::{cargo, root, run, target_dir};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The crate's lib name as cargo writes it (`fieldbook-app` → `fieldbook_app`).
const APP_LIB: &str = "fieldbook_app";
/// Prefix of the hashed bundle files in `dist/`.
const BUNDLE: &str = "fieldbook";
const SCRIPTS_PLACEHOLDER: &str = "<!-- fieldbook:scripts -->";
const SW_BUILD_PLACEHOLDER: &str = "__FIELDBOOK_BUILD__";
const SW_PRECACHE_PLACEHOLDER: &str = "__FIELDBOOK_PRECACHE__";
/// Features rustc 1.95 enables by default for wasm32-unknown-unknown (all supported by current
/// browsers); wasm-opt must be told, or it rejects the module or undoes them.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];

/// What a build produced.
pub struct Dist {
    /// Absolute path of `dist/`.
    pub dir: PathBuf,
    /// Hash of everything in `dist/` except `sw.js` (the service worker's build id).
    pub build_hash: String,
}

pub fn build(release: bool) -> Result<Dist> {
    let started = Instant::now();
    let profile_dir = if release { "wasm-release" } else { "debug" };

    let mut cargo_build = cargo();
    cargo_build.args([
        "build",
        "-p",
        "fieldbook-app",
        "--lib",
        "--target",
        WASM_TARGET,
    ]);
    if release {
        cargo_build.args(["--profile", "wasm-release"]);
    }
    run(&mut cargo_build)?;

    let input = target_dir()
        .join(WASM_TARGET)
        .join(profile_dir)
        .join(format!("{APP_LIB}.wasm"));
    let bindgen_dir = target_dir().join("xtask").join("bindgen").join(profile_dir);
    bindgen(&input, &bindgen_dir, release)?;

    let wasm_path = bindgen_dir.join(format!("{APP_LIB}_bg.wasm"));
    if release {
        wasm_opt(&wasm_path)?;
    }

    let dist = root().join("dist");
    let staging = root().join(format!(".dist-staging-{}", std::process::id()));
    remove_stale_staging_dirs()?;
    let result = assemble(&bindgen_dir, &staging).and_then(|build_hash| {
        swap_into_place(&staging, &dist)?;
        Ok(build_hash)
    });
    if staging.exists() {
        let _ = fs::remove_dir_all(&staging);
    }
    let build_hash = result?;

    let wasm_size = fs::read_dir(&dist)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with("_bg.wasm"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum::<u64>();
    eprintln!(
        "xtask: wrote {} ({} build, wasm {:.2} MB, build {build_hash}) in {:.1}s",
        dist.display(),
        if release { "release" } else { "debug" },
        wasm_size as f64 / 1e6,
        started.elapsed().as_secs_f64(),
    );
    Ok(Dist {
        dir: dist,
        build_hash,
    })
}

fn bindgen(input: &Path, out_dir: &Path, release: bool) -> Result<()> {
    let started = Instant::now();
    if out_dir.exists() {
        fs::remove_dir_all(out_dir).with_context(|| format!("clearing {}", out_dir.display()))?;
    }
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(input)
        .web(true)?
        // Without this the glue has no default URL for the wasm and `init()` cannot load it.
        .omit_default_module_path(false)
        .typescript(false)
        .debug(!release)
        .generate(out_dir)
        .with_context(|| format!("wasm-bindgen on {}", input.display()))?;
    eprintln!(
        "xtask: wasm-bindgen {} → {} in {:.1}s",
        input.display(),
        out_dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn wasm_opt(wasm: &Path) -> Result<()> {
    let wasm_opt = root().join("tests/node_modules/.bin/wasm-opt");
    if !wasm_opt.exists() {
        eprintln!(
            "xtask: note: {} not found, skipping wasm-opt (run `npm ci` in tests/ to get binaryen 132)",
            wasm_opt.display()
        );
        return Ok(());
    }
    let started = Instant::now();
    let before = fs::metadata(wasm)?.len();
    let optimized = wasm.with_extension("opt.wasm");
    run(std::process::Command::new(&wasm_opt)
        .arg("-Oz")
        .args(WASM_OPT_FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(&optimized))?;
    fs::rename(&optimized, wasm)?;
    let after = fs::metadata(wasm)?.len();
    eprintln!(
        "xtask: wasm-opt -Oz {:.2} MB → {:.2} MB in {:.1}s",
        before as f64 / 1e6,
        after as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes the whole site into `staging` and returns the build hash.
fn assemble(bindgen_dir: &Path, staging: &Path) -> Result<String> {
    fs::create_dir_all(staging).with_context(|| format!("creating {}", staging.display()))?;

    // public/ first, so that our generated files win on a name clash.
    let public = root().join("public");
    if public.is_dir() {
        copy_dir(&public, staging)?;
    }
    let style = root().join("style");
    if style.is_dir() {
        copy_dir(&style, &staging.join("style"))?;
    }

    // The bundle, named after a hash of its contents.
    let js = fs::read_to_string(bindgen_dir.join(format!("{APP_LIB}.js")))
        .context("reading the wasm-bindgen JS glue")?;
    let wasm = fs::read(bindgen_dir.join(format!("{APP_LIB}_bg.wasm")))
        .context("reading the wasm-bindgen wasm")?;
    let app_hash = short_hash(&[js.as_bytes(), &wasm], 8);
    let js_name = format!("{BUNDLE}-{app_hash}.js");
    let wasm_name = format!("{BUNDLE}-{app_hash}_bg.wasm");
    // index.html passes the wasm URL explicitly; renaming the glue's default as well keeps a bare
    // `init()` working too.
    let js = js.replace(&format!("{APP_LIB}_bg.wasm"), &wasm_name);
    fs::write(staging.join(&js_name), js)?;
    fs::write(staging.join(&wasm_name), &wasm)?;
    let snippets = bindgen_dir.join("snippets");
    if snippets.is_dir() {
        copy_dir(&snippets, &staging.join("snippets"))?;
    }

    // index.html from the template at the root.
    let template_path = root().join("index.html");
    let template = fs::read_to_string(&template_path)
        .with_context(|| format!("reading the page template {}", template_path.display()))?;
    let scripts = format!(
        "<link rel=\"modulepreload\" href=\"/{js_name}\">\n    \
         <link rel=\"preload\" href=\"/{wasm_name}\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n    \
         <script type=\"module\">import init, {{ run }} from '/{js_name}'; await init({{ module_or_path: '/{wasm_name}' }}); run();</script>"
    );
    let index = if template.contains(SCRIPTS_PLACEHOLDER) {
        template.replacen(SCRIPTS_PLACEHOLDER, &scripts, 1)
    } else if let Some(at) = template.find("</head>") {
        eprintln!(
            "xtask: warning: {} has no `{SCRIPTS_PLACEHOLDER}`; inserting the scripts before </head>",
            template_path.display()
        );
        format!("{}    {scripts}\n  {}", &template[..at], &template[at..])
    } else {
        bail!(
            "{} has neither `{SCRIPTS_PLACEHOLDER}` nor `</head>`",
            template_path.display()
        );
    };
    fs::write(staging.join("index.html"), index)?;

    // The service worker: build id and precache list.
    let files = list_files(staging)?;
    let sw_path = staging.join("sw.js");
    let sw_template = fs::read(&sw_path).unwrap_or_default();
    let mut hash_input: Vec<&[u8]> = Vec::new();
    for (rel, bytes) in &files {
        if rel != "sw.js" {
            hash_input.extend([rel.as_bytes(), b"\0", bytes.as_slice(), b"\0"]);
        }
    }
    hash_input.push(&sw_template);
    let build_hash = short_hash(&hash_input, 16);

    if sw_path.exists() {
        let mut urls = vec!["/".to_owned()];
        urls.extend(
            files
                .keys()
                .filter(|rel| rel.as_str() != "sw.js")
                .map(|rel| format!("/{}", url_path(rel))),
        );
        let precache = json_string_array(&urls);
        let sw = String::from_utf8(sw_template).context("public/sw.js is not UTF-8")?;
        if !sw.contains(SW_BUILD_PLACEHOLDER) || !sw.contains(SW_PRECACHE_PLACEHOLDER) {
            eprintln!(
                "xtask: warning: public/sw.js lacks {SW_BUILD_PLACEHOLDER} or {SW_PRECACHE_PLACEHOLDER}"
            );
        }
        let sw = replace_placeholder(&sw, SW_BUILD_PLACEHOLDER, &json_string(&build_hash));
        let sw = replace_placeholder(&sw, SW_PRECACHE_PLACEHOLDER, &precache);
        fs::write(&sw_path, sw)?;
    } else {
        eprintln!("xtask: warning: no public/sw.js; dist/ has no service worker");
    }
    Ok(build_hash)
}

/// Replaces `placeholder` by the JSON value `json`, whether the template writes it bare
/// (`const BUILD = __FIELDBOOK_BUILD__;`) or inside quotes (`'__FIELDBOOK_BUILD__'`). A quoted
/// placeholder standing for a string keeps its quotes and gets the bare string.
fn replace_placeholder(source: &str, placeholder: &str, json: &str) -> String {
    let mut out = source.to_owned();
    for quote in ['"', '\''] {
        let quoted = format!("{quote}{placeholder}{quote}");
        out = out.replace(&quoted, json);
    }
    out.replace(placeholder, json)
}

/// Moves `staging` to `dist`. If `dist` exists the two are exchanged atomically, so every request
/// sees either the old site or the new one; the old one is then deleted.
fn swap_into_place(staging: &Path, dist: &Path) -> Result<()> {
    if fs::symlink_metadata(dist).is_err() {
        fs::rename(staging, dist)
            .with_context(|| format!("renaming {} to {}", staging.display(), dist.display()))?;
        return Ok(());
    }
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, staging, CWD, dist, RenameFlags::EXCHANGE) {
        Ok(()) => {
            // `staging` now holds the previous dist/.
            fs::remove_dir_all(staging)
                .with_context(|| format!("removing the old dist in {}", staging.display()))?;
        }
        Err(err) => {
            // Filesystems without RENAME_EXCHANGE: two renames, a moment without dist/.
            eprintln!(
                "xtask: note: atomic exchange unavailable ({err}); replacing dist/ in two steps"
            );
            let old = dist.with_file_name(format!(".dist-old-{}", std::process::id()));
            fs::rename(dist, &old)?;
            fs::rename(staging, dist)?;
            fs::remove_dir_all(&old)?;
        }
    }
    Ok(())
}

/// Removes `.dist-staging-<pid>` / `.dist-old-<pid>` directories left by builds that died.
fn remove_stale_staging_dirs() -> Result<()> {
    for entry in fs::read_dir(root())? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let pid = name
            .strip_prefix(".dist-staging-")
            .or_else(|| name.strip_prefix(".dist-old-"));
        if let Some(pid) = pid {
            let alive = Path::new("/proc").join(pid).exists();
            if !alive || pid == std::process::id().to_string() {
                fs::remove_dir_all(entry.path())
                    .with_context(|| format!("removing {}", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

/// Copies `from` into `to` recursively, skipping hidden files (`.gitkeep` and the like).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let source = entry.path();
        let dest = to.join(entry.file_name());
        // Follow symlinks: dist/ must be self-contained.
        if fs::metadata(&source)?.is_dir() {
            copy_dir(&source, &dest)?;
        } else {
            fs::copy(&source, &dest)
                .with_context(|| format!("copying {} to {}", source.display(), dest.display()))?;
        }
    }
    Ok(())
}

/// Every file under `dir`, keyed by its `/`-separated relative path, in sorted order.
fn list_files(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else {
                let rel = path.strip_prefix(base)?;
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, fs::read(&path)?);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

/// The first `hex_len` hex digits of the SHA-256 of the concatenated parts.
fn short_hash(parts: &[&[u8]], hex_len: usize) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..hex_len].to_owned()
}

/// Percent-encodes what is not safe in a URL path (file names here are plain ASCII anyway).
fn url_path(rel: &str) -> String {
    let mut out = String::with_capacity(rel.len());
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_string_array(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| json_string(s)).collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_bare_and_quoted() {
        let sw = "const B = '__FIELDBOOK_BUILD__';\nconst C = \"__FIELDBOOK_BUILD__\";\nconst D = __FIELDBOOK_BUILD__;";
        assert_eq!(
            replace_placeholder(sw, SW_BUILD_PLACEHOLDER, "\"abc\""),
            "const B = \"abc\";\nconst C = \"abc\";\nconst D = \"abc\";"
        );
        let sw = "const P = __FIELDBOOK_PRECACHE__; const Q = '__FIELDBOOK_PRECACHE__';";
        assert_eq!(
            replace_placeholder(sw, SW_PRECACHE_PLACEHOLDER, "[\"/\"]"),
            "const P = [\"/\"]; const Q = [\"/\"];"
        );
    }

    #[test]
    fn urls_and_json() {
        assert_eq!(url_path("style/a b.css"), "style/a%20b.css");
        assert_eq!(
            json_string_array(&["/".into(), "/a\"b".into()]),
            r#"["/","/a\"b"]"#
        );
        assert_eq!(short_hash(&[b"abc"], 8), "ba7816bf");
    }
}
