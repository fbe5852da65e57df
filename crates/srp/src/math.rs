//! The steps of Cognito's SRP-6a, one function each, so every intermediate can be checked against an
//! independent implementation. [`SrpClient`](crate::SrpClient) and [`ServerSession`](crate::ServerSession)
//! compose them; most callers want those instead.
//!
//! H is SHA-256; numbers enter a hash as `padHex` bytes ([`SrpInt::to_padded_bytes`]).

use alloc::string::String;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::arith::{generator, modulus, mul_add, mul_mod, pow_mod, reduce, sub_mod};
use crate::encoding::base64_encode;
use crate::{SrpError, SrpInt};

/// Length of the derived key, in bytes.
pub const KEY_LEN: usize = 16;

/// The HKDF `info` Cognito uses.
const KEY_INFO: &[u8] = b"Caldera Derived Key";

/// The SRP group's modulus N (RFC 3526, 3072 bits).
pub fn n() -> SrpInt {
    modulus()
}

/// The generator g = 2.
pub fn g() -> SrpInt {
    generator()
}

/// k = H(padHex(N) ‖ padHex(g)), a constant of the group: written out rather than computed at first
/// use (a test computes it).
static K: SrpInt = SrpInt(
    crypto_bigint::U256::from_be_hex("538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6")
        .resize(),
);

/// The multiplier k = H(padHex(N) ‖ padHex(g)): Cognito's, not RFC 5054's H(N ‖ PAD(g)).
pub fn k() -> &'static SrpInt {
    &K
}

fn int_from_digest(digest: &[u8]) -> SrpInt {
    // 32 bytes always fit in 3072 bits.
    SrpInt::from_be_bytes("digest", digest).unwrap_or_else(|_| SrpInt(crypto_bigint::U3072::ZERO))
}

/// The client's public value A = g^a mod N.
///
/// # Errors
/// [`SrpError::IllegalA`] if A ≡ 0 (mod N).
pub fn client_public(a: &SrpInt) -> Result<SrpInt, SrpError> {
    let big_a = pow_mod(&g(), a);
    if big_a.is_zero() { Err(SrpError::IllegalA) } else { Ok(big_a) }
}

/// The scrambling parameter u = H(padHex(A) ‖ padHex(B)).
///
/// # Errors
/// [`SrpError::IllegalU`] if u = 0.
pub fn scrambler(big_a: &SrpInt, big_b: &SrpInt) -> Result<SrpInt, SrpError> {
    let u = int_from_digest(sha256(&[&big_a.to_padded_bytes(), &big_b.to_padded_bytes()]).as_ref());
    if u.is_zero() { Err(SrpError::IllegalU) } else { Ok(u) }
}

/// The private key x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
///
/// For device SRP, `pool_name` is the DeviceGroupKey and `user_id` the DeviceKey.
pub fn private_key(salt: &SrpInt, pool_name: &str, user_id: &str, password: &str) -> SrpInt {
    let inner = sha256(&[pool_name.as_bytes(), user_id.as_bytes(), b":", password.as_bytes()]);
    int_from_digest(sha256(&[&salt.to_padded_bytes(), inner.as_ref()]).as_ref())
}

/// SHA-256 of the concatenated parts, wiped when dropped.
fn sha256(parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    Zeroizing::new(hasher.finalize().into())
}

/// The verifier v = g^x mod N.
pub fn verifier(x: &SrpInt) -> SrpInt {
    pow_mod(&g(), x)
}

/// The server's public value B = (k·v + g^b) mod N.
///
/// # Errors
/// [`SrpError::IllegalB`] if B ≡ 0 (mod N).
pub fn server_public(v: &SrpInt, b: &SrpInt) -> Result<SrpInt, SrpError> {
    let kv = mul_mod(k(), v);
    let big_b = crate::arith::add_mod(&kv, &pow_mod(&g(), b));
    if big_b.is_zero() { Err(SrpError::IllegalB) } else { Ok(big_b) }
}

/// The client's premaster secret S = (B − k·g^x)^(a + u·x) mod N.
///
/// # Errors
/// [`SrpError::IllegalB`] if B ≡ 0 (mod N).
pub fn client_premaster(big_b: &SrpInt, x: &SrpInt, a: &SrpInt, u: &SrpInt) -> Result<SrpInt, SrpError> {
    if reduce(big_b).is_zero() {
        return Err(SrpError::IllegalB);
    }
    let base = sub_mod(big_b, &mul_mod(k(), &verifier(x)));
    Ok(pow_mod(&base, &mul_add(u, x, a)))
}

/// The server's premaster secret S = (A · v^u)^b mod N.
///
/// # Errors
/// [`SrpError::IllegalA`] if A ≡ 0 (mod N).
pub fn server_premaster(big_a: &SrpInt, v: &SrpInt, u: &SrpInt, b: &SrpInt) -> Result<SrpInt, SrpError> {
    if reduce(big_a).is_zero() {
        return Err(SrpError::IllegalA);
    }
    Ok(pow_mod(&mul_mod(big_a, &pow_mod(v, u)), b))
}

/// The session key: HKDF-SHA256 with salt padHex(u), input padHex(S), info "Caldera Derived Key",
/// 16 bytes.
pub fn session_key(u: &SrpInt, s: &SrpInt) -> Zeroizing<[u8; KEY_LEN]> {
    let ikm = Zeroizing::new(s.to_padded_bytes());
    let hkdf = hkdf::Hkdf::<Sha256>::new(Some(&u.to_padded_bytes()), &ikm);
    let mut okm = Zeroizing::new([0u8; KEY_LEN]);
    // 16 bytes is far below HKDF-SHA256's limit of 255 × 32.
    let _ = hkdf.expand(KEY_INFO, okm.as_mut());
    okm
}

/// The raw claim signature HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ timestamp).
pub(crate) fn claim_mac(
    key: &[u8; KEY_LEN],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in [pool_name.as_bytes(), user_id.as_bytes(), secret_block, timestamp.as_bytes()] {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// `PASSWORD_CLAIM_SIGNATURE`: base64 of [`claim_mac`]'s HMAC over pool name, user id, the decoded
/// `SECRET_BLOCK` and the `TIMESTAMP` string.
pub fn claim_signature(
    key: &[u8; KEY_LEN],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> String {
    base64_encode(&claim_mac(key, pool_name, user_id, secret_block, timestamp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::borrow::ToOwned;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn k_is_cognitos_not_rfc5054s() {
        // The hash of the padded hex forms of N and g, as Cognito's clients compute it...
        let derived =
            int_from_digest(sha256(&[&modulus().to_padded_bytes(), &generator().to_padded_bytes()]).as_ref());
        assert_eq!(&derived, k());
        // ...and the value those clients use (amazon-cognito-identity-js's k).
        assert_eq!(k().to_hex(), "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6");
    }

    #[test]
    fn zero_public_values_are_refused() {
        let zero = SrpInt::from_hex("n", "0").unwrap();
        let one = SrpInt::from_hex("n", "1").unwrap();
        assert_eq!(client_premaster(&zero, &one, &one, &one), Err(SrpError::IllegalB));
        assert_eq!(client_premaster(&n(), &one, &one, &one), Err(SrpError::IllegalB));
        assert_eq!(server_premaster(&zero, &one, &one, &one), Err(SrpError::IllegalA));
        assert_eq!(server_premaster(&n(), &one, &one, &one), Err(SrpError::IllegalA));
        assert_eq!(client_public(&zero).map(|a| a.to_hex()), Ok("1".to_owned()));
    }

    #[test]
    fn both_halves_agree_on_s() {
        let salt = SrpInt::from_hex("salt", "a1b2c3").unwrap();
        let x = private_key(&salt, "Pool", "user", "pass word");
        let v = verifier(&x);
        let a = SrpInt::from_hex("a", &"9d".repeat(128)).unwrap();
        let b = SrpInt::from_hex("b", &"5e".repeat(32)).unwrap();
        let big_a = client_public(&a).unwrap();
        let big_b = server_public(&v, &b).unwrap();
        let u = scrambler(&big_a, &big_b).unwrap();
        let client_s = client_premaster(&big_b, &x, &a, &u).unwrap();
        let server_s = server_premaster(&big_a, &v, &u, &b).unwrap();
        assert_eq!(client_s, server_s);
        let wrong = private_key(&salt, "Pool", "user", "pass  word");
        assert_ne!(client_premaster(&big_b, &wrong, &a, &u).unwrap(), server_s);
    }
}
