//! Native SRP benchmark: the client step (A, then the claim signature) and the server step (B, then
//! the check of the claim), medians in milliseconds. Prints one JSON line; `cargo xtask bench srp`
//! merges it into `target/bench/srp.json`.

use std::time::Instant;

use cognate_srp::{CognitoTimestamp, PasswordChallenge, ServerSession, SrpClient, Verifier};

const RUNS: usize = 41;
const POOL: &str = "AbC123xyZ";
const USER: &str = "5f0c8f4e-1b2a-4c3d-9e8f-7a6b5c4d3e2f";
const PASSWORD: &str = "correct horse battery staple";
const BLOCK: &str = "c2VjcmV0IGJsb2NrIG9mIHRoZSBzZXJ2ZXI=";

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<(), cognate_srp::SrpError> {
    let verifier = Verifier::generate(POOL, USER, PASSWORD)?;
    let salt = verifier.salt.to_hex();
    let (mut client_ms, mut server_ms) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        // The server's B for this round comes from an untimed exchange.
        let warm = SrpClient::new()?;
        let session = ServerSession::start(&warm.srp_a(), &verifier)?;
        let srp_b = session.srp_b();
        let challenge = PasswordChallenge {
            pool_name: POOL,
            user_id_for_srp: USER,
            salt: &salt,
            srp_b: &srp_b,
            secret_block: BLOCK,
        };

        let start = Instant::now();
        let client = SrpClient::new()?;
        let srp_a = client.srp_a();
        let claim = client.password_claim(&challenge, PASSWORD, CognitoTimestamp::now())?;
        client_ms.push(ms(start));

        let start = Instant::now();
        let server = ServerSession::start(&srp_a, &verifier)?;
        let srp_b = server.srp_b();
        server_ms.push(ms(start));
        let challenge = PasswordChallenge { srp_b: &srp_b, ..challenge };
        let claim_for_server = client.password_claim(&challenge, PASSWORD, CognitoTimestamp::now())?;
        let start = Instant::now();
        server.verify_claim(
            POOL,
            USER,
            b"secret block of the server",
            &claim_for_server.timestamp,
            &claim_for_server.signature,
        )?;
        let last = server_ms.len() - 1;
        server_ms[last] += ms(start);
        std::hint::black_box(claim);
    }
    println!(
        "{{\"native_client_ms\": {:.3}, \"native_server_ms\": {:.3}, \"native_runs\": {RUNS}}}",
        median(client_ms),
        median(server_ms)
    );
    Ok(())
}
