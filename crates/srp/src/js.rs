//! JavaScript entry points for the browser benchmark (feature `js`): the client step exactly as a
//! sign-in runs it, so it can be timed beside amazon-cognito-identity-js on the same page.

use std::string::String;
use std::vec;
use std::vec::Vec;

use wasm_bindgen::prelude::*;

use crate::{CognitoTimestamp, PasswordChallenge, SrpClient, SrpInt};

/// The client step of `USER_SRP_AUTH` from a given `a`: computes `SRP_A`, then answers the
/// `PASSWORD_VERIFIER` challenge. Returns `[SRP_A, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP]`.
///
/// # Errors
/// A JS `Error` for malformed input.
#[wasm_bindgen(js_name = srpClientStep)]
#[allow(clippy::too_many_arguments)]
pub fn srp_client_step(
    a: &str,
    pool_name: &str,
    user_id_for_srp: &str,
    password: &str,
    salt: &str,
    srp_b: &str,
    secret_block: &str,
    unix_seconds: f64,
) -> Result<Vec<String>, JsError> {
    let client = SrpClient::with_private(&SrpInt::from_hex("a", a)?)?;
    let srp_a = client.srp_a();
    let challenge = PasswordChallenge { pool_name, user_id_for_srp, salt, srp_b, secret_block };
    let claim =
        client.password_claim(&challenge, password, CognitoTimestamp::from_unix(unix_seconds as i64))?;
    Ok(vec![srp_a, claim.signature, claim.timestamp])
}
