//! Arithmetic modulo N, the 3072-bit prime of RFC 3526 (group 15) that Cognito uses, with g = 2.
//!
//! Natively, exponentiation is crypto-bigint's constant-time Montgomery ladder over 64-bit limbs. In
//! wasm32 a bignum gets only 32-bit limbs and runs 3× slower than V8's own `BigInt`, which is native code
//! with 64-bit digits (shared/research/anchors-baseline.md); there the exponentiations run on the host's
//! `BigInt`, which is not constant-time and keeps copies the crate cannot wipe. That trade is the
//! client's: the browser's secrets (`a`, `x`) live one sign-in long in one tab.

#[cfg(not(target_arch = "wasm32"))]
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U3072};

use crate::SrpInt;

/// N in hex, as in RFC 3526 §4 and Cognito's clients.
pub(crate) const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

const N: Odd<U3072> = Odd::<U3072>::from_be_hex(N_HEX);
#[cfg(not(target_arch = "wasm32"))]
static PARAMS: FixedMontyParams<{ U3072::LIMBS }> = FixedMontyParams::new_vartime(N);

/// The modulus as an [`SrpInt`].
pub(crate) fn modulus() -> SrpInt {
    SrpInt(*N.as_ref())
}

/// The generator g = 2.
pub(crate) fn generator() -> SrpInt {
    SrpInt(U3072::from_u8(2))
}

/// `x mod N`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn reduce(x: &SrpInt) -> SrpInt {
    SrpInt(x.0.rem_vartime(N.as_nz_ref()))
}

#[cfg(not(target_arch = "wasm32"))]
fn monty(x: &SrpInt) -> FixedMontyForm<{ U3072::LIMBS }> {
    FixedMontyForm::new(&reduce(x).0, &PARAMS)
}

/// `x · y mod N`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn mul_mod(x: &SrpInt, y: &SrpInt) -> SrpInt {
    SrpInt(monty(x).mul(&monty(y)).retrieve())
}

/// `x − y mod N`, never negative.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn sub_mod(x: &SrpInt, y: &SrpInt) -> SrpInt {
    SrpInt(monty(x).sub(&monty(y)).retrieve())
}

/// `x + y mod N`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn add_mod(x: &SrpInt, y: &SrpInt) -> SrpInt {
    SrpInt(monty(x).add(&monty(y)).retrieve())
}

/// `x · y + z` over the integers, for exponents (`a + u·x`); the caller keeps it below 2^3072
/// (here at most 1024 + 512 bits).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn mul_add(x: &SrpInt, y: &SrpInt, z: &SrpInt) -> SrpInt {
    SrpInt(x.0.wrapping_mul(&y.0).wrapping_add(&z.0))
}

// In wasm32 the field operations run on the host's BigInt too: they are few per sign-in, and leaving
// crypto-bigint's multiplication and division out of the browser build saves about 30 KB of wasm.

/// `x mod N`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn reduce(x: &SrpInt) -> SrpInt {
    host::field("rem", x, x, x)
}

/// `x · y mod N`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn mul_mod(x: &SrpInt, y: &SrpInt) -> SrpInt {
    host::field("mul", x, y, y)
}

/// `x − y mod N`, never negative.
#[cfg(target_arch = "wasm32")]
pub(crate) fn sub_mod(x: &SrpInt, y: &SrpInt) -> SrpInt {
    host::field("sub", x, y, y)
}

/// `x + y mod N`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn add_mod(x: &SrpInt, y: &SrpInt) -> SrpInt {
    host::field("add", x, y, y)
}

/// `x · y + z` over the integers, for exponents (`a + u·x`); the caller keeps it below 2^3072.
#[cfg(target_arch = "wasm32")]
pub(crate) fn mul_add(x: &SrpInt, y: &SrpInt, z: &SrpInt) -> SrpInt {
    host::field("muladd", x, y, z)
}

/// `base^exp mod N`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn pow_mod(base: &SrpInt, exp: &SrpInt) -> SrpInt {
    SrpInt(monty(base).pow_bounded_exp(&exp.0, exp.bits()).retrieve())
}

/// `base^exp mod N` on the host's `BigInt`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn pow_mod(base: &SrpInt, exp: &SrpInt) -> SrpInt {
    host::pow_mod(base, exp)
}

#[cfg(target_arch = "wasm32")]
mod host {
    //! The host side lives in `bigint.js`: one call per exponentiation, hex in and out.

    use alloc::string::String;

    use wasm_bindgen::prelude::wasm_bindgen;

    use super::{N_HEX, SrpInt};
    use crate::encoding::hex_decode;

    #[wasm_bindgen(module = "/src/bigint.js")]
    extern "C" {
        #[wasm_bindgen(js_name = modPowHex)]
        fn mod_pow_hex(base: &str, exp: &str, modulus: &str) -> String;
        #[wasm_bindgen(js_name = fieldHex)]
        fn field_hex(op: &str, x: &str, y: &str, z: &str, modulus: &str) -> String;
    }

    /// The host returns hex below 2^3072; anything else would be a broken host, answered with 0,
    /// which every caller refuses (A, B and u are checked against 0).
    fn parse(hex: &str) -> SrpInt {
        hex_decode(hex)
            .and_then(|bytes| SrpInt::from_be_bytes("result", &bytes).ok())
            .unwrap_or(SrpInt(crypto_bigint::U3072::ZERO))
    }

    pub(super) fn pow_mod(base: &SrpInt, exp: &SrpInt) -> SrpInt {
        parse(&mod_pow_hex(&base.to_hex(), &exp.to_hex(), N_HEX))
    }

    pub(super) fn field(op: &str, x: &SrpInt, y: &SrpInt, z: &SrpInt) -> SrpInt {
        parse(&field_hex(op, &x.to_hex(), &y.to_hex(), &z.to_hex(), N_HEX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn int(hex: &str) -> SrpInt {
        SrpInt::from_hex("n", hex).unwrap()
    }

    #[test]
    fn small_powers_and_field_ops() {
        assert_eq!(pow_mod(&generator(), &int("a")).to_hex(), "400");
        assert_eq!(pow_mod(&int("3"), &int("0")).to_hex(), "1");
        assert_eq!(pow_mod(&int("0"), &int("5")).to_hex(), "0");
        // Fermat: g^(N-1) = 1 mod N for the prime N.
        let n_minus_1 = sub_mod(&int("0"), &int("1"));
        assert_eq!(pow_mod(&generator(), &n_minus_1).to_hex(), "1");
        assert_eq!(add_mod(&n_minus_1, &int("2")).to_hex(), "1");
        assert_eq!(mul_mod(&n_minus_1, &n_minus_1).to_hex(), "1");
        assert_eq!(reduce(&modulus()).to_hex(), "0");
        assert_eq!(mul_add(&int("3"), &int("4"), &int("5")).to_hex(), "11");
    }

    #[test]
    fn window_exponentiation_matches_repeated_multiplication() {
        // Exponents with runs of zeros and ones cross window edges in the wasm32 path.
        let base = int("123456789abcdef0fedcba9876543210");
        for exp in [1u32, 2, 17, 31, 32, 33, 0b1000_0001, 0b1_1111_1111, 1000] {
            let mut expected = int("1");
            for _ in 0..exp {
                expected = mul_mod(&expected, &base);
            }
            let e = SrpInt(U3072::from_u32(exp));
            assert_eq!(pow_mod(&base, &e), expected, "exponent {exp}");
        }
    }
}
