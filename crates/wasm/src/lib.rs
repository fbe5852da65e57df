//! `cognate-wasm`: the browser SDK's wasm engine. It gives `cognate-client` a [`TokenStore`] on
//! any object with `getItem` / `setItem` / `removeItem` (`localStorage`, `sessionStorage`, the
//! package's in-memory store, the app's own) and a [`Clock`] on `Date.now()`, and hands its
//! operations to JavaScript as tasks ([`Flow`]s): `npm/src/index.js` makes the `fetch` and WebAuthn
//! calls a task asks for and resumes it with the answers. Values cross as JSON text. The public,
//! typed API is `npm/src/index.js` and `npm/src/index.d.ts`.
//!
//! [`TokenStore`]: cognate_client::TokenStore
//! [`Clock`]: cognate_client::Clock
//! [`Flow`]: cognate_client::Flow
//!
//! In wasm32 the crate links no std: the bundle ships every byte it holds, and std's panic and I/O
//! machinery was a tenth of it. A panic (a bug; no input causes one) traps, which throws a
//! `RuntimeError` in JavaScript; memory comes from talc, a fifth of dlmalloc's size.

#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

#[cfg(target_arch = "wasm32")]
mod js;

#[cfg(all(target_arch = "wasm32", not(test)))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Attributes as JSON (`{"email": "a@b.c"}`) into name/value pairs; non-string values are refused.
pub fn attributes(json: &str) -> Result<Vec<(String, String)>, cognate_client::ClientError> {
    if json.trim().is_empty() {
        return Ok(Vec::new());
    }
    let bad = || {
        cognate_client::ClientError::new(
            "InvalidParameterException",
            "attributes must be an object of strings",
        )
    };
    let value = cognate_client::Json::parse(json).ok_or_else(bad)?;
    let members = value.as_object().ok_or_else(bad)?;
    members.iter().map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())).ok_or_else(bad)).collect()
}

#[cfg(test)]
mod tests {
    use alloc::borrow::ToOwned;
    use alloc::vec;

    #[test]
    fn attributes_must_be_strings() {
        assert_eq!(
            super::attributes(r#"{"email":"a@b.c"}"#).unwrap(),
            vec![("email".to_owned(), "a@b.c".to_owned())]
        );
        assert!(super::attributes("").unwrap().is_empty());
        assert_eq!(super::attributes(r#"{"n":1}"#).unwrap_err().name, "InvalidParameterException");
        assert!(super::attributes("[1]").is_err());
    }
}
