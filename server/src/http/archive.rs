//! A whole meeting as one JSON archive (events with their private part, which
//! includes the minutes), so that a community worker can copy it to a USB stick
//! and load it into another server, where the same links keep working.

use super::access::{administer, organiser_or_moderator};
use super::meetings::meeting;
use super::{ApiError, ApiJson, AppState};
use crate::hub::meeting::now_ms;
use crate::store::{MeetingIndex, NewRecord, StoredEvent};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::{ErrorCode, EventKind, MeetingId, MeetingState};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// Largest archive accepted for import.
pub const ARCHIVE_MAX_BYTES: usize = 64 * 1024 * 1024;
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
}

/// `GET /api/meetings/{id}/archive.json` (organiser, or this meeting's moderator).
pub async fn export(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let handle = meeting(&app, &id).await?;
    // An archive holds every join code (rotated ones too) and the names of people
    // who declined to be named: never for anyone on an open Wi-Fi.
    administer(&app, &headers, peer, Some(handle.id())).await?;
    let (store, mid) = (app.hub.store().clone(), handle.id().clone());
    let records = tokio::task::spawn_blocking(move || store.load(&mid))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| ApiError::new(ErrorCode::Storage, e.to_string()))?;
    let archive = Archive {
        format: FORMAT.into(),
        version: 1,
        meeting: handle.id().clone(),
        exported_at: now_ms(),
        records,
    };
    let disposition = format!("attachment; filename=\"babahui-{}.json\"", handle.id());
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(archive)).into_response())
}

/// `DELETE /api/meetings/{id}` (organiser, or the meeting's moderator): the
/// meeting is gone entirely — its log, names, opinions, tokens. Export it first
/// (`archive.json`) to keep a copy; ledger entries made from its minutes stay in
/// the ledger, which is a public record.
pub async fn delete(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    // Not loaded first: a meeting whose log is damaged can still be deleted
    // (with the organiser key; its moderator token cannot be checked).
    let id = MeetingId::parse(&id).ok_or_else(|| ApiError::no_meeting(&id))?;
    administer(&app, &headers, peer, Some(&id)).await?;
    let removed = app.hub.delete(&id).await?;
    tracing::info!(meeting = %id, removed, "meeting deleted");
    Ok(Json(serde_json::json!({"id": id, "deleted_events": removed})))
}

/// `GET /api/backup.json` (organiser): the whole server in one file, for
/// `babahui restore` (see [`crate::backup`]).
pub async fn backup(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    administer(&app, &headers, peer, None).await?;
    let store = app.hub.store().clone();
    let now = crate::hub::meeting::now_ms();
    let backup = tokio::task::spawn_blocking(move || crate::backup::collect(&store, now))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| ApiError::new(ErrorCode::Storage, e.to_string()))?;
    let disposition = format!(
        "attachment; filename=\"babahui-backup-{}.json\"",
        crate::ledger::date_of(now)
    );
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(backup)).into_response())
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

/// `POST /api/meetings/import` (organiser): loads an archive as a new meeting
/// with the same id. Refused if that meeting exists or the archive is not whole.
pub async fn import(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiJson(archive): ApiJson<Archive>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    organiser_or_moderator(&app, &headers, None).await?;
    let id = archive.meeting.clone();
    let (index, records, state) = checked(archive).map_err(|m| ApiError::new(ErrorCode::Invalid, m))?;
    if app
        .hub
        .store()
        .contains(&id)
        .map_err(|e| ApiError::new(ErrorCode::Storage, e.to_string()))?
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("meeting {id} already exists on this server"),
        ));
    }
    app.hub
        .store()
        .append(&id, records, Some(index))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Storage, e.to_string()))?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": id, "seq": state.seq, "title": state.title})),
    ))
}
