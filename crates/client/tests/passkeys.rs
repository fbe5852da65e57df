//! Passkeys through the core natively: a small software authenticator (P-256, `none` attestation,
//! a counter) stands in for `navigator.credentials`, against a real server. The browser's own
//! WebAuthn, and every refusal, are tested in Chromium (tests/sdk/passkeys.test.mjs).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::cell::{Cell, RefCell};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ciborium::Value as Cbor;
use cognate_client::{Authenticator, ClientError, NextStep, SignInFlow, SignInOutcome};
use futures_executor::block_on;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::Server;

const ORIGIN: &str = "http://localhost:5173";

/// One credential at a time, made on `create` and used on `get`.
struct SoftAuthenticator {
    key: SigningKey,
    credential: RefCell<Option<(Vec<u8>, Vec<u8>)>>,
    counter: Cell<u32>,
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

fn client_data(kind: &str, options: &Value) -> Vec<u8> {
    json!({ "type": kind, "challenge": options["challenge"], "origin": ORIGIN, "crossOrigin": false })
        .to_string()
        .into_bytes()
}

impl SoftAuthenticator {
    fn new() -> Self {
        Self {
            key: SigningKey::from_slice(&Sha256::digest(b"cognate soft authenticator")).unwrap(),
            credential: RefCell::new(None),
            counter: Cell::new(0),
        }
    }

    fn auth_data(&self, rp_id: &str, flags: u8) -> Vec<u8> {
        self.counter.set(self.counter.get() + 1);
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.get().to_be_bytes());
        data
    }
}

impl Authenticator for SoftAuthenticator {
    async fn create(&self, options_json: &str) -> Result<String, ClientError> {
        let options: Value = serde_json::from_str(options_json).unwrap();
        let id = b"soft-credential-1".to_vec();
        let user = B64.decode(options["user"]["id"].as_str().unwrap()).unwrap();
        let point = self.key.verifying_key().to_encoded_point(false);
        let int = |i: i64| Cbor::Integer(i.into());
        let cose = cbor(&Cbor::Map(vec![
            (int(1), int(2)),
            (int(3), int(-7)),
            (int(-1), int(1)),
            (int(-2), Cbor::Bytes(point.x().unwrap().to_vec())),
            (int(-3), Cbor::Bytes(point.y().unwrap().to_vec())),
        ]));
        let mut auth = self.auth_data(options["rp"]["id"].as_str().unwrap(), 0x45);
        auth.extend_from_slice(&[0u8; 16]);
        auth.extend_from_slice(&u16::try_from(id.len()).unwrap().to_be_bytes());
        auth.extend_from_slice(&id);
        auth.extend_from_slice(&cose);
        let object = cbor(&Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth)),
        ]));
        *self.credential.borrow_mut() = Some((id.clone(), user));
        Ok(json!({
            "id": B64.encode(&id), "rawId": B64.encode(&id), "type": "public-key", "authenticatorAttachment": "platform",
            "response": { "clientDataJSON": B64.encode(client_data("webauthn.create", &options)),
                          "attestationObject": B64.encode(object), "transports": ["internal"] },
            "clientExtensionResults": {},
        })
        .to_string())
    }

    async fn get(&self, options_json: &str) -> Result<String, ClientError> {
        let options: Value = serde_json::from_str(options_json).unwrap();
        let Some((id, user)) = self.credential.borrow().clone() else {
            return Err(ClientError::new("NotAllowedError", "no credential"));
        };
        let allowed = options["allowCredentials"].as_array().unwrap();
        if !allowed.iter().any(|c| c["id"] == B64.encode(&id)) {
            return Err(ClientError::new("NotAllowedError", "no credential allowed"));
        }
        let auth = self.auth_data(options["rpId"].as_str().unwrap(), 0x05);
        let data = client_data("webauthn.get", &options);
        let mut signed = auth.clone();
        signed.extend_from_slice(&Sha256::digest(&data));
        let signature: DerSignature = self.key.sign(&signed);
        Ok(json!({
            "id": B64.encode(&id), "rawId": B64.encode(&id), "type": "public-key",
            "response": { "clientDataJSON": B64.encode(&data), "authenticatorData": B64.encode(&auth),
                          "signature": B64.encode(signature.as_bytes()), "userHandle": B64.encode(&user) },
            "clientExtensionResults": {},
        })
        .to_string())
    }
}

#[test]
fn register_sign_in_list_and_delete_a_passkey() {
    let server = Server::start();
    let pool = server.admin(
        "CreateUserPool",
        json!({ "PoolName": "passkeys", "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"] } } }),
    );
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    server.admin(
        "SetUserPoolMfaConfig",
        json!({ "UserPoolId": pool_id, "WebAuthnConfiguration": { "RelyingPartyId": "localhost", "UserVerification": "required" } }),
    );
    let created = server.admin(
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool_id, "ClientName": "web", "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
    );
    let client_id = created["UserPoolClient"]["ClientId"].as_str().unwrap().to_owned();
    server.admin(
        "AdminCreateUser",
        json!({ "UserPoolId": pool_id, "Username": "erin", "MessageAction": "SUPPRESS" }),
    );
    server.admin(
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": "erin", "Password": "Erin-Pass-123", "Permanent": true }),
    );
    let (sdk, http) = support::client(&server, &pool_id, &client_id);
    let device = SoftAuthenticator::new();

    // Without a passkey, the server offers the other first factors.
    let outcome = block_on(sdk.sign_in_with_passkey("erin", &device)).unwrap();
    let SignInOutcome::Next(NextStep::Challenge { name, parameters }) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(name, "SELECT_CHALLENGE");
    assert_eq!(parameters["AvailableChallenges"].to_text(), r#"["PASSWORD","PASSWORD_SRP"]"#);

    assert!(matches!(
        block_on(sdk.sign_in("erin", "Erin-Pass-123", SignInFlow::Srp)).unwrap(),
        SignInOutcome::SignedIn(_)
    ));
    block_on(sdk.register_passkey(&device)).unwrap();
    let listed = block_on(sdk.list_passkeys()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, B64.encode(b"soft-credential-1"));
    assert_eq!(listed[0].attachment.as_deref(), Some("platform"));
    assert_eq!(listed[0].transports, ["internal"]);

    block_on(sdk.sign_out(false)).unwrap();
    let SignInOutcome::SignedIn(session) = block_on(sdk.sign_in_with_passkey("erin", &device)).unwrap()
    else {
        panic!("not signed in");
    };
    assert_eq!(session.username, "erin");
    assert_eq!(http.count("RespondToAuthChallenge"), 2, "the SRP answer, then the passkey's");

    // An authenticator whose counter went back is refused.
    device.counter.set(0);
    block_on(sdk.sign_out(false)).unwrap();
    let err = block_on(sdk.sign_in_with_passkey("erin", &device)).unwrap_err();
    assert_eq!(err.name, "NotAuthorizedException");
    assert!(err.message.contains("counter"), "{}", err.message);

    device.counter.set(100);
    assert!(matches!(
        block_on(sdk.sign_in_with_passkey("erin", &device)).unwrap(),
        SignInOutcome::SignedIn(_)
    ));
    block_on(sdk.delete_passkey(&listed[0].id)).unwrap();
    assert!(block_on(sdk.list_passkeys()).unwrap().is_empty());
    assert_eq!(block_on(sdk.delete_passkey(&listed[0].id)).unwrap_err().name, "ResourceNotFoundException");
}
