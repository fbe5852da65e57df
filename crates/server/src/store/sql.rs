//! [`Store`] on SQL through sqlx's `Any` driver: SQLite or PostgreSQL, chosen by the URL, with the same
//! statements (`$n` placeholders work in both) and the same migrations.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Row};

use super::errors::{backend, conflict};
use super::rows::{
    client_from, group_from, message_from, pool_from, rekey_long_values, user_from, value_key,
    write_user_children,
};
use super::{
    ClientRecord, CodeRecord, GroupRecord, Message, Page, PoolRecord, Store, StoreError, Taken, UserFilter,
    UserRecord,
};

/// The SQL store.
#[derive(Debug, Clone)]
pub struct SqlStore {
    db: AnyPool,
}

/// Fetches `limit + 1` rows' worth: returns the page and the key to continue after.
fn page<T>(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Page<T> {
    let more = items.len() > limit;
    items.truncate(limit);
    let next = if more { items.last().map(key) } else { None };
    Page { items, next }
}

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX)
}

impl SqlStore {
    /// The connection pool.
    pub(super) fn db(&self) -> &AnyPool {
        &self.db
    }

    /// Connects to `url` (`sqlite://...` or `postgres://...`) and applies the migrations.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the database cannot be opened or migrated.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let db = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // Acknowledged writes survive a crash (FULL), writers wait for each other.
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                    }
                    Ok(())
                })
            })
            .after_release(|conn, _| {
                // A connection still in a transaction (its future was dropped mid-transaction, or
                // its commit or rollback failed) is closed, never reused: statements on it would
                // run inside a transaction that is never committed, and be acknowledged and lost.
                let reuse = !conn.is_in_transaction();
                Box::pin(async move { Ok(reuse) })
            })
            .connect(url)
            .await
            .map_err(backend)?;
        if sqlite {
            db.execute("PRAGMA journal_mode = WAL").await.map_err(backend)?;
        }
        // Rows that migration 0009 copies need re-keying once, right after it runs; a new database
        // (no migrations table yet) has none.
        let rekey = sqlx::query("SELECT version FROM _sqlx_migrations WHERE version = 9")
            .fetch_optional(&db)
            .await
            .is_ok_and(|applied| applied.is_none());
        sqlx::migrate!("./migrations").run(&db).await.map_err(|e| StoreError::Backend(e.to_string()))?;
        if rekey {
            rekey_long_values(&db).await?;
        }
        Ok(Self { db })
    }

    /// A connection of its own for a transaction (see [`finish`]).
    async fn writer(&self) -> Result<PoolConnection<Any>, StoreError> {
        self.db.acquire().await.map_err(backend)
    }

    async fn user_rows(&self, rows: Vec<AnyRow>) -> Result<Vec<UserRecord>, StoreError> {
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            let mut user = user_from(&row)?;
            let aliases =
                sqlx::query("SELECT kind, value FROM user_aliases WHERE pool_id = $1 AND username_key = $2")
                    .bind(&user.pool_id)
                    .bind(&user.key)
                    .fetch_all(&self.db)
                    .await
                    .map_err(backend)?;
            for a in aliases {
                user.aliases
                    .push((a.try_get("kind").map_err(backend)?, a.try_get("value").map_err(backend)?));
            }
            users.push(user);
        }
        Ok(users)
    }
}

/// Ends the transaction that `body` ran in on `conn`: commits it when the body succeeded, rolls it
/// back when it failed. A write is acknowledged only when its commit succeeded; and when the commit or
/// the rollback failed (a full or failing disk), the connection's state is unknown, so it is closed
/// instead of going back to the pool.
async fn finish(
    conn: &mut PoolConnection<Any>,
    body: impl AsyncFnOnce(&mut AnyConnection) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let (result, clean) = run_transaction(conn, body).await;
    if !clean {
        tracing::warn!("a transaction did not end cleanly; its connection is closed");
        conn.close_on_drop();
    }
    result
}

/// The transaction of [`finish`]: its outcome, and whether it ended cleanly (committed, or rolled back).
async fn run_transaction(
    conn: &mut AnyConnection,
    body: impl AsyncFnOnce(&mut AnyConnection) -> Result<(), StoreError>,
) -> (Result<(), StoreError>, bool) {
    let mut tx = match conn.begin().await {
        Ok(tx) => tx,
        Err(err) => return (Err(backend(err)), false),
    };
    match body(&mut tx).await {
        Ok(()) => match tx.commit().await {
            Ok(()) => (Ok(()), true),
            Err(err) => (Err(backend(err)), false),
        },
        Err(err) => {
            let clean = tx.rollback().await.is_ok();
            (Err(err), clean)
        }
    }
}

fn attributes_text(user: &UserRecord) -> Result<String, StoreError> {
    serde_json::to_string(&user.attributes).map_err(|e| StoreError::Backend(e.to_string()))
}

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn insert_pool(&self, pool: &PoolRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_pools (id, name, doc, created_ms, modified_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&pool.id)
        .bind(&pool.name)
        .bind(pool.doc.to_string())
        .bind(pool.created_ms)
        .bind(pool.modified_ms)
        .execute(&self.db)
        .await
        .map_err(conflict(Taken::Pool))?;
        Ok(())
    }

    async fn pool(&self, id: &str) -> Result<Option<PoolRecord>, StoreError> {
        let row =
            sqlx::query("SELECT * FROM user_pools WHERE id = $1").bind(id).fetch_optional(&self.db).await;
        row.map_err(backend)?.as_ref().map(pool_from).transpose()
    }

    async fn update_pool(&self, pool: &PoolRecord) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE user_pools SET name = $2, doc = $3, modified_ms = $4 WHERE id = $1")
            .bind(&pool.id)
            .bind(&pool.name)
            .bind(pool.doc.to_string())
            .bind(pool.modified_ms)
            .execute(&self.db)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn delete_pool(&self, id: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM user_pools WHERE id = $1").bind(id).execute(&self.db).await;
        if done.map_err(backend)?.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn list_pools(&self, after: Option<&str>, limit: usize) -> Result<Page<PoolRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM user_pools WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after.unwrap_or(""))
            .bind(limit_param(limit))
            .fetch_all(&self.db)
            .await
            .map_err(backend)?;
        let items = rows.iter().map(pool_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, limit, |p| p.id.clone()))
    }

    async fn insert_client(&self, c: &ClientRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_pool_clients (id, pool_id, name, secret, doc, created_ms, modified_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&c.id)
        .bind(&c.pool_id)
        .bind(&c.name)
        .bind(c.secret.clone())
        .bind(c.doc.to_string())
        .bind(c.created_ms)
        .bind(c.modified_ms)
        .execute(&self.db)
        .await
        .map_err(conflict(Taken::Client))?;
        Ok(())
    }

    async fn client(&self, id: &str) -> Result<Option<ClientRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM user_pool_clients WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db)
            .await;
        row.map_err(backend)?.as_ref().map(client_from).transpose()
    }

    async fn update_client(&self, c: &ClientRecord) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE user_pool_clients SET name = $2, doc = $3, modified_ms = $4 WHERE id = $1")
                .bind(&c.id)
                .bind(&c.name)
                .bind(c.doc.to_string())
                .bind(c.modified_ms)
                .execute(&self.db)
                .await
                .map_err(backend)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn delete_client(&self, id: &str) -> Result<(), StoreError> {
        let done =
            sqlx::query("DELETE FROM user_pool_clients WHERE id = $1").bind(id).execute(&self.db).await;
        if done.map_err(backend)?.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ClientRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM user_pool_clients WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(pool_id)
        .bind(after.unwrap_or(""))
        .bind(limit_param(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend)?;
        let items = rows.iter().map(client_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, limit, |c| c.id.clone()))
    }

    async fn insert_user(
        &self,
        user: &UserRecord,
        messages: &[Message],
        codes: &[CodeRecord],
    ) -> Result<(), StoreError> {
        let attributes = attributes_text(user)?;
        let mut conn = self.writer().await?;
        finish(&mut conn, async |tx| {
            sqlx::query(
                "INSERT INTO users (pool_id, username_key, username, sub, status, enabled, attributes, \
                 verifier, created_ms, modified_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&user.pool_id)
            .bind(&user.key)
            .bind(&user.username)
            .bind(&user.sub)
            .bind(user.status.as_str())
            .bind(i64::from(user.enabled))
            .bind(attributes)
            .bind(user.verifier.clone())
            .bind(user.created_ms)
            .bind(user.modified_ms)
            .execute(&mut *tx)
            .await
            .map_err(conflict(Taken::Username))?;
            write_user_children(tx, user, messages, codes).await
        })
        .await
    }

    async fn user(&self, pool_id: &str, key: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE pool_id = $1 AND username_key = $2")
            .bind(pool_id)
            .bind(key)
            .fetch_optional(&self.db)
            .await
            .map_err(backend)?;
        Ok(self.user_rows(row.into_iter().collect()).await?.pop())
    }

    async fn user_by_alias(
        &self,
        pool_id: &str,
        kind: &str,
        value: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT username_key FROM user_aliases WHERE pool_id = $1 AND kind = $2 AND value_key = $3",
        )
        .bind(pool_id)
        .bind(kind)
        .bind(value_key(value))
        .fetch_optional(&self.db)
        .await
        .map_err(backend)?;
        row.map(|r| r.try_get("username_key").map_err(backend)).transpose()
    }

    async fn update_user(
        &self,
        user: &UserRecord,
        messages: &[Message],
        codes: &[CodeRecord],
    ) -> Result<(), StoreError> {
        let attributes = attributes_text(user)?;
        let mut conn = self.writer().await?;
        finish(&mut conn, async |tx| {
            let done = sqlx::query(
                "UPDATE users SET status = $3, enabled = $4, attributes = $5, verifier = $6, \
                 modified_ms = $7 WHERE pool_id = $1 AND username_key = $2",
            )
            .bind(&user.pool_id)
            .bind(&user.key)
            .bind(user.status.as_str())
            .bind(i64::from(user.enabled))
            .bind(attributes)
            .bind(user.verifier.clone())
            .bind(user.modified_ms)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            for table in ["user_aliases", "user_index"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE pool_id = $1 AND username_key = $2"))
                    .bind(&user.pool_id)
                    .bind(&user.key)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            write_user_children(tx, user, messages, codes).await
        })
        .await
    }

    async fn delete_user(&self, pool_id: &str, key: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM users WHERE pool_id = $1 AND username_key = $2")
            .bind(pool_id)
            .bind(key)
            .execute(&self.db)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn code(
        &self,
        pool_id: &str,
        user_key: &str,
        purpose: &str,
    ) -> Result<Option<CodeRecord>, StoreError> {
        let row =
            sqlx::query("SELECT * FROM codes WHERE pool_id = $1 AND username_key = $2 AND purpose = $3")
                .bind(pool_id)
                .bind(user_key)
                .bind(purpose)
                .fetch_optional(&self.db)
                .await
                .map_err(backend)?;
        row.map(|r| {
            Ok(CodeRecord {
                purpose: r.try_get("purpose").map_err(backend)?,
                code: r.try_get("code").map_err(backend)?,
                expires_ms: r.try_get("expires_ms").map_err(backend)?,
                attempts: r.try_get("attempts").map_err(backend)?,
            })
        })
        .transpose()
    }

    async fn count_users(&self, pool_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE pool_id = $1")
            .bind(pool_id)
            .fetch_one(&self.db)
            .await
            .map_err(backend)?;
        row.try_get("n").map_err(backend)
    }

    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<UserRecord>, StoreError> {
        let after = after.unwrap_or("");
        let rows = match filter {
            None => sqlx::query(
                "SELECT * FROM users WHERE pool_id = $1 AND username_key > $2 ORDER BY username_key LIMIT $3",
            )
            .bind(pool_id)
            .bind(after)
            .bind(limit_param(limit))
            .fetch_all(&self.db)
            .await,
            Some(f) => {
                // A prefix compares the leading characters, the same way in both databases.
                // An exact value is found through the index's key (see `value_key`).
                let test = if f.prefix { "substr(i.value, 1, length($3)) = $3" } else { "i.value_key = $3" };
                let sql = format!(
                    "SELECT u.* FROM users u JOIN user_index i ON i.pool_id = u.pool_id \
                     AND i.username_key = u.username_key WHERE u.pool_id = $1 AND i.name = $2 AND {test} \
                     AND u.username_key > $4 ORDER BY u.username_key LIMIT $5"
                );
                sqlx::query(&sql)
                    .bind(pool_id)
                    .bind(&f.name)
                    .bind(if f.prefix { f.value.clone() } else { value_key(&f.value) })
                    .bind(after)
                    .bind(limit_param(limit))
                    .fetch_all(&self.db)
                    .await
            }
        }
        .map_err(backend)?;
        let items = self.user_rows(rows).await?;
        Ok(page(items, limit, |u| u.key.clone()))
    }

    async fn insert_group(&self, g: &GroupRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_groups (pool_id, name, description, precedence, role_arn, created_ms, modified_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&g.pool_id)
        .bind(&g.name)
        .bind(g.description.clone())
        .bind(g.precedence)
        .bind(g.role_arn.clone())
        .bind(g.created_ms)
        .bind(g.modified_ms)
        .execute(&self.db)
        .await
        .map_err(conflict(Taken::Group))?;
        Ok(())
    }

    async fn group(&self, pool_id: &str, name: &str) -> Result<Option<GroupRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM user_groups WHERE pool_id = $1 AND name = $2")
            .bind(pool_id)
            .bind(name)
            .fetch_optional(&self.db)
            .await
            .map_err(backend)?;
        row.as_ref().map(group_from).transpose()
    }

    async fn update_group(&self, g: &GroupRecord) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE user_groups SET description = $3, precedence = $4, role_arn = $5, modified_ms = $6 \
             WHERE pool_id = $1 AND name = $2",
        )
        .bind(&g.pool_id)
        .bind(&g.name)
        .bind(g.description.clone())
        .bind(g.precedence)
        .bind(g.role_arn.clone())
        .bind(g.modified_ms)
        .execute(&self.db)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM user_groups WHERE pool_id = $1 AND name = $2")
            .bind(pool_id)
            .bind(name)
            .execute(&self.db)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GroupRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM user_groups WHERE pool_id = $1 AND name > $2 ORDER BY name LIMIT $3")
                .bind(pool_id)
                .bind(after.unwrap_or(""))
                .bind(limit_param(limit))
                .fetch_all(&self.db)
                .await
                .map_err(backend)?;
        let items = rows.iter().map(group_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, limit, |g| g.name.clone()))
    }

    async fn add_member(&self, pool_id: &str, group: &str, user_key: &str) -> Result<(), StoreError> {
        let result =
            sqlx::query("INSERT INTO group_members (pool_id, group_name, username_key) VALUES ($1, $2, $3)")
                .bind(pool_id)
                .bind(group)
                .bind(user_key)
                .execute(&self.db)
                .await;
        match result.map_err(conflict(Taken::Member)) {
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn remove_member(&self, pool_id: &str, group: &str, user_key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND username_key = $3")
            .bind(pool_id)
            .bind(group)
            .bind(user_key)
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn groups_of(
        &self,
        pool_id: &str,
        user_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GroupRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.* FROM user_groups g JOIN group_members m ON m.pool_id = g.pool_id AND m.group_name = g.name \
             WHERE g.pool_id = $1 AND m.username_key = $2 AND g.name > $3 ORDER BY g.name LIMIT $4",
        )
        .bind(pool_id)
        .bind(user_key)
        .bind(after.unwrap_or(""))
        .bind(limit_param(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend)?;
        let items = rows.iter().map(group_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, limit, |g| g.name.clone()))
    }

    async fn members(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<UserRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.* FROM users u JOIN group_members m ON m.pool_id = u.pool_id AND m.username_key = u.username_key \
             WHERE u.pool_id = $1 AND m.group_name = $2 AND u.username_key > $3 ORDER BY u.username_key LIMIT $4",
        )
        .bind(pool_id)
        .bind(group)
        .bind(after.unwrap_or(""))
        .bind(limit_param(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend)?;
        let items = self.user_rows(rows).await?;
        Ok(page(items, limit, |u| u.key.clone()))
    }

    async fn messages(&self, pool_id: Option<&str>, to: Option<&str>) -> Result<Vec<Message>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM outbox WHERE ($1 = '' OR pool_id = $1) AND ($2 = '' OR destination = $2) \
             ORDER BY created_ms, id",
        )
        .bind(pool_id.unwrap_or(""))
        .bind(to.unwrap_or(""))
        .fetch_all(&self.db)
        .await
        .map_err(backend)?;
        rows.iter().map(message_from).collect()
    }

    async fn claim_undelivered(
        &self,
        channel: &str,
        now_ms: i64,
        lease_ms: i64,
        max_attempts: i64,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM outbox WHERE channel = $1 AND delivered_ms IS NULL AND attempts < $2 \
             AND (claimed_until_ms IS NULL OR claimed_until_ms < $3) ORDER BY created_ms, id LIMIT $4",
        )
        .bind(channel)
        .bind(max_attempts)
        .bind(now_ms)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.db)
        .await
        .map_err(backend)?;
        let mut claimed = Vec::new();
        for row in &rows {
            let message = message_from(row)?;
            // Only one sender wins the conditional update of a message.
            let done = sqlx::query(
                "UPDATE outbox SET claimed_until_ms = $2 WHERE id = $1 AND delivered_ms IS NULL \
                 AND (claimed_until_ms IS NULL OR claimed_until_ms < $3)",
            )
            .bind(&message.id)
            .bind(now_ms.saturating_add(lease_ms))
            .bind(now_ms)
            .execute(&self.db)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                claimed.push(message);
            }
        }
        Ok(claimed)
    }

    async fn finish_delivery(
        &self,
        id: &str,
        outcome: Result<(), String>,
        now_ms: i64,
        retry_ms: i64,
    ) -> Result<(), StoreError> {
        let query = match &outcome {
            Ok(()) => sqlx::query("UPDATE outbox SET delivered_ms = $2, claimed_until_ms = NULL WHERE id = $1")
                .bind(id)
                .bind(now_ms),
            Err(error) => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $3, claimed_until_ms = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(now_ms.saturating_add(retry_ms))
            .bind(error.clone()),
        };
        query.execute(&self.db).await.map_err(backend)?;
        Ok(())
    }
}
