//! `cargo xtask bench overload`: the server at twice the rate it sustains, to show that it sheds the
//! excess at once (TooManyRequestsException) and keeps the latency of what it admits near the unloaded
//! figure, instead of queueing everything (issue 15, item 8).
//!
//! The work is the first step of a USER_SRP_AUTH sign-in (InitiateAuth: the verifier opened, B made,
//! the challenge sealed), with one SRP_A computed up front, so the load clients spend next to no CPU
//! and the 2 cores are the server's. First a closed loop of a few clients measures the sustainable
//! rate and the unloaded latency; then an open loop sends requests on a fixed schedule at twice that
//! rate, from enough connections that none waits for another, and measures each admitted request's
//! latency from its scheduled time. Release build, SQLite; writes `target/bench/overload.json`.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cognate_srp::SrpClient;
use serde_json::{Map, Value, json};

use crate::Result;
use crate::bench_server::{Conn, load_setup, percentile, start};
use crate::process::{command, run};

/// Closed-loop clients of the first phase.
const CLIENTS: usize = 4;
/// Connections of the open loop (each carries one request at a time).
const WORKERS: usize = 256;

fn seconds() -> u64 {
    std::env::var("COGNATE_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(20)
}

/// What one request came to.
enum Outcome {
    Admitted(f64),
    Shed,
    Failed,
}

fn classify(result: &Result<Value>, latency_ms: f64) -> Outcome {
    match result {
        Ok(_) => Outcome::Admitted(latency_ms),
        Err(e) if e.contains("TooManyRequestsException") => Outcome::Shed,
        Err(_) => Outcome::Failed,
    }
}

/// Tallies of one phase.
fn figures(outcomes: &[Outcome], elapsed: f64) -> Map<String, Value> {
    let mut latencies: Vec<f64> =
        outcomes.iter().filter_map(|o| if let Outcome::Admitted(l) = o { Some(*l) } else { None }).collect();
    latencies.sort_by(f64::total_cmp);
    let shed = outcomes.iter().filter(|o| matches!(o, Outcome::Shed)).count();
    let failed = outcomes.iter().filter(|o| matches!(o, Outcome::Failed)).count();
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let mut m = Map::new();
    m.insert("sent".into(), json!(outcomes.len()));
    m.insert("admitted".into(), json!(latencies.len()));
    m.insert("shed".into(), json!(shed));
    m.insert("failed".into(), json!(failed));
    m.insert("admitted_per_s".into(), json!(round(latencies.len() as f64 / elapsed)));
    m.insert("p50_ms".into(), json!(round(percentile(&latencies, 0.5))));
    m.insert("p99_ms".into(), json!(round(percentile(&latencies, 0.99))));
    m
}

/// `cargo xtask bench overload`.
pub(crate) fn overload() -> Result<()> {
    crate::setup::run()?;
    run(command("cargo").args(["build", "--release", "-p", "cognate-server", "--bin", "cognate"]))?;
    let bin = crate::bench::target_dir().join("release/cognate");
    let data_dir = std::env::temp_dir().join(format!("cognate-overload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let (mut child, port) = start(&bin, &data_dir, None)?;
    let outcome = (|| -> Result<Map<String, Value>> {
        let s = load_setup(port, &data_dir, "1")?;
        let srp_a = SrpClient::new().map_err(|e| e.to_string())?.srp_a();
        let body = Arc::new(json!({
            "AuthFlow": "USER_SRP_AUTH", "ClientId": s["client"],
            "AuthParameters": { "USERNAME": s["users"][0], "SRP_A": srp_a },
        }));
        Conn::open(port)?.call("InitiateAuth", &body)?;
        let duration = Duration::from_secs(seconds());

        // Phase 1: the sustainable rate, closed loop.
        let began = Instant::now();
        let threads: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let body = body.clone();
                std::thread::spawn(move || {
                    let mut out = Vec::new();
                    let Ok(mut conn) = Conn::open(port) else { return out };
                    while began.elapsed() < duration {
                        let t = Instant::now();
                        let r = conn.call("InitiateAuth", &body);
                        out.push(classify(&r, t.elapsed().as_secs_f64() * 1000.0));
                    }
                    out
                })
            })
            .collect();
        let mut closed = Vec::new();
        for t in threads {
            closed.extend(t.join().map_err(|_| "a load thread panicked")?);
        }
        let unloaded = figures(&closed, began.elapsed().as_secs_f64());
        let sustained = unloaded["admitted_per_s"].as_f64().unwrap_or(0.0);
        if sustained <= 0.0 {
            return Err("nothing was served in the first phase".into());
        }

        // Phase 2: twice that rate, open loop, from a fixed schedule.
        let rate = sustained * 2.0;
        let interval = Duration::from_secs_f64(1.0 / rate);
        let (tx, rx) = mpsc::channel::<Instant>();
        let rx = Arc::new(Mutex::new(rx));
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let (rx, body) = (rx.clone(), body.clone());
                std::thread::spawn(move || {
                    let mut out = Vec::new();
                    let mut conn = Conn::open(port).ok();
                    loop {
                        let Ok(due) = rx.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ())) else {
                            return out;
                        };
                        let Some(c) = conn.as_mut() else {
                            out.push(Outcome::Failed);
                            conn = Conn::open(port).ok();
                            continue;
                        };
                        let r = c.call("InitiateAuth", &body);
                        out.push(classify(&r, due.elapsed().as_secs_f64() * 1000.0));
                        if matches!(out.last(), Some(Outcome::Failed)) {
                            conn = Conn::open(port).ok();
                        }
                    }
                })
            })
            .collect();
        let began = Instant::now();
        let mut next = began;
        while began.elapsed() < duration {
            next += interval;
            if let Some(wait) = next.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            tx.send(next).map_err(|e| e.to_string())?;
        }
        drop(tx);
        let mut open = Vec::new();
        for w in workers {
            open.extend(w.join().map_err(|_| "a load thread panicked")?);
        }
        let overloaded = figures(&open, began.elapsed().as_secs_f64());
        let mut m = Map::new();
        m.insert("unloaded".into(), Value::Object(unloaded));
        m.insert("offered_per_s".into(), json!((rate * 100.0).round() / 100.0));
        m.insert("at_2x".into(), Value::Object(overloaded));
        m.insert(
            "max_in_flight".into(),
            json!(std::env::var("COGNATE_MAX_IN_FLIGHT").unwrap_or_else(|_| "default".into())),
        );
        Ok(m)
    })();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    let figures = outcome?;
    let out = crate::bench::target_dir().join("bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let file = out.join("overload.json");
    let text = serde_json::to_string_pretty(&Value::Object(figures)).map_err(|e| e.to_string())?;
    std::fs::write(&file, format!("{text}\n")).map_err(|e| e.to_string())?;
    println!("\nserver overload benchmark → {}\n{text}", file.display());
    Ok(())
}
