//! The durable event log, in sled.
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

mod checkpoints;

use babahui_shared::{Actor, CommandId, Event, MeetingId, Seq};
pub use checkpoints::{Checkpoint, CheckpointRef, DoneCommand};
use checkpoints::{Checkpoints, ReadAhead};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use tokio::sync::oneshot;

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

/// The file beside sled's own that records how much the folder holds.
pub const WATERMARK_FILE: &str = "babahui-watermark.json";

/// Key of the stored-events counter in the default tree.
const EVENTS_TOTAL: &[u8] = b"events_total";

/// The counts last known to be durable, mirrored to [`WATERMARK_FILE`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Counts {
    events: u64,
    ledger: u64,
}

/// Writes the watermark file after flushes (write a temporary file, rename).
/// Not fsynced: it only has to survive a crash of the process, like sled's
/// flush; after a power cut a stale (lower) watermark raises no false alarm.
#[derive(Debug)]
struct Watermark {
    path: std::path::PathBuf,
    counts: Mutex<Counts>,
}

impl Watermark {
    fn read(dir: &Path) -> Counts {
        std::fs::read(dir.join(WATERMARK_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn update(&self, f: impl FnOnce(&mut Counts)) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut counts);
        let tmp = self.path.with_extension("tmp");
        let written = std::fs::write(&tmp, serde_json::to_vec(&*counts).expect("counts serialise"))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            tracing::warn!(error = %e, "could not write the watermark file");
        }
    }
}

fn read_u64(v: Option<sled::IVec>) -> u64 {
    v.and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

/// A capability granted by an event: whoever holds the token whose SHA-256 is
/// `hash` acts as `to`. Only hashes are stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Hex SHA-256 of the token.
    pub hash: String,
    /// Who the token makes its holder.
    pub to: Actor,
}

/// What is stored with an event but never sent to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// Id of the command that produced the event (for idempotent resends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandId>,
    /// Tokens this event grants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// A new join invite code (meeting creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
}

/// One record of the log as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The public event.
    pub event: Event,
    /// The private part.
    #[serde(default)]
    pub meta: Meta,
}

/// One record to append: the event already serialised (the same JSON goes to
/// clients, so it is produced once) and its meta.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// Sequence number.
    pub seq: Seq,
    /// `serde_json::to_string(&event)`.
    pub event_json: std::sync::Arc<str>,
    /// Private part.
    pub meta: Meta,
}

/// A meeting's entry in the index of meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingIndex {
    /// Id.
    pub id: MeetingId,
    /// Title at creation.
    pub title: String,
    /// Server time of creation, ms.
    pub created_at: u64,
}

/// What a live meeting is rebuilt from: a checkpoint, if there is a usable one,
/// and the log's last events — every event after the checkpoint, and at least
/// the last `recent` (for resumes), in order and gap-free, ending at the head.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The latest usable checkpoint.
    pub checkpoint: Option<Checkpoint>,
    /// The last events of the log.
    pub records: Vec<StoredEvent>,
}

enum Job {
    Write(WriteJob),

    /// Remove a meeting's whole log and index entry.
    Delete {
        meeting: MeetingId,
        done: oneshot::Sender<Result<u64, String>>,
    },
    /// Flush and end the thread (the last step of a clean shutdown).
    Stop,
}

struct WriteJob {
    meeting: MeetingId,
    records: Vec<NewRecord>,
    index: Option<MeetingIndex>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The open sled database and its trees. Replaced as a whole when the
/// database has to be reopened (see [`Shared::reopen`]).
struct Handles {
    db: sled::Db,
    log: sled::Tree,
    meetings: sled::Tree,
}

impl Handles {
    fn open(dir: &Path) -> Result<Handles, StoreError> {
        let config = sled::Config::new().path(dir).mode(sled::Mode::HighThroughput);
        let db = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || config.open())).map_err(|panic| {
            StoreError::Unreadable {
                dir: dir.display().to_string(),
                why: panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown".into()),
            }
        })??;
        Ok(Handles {
            log: db.open_tree("log")?,
            meetings: db.open_tree("meetings")?,
            db,
        })
    }
}

/// What every clone of the store and the writer thread share. sled 0.34 fails
/// every operation after an I/O error in its log (a full disk): the only way
/// back is to drop the database and open it again, which needs every handle to
/// it gone — hence one slot, read-locked for each use, write-locked to reopen.
struct Shared {
    dir: std::path::PathBuf,
    handles: std::sync::RwLock<Option<Handles>>,
    /// Set while writes that failed have not yet been taken back on disk
    /// (see `writer_loop`): a meeting must not be loaded afresh then, since
    /// its log may still hold events nobody was told of.
    undo_pending: std::sync::atomic::AtomicBool,
}

impl Shared {
    fn with<T>(&self, f: impl FnOnce(&Handles) -> Result<T, StoreError>) -> Result<T, StoreError> {
        {
            let guard = self.handles.read().unwrap_or_else(|p| p.into_inner());
            if let Some(h) = guard.as_ref() {
                return f(h);
            }
        }
        // Closed after a failed write and not yet reopened (the disk was still
        // full): any use tries again, so reads come back as soon as they can.
        self.reopen_if(false);
        let guard = self.handles.read().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(h) => f(h),
            None => Err(StoreError::Sled(sled::Error::Io(std::io::Error::other(
                "the database could not be reopened after a write failed",
            )))),
        }
    }

    /// Drops the database (after a failed flush) and opens it again; until it
    /// opens, every operation fails with a storage error. Returns whether it is open.
    fn reopen(&self) -> bool {
        self.reopen_if(true)
    }

    /// Opens the database if it is closed (another thread may have opened it
    /// meanwhile); with `force`, drops an open one first.
    fn reopen_if(&self, force: bool) -> bool {
        let mut slot = self.handles.write().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() && !force {
            return true;
        }
        if slot.take().is_some() {
            tracing::warn!("reopening the database after a failed write");
        }
        match Handles::open(&self.dir) {
            Ok(h) => {
                *slot = Some(h);
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "the database cannot be reopened yet");
                false
            }
        }
    }
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
    writer: std_mpsc::Sender<Job>,
    thread: Arc<Mutex<Option<thread::JoinHandle<()>>>>,
    watermark: Arc<Watermark>,
    checkpoints: Checkpoints,
    read_ahead: ReadAhead,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// Most jobs one group commit takes.
const MAX_JOBS_PER_FLUSH: usize = 4096;

impl Store {
    /// Opens (or creates) the store in `dir` and starts the writer thread.
    /// Fails with [`StoreError::Shorter`] if the folder holds less than its
    /// watermark says, and never panics on a damaged folder.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let expected = Watermark::read(dir);
        let read_ahead = ReadAhead::start(&dir.join("checkpoints"));
        let handles = Handles::open(dir)?;
        let have = Counts {
            events: read_u64(handles.db.get(EVENTS_TOTAL)?),
            ledger: handles.db.open_tree("ledger")?.len() as u64,
        };
        if have.events < expected.events || have.ledger < expected.ledger {
            return Err(StoreError::Shorter {
                dir: dir.display().to_string(),
                have: have.events,
                expected: expected.events,
                have_ledger: have.ledger,
                expected_ledger: expected.ledger,
            });
        }
        let watermark = Arc::new(Watermark {
            path: dir.join(WATERMARK_FILE),
            counts: Mutex::new(have),
        });
        watermark.update(|_| {});
        let shared = Arc::new(Shared {
            dir: dir.to_owned(),
            handles: std::sync::RwLock::new(Some(handles)),
            undo_pending: std::sync::atomic::AtomicBool::new(false),
        });
        let (writer, rx) = std_mpsc::channel::<Job>();
        let (wshared, wmark) = (shared.clone(), watermark.clone());
        let thread = thread::Builder::new()
            .name("babahui-writer".into())
            .spawn(move || writer_loop(wshared, wmark, rx))
            .map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
        let checkpoints =
            Checkpoints::start(dir.join("checkpoints")).map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
        Ok(Store {
            checkpoints,
            read_ahead,
            shared,
            writer,
            thread: Arc::new(Mutex::new(Some(thread))),
            watermark,
        })
    }

    /// Flushes, stops the writer thread and waits for it, so that once every
    /// handle is dropped the directory can be opened again (by a restart in
    /// the same process, or a backup). Writes after this fail with `Closed`.
    pub fn close(&self) {
        let _ = self.writer.send(Job::Stop);
        let handle = self.thread.lock().map(|mut t| t.take()).unwrap_or(None);
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }

    /// Appends `records` to `meeting`'s log (and its index entry, on creation);
    /// resolves once they are flushed to disk.
    pub async fn append(
        &self,
        meeting: &MeetingId,
        records: Vec<NewRecord>,
        index: Option<MeetingIndex>,
    ) -> Result<(), StoreError> {
        let (done, rx) = oneshot::channel();
        let job = WriteJob {
            meeting: meeting.clone(),
            records,
            index,
            done,
        };
        self.writer.send(Job::Write(job)).map_err(|_| StoreError::Closed)?;
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(msg)) => Err(StoreError::Sled(sled::Error::Io(std::io::Error::other(msg)))),
            Err(_) => Err(StoreError::Closed),
        }
    }

    /// Whether a meeting exists.
    pub fn contains(&self, meeting: &MeetingId) -> Result<bool, StoreError> {
        self.shared.with(|h| Ok(h.meetings.contains_key(meeting.as_str())?))
    }

    /// Reads a meeting's whole log, checking that it is gap-free from 1.
    /// Blocking: call from `spawn_blocking`.
    pub fn load(&self, meeting: &MeetingId) -> Result<Vec<StoredEvent>, StoreError> {
        self.refuse_while_undoing()?;
        self.load_from(meeting, 1)
    }

    /// A meeting's events 1 to `last`: what a live meeting reloads after a
    /// failed write, knowing which events were committed. Whatever a failed
    /// write left beyond `last` (not yet taken back) is never read.
    pub fn load_upto(&self, meeting: &MeetingId, last: Seq) -> Result<Vec<StoredEvent>, StoreError> {
        let records = self.load_range(meeting, 1, last)?;
        if records.len() as Seq != last {
            return Err(StoreError::Gap {
                meeting: meeting.clone(),
                expected: records.len() as Seq + 1,
                found: 0,
            });
        }
        Ok(records)
    }

    fn refuse_while_undoing(&self) -> Result<(), StoreError> {
        if self.shared.undo_pending.load(std::sync::atomic::Ordering::Acquire) {
            return Err(StoreError::Sled(sled::Error::Io(std::io::Error::other(
                "a write failed and is being taken back (is the disk full?); try again shortly",
            ))));
        }
        Ok(())
    }

    /// What a live meeting starts from: the latest usable checkpoint and the
    /// events after it (at least the last `recent`). A checkpoint that cannot be
    /// read, or is ahead of the log, is ignored and the whole log is read.
    pub fn load_live(&self, meeting: &MeetingId, recent: u64) -> Result<Loaded, StoreError> {
        self.refuse_while_undoing()?;
        let head = self
            .shared
            .with(|h| match h.log.scan_prefix(meeting.as_str()).next_back() {
                Some(item) => Ok(key_seq(&item?.0).unwrap_or(0)),
                None => Ok(0),
            })?;
        let from = |seq: Seq| (seq + 1).min(head.saturating_sub(recent) + 1).max(1);
        // The events after the checkpoint are read while the read-ahead thread
        // may still be parsing the checkpoint itself (its sequence number is
        // the file's first field).
        let hinted = checkpoints::peek_seq(&self.checkpoints.path(meeting)).filter(|s| *s <= head);
        let early = match hinted {
            Some(seq) => Some((seq, self.load_from(meeting, from(seq))?)),
            None => None,
        };
        let parsed = match self.read_ahead.take(meeting) {
            Some(c) => Some(Ok(c)),
            None => std::fs::read(self.checkpoints.path(meeting))
                .ok()
                .map(|bytes| serde_json::from_slice::<Checkpoint>(&bytes)),
        };
        let checkpoint = match parsed {
            None => None,
            Some(Ok(c)) if c.seq <= head && c.seq == c.state.seq => Some(c),
            Some(Ok(c)) => {
                tracing::warn!(%meeting, seq = c.seq, head, "checkpoint ahead of the log; replaying the whole log");
                None
            }
            Some(Err(e)) => {
                tracing::warn!(%meeting, error = %e, "unreadable checkpoint; replaying the whole log");
                None
            }
        };
        let Some(checkpoint) = checkpoint else {
            return Ok(Loaded {
                checkpoint: None,
                records: self.load(meeting)?,
            });
        };
        let records = match early {
            Some((seq, records)) if seq == checkpoint.seq => records,
            _ => self.load_from(meeting, from(checkpoint.seq))?,
        };
        Ok(Loaded {
            checkpoint: Some(checkpoint),
            records,
        })
    }

    /// A meeting's events from `from` on, checked gap-free.
    fn load_from(&self, meeting: &MeetingId, from: Seq) -> Result<Vec<StoredEvent>, StoreError> {
        self.load_range(meeting, from, Seq::MAX - 1)
    }

    /// A meeting's events `from..=last`, checked gap-free.
    fn load_range(&self, meeting: &MeetingId, from: Seq, last: Seq) -> Result<Vec<StoredEvent>, StoreError> {
        self.shared.with(|h| {
            let mut out = Vec::new();
            let end = event_key(meeting, last + 1);
            for item in h.log.range(event_key(meeting, from)..end) {
                let (key, value) = item?;
                let record: StoredEvent = serde_json::from_slice(&value).map_err(|source| StoreError::Damaged {
                    key: describe_key(&key),
                    source,
                })?;
                let expected = from + out.len() as Seq;
                if record.event.seq != expected || key_seq(&key) != Some(expected) {
                    return Err(StoreError::Gap {
                        meeting: meeting.clone(),
                        expected,
                        found: record.event.seq,
                    });
                }
                out.push(record);
            }
            Ok(out)
        })
    }

    /// Keeps `bytes` (a serialised [`CheckpointRef`]) as the meeting's
    /// checkpoint, on the checkpoint thread, without waiting for it.
    pub fn checkpoint(&self, meeting: &MeetingId, bytes: Vec<u8>) {
        self.checkpoints.keep(meeting, bytes);
    }

    /// All meetings, oldest first. A damaged index entry fails the call:
    /// use [`list_checked`](Self::list_checked) to carry on past it.
    pub fn list(&self) -> Result<Vec<MeetingIndex>, StoreError> {
        let (out, damaged) = self.list_checked()?;
        match damaged.into_iter().next() {
            None => Ok(out),
            Some((key, error)) => Err(StoreError::BadIndex { key, error }),
        }
    }

    /// All readable meetings, oldest first, and the index entries that could
    /// not be read (key, why), so that a backup can leave them out and say so.
    pub fn list_checked(&self) -> Result<(Vec<MeetingIndex>, Vec<UnreadableIndex>), StoreError> {
        self.shared.with(|h| {
            let (mut out, mut damaged) = (Vec::new(), Vec::new());
            for item in h.meetings.iter() {
                let (key, value) = item?;
                match serde_json::from_slice::<MeetingIndex>(&value) {
                    Ok(entry) => out.push(entry),
                    Err(e) => damaged.push((describe_key(&key), e.to_string())),
                }
            }
            out.sort_by_key(|m| m.created_at);
            Ok((out, damaged))
        })
    }

    /// All ledger entries, by number.
    pub fn ledger_all(&self) -> Result<Vec<babahui_shared::ledger::LedgerEntry>, StoreError> {
        self.shared.with(|h| {
            let tree = h.db.open_tree("ledger")?;
            let mut out = Vec::new();
            for item in tree.iter() {
                let (key, value) = item?;
                out.push(serde_json::from_slice(&value).map_err(|source| StoreError::Damaged {
                    key: describe_key(&key),
                    source,
                })?);
            }
            Ok(out)
        })
    }

    /// Writes a ledger entry and flushes before returning. Ledger writes are rare
    /// (a few a day), so they do not need the log's group commit.
    pub fn ledger_put(&self, entry: &babahui_shared::ledger::LedgerEntry) -> Result<(), StoreError> {
        let entries = self.shared.with(|h| {
            let tree = h.db.open_tree("ledger")?;
            tree.insert(
                entry.id.to_be_bytes(),
                serde_json::to_vec(entry).expect("entry serialises"),
            )?;
            h.db.flush()?;
            Ok(tree.len() as u64)
        })?;
        self.watermark.update(|c| c.ledger = entries);
        Ok(())
    }

    /// Deletes a meeting entirely (its log and its index entry), durably.
    /// The caller makes sure nothing is still writing to it.
    pub async fn delete(&self, meeting: &MeetingId) -> Result<u64, StoreError> {
        let (done, rx) = oneshot::channel();
        self.writer
            .send(Job::Delete {
                meeting: meeting.clone(),
                done,
            })
            .map_err(|_| StoreError::Closed)?;
        let removed = rx
            .await
            .map_err(|_| StoreError::Closed)?
            .map_err(|e| StoreError::Sled(sled::Error::Io(std::io::Error::other(e))))?;
        // The meeting's task has stopped: no checkpoint of it is asked for after this.
        self.checkpoints.remove(meeting);
        Ok(removed)
    }

    /// Flushes everything (used at shutdown).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.shared.with(|h| {
            h.db.flush()?;
            Ok(())
        })
    }
}

/// An index entry that could not be read: its key, and why.
pub type UnreadableIndex = (String, String);

/// Key of one event: meeting id bytes then the big-endian sequence number.
pub fn event_key(meeting: &MeetingId, seq: Seq) -> Vec<u8> {
    let mut key = Vec::with_capacity(meeting.as_str().len() + 8);
    key.extend_from_slice(meeting.as_str().as_bytes());
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

fn key_seq(key: &[u8]) -> Option<Seq> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(Seq::from_be_bytes(tail))
}

fn describe_key(key: &[u8]) -> String {
    match key_seq(key) {
        Some(seq) if key.len() > 8 => {
            format!("{}#{seq}", String::from_utf8_lossy(&key[..key.len() - 8]))
        }
        _ => String::from_utf8_lossy(key).into_owned(),
    }
}

/// The stored bytes of one record: the event JSON is embedded as-is.
fn encode(record: &NewRecord) -> Vec<u8> {
    let meta = serde_json::to_string(&record.meta).expect("meta serialises");
    format!("{{\"event\":{},\"meta\":{}}}", record.event_json, meta).into_bytes()
}

/// How often the writer tries again to take back a failed write when no new
/// write comes (a full disk may have room again).
const RECOVER_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// The keys a failed write may have left behind.
struct Undo {
    meeting: MeetingId,
    seqs: Vec<Seq>,
    index: bool,
}

fn writer_loop(shared: Arc<Shared>, watermark: Arc<Watermark>, rx: std_mpsc::Receiver<Job>) {
    let mut total = watermark.counts.lock().map(|c| c.events).unwrap_or(0);
    // Writes whose flush failed. sled refuses everything after an I/O error
    // (ENOSPC) until reopened, and may already have put part of them on disk:
    // so the database is reopened at once and they are removed there, durably,
    // before anything new is written — retried on a timer too, so that reads
    // and fresh loads come back when space returns even if nobody writes.
    let mut pending: Vec<Undo> = Vec::new();
    let mut stopping = false;
    while !stopping {
        let first = if pending.is_empty() {
            match rx.recv() {
                Ok(job) => job,
                Err(_) => break,
            }
        } else {
            match rx.recv_timeout(RECOVER_EVERY) {
                Ok(job) => job,
                Err(std_mpsc::RecvTimeoutError::Timeout) => {
                    recover(&shared, &mut pending, total);
                    continue;
                }
                Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
            }
        };
        let mut jobs = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Write(job) => jobs.push(job),
                Job::Stop => stopping = true,

                Job::Delete { meeting, done } => {
                    // Rare: done on its own, with its own flush, counter and watermark.
                    let result = if recover(&shared, &mut pending, total) {
                        shared.with(|h| Ok(delete_meeting(h, &meeting, total)?))
                    } else {
                        Err(StoreError::Sled(sled::Error::Io(std::io::Error::other(NOT_WRITABLE))))
                    };
                    if let Ok(removed) = result {
                        total -= removed;
                        watermark.update(|c| c.events = total);
                    }
                    let _ = done.send(result.map_err(|e| e.to_string()));
                }
            }
            if jobs.len() < MAX_JOBS_PER_FLUSH && !stopping {
                next = rx.try_recv().ok();
            }
        }
        if jobs.is_empty() {
            continue;
        }
        if !recover(&shared, &mut pending, total) {
            for job in jobs {
                let _ = job.done.send(Err(NOT_WRITABLE.into()));
            }
            continue;
        }
        let outcome = shared.with(|h| Ok(write_group(h, &jobs, total)));
        let (results, flushed_total) = match outcome {
            Ok(pair) => pair,
            Err(e) => (jobs.iter().map(|_| Err(e.to_string())).collect(), None),
        };
        match flushed_total {
            Some(t) => {
                total = t;
                watermark.update(|c| c.events = total);
            }
            None => {
                pending.extend(jobs.iter().map(|job| Undo {
                    meeting: job.meeting.clone(),
                    seqs: job.records.iter().map(|r| r.seq).collect(),
                    index: job.index.is_some(),
                }));
                shared.undo_pending.store(true, std::sync::atomic::Ordering::Release);
            }
        }
        // Answered only now: a meeting that reloads after its refusal finds the
        // database already reopened (and, if the disk allows, cleaned).
        if !pending.is_empty() {
            recover(&shared, &mut pending, total);
        }
        for (job, result) in jobs.into_iter().zip(results) {
            let _ = job.done.send(result);
        }
    }
    let _ = shared.with(|h| Ok(h.db.flush()?));
}

/// Whether the disk under `dir` has room again: a probe file of a few
/// megabytes (more than sled needs to open and write one segment) can be
/// written and synced.
fn has_room(dir: &Path) -> bool {
    use std::io::Write;
    let probe = dir.join("space-probe");
    let written = std::fs::File::create(&probe).and_then(|mut f| {
        let block = vec![0u8; 256 * 1024];
        for _ in 0..8 {
            f.write_all(&block)?;
        }
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    written.is_ok()
}

/// Why a write is refused while a failed one is not yet taken back.
const NOT_WRITABLE: &str = "storage error: the disk is full or failing; nothing was stored";

/// Takes back the writes in `pending` on a freshly opened database and flushes;
/// true when nothing is pending any more (or was).
fn recover(shared: &Shared, pending: &mut Vec<Undo>, total: u64) -> bool {
    if pending.is_empty() {
        return true;
    }
    // sled cannot be opened on a full disk, and the old handle, broken for
    // writes, still serves reads: it is let go only once there is room.
    if !has_room(&shared.dir) || !shared.reopen() {
        return false;
    }
    let cleaned = shared.with(|h| {
        for undo in pending.iter() {
            for seq in &undo.seqs {
                h.log.remove(event_key(&undo.meeting, *seq))?;
            }
            if undo.index {
                h.meetings.remove(undo.meeting.as_str())?;
            }
        }
        h.db.insert(EVENTS_TOTAL, &total.to_be_bytes())?;
        h.db.flush()?;
        Ok(())
    });
    match cleaned {
        Ok(()) => {
            tracing::warn!(writes = pending.len(), "failed writes taken back; storing again");
            pending.clear();
            shared.undo_pending.store(false, std::sync::atomic::Ordering::Release);
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "failed writes not taken back yet (disk still full?)");
            false
        }
    }
}

/// Inserts a group of jobs and the events counter, flushes once, and takes the
/// writes back if the flush failed. Returns each job's result and, when the
/// flush succeeded, the new total.
fn write_group(h: &Handles, jobs: &[WriteJob], total: u64) -> (Vec<Result<(), String>>, Option<u64>) {
    let inserted: Vec<Result<(), sled::Error>> = jobs.iter().map(|job| insert_job(&h.log, &h.meetings, job)).collect();
    let added: u64 = jobs
        .iter()
        .zip(&inserted)
        .filter(|(_, r)| r.is_ok())
        .map(|(job, _)| job.records.len() as u64)
        .sum();
    // The counter goes into the same flush as the events it counts.
    let counted = h.db.insert(EVENTS_TOTAL, &(total + added).to_be_bytes()).map(|_| ());
    let flushed = counted.and_then(|()| h.db.flush().map(|_| ()));
    if flushed.is_err() {
        let _ = h.db.insert(EVENTS_TOTAL, &total.to_be_bytes());
    }
    let results = jobs
        .iter()
        .zip(inserted)
        .map(|(job, result)| {
            let result = result.and(flushed.clone());
            if result.is_err() {
                undo_job(&h.log, &h.meetings, job);
            }
            result.map_err(|e| e.to_string())
        })
        .collect();
    (results, flushed.ok().map(|()| total + added))
}

/// Removes every event of `meeting` and its index entry, lowers the counter by
/// as many, and flushes. Returns how many events were removed.
fn delete_meeting(h: &Handles, meeting: &MeetingId, total: u64) -> Result<u64, sled::Error> {
    let (db, log, meetings) = (&h.db, &h.log, &h.meetings);
    let mut batch = sled::Batch::default();
    let mut removed = 0u64;
    for item in log.scan_prefix(meeting.as_str().as_bytes()) {
        let (key, _) = item?;
        batch.remove(key);
        removed += 1;
    }
    log.apply_batch(batch)?;
    meetings.remove(meeting.as_str())?;
    db.insert(EVENTS_TOTAL, &total.saturating_sub(removed).to_be_bytes())?;
    db.flush()?;
    Ok(removed)
}

fn insert_job(log: &sled::Tree, meetings: &sled::Tree, job: &WriteJob) -> Result<(), sled::Error> {
    let mut batch = sled::Batch::default();
    for record in &job.records {
        batch.insert(event_key(&job.meeting, record.seq), encode(record));
    }
    log.apply_batch(batch)?;
    if let Some(index) = &job.index {
        meetings.insert(index.id.as_str(), serde_json::to_vec(index).expect("index serialises"))?;
    }
    Ok(())
}

/// Takes back the writes of a job whose flush failed, so they never become durable.
fn undo_job(log: &sled::Tree, meetings: &sled::Tree, job: &WriteJob) {
    for record in &job.records {
        let _ = log.remove(event_key(&job.meeting, record.seq));
    }
    if let Some(index) = &job.index {
        let _ = meetings.remove(index.id.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use babahui_shared::EventKind;
    use babahui_shared::MeetingState;

    fn record(seq: Seq) -> NewRecord {
        let event = Event {
            seq,
            at: seq * 10,
            by: Actor::Moderator,
            event: EventKind::MeetingStarted,
        };
        NewRecord {
            seq,
            event_json: serde_json::to_string(&event).unwrap().into(),
            meta: Meta {
                command: Some(CommandId(format!("c{seq}"))),
                ..Meta::default()
            },
        }
    }

    #[tokio::test]
    async fn appends_survive_reopen_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let id = MeetingId::parse("abcdefgh").unwrap();
        let other = MeetingId::parse("abcdefgj").unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let index = MeetingIndex {
                id: id.clone(),
                title: "t".into(),
                created_at: 1,
            };
            store
                .append(&id, (1..=300).map(record).collect(), Some(index))
                .await
                .unwrap();
            store.append(&other, vec![record(1)], None).await.unwrap();
            store.close();
        }
        let store = Store::open(dir.path()).unwrap();
        let log = store.load(&id).unwrap();
        assert_eq!(log.len(), 300, "big-endian keys keep 256 after 255");
        assert!(log.iter().enumerate().all(|(i, r)| r.event.seq == i as Seq + 1));
        assert_eq!(log[4].meta.command, Some(CommandId("c5".into())));
        assert!(store.contains(&id).unwrap());
        assert_eq!(store.list().unwrap().len(), 1);
    }

    /// The bytes of a checkpoint of an empty meeting at `seq`.
    fn checkpoint_at(seq: Seq) -> Vec<u8> {
        let state = MeetingState {
            seq,
            id: MeetingId::parse("k7m2x9qa").expect("an id"),
            ..MeetingState::default()
        };
        let checkpoint = CheckpointRef {
            seq,
            state: &state,
            grants: vec![],
            invite: "inv",
            done: vec![],
        };
        serde_json::to_vec(&checkpoint).unwrap()
    }

    /// A store in a fresh folder holding `records` for meeting `abcdefgh`
    /// (the folder lives as long as the returned guard).
    async fn store_with(records: Vec<NewRecord>) -> (tempfile::TempDir, MeetingId, Store) {
        let dir = tempfile::tempdir().unwrap();
        let id = MeetingId::parse("abcdefgh").unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.append(&id, records, None).await.unwrap();
        (dir, id, store)
    }

    /// Appends one more record, then waits for the checkpoint thread to do
    /// what it was given (it works on its own, in order).
    async fn settle(store: &Store, id: &MeetingId, seq: Seq) {
        store.append(id, vec![record(seq)], None).await.unwrap();
        store.checkpoints.sync();
    }

    #[tokio::test]
    async fn a_live_load_starts_from_the_checkpoint_and_keeps_recent_events() {
        let (_dir, id, store) = store_with((1..=30).map(record).collect()).await;
        store.checkpoint(&id, checkpoint_at(20));
        settle(&store, &id, 31).await;
        assert_eq!(checkpoints::peek_seq(&store.checkpoints.path(&id)), Some(20));
        let loaded = store.load_live(&id, 5).unwrap();
        assert_eq!(loaded.checkpoint.as_ref().map(|c| c.seq), Some(20));
        let seqs: Vec<Seq> = loaded.records.iter().map(|r| r.event.seq).collect();
        assert_eq!(seqs, (21..=31).collect::<Vec<_>>(), "every event after the checkpoint");
        let loaded = store.load_live(&id, 15).unwrap();
        assert_eq!(loaded.records.first().map(|r| r.event.seq), Some(17), "and the last 15");
    }

    #[tokio::test]
    async fn an_unusable_checkpoint_means_the_whole_log() {
        let (dir, id, store) = store_with((1..=10).map(record).collect()).await;
        store.checkpoint(&id, b"{not a checkpoint".to_vec());
        settle(&store, &id, 11).await;
        let loaded = store.load_live(&id, 2).unwrap();
        assert!(loaded.checkpoint.is_none());
        assert_eq!(loaded.records.len(), 11);
        // A checkpoint ahead of the log (its events were never stored) is not used either.
        store.checkpoint(&id, checkpoint_at(99));
        settle(&store, &id, 12).await;
        let loaded = store.load_live(&id, 2).unwrap();
        assert!(loaded.checkpoint.is_none());
        assert_eq!(loaded.records.len(), 12);
        // Deleting the meeting removes its checkpoint with its log.
        let file = dir.path().join("checkpoints").join("abcdefgh.json");
        assert!(file.exists());
        store.delete(&id).await.unwrap();
        store.checkpoints.sync();
        assert!(!file.exists(), "checkpoint removed with the meeting");
    }

    #[tokio::test]
    async fn a_gap_is_reported_not_skipped() {
        let (_dir, id, store) = store_with(vec![record(1), record(3)]).await;
        assert!(matches!(
            store.load(&id),
            Err(StoreError::Gap {
                expected: 2,
                found: 3,
                ..
            })
        ));
    }
}
