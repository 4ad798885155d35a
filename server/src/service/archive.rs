//! A meeting as one JSON archive (events with their private part, which
//! includes the minutes), so that a community worker can copy it to a USB stick
//! and load it into another server, where the same links keep working; and
//! deletes (whole-server backups: [`super::backup`]). The HTTP handlers and the command line
//! call these; only services reach the store.

use super::clips::{ArchivedClip, Clips};
use super::error::{blocking, ServiceError};
use crate::hub::Hub;
use crate::store::{MeetingIndex, NewRecord, Store, StoredEvent};
use babahui_shared::api::Imported;
use babahui_shared::{ErrorCode, EventKind, MeetingId, MeetingState};
use serde::{Deserialize, Serialize};

/// Largest archive accepted for import.
/// (A meeting's voice clips are at most 48 MB, 64 MB in base64.)
pub const ARCHIVE_MAX_BYTES: usize = 160 * 1024 * 1024;
/// The archive's format name.
pub const FORMAT: &str = "babahui-meeting-archive";

/// One meeting, whole.
#[derive(Debug, Serialize, Deserialize)]
pub struct Archive {
    /// Always [`FORMAT`].
    pub format: String,
    /// Format version.
    pub version: u32,
    /// The meeting.
    pub meeting: MeetingId,
    /// Server time of export, ms.
    pub exported_at: u64,
    /// Every event with its private part, in order.
    pub records: Vec<StoredEvent>,
    /// The community it belonged to (kept by a backup; an import says anew
    /// where it goes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
    /// Its voice opinions' clips (a backup keeps them with the documents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clips: Vec<ArchivedClip>,
}

/// Checks that an archive is a whole log of its meeting (format, version, seq
/// 1..=n, created as that meeting) and turns it into what the store appends.
pub fn checked(archive: Archive) -> Result<(MeetingIndex, Vec<NewRecord>, MeetingState), String> {
    if archive.format != FORMAT || archive.version != 1 {
        return Err("not a Babahui meeting archive (version 1)".into());
    }
    let id = archive.meeting.clone();
    let whole = archive
        .records
        .iter()
        .enumerate()
        .all(|(i, r)| r.event.seq == i as u64 + 1);
    let created_here = matches!(
        archive.records.first().map(|r| &r.event.event),
        Some(EventKind::MeetingCreated { meeting, .. }) if *meeting == id
    );
    if !whole || !created_here {
        return Err(format!("the archive's events are not a whole log of meeting {id}"));
    }
    let state = MeetingState::replay(archive.records.iter().map(|r| &r.event));
    let index = MeetingIndex {
        id,
        title: state.title.clone(),
        created_at: state.created_at,
        community: None,
        origin: None,
    };
    let records = archive
        .records
        .into_iter()
        .map(|r| NewRecord {
            seq: r.event.seq,
            event_json: serde_json::to_string(&r.event).expect("event serialises").into(),
            meta: r.meta,
        })
        .collect();
    Ok((index, records, state))
}

/// Archives, backups and deletes of meetings; cheap to clone.
#[derive(Debug, Clone)]
pub struct Archives {
    pub(super) hub: Hub,
    pub(super) store: Store,
    clips: Clips,
}

impl Archives {
    /// Archives of the meetings in `hub`, whose store is `store`.
    pub fn new(hub: Hub, store: Store, clips: Clips) -> Archives {
        Archives { hub, store, clips }
    }

    /// Meeting `id`, whole (it must exist and be readable).
    pub async fn export(&self, id: &MeetingId) -> Result<Archive, ServiceError> {
        self.hub.get(id).await?;
        let (store, mid) = (self.store.clone(), id.clone());
        let records = blocking(move || store.load(&mid)).await?;
        Ok(Archive {
            format: FORMAT.into(),
            version: 1,
            meeting: id.clone(),
            exported_at: self.hub.clock().now_ms(),
            records,
            community: None,
            clips: self.clips.of_meeting(id).await?,
        })
    }

    /// Loads an archive as a new meeting with the same id, in `community`.
    /// Refused if that meeting exists (or is being deleted) or the archive is
    /// not whole.
    pub async fn import(&self, mut archive: Archive, community: Option<String>) -> Result<Imported, ServiceError> {
        let clips = std::mem::take(&mut archive.clips);
        Clips::check_archived(&clips)?;
        let (mut index, records, state) = checked(archive).map_err(|m| ServiceError::refused(ErrorCode::Invalid, m))?;
        index.community = community;
        let id = index.id.clone();
        self.hub.import(index, records).await?;
        // Only once the meeting is this archive's own: its clips go under it.
        self.clips.put_archived(&id, clips).await?;
        Ok(Imported {
            id,
            seq: state.seq,
            title: state.title,
        })
    }

    /// Deletes meeting `id` entirely; returns how many events were removed.
    pub async fn delete(&self, id: &MeetingId) -> Result<u64, ServiceError> {
        let removed = self.hub.delete(id).await?;
        self.clips.delete_meeting(id).await?;
        Ok(removed)
    }
}
