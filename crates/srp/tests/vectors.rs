//! Checks every SRP vector under `tests/vectors/` (produced by amazon-cognito-identity-js, see its
//! README) through both halves: the client from `a`, the server from `b` and `verifier_v`. Runs natively
//! and in headless Chromium.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a test file: failing loudly is the point

use std::collections::BTreeMap;

use cognate_srp::device::{DeviceSecret, DeviceVerifierConfig};
use cognate_srp::math::{
    claim_signature, client_premaster, client_public, k, private_key, scrambler, server_premaster,
    server_public, session_key, verifier,
};
use cognate_srp::{CognitoTimestamp, PasswordChallenge, ServerSession, SrpClient, SrpInt, pool_name};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/vectors.rs"));
}

type Vector = BTreeMap<String, serde_json::Value>;

/// Reads field `key` of a vector as a string.
fn field<'v>(v: &'v Vector, key: &str) -> Result<&'v str, String> {
    v.get(key).and_then(|x| x.as_str()).ok_or_else(|| format!("{key}: missing or not a string"))
}

fn int(v: &Vector, key: &'static str) -> Result<SrpInt, String> {
    SrpInt::from_hex(key, field(v, key)?).map_err(|e| format!("{key}: {e}"))
}

fn expect_eq(key: &str, ours: &str, theirs: &str) -> Result<(), String> {
    if ours == theirs {
        Ok(())
    } else {
        Err(format!("{key}: vector has {theirs:.40}…, we compute {ours:.40}…"))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks the exchange common to user and device vectors; `realm` and `user` are the names the math
/// uses (pool name and user id, or device group key and device key).
/// Turns an SRP error into a report naming `key`.
fn err(key: &'static str) -> impl Fn(cognate_srp::SrpError) -> String {
    move |e| format!("{key}: {e}")
}

fn check_exchange(v: &Vector, realm: &str, user: &str, password: &str, salt: &SrpInt) -> Result<(), String> {
    expect_eq("k", &k().to_hex(), field(v, "k")?)?;
    let (a, b, big_b, vv) = (int(v, "a")?, int(v, "b")?, int(v, "SRP_B")?, int(v, "verifier_v")?);

    // Client half, from a.
    let big_a = client_public(&a).map_err(err("SRP_A"))?;
    expect_eq("SRP_A", &big_a.to_hex(), field(v, "SRP_A")?)?;
    let u = scrambler(&big_a, &big_b).map_err(err("u"))?;
    expect_eq("u", &u.to_hex(), field(v, "u")?)?;
    let x = private_key(salt, realm, user, password);
    expect_eq("x", &x.to_hex(), field(v, "x")?)?;
    let s = client_premaster(&big_b, &x, &a, &u).map_err(err("S"))?;
    expect_eq("S", &s.to_hex(), field(v, "S")?)?;
    let key = session_key(&u, &s);
    expect_eq("hkdf_key_16", &hex(key.as_ref()), field(v, "hkdf_key_16")?)?;
    let block_b64 = field(v, "SECRET_BLOCK")?;
    let block = base64_bytes(block_b64).ok_or("SECRET_BLOCK: not base64")?;
    let stamp = field(v, "TIMESTAMP")?;
    let parsed = CognitoTimestamp::parse(stamp).map_err(err("TIMESTAMP"))?;
    expect_eq("TIMESTAMP", &parsed.to_string(), stamp)?;
    let signature = claim_signature(&key, realm, user, &block, stamp);
    expect_eq("PASSWORD_CLAIM_SIGNATURE", &signature, field(v, "PASSWORD_CLAIM_SIGNATURE")?)?;
    let client = SrpClient::with_private(&a).map_err(err("a"))?;
    let challenge = PasswordChallenge {
        pool_name: realm,
        user_id_for_srp: user,
        salt: &salt.to_hex(),
        srp_b: &big_b.to_hex(),
        secret_block: block_b64,
    };
    let claim =
        client.password_claim(&challenge, password, parsed).map_err(err("PASSWORD_CLAIM_SIGNATURE"))?;
    expect_eq("PASSWORD_CLAIM_SIGNATURE", &claim.signature, field(v, "PASSWORD_CLAIM_SIGNATURE")?)?;

    // Server half, from b and the verifier.
    expect_eq("verifier_v", &verifier(&x).to_hex(), &vv.to_hex())?;
    expect_eq("SRP_B", &server_public(&vv, &b).map_err(err("SRP_B"))?.to_hex(), field(v, "SRP_B")?)?;
    let server_s = server_premaster(&big_a, &vv, &u, &b).map_err(err("S"))?;
    expect_eq("S", &server_s.to_hex(), field(v, "S")?)?;
    let session = ServerSession::resume(field(v, "SRP_A")?, &vv, &b).map_err(err("SRP_A"))?;
    expect_eq("SRP_B", &session.srp_b(), field(v, "SRP_B")?)?;
    session
        .verify_claim(realm, user, &block, stamp, field(v, "PASSWORD_CLAIM_SIGNATURE")?)
        .map_err(err("PASSWORD_CLAIM_SIGNATURE"))
}

fn check_user_vector(v: &Vector) -> Result<(), String> {
    let pool_id = field(v, "pool_id")?;
    let realm = pool_name(pool_id).map_err(|e| format!("pool_id: {e}"))?;
    let salt = int(v, "salt")?;
    check_exchange(v, realm, field(v, "user_id_for_srp")?, field(v, "password")?, &salt)
}

fn check_device_vector(v: &Vector) -> Result<(), String> {
    let (group, device) = (field(v, "device_group_key")?, field(v, "device_key")?);
    let password = field(v, "random_password")?;
    let salt = int(v, "salt")?;
    let secret = DeviceSecret::from_parts(group, device, password.to_owned().into(), salt.clone());
    let config = secret.verifier_config();
    expect_eq("PasswordVerifier", &config.password_verifier, field(v, "PasswordVerifier")?)?;
    expect_eq("Salt", &config.salt, field(v, "Salt")?)?;
    let theirs = DeviceVerifierConfig {
        password_verifier: field(v, "PasswordVerifier")?.to_owned(),
        salt: field(v, "Salt")?.to_owned(),
    };
    let stored = theirs.to_verifier().map_err(|e| format!("PasswordVerifier: {e}"))?;
    expect_eq("verifier_v", &stored.v.to_hex(), &int(v, "verifier_v")?.to_hex())?;
    expect_eq("salt", &stored.salt.to_hex(), &salt.to_hex())?;
    check_exchange(v, group, device, password, &salt)
}

fn base64_bytes(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

fn parse(name: &str, text: &str) -> Vector {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: not a JSON object: {e}"))
}

/// Every file, every field; all failures reported, each naming its file and field.
fn check_all(files: &[(&str, &str)], check: fn(&Vector) -> Result<(), String>) -> Vec<String> {
    files
        .iter()
        .filter_map(|(name, text)| check(&parse(name, text)).err().map(|e| format!("{name}: {e}")))
        .collect()
}

/// A different value of the same shape: the last character moved to another of its class.
fn mutate(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    let last = chars.pop().unwrap_or(' ');
    let changed = match last {
        '0'..='8' | 'a'..='e' | 'A'..='E' => char::from(last as u8 + 1),
        '9' => '0',
        'f' => 'a',
        'F' => 'A',
        'x' => 'y',
        _ => 'x',
    };
    chars.push(changed);
    chars.into_iter().collect()
}

/// The check must notice a change to any value of a file (the description is prose, not a value).
fn assert_mutations_fail(name: &str, text: &str, check: fn(&Vector) -> Result<(), String>) {
    let original = parse(name, text);
    assert_eq!(check(&original), Ok(()), "{name} must pass before mutating it");
    for key in original.keys().filter(|k| *k != "description") {
        let mut changed = original.clone();
        let value = changed[key].as_str().map(mutate).unwrap_or_default();
        changed.insert(key.clone(), serde_json::Value::String(value));
        let outcome = check(&changed);
        assert!(outcome.is_err(), "{name}: changing {key} went unnoticed");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_srp_vector_agrees_with_both_halves() {
    let files = embedded::SRP_VECTORS;
    assert!(files.len() >= 8, "expected at least 8 vectors in tests/vectors/srp, found {}", files.len());
    let failures = check_all(files, check_user_vector);
    assert!(failures.is_empty(), "vectors that disagree:\n{}", failures.join("\n"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_device_vector_agrees_with_both_halves() {
    let files = embedded::DEVICE_VECTORS;
    assert!(
        files.len() >= 3,
        "expected at least 3 vectors in tests/vectors/srp-device, found {}",
        files.len()
    );
    let failures = check_all(files, check_device_vector);
    assert!(failures.is_empty(), "vectors that disagree:\n{}", failures.join("\n"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_changed_value_in_any_vector_is_caught() {
    assert!(
        !embedded::SRP_VECTORS.is_empty() && !embedded::DEVICE_VECTORS.is_empty(),
        "no vectors to mutate"
    );
    for (name, text) in embedded::SRP_VECTORS {
        assert_mutations_fail(name, text, check_user_vector);
    }
    for (name, text) in embedded::DEVICE_VECTORS {
        assert_mutations_fail(name, text, check_device_vector);
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn fresh_client_and_server_agree_and_refuse_a_wrong_password() {
    let realm = pool_name("eu-west-2_Zx9Yw8Vu7").unwrap();
    let user = "5f0c8f4e-1b2a-4c3d-9e8f-7a6b5c4d3e2f";
    let stored = cognate_srp::Verifier::generate(realm, user, "pässwörd with spaces").unwrap();
    for (typed, ok) in [("pässwörd with spaces", true), ("passwörd with spaces", false)] {
        let client = SrpClient::new().unwrap();
        let server = ServerSession::start(&client.srp_a(), &stored).unwrap();
        let challenge = PasswordChallenge {
            pool_name: realm,
            user_id_for_srp: user,
            salt: &stored.salt.to_hex(),
            srp_b: &server.srp_b(),
            secret_block: "AAEC",
        };
        let claim = client.password_claim(&challenge, typed, CognitoTimestamp::now()).unwrap();
        let verdict = server.verify_claim(realm, user, &[0, 1, 2], &claim.timestamp, &claim.signature);
        assert_eq!(verdict.is_ok(), ok, "{typed}");
    }
}
