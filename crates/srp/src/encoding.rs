//! Hex and base64 as Cognito's clients write them.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

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

/// Standard base64 with padding: how Cognito and its SDKs write signatures and blocks.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard or URL-safe base64, padded or not (Amplify accepts both forms too).
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    let normalized: String = unpadded
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(normalized).ok()
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
}
