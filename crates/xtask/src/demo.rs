//! `cargo xtask demo`: builds the server, the SDK, the edge worker and the demo app (`www/`), then
//! runs them together (`www/demo.mjs`) until Ctrl-C.

use std::fs;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::bench::target_dir;
use crate::process::{command, run};

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

/// Builds `www/dist`: the app type-checked (tsc) and bundled (esbuild), its page and styles, and the
/// built SDK (npm/dist, which must exist) under `cognate-auth/`.
pub(crate) fn build_www() -> Result<PathBuf> {
    let www = crate::root().join("www");
    let dist = www.join("dist");
    let _ = fs::remove_dir_all(&dist);
    let bin = |name: &str| www.join("node_modules/.bin").join(name).to_string_lossy().into_owned();
    run(command(&bin("tsc")).args(["-p", "."]).current_dir(&www))?;
    run(command(&bin("esbuild"))
        .args([
            "src/app.ts",
            "--bundle",
            "--format=esm",
            "--target=es2022",
            "--minify",
            "--external:/cognate-auth/*",
            "--outfile=dist/app.js",
        ])
        .current_dir(&www))?;
    for file in ["index.html", "style.css"] {
        fs::copy(www.join(file), dist.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    copy_dir(&crate::root().join("npm/dist"), &dist.join("cognate-auth"))?;
    Ok(dist)
}

/// Builds everything the demo needs and runs it; `args` go to www/demo.mjs.
pub(crate) fn demo(args: &[&str]) -> Result<()> {
    crate::setup::run()?;
    run(command("cargo").args(["build", "-p", "cognate-server", "--bin", "cognate"]))?;
    crate::sdk::build()?;
    crate::edge::build()?;
    build_www()?;
    let mut cmd = command("node");
    cmd.arg("--no-warnings")
        .arg(crate::root().join("www/demo.mjs"))
        .args(args)
        .env("COGNATE_BIN", target_dir().join("debug/cognate"));
    // Ctrl-C reaches node too (same process group); it stops its children and exits.
    run(&mut cmd)
}
