//! `cargo xtask bench srp`: the SRP client and server steps natively, and the client step of our wasm
//! build beside amazon-cognito-identity-js's in one headless Chromium page. Writes
//! `target/bench/srp.json`.

use std::fs;

use serde_json::{Map, Value};

use crate::Result;
use crate::process::{command, run, tee};
use crate::setup;

/// Runs of each implementation in the browser; the median is reported.
const BROWSER_RUNS: &str = "25";

pub(crate) fn srp() -> Result<()> {
    setup::run()?;
    let root = crate::root();
    let target = target_dir();
    let out = target.join("bench");
    let web = out.join("srp-web");
    fs::create_dir_all(web.join("pkg")).map_err(|e| format!("{}: {e}", web.display()))?;

    let mut figures = Map::new();
    let (ok, lines) = tee(command("cargo").args(["bench", "-p", "cognate-srp", "--bench", "srp"]))?;
    if !ok {
        return Err("the native SRP benchmark failed".into());
    }
    merge_json_line(&lines, &mut figures)?;

    run(command("cargo").args([
        "build",
        "-p",
        "cognate-srp",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "--features",
        "js",
        "--example",
        "srp_web",
    ]))?;
    let wasm = target.join("wasm32-unknown-unknown/release/examples/srp_web.wasm");
    run(command("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(web.join("pkg"))
        .arg(&wasm))?;
    let tests = root.join("tests");
    run(command(tests.join("node_modules/.bin/esbuild").to_string_lossy().as_ref())
        .arg(tests.join("bench/srp/idjs-entry.mjs"))
        .args(["--bundle", "--format=iife", "--define:global=globalThis", "--minify"])
        .arg(format!("--outfile={}", web.join("idjs.js").display())))?;
    fs::copy(tests.join("bench/srp/index.html"), web.join("index.html")).map_err(|e| e.to_string())?;
    let (ok, lines) = tee(command("node").arg(tests.join("bench/srp/run.mjs")).arg(&web).arg(BROWSER_RUNS))?;
    if !ok {
        return Err("the browser SRP benchmark failed".into());
    }
    merge_json_line(&lines, &mut figures)?;

    let wasm_ms = figures.get("browser_wasm_client_ms").and_then(Value::as_f64).unwrap_or(f64::NAN);
    let idjs_ms = figures.get("browser_idjs_client_ms").and_then(Value::as_f64).unwrap_or(f64::NAN);
    let speedup = (idjs_ms / wasm_ms * 100.0).round() / 100.0;
    figures.insert("browser_speedup".into(), Value::from(speedup));
    let json = serde_json::to_string_pretty(&Value::Object(figures.clone())).map_err(|e| e.to_string())?;
    let file = out.join("srp.json");
    fs::write(&file, format!("{json}\n")).map_err(|e| format!("{}: {e}", file.display()))?;
    println!("\nSRP benchmark (medians, ms) → {}", file.display());
    for (key, value) in &figures {
        println!("  {key:<24} {value}");
    }
    println!("  budget: browser_speedup ≥ 10 → {}", if speedup >= 10.0 { "met" } else { "NOT met" });
    Ok(())
}

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
pub(crate) fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::root().join("target"), std::path::PathBuf::from)
}

/// Merges the last line of `lines` that is a JSON object into `figures`.
fn merge_json_line(lines: &[String], figures: &mut Map<String, Value>) -> Result<()> {
    let object = lines
        .iter()
        .rev()
        .find_map(|l| serde_json::from_str::<Map<String, Value>>(l.trim()).ok())
        .ok_or("the benchmark printed no JSON figures")?;
    figures.extend(object);
    Ok(())
}

/// The figures a benchmark script printed (its last JSON line), written pretty to
/// `target/bench/<name>.json` and listed; returned for the budget lines.
pub(crate) fn record(name: &str, lines: &[String]) -> Result<Map<String, Value>> {
    let mut figures = Map::new();
    merge_json_line(lines, &mut figures)?;
    let file = target_dir().join("bench").join(format!("{name}.json"));
    let json = serde_json::to_string_pretty(&Value::Object(figures.clone())).map_err(|e| e.to_string())?;
    fs::write(&file, format!("{json}\n")).map_err(|e| format!("{}: {e}", file.display()))?;
    println!("\n{name} benchmark → {}", file.display());
    for (key, value) in &figures {
        println!("  {key:<28} {value}");
    }
    Ok(figures)
}

/// Prints one budget line: `budget: <what> → met` or `NOT met`.
pub(crate) fn budget(what: &str, met: bool) {
    println!("  budget: {what} → {}", if met { "met" } else { "NOT met" });
}
