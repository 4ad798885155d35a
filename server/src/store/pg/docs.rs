//! The small documents (communities, accounts, sessions, sync tokens, the
//! audit log) in one table, `documents (kind, key, value)`.

use super::errors::{db, pool_error};
use crate::store::docs::Docs;
use crate::store::error::StoreError;
use deadpool_postgres::Pool;

pub(super) async fn get(pool: &Pool, kind: Docs, key: &str) -> Result<Option<String>, StoreError> {
    let client = pool.get().await.map_err(pool_error)?;
    let row = client
        .query_opt(
            "SELECT value FROM documents WHERE kind = $1 AND key = $2",
            &[&kind.name(), &key],
        )
        .await
        .map_err(db)?;
    Ok(row.map(|r| r.get(0)))
}

pub(super) async fn put(pool: &Pool, kind: Docs, key: &str, value: Option<&str>) -> Result<(), StoreError> {
    let client = pool.get().await.map_err(pool_error)?;
    match value {
        Some(v) => client
            .execute(
                "INSERT INTO documents (kind, key, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value",
                &[&kind.name(), &key, &v],
            )
            .await
            .map_err(db)?,
        None => client
            .execute(
                "DELETE FROM documents WHERE kind = $1 AND key = $2",
                &[&kind.name(), &key],
            )
            .await
            .map_err(db)?,
    };
    Ok(())
}

pub(super) async fn list(pool: &Pool, kind: Docs, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
    let client = pool.get().await.map_err(pool_error)?;
    let rows = client
        .query(
            "SELECT key, value FROM documents WHERE kind = $1 AND starts_with(key, $2) ORDER BY key",
            &[&kind.name(), &prefix],
        )
        .await
        .map_err(db)?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}
