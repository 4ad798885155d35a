//! Whole-server backups as one JSON file: every meeting's log (with its private
//! part: token hashes, the invite) and the issue ledger. A community worker
//! copies it to a USB stick; `babahui restore` loads it into an empty folder and
//! the restored server carries on where the original stopped (same meeting ids,
//! same links, same sequence numbers).

use super::archive::{checked, Archive, Archives, FORMAT as MEETING_FORMAT};
use super::error::{blocking, ServiceError};
use crate::store::{Docs, Store, StoreError};
use anyhow::{bail, Context};
use babahui_shared::ledger::LedgerEntry;
use serde::{Deserialize, Serialize};

/// The `format` field of a backup file.
pub const FORMAT: &str = "babahui-backup";

/// A whole server.
#[derive(Debug, Serialize, Deserialize)]
pub struct Backup {
    /// Always [`FORMAT`].
    pub format: String,
    /// Format version.
    pub version: u32,
    /// Server time of the backup, ms.
    pub created_at: u64,
    /// Every meeting, whole.
    pub meetings: Vec<Archive>,
    /// The issue ledger.
    pub ledger: Vec<LedgerEntry>,
    /// Meetings that could not be read (a damaged log or index entry): left
    /// out, named here, so one meeting's damage never stops the backup of the
    /// others and nobody takes a partial backup for a whole one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub damaged: Vec<Damaged>,
    /// Communities, accounts (with their password hashes), sync tokens, what
    /// was received from laptops, the audit log: everything but sessions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
}

/// One document of the store (see `store::Docs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// Its kind's name (`accounts`…).
    pub kind: String,
    /// Its key.
    pub key: String,
    /// Its JSON text.
    pub value: String,
}

/// A meeting a backup had to leave out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Damaged {
    /// The meeting's id (or the stored key, if even that cannot be read).
    pub meeting: String,
    /// What is wrong with it.
    pub error: String,
}

/// Reads everything in `store` (blocking: call from a blocking thread).
/// A meeting that cannot be read is listed in [`Backup::damaged`] and the
/// others are backed up all the same; only a failure of the store itself (or
/// of the ledger) fails the backup.
pub fn collect(store: &Store, now: u64) -> Result<Backup, StoreError> {
    let (listed, unreadable) = store.list_checked()?;
    let mut damaged: Vec<Damaged> = unreadable
        .into_iter()
        .map(|(meeting, error)| Damaged { meeting, error })
        .collect();
    let mut meetings = Vec::new();
    for m in listed {
        match store.load(&m.id) {
            Ok(records) => meetings.push(Archive {
                format: MEETING_FORMAT.into(),
                version: 1,
                records,
                meeting: m.id,
                exported_at: now,
                community: m.community,
                // Kept with the documents.
                clips: Vec::new(),
            }),
            Err(e) => {
                tracing::error!(meeting = %m.id, error = %e, "meeting left out of the backup");
                damaged.push(Damaged {
                    meeting: m.id.to_string(),
                    error: e.to_string(),
                });
            }
        }
    }
    let mut documents = Vec::new();
    for kind in Docs::KEPT {
        for (key, value) in store.doc_list(kind)? {
            documents.push(Document {
                kind: kind.name().to_owned(),
                key,
                value,
            });
        }
    }
    Ok(Backup {
        format: FORMAT.into(),
        version: 1,
        created_at: now,
        meetings,
        ledger: store.ledger_all()?,
        damaged,
        documents,
    })
}

impl Archives {
    /// The whole server in one file.
    pub async fn backup(&self) -> Result<Backup, ServiceError> {
        let store = self.store.clone();
        let now = self.hub.clock().now_ms();
        blocking(move || collect(&store, now)).await
    }
}

/// What a restore loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restored {
    /// Meetings.
    pub meetings: usize,
    /// Events in them.
    pub events: usize,
    /// Ledger entries.
    pub ledger: usize,
}

/// Loads `backup` into `store`, which must be empty (restoring over live data
/// would mix two histories). Every meeting is checked to be a whole log first:
/// a damaged backup loads nothing.
pub async fn restore(store: &Store, backup: Backup) -> anyhow::Result<Restored> {
    if backup.format != FORMAT || backup.version != 1 {
        bail!("not a Babahui backup (version 1)");
    }
    if !store.list()?.is_empty() || !store.ledger_all()?.is_empty() {
        bail!("the data folder is not empty; restore into a new folder");
    }
    let mut checked_meetings = Vec::new();
    for archive in backup.meetings {
        let community = archive.community.clone();
        let (mut index, records, state) = checked(archive).map_err(anyhow::Error::msg)?;
        index.community = community;
        checked_meetings.push((index, records, state));
    }
    let mut documents = Vec::new();
    for d in &backup.documents {
        let kind = Docs::named(&d.kind).with_context(|| format!("unknown kind of document {:?}", d.kind))?;
        documents.push((kind, d));
    }
    let mut restored = Restored {
        meetings: 0,
        events: 0,
        ledger: 0,
    };
    for (index, records, _) in checked_meetings {
        let id = index.id.clone();
        restored.events += records.len();
        store
            .append(&id, 0, records, Some(index))
            .await
            .with_context(|| format!("storing meeting {id}"))?;
        restored.meetings += 1;
    }
    for entry in &backup.ledger {
        store.ledger_put(entry)?;
        restored.ledger += 1;
    }
    for (kind, d) in documents {
        store.doc_put(kind, &d.key, Some(&d.value))?;
    }
    store.flush()?;
    Ok(restored)
}
