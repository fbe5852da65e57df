//! User pool domains: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
//! DeleteUserPoolDomain.

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::{Request, Services, internal, now_ms};
use crate::domain::domains::{check_name, is_custom, served_at, version};
use crate::domain::pools::load as load_pool;
use crate::store::{DomainRecord, StoreError, Taken};

fn bad(message: impl Into<String>) -> CognitoError {
    CognitoError::new(Exception::InvalidParameter, message)
}

/// The domain's settings from the request: `ManagedLoginVersion` (1 or 2) and `CustomDomainConfig`.
fn settings(req: &Request, previous: Option<&Value>) -> Result<Value, CognitoError> {
    let version = match req.opt_int("ManagedLoginVersion")? {
        Some(v @ (1 | 2)) => v,
        Some(v) => return Err(bad(format!("ManagedLoginVersion must be 1 or 2, not {v}."))),
        None => previous.and_then(|p| p.get("ManagedLoginVersion")).and_then(Value::as_i64).unwrap_or(1),
    };
    let custom = match req.get("CustomDomainConfig") {
        Some(config) => {
            let arn = config.get("CertificateArn").and_then(Value::as_str).unwrap_or("");
            if !arn.starts_with("arn:") {
                return Err(bad("CustomDomainConfig.CertificateArn must be an ARN."));
            }
            Some(json!({ "CertificateArn": arn }))
        }
        None => previous.and_then(|p| p.get("CustomDomainConfig")).cloned(),
    };
    let mut doc = json!({ "ManagedLoginVersion": version });
    if let Some(custom) = custom.filter(|c| !c.is_null()) {
        doc["CustomDomainConfig"] = custom;
    }
    Ok(doc)
}

/// CreateUserPoolDomain.
pub async fn create(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let name = req.string("Domain")?;
    let doc = settings(&req, None)?;
    check_name(&name, doc.get("CustomDomainConfig").is_some())?;
    if svc.store.domain_of_pool(&pool.id).await.map_err(internal)?.is_some() {
        return Err(bad(format!("User pool {} already has a domain configured.", pool.id)));
    }
    let record = DomainRecord { domain: name.clone(), pool_id: pool.id, doc, created_ms: now_ms() };
    match svc.store.insert_domain(&record).await {
        Ok(()) => {}
        Err(StoreError::Conflict(Taken::Domain)) => {
            return Err(bad(format!("Domain {name} is already associated with a user pool.")));
        }
        Err(e) => return Err(internal(e)),
    }
    Ok(json!({ "CloudFrontDomain": served_at(svc, &record), "ManagedLoginVersion": version(&record) }))
}

/// DescribeUserPoolDomain: an unknown domain is 200 with an empty `DomainDescription`, as Cognito.
pub async fn describe(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let name = req.string("Domain")?;
    let Some(record) = crate::domain::domains::by_name(svc, &name).await? else {
        return Ok(json!({ "DomainDescription": {} }));
    };
    let mut out = json!({
        "UserPoolId": record.pool_id,
        "AWSAccountId": "000000000000",
        "Domain": record.domain,
        "CloudFrontDistribution": served_at(svc, &record),
        "Version": "1",
        "Status": "ACTIVE",
        "ManagedLoginVersion": version(&record),
    });
    if is_custom(&record) {
        out["CustomDomainConfig"] = record.doc["CustomDomainConfig"].clone();
    }
    Ok(json!({ "DomainDescription": out }))
}

async fn owned(svc: &Services, req: &Request) -> Result<DomainRecord, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let name = req.string("Domain")?;
    match crate::domain::domains::by_name(svc, &name).await? {
        Some(record) if record.pool_id == pool.id => Ok(record),
        _ => Err(CognitoError::new(
            Exception::ResourceNotFound,
            format!("Domain {name} does not exist in user pool {}.", pool.id),
        )),
    }
}

/// UpdateUserPoolDomain: the managed login version or the custom domain's certificate.
pub async fn update(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let mut record = owned(svc, &req).await?;
    let doc = settings(&req, Some(&record.doc))?;
    if doc.get("CustomDomainConfig").is_some() != is_custom(&record) {
        return Err(bad("A prefix domain cannot become a custom domain, nor the other way round."));
    }
    record.doc = doc;
    svc.store.update_domain(&record).await.map_err(internal)?;
    Ok(json!({ "CloudFrontDomain": served_at(svc, &record), "ManagedLoginVersion": version(&record) }))
}

/// DeleteUserPoolDomain.
pub async fn delete(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let record = owned(svc, &req).await?;
    svc.store.delete_domain(&record.domain).await.map_err(internal)?;
    Ok(json!({}))
}
