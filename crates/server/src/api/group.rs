//! Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
//! AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::wire::{check_len, epoch_seconds, invalid, set_page_token};
use super::{Request, Services, internal, now_ms};
use crate::domain::pools::load as load_pool;
use crate::domain::users::{resolve, user_type};
use crate::store::{GroupRecord, PoolRecord, StoreError};

fn group_json(g: &GroupRecord) -> Value {
    let mut out = json!({
        "GroupName": g.name,
        "UserPoolId": g.pool_id,
        "CreationDate": epoch_seconds(g.created_ms),
        "LastModifiedDate": epoch_seconds(g.modified_ms),
    });
    if let Some(d) = &g.description {
        out["Description"] = json!(d);
    }
    if let Some(r) = &g.role_arn {
        out["RoleArn"] = json!(r);
    }
    if let Some(p) = g.precedence {
        out["Precedence"] = json!(p);
    }
    out
}

fn group_not_found() -> CognitoError {
    CognitoError::new(Exception::ResourceNotFound, "Group not found.")
}

fn group_name(req: &Request) -> Result<String, CognitoError> {
    let name = req.string("GroupName")?;
    check_len("GroupName", &name, 1, 128)?;
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            "GroupName",
            &name,
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(name)
}

/// Reads Description, RoleArn and Precedence into `group` (absent members stay as they are).
fn read_details(req: &Request, group: &mut GroupRecord) -> Result<(), CognitoError> {
    if let Some(d) = req.opt_string("Description")? {
        check_len("Description", &d, 0, 2048)?;
        group.description = Some(d);
    }
    if let Some(r) = req.opt_string("RoleArn")? {
        check_len("RoleArn", &r, 20, 2048)?;
        if !r.starts_with("arn:") {
            return Err(invalid(
                "RoleArn",
                &r,
                "Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?",
            ));
        }
        group.role_arn = Some(r);
    }
    if let Some(p) = req.opt_int("Precedence")? {
        if p < 0 {
            return Err(invalid(
                "Precedence",
                &p.to_string(),
                "Member must have value greater than or equal to 0",
            ));
        }
        group.precedence = Some(p);
    }
    Ok(())
}

async fn load(svc: &Services, req: &Request) -> Result<(PoolRecord, GroupRecord), CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let group =
        svc.store.group(&pool.id, &group_name(req)?).await.map_err(internal)?.ok_or_else(group_not_found)?;
    Ok((pool, group))
}

fn paged(items: Vec<Value>, member: &str, next: Option<String>, token_member: &str) -> Value {
    let mut out = json!({ member: items });
    set_page_token(&mut out, token_member, next);
    out
}

/// CreateGroup.
pub async fn create(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let now = now_ms();
    let mut group = GroupRecord {
        pool_id: pool.id,
        name: group_name(&req)?,
        description: None,
        precedence: None,
        role_arn: None,
        created_ms: now,
        modified_ms: now,
    };
    read_details(&req, &mut group)?;
    svc.store.insert_group(&group).await.map_err(|e| match e {
        StoreError::Conflict(_) => {
            CognitoError::new(Exception::GroupExists, "A group with the name already exists.")
        }
        other => internal(other),
    })?;
    Ok(json!({ "Group": group_json(&group) }))
}

/// GetGroup.
pub async fn get(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, group) = load(svc, &req).await?;
    Ok(json!({ "Group": group_json(&group) }))
}

/// UpdateGroup.
pub async fn update(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (_, mut group) = load(svc, &req).await?;
    read_details(&req, &mut group)?;
    group.modified_ms = now_ms();
    svc.store.update_group(&group).await.map_err(|e| match e {
        StoreError::NotFound => group_not_found(),
        other => internal(other),
    })?;
    Ok(json!({ "Group": group_json(&group) }))
}

/// DeleteGroup.
pub async fn delete(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, group) = load(svc, &req).await?;
    svc.store.delete_group(&pool.id, &group.name).await.map_err(|e| match e {
        StoreError::NotFound => group_not_found(),
        other => internal(other),
    })?;
    Ok(json!({}))
}

/// ListGroups.
pub async fn list(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, _) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let limit = req.limit("Limit", 60, 60, 0)?;
    let after = req.page_after("NextToken")?;
    let page = svc.store.list_groups(&pool.id, after.as_deref(), limit).await.map_err(internal)?;
    Ok(paged(page.items.iter().map(group_json).collect(), "Groups", page.next, "NextToken"))
}

/// AdminAddUserToGroup.
pub async fn add_user(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, group) = load(svc, &req).await?;
    let (_, settings) = load_pool(svc, &pool.id).await?;
    let user = resolve(svc, &pool, &settings, &req.string("Username")?).await?;
    svc.store.add_member(&pool.id, &group.name, &user.key).await.map_err(internal)?;
    Ok(json!({}))
}

/// AdminRemoveUserFromGroup.
pub async fn remove_user(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, group) = load(svc, &req).await?;
    let (_, settings) = load_pool(svc, &pool.id).await?;
    let user = resolve(svc, &pool, &settings, &req.string("Username")?).await?;
    svc.store.remove_member(&pool.id, &group.name, &user.key).await.map_err(internal)?;
    Ok(json!({}))
}

/// AdminListGroupsForUser.
pub async fn groups_for_user(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let user = resolve(svc, &pool, &settings, &req.string("Username")?).await?;
    let limit = req.limit("Limit", 60, 60, 0)?;
    let after = req.page_after("NextToken")?;
    let page = svc.store.groups_of(&pool.id, &user.key, after.as_deref(), limit).await.map_err(internal)?;
    Ok(paged(page.items.iter().map(group_json).collect(), "Groups", page.next, "NextToken"))
}

/// ListUsersInGroup.
pub async fn users_in_group(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, group) = load(svc, &req).await?;
    let limit = req.limit("Limit", 60, 60, 0)?;
    let after = req.page_after("NextToken")?;
    let page = svc.store.members(&pool.id, &group.name, after.as_deref(), limit).await.map_err(internal)?;
    Ok(paged(
        page.items.iter().map(|u| user_type(u, "Attributes")).collect(),
        "Users",
        page.next,
        "NextToken",
    ))
}
