//! The domain's rules, each checked alone: usernames and aliases, validation wording, client
//! lifetimes, pool ids and first factors.

use std::collections::BTreeMap;

use cognate_proto::Exception;
use serde_json::json;

use super::clients::seconds;
use super::pools::{PoolSettings, allowed_first_factors, check_pool_id, load};
use super::users::{aliases, check_username, username_key};
use super::validate::{camel, check_len, epoch_seconds, one_of};
use crate::api::{Caller, dispatch};
use crate::services::testing;

/// The settings of a pool created with `input` (CreateUserPool's members).
async fn settings(input: serde_json::Value) -> PoolSettings {
    let svc = testing::services().await;
    let mut body = json!({ "PoolName": "domain" });
    body.as_object_mut().unwrap().extend(input.as_object().unwrap().clone());
    let created =
        dispatch(&svc, &Caller { region: Some("us-east-1".into()) }, "CreateUserPool", body).await.unwrap();
    load(&svc, created["UserPool"]["Id"].as_str().unwrap()).await.unwrap().1
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[tokio::test]
async fn usernames_fold_case_unless_the_pool_is_case_sensitive() {
    let insensitive = settings(json!({ "UsernameConfiguration": { "CaseSensitive": false } })).await;
    assert_eq!(username_key(&insensitive, "Alice"), "alice");
    let sensitive = settings(json!({ "UsernameConfiguration": { "CaseSensitive": true } })).await;
    assert_eq!(username_key(&sensitive, "Alice"), "Alice");
}

#[tokio::test]
async fn only_verified_contacts_are_aliases_but_a_username_attribute_always_is() {
    let aliased = settings(json!({ "AliasAttributes": ["email", "preferred_username"] })).await;
    let unverified = attrs(&[("email", "A@Example.com"), ("preferred_username", "Al")]);
    assert_eq!(aliases(&aliased, &unverified), vec![("preferred_username".to_owned(), "al".to_owned())]);
    let verified = attrs(&[("email", "A@Example.com"), ("email_verified", "true")]);
    assert_eq!(aliases(&aliased, &verified), vec![("email".to_owned(), "a@example.com".to_owned())]);
    let by_email = settings(json!({ "UsernameAttributes": ["email"] })).await;
    assert_eq!(
        aliases(&by_email, &attrs(&[("email", "b@example.com")])),
        vec![("email".into(), "b@example.com".into())]
    );
}

#[test]
fn the_username_rule_refuses_blanks_controls_and_invisible_characters() {
    for good in ["alice", "ålice-ø_1", "a@b.c", "名前", &"x".repeat(128)] {
        assert!(check_username(good).is_ok(), "{good:?}");
    }
    for bad in [
        "",
        "a b",
        "a\tb",
        "a\u{0}",
        "a\u{7f}",
        "a\u{85}",
        "zero\u{200b}width",
        "bom\u{feff}",
        &"x".repeat(129),
    ] {
        let err = check_username(bad).expect_err(bad);
        assert_eq!(err.kind, Exception::InvalidParameter, "{bad:?}");
        assert!(err.message.contains("'username'"), "{}", err.message);
    }
}

#[test]
fn validation_messages_are_aws_wording() {
    assert_eq!(camel("UserPoolId"), "userPoolId");
    let long = check_len("ClientName", &"n".repeat(129), 1, 128).unwrap_err();
    assert!(long.message.starts_with("1 validation error detected: Value '"), "{}", long.message);
    assert!(long.message.ends_with(
        "at 'clientName' failed to satisfy constraint: Member must have length less than or equal to 128"
    ));
    assert!(check_len("ClientName", "", 1, 128).unwrap_err().message.contains("greater than or equal to 1"));
    assert!(check_len("ClientName", "ok", 1, 128).is_ok());
    assert!(one_of("MfaConfiguration", "ON", &["OFF", "ON"]).is_ok());
    let err = one_of("MfaConfiguration", "SOMETIMES", &["OFF", "ON"]).unwrap_err();
    assert!(err.message.contains("Member must satisfy enum value set: [OFF, ON]"), "{}", err.message);
    assert_eq!(epoch_seconds(1_700_000_000_500), json!(1_700_000_000.5));
}

#[test]
fn token_lifetimes_are_counted_in_their_units() {
    let table = [(30, "seconds", 30), (5, "minutes", 300), (1, "hours", 3600), (30, "days", 2_592_000)];
    for (amount, unit, secs) in table {
        assert_eq!(seconds(amount, unit), secs, "{amount} {unit}");
    }
    assert_eq!(seconds(i64::MAX, "days"), i64::MAX, "saturates");
}

#[test]
fn pool_ids_are_region_underscore_alphanumerics() {
    for good in ["us-east-1_AbCdEfGhI", "eu-west-2_abc123XYZ", "local_1"] {
        assert!(check_pool_id(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "us-east-1",
        "_abc",
        "us-east-1_",
        "us-east-1_abc-def",
        "us east_abc",
        &format!("r_{}", "a".repeat(60)),
    ] {
        assert!(check_pool_id(bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn the_first_factor_is_the_password_unless_the_pool_says_otherwise() {
    assert_eq!(allowed_first_factors(&settings(json!({})).await), vec!["PASSWORD".to_owned()]);
    let listed = settings(
        json!({ "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"] } } }),
    )
    .await;
    assert_eq!(allowed_first_factors(&listed), vec!["PASSWORD".to_owned(), "WEB_AUTHN".to_owned()]);
}

#[tokio::test]
async fn an_unknown_users_stand_in_address_is_email_shaped_stable_and_not_the_name() {
    let svc = testing::services().await;
    let address = |pool: &str, name: &str| super::codes::stand_in_address(&svc, pool, name);
    let ghost = address("us-east-1_AAAAAAAAA", "ghost");
    assert!(ghost.len() == 7 && ghost.as_bytes()[1] == b'@' && ghost.ends_with(".com"), "{ghost}");
    assert!(!ghost.contains("ghost"));
    assert_eq!(address("us-east-1_AAAAAAAAA", "ghost"), ghost, "the same on every call");
    let others: std::collections::BTreeSet<String> =
        (0..40).map(|i| address("us-east-1_AAAAAAAAA", &format!("ghost{i}"))).collect();
    assert!(others.len() > 10, "derived from the name: {others:?}");
    assert_eq!(address("us-east-1_AAAAAAAAA", "g@example.com"), "g@example.com");
    assert_eq!(super::codes::mask(&ghost).len(), "x***@y***".len());
}

#[test]
fn user_statuses_keep_cognitos_names() {
    use crate::store::UserStatus;
    for (status, name) in [
        (UserStatus::Unconfirmed, "UNCONFIRMED"),
        (UserStatus::Confirmed, "CONFIRMED"),
        (UserStatus::ForceChangePassword, "FORCE_CHANGE_PASSWORD"),
        (UserStatus::ResetRequired, "RESET_REQUIRED"),
    ] {
        assert_eq!(status.as_str(), name);
        assert_eq!(UserStatus::from_name(name), Some(status));
        assert_eq!(serde_json::to_value(status).unwrap(), json!(name));
    }
    assert_eq!(UserStatus::from_name("confirmed"), None);
}
