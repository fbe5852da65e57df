//! sqlx errors as [`StoreError`]s, for every file of the SQL store.

use super::StoreError;

/// Any database error, for the log.
pub(super) fn backend(err: sqlx::Error) -> StoreError {
    StoreError::Backend(err.to_string())
}

/// Maps a unique-key violation to [`StoreError::Conflict`] naming `what`; anything else is a backend error.
pub(super) fn conflict(what: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |err| match err.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(what.to_owned()),
        _ => backend(err),
    }
}
