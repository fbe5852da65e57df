//! Resource servers: CreateResourceServer, DescribeResourceServer, ListResourceServers,
//! UpdateResourceServer, DeleteResourceServer.

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::wire::set_page_token;
use super::{Request, Services, internal, now_ms};
use crate::domain::pools::load as load_pool;
use crate::domain::resource_servers::{KIND, ResourceServer};
use crate::store::{DocumentRecord, StoreError, Taken};

fn read(req: &Request, pool_id: &str) -> Result<ResourceServer, CognitoError> {
    let server = ResourceServer {
        user_pool_id: pool_id.to_owned(),
        identifier: req.string("Identifier")?,
        name: req.string("Name")?,
        scopes: req.opt("Scopes")?.unwrap_or_default(),
    };
    server.check()?;
    Ok(server)
}

fn not_found(identifier: &str) -> CognitoError {
    CognitoError::new(Exception::ResourceNotFound, format!("Resource server {identifier} does not exist."))
}

fn record(server: &ResourceServer, created_ms: i64) -> DocumentRecord {
    DocumentRecord {
        pool_id: server.user_pool_id.clone(),
        kind: KIND.to_owned(),
        name: server.identifier.clone(),
        doc: serde_json::to_value(server).unwrap_or(Value::Null),
        created_ms,
        modified_ms: now_ms(),
    }
}

async fn load(svc: &Services, pool_id: &str, identifier: &str) -> Result<DocumentRecord, CognitoError> {
    svc.store
        .document(pool_id, KIND, identifier)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found(identifier))
}

/// CreateResourceServer.
pub async fn create(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let server = read(&req, &pool.id)?;
    if svc.store.list_documents(&pool.id, KIND, None, 25).await.map_err(internal)?.next.is_some() {
        return Err(CognitoError::new(
            Exception::LimitExceeded,
            "A user pool can have at most 25 resource servers.",
        ));
    }
    match svc.store.insert_document(&record(&server, now_ms())).await {
        Ok(()) => Ok(json!({ "ResourceServer": server })),
        Err(StoreError::Conflict(Taken::Document)) => Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("{} already exists in user pool {}.", server.identifier, pool.id),
        )),
        Err(e) => Err(internal(e)),
    }
}

/// DescribeResourceServer.
pub async fn describe(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let found = load(svc, &pool.id, &req.string("Identifier")?).await?;
    Ok(json!({ "ResourceServer": found.doc }))
}

/// ListResourceServers.
pub async fn list(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let limit = req.limit("MaxResults", 50, 50, 1)?;
    let after = req.page_after("NextToken")?;
    let page = svc.store.list_documents(&pool.id, KIND, after.as_deref(), limit).await.map_err(internal)?;
    let servers: Vec<Value> = page.items.into_iter().map(|d| d.doc).collect();
    let mut out = json!({ "ResourceServers": servers });
    set_page_token(&mut out, "NextToken", page.next);
    Ok(out)
}

/// UpdateResourceServer: replaces the name and scopes (omitted scopes are removed).
pub async fn update(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let server = read(&req, &pool.id)?;
    let found = load(svc, &pool.id, &server.identifier).await?;
    svc.store.put_document(&record(&server, found.created_ms)).await.map_err(internal)?;
    Ok(json!({ "ResourceServer": server }))
}

/// DeleteResourceServer.
pub async fn delete(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let identifier = req.string("Identifier")?;
    if !svc.store.delete_document(&pool.id, KIND, &identifier).await.map_err(internal)? {
        return Err(not_found(&identifier));
    }
    Ok(json!({}))
}
