//! Storage for OAuth 2.0: the pools' domains and their named documents (resource servers, managed
//! login branding, the classic UI customization). A part of [`Store`] (`Store: OAuthStore`).
//!
//! [`Store`]: super::Store

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::errors::{backend, conflict};
use super::sql::SqlStore;
use super::{Page, StoreError, Taken};

/// A user pool domain: a prefix (`my-app`) or a custom domain (`auth.example.com`).
#[derive(Debug, Clone, PartialEq)]
pub struct DomainRecord {
    /// The domain, lowercase.
    pub domain: String,
    /// The pool it serves.
    pub pool_id: String,
    /// Its settings (`ManagedLoginVersion`, `CustomDomainConfig`).
    pub doc: Value,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
}

/// A named document of a pool: a resource server, a branding style, a UI customization.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRecord {
    /// The pool.
    pub pool_id: String,
    /// What it is (`resource-server`, `branding`, `ui`).
    pub kind: String,
    /// Its name within the pool and kind (a resource server's identifier, a branding id, a client id).
    pub name: String,
    /// Its content.
    pub doc: Value,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// Last change, epoch milliseconds.
    pub modified_ms: i64,
}

/// The OAuth part of the store.
#[async_trait::async_trait]
pub trait OAuthStore: Send + Sync {
    /// Adds a domain; [`Taken::Domain`] when the name, or a domain of the same pool, exists.
    async fn insert_domain(&self, domain: &DomainRecord) -> Result<(), StoreError>;
    /// A domain by name.
    async fn domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError>;
    /// The domain of a pool.
    async fn domain_of_pool(&self, pool_id: &str) -> Result<Option<DomainRecord>, StoreError>;
    /// Replaces a domain's settings; [`StoreError::NotFound`] if it does not exist.
    async fn update_domain(&self, domain: &DomainRecord) -> Result<(), StoreError>;
    /// Deletes a domain; false if there was none.
    async fn delete_domain(&self, domain: &str) -> Result<bool, StoreError>;

    /// Adds a document; [`Taken::Document`] when one of that kind and name exists.
    async fn insert_document(&self, doc: &DocumentRecord) -> Result<(), StoreError>;
    /// Adds or replaces a document.
    async fn put_document(&self, doc: &DocumentRecord) -> Result<(), StoreError>;
    /// A document by kind and name.
    async fn document(
        &self,
        pool_id: &str,
        kind: &str,
        name: &str,
    ) -> Result<Option<DocumentRecord>, StoreError>;
    /// Deletes a document; false if there was none.
    async fn delete_document(&self, pool_id: &str, kind: &str, name: &str) -> Result<bool, StoreError>;
    /// A pool's documents of `kind`, ordered by name, after `after`.
    async fn list_documents(
        &self,
        pool_id: &str,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<DocumentRecord>, StoreError>;
}

fn json_column(row: &AnyRow) -> Result<Value, StoreError> {
    let text: String = row.try_get("doc").map_err(backend)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Backend(e.to_string()))
}

fn domain_from(row: &AnyRow) -> Result<DomainRecord, StoreError> {
    Ok(DomainRecord {
        domain: row.try_get("domain").map_err(backend)?,
        pool_id: row.try_get("pool_id").map_err(backend)?,
        doc: json_column(row)?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
    })
}

fn document_from(row: &AnyRow) -> Result<DocumentRecord, StoreError> {
    Ok(DocumentRecord {
        pool_id: row.try_get("pool_id").map_err(backend)?,
        kind: row.try_get("kind").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        doc: json_column(row)?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
        modified_ms: row.try_get("modified_ms").map_err(backend)?,
    })
}

#[async_trait::async_trait]
impl OAuthStore for SqlStore {
    async fn insert_domain(&self, d: &DomainRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_pool_domains (domain, pool_id, doc, created_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(&d.domain)
        .bind(&d.pool_id)
        .bind(d.doc.to_string())
        .bind(d.created_ms)
        .execute(self.db())
        .await
        .map_err(conflict(Taken::Domain))?;
        Ok(())
    }

    async fn domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM user_pool_domains WHERE domain = $1")
            .bind(domain)
            .fetch_optional(self.db())
            .await
            .map_err(backend)?;
        row.as_ref().map(domain_from).transpose()
    }

    async fn domain_of_pool(&self, pool_id: &str) -> Result<Option<DomainRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM user_pool_domains WHERE pool_id = $1")
            .bind(pool_id)
            .fetch_optional(self.db())
            .await
            .map_err(backend)?;
        row.as_ref().map(domain_from).transpose()
    }

    async fn update_domain(&self, d: &DomainRecord) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE user_pool_domains SET doc = $2 WHERE domain = $1")
            .bind(&d.domain)
            .bind(d.doc.to_string())
            .execute(self.db())
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn delete_domain(&self, domain: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM user_pool_domains WHERE domain = $1")
            .bind(domain)
            .execute(self.db())
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_document(&self, d: &DocumentRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pool_documents (pool_id, kind, name, doc, created_ms, modified_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&d.pool_id)
        .bind(&d.kind)
        .bind(&d.name)
        .bind(d.doc.to_string())
        .bind(d.created_ms)
        .bind(d.modified_ms)
        .execute(self.db())
        .await
        .map_err(conflict(Taken::Document))?;
        Ok(())
    }

    async fn put_document(&self, d: &DocumentRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pool_documents (pool_id, kind, name, doc, created_ms, modified_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (pool_id, kind, name) DO UPDATE SET doc = $4, modified_ms = $6",
        )
        .bind(&d.pool_id)
        .bind(&d.kind)
        .bind(&d.name)
        .bind(d.doc.to_string())
        .bind(d.created_ms)
        .bind(d.modified_ms)
        .execute(self.db())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn document(
        &self,
        pool_id: &str,
        kind: &str,
        name: &str,
    ) -> Result<Option<DocumentRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM pool_documents WHERE pool_id = $1 AND kind = $2 AND name = $3")
            .bind(pool_id)
            .bind(kind)
            .bind(name)
            .fetch_optional(self.db())
            .await
            .map_err(backend)?;
        row.as_ref().map(document_from).transpose()
    }

    async fn delete_document(&self, pool_id: &str, kind: &str, name: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM pool_documents WHERE pool_id = $1 AND kind = $2 AND name = $3")
            .bind(pool_id)
            .bind(kind)
            .bind(name)
            .execute(self.db())
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_documents(
        &self,
        pool_id: &str,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<DocumentRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM pool_documents WHERE pool_id = $1 AND kind = $2 AND name > $3 ORDER BY name LIMIT $4",
        )
        .bind(pool_id)
        .bind(kind)
        .bind(after.unwrap_or(""))
        .bind(i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX))
        .fetch_all(self.db())
        .await
        .map_err(backend)?;
        let mut items = rows.iter().map(document_from).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() > limit;
        items.truncate(limit);
        let next = if more { items.last().map(|d| d.name.clone()) } else { None };
        Ok(Page { items, next })
    }
}
