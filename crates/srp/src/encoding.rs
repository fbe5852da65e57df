//! Hex and base64 as Cognito's clients write them.
//!
//! Base64 is written here rather than taken from the `base64` crate: its generic engines cost the
//! browser SDK 6 KB of wasm for what is two short loops. The tests compare both ways against that
//! crate.

use alloc::string::String;
use alloc::vec::Vec;

/// Longest hex string accepted: 2^3072 needs 768 digits; leave room for leading zeros, refuse floods.
const MAX_HEX_DIGITS: usize = 1024;

/// Decodes hex of any case and length parity (`"abc"` is `0x0abc`). `None` if empty, too long or not hex.
pub(crate) fn hex_decode(hex: &str) -> Option<Vec<u8>> {
    if hex.is_empty() || hex.len() > MAX_HEX_DIGITS {
        return None;
    }
    let digits: Vec<u8> = hex.bytes().map(nibble).collect::<Option<_>>()?;
    let (head, rest) = digits.split_at(digits.len() % 2);
    let mut out = Vec::with_capacity(digits.len() / 2 + 1);
    out.extend(head.iter().copied());
    out.extend(rest.chunks_exact(2).map(|p| (p[0] << 4) | p[1]));
    Some(out)
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Lowercase hex, two digits a byte.
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// `n` in decimal, zero-padded to `width` digits, without `core::fmt` (which the browser build
/// leaves out).
pub fn push_decimal(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = Vec::new();
    let mut rest = n.unsigned_abs();
    while rest > 0 || digits.len() < width {
        digits.push(char::from(b'0' + (rest % 10) as u8));
        rest /= 10;
    }
    out.extend(digits.iter().rev());
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding: how Cognito and its SDKs write signatures and blocks.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    }))
}

/// Decodes standard or URL-safe base64, padded or not (Amplify accepts both forms too). Refuses
/// anything else, a length no encoding makes, and bits left over in the last character (so each
/// byte string has one accepted spelling per alphabet).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.trim_end_matches('=').as_bytes();
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= sextet(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        let keep = chunk.len() - 1;
        if bytes[1 + keep..].iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[1..=keep]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn hex_decodes_odd_lengths_and_any_case() {
        assert_eq!(hex_decode("abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(hex_decode("ABCD"), Some(vec![0xab, 0xcd]));
        assert_eq!(hex_decode("0"), Some(vec![0]));
        assert_eq!(hex_decode(""), None);
        assert_eq!(hex_decode("zz"), None);
        assert_eq!(hex_encode(&[0, 0x0f, 0xa0]), "000fa0");
    }

    #[test]
    fn base64_accepts_both_alphabets() {
        let bytes = [0xfb, 0xff, 0xbf, 0x01];
        let std = base64_encode(&bytes);
        assert_eq!(std, "+/+/AQ==");
        assert_eq!(base64_decode(&std), Some(bytes.to_vec()));
        assert_eq!(base64_decode("-_-_AQ"), Some(bytes.to_vec()));
        assert_eq!(base64_decode("not base64!"), None);
    }

    /// Both directions against the `base64` crate, on every length up to 64 and bytes from a
    /// simple generator; then every single-character corruption of an encoding.
    #[test]
    fn base64_agrees_with_the_base64_crate() {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let mut seed = 0x9e37_79b9_u32;
        for len in 0..64 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed.to_le_bytes()[0]
                })
                .collect();
            let text = base64_encode(&bytes);
            assert_eq!(text, STANDARD.encode(&bytes));
            assert_eq!(base64_decode(&text), Some(bytes.clone()));
            let url = URL_SAFE_NO_PAD.encode(&bytes);
            assert_eq!(base64_decode(&url), Some(bytes.clone()));
            for at in 0..url.len() {
                for c in [b'A', b'z', b'9', b'-', b'_', b'=', b'.', b' '] {
                    let mut bad = url.clone().into_bytes();
                    bad[at] = c;
                    let bad = String::from_utf8(bad).unwrap();
                    let theirs = URL_SAFE_NO_PAD.decode(bad.trim_end_matches('=')).ok();
                    if !bad.trim_end_matches('=').contains('=') {
                        assert_eq!(base64_decode(&bad), theirs, "{bad}");
                    }
                }
            }
        }
    }
}
