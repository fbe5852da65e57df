//! [`SrpInt`]: the numbers of the exchange, with Cognito's encodings.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crypto_bigint::U3072;
use zeroize::Zeroize;

use crate::SrpError;
use crate::encoding::{hex_decode, hex_encode};

/// Bytes in a number of the 3072-bit group.
pub(crate) const BYTES: usize = 384;

/// A non-negative number below 2^3072: a public value (`A`, `B`, salt, `v`, `u`) or a secret one
/// (`a`, `b`, `x`, `S`). Wiped when dropped; its `Debug` shows no digits.
#[derive(Clone, PartialEq, Eq)]
pub struct SrpInt(pub(crate) U3072);

impl SrpInt {
    /// Parses a hex number as Cognito sends them: any case, odd length allowed, leading zeros allowed.
    /// `field` names the value in the error.
    ///
    /// # Errors
    /// [`SrpError::InvalidHex`] for an empty or non-hex string (or one over 1024 digits), and
    /// [`SrpError::OutOfRange`] for a value of 2^3072 or more.
    pub fn from_hex(field: &'static str, hex: &str) -> Result<Self, SrpError> {
        let bytes = hex_decode(hex).ok_or(SrpError::InvalidHex(field))?;
        Self::from_be_bytes(field, &bytes)
    }

    /// The number whose big-endian bytes these are (leading zeros allowed).
    ///
    /// # Errors
    /// [`SrpError::OutOfRange`] for a value of 2^3072 or more.
    pub fn from_be_bytes(field: &'static str, bytes: &[u8]) -> Result<Self, SrpError> {
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let significant = &bytes[first..];
        if significant.len() > BYTES {
            return Err(SrpError::OutOfRange(field));
        }
        let mut buf = [0u8; BYTES];
        buf[BYTES - significant.len()..].copy_from_slice(significant);
        let n = SrpInt(U3072::from_be_slice(&buf));
        buf.zeroize();
        Ok(n)
    }

    /// Lowercase hex without padding: JavaScript's `toString(16)` (`"0"` for zero). The form of `SRP_A`.
    pub fn to_hex(&self) -> String {
        let bytes = self.minimal_bytes();
        let hex = hex_encode(&bytes);
        match hex.strip_prefix('0') {
            _ if hex.is_empty() => "0".to_owned(),
            Some(rest) => rest.to_owned(),
            None => hex,
        }
    }

    /// The bytes of Cognito's `padHex`: the minimal big-endian encoding, with a `00` in front when the
    /// top bit is set (the value stays positive in two's complement, like Java's `toByteArray`).
    pub fn to_padded_bytes(&self) -> Vec<u8> {
        let mut bytes = self.minimal_bytes();
        if bytes.first().is_none_or(|&b| b >= 0x80) {
            bytes.insert(0, 0);
        }
        bytes
    }

    /// Minimal big-endian bytes; empty for zero.
    fn minimal_bytes(&self) -> Vec<u8> {
        let encoded = self.0.to_be_bytes();
        let all: &[u8] = encoded.as_ref();
        let first = all.iter().position(|&b| b != 0).unwrap_or(all.len());
        all[first..].to_vec()
    }

    /// The number of significant bits.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn bits(&self) -> u32 {
        self.0.bits_vartime()
    }

    /// True when the value is zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_zero_vartime()
    }
}

impl Drop for SrpInt {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl core::fmt::Debug for SrpInt {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SrpInt(..)")
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
    fn hex_round_trips_without_padding() {
        assert_eq!(int("0").to_hex(), "0");
        assert_eq!(int("00ABC").to_hex(), "abc");
        assert_eq!(int("f").to_hex(), "f");
        assert_eq!(int("10").to_hex(), "10");
    }

    #[test]
    fn padded_bytes_follow_cognito_pad_hex() {
        assert_eq!(int("0").to_padded_bytes(), vec![0]);
        assert_eq!(int("7f").to_padded_bytes(), vec![0x7f]);
        assert_eq!(int("80").to_padded_bytes(), vec![0, 0x80]);
        assert_eq!(int("abc").to_padded_bytes(), vec![0x0a, 0xbc]);
        assert_eq!(int("fabc").to_padded_bytes(), vec![0, 0xfa, 0xbc]);
    }

    #[test]
    fn rejects_bad_and_oversized_input() {
        for bad in ["", "0x12", "12g", " 12", "-1", "１２"] {
            assert_eq!(SrpInt::from_hex("SRP_A", bad), Err(SrpError::InvalidHex("SRP_A")), "{bad:?}");
        }
        let max = "f".repeat(768);
        assert!(SrpInt::from_hex("SRP_A", &max).is_ok());
        let too_big = format!("1{max}");
        assert_eq!(SrpInt::from_hex("SRP_A", &too_big), Err(SrpError::OutOfRange("SRP_A")));
        let zeros = format!("{}1", "0".repeat(900));
        assert_eq!(int(&zeros).to_hex(), "1");
        assert!(SrpInt::from_hex("SRP_A", &"0".repeat(2000)).is_err());
    }

    #[test]
    fn debug_hides_digits() {
        assert_eq!(format!("{:?}", int("deadbeef")), "SrpInt(..)");
    }
}
