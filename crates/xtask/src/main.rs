//! `cargo xtask`: the project's one entry point.
//!
//! - `setup`: installs what a fresh machine lacks (wasm32 target, wasm-bindgen-cli at the locked
//!   version, Chromium and chromedriver, npm packages); quick when nothing is missing.
//! - `test`: setup, then formatting, lints, native tests, browser tests, node suites; one closing line
//!   per suite (`<suite>: N passed, N failed`), non-zero exit when anything failed.
//! - `demo`: builds and runs the demo (server, edge verifier, echo API, the app in `www/`) until
//!   Ctrl-C; flags go to `www/demo.mjs` (`--port`, `--data-dir`, ...).
//! - `build-sdk`: the npm package `cognate-auth` into `npm/dist/`.
//! - `build-www`: the SDK, then the demo app into `www/dist/`.
//! - `build-worker`: the edge verifier's wasm into `worker/build/` (then `npx wrangler dev` in
//!   `worker/` runs it in workerd).
//! - `bench srp`: the SRP benchmark, natively and in headless Chromium; writes `target/bench/srp.json`.
//! - `bench server`: SRP sign-ins against a release server on SQLite and PostgreSQL; writes
//!   `target/bench/server.json`.
//! - `bench overload`: a release server on SQLite at twice the rate it sustains: what it sheds, and
//!   the latency of what it admits; writes `target/bench/overload.json`.
//! - `bench sdk`: the SDK's basic-flow bundle size and SRP sign-in time in Chromium beside
//!   amazon-cognito-identity-js; writes `target/bench/sdk.json`.
//! - `bench edge`: the edge verifier against a worker using aws-jwt-verify, in workerd; writes
//!   `target/bench/edge.json`.

mod bench;
mod bench_overload;
mod bench_server;
mod demo;
mod edge;
mod process;
mod sdk;
mod setup;
mod suites;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <setup | test | demo [flags] | build-sdk | build-www | build-worker | bench srp | bench server | bench overload | bench edge | bench sdk>";

/// The result of a step: an error is a message for the user.
type Result<T, E = String> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["setup"] => setup::run().map(|()| true),
        ["test"] => suites::run(),
        ["demo", flags @ ..] => demo::demo(flags).map(|()| true),
        ["build-sdk"] => setup::run().and_then(|()| sdk::build()).map(|out| {
            println!("built {}", out.display());
            true
        }),
        ["build-www"] => {
            setup::run().and_then(|()| sdk::build()).and_then(|_| demo::build_www()).map(|out| {
                println!("built {}", out.display());
                true
            })
        }
        ["build-worker"] => setup::run().and_then(|()| edge::build()).map(|out| {
            println!("built {}", out.display());
            true
        }),
        ["bench", "srp"] => bench::srp().map(|()| true),
        ["bench", "server"] => bench_server::server().map(|()| true),
        ["bench", "overload"] => bench_overload::overload().map(|()| true),
        ["bench", "edge"] => edge::bench().map(|()| true),
        ["bench", "sdk"] => sdk::bench().map(|()| true),
        _ => Err(USAGE.to_owned()),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}
