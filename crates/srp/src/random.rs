//! Fresh secrets from the operating system (or `crypto.getRandomValues` in the browser).

use zeroize::Zeroizing;

use crate::SrpError;

/// `N` random bytes, wiped when dropped.
pub(crate) fn bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>, SrpError> {
    let mut out = Zeroizing::new([0u8; N]);
    getrandom::fill(out.as_mut()).map_err(|_| SrpError::Random)?;
    Ok(out)
}
