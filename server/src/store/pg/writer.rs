//! Group commit on PostgreSQL, as on sled: the appends of every meeting that
//! are waiting go into one transaction, so one WAL flush acknowledges them
//! all (a busy district has hundreds of meetings appending a little each).
//!
//! Each append runs in a savepoint of its own: a stale writer's conflict, or
//! a node without the meeting's lease, takes back that append only. An
//! append is answered `Ok` only after `COMMIT` returned; if `COMMIT` (or the
//! connection) fails, every append of the batch is answered with the error,
//! its outcome unknown (see the module above).
//!
//! A few writers share the queue, so that a slow flush does not hold up the
//! next batch.

use super::errors::{db, pool_error};
use super::reads::head;
use crate::store::error::StoreError;
use crate::store::records::{encode, MeetingIndex, NewRecord};
use babahui_shared::{MeetingId, Seq};
use deadpool_postgres::{Pool, Transaction};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio_postgres::error::SqlState;

/// Writers taking batches from the queue at once.
const WRITERS: usize = 3;
/// Most appends one transaction takes.
const MAX_BATCH: usize = 256;

/// One append: what [`crate::store::Backend::append`] was given.
pub(super) struct Job {
    pub(super) meeting: MeetingId,
    pub(super) after: Seq,
    pub(super) records: Vec<NewRecord>,
    pub(super) index: Option<MeetingIndex>,
    pub(super) done: oneshot::Sender<Result<(), StoreError>>,
}

/// Why one append of a batch was refused (the others go on).
enum Refused {
    /// Another writer got there first: its head is read after the batch.
    Stale,
    NotOwner,
}

/// Starts the writers on `rt`; returns the queue.
pub(super) fn start(rt: &tokio::runtime::Handle, pool: Pool, node: String) -> mpsc::UnboundedSender<Job> {
    let (tx, rx) = mpsc::unbounded_channel();
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..WRITERS {
        let (rx, pool, node) = (rx.clone(), pool.clone(), node.clone());
        rt.spawn(async move {
            while let Some(batch) = next_batch(&rx).await {
                commit(&pool, &node, batch).await;
            }
        });
    }
    tx
}

/// Waits for an append, then takes every other one waiting.
async fn next_batch(rx: &Mutex<mpsc::UnboundedReceiver<Job>>) -> Option<Vec<Job>> {
    let mut rx = rx.lock().await;
    let first = rx.recv().await?;
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// Stores one batch in one transaction and answers each append.
async fn commit(pool: &Pool, node: &str, batch: Vec<Job>) {
    let outcome = async {
        let mut client = pool.get().await.map_err(pool_error)?;
        let tx = client.transaction().await.map_err(db)?;
        let single = batch.len() == 1;
        let mut refused = Vec::with_capacity(batch.len());
        for job in &batch {
            if !single {
                tx.batch_execute("SAVEPOINT job").await.map_err(db)?;
            }
            match append(&tx, node, job).await? {
                Ok(()) => {
                    refused.push(None);
                    if !single {
                        tx.batch_execute("RELEASE SAVEPOINT job").await.map_err(db)?;
                    }
                }
                Err(why) => {
                    refused.push(Some(why));
                    if !single {
                        tx.batch_execute("ROLLBACK TO SAVEPOINT job").await.map_err(db)?;
                    }
                }
            }
        }
        if refused.iter().all(Option::is_some) {
            tx.rollback().await.map_err(db)?;
        } else {
            tx.commit().await.map_err(db)?;
        }
        Ok::<_, StoreError>(refused)
    }
    .await;
    match outcome {
        Ok(refused) => {
            for (job, why) in batch.into_iter().zip(refused) {
                let result = match why {
                    None => Ok(()),
                    Some(Refused::NotOwner) => Err(StoreError::NotOwner {
                        meeting: job.meeting.clone(),
                    }),
                    Some(Refused::Stale) => Err(match head(pool, &job.meeting).await {
                        Ok(found) => StoreError::Stale {
                            meeting: job.meeting.clone(),
                            expected: job.after,
                            found,
                        },
                        Err(e) => e,
                    }),
                };
                let _ = job.done.send(result);
            }
        }
        Err(e) => {
            let message = e.to_string();
            for job in batch {
                let _ = job.done.send(Err(StoreError::Database(message.clone())));
            }
        }
    }
}

/// One append inside the batch's transaction. `Ok(Err(_))`: refused, the
/// transaction goes on (after its savepoint is rolled back); `Err(_)`: the
/// transaction failed.
async fn append(tx: &Transaction<'_>, node: &str, job: &Job) -> Result<Result<(), Refused>, StoreError> {
    let id = job.meeting.as_str();
    // Only the node holding the meeting's lease may write to it; the row lock
    // makes a node taking the lease over wait until this batch is decided.
    let lease = tx
        .query_opt(
            "SELECT l.node, coalesce(n.expires > now(), false) FROM leases l \
             LEFT JOIN nodes n ON n.id = l.node WHERE l.meeting = $1 FOR SHARE OF l",
            &[&id],
        )
        .await
        .map_err(db)?;
    if let Some(row) = lease {
        let (owner, current): (String, bool) = (row.get(0), row.get(1));
        if owner != node || !current {
            return Ok(Err(Refused::NotOwner));
        }
    }
    if let Some(index) = &job.index {
        let json = serde_json::to_string(index).expect("index serialises");
        let inserted = tx
            .execute(
                "INSERT INTO meetings (id, created_at, index_json) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                &[&id, &(index.created_at as i64), &json],
            )
            .await
            .map_err(db)?;
        if inserted == 0 {
            return Ok(Err(Refused::Stale));
        }
    }
    let seqs: Vec<i64> = job.records.iter().map(|r| r.seq as i64).collect();
    let texts: Vec<String> = job
        .records
        .iter()
        .map(|r| String::from_utf8(encode(r)).expect("records are JSON text"))
        .collect();
    // The batch goes in at the sequence numbers after `after`, and only if
    // `after` is the log's head: the event `after` exists (or the log is new)
    // and the key `after + 1` is free (else: a unique violation).
    let inserted = tx
        .execute(
            "INSERT INTO events (meeting, seq, record) \
             SELECT $1, s, r FROM unnest($2::bigint[], $3::text[]) AS batch(s, r) \
             WHERE $4::bigint = 0 OR EXISTS (SELECT 1 FROM events WHERE meeting = $1 AND seq = $4::bigint)",
            &[&id, &seqs, &texts, &(job.after as i64)],
        )
        .await;
    match inserted {
        Ok(n) if n == job.records.len() as u64 => Ok(Ok(())),
        Ok(_) => Ok(Err(Refused::Stale)),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(Err(Refused::Stale)),
        Err(e) => Err(db(e)),
    }
}
