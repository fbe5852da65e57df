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
    run(command(&wasm_opt.to_string_lossy()).arg("-O3").arg(&bound).arg("-o").arg(&bound))?;
    Ok(out)
}
