//! `cargo xtask setup`: what a fresh machine of this kind lacks, installed once.

use std::fs;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::process::{command, exists, output, run as exec};

/// Chromium's and chromedriver's paths from Debian's packages `chromium` and `chromium-driver`.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Installs everything; each step checks first and does nothing when its tool is in place.
pub(crate) fn run() -> Result<()> {
    wasm_target()?;
    wasm_bindgen_cli()?;
    chromium()?;
    npm_packages()
}

fn wasm_target() -> Result<()> {
    let installed = output(command("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    exec(command("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The version of the `wasm-bindgen` crate in Cargo.lock: the CLI must be exactly this one.
pub(crate) fn locked_wasm_bindgen() -> Result<String> {
    let lock =
        fs::read_to_string(crate::root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.trim().strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".to_owned())
}

fn wasm_bindgen_cli() -> Result<()> {
    let version = locked_wasm_bindgen()?;
    let found = output(command("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner = exists("wasm-bindgen-test-runner");
    if found.split_whitespace().nth(1) == Some(version.as_str()) && runner {
        return Ok(());
    }
    eprintln!("installing wasm-bindgen-cli {version} (found: {})", found.trim());
    exec(command("cargo").args(["install", "wasm-bindgen-cli", "--version", &version, "--locked", "--force"]))
}

fn chromium() -> Result<()> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    // Debian's packages only; never Debian's `binaryen` (its wasm-opt 108 breaks modules): wasm-opt
    // comes from the npm package `binaryen` in tests/.
    let sudo = if output(command("id").arg("-u")).is_some_and(|uid| uid.trim() == "0") {
        None
    } else if exists("sudo") {
        Some("sudo")
    } else {
        return Err(
            "Chromium is missing and installing it needs root (apt-get install chromium chromium-driver)"
                .into(),
        );
    };
    let apt = |args: &[&str]| {
        let mut cmd = command(sudo.unwrap_or("apt-get"));
        if sudo.is_some() {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        exec(&mut cmd)
    };
    apt(&["update"])?;
    apt(&["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"])
}

/// Folders with a package.json (not inside node_modules or target), two levels deep at most.
pub(crate) fn npm_folders() -> Vec<PathBuf> {
    let root = crate::root();
    let mut found = Vec::new();
    let mut queue = vec![(root, 0)];
    while let Some((dir, depth)) = queue.pop() {
        if dir.join("package.json").is_file() {
            found.push(dir.clone());
        }
        if depth == 2 {
            continue;
        }
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.filter_map(std::result::Result::ok) {
            let name = entry.file_name();
            let skip =
                matches!(name.to_str(), Some("node_modules" | "target" | ".git")) || !entry.path().is_dir();
            if !skip {
                queue.push((entry.path(), depth + 1));
            }
        }
    }
    found.sort();
    found
}

fn npm_packages() -> Result<()> {
    for dir in npm_folders() {
        let lock = dir.join("package-lock.json");
        if !lock.is_file() {
            return Err(format!(
                "{} has package.json but no package-lock.json; commit the lockfile",
                dir.display()
            ));
        }
        // `npm ci` wipes and reinstalls; skip it when the installed tree is newer than the lockfile.
        let installed = dir.join("node_modules/.package-lock.json");
        let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
        if modified(&installed).zip(modified(&lock)).is_some_and(|(i, l)| i >= l) {
            continue;
        }
        exec(command("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    }
    Ok(())
}
