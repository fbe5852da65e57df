//! Identifiers and secrets drawn at random, in Cognito's shapes.

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `n` characters drawn uniformly from `alphabet` (rejection sampling, so no bias).
pub fn random_string(alphabet: &[u8], n: usize) -> String {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        fill(&mut buf);
        for &b in &buf {
            if usize::from(b) < limit && out.len() < n {
                out.push(char::from(alphabet[usize::from(b) % alphabet.len()]));
            }
        }
    }
    out
}

/// Fills `buf` from the operating system's generator. A failing OS generator leaves no safe way
/// to go on, so the process stops rather than hand out predictable secrets.
pub fn fill(buf: &mut [u8]) {
    if getrandom::fill(buf).is_err() {
        tracing::error!("the operating system's random generator failed; stopping");
        std::process::abort();
    }
}

/// A user pool id: `<region>_<9 alphanumerics>`.
pub fn pool_id(region: &str) -> String {
    format!("{region}_{}", random_string(ALNUM, 9))
}

/// An app client id: 26 lowercase alphanumerics.
pub fn client_id() -> String {
    random_string(LOWER_ALNUM, 26)
}

/// An app client secret: 51 lowercase alphanumerics, like Cognito's.
pub fn client_secret() -> String {
    random_string(LOWER_ALNUM, 51)
}

/// A `sub`: a random (v4) UUID.
pub fn sub() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_cognito() {
        let id = pool_id("eu-west-2");
        let (region, rest) = id.split_once('_').unwrap();
        assert_eq!(region, "eu-west-2");
        assert!(rest.len() == 9 && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
        let client = client_id();
        assert!(client.len() == 26 && client.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_ne!(client_id(), client_id());
        assert_eq!(client_secret().len(), 51);
        assert!(uuid::Uuid::parse_str(&sub()).is_ok());
    }
}
