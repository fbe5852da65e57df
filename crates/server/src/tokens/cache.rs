//! The per-process cache of a server's keys: what [`KeyCache`] holds. Its methods (finding the
//! current signing key, a public key by kid) are in `keys`, which reads the store; this file stands
//! below the services so that they can hold one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ring::signature::RsaKeyPair;

/// A key id and the key that signs with it. Signing goes through ring (several times faster than the
/// pure-Rust rsa crate, which makes the keys and checks signatures).
pub(crate) type Signing = Arc<(String, RsaKeyPair)>;

/// A pool's public key as cognate-jwt checks it: its algorithm and the imported key.
pub(crate) type PublicKey = (cognate_jwt::Algorithm, <cognate_jwt::RustCrypto as cognate_jwt::Backend>::Key);

/// Signing keys by pool, and public keys by (pool, kid), opened once per process.
#[derive(Clone, Default)]
pub struct KeyCache {
    pub(super) signing: Arc<Mutex<HashMap<String, (i64, Signing)>>>,
    pub(super) public: Arc<Mutex<HashMap<(String, String), PublicKey>>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyCache(..)")
    }
}
