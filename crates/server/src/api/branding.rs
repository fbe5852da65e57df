//! How the managed login pages look: the managed login branding styles (CreateManagedLoginBranding,
//! DescribeManagedLoginBranding, DescribeManagedLoginBrandingByClient, UpdateManagedLoginBranding,
//! DeleteManagedLoginBranding) and the classic hosted UI's SetUICustomization / GetUICustomization.
//! Settings and assets are stored as given and returned as stored; the pages read the colours they
//! understand from them (`oauth::pages`).

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::wire::epoch_seconds;
use super::{Request, Services, internal, now_ms};
use crate::domain::clients::load as load_client;
use crate::domain::pools::load as load_pool;
use crate::store::{DocumentRecord, StoreError, Taken};

/// The store's kind for branding styles: one per app client, named by the client id.
pub const BRANDING: &str = "branding";
/// The store's kind for classic UI customizations, named by client id or `ALL` for the pool's.
pub const UI: &str = "ui";

fn style_json(record: &DocumentRecord) -> Value {
    let mut out = record.doc.clone();
    out["UserPoolId"] = json!(record.pool_id);
    out["CreationDate"] = epoch_seconds(record.created_ms);
    out["LastModifiedDate"] = epoch_seconds(record.modified_ms);
    out
}

/// Settings and assets from the request, checked for shape.
fn style(req: &Request, previous: Option<&Value>) -> Result<Value, CognitoError> {
    let mut doc = previous.cloned().unwrap_or_else(|| json!({}));
    let use_cognito = req.opt_bool("UseCognitoProvidedValues")?.unwrap_or(false);
    doc["UseCognitoProvidedValues"] = json!(use_cognito);
    if let Some(settings) = req.get("Settings") {
        if use_cognito {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                "Settings cannot be given when UseCognitoProvidedValues is true.",
            ));
        }
        if !settings.is_object() {
            return Err(CognitoError::new(Exception::InvalidParameter, "Settings must be a JSON object."));
        }
        doc["Settings"] = settings.clone();
    } else if use_cognito {
        doc.as_object_mut().map(|d| d.remove("Settings"));
    }
    if let Some(assets) = req.get("Assets") {
        let list = assets.as_array().ok_or_else(|| {
            CognitoError::new(Exception::InvalidParameter, "Assets must be a list of AssetType.")
        })?;
        if list.len() > 40 {
            return Err(CognitoError::new(Exception::InvalidParameter, "At most 40 assets."));
        }
        for asset in list {
            for member in ["Category", "ColorMode", "Extension"] {
                if !asset.get(member).is_some_and(Value::is_string) {
                    return Err(CognitoError::new(
                        Exception::InvalidParameter,
                        format!("Each asset needs {member}."),
                    ));
                }
            }
        }
        doc["Assets"] = assets.clone();
    }
    Ok(doc)
}

async fn by_id(svc: &Services, pool_id: &str, id: &str) -> Result<DocumentRecord, CognitoError> {
    let mut after: Option<String> = None;
    loop {
        let page =
            svc.store.list_documents(pool_id, BRANDING, after.as_deref(), 100).await.map_err(internal)?;
        if let Some(found) = page.items.into_iter().find(|d| d.doc["ManagedLoginBrandingId"] == json!(id)) {
            return Ok(found);
        }
        match page.next {
            Some(next) => after = Some(next),
            None => {
                return Err(CognitoError::new(
                    Exception::ResourceNotFound,
                    format!("Managed login branding {id} does not exist."),
                ));
            }
        }
    }
}

/// CreateManagedLoginBranding: one style per app client.
pub async fn create(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let client = load_client(svc, &pool.id, &req.string("ClientId")?).await?;
    let mut doc = style(&req, None)?;
    doc["ManagedLoginBrandingId"] = json!(uuid::Uuid::new_v4().to_string());
    let now = now_ms();
    let record = DocumentRecord {
        pool_id: pool.id,
        kind: BRANDING.to_owned(),
        name: client.id.clone(),
        doc,
        created_ms: now,
        modified_ms: now,
    };
    match svc.store.insert_document(&record).await {
        Ok(()) => Ok(json!({ "ManagedLoginBranding": style_json(&record) })),
        Err(StoreError::Conflict(Taken::Document)) => Err(CognitoError::new(
            Exception::ManagedLoginBrandingExists,
            format!("App client {} already has a managed login branding style.", client.id),
        )),
        Err(e) => Err(internal(e)),
    }
}

/// DescribeManagedLoginBranding.
pub async fn describe(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let record = by_id(svc, &pool.id, &req.string("ManagedLoginBrandingId")?).await?;
    Ok(json!({ "ManagedLoginBranding": style_json(&record) }))
}

/// DescribeManagedLoginBrandingByClient.
pub async fn describe_by_client(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let client_id = req.string("ClientId")?;
    let record =
        svc.store.document(&pool.id, BRANDING, &client_id).await.map_err(internal)?.ok_or_else(|| {
            CognitoError::new(
                Exception::ResourceNotFound,
                format!("App client {client_id} has no managed login branding style."),
            )
        })?;
    Ok(json!({ "ManagedLoginBranding": style_json(&record) }))
}

/// UpdateManagedLoginBranding: replaces the settings and assets given.
pub async fn update(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let mut record = by_id(svc, &pool.id, &req.string("ManagedLoginBrandingId")?).await?;
    record.doc = style(&req, Some(&record.doc))?;
    record.modified_ms = now_ms();
    svc.store.put_document(&record).await.map_err(internal)?;
    Ok(json!({ "ManagedLoginBranding": style_json(&record) }))
}

/// DeleteManagedLoginBranding.
pub async fn delete(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let record = by_id(svc, &pool.id, &req.string("ManagedLoginBrandingId")?).await?;
    svc.store.delete_document(&pool.id, BRANDING, &record.name).await.map_err(internal)?;
    Ok(json!({}))
}

async fn ui_target(svc: &Services, req: &Request) -> Result<(String, String), CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let client = match req.opt_string("ClientId")? {
        Some(id) if id != "ALL" => load_client(svc, &pool.id, &id).await?.id,
        _ => "ALL".to_owned(),
    };
    Ok((pool.id, client))
}

fn ui_json(record: &DocumentRecord) -> Value {
    let mut out = record.doc.clone();
    out["UserPoolId"] = json!(record.pool_id);
    out["ClientId"] = json!(record.name);
    out["CSSVersion"] = json!(record.modified_ms.to_string());
    out["CreationDate"] = epoch_seconds(record.created_ms);
    out["LastModifiedDate"] = epoch_seconds(record.modified_ms);
    out
}

/// SetUICustomization: the classic hosted UI's CSS and logo, for one client or (`ALL`) the pool.
pub async fn set_ui(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool_id, client) = ui_target(svc, &req).await?;
    let css = req.opt_string("CSS")?;
    if css.as_ref().is_some_and(|c| c.len() > 131_072) {
        return Err(CognitoError::new(Exception::InvalidParameter, "CSS must be at most 128 KiB."));
    }
    let mut doc = json!({});
    if let Some(css) = css {
        doc["CSS"] = json!(css);
    }
    if let Some(image) = req.opt_string("ImageFile")? {
        doc["ImageFile"] = json!(image);
    }
    let now = now_ms();
    let created =
        svc.store.document(&pool_id, UI, &client).await.map_err(internal)?.map_or(now, |d| d.created_ms);
    let record = DocumentRecord {
        pool_id,
        kind: UI.to_owned(),
        name: client,
        doc,
        created_ms: created,
        modified_ms: now,
    };
    svc.store.put_document(&record).await.map_err(internal)?;
    Ok(json!({ "UICustomization": ui_json(&record) }))
}

/// GetUICustomization: the client's, else the pool's, else an empty one.
pub async fn get_ui(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool_id, client) = ui_target(svc, &req).await?;
    let mut found = svc.store.document(&pool_id, UI, &client).await.map_err(internal)?;
    if found.is_none() && client != "ALL" {
        found = svc.store.document(&pool_id, UI, "ALL").await.map_err(internal)?;
    }
    Ok(json!({ "UICustomization": match found {
        Some(record) => ui_json(&record),
        None => json!({ "UserPoolId": pool_id, "ClientId": client }),
    }}))
}
