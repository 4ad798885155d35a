//! Archives, backups and deletes over HTTP (the work is in
//! [`crate::service::archive`]): who may, and the files' names.

use super::access::{administer, community_for_new, Acting, Admin, MeetingAdmin};
use super::error::{ApiError, ApiJson};
use super::state::AppState;
use crate::service::archive::Archive;
use crate::service::ledger::date_of;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::api::{Deleted, Imported};
use babahui_shared::MeetingId;
use std::net::SocketAddr;

/// `GET /api/meetings/{id}/archive.json` (organiser, or this meeting's moderator).
pub async fn export(
    State(app): State<AppState>,
    // An archive holds every join code (rotated ones too) and the names of people
    // who declined to be named: never for anyone on an open Wi-Fi.
    MeetingAdmin(handle): MeetingAdmin,
) -> Result<Response, ApiError> {
    let archive = app.archives.export(handle.id()).await?;
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
) -> Result<Json<Deleted>, ApiError> {
    // Not loaded first: a meeting whose log is damaged can still be deleted
    // (with the organiser key; its moderator token cannot be checked).
    let id = MeetingId::parse(&id).ok_or_else(|| ApiError::no_meeting(&id))?;
    administer(&app, &headers, peer, Some(&id)).await?;
    let removed = app.archives.delete(&id).await?;
    tracing::info!(meeting = %id, removed, "meeting deleted");
    Ok(Json(Deleted {
        id,
        deleted_events: removed,
    }))
}

/// `GET /api/backup.json` (organiser): the whole server in one file, for
/// `babahui restore` (see [`crate::service::backup`]).
pub async fn backup(State(app): State<AppState>, _: Admin) -> Result<Response, ApiError> {
    let backup = app.archives.backup().await?;
    let disposition = format!(
        "attachment; filename=\"babahui-backup-{}.json\"",
        date_of(backup.created_at)
    );
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(backup)).into_response())
}

/// `POST /api/meetings/import` (organiser): loads an archive as a new meeting
/// with the same id. Refused if that meeting exists or the archive is not whole.
pub async fn import(
    State(app): State<AppState>,
    Acting(p): Acting,
    Query(to): Query<ImportTo>,
    ApiJson(archive): ApiJson<Archive>,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    let community = community_for_new(&app, &p, to.community.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(app.archives.import(archive, community).await?),
    ))
}

/// `?community=ID` of an import: the community the meeting goes to.
#[derive(Debug, serde::Deserialize)]
pub struct ImportTo {
    /// The community's id.
    #[serde(default)]
    community: Option<String>,
}
