//! The options a browser passes to `navigator.credentials.create` / `.get`, in the JSON forms of
//! WebAuthn L3 (§5.1.8 `PublicKeyCredentialCreationOptionsJSON`, §5.1.9 `...RequestOptionsJSON`),
//! shaped as Cognito sends them (StartWebAuthnRegistration's `CredentialCreationOptions`, the
//! WEB_AUTHN challenge's `CREDENTIAL_REQUEST_OPTIONS`).

use serde_json::{Value, json};

use crate::{AUTHENTICATION_TIMEOUT_MS, Algorithm, REGISTRATION_TIMEOUT_MS, RelyingParty, b64url};

/// The user a credential is made for.
#[derive(Debug, Clone)]
pub struct UserEntity<'a> {
    /// The user handle: opaque bytes, not the username (Cognito uses the `sub`).
    pub id: &'a [u8],
    /// The username.
    pub name: &'a str,
    /// What the authenticator shows.
    pub display_name: &'a str,
}

fn descriptors(credentials: &[(Vec<u8>, Vec<String>)]) -> Vec<Value> {
    credentials
        .iter()
        .map(|(id, transports)| {
            let mut d = json!({ "type": "public-key", "id": b64url(id) });
            if !transports.is_empty() {
                d["transports"] = json!(transports);
            }
            d
        })
        .collect()
}

/// Options for registering a passkey: a discoverable credential, one of [`Algorithm::ALL`], not one
/// of `exclude` (the user's credentials with their transports), no attestation.
#[must_use]
pub fn creation_options(
    rp: &RelyingParty,
    user: &UserEntity<'_>,
    challenge: &[u8],
    exclude: &[(Vec<u8>, Vec<String>)],
) -> Value {
    let params: Vec<Value> =
        Algorithm::ALL.iter().map(|a| json!({ "type": "public-key", "alg": a.id() })).collect();
    json!({
        "challenge": b64url(challenge),
        "rp": { "id": rp.id, "name": rp.name },
        "user": { "id": b64url(user.id), "name": user.name, "displayName": user.display_name },
        "pubKeyCredParams": params,
        "timeout": REGISTRATION_TIMEOUT_MS,
        "excludeCredentials": descriptors(exclude),
        "authenticatorSelection": {
            "requireResidentKey": true,
            "residentKey": "required",
            "userVerification": rp.user_verification.as_str(),
        },
        "attestation": "none",
        "hints": [],
        "extensions": { "credProps": true },
    })
}

/// Options for signing in with one of `allow` (the user's credentials with their transports).
#[must_use]
pub fn request_options(rp: &RelyingParty, challenge: &[u8], allow: &[(Vec<u8>, Vec<String>)]) -> Value {
    json!({
        "challenge": b64url(challenge),
        "timeout": AUTHENTICATION_TIMEOUT_MS,
        "rpId": rp.id,
        "allowCredentials": descriptors(allow),
        "userVerification": rp.user_verification.as_str(),
        "hints": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserVerification;

    #[test]
    fn creation_options_carry_what_the_browser_needs() {
        let rp = RelyingParty {
            id: "localhost".into(),
            name: "Pool".into(),
            origins: vec![],
            user_verification: UserVerification::Required,
        };
        let user = UserEntity { id: b"sub-1", name: "alice", display_name: "alice" };
        let o = creation_options(&rp, &user, &[1, 2, 3], &[(vec![9], vec!["internal".into()])]);
        assert_eq!(o["challenge"], "AQID");
        assert_eq!(o["rp"]["id"], "localhost");
        assert_eq!(o["user"]["id"], "c3ViLTE");
        assert_eq!(o["pubKeyCredParams"][0]["alg"], -7);
        assert_eq!(o["pubKeyCredParams"].as_array().unwrap().len(), 3);
        assert_eq!(o["excludeCredentials"][0]["id"], "CQ");
        assert_eq!(o["excludeCredentials"][0]["transports"][0], "internal");
        assert_eq!(o["authenticatorSelection"]["userVerification"], "required");
        let r = request_options(&rp, &[4], &[(vec![9], vec![])]);
        assert_eq!(r["rpId"], "localhost");
        assert_eq!(r["allowCredentials"][0], json!({ "type": "public-key", "id": "CQ" }));
    }
}
