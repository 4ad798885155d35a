//! The one seam between Babahui and its storage: what the hub, the ledger and
//! the backups need of a store, and nothing more. sled ([`super::SledLog`]) is
//! its one implementation today; a PostgreSQL backend for district
//! deployments becomes a second without touching the hub, the services or the
//! transports.
//!
//! Blocking methods are called off the async threads (`spawn_blocking`);
//! `append` and `delete` return futures because they wait for a flush.

use super::checkpoints::Loaded;
use super::docs::Docs;
use super::error::StoreError;
use super::leases::Leases;
use super::records::{MeetingIndex, NewRecord, StoredEvent};
use babahui_shared::ledger::LedgerEntry;
use babahui_shared::{MeetingId, Seq};
use futures::future::BoxFuture;

/// An index entry that could not be read: its key, and why.
pub type UnreadableIndex = (String, String);

/// Holds the ledger (see [`Backend::ledger_lock`]) while it lives.
#[derive(Debug)]
pub struct LedgerGuard(pub Box<dyn std::fmt::Debug + Send + Sync>);

/// What a store does. Every write is durable when it resolves `Ok`.
pub trait Backend: Send + Sync + std::fmt::Debug + 'static {
    /// Appends `records` to `meeting`'s log (and its index entry, on creation).
    /// The log must end at `after` (0 for a new meeting): a store that two
    /// processes can write refuses a stale writer with [`StoreError::Stale`].
    /// Resolves once the records are durable.
    fn append(
        &self,
        meeting: &MeetingId,
        after: Seq,
        records: Vec<NewRecord>,
        index: Option<MeetingIndex>,
    ) -> BoxFuture<'static, Result<(), StoreError>>;

    /// Whether a meeting exists.
    fn contains(&self, meeting: &MeetingId) -> Result<bool, StoreError>;

    /// A meeting's whole log, checked gap-free from 1.
    fn load(&self, meeting: &MeetingId) -> Result<Vec<StoredEvent>, StoreError>;

    /// A meeting's events 1 to `last` (what was committed), nothing beyond.
    fn load_upto(&self, meeting: &MeetingId, last: Seq) -> Result<Vec<StoredEvent>, StoreError>;

    /// What a live meeting goes on from after an append to it failed, having
    /// committed up to `committed`. On sled a failed append is certainly not
    /// stored, and what it may have left beyond `committed` is never read; on
    /// a database the outcome of a failed `COMMIT` is unknown, so the whole
    /// log is read, and the caller sees whether it is longer.
    fn load_after_failed_append(&self, meeting: &MeetingId, committed: Seq) -> Result<Vec<StoredEvent>, StoreError> {
        self.load_upto(meeting, committed)
    }

    /// What a live meeting starts from: the latest usable checkpoint and the
    /// events after it (at least the last `recent`).
    fn load_live(&self, meeting: &MeetingId, recent: u64) -> Result<Loaded, StoreError>;

    /// Keeps `bytes` (a serialised checkpoint) as the meeting's checkpoint,
    /// without waiting: checkpoints are derived data, and may be lost.
    fn checkpoint(&self, meeting: &MeetingId, bytes: Vec<u8>);

    /// All readable meetings, oldest first, and the index entries that could
    /// not be read, so that a backup can leave them out and say so.
    fn list_checked(&self) -> Result<(Vec<MeetingIndex>, Vec<UnreadableIndex>), StoreError>;

    /// One meeting's index entry (its title, its community), if it exists.
    fn meeting_index(&self, meeting: &MeetingId) -> Result<Option<MeetingIndex>, StoreError>;

    /// The document `key` of `kind`, if there is one.
    fn doc_get(&self, kind: Docs, key: &str) -> Result<Option<String>, StoreError>;

    /// Writes (or, with `None`, removes) the document `key` of `kind`, durably.
    fn doc_put(&self, kind: Docs, key: &str, value: Option<&str>) -> Result<(), StoreError>;

    /// The documents of `kind` whose key starts with `prefix`, by key.
    fn doc_scan(&self, kind: Docs, prefix: &str) -> Result<Vec<(String, String)>, StoreError>;

    /// Every document of `kind`, by key.
    fn doc_list(&self, kind: Docs) -> Result<Vec<(String, String)>, StoreError> {
        self.doc_scan(kind, "")
    }

    /// All meetings, oldest first; a damaged index entry fails the call.
    fn list(&self) -> Result<Vec<MeetingIndex>, StoreError> {
        let (out, damaged) = self.list_checked()?;
        match damaged.into_iter().next() {
            None => Ok(out),
            Some((key, error)) => Err(StoreError::BadIndex { key, error }),
        }
    }

    /// Every ledger entry, by number.
    fn ledger_all(&self) -> Result<Vec<LedgerEntry>, StoreError>;

    /// Holds the ledger for one read-modify-write (a number taken, an entry
    /// changed) against every process that writes this store, until the
    /// returned guard is dropped. On sled one process owns the folder, and the
    /// ledger service's own lock is enough.
    fn ledger_lock(&self) -> BoxFuture<'static, Result<LedgerGuard, StoreError>> {
        Box::pin(async { Ok(LedgerGuard(Box::new(()))) })
    }

    /// Writes a ledger entry durably.
    fn ledger_put(&self, entry: &LedgerEntry) -> Result<(), StoreError>;

    /// Deletes a meeting entirely (its log and index entry), durably; returns
    /// how many events were removed. The caller makes sure nothing still writes to it.
    fn delete(&self, meeting: &MeetingId) -> BoxFuture<'static, Result<u64, StoreError>>;

    /// Makes everything durable (at shutdown).
    fn flush(&self) -> Result<(), StoreError>;

    /// Flushes and lets go of the storage, so that it can be opened again.
    fn close(&self);

    /// The leases that say which node decides for a meeting, on a store that
    /// several nodes share; `None` on a store only one process can open.
    fn leases(&self) -> Option<&dyn Leases> {
        None
    }
}
