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
    let figures = lines
        .iter()
        .rev()
        .find_map(|l| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(l.trim()).ok())
        .ok_or("the edge benchmark printed no JSON figures")?;
    let file = out.join("edge.json");
    let json = serde_json::to_string_pretty(&figures).map_err(|e| e.to_string())?;
    std::fs::write(&file, format!("{json}\n")).map_err(|e| format!("{}: {e}", file.display()))?;
    println!("\nedge benchmark → {}", file.display());
    for (key, value) in &figures {
        println!("  {key:<28} {value}");
    }
    let number = |k: &str| figures.get(k).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!("  budget: speedup_p50 ≥ 2 → {}", verdict(number("speedup_p50") >= 2.0));
    println!("  budget: bundle_gz_kb ≤ 300 → {}", verdict(number("bundle_gz_kb") <= 300.0));
    println!("  budget: cold_start_ms ≤ 5 (DESIGN.md) → {}", verdict(number("cold_start_ms") <= 5.0));
    Ok(())
}
