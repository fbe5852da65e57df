//! `cargo xtask test`: every suite, one closing line each.

use std::path::Path;
use std::process::Command;

use crate::Result;
use crate::process::{command, tee};
use crate::setup::{self, CHROMEDRIVER};

/// Crates whose tests also run in headless Chromium (with all their features, so cognate-jwt's
/// WebCrypto backend is tested beside its RustCrypto one).
const BROWSER_CRATES: &[&str] = &["cognate-srp", "cognate-jwt"];

/// Crates linted for wasm32 as well: the browser crates and the edge worker.
const WASM_CRATES: &[&str] =
    &["cognate-srp", "cognate-jwt", "cognate-edge", "cognate-client", "cognate-wasm"];

/// A suite's tally.
struct Tally {
    suite: String,
    passed: usize,
    failed: usize,
}

/// Runs setup and every suite; Ok(true) when all passed.
pub(crate) fn run() -> Result<bool> {
    setup::run()?;
    let mut tallies = vec![
        check("fmt", command("cargo").args(["fmt", "--all", "--", "--check"]))?,
        check(
            "clippy",
            command("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
        )?,
    ];
    for krate in WASM_CRATES {
        let mut cmd = command("cargo");
        cmd.args([
            "clippy",
            "-p",
            krate,
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--all-features",
            "--",
        ]);
        tallies.push(check(&format!("clippy wasm32 {krate}"), cmd.args(["-D", "warnings"]))?);
    }
    tallies.push(cargo_tests("native tests", command("cargo").args(["test", "--workspace"]))?);
    for krate in BROWSER_CRATES {
        let mut cmd = command("cargo");
        cmd.args(["test", "-p", krate, "--target", "wasm32-unknown-unknown", "--all-features"])
            .env("CHROMEDRIVER", CHROMEDRIVER);
        tallies.push(cargo_tests(&format!("browser tests {krate}"), &mut cmd)?);
    }
    // The node suites drive the real server binary (tests/server/harness.mjs starts it).
    let server_built =
        crate::process::status(command("cargo").args(["build", "-p", "cognate-server", "--bin", "cognate"]))?;
    tallies.push(Tally {
        suite: "build cognate".to_owned(),
        passed: usize::from(server_built),
        failed: usize::from(!server_built),
    });
    // The SDK suite (tests/sdk) loads the built package in Chromium.
    let sdk_built = crate::sdk::build().map_err(|e| eprintln!("build sdk: {e}")).is_ok();
    tallies.push(Tally {
        suite: "build sdk".to_owned(),
        passed: usize::from(sdk_built),
        failed: usize::from(!sdk_built),
    });
    // The demo journey (tests/browser) runs the demo app, which bundles the SDK.
    let www_built = sdk_built && crate::demo::build_www().map_err(|e| eprintln!("build www: {e}")).is_ok();
    tallies.push(Tally {
        suite: "build www".to_owned(),
        passed: usize::from(www_built),
        failed: usize::from(!www_built),
    });
    // The edge suite (tests/edge) runs the worker's wasm in workerd.
    let worker_built = crate::edge::build().map_err(|e| eprintln!("build worker: {e}")).is_ok();
    tallies.push(Tally {
        suite: "build worker".to_owned(),
        passed: usize::from(worker_built),
        failed: usize::from(!worker_built),
    });
    for dir in setup::npm_folders() {
        if let Some(tally) = node_suite(&dir)? {
            tallies.push(tally);
        }
    }
    println!();
    for t in &tallies {
        println!("{}: {} passed, {} failed", t.suite, t.passed, t.failed);
    }
    Ok(tallies.iter().all(|t| t.failed == 0))
}

/// A command that passes or fails as a whole (formatting, lints).
fn check(suite: &str, cmd: &mut Command) -> Result<Tally> {
    let ok = crate::process::status(cmd)?;
    Ok(Tally { suite: suite.to_owned(), passed: usize::from(ok), failed: usize::from(!ok) })
}

/// `cargo test`, tallied from its `test result:` lines. A binary that fails without a result line
/// (a build error, a crash) counts as one failure.
fn cargo_tests(suite: &str, cmd: &mut Command) -> Result<Tally> {
    let (ok, lines) = tee(cmd.env("CARGO_TERM_COLOR", "never"))?;
    let (mut passed, mut failed) = (0, 0);
    for line in lines.iter().filter_map(|l| l.trim().strip_prefix("test result: ")) {
        passed += count(line, " passed");
        failed += count(line, " failed");
    }
    if !ok && failed == 0 {
        failed = 1;
    }
    Ok(Tally { suite: suite.to_owned(), passed, failed })
}

/// The number just before `label` in a line like `ok. 24 passed; 0 failed; ...`.
fn count(line: &str, label: &str) -> usize {
    line.split(';')
        .find_map(|part| {
            part.trim()
                .trim_start_matches("ok. ")
                .trim_start_matches("FAILED. ")
                .strip_suffix(label.trim_start())
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// `node --test` over a folder's `*.test.mjs` files, if it has any.
fn node_suite(dir: &Path) -> Result<Option<Tally>> {
    let mut files = Vec::new();
    collect_tests(dir, &mut files);
    if files.is_empty() {
        return Ok(None);
    }
    files.sort();
    let mut cmd = command("node");
    cmd.args(["--test", "--test-reporter=tap"]).args(&files).current_dir(dir);
    cmd.env("COGNATE_BIN", crate::bench::target_dir().join("debug/cognate"));
    let (ok, lines) = tee(&mut cmd)?;
    let number = |key: &str| {
        lines.iter().rev().find_map(|l| l.strip_prefix(key)).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
    };
    let (passed, mut failed) = (number("# pass "), number("# fail "));
    if !ok && failed == 0 {
        failed = 1;
    }
    let name = dir.strip_prefix(crate::root()).unwrap_or(dir).display().to_string();
    Ok(Some(Tally { suite: format!("node {name}"), passed, failed }))
}

fn collect_tests(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(std::result::Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() && name != "node_modules" {
            collect_tests(&path, out);
        } else if name.ends_with(".test.mjs") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_are_read_from_result_lines() {
        let ok = "ok. 24 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.61s";
        assert_eq!((count(ok, " passed"), count(ok, " failed")), (24, 0));
        let bad = "FAILED. 1 passed; 3 failed; 0 ignored; 0 filtered out; finished in 0.14s";
        assert_eq!((count(bad, " passed"), count(bad, " failed")), (1, 3));
        assert_eq!(count("garbage", " passed"), 0);
    }
}
