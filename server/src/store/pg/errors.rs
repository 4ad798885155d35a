//! Driver and pool errors as the store's.

use crate::store::error::StoreError;

/// A database error as the store's.
pub(super) fn db(e: tokio_postgres::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// No connection from the pool (the database is down or unreachable).
pub(super) fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Database(format!("no connection to the database: {e}"))
}
