//! The durable event log behind one seam ([`Backend`]); sled is its one
//! implementation today ([`SledLog`]). [`Store`] is the handle everyone
//! holds: cheap to clone, whatever the backend.
//!
//! # Layout
//! - `backend`: the [`Backend`] trait: append (with the head it expects),
//!   load, checkpoint, list, ledger, delete.
//! - `records`: what the log holds ([`StoredEvent`], [`NewRecord`], [`Meta`], keys).
//! - `error`: [`StoreError`].
//! - `docs`: [`Docs`], the small documents beside the logs (communities,
//!   accounts, sessions, sync tokens, the audit log).
//! - `leases`: [`Leases`], which node decides for a meeting (PostgreSQL only).
//! - `pg`: the PostgreSQL backend ([`PgLog`]), for N nodes on one database.
//! - `sled_log`: the sled backend; `db`: its database slot; `writer`: its
//!   group-commit thread; `watermark`: how much the folder holds;
//!   `checkpoints`: checkpoint files and their read-ahead.
//!
//! The sled backend:
//!
//! Layout (one `sled::Db` per process; sled allows one process per directory):
//! - tree `log`: key = meeting id (8 ASCII bytes) ++ seq (u64 big-endian), so a
//!   prefix scan yields one meeting's events in order; value = JSON
//!   `{"event": <Event>, "meta": <Meta>}`. JSON, not bincode: events are tagged enums.
//! - tree `meetings`: key = meeting id; value = JSON [`MeetingIndex`].
//! - folder `checkpoints/` beside sled's files: `{meeting}.json`, a JSON
//!   [`Checkpoint`] of the meeting's state at some committed sequence number,
//!   so that loading a long meeting replays only the events after it. Derived
//!   data: written by a thread of its own (a new file, then renamed over the
//!   old), checked when read, ignored (full replay) if unusable. Plain files,
//!   not sled values: sled keeps old versions of large values for a while, and
//!   its start-up time grows with everything it holds.
//!
//! All writes go through one writer thread that takes every job waiting, inserts
//! them and flushes once (group commit), then answers each job. A job is answered
//! `Ok` only after the flush, so an acknowledged event survives a crash of the
//! process. If the flush fails, the batch's keys are removed again so that a
//! refused event can never become durable later.
//!
//! A damaged folder must never pass for a shorter history: sled, given a
//! truncated or corrupted file, may open what it can still read. So the store
//! counts what it holds (key `events_total` in the default tree, written in
//! the same flush as the events; and the number of ledger entries) and, after
//! each flush, writes those counts to a small file beside sled's,
//! [`WATERMARK_FILE`]. Opening a folder that holds less than its watermark
//! says fails with [`StoreError::Shorter`].

mod backend;
mod checkpoints;
mod db;
mod docs;
mod error;
mod leases;
mod pg;
mod records;
mod sled_log;
mod watermark;
mod writer;

pub use backend::{Backend, LedgerGuard, UnreadableIndex};
pub use checkpoints::{Checkpoint, CheckpointRef, DoneCommand, Loaded};
pub use docs::Docs;
pub use error::StoreError;
pub use leases::{Claim, Leases, LEASE, RENEW_EVERY};
pub use pg::PgLog;
pub use records::{event_key, Grant, MeetingIndex, Meta, NewRecord, StoredEvent};
pub use sled_log::SledLog;
pub use watermark::WATERMARK_FILE;

use std::path::Path;
use std::sync::Arc;

/// The store every part of the server holds; cheap to clone. Its methods are
/// the [`Backend`]'s.
#[derive(Clone, Debug)]
pub struct Store(Arc<dyn Backend>);

impl Store {
    /// The sled store in `dir` (opened or created): see [`SledLog::open`].
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Ok(Store::new(SledLog::open(dir)?))
    }

    /// A store over any backend.
    pub fn new(backend: impl Backend) -> Store {
        Store(Arc::new(backend))
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}
