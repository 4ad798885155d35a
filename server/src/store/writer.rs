//! The one writer thread: it takes every job waiting, inserts them and
//! flushes once (group commit), then answers each. A job is answered `Ok` only
//! after the flush; a failed flush is taken back (see `recover`) before
//! anything new is written.

use super::db::{Handles, Shared};
use super::error::StoreError;
use super::records::{encode, event_key, key_seq, MeetingIndex, NewRecord};
use super::watermark::{Watermark, EVENTS_TOTAL};
use babahui_shared::{MeetingId, Seq};
use std::path::Path;
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Most jobs one group commit takes.
const MAX_JOBS_PER_FLUSH: usize = 4096;

pub(super) enum Job {
    Write(WriteJob),

    /// Remove a meeting's whole log and index entry.
    Delete {
        meeting: MeetingId,
        done: oneshot::Sender<Result<u64, StoreError>>,
    },
    /// Flush and end the thread (the last step of a clean shutdown).
    Stop,
}

/// Appends to one meeting's log.
pub(super) struct WriteJob {
    pub(super) meeting: MeetingId,
    /// The head the log must have before this append (see [`super::Backend::append`]).
    pub(super) after: Seq,
    pub(super) records: Vec<NewRecord>,
    pub(super) index: Option<MeetingIndex>,
    pub(super) done: oneshot::Sender<Result<(), StoreError>>,
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

pub(super) fn writer_loop(shared: Arc<Shared>, watermark: Arc<Watermark>, rx: std_mpsc::Receiver<Job>) {
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
                        Err(StoreError::NotWritable)
                    };
                    if let Ok(removed) = result {
                        total -= removed;
                        watermark.update(|c| c.events = total);
                    }
                    let _ = done.send(result);
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
                let _ = job.done.send(Err(StoreError::NotWritable));
            }
            continue;
        }
        let outcome = shared.with(|h| Ok(write_group(h, &jobs, total)));
        let (results, flushed_total, written) = match outcome {
            Ok(group) => group,
            Err(e) => (
                jobs.iter()
                    .map(|_| Err(StoreError::Unavailable(e.to_string())))
                    .collect(),
                None,
                vec![true; jobs.len()],
            ),
        };
        match flushed_total {
            Some(t) => {
                total = t;
                watermark.update(|c| c.events = total);
            }
            None => {
                // A stale append wrote nothing: its keys are another writer's.
                pending.extend(jobs.iter().zip(&written).filter(|(_, w)| **w).map(|(job, _)| Undo {
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
/// Also which jobs may have written something (all but the stale ones).
fn write_group(h: &Handles, jobs: &[WriteJob], total: u64) -> (Vec<Result<(), StoreError>>, Option<u64>, Vec<bool>) {
    let inserted: Vec<Result<(), StoreError>> = jobs.iter().map(|job| insert_job(&h.log, &h.meetings, job)).collect();
    let written: Vec<bool> = inserted
        .iter()
        .map(|r| !matches!(r, Err(StoreError::Stale { .. })))
        .collect();
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
        .zip(&written)
        .map(|((job, result), written)| {
            let result = result.and_then(|()| flushed.clone().map_err(StoreError::Sled));
            if result.is_err() && *written {
                undo_job(&h.log, &h.meetings, job);
            }
            result
        })
        .collect();
    (results, flushed.ok().map(|()| total + added), written)
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

/// Inserts one job's records (and index entry), if the meeting's log ends
/// where the job expects it to.
fn insert_job(log: &sled::Tree, meetings: &sled::Tree, job: &WriteJob) -> Result<(), StoreError> {
    let head = match log.scan_prefix(job.meeting.as_str()).next_back() {
        Some(item) => key_seq(&item?.0).unwrap_or(0),
        None => 0,
    };
    if head != job.after {
        return Err(StoreError::Stale {
            meeting: job.meeting.clone(),
            expected: job.after,
            found: head,
        });
    }
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
