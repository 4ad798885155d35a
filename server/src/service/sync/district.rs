//! What a district does with what a laptop sends: its finished meetings kept
//! as read-only copies under the laptop's origin, checked against the hash
//! chain of what it had; its ledger merged; the community's open matters
//! handed back. Every request names its community by its sync token.

use super::chain::{chain, copy_id, valid_origin};
use super::wire::{LedgerIn, LedgerOut, MeetingIn, MeetingReceived, Merged};
use crate::hub::Hub;
use crate::service::archive::{checked, Archive};
use crate::service::directory::Directory;
use crate::service::error::ServiceError;
use crate::service::ledger::Ledger;
use crate::service::photos::Photos;
use babahui_shared::ledger::LedgerStatus;
use babahui_shared::{CommandError, ErrorCode, EventKind, MeetingId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the district remembers of a laptop's meeting (a `Synced` document).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SyncedMeeting {
    copy: MeetingId,
    community: String,
    seq: u64,
    /// The chain's hash at `seq`.
    chain: String,
}

/// Photo ids one question about missing photos may name (a ledger's worth).
pub const MISSING_ASKED_MAX: usize = 10_000;

fn key(origin: &str, meeting: &MeetingId) -> String {
    format!("meeting:{origin}:{meeting}")
}

/// The district's side of sync; cheap to clone.
#[derive(Debug, Clone)]
pub struct Inbox {
    hub: Hub,
    ledger: Ledger,
    directory: Directory,
    photos: Photos,
}

impl Inbox {
    /// The inbox of a server with these.
    pub fn new(hub: Hub, ledger: Ledger, directory: Directory, photos: Photos) -> Inbox {
        Inbox {
            hub,
            ledger,
            directory,
            photos,
        }
    }

    /// Of `ids` (the photos a laptop's ledger lines name), those this server
    /// does not have yet: the laptop sends only those.
    pub async fn missing_photos(
        &self,
        token: &str,
        claimed: Option<&str>,
        ids: Vec<String>,
    ) -> Result<Vec<String>, ServiceError> {
        self.community(token, claimed).await?;
        let mut missing = Vec::new();
        for id in ids.into_iter().take(MISSING_ASKED_MAX) {
            if !self.photos.has(&id).await? {
                missing.push(id);
            }
        }
        Ok(missing)
    }

    /// Keeps a photo a laptop's ledger names, under its id.
    pub async fn photo(
        &self,
        token: &str,
        claimed: Option<&str>,
        id: &str,
        bytes: Vec<u8>,
    ) -> Result<bool, ServiceError> {
        self.community(token, claimed).await?;
        self.photos.put_as(id, bytes, self.hub.clock().now_ms()).await
    }

    /// The community a sync token is for (and the laptop said it syncs
    /// for), or a refusal.
    async fn community(&self, token: &str, claimed: Option<&str>) -> Result<String, ServiceError> {
        let community = self
            .directory
            .sync_community(token)
            .await?
            .ok_or_else(|| ServiceError::refused(ErrorCode::Unauthenticated, "not a sync token of this server"))?;
        match claimed {
            Some(c) if !c.is_empty() && c != community => Err(ServiceError::refused(
                ErrorCode::Forbidden,
                format!("this sync token is for community {community}, not {c}"),
            )),
            _ => Ok(community),
        }
    }

    fn origin(origin: &str) -> Result<(), ServiceError> {
        if valid_origin(origin) {
            Ok(())
        } else {
            Err(ServiceError::refused(ErrorCode::Invalid, "not a laptop's origin id"))
        }
    }

    /// Keeps a laptop's meeting (or the events it gained since the last
    /// sync) as a read-only copy; refuses a log whose history changed.
    pub async fn meeting(
        &self,
        token: &str,
        claimed: Option<&str>,
        sent: MeetingIn,
    ) -> Result<MeetingReceived, ServiceError> {
        let community = self.community(token, claimed).await?;
        Self::origin(&sent.origin)?;
        let laptop_id = sent.archive.meeting.clone();
        let hashes = chain(&sent.archive.records);
        let seq = hashes.len() as u64;
        let copy = copy_id(&sent.origin, &laptop_id);
        let doc = key(&sent.origin, &laptop_id);
        let had: Option<SyncedMeeting> = self.directory.synced(&doc).await?;
        if let Some(had) = &had {
            if had.community != community {
                return Err(ServiceError::refused(
                    ErrorCode::Forbidden,
                    "this meeting was synced for another community",
                ));
            }
            let same = seq >= had.seq && hashes.get(had.seq as usize - 1) == Some(&had.chain);
            if !same {
                return Err(CommandError::conflict(format!(
                    "meeting {laptop_id}'s history differs from what the district received before \
                     (event {} changed or was removed): refused, nothing changed",
                    had.seq
                ))
                .into());
            }
            if seq == had.seq {
                return Ok(MeetingReceived {
                    id: copy,
                    seq,
                    added: 0,
                });
            }
        }
        let archive = read_only(sent.archive, &copy);
        let (mut index, records, state) = checked(archive).map_err(|m| ServiceError::refused(ErrorCode::Invalid, m))?;
        if state.phase != babahui_shared::Phase::Ended {
            return Err(ServiceError::refused(
                ErrorCode::Conflict,
                "only a finished meeting is synced",
            ));
        }
        index.community = Some(community.clone());
        index.origin = Some(sent.origin.clone());
        // The copy is replaced whole: a crash between the two steps leaves
        // the document as it was, and the next sync stores the copy again.
        if had.is_some() {
            match self.hub.delete(&copy).await {
                Ok(_) => {}
                Err(e) if e.code == ErrorCode::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.hub.import(index, records).await?;
        let remembered = SyncedMeeting {
            copy: copy.clone(),
            community,
            seq,
            chain: hashes.last().cloned().unwrap_or_default(),
        };
        self.directory.set_synced(&doc, &remembered).await?;
        let added = seq - had.map_or(0, |h| h.seq);
        let detail = format!("《{}》→ {copy}，{seq} 条记录（新增 {added}）", state.title);
        self.directory
            .audit(
                &laptop_who(&sent.origin, &remembered.community),
                "sync.meeting",
                detail,
                self.hub.clock().now_ms(),
            )
            .await?;
        Ok(MeetingReceived { id: copy, seq, added })
    }

    /// Merges a laptop's ledger into the community's.
    pub async fn ledger(&self, token: &str, claimed: Option<&str>, sent: LedgerIn) -> Result<Merged, ServiceError> {
        let community = self.community(token, claimed).await?;
        Self::origin(&sent.origin)?;
        let me = self.directory.origin_id().await?;
        let prefix = format!("meeting:{}:", sent.origin);
        let copies: HashMap<String, MeetingId> = self
            .directory
            .all_synced::<SyncedMeeting>()
            .await?
            .into_iter()
            .filter_map(|(k, m)| k.strip_prefix(&prefix).map(|laptop| (laptop.to_owned(), m.copy)))
            .collect();
        let rename = move |m: &MeetingId| copies.get(m.as_str()).cloned();
        let who = laptop_who(&sent.origin, &community);
        let counts = self
            .ledger
            .merge_in(&sent.origin, &me, &sent.entries, Some(community), &rename)
            .await?;
        let [created, updated, unchanged, refused] = counts;
        let detail = format!("新增 {created}，更新 {updated}，未变 {unchanged}，拒绝 {refused}");
        self.directory
            .audit(&who, "sync.ledger", detail, self.hub.clock().now_ms())
            .await?;
        Ok(counts.into())
    }

    /// The community's open matters, for the laptop to take up offline.
    pub async fn open_entries(&self, token: &str, claimed: Option<&str>) -> Result<LedgerOut, ServiceError> {
        let community = self.community(token, claimed).await?;
        let entries = self
            .ledger
            .all()
            .await?
            .into_iter()
            .filter(|e| e.community.as_deref() == Some(&community))
            .filter(|e| {
                matches!(
                    e.status,
                    LedgerStatus::Pending | LedgerStatus::Discussed | LedgerStatus::InProgress
                )
            })
            .collect();
        Ok(LedgerOut {
            origin: self.directory.origin_id().await?,
            entries,
        })
    }
}

/// How the audit log names a laptop: its origin and community.
fn laptop_who(origin: &str, community: &str) -> String {
    format!("笔记本 {origin}（社区 {community}）")
}

/// The archive as the district keeps it: under the copy's id, with no
/// token that acts in it and no join code anyone knows, so nothing can be
/// added to it there (its record is the laptop's).
fn read_only(mut archive: Archive, copy: &MeetingId) -> Archive {
    archive.meeting = copy.clone();
    for r in &mut archive.records {
        if let EventKind::MeetingCreated { meeting, .. } = &mut r.event.event {
            *meeting = copy.clone();
        }
        r.meta.grants.clear();
        if r.meta.invite.is_some() {
            r.meta.invite = Some(crate::tokens::new_token());
        }
    }
    archive
}
