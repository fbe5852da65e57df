//! `cargo xtask bench server`: full USER_SRP_AUTH sign-ins (InitiateAuth, then RespondToAuthChallenge
//! with a real SRP proof) from concurrent clients against a release build of the server, on SQLite
//! and on PostgreSQL; and, in the same run, the bound its modular exponentiations alone set.
//!
//! The load clients run on the same machine and do their own SRP math (a 1024-bit `a`, as Cognito's
//! clients do), which costs more CPU than the server's side. So besides the measured rate, the server's
//! own CPU time per sign-in (from /proc) gives its capacity on this machine's cores.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cognate_srp::{CognitoTimestamp, PasswordChallenge, SrpClient, SrpInt, Verifier, math, pool_name};
use serde_json::{Map, Value, json};

use crate::Result;
use crate::process::{command, output, run};

/// Concurrent load clients.
const CLIENTS: usize = 6;
/// Users signing in (round robin).
const USERS: &str = "40";

fn seconds() -> u64 {
    std::env::var("COGNATE_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60)
}

/// One keep-alive HTTP/1.1 connection speaking Cognito's JSON protocol.
pub(crate) struct Conn {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    pub(crate) fn open(port: u16) -> Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Self { stream: BufReader::new(stream), host: format!("127.0.0.1:{port}") })
    }

    pub(crate) fn call(&mut self, operation: &str, body: &Value) -> Result<Value> {
        let body = body.to_string();
        let request = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: AWSCognitoIdentityProviderService.{operation}\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).map_err(|e| e.to_string())?;
        let mut length = 0usize;
        let mut status = String::new();
        loop {
            let mut line = String::new();
            if self.stream.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Err("connection closed".into());
            }
            if status.is_empty() {
                status = line.clone();
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(|_| "bad content-length")?;
            }
        }
        let mut buf = vec![0; length];
        self.stream.read_exact(&mut buf).map_err(|e| e.to_string())?;
        let value: Value = serde_json::from_slice(&buf).map_err(|e| e.to_string())?;
        if status.contains(" 200 ") { Ok(value) } else { Err(format!("{operation}: {value}")) }
    }
}

/// One full SRP sign-in.
fn sign_in(conn: &mut Conn, setup: &Setup, user: &str) -> Result<()> {
    let client = SrpClient::new().map_err(|e| e.to_string())?;
    let started = conn.call(
        "InitiateAuth",
        &json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": setup.client,
                 "AuthParameters": { "USERNAME": user, "SRP_A": client.srp_a() } }),
    )?;
    let p = &started["ChallengeParameters"];
    let field = |k: &str| p[k].as_str().unwrap_or("").to_owned();
    let user_id = field("USER_ID_FOR_SRP");
    let (salt, srp_b, block) = (field("SALT"), field("SRP_B"), field("SECRET_BLOCK"));
    let pool = pool_name(&setup.pool).map_err(|e| e.to_string())?;
    let challenge = PasswordChallenge {
        pool_name: pool,
        user_id_for_srp: &user_id,
        salt: &salt,
        srp_b: &srp_b,
        secret_block: &block,
    };
    let claim = client
        .password_claim(&challenge, &setup.password, CognitoTimestamp::now())
        .map_err(|e| e.to_string())?;
    let done = conn.call(
        "RespondToAuthChallenge",
        &json!({ "ChallengeName": "PASSWORD_VERIFIER", "ClientId": setup.client, "Session": started["Session"],
                 "ChallengeResponses": { "USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": block,
                   "TIMESTAMP": claim.timestamp, "PASSWORD_CLAIM_SIGNATURE": claim.signature } }),
    )?;
    if done["AuthenticationResult"]["AccessToken"].is_string() {
        Ok(())
    } else {
        Err(format!("no tokens: {done}"))
    }
}

struct Setup {
    pool: String,
    client: String,
    password: String,
    users: Vec<String>,
}

/// The server's CPU time so far, in seconds (user + system, from /proc).
fn cpu_seconds(pid: u32) -> f64 {
    let ticks: f64 =
        output(Command::new("getconf").arg("CLK_TCK")).and_then(|s| s.trim().parse().ok()).unwrap_or(100.0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at field 3; utime is 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<f64> = rest.split_whitespace().map(|f| f.parse().unwrap_or(0.0)).collect();
    (fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0)) / ticks
}

/// The modular exponentiations of one server-side sign-in (g^b in B, then v^u and (A·v^u)^b),
/// timed alone: milliseconds each, median of many.
fn modexp_ms() -> Result<f64> {
    let verifier = Verifier::generate("AbC123xyZ", "bench", "password").map_err(|e| e.to_string())?;
    let client = SrpClient::new().map_err(|e| e.to_string())?;
    let big_a = SrpInt::from_hex("A", &client.srp_a()).map_err(|e| e.to_string())?;
    let mut samples = Vec::new();
    for i in 0..60u8 {
        let b = SrpInt::from_be_bytes("b", &[i.wrapping_add(7); 32]).map_err(|e| e.to_string())?;
        let start = Instant::now();
        let big_b = math::server_public(&verifier.v, &b).map_err(|e| e.to_string())?;
        let u = math::scrambler(&big_a, &big_b).map_err(|e| e.to_string())?;
        std::hint::black_box(math::server_premaster(&big_a, &verifier.v, &u, &b).map_err(|e| e.to_string())?);
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples[samples.len() / 2])
}

pub(crate) fn start(
    bin: &std::path::Path,
    data_dir: &std::path::Path,
    db: Option<&str>,
) -> Result<(Child, u16)> {
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(data_dir);
    if let Some(url) = db {
        cmd.args(["--database-url", url]);
    }
    let mut child =
        cmd.env("COGNATE_LOG", "warn").stdout(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    for line in BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
        if let Some(port) = line
            .rsplit_once(':')
            .and_then(|(_, p)| p.trim().parse().ok())
            .filter(|_| line.contains("listening on"))
        {
            return Ok((child, port));
        }
    }
    Err("the server did not start".into())
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN)
}

/// A pool, an app client and `users` confirmed users on the server at `port` (whose data directory
/// is `data_dir`), made by `tests/load/setup.mjs`: its JSON line.
pub(crate) fn load_setup(port: u16, data_dir: &std::path::Path, users: &str) -> Result<Value> {
    let out = output(
        command("node")
            .arg("tests/load/setup.mjs")
            .arg(format!("http://127.0.0.1:{port}"))
            .arg(data_dir.join("admin-credentials"))
            .arg(users),
    )
    .ok_or("tests/load/setup.mjs failed")?;
    serde_json::from_str(out.trim()).map_err(|e| e.to_string())
}

/// Runs the load against one backend; returns its figures.
fn run_backend(
    bin: &std::path::Path,
    name: &str,
    db: Option<&str>,
    bound_per_s: f64,
) -> Result<Map<String, Value>> {
    let data_dir = std::env::temp_dir().join(format!("cognate-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let (mut child, port) = start(bin, &data_dir, db)?;
    let outcome = (|| -> Result<Map<String, Value>> {
        let s = load_setup(port, &data_dir, USERS)?;
        let text = |k: &str| s[k].as_str().unwrap_or("").to_owned();
        let users = s["users"]
            .as_array()
            .map(|a| a.iter().filter_map(|u| u.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let setup = std::sync::Arc::new(Setup {
            pool: text("pool"),
            client: text("client"),
            password: text("password"),
            users,
        });
        // Warm up: the first sign-in makes the pool's signing key.
        sign_in(&mut Conn::open(port)?, &setup, &setup.users[0])?;
        let duration = Duration::from_secs(seconds());
        let cpu_before = cpu_seconds(child.id());
        let began = Instant::now();
        let handles: Vec<_> = (0..CLIENTS)
            .map(|t| {
                let setup = setup.clone();
                std::thread::spawn(move || -> (Vec<f64>, usize) {
                    let (mut latencies, mut errors) = (Vec::new(), 0);
                    let Ok(mut conn) = Conn::open(port) else { return (latencies, 1) };
                    let mut i = t;
                    while began.elapsed() < duration {
                        let user = &setup.users[i % setup.users.len()];
                        i += CLIENTS;
                        let start = Instant::now();
                        match sign_in(&mut conn, &setup, user) {
                            Ok(()) => latencies.push(start.elapsed().as_secs_f64() * 1000.0),
                            Err(_) => {
                                errors += 1;
                                if let Ok(c) = Conn::open(port) {
                                    conn = c;
                                }
                            }
                        }
                    }
                    (latencies, errors)
                })
            })
            .collect();
        let (mut latencies, mut errors) = (Vec::new(), 0);
        for h in handles {
            let (l, e) = h.join().map_err(|_| "a load thread panicked")?;
            latencies.extend(l);
            errors += e;
        }
        let elapsed = began.elapsed().as_secs_f64();
        let cpu = cpu_seconds(child.id()) - cpu_before;
        latencies.sort_by(f64::total_cmp);
        let count = latencies.len() as f64;
        let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
        let rate = count / elapsed;
        let capacity = if cpu > 0.0 { count / cpu * cores } else { f64::NAN };
        let round = |x: f64| (x * 100.0).round() / 100.0;
        let mut m = Map::new();
        m.insert("signins_per_s".into(), json!(round(rate)));
        m.insert("p50_ms".into(), json!(round(percentile(&latencies, 0.5))));
        m.insert("p99_ms".into(), json!(round(percentile(&latencies, 0.99))));
        m.insert("efficiency".into(), json!(round(rate / bound_per_s)));
        m.insert("server_cpu_ms_per_signin".into(), json!(round(cpu * 1000.0 / count)));
        m.insert("server_capacity_per_s".into(), json!(round(capacity)));
        m.insert("server_efficiency".into(), json!(round(capacity / bound_per_s)));
        m.insert("signins".into(), json!(latencies.len()));
        m.insert("errors".into(), json!(errors));
        m.insert("seconds".into(), json!(round(elapsed)));
        Ok(m)
    })();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    outcome
}

/// Recomputes the efficiencies of a backend's figures against `bound`.
fn rescale(figures: &mut Map<String, Value>, bound: f64) {
    for (key, rate_key) in [("efficiency", "signins_per_s"), ("server_efficiency", "server_capacity_per_s")] {
        let rate = figures.get(rate_key).and_then(Value::as_f64).unwrap_or(f64::NAN);
        figures.insert(key.into(), json!((rate / bound * 100.0).round() / 100.0));
    }
}

/// `cargo xtask bench server`.
pub(crate) fn server() -> Result<()> {
    crate::setup::run()?;
    run(command("cargo").args(["build", "--release", "-p", "cognate-server", "--bin", "cognate"]))?;
    let bin = crate::bench::target_dir().join("release/cognate");
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    // The bound is measured before and after the load and the faster taken: the machine's best is the
    // fair yardstick (a slow moment would flatter the server).
    let before = modexp_ms()?;
    let mut figures = run_backend(&bin, "sqlite", None, cores * 1000.0 / before)?;
    let per_signin = before.min(modexp_ms()?);
    let bound = cores * 1000.0 / per_signin;
    println!(
        "modexp bound: {per_signin:.3} ms of exponentiation per sign-in → {bound:.0} sign-ins/s on {cores} cores"
    );
    rescale(&mut figures, bound);
    figures.insert("modexp_ms_per_signin".into(), json!((per_signin * 1000.0).round() / 1000.0));
    figures.insert("modexp_bound_per_s".into(), json!(bound.round()));
    figures.insert("cores".into(), json!(cores));
    figures.insert("clients".into(), json!(CLIENTS));
    let db_name = format!("cognate_bench_{}", std::process::id());
    let psql = |sql: &str| {
        run(command("psql").args(["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-q", "-c", sql]))
    };
    match psql(&format!("CREATE DATABASE {db_name}")) {
        Ok(()) => {
            let url = format!("postgres://postgres@127.0.0.1:5432/{db_name}");
            let pg = run_backend(&bin, "postgres", Some(&url), bound).map(|mut pg| {
                rescale(&mut pg, bound);
                pg
            });
            let _ = psql(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"));
            figures.insert("postgres".into(), Value::Object(pg?));
        }
        Err(e) => {
            figures.insert("postgres".into(), json!({ "error": e }));
        }
    }
    let out = crate::bench::target_dir().join("bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let file = out.join("server.json");
    let text = serde_json::to_string_pretty(&Value::Object(figures.clone())).map_err(|e| e.to_string())?;
    std::fs::write(&file, format!("{text}\n")).map_err(|e| e.to_string())?;
    println!("\nserver sign-in benchmark → {}\n{text}", file.display());
    Ok(())
}
