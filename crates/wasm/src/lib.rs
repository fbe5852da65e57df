//! `cognate-wasm`: the browser SDK's wasm surface. It gives `cognate-client` a [`Transport`] on the
//! host's `fetch`, a [`TokenStore`] on any object with `getItem` / `setItem` / `removeItem`
//! (`localStorage`, `sessionStorage`, the package's in-memory store, the app's own), and a
//! [`Clock`] on `Date.now()`. Values cross as JSON text, which the host's `JSON` reads. The public,
//! typed API is `npm/src/index.js` and `npm/src/index.d.ts`; this crate is its engine.
//!
//! [`Transport`]: cognate_client::Transport
//! [`TokenStore`]: cognate_client::TokenStore
//! [`Clock`]: cognate_client::Clock

#[cfg(target_arch = "wasm32")]
mod js;

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
