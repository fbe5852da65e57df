//! `cargo xtask build-sdk`: the npm package `cognate-auth` in `npm/dist/`.

use std::fs;
use std::path::PathBuf;

use crate::Result;
use crate::bench::target_dir;
use crate::process::{command, run};

/// The wasm features Rust's wasm32 target emits, which wasm-opt must be told about.
pub(crate) const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The flags of the SDK's wasm build (see [`build`]).
const SDK_RUSTFLAGS: &str = r#"--cfg sha2_backend_soft="compact""#;

/// Builds npm/dist: the engine (wasm-bindgen, then wasm-opt -Oz from npm's binaryen) and the
/// typed entry from npm/src. Returns the folder.
pub(crate) fn build() -> Result<PathBuf> {
    let npm = crate::root().join("npm");
    let dist = npm.join("dist");
    let _ = fs::remove_dir_all(&dist);
    run(command("cargo")
        .args([
            "build",
            "-p",
            "cognate-wasm",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "sdk-release",
        ])
        // SHA-256 as a loop rather than 64 unrolled rounds: 7 KB less wasm, for the few hashes a
        // sign-in makes (sha2's documented `sha2_backend_soft` switch; target crates only).
        .env("RUSTFLAGS", SDK_RUSTFLAGS))?;
    let wasm = target_dir().join("wasm32-unknown-unknown/sdk-release/cognate_wasm.wasm");
    run(command("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&dist)
        .arg(&wasm))?;
    let bound = dist.join("cognate_wasm_bg.wasm");
    let wasm_opt = crate::root().join("worker/node_modules/.bin/wasm-opt");
    run(command(&wasm_opt.to_string_lossy())
        .arg("-Oz")
        .args(WASM_FEATURES)
        .args(["--strip-debug", "--strip-producers"])
        .arg(&bound)
        .arg("-o")
        .arg(&bound))?;
    for file in ["index.js", "passkey.js", "redirect.js", "index.d.ts", "redirect.d.ts"] {
        fs::copy(npm.join("src").join(file), dist.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    Ok(dist)
}

/// `cargo xtask bench sdk`: bundle sizes of the basic flow and SRP sign-in times in Chromium, ours
/// beside amazon-cognito-identity-js (tests/bench/sdk/run.mjs); writes `target/bench/sdk.json`.
pub(crate) fn bench() -> Result<()> {
    crate::setup::run()?;
    build()?;
    run(command("cargo").args(["build", "-p", "cognate-server", "--bin", "cognate"]))?;
    let out = target_dir().join("bench");
    let work = out.join("sdk");
    fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let script = crate::root().join("tests/bench/sdk/run.mjs");
    let mut cmd = command("node");
    cmd.arg(&script).arg(&work).env("COGNATE_BIN", target_dir().join("debug/cognate"));
    let (ok, lines) = crate::process::tee(&mut cmd)?;
    if !ok {
        return Err("the SDK benchmark failed".into());
    }
    let figures = crate::bench::record("sdk", &lines)?;
    let number = |k: &str| figures.get(k).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
    crate::bench::budget("bundle_gz_kb ≤ 45", number("bundle_gz_kb") <= 45.0);
    crate::bench::budget(
        "signin_ms ≤ idjs_signin_ms / 3",
        number("signin_ms") * 3.0 <= number("idjs_signin_ms"),
    );
    Ok(())
}
