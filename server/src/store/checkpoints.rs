//! Checkpoints of meetings' states, as files beside sled's (see the store's
//! layout): the types, the thread that writes them, and the read-ahead that
//! parses the latest ones while sled opens.

use super::records::{Grant, StoredEvent};
use babahui_shared::{Actor, CommandId, MeetingId, MeetingState, Seq};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// A meeting's state at `seq`, with what the meeting task needs beside it.
#[derive(Debug, Clone, Deserialize)]
pub struct Checkpoint {
    /// The last event the state includes.
    pub seq: Seq,
    /// The state after event `seq`.
    pub state: MeetingState,
    /// Every token granted so far (hashes only).
    pub grants: Vec<Grant>,
    /// The current join invite code.
    pub invite: String,
    /// Recent command results, for idempotent resends.
    pub done: Vec<DoneCommand>,
}

/// [`Checkpoint`] as written: borrows the state rather than copying it.
#[derive(Debug, Serialize)]
pub struct CheckpointRef<'a> {
    /// See [`Checkpoint::seq`].
    pub seq: Seq,
    /// See [`Checkpoint::state`].
    pub state: &'a MeetingState,
    /// See [`Checkpoint::grants`].
    pub grants: Vec<Grant>,
    /// See [`Checkpoint::invite`].
    pub invite: &'a str,
    /// See [`Checkpoint::done`].
    pub done: Vec<DoneCommand>,
}

/// A command's result, remembered for resends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneCommand {
    /// Who sent it.
    pub by: Actor,
    /// Its id.
    pub command: CommandId,
    /// Its event.
    pub seq: Seq,
    /// What it created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<u32>,
}

/// The checkpoint files and the thread that writes them, one at a time and in
/// order (a newer checkpoint never loses to an older one; a removal comes after
/// every write asked for before it).
#[derive(Clone)]
pub(super) struct Checkpoints {
    dir: std::path::PathBuf,
    jobs: std_mpsc::Sender<CheckpointJob>,
}

enum CheckpointJob {
    Keep(MeetingId, Vec<u8>),
    Remove(MeetingId),
    /// Answered once every job before it is done (tests wait on it).
    #[cfg(test)]
    Sync(std_mpsc::Sender<()>),
}

impl Checkpoints {
    pub(super) fn start(dir: std::path::PathBuf) -> std::io::Result<Checkpoints> {
        std::fs::create_dir_all(&dir)?;
        let (jobs, rx) = std_mpsc::channel::<CheckpointJob>();
        let files = Checkpoints { dir, jobs };
        let worker = files.clone();
        thread::Builder::new()
            .name("babahui-checkpoints".into())
            .spawn(move || {
                for job in rx {
                    let (meeting, result) = match job {
                        CheckpointJob::Keep(meeting, bytes) => {
                            let path = worker.path(&meeting);
                            let tmp = path.with_extension("json.tmp");
                            let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path));
                            (meeting, result)
                        }
                        CheckpointJob::Remove(meeting) => {
                            let result = std::fs::remove_file(worker.path(&meeting)).or_else(|e| match e.kind() {
                                std::io::ErrorKind::NotFound => Ok(()),
                                _ => Err(e),
                            });
                            (meeting, result)
                        }
                        #[cfg(test)]
                        CheckpointJob::Sync(done) => {
                            let _ = done.send(());
                            continue;
                        }
                    };
                    if let Err(e) = result {
                        tracing::warn!(%meeting, error = %e, "checkpoint file not written or removed");
                    }
                }
            })?;
        Ok(files)
    }

    pub(super) fn path(&self, meeting: &MeetingId) -> std::path::PathBuf {
        self.dir.join(format!("{meeting}.json"))
    }

    pub(super) fn keep(&self, meeting: &MeetingId, bytes: Vec<u8>) {
        let _ = self.jobs.send(CheckpointJob::Keep(meeting.clone(), bytes));
    }

    pub(super) fn remove(&self, meeting: &MeetingId) {
        let _ = self.jobs.send(CheckpointJob::Remove(meeting.clone()));
    }

    /// Waits until every job sent before is done.
    #[cfg(test)]
    pub(super) fn sync(&self) {
        let (tx, rx) = std_mpsc::channel();
        let _ = self.jobs.send(CheckpointJob::Sync(tx));
        let _ = rx.recv();
    }
}

/// Most checkpoints read ahead at start…
const READ_AHEAD_FILES: usize = 4;
/// …and most bytes of them.
const READ_AHEAD_BYTES: u64 = 256 << 20;
/// Read-ahead checkpoints no one asked for are dropped after this.
const READ_AHEAD_KEPT: Duration = Duration::from_secs(300);

/// The latest checkpoints, parsed on a thread of their own while sled opens
/// (sled's start-up reads its whole log: the two overlap on two cores). After
/// a crash mid-meeting, the meeting that was running is the one most recently
/// checkpointed, and the one every phone asks for first.
#[derive(Clone, Default)]
pub(super) struct ReadAhead {
    inner: Arc<(Mutex<ReadAheadState>, Condvar)>,
}

#[derive(Default)]
struct ReadAheadState {
    /// Still to parse, in order.
    pending: Vec<MeetingId>,
    /// Parsed and not yet taken (unreadable ones are not kept).
    ready: HashMap<MeetingId, Checkpoint>,
}

impl ReadAhead {
    /// Starts reading the newest checkpoint files of `dir`.
    pub(super) fn start(dir: &Path) -> ReadAhead {
        let ahead = ReadAhead::default();
        let files = newest_checkpoints(dir);
        if files.is_empty() {
            return ahead;
        }
        ahead.inner.0.lock().expect("read-ahead lock").pending = files.iter().map(|(m, _)| m.clone()).collect();
        let worker = ahead.clone();
        let spawned = thread::Builder::new()
            .name("babahui-read-ahead".into())
            .spawn(move || worker.run(files));
        if spawned.is_err() {
            ahead.inner.0.lock().expect("read-ahead lock").pending.clear();
        }
        ahead
    }

    fn run(&self, files: Vec<(MeetingId, PathBuf)>) {
        let (lock, ready) = &*self.inner;
        for (meeting, path) in files {
            let parsed = std::fs::read(&path)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Checkpoint>(&bytes).ok());
            let mut state = lock.lock().expect("read-ahead lock");
            state.pending.retain(|m| *m != meeting);
            if let Some(c) = parsed {
                state.ready.insert(meeting, c);
            }
            ready.notify_all();
        }
        thread::sleep(READ_AHEAD_KEPT);
        lock.lock().expect("read-ahead lock").ready.clear();
    }

    /// The read-ahead checkpoint of `meeting`, waiting if it is being parsed;
    /// `None` if it was not read ahead (or was unreadable).
    pub(super) fn take(&self, meeting: &MeetingId) -> Option<Checkpoint> {
        let (lock, ready) = &*self.inner;
        let mut state = lock.lock().expect("read-ahead lock");
        loop {
            if let Some(c) = state.ready.remove(meeting) {
                return Some(c);
            }
            if !state.pending.contains(meeting) {
                return None;
            }
            state = ready.wait(state).expect("read-ahead lock");
        }
    }
}

/// The sequence number of a checkpoint file from its first bytes
/// (`{"seq":N,…`), without parsing the rest.
pub(super) fn peek_seq(path: &Path) -> Option<Seq> {
    use std::io::Read;
    let mut head = [0u8; 32];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    peek_seq_bytes(&head[..n])
}

/// The sequence number at the start of a serialised checkpoint.
pub(super) fn peek_seq_bytes(bytes: &[u8]) -> Option<Seq> {
    let head = &bytes[..bytes.len().min(32)];
    let text = std::str::from_utf8(head).ok()?.strip_prefix(r#"{"seq":"#)?;
    text[..text.find(|c: char| !c.is_ascii_digit())?].parse().ok()
}

/// The newest checkpoint files, newest first, within the read-ahead budget.
fn newest_checkpoints(dir: &Path) -> Vec<(MeetingId, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, u64, MeetingId, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let id = MeetingId::parse(path.file_name()?.to_str()?.strip_suffix(".json")?)?;
            let meta = e.metadata().ok()?;
            Some((meta.modified().ok()?, meta.len(), id, path))
        })
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    let mut budget = READ_AHEAD_BYTES;
    files
        .into_iter()
        .take(READ_AHEAD_FILES)
        .take_while(|(_, len, _, _)| {
            let fits = *len <= budget;
            budget = budget.saturating_sub(*len);
            fits
        })
        .map(|(_, _, id, path)| (id, path))
        .collect()
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
