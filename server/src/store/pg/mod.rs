//! The PostgreSQL backend, for a street office's or district's service: N
//! Babahui nodes on one database (schema in `server/migrations/`, applied at
//! start by refinery).
//!
//! - An append is one transaction: it inserts the batch at the sequence
//!   numbers after the head it expects. `(meeting, seq)` is the primary key, so
//!   a stale writer's insert conflicts and is refused ([`StoreError::Stale`]):
//!   never a second event at a sequence number. In the same transaction the
//!   meeting's lease row, if any, is locked and must name this node, whose
//!   own row must not have expired ([`StoreError::NotOwner`]): a node that
//!   lost its lease writes nothing.
//! - An append is acknowledged only once `COMMIT` has returned. When it fails
//!   its outcome may be unknown (the connection dropped during `COMMIT`), so
//!   the live meeting re-reads the whole log rather than assume nothing was
//!   stored ([`Backend::load_after_failed_append`]).
//! - Group commit, as on sled (`writer`): the appends of every meeting that
//!   arrive together go into one transaction, each in a savepoint of its own
//!   (a stale writer's conflict takes back its own append only), so one WAL
//!   flush acknowledges them all.
//!
//! The driver is async (tokio-postgres, pooled by deadpool-postgres) and runs
//! on a small runtime of its own, so that the [`Backend`]'s blocking methods
//! work from any thread: an async worker, a blocking pool thread, a test.

mod docs;
mod errors;
mod leases;
mod reads;
mod runtime;
mod writer;

pub use leases::PgLeases;

use super::backend::{Backend, LedgerGuard, UnreadableIndex};
use super::checkpoints::{Checkpoint, Loaded};
use super::docs::Docs;
use super::error::StoreError;
use super::leases::Leases;
use super::records::{reaching, MeetingIndex, NewRecord, StoredEvent};
use babahui_shared::ledger::LedgerEntry;
use babahui_shared::{MeetingId, Seq};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use errors::{db, pool_error};
use futures::future::BoxFuture;
use reads::{head, load_range};
use runtime::PgRuntime;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::NoTls;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Connections one node keeps to the database.
const POOL_SIZE: usize = 16;
/// How long a request waits for a connection (or to make one) before it is
/// refused with a storage error: a database that is down must not hang a
/// moderator's tap.
const CONNECT_WAIT: Duration = Duration::from_secs(3);
/// Key of the advisory lock under which a node applies migrations.
const MIGRATION_LOCK: i64 = 0x6262_6875_6900;
/// Key of the advisory lock that holds the ledger for one change.
const LEDGER_LOCK: i64 = 0x6262_6875_6901;

/// The PostgreSQL store of one node; cheap to clone.
#[derive(Clone)]
pub struct PgLog {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    rt: PgRuntime,
    /// This node's id in `nodes` and `leases`.
    node: String,
    leases: PgLeases,
    /// Appends, to the group-commit writers.
    writer: tokio::sync::mpsc::UnboundedSender<writer::Job>,
}

impl std::fmt::Debug for PgLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLog")
            .field("node", &self.inner.node)
            .finish_non_exhaustive()
    }
}

impl PgLog {
    /// Connects to `url` (a `postgres://` URL or a key=value string; several
    /// hosts with `target_session_attrs=read-write` follow a failover), applies
    /// the migrations, and returns the store of node `node` (a fresh id per
    /// process: see [`crate::tokens::new_node_id`]).
    pub fn open(url: &str, node: String) -> Result<PgLog, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("the database URL is not valid: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_WAIT);
        }
        config.application_name("babahui");
        let rt = PgRuntime::start()?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_WAIT))
            .create_timeout(Some(CONNECT_WAIT))
            .recycle_timeout(Some(CONNECT_WAIT))
            .build()
            .map_err(|e| StoreError::Unavailable(format!("cannot set up the connection pool: {e}")))?;
        rt.block_on(migrate(config))?;
        let leases = PgLeases::new(pool.clone(), node.clone(), rt.handle());
        let writer = writer::start(&rt.handle(), pool.clone(), node.clone());
        Ok(PgLog {
            inner: Arc::new(Inner {
                pool,
                rt,
                node,
                leases,
                writer,
            }),
        })
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    fn block_on<T: Send + 'static>(
        &self,
        f: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.inner.rt.block_on(f)
    }

    fn pool(&self) -> Pool {
        self.inner.pool.clone()
    }
}

/// A connection kept out of the pool while it holds a session lock.
struct HeldConnection {
    _connection: deadpool_postgres::ClientWrapper,
}

impl std::fmt::Debug for HeldConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeldConnection")
    }
}

/// Applies the schema's migrations, one node at a time.
async fn migrate(config: tokio_postgres::Config) -> Result<(), StoreError> {
    let (mut client, connection) = config.connect(NoTls).await.map_err(db)?;
    let conn = tokio::spawn(connection);
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    let report = embedded::migrations::runner().run_async(&mut client).await;
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    drop(client);
    let _ = conn.await;
    let report = report.map_err(|e| StoreError::Unavailable(format!("cannot migrate the database: {e}")))?;
    for m in report.applied_migrations() {
        tracing::info!(migration = %m, "database migrated");
    }
    Ok(())
}

impl Backend for PgLog {
    fn append(
        &self,
        meeting: &MeetingId,
        after: Seq,
        records: Vec<NewRecord>,
        index: Option<MeetingIndex>,
    ) -> BoxFuture<'static, Result<(), StoreError>> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job = writer::Job {
            meeting: meeting.clone(),
            after,
            records,
            index,
            done,
        };
        let sent = self.inner.writer.send(job).map_err(|_| StoreError::Closed);
        Box::pin(async move {
            sent?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    fn contains(&self, meeting: &MeetingId) -> Result<bool, StoreError> {
        let (pool, id) = (self.pool(), meeting.clone());
        self.block_on(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let row = client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM meetings WHERE id = $1) \
                     OR EXISTS (SELECT 1 FROM events WHERE meeting = $1)",
                    &[&id.as_str()],
                )
                .await
                .map_err(db)?;
            Ok(row.get(0))
        })
    }

    fn load(&self, meeting: &MeetingId) -> Result<Vec<StoredEvent>, StoreError> {
        let (pool, id) = (self.pool(), meeting.clone());
        self.block_on(async move { load_range(&pool, &id, 1, Seq::MAX).await })
    }

    fn load_upto(&self, meeting: &MeetingId, last: Seq) -> Result<Vec<StoredEvent>, StoreError> {
        let (pool, id) = (self.pool(), meeting.clone());
        let records = self.block_on(async move { load_range(&pool, &id, 1, last).await })?;
        reaching(meeting, last, records)
    }

    /// The whole log: a failed append's outcome may be unknown, and whatever
    /// the database holds was committed (all of a transaction, or none).
    fn load_after_failed_append(&self, meeting: &MeetingId, _committed: Seq) -> Result<Vec<StoredEvent>, StoreError> {
        self.load(meeting)
    }

    /// The checkpoint and the events after it (at least the last `recent`),
    /// then one confirming write: with a synchronous standby its commit waits
    /// until the standby has everything read here, so that nothing a client
    /// is shown on resume can be missing after a failover (an append whose
    /// outcome was unknown may have left events on the primary alone).
    fn load_live(&self, meeting: &MeetingId, recent: u64) -> Result<Loaded, StoreError> {
        let (pool, id, node) = (self.pool(), meeting.clone(), self.inner.node.clone());
        self.block_on(async move {
            let head = head(&pool, &id).await?;
            let checkpoint = {
                let client = pool.get().await.map_err(pool_error)?;
                client
                    .query_opt("SELECT seq, bytes FROM checkpoints WHERE meeting = $1", &[&id.as_str()])
                    .await
                    .map_err(db)?
            };
            let checkpoint = checkpoint.and_then(|row| {
                let bytes: Vec<u8> = row.get(1);
                match serde_json::from_slice::<Checkpoint>(&bytes) {
                    Ok(c) if c.seq <= head && c.seq == c.state.seq => Some(c),
                    Ok(c) => {
                        tracing::warn!(meeting = %id, seq = c.seq, head, "checkpoint ahead of the log; replaying the whole log");
                        None
                    }
                    Err(e) => {
                        tracing::warn!(meeting = %id, error = %e, "unreadable checkpoint; replaying the whole log");
                        None
                    }
                }
            });
            let from = match &checkpoint {
                Some(c) => (c.seq + 1).min(head.saturating_sub(recent) + 1).max(1),
                None => 1,
            };
            let records = load_range(&pool, &id, from, head).await?;
            if records.len() as Seq != head + 1 - from {
                return Err(StoreError::Gap {
                    meeting: id,
                    expected: from + records.len() as Seq,
                    found: 0,
                });
            }
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute("UPDATE nodes SET seen = now() WHERE id = $1", &[&node])
                .await
                .map_err(db)?;
            Ok(Loaded { checkpoint, records })
        })
    }

    fn checkpoint(&self, meeting: &MeetingId, bytes: Vec<u8>) {
        let Some(seq) = super::checkpoints::peek_seq_bytes(&bytes) else {
            return;
        };
        let (pool, id) = (self.pool(), meeting.clone());
        self.inner.rt.detach(async move {
            let result = async {
                let client = pool.get().await.map_err(pool_error)?;
                client
                    .execute(
                        "INSERT INTO checkpoints (meeting, seq, bytes) VALUES ($1, $2, $3) \
                         ON CONFLICT (meeting) DO UPDATE SET seq = EXCLUDED.seq, bytes = EXCLUDED.bytes \
                         WHERE checkpoints.seq < EXCLUDED.seq",
                        &[&id.as_str(), &(seq as i64), &bytes],
                    )
                    .await
                    .map_err(db)
            }
            .await;
            if let Err(e) = result {
                tracing::warn!(meeting = %id, error = %e, "checkpoint not written (the log is whole; loading replays it)");
            }
        });
    }

    fn meeting_index(&self, meeting: &MeetingId) -> Result<Option<MeetingIndex>, StoreError> {
        let (pool, id) = (self.pool(), meeting.clone());
        self.block_on(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let row = client
                .query_opt("SELECT index_json FROM meetings WHERE id = $1", &[&id.as_str()])
                .await
                .map_err(db)?;
            match row {
                None => Ok(None),
                Some(row) => Ok(Some(serde_json::from_str(row.get::<_, &str>(0)).map_err(|source| {
                    StoreError::Damaged {
                        key: id.to_string(),
                        source,
                    }
                })?)),
            }
        })
    }

    fn doc_get(&self, kind: Docs, key: &str) -> Result<Option<String>, StoreError> {
        let (pool, key) = (self.pool(), key.to_owned());
        self.block_on(async move { docs::get(&pool, kind, &key).await })
    }

    fn doc_put(&self, kind: Docs, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        let (pool, key, value) = (self.pool(), key.to_owned(), value.map(str::to_owned));
        self.block_on(async move { docs::put(&pool, kind, &key, value.as_deref()).await })
    }

    fn doc_scan(&self, kind: Docs, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let (pool, prefix) = (self.pool(), prefix.to_owned());
        self.block_on(async move { docs::list(&pool, kind, &prefix).await })
    }

    fn list_checked(&self) -> Result<(Vec<MeetingIndex>, Vec<UnreadableIndex>), StoreError> {
        let pool = self.pool();
        self.block_on(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let rows = client
                .query("SELECT id, index_json FROM meetings ORDER BY created_at, id", &[])
                .await
                .map_err(db)?;
            let (mut out, mut damaged) = (Vec::new(), Vec::new());
            for row in rows {
                let (id, json): (String, String) = (row.get(0), row.get(1));
                match serde_json::from_str::<MeetingIndex>(&json) {
                    Ok(entry) => out.push(entry),
                    Err(e) => damaged.push((id, e.to_string())),
                }
            }
            Ok((out, damaged))
        })
    }

    fn ledger_all(&self) -> Result<Vec<LedgerEntry>, StoreError> {
        let pool = self.pool();
        self.block_on(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let rows = client
                .query("SELECT id, entry FROM ledger ORDER BY id", &[])
                .await
                .map_err(db)?;
            rows.into_iter()
                .map(|row| {
                    let (id, json): (i64, String) = (row.get(0), row.get(1));
                    serde_json::from_str(&json).map_err(|source| StoreError::Damaged {
                        key: format!("ledger#{id}"),
                        source,
                    })
                })
                .collect()
        })
    }

    /// A session advisory lock on a connection taken out of the pool: when
    /// the guard is dropped the connection closes, and the lock with it
    /// (also if this node dies holding it).
    fn ledger_lock(&self) -> BoxFuture<'static, Result<LedgerGuard, StoreError>> {
        let pool = self.pool();
        Box::pin(self.inner.rt.spawn(async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute("SELECT pg_advisory_lock($1)", &[&LEDGER_LOCK])
                .await
                .map_err(db)?;
            let client = deadpool_postgres::Object::take(client);
            Ok(LedgerGuard(Box::new(HeldConnection { _connection: client })))
        }))
    }

    fn ledger_put(&self, entry: &LedgerEntry) -> Result<(), StoreError> {
        let pool = self.pool();
        let (id, json) = (entry.id as i64, serde_json::to_string(entry).expect("entry serialises"));
        self.block_on(async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute(
                    "INSERT INTO ledger (id, entry) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET entry = EXCLUDED.entry",
                    &[&id, &json],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn delete(&self, meeting: &MeetingId) -> BoxFuture<'static, Result<u64, StoreError>> {
        let (pool, id) = (self.pool(), meeting.clone());
        Box::pin(self.inner.rt.spawn(async move {
            let mut client = pool.get().await.map_err(pool_error)?;
            let tx = client.transaction().await.map_err(db)?;
            let removed = tx
                .execute("DELETE FROM events WHERE meeting = $1", &[&id.as_str()])
                .await
                .map_err(db)?;
            for table in ["meetings WHERE id", "checkpoints WHERE meeting", "leases WHERE meeting"] {
                tx.execute(&format!("DELETE FROM {table} = $1"), &[&id.as_str()])
                    .await
                    .map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
            Ok(removed)
        }))
    }

    /// Nothing to do: every write was committed before it was acknowledged.
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Gives up this node's leases (another node may take its meetings at
    /// once rather than after they expire) and closes the pool.
    fn close(&self) {
        let leases = self.inner.leases.clone();
        let _ = self.block_on(async move { leases.release_all().await });
        self.inner.pool.close();
    }

    fn leases(&self) -> Option<&dyn Leases> {
        Some(&self.inner.leases)
    }
}
