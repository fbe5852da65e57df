//! The server half: verifiers from passwords, `SRP_B`, and the check of a password claim.

use alloc::string::String;
use alloc::vec::Vec;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::encoding::base64_decode;
use crate::math::{
    claim_mac, private_key, scrambler, server_premaster, server_public, session_key, verifier,
};
use crate::{SrpError, SrpInt, random};

/// Bytes of the server's secret ephemeral `b`: 256 bits, as RFC 5054 §2.5.3 asks for at least.
const B_BYTES: usize = 32;
/// Bytes of a fresh salt.
const SALT_BYTES: usize = 16;

/// What the server stores instead of a password: a salt and v = g^x.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    /// The salt.
    pub salt: SrpInt,
    /// The verifier v.
    pub v: SrpInt,
}

impl Verifier {
    /// A verifier for `password` with a fresh random salt: for admin-set passwords, password sign-ins
    /// and imports. `pool_name` and `user_id` are those the client will use (the internal username).
    ///
    /// # Errors
    /// [`SrpError::Random`] if the random source fails.
    pub fn generate(pool_name: &str, user_id: &str, password: &str) -> Result<Self, SrpError> {
        let salt = random::bytes::<SALT_BYTES>()?;
        Ok(Self::with_salt(SrpInt::from_be_bytes("salt", salt.as_ref())?, pool_name, user_id, password))
    }

    /// The verifier for `password` under a given salt.
    pub fn with_salt(salt: SrpInt, pool_name: &str, user_id: &str, password: &str) -> Self {
        let x = private_key(&salt, pool_name, user_id, password);
        let v = verifier(&x);
        Self { salt, v }
    }

    /// True if `password` is the one this verifier was made from (for `USER_PASSWORD_AUTH`); the
    /// comparison is constant-time.
    pub fn matches(&self, pool_name: &str, user_id: &str, password: &str) -> bool {
        let candidate = Self::with_salt(self.salt.clone(), pool_name, user_id, password);
        bool::from(candidate.v.0.to_be_bytes().as_ref().ct_eq(self.v.0.to_be_bytes().as_ref()))
    }
}

/// One sign-in attempt's server state: A from the client, the secret `b`, and B.
///
/// The state is what `SECRET_BLOCK` must carry (sealed) for any server process to check the answer:
/// `A`, `b` ([`ServerSession::private_b`]) and the verifier.
#[derive(Debug)]
pub struct ServerSession {
    big_a: SrpInt,
    b: SrpInt,
    big_b: SrpInt,
    v: SrpInt,
}

impl ServerSession {
    /// Starts an attempt: checks the client's `SRP_A` and draws a fresh `b`.
    ///
    /// # Errors
    /// [`SrpError::InvalidHex`] / [`SrpError::OutOfRange`] for a malformed `SRP_A`,
    /// [`SrpError::IllegalA`] if A ≡ 0 (mod N), [`SrpError::Random`] if the random source fails.
    pub fn start(srp_a: &str, verifier: &Verifier) -> Result<Self, SrpError> {
        let b = random::bytes::<B_BYTES>()?;
        Self::resume(srp_a, &verifier.v, &SrpInt::from_be_bytes("b", b.as_ref())?)
    }

    /// Rebuilds an attempt from its parts (`SRP_A`, v, and `b` unsealed from the `SECRET_BLOCK`).
    ///
    /// # Errors
    /// As [`ServerSession::start`].
    pub fn resume(srp_a: &str, v: &SrpInt, b: &SrpInt) -> Result<Self, SrpError> {
        let big_a = SrpInt::from_hex("SRP_A", srp_a)?;
        if crate::arith::reduce(&big_a).is_zero() {
            return Err(SrpError::IllegalA);
        }
        let big_b = server_public(v, b)?;
        Ok(Self { big_a, b: b.clone(), big_b, v: v.clone() })
    }

    /// Rebuilds an attempt whose `B` the caller kept (sealed beside `b`), sparing the exponentiation
    /// that recomputing it costs.
    ///
    /// # Errors
    /// As [`ServerSession::start`]; [`SrpError::IllegalB`] if `B` ≡ 0 (mod N).
    pub fn resume_with_b(srp_a: &str, v: &SrpInt, b: &SrpInt, srp_b: &str) -> Result<Self, SrpError> {
        let big_a = SrpInt::from_hex("SRP_A", srp_a)?;
        if crate::arith::reduce(&big_a).is_zero() {
            return Err(SrpError::IllegalA);
        }
        let big_b = SrpInt::from_hex("SRP_B", srp_b)?;
        if crate::arith::reduce(&big_b).is_zero() {
            return Err(SrpError::IllegalB);
        }
        Ok(Self { big_a, b: b.clone(), big_b, v: v.clone() })
    }

    /// `SRP_B`: B as lowercase hex without padding.
    pub fn srp_b(&self) -> String {
        self.big_b.to_hex()
    }

    /// The secret `b`, big-endian, for sealing into the `SECRET_BLOCK`; wiped when dropped.
    pub fn private_b(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.b.to_padded_bytes())
    }

    /// Checks `PASSWORD_CLAIM_SIGNATURE` in constant time.
    ///
    /// `secret_block` is the decoded `PASSWORD_CLAIM_SECRET_BLOCK`; `timestamp` the `TIMESTAMP` string
    /// as sent (its freshness is the caller's policy).
    ///
    /// # Errors
    /// [`SrpError::SignatureMismatch`] for a wrong or malformed signature (wrong password),
    /// [`SrpError::IllegalU`] if u = 0.
    pub fn verify_claim(
        &self,
        pool_name: &str,
        user_id: &str,
        secret_block: &[u8],
        timestamp: &str,
        signature: &str,
    ) -> Result<(), SrpError> {
        let u = scrambler(&self.big_a, &self.big_b)?;
        let s = server_premaster(&self.big_a, &self.v, &u, &self.b)?;
        let key = session_key(&u, &s);
        let expected = claim_mac(&key, pool_name, user_id, secret_block, timestamp);
        let given = base64_decode(signature).unwrap_or_default();
        // Lengths are public (32 bytes); the bytes are compared in constant time.
        if given.len() == expected.len() && bool::from(given.as_slice().ct_eq(&expected)) {
            Ok(())
        } else {
            Err(SrpError::SignatureMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CognitoTimestamp, PasswordChallenge, SrpClient};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const POOL: &str = "AbC123xyZ";
    const BLOCK: &str = "c2VjcmV0IGJsb2Nr";

    fn sign_in(stored: &str, typed: &str) -> Result<(), SrpError> {
        let verifier = Verifier::generate(POOL, "alice", stored)?;
        let client = SrpClient::new()?;
        let server = ServerSession::start(&client.srp_a(), &verifier)?;
        let challenge = PasswordChallenge {
            pool_name: POOL,
            user_id_for_srp: "alice",
            salt: &verifier.salt.to_hex(),
            srp_b: &server.srp_b(),
            secret_block: BLOCK,
        };
        let claim = client.password_claim(&challenge, typed, CognitoTimestamp::now())?;
        server.verify_claim(POOL, "alice", b"secret block", &claim.timestamp, &claim.signature)
    }

    #[test]
    fn the_right_password_signs_in_and_a_wrong_one_does_not() {
        assert_eq!(sign_in("correct horse", "correct horse"), Ok(()));
        assert_eq!(sign_in("correct horse", "correct horse "), Err(SrpError::SignatureMismatch));
    }

    #[test]
    fn zero_a_is_refused_in_every_spelling() {
        let verifier = Verifier::generate(POOL, "alice", "pw").unwrap();
        let n = crate::math::n().to_hex();
        let padded_n = format!("000{}", n.to_uppercase());
        for a in ["0", "000", &n, &padded_n] {
            assert_eq!(
                ServerSession::start(a, &verifier).err(),
                Some(SrpError::IllegalA),
                "{}",
                &a[..4.min(a.len())]
            );
        }
        assert_eq!(ServerSession::start("xyz", &verifier).err(), Some(SrpError::InvalidHex("SRP_A")));
        let too_big = format!("1{}", "0".repeat(768));
        assert_eq!(ServerSession::start(&too_big, &verifier).err(), Some(SrpError::OutOfRange("SRP_A")));
    }

    #[test]
    fn resuming_with_the_kept_b_matches_recomputing_it() {
        let verifier = Verifier::generate(POOL, "alice", "pw").unwrap();
        let client = SrpClient::new().unwrap();
        let started = ServerSession::start(&client.srp_a(), &verifier).unwrap();
        let b = SrpInt::from_be_bytes("b", &started.private_b()).unwrap();
        let kept = ServerSession::resume_with_b(&client.srp_a(), &verifier.v, &b, &started.srp_b()).unwrap();
        let recomputed = ServerSession::resume(&client.srp_a(), &verifier.v, &b).unwrap();
        assert_eq!(kept.srp_b(), recomputed.srp_b());
        assert_eq!(
            ServerSession::resume_with_b(&client.srp_a(), &verifier.v, &b, "0").err(),
            Some(SrpError::IllegalB)
        );
    }

    #[test]
    fn each_session_draws_a_fresh_b() {
        let verifier = Verifier::generate(POOL, "alice", "pw").unwrap();
        let one = ServerSession::start("2", &verifier).unwrap();
        let two = ServerSession::start("2", &verifier).unwrap();
        assert_ne!(one.srp_b(), two.srp_b());
        assert_ne!(*one.private_b(), *two.private_b());
    }

    #[test]
    fn malformed_signatures_are_mismatches() {
        let verifier = Verifier::generate(POOL, "alice", "pw").unwrap();
        let server = ServerSession::start("5", &verifier).unwrap();
        for sig in ["", "!!!", "AAAA", &"A".repeat(44)] {
            assert_eq!(server.verify_claim(POOL, "alice", b"x", "t", sig), Err(SrpError::SignatureMismatch));
        }
    }

    #[test]
    fn verifier_matches_only_its_password() {
        let verifier = Verifier::generate(POOL, "alice", "pw one").unwrap();
        assert!(verifier.matches(POOL, "alice", "pw one"));
        assert!(!verifier.matches(POOL, "alice", "pw two"));
        assert!(!verifier.matches(POOL, "bob", "pw one"));
    }
}
