//! Leases on PostgreSQL: rows of `leases` (meeting → node) and of `nodes`
//! (where each node is reached, and until when, by the database's clock, it
//! holds its leases). A node renews one row, its own, for all its meetings:
//! renewing never waits on (nor holds up) a meeting's append.

use super::errors::{db, pool_error};
use crate::store::error::StoreError;
use crate::store::leases::{Claim, Leases, LEASE};
use babahui_shared::MeetingId;
use deadpool_postgres::Pool;
use futures::future::BoxFuture;
use std::future::Future;
use tokio::runtime::Handle;

/// The leases of one node.
#[derive(Clone)]
pub struct PgLeases {
    pool: Pool,
    node: String,
    /// The store's runtime, where every query runs (see `runtime`).
    rt: Handle,
}

impl std::fmt::Debug for PgLeases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLeases")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

/// The lease's length in milliseconds, as the queries take it.
fn lease_ms() -> f64 {
    LEASE.as_millis() as f64
}

impl PgLeases {
    pub(super) fn new(pool: Pool, node: String, rt: Handle) -> PgLeases {
        PgLeases { pool, node, rt }
    }

    fn run<T: Send + 'static>(
        &self,
        f: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> BoxFuture<'static, Result<T, StoreError>> {
        let job = self.rt.spawn(f);
        Box::pin(async move {
            job.await
                .map_err(|e| StoreError::Database(format!("a database task failed: {e}")))?
        })
    }

    /// Gives up every lease of this node, and its place among the nodes (at a
    /// clean shutdown: its meetings move at once, not after expiry).
    pub(super) async fn release_all(&self) -> Result<(), StoreError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        client
            .execute("DELETE FROM leases WHERE node = $1", &[&self.node])
            .await
            .map_err(db)?;
        client
            .execute("DELETE FROM nodes WHERE id = $1", &[&self.node])
            .await
            .map_err(db)?;
        Ok(())
    }
}

impl Leases for PgLeases {
    fn node(&self) -> &str {
        &self.node
    }

    fn join(&self, url: String) -> BoxFuture<'static, Result<String, StoreError>> {
        let (pool, node) = (self.pool.clone(), self.node.clone());
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute("DELETE FROM nodes WHERE seen < now() - interval '1 day'", &[])
                .await
                .map_err(db)?;
            client
                .execute(
                    "INSERT INTO nodes (id, url, seen, expires) \
                     VALUES ($1, $2, now(), now() + $3 * interval '1 millisecond') \
                     ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, seen = now(), expires = EXCLUDED.expires",
                    &[&node, &url, &lease_ms()],
                )
                .await
                .map_err(db)?;
            let row = client
                .query_one("SELECT relay_secret FROM cluster LIMIT 1", &[])
                .await
                .map_err(db)?;
            Ok(row.get(0))
        })
    }

    fn claim(&self, meeting: &MeetingId, new: bool) -> BoxFuture<'static, Result<Claim, StoreError>> {
        let (pool, node, id) = (self.pool.clone(), self.node.clone(), meeting.to_string());
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            // A meeting is taken if its node's row has expired (or is gone);
            // this node's own row is renewed on the way, so that it holds
            // what it takes.
            client
                .execute(
                    "UPDATE nodes SET seen = now(), expires = now() + $2 * interval '1 millisecond' WHERE id = $1",
                    &[&node, &lease_ms()],
                )
                .await
                .map_err(db)?;
            let mine = client
                .query_opt(
                    "INSERT INTO leases (meeting, node) \
                     SELECT $1, $2 WHERE $3 OR EXISTS (SELECT 1 FROM meetings WHERE id = $1) \
                     ON CONFLICT (meeting) DO UPDATE SET node = EXCLUDED.node \
                     WHERE leases.node = EXCLUDED.node \
                        OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = leases.node AND n.expires > now()) \
                     RETURNING node",
                    &[&id, &node, &new],
                )
                .await
                .map_err(db)?;
            if mine.is_some() {
                return Ok(Claim::Mine);
            }
            let owner = client
                .query_opt(
                    "SELECT n.url FROM leases l LEFT JOIN nodes n ON n.id = l.node WHERE l.meeting = $1",
                    &[&id],
                )
                .await
                .map_err(db)?;
            match owner {
                None => Ok(Claim::Missing),
                Some(row) => match row.get::<_, Option<String>>(0) {
                    Some(url) => Ok(Claim::Elsewhere(url)),
                    None => Err(StoreError::Database(format!(
                        "meeting {id}: its node is not registered; try again"
                    ))),
                },
            }
        })
    }

    fn renew(&self, held: Vec<MeetingId>) -> BoxFuture<'static, Result<Vec<MeetingId>, StoreError>> {
        let (pool, node) = (self.pool.clone(), self.node.clone());
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let renewed = client
                .execute(
                    "UPDATE nodes SET seen = now(), expires = now() + $2 * interval '1 millisecond' WHERE id = $1",
                    &[&node, &lease_ms()],
                )
                .await
                .map_err(db)?;
            if renewed == 0 {
                return Err(StoreError::Database(format!("node {node} is not registered")));
            }
            if held.is_empty() {
                return Ok(Vec::new());
            }
            let ids: Vec<String> = held.iter().map(|m| m.to_string()).collect();
            let rows = client
                .query(
                    "SELECT meeting FROM leases WHERE node = $1 AND meeting = ANY($2)",
                    &[&node, &ids],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .into_iter()
                .filter_map(|r| MeetingId::parse(r.get::<_, &str>(0)))
                .collect())
        })
    }

    fn release(&self, meeting: &MeetingId) -> BoxFuture<'static, Result<(), StoreError>> {
        let (pool, node, id) = (self.pool.clone(), self.node.clone(), meeting.to_string());
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute("DELETE FROM leases WHERE meeting = $1 AND node = $2", &[&id, &node])
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn peers(&self) -> BoxFuture<'static, Result<Vec<String>, StoreError>> {
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let rows = client
                .query("SELECT url FROM nodes WHERE seen > now() - interval '30 seconds'", &[])
                .await
                .map_err(db)?;
            Ok(rows.into_iter().map(|r| r.get(0)).collect())
        })
    }
}
