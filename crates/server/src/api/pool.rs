//! User pools: CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools,
//! AddCustomAttributes.

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::wire::{check_len, epoch_seconds, invalid, set_page_token};
use super::{Caller, Request, Services, internal, now_ms};
use crate::domain::password::PasswordPolicy;
use crate::domain::pools::{AdminCreateUserConfig, PoolSettings, load, pool_not_found, settings_doc};
use crate::domain::schema::{self, RequestedAttribute};
use crate::domain::validate::one_of;
use crate::store::{PoolRecord, StoreError};

/// Members stored as given and echoed back by DescribeUserPool (replaced as a whole by UpdateUserPool).
const ECHOED: [&str; 13] = [
    "LambdaConfig",
    "VerificationMessageTemplate",
    "EmailConfiguration",
    "SmsConfiguration",
    "AccountRecoverySetting",
    "UserAttributeUpdateSettings",
    "DeviceConfiguration",
    "UserPoolAddOns",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsAuthenticationMessage",
    "UserPoolTier",
];

fn subset(req: &Request, member: &str, allowed: &[&str]) -> Result<Vec<String>, CognitoError> {
    let mut out: Vec<String> = Vec::new();
    for v in req.opt::<Vec<String>>(member)?.unwrap_or_default() {
        one_of(member, &v, allowed)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// The settings UpdateUserPool may change, read from `req` over `base` (absent members reset to
/// their defaults, as Cognito documents).
fn mutable_settings(
    svc: &Services,
    req: &Request,
    mut base: PoolSettings,
) -> Result<PoolSettings, CognitoError> {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase")]
    struct Policies {
        password_policy: Option<PasswordPolicy>,
        sign_in_policy: Option<Value>,
    }
    let policies: Policies = req.opt("Policies")?.unwrap_or_default();
    base.password_policy = policies.password_policy.unwrap_or_default();
    base.password_policy.validate()?;
    base.sign_in_policy = policies.sign_in_policy;
    base.auto_verified_attributes = subset(req, "AutoVerifiedAttributes", &["email", "phone_number"])?;
    base.mfa_configuration = req.opt_string("MfaConfiguration")?.unwrap_or_else(|| "OFF".to_owned());
    one_of("MfaConfiguration", &base.mfa_configuration, &["OFF", "ON", "OPTIONAL"])?;
    if base.mfa_configuration != "OFF" && req.get("SmsConfiguration").is_none() {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "SMS configuration is required when MFA is required/optional.",
        ));
    }
    base.deletion_protection = req.opt_string("DeletionProtection")?.unwrap_or_else(|| "INACTIVE".to_owned());
    one_of("DeletionProtection", &base.deletion_protection, &["ACTIVE", "INACTIVE"])?;
    base.admin_create_user_config = req.opt("AdminCreateUserConfig")?.unwrap_or_default();
    if base.admin_create_user_config.unused_account_validity_days.is_some_and(|d| !(0..=365).contains(&d)) {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "UnusedAccountValidityDays must be between 0 and 365.",
        ));
    }
    // Not a member of Cognito's UpdateUserPool: a Cognate extension, kept when absent.
    if let Some(w) = req.get("WebAuthnConfiguration") {
        base.webauthn = Some(crate::domain::factors::WebAuthnSettings::parse(w, base.webauthn.as_ref())?);
    }
    base.tags = req.opt("UserPoolTags")?.unwrap_or_default();
    if let Some(lambda) = req.get("LambdaConfig") {
        crate::triggers::check_config(svc, lambda)?;
    }
    base.echoed = ECHOED.iter().filter_map(|m| req.get(m).map(|v| ((*m).to_owned(), v.clone()))).collect();
    mirror_verification_template(&mut base.echoed);
    Ok(base)
}

/// Cognito shows the template's texts under their older names too (SmsVerificationMessage,
/// EmailVerificationMessage, EmailVerificationSubject) unless the request gave those itself.
fn mirror_verification_template(echoed: &mut Map<String, Value>) {
    let Some(template) = echoed.get("VerificationMessageTemplate").cloned() else { return };
    for (legacy, member) in [
        ("SmsVerificationMessage", "SmsMessage"),
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
    ] {
        if let Some(text) = template.get(member).filter(|v| v.is_string())
            && !echoed.contains_key(legacy)
        {
            echoed.insert(legacy.to_owned(), text.clone());
        }
    }
}

fn pool_name(req: &Request, member: &str) -> Result<String, CognitoError> {
    let name = req.string(member)?;
    check_len(member, &name, 1, 128)?;
    if !name.chars().all(|c| c.is_alphanumeric() || c.is_whitespace() || "_+=,.@-".contains(c)) {
        return Err(invalid(
            member,
            &name,
            "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        ));
    }
    Ok(name)
}

fn describe_json(pool: &PoolRecord, s: &PoolSettings, users: i64) -> Value {
    let region = pool.id.split('_').next().unwrap_or("us-east-1");
    let mut policies = json!({ "PasswordPolicy": s.password_policy });
    if let Some(sign_in) = &s.sign_in_policy {
        policies["SignInPolicy"] = sign_in.clone();
    }
    let mut out = json!({
        "Id": pool.id,
        "Name": pool.name,
        "Arn": format!("arn:aws:cognito-idp:{region}:000000000000:userpool/{}", pool.id),
        "Policies": policies,
        "DeletionProtection": s.deletion_protection,
        "LambdaConfig": {},
        "SchemaAttributes": s.schema,
        "AutoVerifiedAttributes": s.auto_verified_attributes,
        "MfaConfiguration": s.mfa_configuration,
        "UserPoolTags": s.tags,
        "EstimatedNumberOfUsers": users,
        "AdminCreateUserConfig": s.admin_create_user_config,
        "UsernameConfiguration": { "CaseSensitive": s.case_sensitive },
        "CreationDate": epoch_seconds(pool.created_ms),
        "LastModifiedDate": epoch_seconds(pool.modified_ms),
    });
    if !s.username_attributes.is_empty() {
        out["UsernameAttributes"] = json!(s.username_attributes);
    }
    if !s.alias_attributes.is_empty() {
        out["AliasAttributes"] = json!(s.alias_attributes);
    }
    for (k, v) in &s.echoed {
        out[k] = v.clone();
    }
    out
}

/// CreateUserPool.
pub async fn create(svc: &Services, caller: &Caller, req: Request) -> Result<Value, CognitoError> {
    let name = pool_name(&req, "PoolName")?;
    let username_attributes = subset(&req, "UsernameAttributes", &["email", "phone_number"])?;
    let alias_attributes = subset(&req, "AliasAttributes", &["email", "phone_number", "preferred_username"])?;
    if !username_attributes.is_empty() && !alias_attributes.is_empty() {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase")]
    struct UsernameConfiguration {
        case_sensitive: Option<bool>,
    }
    let username_configuration: UsernameConfiguration = req.opt("UsernameConfiguration")?.unwrap_or_default();
    let base = PoolSettings {
        password_policy: PasswordPolicy::default(),
        sign_in_policy: None,
        schema: schema::build(req.opt("Schema")?.unwrap_or_default())?,
        username_attributes,
        alias_attributes,
        case_sensitive: username_configuration.case_sensitive.unwrap_or(false),
        auto_verified_attributes: Vec::new(),
        mfa_configuration: "OFF".to_owned(),
        mfa: crate::domain::factors::MfaSettings::default(),
        webauthn: None,
        deletion_protection: "INACTIVE".to_owned(),
        admin_create_user_config: AdminCreateUserConfig::default(),
        tags: BTreeMap::new(),
        echoed: Map::new(),
    };
    let settings = mutable_settings(svc, &req, base)?;
    let region = caller.region.clone().unwrap_or_else(|| svc.region.clone());
    let now = now_ms();
    let pool = PoolRecord {
        id: crate::ids::pool_id(&region),
        name,
        doc: settings_doc(&settings),
        created_ms: now,
        modified_ms: now,
    };
    svc.store.insert_pool(&pool).await.map_err(internal)?;
    Ok(json!({ "UserPool": describe_json(&pool, &settings, 0) }))
}

/// DescribeUserPool.
pub async fn describe(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, settings) = load(svc, &req.string("UserPoolId")?).await?;
    let users = svc.store.count_users(&pool.id).await.map_err(internal)?;
    let mut out = describe_json(&pool, &settings, users);
    if let Some(domain) = svc.store.domain_of_pool(&pool.id).await.map_err(internal)? {
        let member = if crate::domain::domains::is_custom(&domain) { "CustomDomain" } else { "Domain" };
        out[member] = json!(domain.domain);
    }
    Ok(json!({ "UserPool": out }))
}

/// UpdateUserPool: replaces the mutable settings (absent members take their defaults).
pub async fn update(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (mut pool, settings) = load(svc, &req.string("UserPoolId")?).await?;
    if req.get("PoolName").is_some() {
        pool.name = pool_name(&req, "PoolName")?;
    }
    let settings = mutable_settings(svc, &req, settings)?;
    pool.doc = settings_doc(&settings);
    pool.modified_ms = now_ms();
    svc.store.update_pool(&pool).await.map_err(|e| match e {
        StoreError::NotFound => pool_not_found(&pool.id),
        other => internal(other),
    })?;
    Ok(json!({}))
}

/// DeleteUserPool: refused while deletion protection is active.
pub async fn delete(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, settings) = load(svc, &req.string("UserPoolId")?).await?;
    if settings.deletion_protection == "ACTIVE" {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "The user pool cannot be deleted because deletion protection is activated.",
        ));
    }
    svc.store.delete_pool(&pool.id).await.map_err(|e| match e {
        StoreError::NotFound => pool_not_found(&pool.id),
        other => internal(other),
    })?;
    Ok(json!({}))
}

/// ListUserPools: `MaxResults` is required (1–60).
pub async fn list(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    req.require("MaxResults")?;
    let limit = req.limit("MaxResults", 60, 60, 1)?;
    let after = req.page_after("NextToken")?;
    let page = svc.store.list_pools(after.as_deref(), limit).await.map_err(internal)?;
    let pools: Vec<Value> = page
        .items
        .iter()
        .map(|p| {
            json!({ "Id": p.id, "Name": p.name, "LambdaConfig": {}, "CreationDate": epoch_seconds(p.created_ms),
                    "LastModifiedDate": epoch_seconds(p.modified_ms) })
        })
        .collect();
    let mut out = json!({ "UserPools": pools });
    set_page_token(&mut out, "NextToken", page.next);
    Ok(out)
}

/// AddCustomAttributes.
pub async fn add_custom_attributes(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (mut pool, mut settings) = load(svc, &req.string("UserPoolId")?).await?;
    let attrs: Vec<RequestedAttribute> = req.opt("CustomAttributes")?.unwrap_or_default();
    if attrs.is_empty() {
        req.require("CustomAttributes")?;
        return Err(invalid("CustomAttributes", "[]", "Member must have length greater than or equal to 1"));
    }
    for attr in attrs {
        schema::add_custom(&mut settings.schema, attr)?;
    }
    pool.doc = settings_doc(&settings);
    pool.modified_ms = now_ms();
    svc.store.update_pool(&pool).await.map_err(internal)?;
    Ok(json!({}))
}
