//! A laptop's side of sync: its finished meetings and its ledger to the
//! district, the photos its ledger lines name, the community's open matters
//! (and their photos) back. Every step can be repeated
//! (the district keeps what it has, and merges by history lines), so a sync
//! cut off halfway is resumed by syncing again.

use super::wire::{LedgerIn, LedgerOut, MeetingIn, MeetingReceived, Merged, MissingPhotos, PhotoIds};
use crate::service::archive::{Archive, Archives, FORMAT};
use crate::service::directory::Directory;
use crate::service::error::{blocking, ServiceError};
use crate::service::ledger::Ledger;
use crate::service::photos::Photos;
use crate::store::Store;
use babahui_shared::ledger::LedgerEntry;
use babahui_shared::{ErrorCode, MeetingState, Phase};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The district.
    pub to: String,
    /// Finished meetings the district now holds whole.
    pub meetings: u32,
    /// Events the district had not had before.
    pub events_added: u64,
    /// The laptop's ledger, merged there.
    pub pushed: Merged,
    /// The community's open matters, merged here.
    pub pulled: Merged,
    /// Photos of ledger lines the district did not have, sent.
    #[serde(default)]
    pub photos_sent: u32,
    /// Photos of the open matters this laptop did not have, fetched.
    #[serde(default)]
    pub photos_fetched: u32,
    /// When, ms.
    pub at: u64,
}

fn unreachable(to: &str, e: reqwest::Error) -> ServiceError {
    ServiceError::refused(
        ErrorCode::Overloaded,
        format!("cannot reach the district at {to}: {e}. Nothing is lost: sync again when online"),
    )
}

async fn answer<T: DeserializeOwned>(to: &str, resp: reqwest::Response) -> Result<T, ServiceError> {
    if resp.status().is_success() {
        return resp.json().await.map_err(|e| unreachable(to, e));
    }
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or("no reason given")
        .to_owned();
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        409 => ErrorCode::Conflict,
        _ => ErrorCode::Invalid,
    };
    Err(ServiceError::refused(code, format!("the district refused: {message}")))
}

/// Every photo the entries' lines name, once each.
fn photo_ids(entries: &[LedgerEntry]) -> Vec<String> {
    let ids: std::collections::BTreeSet<&String> = entries
        .iter()
        .flat_map(|e| e.history.iter().flat_map(|u| u.photos.iter()))
        .collect();
    ids.into_iter().cloned().collect()
}

/// The finished meetings in `store`, whole.
fn finished(store: &Store, now: u64) -> Result<Vec<Archive>, crate::store::StoreError> {
    let mut out = Vec::new();
    for m in store.list()? {
        if m.origin.is_some() {
            continue;
        }
        let records = store.load(&m.id)?;
        let state = MeetingState::replay(records.iter().map(|r| &r.event));
        if state.phase == Phase::Ended {
            out.push(Archive {
                format: FORMAT.into(),
                version: 1,
                meeting: m.id,
                exported_at: now,
                records,
                community: None,
                // Voice clips stay on the laptop: the district's copy has
                // their transcripts (the minutes), not the recordings.
                clips: Vec::new(),
            });
        }
    }
    Ok(out)
}

/// Syncs the laptop whose store is `store` with the district at `to`, for
/// `community`, showing `token`.
pub async fn sync_to(
    store: &Store,
    ledger: &Ledger,
    directory: &Directory,
    to: &str,
    community: &str,
    token: &str,
    now: u64,
) -> Result<Report, ServiceError> {
    let to = to.trim_end_matches('/');
    let origin = directory.origin_id().await?;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .map_err(ServiceError::internal)?;
    let url = |path: &str| format!("{to}/api/sync/{path}?community={community}");
    let mut report = Report {
        to: to.to_owned(),
        at: now,
        ..Report::default()
    };
    let held = store.clone();
    for archive in blocking(move || finished(&held, now)).await? {
        let body = MeetingIn {
            origin: origin.clone(),
            archive,
        };
        let resp = http
            .post(url("meetings"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable(to, e))?;
        let got: MeetingReceived = answer(to, resp).await?;
        report.meetings += 1;
        report.events_added += got.added;
    }
    let entries = ledger.all().await?;
    // The photos first: once the ledger is there, its lines show them.
    let photos = Photos::new(directory.clone());
    let resp = http
        .post(url("photos/missing"))
        .bearer_auth(token)
        .json(&PhotoIds {
            ids: photo_ids(&entries),
        })
        .send()
        .await
        .map_err(|e| unreachable(to, e))?;
    let missing: MissingPhotos = answer(to, resp).await?;
    for id in missing.missing {
        let Some(jpeg) = photos.jpeg(&id).await? else { continue };
        let resp = http
            .post(url(&format!("photos/{id}")))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "image/jpeg")
            .body(jpeg)
            .send()
            .await
            .map_err(|e| unreachable(to, e))?;
        let _: serde_json::Value = answer(to, resp).await?;
        report.photos_sent += 1;
    }
    let resp = http
        .post(url("ledger"))
        .bearer_auth(token)
        .json(&LedgerIn {
            origin: origin.clone(),
            entries,
        })
        .send()
        .await
        .map_err(|e| unreachable(to, e))?;
    report.pushed = answer(to, resp).await?;
    let resp = http
        .get(url("ledger"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| unreachable(to, e))?;
    let open: LedgerOut = answer(to, resp).await?;
    let counts = ledger
        .merge_in(&open.origin, &origin, &open.entries, None, &|_| None)
        .await?;
    report.pulled = counts.into();
    // The open matters' photos (the district's own, or another laptop's), so
    // that this laptop's pages show them offline too.
    for id in photo_ids(&open.entries) {
        if photos.has(&id).await? {
            continue;
        }
        let resp = http
            .get(format!("{to}{}", babahui_shared::matters::photo_url(&id)))
            .send()
            .await
            .map_err(|e| unreachable(to, e))?;
        if !resp.status().is_success() {
            continue;
        }
        let jpeg = resp.bytes().await.map_err(|e| unreachable(to, e))?;
        if photos.put_as(&id, jpeg.to_vec(), now).await? {
            report.photos_fetched += 1;
        }
    }
    directory.set_synced("last", &report).await?;
    Ok(report)
}

impl Archives {
    /// Syncs this laptop's finished meetings and ledger with the district at
    /// `to` (see [`sync_to`]).
    pub async fn sync_to(
        &self,
        ledger: &Ledger,
        directory: &Directory,
        to: &str,
        community: &str,
        token: &str,
    ) -> Result<Report, ServiceError> {
        let now = self.hub.clock().now_ms();
        sync_to(&self.store, ledger, directory, to, community, token, now).await
    }
}
