//! RFC 6238 time-based one-time passwords as authenticator apps make them (SHA-1, 6 digits, 30 s
//! steps), and the base32 secrets (RFC 4648, no padding) Cognito hands out in `SecretCode`.

use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

/// Seconds per step.
pub const STEP_S: i64 = 30;
/// Steps accepted either side of now (clock drift between the phone and the server).
pub const DRIFT_STEPS: i64 = 1;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 without padding.
#[must_use]
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The code for a step (RFC 4226 dynamic truncation, then 6 digits).
#[must_use]
pub fn code_at_step(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(secret) else {
        // HMAC takes keys of any length; this cannot happen.
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    word % 1_000_000
}

/// The step a time (seconds since the epoch) falls in.
#[must_use]
pub fn step_of(unix_s: i64) -> i64 {
    unix_s.div_euclid(STEP_S)
}

/// The step within the drift window whose code is `code` (compared in constant time), if any.
#[must_use]
pub fn matching_step(secret: &[u8], code: &str, unix_s: i64) -> Option<i64> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_s);
    let mut found = None;
    // Every candidate is computed and compared, so timing says nothing about which one matched.
    for step in now - DRIFT_STEPS..=now + DRIFT_STEPS {
        let expected = format!("{:06}", code_at_step(secret, step));
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows: the 8-digit values, of which authenticator apps show the last 6.
    #[test]
    fn rfc6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(code_at_step(secret, step_of(time)), eight % 1_000_000, "t = {time}");
        }
    }

    #[test]
    fn the_window_is_one_step_either_side() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let code = |s: i64| format!("{:06}", code_at_step(secret, s));
        assert_eq!(matching_step(secret, &code(step_of(t)), t), Some(step_of(t)));
        assert_eq!(matching_step(secret, &code(step_of(t) - 1), t), Some(step_of(t) - 1));
        assert_eq!(matching_step(secret, &code(step_of(t) + 1), t), Some(step_of(t) + 1));
        assert_eq!(matching_step(secret, &code(step_of(t) - 2), t), None);
        assert_eq!(matching_step(secret, "12345", t), None);
        assert_eq!(matching_step(secret, "12345a", t), None);
    }

    #[test]
    fn base32_matches_rfc4648() {
        for (input, expected) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(input.as_bytes()), expected);
        }
    }
}
