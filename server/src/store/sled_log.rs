//! The sled implementation of the store: one `sled::Db` per process (sled
//! allows one process per directory), a writer thread for group commit
//! ([`super::writer`]), checkpoints in plain files beside it.

use super::backend::{Backend, UnreadableIndex};
use super::checkpoints::{self, Checkpoint, Checkpoints, Loaded, ReadAhead};
use super::db::{Handles, Shared};
use super::docs::{on_sled, Docs};
use super::error::StoreError;
use super::records::{describe_key, event_key, key_seq, reaching, MeetingIndex, NewRecord, StoredEvent};
use super::watermark::{read_u64, Counts, Watermark, EVENTS_TOTAL, WATERMARK_FILE};
use super::writer::{writer_loop, Job, WriteJob};
use babahui_shared::ledger::LedgerEntry;
use babahui_shared::{MeetingId, Seq};
use futures::future::BoxFuture;
use std::path::Path;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use tokio::sync::oneshot;

/// The sled event log: today's one [`Backend`]; cheap to clone.
#[derive(Clone)]
pub struct SledLog {
    shared: Arc<Shared>,
    writer: std_mpsc::Sender<Job>,
    thread: Arc<Mutex<Option<thread::JoinHandle<()>>>>,
    watermark: Arc<Watermark>,
    checkpoints: Checkpoints,
    read_ahead: ReadAhead,
}

impl std::fmt::Debug for SledLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledLog").finish_non_exhaustive()
    }
}

impl SledLog {
    /// Opens (or creates) the store in `dir` and starts the writer thread.
    /// Fails with [`StoreError::Shorter`] if the folder holds less than its
    /// watermark says, and never panics on a damaged folder.
    pub fn open(dir: &Path) -> Result<SledLog, StoreError> {
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
            .spawn(move || writer_loop(wshared, wmark, rx))?;
        let checkpoints = Checkpoints::start(dir.join("checkpoints"))?;
        Ok(SledLog {
            checkpoints,
            read_ahead,
            shared,
            writer,
            thread: Arc::new(Mutex::new(Some(thread))),
            watermark,
        })
    }

    /// Appends `records` to `meeting`'s log (and its index entry, on creation);
    /// resolves once they are flushed to disk.
    async fn append(
        &self,
        meeting: &MeetingId,
        after: Seq,
        records: Vec<NewRecord>,
        index: Option<MeetingIndex>,
    ) -> Result<(), StoreError> {
        let (done, rx) = oneshot::channel();
        let job = WriteJob {
            meeting: meeting.clone(),
            after,
            records,
            index,
            done,
        };
        self.writer.send(Job::Write(job)).map_err(|_| StoreError::Closed)?;
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(StoreError::Closed),
        }
    }

    fn refuse_while_undoing(&self) -> Result<(), StoreError> {
        if self.shared.undo_pending.load(std::sync::atomic::Ordering::Acquire) {
            return Err(StoreError::NotWritable);
        }
        Ok(())
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

    /// Deletes a meeting entirely (its log and its index entry), durably.
    /// The caller makes sure nothing is still writing to it.
    async fn delete(&self, meeting: &MeetingId) -> Result<u64, StoreError> {
        let (done, rx) = oneshot::channel();
        self.writer
            .send(Job::Delete {
                meeting: meeting.clone(),
                done,
            })
            .map_err(|_| StoreError::Closed)?;
        let removed = rx.await.map_err(|_| StoreError::Closed)??;
        // The meeting's task has stopped: no checkpoint of it is asked for after this.
        self.checkpoints.remove(meeting);
        Ok(removed)
    }
}

impl Backend for SledLog {
    fn append(
        &self,
        meeting: &MeetingId,
        after: Seq,
        records: Vec<NewRecord>,
        index: Option<MeetingIndex>,
    ) -> BoxFuture<'static, Result<(), StoreError>> {
        let (this, meeting) = (self.clone(), meeting.clone());
        Box::pin(async move { this.append(&meeting, after, records, index).await })
    }

    /// Whether a meeting exists.
    fn contains(&self, meeting: &MeetingId) -> Result<bool, StoreError> {
        self.shared.with(|h| Ok(h.meetings.contains_key(meeting.as_str())?))
    }

    /// Reads a meeting's whole log, checking that it is gap-free from 1.
    /// Blocking: call from `spawn_blocking`.
    fn load(&self, meeting: &MeetingId) -> Result<Vec<StoredEvent>, StoreError> {
        self.refuse_while_undoing()?;
        self.load_from(meeting, 1)
    }

    /// A meeting's events 1 to `last`: what a live meeting reloads after a
    /// failed write, knowing which events were committed. Whatever a failed
    /// write left beyond `last` (not yet taken back) is never read.
    fn load_upto(&self, meeting: &MeetingId, last: Seq) -> Result<Vec<StoredEvent>, StoreError> {
        let records = self.load_range(meeting, 1, last)?;
        reaching(meeting, last, records)
    }

    /// What a live meeting starts from: the latest usable checkpoint and the
    /// events after it (at least the last `recent`). A checkpoint that cannot be
    /// read, or is ahead of the log, is ignored and the whole log is read.
    fn load_live(&self, meeting: &MeetingId, recent: u64) -> Result<Loaded, StoreError> {
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

    /// Keeps `bytes` (a serialised [`CheckpointRef`]) as the meeting's
    /// checkpoint, on the checkpoint thread, without waiting for it.
    fn checkpoint(&self, meeting: &MeetingId, bytes: Vec<u8>) {
        self.checkpoints.keep(meeting, bytes);
    }

    /// All readable meetings, oldest first, and the index entries that could
    /// not be read (key, why), so that a backup can leave them out and say so.
    fn list_checked(&self) -> Result<(Vec<MeetingIndex>, Vec<UnreadableIndex>), StoreError> {
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

    fn meeting_index(&self, meeting: &MeetingId) -> Result<Option<MeetingIndex>, StoreError> {
        self.shared.with(|h| match h.meetings.get(meeting.as_str())? {
            None => Ok(None),
            Some(v) => Ok(Some(serde_json::from_slice(&v).map_err(|source| {
                StoreError::Damaged {
                    key: meeting.to_string(),
                    source,
                }
            })?)),
        })
    }

    fn doc_get(&self, kind: Docs, key: &str) -> Result<Option<String>, StoreError> {
        self.shared.with(|h| on_sled::get(&h.db, kind, key))
    }

    fn doc_put(&self, kind: Docs, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        self.refuse_while_undoing()?;
        self.shared.with(|h| on_sled::put(&h.db, kind, key, value))
    }

    fn doc_scan(&self, kind: Docs, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.shared.with(|h| on_sled::list(&h.db, kind, prefix))
    }

    /// All ledger entries, by number.
    fn ledger_all(&self) -> Result<Vec<LedgerEntry>, StoreError> {
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
    fn ledger_put(&self, entry: &LedgerEntry) -> Result<(), StoreError> {
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

    fn delete(&self, meeting: &MeetingId) -> BoxFuture<'static, Result<u64, StoreError>> {
        let (this, meeting) = (self.clone(), meeting.clone());
        Box::pin(async move { this.delete(&meeting).await })
    }

    /// Flushes everything (used at shutdown).
    fn flush(&self) -> Result<(), StoreError> {
        self.shared.with(|h| {
            h.db.flush()?;
            Ok(())
        })
    }

    /// Flushes, stops the writer thread and waits for it, so that once every
    /// handle is dropped the directory can be opened again (by a restart in
    /// the same process, or a backup). Writes after this fail with `Closed`.
    fn close(&self) {
        let _ = self.writer.send(Job::Stop);
        let handle = self.thread.lock().map(|mut t| t.take()).unwrap_or(None);
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CheckpointRef, Meta};
    use babahui_shared::EventKind;
    use babahui_shared::MeetingState;
    use babahui_shared::{Actor, CommandId, Event};

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
            let store = SledLog::open(dir.path()).unwrap();
            let index = MeetingIndex {
                id: id.clone(),
                title: "t".into(),
                created_at: 1,
                community: None,
                origin: None,
            };
            store
                .append(&id, 0, (1..=300).map(record).collect(), Some(index))
                .await
                .unwrap();
            store.append(&other, 0, vec![record(1)], None).await.unwrap();
            store.close();
        }
        let store = SledLog::open(dir.path()).unwrap();
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
    async fn store_with(records: Vec<NewRecord>) -> (tempfile::TempDir, MeetingId, SledLog) {
        let dir = tempfile::tempdir().unwrap();
        let id = MeetingId::parse("abcdefgh").unwrap();
        let store = SledLog::open(dir.path()).unwrap();
        let after = records.first().map_or(0, |r| r.seq - 1);
        store.append(&id, after, records, None).await.unwrap();
        (dir, id, store)
    }

    /// Appends one more record, then waits for the checkpoint thread to do
    /// what it was given (it works on its own, in order).
    async fn settle(store: &SledLog, id: &MeetingId, seq: Seq) {
        store.append(id, seq - 1, vec![record(seq)], None).await.unwrap();
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

    /// The seam's promise to a backend two processes can write: an append
    /// states the head it expects, and a stale writer is refused with nothing
    /// written (and nothing of the log it met taken back).
    #[tokio::test]
    async fn an_append_that_expects_another_head_is_refused_and_writes_nothing() {
        let (_dir, id, store) = store_with((1..=3).map(record).collect()).await;
        let stale = store.append(&id, 2, vec![record(3)], None).await;
        assert!(
            matches!(
                stale,
                Err(StoreError::Stale {
                    expected: 2,
                    found: 3,
                    ..
                })
            ),
            "{stale:?}"
        );
        let ahead = store.append(&id, 5, vec![record(6)], None).await;
        assert!(matches!(ahead, Err(StoreError::Stale { found: 3, .. })), "{ahead:?}");
        assert_eq!(store.load(&id).unwrap().len(), 3, "the log is as it was");
        store.append(&id, 3, vec![record(4)], None).await.unwrap();
        assert_eq!(store.load(&id).unwrap().len(), 4);
    }
}
