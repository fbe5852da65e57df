//! The SDK core against a real server: every flow of issue 6's list, and the failures a user can cause.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
#![cfg(not(target_arch = "wasm32"))]

mod support;

use cognate_client::{Config, NextStep, SignInFlow, SignInOutcome, TokenStore};
use futures_executor::block_on;
use serde_json::json;
use support::{Server, client};

const PASSWORD: &str = "Sdk-Pass-123";

fn attrs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn signed_in(outcome: SignInOutcome) -> cognate_client::Session {
    match outcome {
        SignInOutcome::SignedIn(s) => s,
        SignInOutcome::Next(step) => panic!("not signed in: {step:?}"),
    }
}

#[test]
fn sign_up_confirm_srp_sign_in_attributes_and_passwords() {
    let server = Server::start();
    let (pool, client_id) = server.pool(json!({}));
    let (sdk, _) = client(&server, &pool, &client_id);
    let signed_up =
        block_on(sdk.sign_up("alice", PASSWORD, &attrs(&[("email", "alice@example.com")]))).unwrap();
    assert!(!signed_up.confirmed);
    assert_eq!(signed_up.delivery.as_ref().map(|d| d.medium.as_str()), Some("EMAIL"));
    let early = block_on(sdk.sign_in("alice", PASSWORD, SignInFlow::Srp)).unwrap_err();
    assert_eq!(early.name, "UserNotConfirmedException");
    let wrong = block_on(sdk.confirm_sign_up("alice", "000000")).unwrap_err();
    assert_eq!(wrong.name, "CodeMismatchException");
    block_on(sdk.confirm_sign_up("alice", &server.code_for(&pool, "alice@example.com"))).unwrap();

    let session = signed_in(block_on(sdk.sign_in("alice", PASSWORD, SignInFlow::Srp)).unwrap());
    assert_eq!(session.username, "alice");
    assert_eq!(session.access_claims["token_use"], "access");
    assert_eq!(session.id_claims["email"], "alice@example.com");
    assert_eq!(session.id_claims["sub"].as_str(), Some(signed_up.user_sub.as_str()));
    // Stored where amazon-cognito-identity-js keeps it.
    let key = |k: &str| format!("CognitoIdentityServiceProvider.{client_id}.{k}");
    assert_eq!(sdk.store().get(&key("LastAuthUser")).as_deref(), Some("alice"));
    assert_eq!(sdk.store().get(&key("alice.accessToken")), Some(session.tokens.access_token.clone()));

    let attribute =
        |list: &[(String, String)], name: &str| list.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let attributes = block_on(sdk.fetch_user_attributes()).unwrap();
    assert_eq!(attribute(&attributes, "email_verified").as_deref(), Some("true"));
    let deliveries =
        block_on(sdk.update_user_attributes(&attrs(&[("email", "alice2@example.com"), ("name", "Alice")])))
            .unwrap();
    assert_eq!(deliveries.len(), 1);
    block_on(sdk.confirm_user_attribute("email", &server.code_for(&pool, "alice2@example.com"))).unwrap();
    let attributes = block_on(sdk.fetch_user_attributes()).unwrap();
    assert_eq!(
        (attribute(&attributes, "email").as_deref(), attribute(&attributes, "email_verified").as_deref()),
        (Some("alice2@example.com"), Some("true"))
    );

    let bad = block_on(sdk.change_password("Not-The-Password-1", "Sdk-Pass-456")).unwrap_err();
    assert_eq!(bad.name, "NotAuthorizedException");
    block_on(sdk.change_password(PASSWORD, "Sdk-Pass-456")).unwrap();
    signed_in(block_on(sdk.sign_in("alice", "Sdk-Pass-456", SignInFlow::Password)).unwrap());

    block_on(sdk.forgot_password("alice")).unwrap();
    let code = server.code_for(&pool, "alice2@example.com");
    block_on(sdk.confirm_forgot_password("alice", &code, "Sdk-Pass-789")).unwrap();
    signed_in(block_on(sdk.sign_in("alice", "Sdk-Pass-789", SignInFlow::Srp)).unwrap());

    block_on(sdk.delete_user()).unwrap();
    assert!(sdk.stored_session().is_none());
    let gone = block_on(sdk.sign_in("alice", "Sdk-Pass-789", SignInFlow::Srp)).unwrap_err();
    assert_eq!(gone.name, "NotAuthorizedException");
}

#[test]
fn wrong_passwords_and_unknown_users_get_the_same_error_name() {
    let server = Server::start();
    let (pool, client_id) = server.pool(json!({}));
    server.admin(
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "bob", "MessageAction": "SUPPRESS" }),
    );
    server.admin(
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "bob", "Password": PASSWORD, "Permanent": true }),
    );
    let (sdk, _) = client(&server, &pool, &client_id);
    for flow in [SignInFlow::Srp, SignInFlow::Password] {
        let wrong = block_on(sdk.sign_in("bob", "Wrong-Pass-123", flow)).unwrap_err();
        let unknown = block_on(sdk.sign_in("nobody", PASSWORD, flow)).unwrap_err();
        assert_eq!(
            (wrong.name.as_str(), unknown.name.as_str()),
            ("NotAuthorizedException", "NotAuthorizedException")
        );
    }
    assert!(sdk.stored_session().is_none());
    let none = block_on(sdk.session()).unwrap_err();
    assert_eq!(none.name, "NotAuthorizedException");
}

#[test]
fn new_password_required_is_a_next_step() {
    let server = Server::start();
    let (pool, client_id) = server.pool(json!({}));
    server.admin(
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "carol", "TemporaryPassword": "Temp-Pass-123", "MessageAction": "SUPPRESS" }),
    );
    let (sdk, _) = client(&server, &pool, &client_id);
    let step = block_on(sdk.sign_in("carol", "Temp-Pass-123", SignInFlow::Srp)).unwrap();
    assert!(matches!(step, SignInOutcome::Next(NextStep::NewPasswordRequired { .. })), "{step:?}");
    let weak = block_on(sdk.confirm_sign_in("short", &[])).unwrap_err();
    assert_eq!(weak.name, "InvalidPasswordException");
    // Cognate's challenge sessions are single-use, a refused answer included: start again.
    let again = block_on(sdk.confirm_sign_in("Carol-Pass-123", &[])).unwrap_err();
    assert_eq!(again.name, "NotAuthorizedException");
    let step = block_on(sdk.sign_in("carol", "Temp-Pass-123", SignInFlow::Password)).unwrap();
    assert!(matches!(step, SignInOutcome::Next(NextStep::NewPasswordRequired { .. })), "{step:?}");
    let session =
        signed_in(block_on(sdk.confirm_sign_in("Carol-Pass-123", &attrs(&[("name", "Carol")]))).unwrap());
    assert_eq!(session.username, "carol");
    signed_in(block_on(sdk.sign_in("carol", "Carol-Pass-123", SignInFlow::Password)).unwrap());
    assert_eq!(block_on(sdk.confirm_sign_in("x", &[])).unwrap_err().name, "InvalidStateException");
}

fn signed_in_client(
    server: &Server,
    extra: serde_json::Value,
) -> (support::TestClient, support::Http, String) {
    let (pool, client_id) = server.pool(extra);
    server.admin(
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "dave", "MessageAction": "SUPPRESS" }),
    );
    server.admin(
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "dave", "Password": PASSWORD, "Permanent": true }),
    );
    let (sdk, http) = client(server, &pool, &client_id);
    signed_in(block_on(sdk.sign_in("dave", PASSWORD, SignInFlow::Srp)).unwrap());
    (sdk, http, pool)
}

#[test]
fn sessions_refresh_ahead_of_expiry_once_for_concurrent_callers() {
    let server = Server::start();
    let (sdk, http, _) = signed_in_client(&server, json!({}));
    let (first, refreshed) = block_on(sdk.session()).unwrap();
    assert!(!refreshed);
    assert_eq!(http.count("GetTokensFromRefreshToken"), 0);
    // 59 minutes on: inside the one-minute margin before the hour-long tokens expire.
    sdk_clock_forward(&sdk, 59.5 * 60.0);
    let results =
        block_on(async { futures_util::join!(sdk.session(), sdk.session(), sdk.session(), sdk.session()) });
    let all = [results.0.unwrap(), results.1.unwrap(), results.2.unwrap(), results.3.unwrap()];
    assert_eq!(http.count("GetTokensFromRefreshToken"), 1, "one refresh for four callers");
    assert_eq!(all.iter().filter(|(_, refreshed)| *refreshed).count(), 1);
    assert!(all.iter().all(|(s, _)| s.tokens.access_token == all[0].0.tokens.access_token));
    assert_ne!(all[0].0.tokens.access_token, first.tokens.access_token);
    assert_eq!(all[0].0.tokens.refresh_token, first.tokens.refresh_token, "no rotation on this client");
}

fn sdk_clock_forward(sdk: &support::TestClient, seconds: f64) {
    sdk.clock().0.set(seconds * 1000.0);
}

#[test]
fn rotation_stores_the_new_refresh_token_and_the_old_one_dies() {
    let server = Server::start();
    let (sdk, _, _) = signed_in_client(
        &server,
        json!({ "RefreshTokenRotation": { "Feature": "ENABLED", "RetryGracePeriodSeconds": 0 } }),
    );
    let before = sdk.stored_session().unwrap();
    let after = block_on(sdk.refresh_now()).unwrap();
    assert_ne!(after.tokens.refresh_token, before.tokens.refresh_token);
    assert_eq!(sdk.stored_session().unwrap().tokens.refresh_token, after.tokens.refresh_token);
    // A second client holding the old refresh token cannot use it.
    let store_key = |k: &str| format!("CognitoIdentityServiceProvider.{}.dave.{k}", sdk.config().client_id);
    sdk.store().set(&store_key("refreshToken"), &before.tokens.refresh_token);
    let reused = block_on(sdk.refresh_now()).unwrap_err();
    assert!(
        ["NotAuthorizedException", "RefreshTokenReuseException"].contains(&reused.name.as_str()),
        "{reused}"
    );
}

#[test]
fn sign_out_revokes_locally_or_everywhere() {
    let server = Server::start();
    let (sdk, _, _) = signed_in_client(&server, json!({}));
    let kept = sdk.stored_session().unwrap();
    block_on(sdk.sign_out(false)).unwrap();
    assert!(sdk.stored_session().is_none());
    // The revoked refresh token no longer refreshes.
    let key = |k: &str| format!("CognitoIdentityServiceProvider.{}.{k}", sdk.config().client_id);
    let restore = |s: &cognate_client::Session| {
        sdk.store().set(&key("LastAuthUser"), "dave");
        sdk.store().set(&key("dave.idToken"), &s.tokens.id_token);
        sdk.store().set(&key("dave.accessToken"), &s.tokens.access_token);
        sdk.store().set(&key("dave.refreshToken"), &s.tokens.refresh_token);
    };
    restore(&kept);
    assert_eq!(block_on(sdk.refresh_now()).unwrap_err().name, "NotAuthorizedException");

    signed_in(block_on(sdk.sign_in("dave", PASSWORD, SignInFlow::Srp)).unwrap());
    let global = sdk.stored_session().unwrap();
    block_on(sdk.sign_out(true)).unwrap();
    restore(&global);
    assert_eq!(block_on(sdk.refresh_now()).unwrap_err().name, "NotAuthorizedException");
    assert_eq!(block_on(sdk.fetch_user_attributes()).unwrap_err().name, "NotAuthorizedException");
}

#[test]
fn the_endpoint_comes_from_the_pool_id_unless_given() {
    let config = |endpoint: Option<&str>| Config {
        user_pool_id: "eu-west-2_AbCdEfGhI".to_owned(),
        client_id: "c".to_owned(),
        client_secret: None,
        endpoint: endpoint.map(str::to_owned),
    };
    assert_eq!(config(None).endpoint(), "https://cognito-idp.eu-west-2.amazonaws.com/");
    assert_eq!(config(Some("http://127.0.0.1:9229/")).endpoint(), "http://127.0.0.1:9229/");
}

fn base32_decode(text: &str) -> Vec<u8> {
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in text.bytes() {
        let v = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".iter().position(|&a| a == c).unwrap() as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// The app's code `offset` steps from now (the server's own RFC 6238 code, checked against the RFC's
/// vectors in its tests).
fn totp(secret: &str, offset: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let step = cognate_server::totp::step_of(now) + offset;
    format!("{:06}", cognate_server::totp::code_at_step(&base32_decode(secret), step))
}

#[test]
fn authenticator_app_setup_and_mfa_sign_in() {
    let server = Server::start();
    let (sdk, _, pool) = signed_in_client(&server, json!({}));
    server.admin(
        "SetUserPoolMfaConfig",
        json!({ "UserPoolId": pool, "MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": { "Enabled": true } }),
    );
    let setup = block_on(sdk.set_up_totp()).unwrap();
    assert!(setup.uri("Cognate", "dave").starts_with("otpauth://totp/Cognate:dave?secret="));
    let wrong = block_on(sdk.verify_totp_setup("000000", Some("phone")));
    if totp(&setup.secret, 0) != "000000" {
        assert_eq!(wrong.unwrap_err().name, "EnableSoftwareTokenMFAException");
    }
    block_on(sdk.verify_totp_setup(&totp(&setup.secret, 0), Some("phone"))).unwrap();
    block_on(sdk.update_mfa_preference(Some(cognate_client::MfaPreference::Preferred), None, None)).unwrap();
    block_on(sdk.sign_out(false)).unwrap();
    let step = block_on(sdk.sign_in("dave", PASSWORD, SignInFlow::Srp)).unwrap();
    match &step {
        SignInOutcome::Next(NextStep::Challenge { name, .. }) => assert_eq!(name, "SOFTWARE_TOKEN_MFA"),
        other => panic!("{other:?}"),
    }
    let session = signed_in(block_on(sdk.confirm_sign_in(&totp(&setup.secret, 1), &[])).unwrap());
    assert_eq!(session.username, "dave");
}

#[test]
fn a_pool_requiring_mfa_sets_the_app_up_inside_sign_in() {
    let server = Server::start();
    let (pool, client_id) = server.pool(json!({}));
    server.admin(
        "SetUserPoolMfaConfig",
        json!({ "UserPoolId": pool, "MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": { "Enabled": true } }),
    );
    server.admin(
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "erin", "MessageAction": "SUPPRESS" }),
    );
    server.admin(
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "erin", "Password": PASSWORD, "Permanent": true }),
    );
    let (sdk, _) = client(&server, &pool, &client_id);
    let step = block_on(sdk.sign_in("erin", PASSWORD, SignInFlow::Srp)).unwrap();
    let SignInOutcome::Next(NextStep::TotpSetup { secret }) = step else { panic!("{step:?}") };
    // The same code is replayed below: computed once, so a 30-second step boundary in between
    // cannot turn the replay into a fresh code.
    let code = totp(&secret, 0);
    let session = signed_in(block_on(sdk.confirm_sign_in(&code, &[])).unwrap());
    assert_eq!(session.username, "erin");
    let again = block_on(sdk.sign_in("erin", PASSWORD, SignInFlow::Password)).unwrap();
    assert!(
        matches!(again, SignInOutcome::Next(NextStep::Challenge { ref name, .. }) if name == "SOFTWARE_TOKEN_MFA")
    );
    // Cognito answers a replayed authenticator code as used, not as wrong.
    let replayed = block_on(sdk.confirm_sign_in(&code, &[])).unwrap_err();
    assert_eq!(replayed.name, "ExpiredCodeException");
}
