//! `cargo xtask build-worker`: the edge verifier's wasm, bound for workerd, in `worker/build/`.

use std::path::PathBuf;

use crate::Result;
use crate::bench::target_dir;
use crate::process::{command, run};

/// Builds `worker/build/cognate_edge.js` and `cognate_edge_bg.wasm`; returns the build folder.
pub(crate) fn build() -> Result<PathBuf> {
    let worker = crate::root().join("worker");
    let out = worker.join("build");
    run(command("cargo").args([
        "build",
        "-p",
        "cognate-edge",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = target_dir().join("wasm32-unknown-unknown/wasm-release/cognate_edge.wasm");
    run(command("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&out)
        .arg(&wasm))?;
    // wasm-opt from the npm package `binaryen` (Debian's breaks wasm-bindgen output).
    let bound = out.join("cognate_edge_bg.wasm");
    let wasm_opt = worker.join("node_modules/.bin/wasm-opt");
    run(command(&wasm_opt.to_string_lossy())
        .arg("-Oz")
        .args(crate::sdk::WASM_FEATURES)
        .arg(&bound)
        .arg("-o")
        .arg(&bound))?;
    Ok(out)
}

/// `cargo xtask bench edge`: the same token mix through cognate-edge, a worker on aws-jwt-verify and a
/// pass-through worker, in workerd (tests/bench/edge/run.mjs); writes `target/bench/edge.json`.
pub(crate) fn bench() -> Result<()> {
    crate::setup::run()?;
    build()?;
    let out = target_dir().join("bench");
    let run_dir = out.join("edge");
    std::fs::create_dir_all(&run_dir).map_err(|e| format!("{}: {e}", run_dir.display()))?;
    let script = crate::root().join("tests/bench/edge/run.mjs");
    let (ok, lines) = crate::process::tee(command("node").arg(&script).arg(&run_dir))?;
    if !ok {
        return Err("the edge benchmark failed".into());
    }
    let figures = crate::bench::record("edge", &lines)?;
    let number = |k: &str| figures.get(k).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
    crate::bench::budget("speedup_p50 ≥ 2", number("speedup_p50") >= 2.0);
    crate::bench::budget("bundle_gz_kb ≤ 300", number("bundle_gz_kb") <= 300.0);
    crate::bench::budget("cold_start_ms ≤ 5 (DESIGN.md)", number("cold_start_ms") <= 5.0);
    Ok(())
}
