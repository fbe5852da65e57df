//! Rows to records and back: the mapping shared by the SQL store's methods.

use std::collections::BTreeMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use super::errors::{backend, conflict};
use super::{
    ClientRecord, CodeRecord, GroupRecord, Message, PoolRecord, StoreError, Taken, UserRecord, UserStatus,
};

fn json(text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Backend(format!("corrupt document: {e}")))
}

pub(super) fn pool_from(row: &AnyRow) -> Result<PoolRecord, StoreError> {
    Ok(PoolRecord {
        id: row.try_get("id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        doc: json(&row.try_get::<String, _>("doc").map_err(backend)?)?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
        modified_ms: row.try_get("modified_ms").map_err(backend)?,
    })
}

pub(super) fn client_from(row: &AnyRow) -> Result<ClientRecord, StoreError> {
    Ok(ClientRecord {
        id: row.try_get("id").map_err(backend)?,
        pool_id: row.try_get("pool_id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        secret: row.try_get("secret").map_err(backend)?,
        doc: json(&row.try_get::<String, _>("doc").map_err(backend)?)?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
        modified_ms: row.try_get("modified_ms").map_err(backend)?,
    })
}

pub(super) fn user_from(row: &AnyRow) -> Result<UserRecord, StoreError> {
    let attributes: BTreeMap<String, String> =
        serde_json::from_str(&row.try_get::<String, _>("attributes").map_err(backend)?)
            .map_err(|e| StoreError::Backend(format!("corrupt attributes: {e}")))?;
    Ok(UserRecord {
        pool_id: row.try_get("pool_id").map_err(backend)?,
        key: row.try_get("username_key").map_err(backend)?,
        username: row.try_get("username").map_err(backend)?,
        sub: row.try_get("sub").map_err(backend)?,
        status: {
            let name: String = row.try_get("status").map_err(backend)?;
            UserStatus::from_name(&name)
                .ok_or_else(|| StoreError::Backend(format!("corrupt user status {name:?}")))?
        },
        enabled: row.try_get::<i64, _>("enabled").map_err(backend)? != 0,
        attributes,
        verifier: row.try_get("verifier").map_err(backend)?,
        aliases: Vec::new(),
        created_ms: row.try_get("created_ms").map_err(backend)?,
        modified_ms: row.try_get("modified_ms").map_err(backend)?,
    })
}

pub(super) fn group_from(row: &AnyRow) -> Result<GroupRecord, StoreError> {
    Ok(GroupRecord {
        pool_id: row.try_get("pool_id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        description: row.try_get("description").map_err(backend)?,
        precedence: row.try_get("precedence").map_err(backend)?,
        role_arn: row.try_get("role_arn").map_err(backend)?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
        modified_ms: row.try_get("modified_ms").map_err(backend)?,
    })
}

/// The attributes ListUsers filters on, as index rows.
pub(super) fn index_rows(user: &UserRecord) -> Vec<(&'static str, String)> {
    const FILTERABLE: [&str; 7] =
        ["email", "phone_number", "name", "given_name", "family_name", "preferred_username", "sub"];
    let mut rows = vec![
        ("username", user.key.clone()),
        ("cognito:user_status", user.status.as_str().to_owned()),
        ("status", if user.enabled { "Enabled" } else { "Disabled" }.to_owned()),
    ];
    for name in FILTERABLE {
        if let Some(value) = user.attributes.get(name) {
            rows.push((name, value.clone()));
        }
    }
    rows
}

pub(super) async fn write_user_children(
    tx: &mut sqlx::AnyConnection,
    user: &UserRecord,
    messages: &[Message],
    codes: &[CodeRecord],
) -> Result<(), StoreError> {
    for c in codes {
        sqlx::query("DELETE FROM codes WHERE pool_id = $1 AND username_key = $2 AND purpose = $3")
            .bind(&user.pool_id)
            .bind(&user.key)
            .bind(&c.purpose)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(
            "INSERT INTO codes (pool_id, username_key, purpose, code, expires_ms, attempts) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user.pool_id)
        .bind(&user.key)
        .bind(&c.purpose)
        .bind(c.code.clone())
        .bind(c.expires_ms)
        .bind(c.attempts)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    for (kind, value) in &user.aliases {
        sqlx::query(
            "INSERT INTO user_aliases (pool_id, kind, value, value_key, username_key) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&user.pool_id)
        .bind(kind)
        .bind(value)
        .bind(value_key(value))
        .bind(&user.key)
            .execute(&mut *tx)
            .await
            .map_err(conflict(Taken::Alias(kind.clone())))?;
    }
    for (name, value) in index_rows(user) {
        sqlx::query(
            "INSERT INTO user_index (pool_id, name, value_key, value, username_key) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&user.pool_id)
        .bind(name)
        .bind(value_key(&value))
        .bind(value)
        .bind(&user.key)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    for m in messages {
        sqlx::query(
            "INSERT INTO outbox (id, pool_id, channel, destination, subject, body, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&m.id)
        .bind(&m.pool_id)
        .bind(&m.channel)
        .bind(&m.destination)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(m.created_ms)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

pub(super) fn message_from(r: &AnyRow) -> Result<Message, StoreError> {
    Ok(Message {
        id: r.try_get("id").map_err(backend)?,
        pool_id: r.try_get("pool_id").map_err(backend)?,
        channel: r.try_get("channel").map_err(backend)?,
        destination: r.try_get("destination").map_err(backend)?,
        subject: r.try_get("subject").map_err(backend)?,
        body: r.try_get("body").map_err(backend)?,
        created_ms: r.try_get("created_ms").map_err(backend)?,
        delivered_ms: r.try_get("delivered_ms").map_err(backend)?,
    })
}

/// Longest value an index keys on as it is (bytes); longer ones are keyed by their hash, so an index
/// row stays far below PostgreSQL's limit of 2,704 bytes whatever the value.
const RAW_KEY_MAX: usize = 512;

/// The key the alias and filter indexes hold for `value`: `=` and the value itself when it is short,
/// `#` and its hex SHA-256 otherwise. The first character keeps the two forms apart, so no short value
/// can pass for a long one's hash.
pub(super) fn value_key(value: &str) -> String {
    use sha2::Digest as _;
    if value.len() <= RAW_KEY_MAX {
        format!("={value}")
    } else {
        let digest = sha2::Sha256::digest(value.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("#{hex}")
    }
}

/// Gives the long values copied by migration 0009 (keyed `=value`) their hashed key; a no-op once
/// done, and cheap: only values over 128 characters can be over 512 bytes.
pub(super) async fn rekey_long_values(db: &sqlx::AnyPool) -> Result<(), StoreError> {
    for (table, kind) in [("user_aliases", "kind"), ("user_index", "name")] {
        let rows = sqlx::query(&format!(
            "SELECT pool_id, {kind} AS k, value, value_key, username_key FROM {table} WHERE length(value) > 128"
        ))
        .fetch_all(db)
        .await
        .map_err(backend)?;
        for row in rows {
            let value: String = row.try_get("value").map_err(backend)?;
            let old: String = row.try_get("value_key").map_err(backend)?;
            let new = value_key(&value);
            if old != new {
                sqlx::query(&format!(
                    "UPDATE {table} SET value_key = $1 WHERE pool_id = $2 AND {kind} = $3 AND value_key = $4 \
                     AND username_key = $5"
                ))
                .bind(new)
                .bind(row.try_get::<String, _>("pool_id").map_err(backend)?)
                .bind(row.try_get::<String, _>("k").map_err(backend)?)
                .bind(old)
                .bind(row.try_get::<String, _>("username_key").map_err(backend)?)
                .execute(db)
                .await
                .map_err(backend)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{rekey_long_values, value_key};
    use crate::store::{PoolRecord, SqlStore, Store, UserRecord, UserStatus};

    #[test]
    fn index_keys_are_bounded_and_distinct() {
        let short = "a".repeat(512);
        assert_eq!(value_key(&short), format!("={short}"));
        let long = "é".repeat(2048); // 4,096 bytes
        let key = value_key(&long);
        assert!(key.starts_with('#') && key.len() == 65, "{key}");
        assert_ne!(value_key(&"é".repeat(2047)), key);
        // A short value spelled like a hash key is still a different key.
        assert_ne!(value_key(&key[1..]), key);
        assert_ne!(value_key(&key), key);
    }

    #[tokio::test]
    async fn long_values_copied_by_migration_0009_are_re_keyed() {
        let path = std::env::temp_dir().join(format!("cognate-rekey-{}.db", uuid::Uuid::new_v4()));
        let store = SqlStore::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
        let pool = PoolRecord {
            id: "us-east-1_ReKey0001".into(),
            name: "r".into(),
            doc: serde_json::json!({}),
            created_ms: 0,
            modified_ms: 0,
        };
        store.insert_pool(&pool).await.unwrap();
        let long = "ü".repeat(300); // 600 bytes: keyed by its hash
        let short = "al".to_owned();
        let user = UserRecord {
            pool_id: pool.id.clone(),
            key: "alice".into(),
            username: "alice".into(),
            sub: "7d3c4b1e-0000-4000-8000-000000000001".into(),
            status: UserStatus::Confirmed,
            enabled: true,
            attributes: BTreeMap::new(),
            verifier: None,
            aliases: vec![("preferred_username".into(), long.clone()), ("email".into(), short.clone())],
            created_ms: 0,
            modified_ms: 0,
        };
        store.insert_user(&user, &[], &[]).await.unwrap();
        // What the migration leaves: every value keyed as itself.
        sqlx::query("UPDATE user_aliases SET value_key = '=' || value").execute(store.db()).await.unwrap();
        let find = |kind: &'static str, value: String| {
            let store = store.clone();
            async move { store.user_by_alias("us-east-1_ReKey0001", kind, &value).await.unwrap() }
        };
        assert_eq!(
            find("preferred_username", long.clone()).await,
            None,
            "the long value is not found as copied"
        );
        rekey_long_values(store.db()).await.unwrap();
        assert_eq!(find("preferred_username", long).await.as_deref(), Some("alice"));
        assert_eq!(find("email", short).await.as_deref(), Some("alice"));
    }
}
