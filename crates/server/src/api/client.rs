//! App clients: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
//! DeleteUserPoolClient, ListUserPoolClients.

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::wire::{check_len, epoch_seconds, invalid, set_page_token};
use super::{Request, Services, internal, now_ms};
use crate::domain::clients::{
    ClientSettings, RefreshTokenRotation, TokenValidityUnits, days, hours, load, seconds, secret,
    secret_context,
};
use crate::domain::pools::load as load_pool;
use crate::domain::resource_servers::{STANDARD_SCOPES, custom_scopes};
use crate::domain::schema::SchemaAttribute;
use crate::domain::validate::one_of;
use crate::store::ClientRecord;

const FLOWS: [&str; 9] = [
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

fn bad(message: impl Into<String>) -> CognitoError {
    CognitoError::new(Exception::InvalidParameter, message)
}

/// A redirect URL Cognito would accept: absolute, no fragment, HTTPS or a custom app scheme, plain HTTP
/// only for localhost. Cognate also takes the loopback addresses `127.0.0.1` and `[::1]` over HTTP
/// (RFC 8252 §7.3), where Cognito documents only `localhost`.
pub fn check_redirect_url(url: &str) -> Result<(), CognitoError> {
    let refuse = |why: &str| Err(bad(format!("Invalid redirect URL {url}: {why}")));
    let Some((scheme, rest)) = url.split_once("://") else {
        return refuse("it must be an absolute URL");
    };
    if url.len() > 1024 || rest.is_empty() || scheme.is_empty() || url.chars().any(char::is_whitespace) {
        return refuse("it must be an absolute URL of at most 1024 characters");
    }
    if !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)) {
        return refuse("the scheme is malformed");
    }
    if url.contains('#') {
        return refuse("it must not contain a fragment");
    }
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    if scheme.eq_ignore_ascii_case("http") && !["localhost", "127.0.0.1", "[::1]"].contains(&host) {
        return refuse("HTTPS is required except for http://localhost");
    }
    Ok(())
}

/// Reads the settings from `req` (absent members take their defaults); `has_secret` for OAuth checks.
fn settings(
    req: &Request,
    has_secret: bool,
    schema: &[SchemaAttribute],
    custom_scopes: &[String],
) -> Result<ClientSettings, CognitoError> {
    let units: TokenValidityUnits = req.opt("TokenValidityUnits")?.unwrap_or(TokenValidityUnits {
        access_token: hours(),
        id_token: hours(),
        refresh_token: days(),
    });
    for (member, unit) in [
        ("AccessToken", &units.access_token),
        ("IdToken", &units.id_token),
        ("RefreshToken", &units.refresh_token),
    ] {
        one_of(member, unit, &["seconds", "minutes", "hours", "days"])?;
    }
    let default = |unit: &str, secs: i64| secs / seconds(1, unit);
    let access = req.opt_int("AccessTokenValidity")?.unwrap_or_else(|| default(&units.access_token, 3600));
    let id = req.opt_int("IdTokenValidity")?.unwrap_or_else(|| default(&units.id_token, 3600));
    let refresh = match req.opt_int("RefreshTokenValidity")? {
        None | Some(0) => default(&units.refresh_token, 30 * 86_400),
        Some(n) => n,
    };
    for (member, amount, unit) in
        [("AccessTokenValidity", access, &units.access_token), ("IdTokenValidity", id, &units.id_token)]
    {
        if !(300..=86_400).contains(&seconds(amount, unit)) {
            return Err(bad(format!("{member} must be between 5 minutes and 1 day.")));
        }
    }
    if !(3600..=315_360_000).contains(&seconds(refresh, &units.refresh_token)) {
        return Err(bad("RefreshTokenValidity must be between 60 minutes and 10 years."));
    }
    let flows: Vec<String> = req.opt("ExplicitAuthFlows")?.unwrap_or_else(|| {
        ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"].map(String::from).to_vec()
    });
    for f in &flows {
        one_of("ExplicitAuthFlows", f, &FLOWS)?;
    }
    if flows.iter().any(|f| f.starts_with("ALLOW_")) && flows.iter().any(|f| !f.starts_with("ALLOW_")) {
        return Err(bad("ExplicitAuthFlows can't have both ALLOW_XXX and legacy values."));
    }
    let callback_urls: Vec<String> = req.opt("CallbackURLs")?.unwrap_or_default();
    let logout_urls: Vec<String> = req.opt("LogoutURLs")?.unwrap_or_default();
    if callback_urls.len() > 100 || logout_urls.len() > 100 {
        return Err(bad("A client can have at most 100 callback and 100 logout URLs."));
    }
    for url in callback_urls.iter().chain(&logout_urls) {
        check_redirect_url(url)?;
    }
    let default_redirect_uri = req.opt_string("DefaultRedirectURI")?;
    if let Some(uri) = &default_redirect_uri
        && !callback_urls.contains(uri)
    {
        return Err(bad("DefaultRedirectURI must be one of the CallbackURLs."));
    }
    let oauth_flows: Vec<String> = req.opt("AllowedOAuthFlows")?.unwrap_or_default();
    for f in &oauth_flows {
        one_of("AllowedOAuthFlows", f, &["code", "implicit", "client_credentials"])?;
    }
    let oauth_client = req.opt_bool("AllowedOAuthFlowsUserPoolClient")?.unwrap_or(false);
    let flow_error = |message: &str| CognitoError::new(Exception::InvalidOAuthFlow, message);
    let scopes: Vec<String> = req.opt("AllowedOAuthScopes")?.unwrap_or_default();
    if oauth_client && (oauth_flows.is_empty() || scopes.is_empty()) {
        return Err(bad(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
        ));
    }
    if oauth_flows.iter().any(|f| f == "client_credentials") {
        if oauth_flows.len() > 1 {
            return Err(flow_error(
                "client_credentials flow can not be selected along with code flow or implicit flow.",
            ));
        }
        if !has_secret {
            return Err(flow_error(
                "client_credentials flow can not be selected if client does not have a client secret.",
            ));
        }
        if let Some(s) = scopes.iter().find(|s| STANDARD_SCOPES.contains(&s.as_str())) {
            return Err(bad(format!(
                "The client_credentials flow takes only custom scopes (a resource server's), not {s}."
            )));
        }
    } else if oauth_client && callback_urls.is_empty() {
        return Err(bad("CallbackURLs can not be empty for the code or implicit flows."));
    }
    for s in &scopes {
        if STANDARD_SCOPES.contains(&s.as_str()) {
            continue;
        }
        if !s.contains('/') {
            return Err(bad(format!("{s} is not a valid scope.")));
        }
        if !custom_scopes.contains(s) {
            return Err(CognitoError::new(
                Exception::ScopeDoesNotExist,
                format!("Invalid scope requested: {s}"),
            ));
        }
    }
    if scopes.iter().any(|s| ["phone", "email", "profile"].contains(&s.as_str()))
        && !scopes.iter().any(|s| s == "openid")
    {
        return Err(bad("Scopes phone, email and profile require the openid scope."));
    }
    let providers: Option<Vec<String>> = req.opt("SupportedIdentityProviders")?;
    if let Some(other) = providers.iter().flatten().find(|p| *p != "COGNITO") {
        // Federation (identity providers of the pool) is not in Cognate yet: COGNITO is the only one.
        return Err(bad(format!("The provider {other} does not exist for User Pool.")));
    }
    let prevent = req.opt_string("PreventUserExistenceErrors")?.unwrap_or_else(|| "ENABLED".to_owned());
    one_of("PreventUserExistenceErrors", &prevent, &["LEGACY", "ENABLED"])?;
    let auth_session_validity = req.opt_int("AuthSessionValidity")?.unwrap_or(3);
    if !(3..=15).contains(&auth_session_validity) {
        return Err(bad("AuthSessionValidity must be between 3 and 15 minutes."));
    }
    let rotation: Option<RefreshTokenRotation> = req.opt("RefreshTokenRotation")?;
    if let Some(r) = &rotation {
        one_of("Feature", &r.feature, &["ENABLED", "DISABLED"])?;
        if r.retry_grace_period_seconds.is_some_and(|s| !(0..=60).contains(&s)) {
            return Err(bad("RetryGracePeriodSeconds must be between 0 and 60."));
        }
    }
    let read_attributes: Option<Vec<String>> = req.opt("ReadAttributes")?;
    let write_attributes: Option<Vec<String>> = req.opt("WriteAttributes")?;
    for name in read_attributes.iter().chain(&write_attributes).flatten() {
        if !schema.iter().any(|s| &s.name == name) {
            return Err(bad(format!("Invalid {name} attribute: it is not in the user pool's schema.")));
        }
    }
    Ok(ClientSettings {
        refresh_token_validity: refresh,
        access_token_validity: access,
        id_token_validity: id,
        token_validity_units: units,
        read_attributes,
        write_attributes,
        explicit_auth_flows: flows,
        supported_identity_providers: providers,
        callback_urls,
        logout_urls,
        default_redirect_uri,
        allowed_oauth_flows: oauth_flows,
        allowed_oauth_scopes: scopes,
        allowed_oauth_flows_user_pool_client: oauth_client,
        analytics_configuration: req.opt("AnalyticsConfiguration")?,
        prevent_user_existence_errors: prevent,
        enable_token_revocation: req.opt_bool("EnableTokenRevocation")?.unwrap_or(true),
        enable_propagate_additional_user_context_data: req
            .opt_bool("EnablePropagateAdditionalUserContextData")?
            .unwrap_or(false),
        auth_session_validity,
        refresh_token_rotation: rotation,
    })
}

fn client_json(svc: &Services, client: &ClientRecord) -> Result<Value, CognitoError> {
    let mut out = client.doc.clone();
    out["UserPoolId"] = json!(client.pool_id);
    out["ClientName"] = json!(client.name);
    out["ClientId"] = json!(client.id);
    out["CreationDate"] = epoch_seconds(client.created_ms);
    out["LastModifiedDate"] = epoch_seconds(client.modified_ms);
    if let Some(secret) = secret(svc, client)? {
        out["ClientSecret"] = json!(String::from_utf8_lossy(&secret));
    }
    Ok(out)
}

fn client_name(req: &Request) -> Result<String, CognitoError> {
    let name = req.string("ClientName")?;
    check_len("ClientName", &name, 1, 128)?;
    if !name.chars().all(|c| c.is_alphanumeric() || c.is_whitespace() || "_+=,.@-".contains(c)) {
        return Err(invalid(
            "ClientName",
            &name,
            "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        ));
    }
    Ok(name)
}

/// CreateUserPoolClient.
pub async fn create(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, pool_settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let name = client_name(&req)?;
    let generate_secret = req.opt_bool("GenerateSecret")?.unwrap_or(false);
    let given_secret = req.opt_string("ClientSecret")?;
    if let Some(secret) = &given_secret {
        if generate_secret {
            return Err(bad("ClientSecret cannot be given together with GenerateSecret."));
        }
        // The value is never echoed back in the message.
        if !(24..=64).contains(&secret.chars().count()) {
            return Err(invalid("ClientSecret", "***", "Member must have length between 24 and 64"));
        }
        if !secret.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '+') {
            return Err(invalid(
                "ClientSecret",
                "***",
                "Member must satisfy regular expression pattern: [\\w+]+",
            ));
        }
    }
    let has_secret = generate_secret || given_secret.is_some();
    let custom = custom_scopes(svc, &pool.id).await?;
    let settings = settings(&req, has_secret, &pool_settings.schema, &custom)?;
    let id = crate::ids::client_id();
    let secret = has_secret.then(|| {
        let plain = given_secret.unwrap_or_else(crate::ids::client_secret);
        svc.sealer.seal(&secret_context(&id), plain.as_bytes())
    });
    let now = now_ms();
    let client = ClientRecord {
        id,
        pool_id: pool.id,
        name,
        secret,
        doc: serde_json::to_value(&settings).unwrap_or(Value::Null),
        created_ms: now,
        modified_ms: now,
    };
    svc.store.insert_client(&client).await.map_err(internal)?;
    Ok(json!({ "UserPoolClient": client_json(svc, &client)? }))
}

/// DescribeUserPoolClient (shows the secret, as Cognito does).
pub async fn describe(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let client = load(svc, &req.string("UserPoolId")?, &req.string("ClientId")?).await?;
    Ok(json!({ "UserPoolClient": client_json(svc, &client)? }))
}

/// UpdateUserPoolClient: replaces the settings; absent members take their defaults.
pub async fn update(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, pool_settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let mut client = load(svc, &req.string("UserPoolId")?, &req.string("ClientId")?).await?;
    if req.get("ClientName").is_some() {
        client.name = client_name(&req)?;
    }
    let custom = custom_scopes(svc, &client.pool_id).await?;
    let settings = settings(&req, client.secret.is_some(), &pool_settings.schema, &custom)?;
    client.doc = serde_json::to_value(settings).unwrap_or(Value::Null);
    client.modified_ms = now_ms();
    svc.store.update_client(&client).await.map_err(internal)?;
    Ok(json!({ "UserPoolClient": client_json(svc, &client)? }))
}

/// DeleteUserPoolClient.
pub async fn delete(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let client = load(svc, &req.string("UserPoolId")?, &req.string("ClientId")?).await?;
    svc.store.delete_client(&client.id).await.map_err(internal)?;
    Ok(json!({}))
}

/// ListUserPoolClients.
pub async fn list(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let limit = req.limit("MaxResults", 60, 60, 1)?;
    let after = req.page_after("NextToken")?;
    let page = svc.store.list_clients(&pool.id, after.as_deref(), limit).await.map_err(internal)?;
    let clients: Vec<Value> = page
        .items
        .iter()
        .map(|c| json!({ "ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name }))
        .collect();
    let mut out = json!({ "UserPoolClients": clients });
    set_page_token(&mut out, "NextToken", page.next);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_urls_follow_cognitos_rules() {
        for good in [
            "https://app.example.com/cb",
            "http://localhost:3000/cb",
            "myapp://callback",
            "https://x.io/?a=b",
        ] {
            assert_eq!(check_redirect_url(good), Ok(()), "{good}");
        }
        for bad in
            ["http://example.com/cb", "https://x.io/#frag", "/relative", "https://", "not a url", "ht tp://x"]
        {
            assert!(check_redirect_url(bad).is_err(), "{bad}");
        }
    }
}
