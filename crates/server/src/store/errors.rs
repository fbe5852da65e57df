//! sqlx errors as [`StoreError`]s, for every file of the SQL store.

use super::{StoreError, Taken};

/// Any database error, for the log.
pub(super) fn backend(err: sqlx::Error) -> StoreError {
    StoreError::Backend(err.to_string())
}

/// Maps a unique-key violation to [`StoreError::Conflict`] naming what was `taken`; anything else
/// is a backend error.
pub(super) fn conflict(taken: Taken) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |err| match err.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(taken),
        _ => backend(err),
    }
}
