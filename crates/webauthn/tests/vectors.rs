//! Ceremonies made by Chromium's WebAuthn stack and virtual authenticators
//! (`tests/vectors/webauthn/generate.mjs`): each must pass, and each mutation of one must fail with
//! the right error.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use cognate_webauthn::{
    Algorithm, Error, RelyingParty, StoredCredential, UserVerification, b64url, from_b64url,
    verify_assertion, verify_registration,
};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/webauthn/vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn rp(id: &str, origins: &[&str], uv: UserVerification) -> RelyingParty {
    RelyingParty {
        id: id.to_owned(),
        name: "Cognate vectors".to_owned(),
        origins: origins.iter().map(|s| (*s).to_owned()).collect(),
        user_verification: uv,
    }
}

fn localhost() -> RelyingParty {
    rp("localhost", &[], UserVerification::Preferred)
}

fn challenge(v: &Value) -> Vec<u8> {
    from_b64url(v["challenge"].as_str().unwrap()).unwrap()
}

/// Re-encodes `response.<field>` after `change`.
fn tamper(mut response: Value, field: &str, change: impl FnOnce(&mut Vec<u8>)) -> Value {
    let mut bytes = from_b64url(response["response"][field].as_str().unwrap()).unwrap();
    change(&mut bytes);
    response["response"][field] = Value::String(b64url(&bytes));
    response
}

/// Rewrites the client data JSON with `change`.
fn client_data(response: Value, change: impl FnOnce(&mut Value)) -> Value {
    tamper(response, "clientDataJSON", |bytes| {
        let mut data: Value = serde_json::from_slice(bytes).unwrap();
        change(&mut data);
        *bytes = serde_json::to_vec(&data).unwrap();
    })
}

#[test]
fn every_algorithm_registers_and_signs_in_twice() {
    let v = vectors();
    let handle = from_b64url(v["userHandle"].as_str().unwrap()).unwrap();
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let reg = &case["registration"];
        let made = verify_registration(&localhost(), &challenge(reg), &reg["response"]).unwrap();
        assert_eq!(made.algorithm.id(), case["alg"].as_i64().unwrap(), "{name}");
        assert_eq!(made.attestation_format, "none");
        assert!(made.user_verified, "{name}: the passkey authenticator verifies the user");
        assert_eq!(made.attachment.as_deref(), Some("platform"));
        assert_eq!(b64url(&made.credential_id), reg["response"]["id"].as_str().unwrap());
        let mut count = made.sign_count;
        for a in case["assertions"].as_array().unwrap() {
            let stored = StoredCredential {
                id: &made.credential_id,
                public_key: &made.public_key,
                sign_count: count,
                user_handle: &handle,
            };
            let ok = verify_assertion(&localhost(), &challenge(a), &stored, &a["response"]).unwrap();
            assert!(ok.sign_count > count, "{name}: the counter grows");
            count = ok.sign_count;
        }
    }
    let mut algs: Vec<i64> =
        v["cases"].as_array().unwrap().iter().map(|c| c["alg"].as_i64().unwrap()).collect();
    algs.sort_unstable();
    let mut accepted: Vec<i64> = Algorithm::ALL.iter().map(|a| a.id()).collect();
    accepted.sort_unstable();
    assert_eq!(algs, accepted, "a vector for every accepted algorithm");
}

/// The credential `made` registered, as the relying party stores it.
fn stored<'a>(made: &'a cognate_webauthn::Registration, handle: &'a [u8]) -> StoredCredential<'a> {
    StoredCredential {
        id: &made.credential_id,
        public_key: &made.public_key,
        sign_count: made.sign_count,
        user_handle: handle,
    }
}

/// The ES256 case's registration, made, and its first assertion.
fn es256() -> (Value, cognate_webauthn::Registration, Value, Vec<u8>) {
    let v = vectors();
    let case = v["cases"][0].clone();
    let made = verify_registration(
        &localhost(),
        &challenge(&case["registration"]),
        &case["registration"]["response"],
    )
    .unwrap();
    let handle = from_b64url(v["userHandle"].as_str().unwrap()).unwrap();
    (case.clone(), made, case["assertions"][0].clone(), handle)
}

#[test]
fn registration_mutations_are_refused() {
    let v = vectors();
    let reg = &v["cases"][0]["registration"];
    let (c, r) = (challenge(reg), reg["response"].clone());
    let origin = v["origin"].as_str().unwrap();
    let check =
        |rp: &RelyingParty, challenge: &[u8], response: &Value| verify_registration(rp, challenge, response);

    assert_eq!(check(&localhost(), &[0u8; 16], &r), Err(Error::ChallengeMismatch));
    assert!(matches!(
        check(&rp("localhost", &["http://localhost:1"], UserVerification::Preferred), &c, &r),
        Err(Error::OriginNotAllowed(_))
    ));
    assert_eq!(
        check(&rp("example.com", &[origin], UserVerification::Preferred), &c, &r),
        Err(Error::RelyingPartyMismatch)
    );
    let as_get = client_data(r.clone(), |d| d["type"] = "webauthn.get".into());
    assert!(matches!(check(&localhost(), &c, &as_get), Err(Error::ClientMismatch(_))));
    let framed = client_data(r.clone(), |d| d["crossOrigin"] = true.into());
    assert!(matches!(check(&localhost(), &c, &framed), Err(Error::ClientMismatch(_))));
    let mut other_id = r.clone();
    other_id["id"] = "AAAA".into();
    assert!(matches!(check(&localhost(), &c, &other_id), Err(Error::Malformed(_))));
    let mut not_b64 = r.clone();
    not_b64["response"]["attestationObject"] = "***".into();
    assert!(matches!(check(&localhost(), &c, &not_b64), Err(Error::Malformed(_))));
    let cut = tamper(r.clone(), "attestationObject", |b| b.truncate(b.len() / 2));
    assert!(matches!(check(&localhost(), &c, &cut), Err(Error::Malformed(_))));
}

#[test]
fn user_verification_is_enforced_when_required() {
    let v = vectors();
    let u = &v["unverified"];
    let preferred = verify_registration(&localhost(), &challenge(u), &u["response"]).unwrap();
    assert!(!preferred.user_verified);
    let required = rp("localhost", &[], UserVerification::Required);
    assert!(matches!(
        verify_registration(&required, &challenge(u), &u["response"]),
        Err(Error::UserNotVerified(_))
    ));
    let reg = &v["cases"][0]["registration"];
    assert!(verify_registration(&required, &challenge(reg), &reg["response"]).is_ok());
}

#[test]
fn packed_and_fido_u2f_attestations_verify_and_their_signatures_matter() {
    let v = vectors();
    for a in v["attested"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        let made = verify_registration(&localhost(), &challenge(a), &a["response"]).unwrap();
        assert_eq!(made.attestation_format, name);
        // The attested signature covers the client data: another challenge in it breaks the statement.
        let mut other = challenge(a);
        other[0] ^= 1;
        let changed = client_data(a["response"].clone(), |d| d["challenge"] = b64url(&other).into());
        assert_eq!(verify_registration(&localhost(), &other, &changed), Err(Error::BadSignature), "{name}");
    }
}

#[test]
fn assertion_mutations_are_refused() {
    let (case, made, a, handle) = es256();
    let stored = stored(&made, &handle);
    let c = challenge(&a);
    let r = a["response"].clone();
    let lh = localhost();
    assert!(verify_assertion(&lh, &c, &stored, &r).is_ok());

    // Another challenge (a replay into a new sign-in).
    let second = challenge(&case["assertions"][1]);
    assert_eq!(verify_assertion(&lh, &second, &stored, &r), Err(Error::ChallengeMismatch));
    // The counter did not grow past what is stored.
    let ahead = StoredCredential { sign_count: 2, ..stored };
    assert_eq!(
        verify_assertion(&lh, &c, &ahead, &r),
        Err(Error::CounterRegression { stored: 2, received: 2 })
    );
    // A flipped bit in the signature, in the authenticator data (UV cleared), in the client data.
    let bad_sig = tamper(r.clone(), "signature", |b| {
        let last = b.len() - 1;
        b[last] ^= 1;
    });
    assert_eq!(verify_assertion(&lh, &c, &stored, &bad_sig), Err(Error::BadSignature));
    let no_uv = tamper(r.clone(), "authenticatorData", |b| b[32] &= !0x04);
    assert_eq!(verify_assertion(&lh, &c, &stored, &no_uv), Err(Error::BadSignature));
    let other_origin = client_data(r.clone(), |d| d["origin"] = "http://localhost:1".into());
    assert_eq!(verify_assertion(&lh, &c, &stored, &other_origin), Err(Error::BadSignature));
    // The origin and the RP ID are checked before the signature.
    assert!(matches!(
        verify_assertion(
            &rp("localhost", &["http://localhost:1"], UserVerification::Preferred),
            &c,
            &stored,
            &r
        ),
        Err(Error::OriginNotAllowed(_))
    ));
    let origin = vectors()["origin"].as_str().unwrap().to_owned();
    assert_eq!(
        verify_assertion(&rp("app.localhost", &[&origin], UserVerification::Preferred), &c, &stored, &r),
        Err(Error::RelyingPartyMismatch)
    );
    // Without UP.
    let no_up = tamper(r.clone(), "authenticatorData", |b| b[32] &= !0x01);
    assert!(matches!(verify_assertion(&lh, &c, &stored, &no_up), Err(Error::UserNotVerified(_))));
    // Another user's handle, another credential's id, another key.
    let stranger = StoredCredential { user_handle: b"someone else", ..stored };
    assert_eq!(verify_assertion(&lh, &c, &stranger, &r), Err(Error::UnknownCredential));
    let other = StoredCredential { id: b"another credential", ..stored };
    assert_eq!(verify_assertion(&lh, &c, &other, &r), Err(Error::UnknownCredential));
    let v = vectors();
    let rs = &v["cases"][1]["registration"];
    let rs_made = verify_registration(&lh, &challenge(rs), &rs["response"]).unwrap();
    let wrong_key = StoredCredential { public_key: &rs_made.public_key, ..stored };
    assert_eq!(verify_assertion(&lh, &c, &wrong_key, &r), Err(Error::BadSignature));
    // The type of the ceremony.
    let as_create = client_data(r, |d| d["type"] = "webauthn.create".into());
    assert!(matches!(verify_assertion(&lh, &c, &stored, &as_create), Err(Error::ClientMismatch(_))));
}

/// Flips bit `bit` of byte `at` in `response.<field>`.
fn flip(response: &Value, field: &str, at: usize, bit: u8) -> Value {
    tamper(response.clone(), field, |bytes| bytes[at] ^= 1 << bit)
}

#[test]
fn every_bit_of_an_assertion_is_covered() {
    let (_, made, a, handle) = es256();
    let stored = stored(&made, &handle);
    let c = challenge(&a);
    let r = &a["response"];
    for field in ["authenticatorData", "clientDataJSON", "signature"] {
        let len = from_b64url(r["response"][field].as_str().unwrap()).unwrap().len();
        for at in 0..len {
            for bit in 0..8 {
                let changed = flip(r, field, at, bit);
                assert!(
                    verify_assertion(&localhost(), &c, &stored, &changed).is_err(),
                    "{field}: flipping bit {bit} of byte {at} was accepted"
                );
            }
        }
    }
}

#[test]
fn truncated_and_extended_responses_are_refused_without_panicking() {
    let v = vectors();
    let reg = &v["cases"][1]["registration"];
    let (_, made, a, handle) = es256();
    let stored = stored(&made, &handle);
    for field in ["attestationObject", "clientDataJSON"] {
        let len = from_b64url(reg["response"]["response"][field].as_str().unwrap()).unwrap().len();
        for keep in 0..len {
            let cut = tamper(reg["response"].clone(), field, |b| b.truncate(keep));
            assert!(
                verify_registration(&localhost(), &challenge(reg), &cut).is_err(),
                "{field} cut to {keep}"
            );
        }
        let longer = tamper(reg["response"].clone(), field, |b| b.push(0));
        assert!(
            verify_registration(&localhost(), &challenge(reg), &longer).is_err(),
            "{field} with a byte more"
        );
    }
    for field in ["authenticatorData", "signature", "clientDataJSON"] {
        let len = from_b64url(a["response"]["response"][field].as_str().unwrap()).unwrap().len();
        for keep in 0..len {
            let cut = tamper(a["response"].clone(), field, |b| b.truncate(keep));
            assert!(
                verify_assertion(&localhost(), &challenge(&a), &stored, &cut).is_err(),
                "{field} cut to {keep}"
            );
        }
    }
}
