//! The store's errors, typed: what failed, where, and whether anything was stored.

use babahui_shared::{MeetingId, Seq};

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (I/O, corruption, disk full).
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    /// A stored record is not valid JSON of the expected shape.
    #[error("stored record {key} is damaged: {source}")]
    Damaged {
        /// Which key.
        key: String,
        /// Why.
        source: serde_json::Error,
    },
    /// A stored index entry cannot be read.
    #[error("stored record {key} is damaged: {error}")]
    BadIndex {
        /// Which key.
        key: String,
        /// Why.
        error: String,
    },
    /// A meeting's log has a hole or is out of order.
    #[error("meeting {meeting}: expected event {expected}, found {found}")]
    Gap {
        /// Which meeting.
        meeting: MeetingId,
        /// Sequence number expected.
        expected: Seq,
        /// Sequence number found.
        found: Seq,
    },
    /// A write failed (a full disk?) and is being taken back: nothing is
    /// written or freshly loaded until it is.
    #[error("storage error: the disk is full or failing; nothing was stored")]
    NotWritable,
    /// An append expected the meeting's log to end at `expected`, but it ends
    /// at `found`: another writer got there first (or the writer is stale).
    #[error("meeting {meeting}: the log ends at {found}, not at {expected} as the writer expected")]
    Stale {
        /// Which meeting.
        meeting: MeetingId,
        /// The head the writer expected.
        expected: Seq,
        /// The head found.
        found: Seq,
    },
    /// The database could not be used (reopened after a failed write, or
    /// failed for a whole group of writes).
    #[error("storage error: {0}")]
    Unavailable(String),
    /// The database (PostgreSQL) failed or could not be reached. An append
    /// that fails so may or may not have been stored.
    #[error("storage error: {0}")]
    Database(String),
    /// Another node holds this meeting's lease: this one may not write to it.
    #[error("meeting {meeting}: another node now decides for this meeting")]
    NotOwner {
        /// Which meeting.
        meeting: MeetingId,
    },
    /// A file beside the database (a thread, the checkpoints folder) failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The writer thread is gone (the server is shutting down).
    #[error("the store is closed")]
    Closed,
    /// The folder holds less than was stored in it: damaged or truncated.
    #[error(
        "the data folder {dir} is damaged: it holds {have} events and {have_ledger} ledger entries, \
         but {expected} events and {expected_ledger} ledger entries were stored in it"
    )]
    Shorter {
        /// The folder.
        dir: String,
        /// Events found.
        have: u64,
        /// Events stored before.
        expected: u64,
        /// Ledger entries found.
        have_ledger: u64,
        /// Ledger entries stored before.
        expected_ledger: u64,
    },
    /// sled could not even open the folder (it panicked on what it read).
    #[error("the data folder {dir} cannot be read: {why}")]
    Unreadable {
        /// The folder.
        dir: String,
        /// What sled said.
        why: String,
    },
}
