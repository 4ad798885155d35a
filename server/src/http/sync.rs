//! `/api/sync/…`: a courtyard laptop and its district. On the district,
//! what a laptop sends (with its community's sync token as
//! `Authorization: Bearer`); on the laptop, `POST /api/sync/run` (the
//! organiser page's button and `babahui sync --server`) and the last sync.
//! The work is in [`crate::service::sync`].

use super::access::{bearer, Acting};
use super::error::{ApiError, ApiJson};
use super::state::AppState;
use crate::service::sync::wire::{LedgerIn, LedgerOut, MeetingIn, MeetingReceived, Merged, MissingPhotos, PhotoIds};
use crate::service::sync::{Inbox, Report};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use babahui_shared::ErrorCode;
use serde::Deserialize;

/// `?community=` the laptop says it syncs for.
#[derive(Debug, Deserialize)]
pub struct For {
    #[serde(default)]
    community: Option<String>,
}

fn inbox(app: &AppState) -> Inbox {
    Inbox::new(
        app.hub.clone(),
        app.ledger.clone(),
        (*app.directory).clone(),
        app.matters.photos().clone(),
    )
}

fn token(headers: &HeaderMap) -> Result<&str, ApiError> {
    bearer(headers).ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "a sync token is needed"))
}

/// `POST /api/sync/meetings` (district)
pub async fn meeting(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<For>,
    ApiJson(sent): ApiJson<MeetingIn>,
) -> Result<Json<MeetingReceived>, ApiError> {
    let got = inbox(&app)
        .meeting(token(&headers)?, f.community.as_deref(), sent)
        .await?;
    tracing::info!(copy = %got.id, seq = got.seq, added = got.added, "a laptop's meeting synced");
    Ok(Json(got))
}

/// `POST /api/sync/ledger` (district)
pub async fn ledger_in(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<For>,
    ApiJson(sent): ApiJson<LedgerIn>,
) -> Result<Json<Merged>, ApiError> {
    Ok(Json(
        inbox(&app)
            .ledger(token(&headers)?, f.community.as_deref(), sent)
            .await?,
    ))
}

/// `GET /api/sync/ledger` (district)
pub async fn ledger_out(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<For>,
) -> Result<Json<LedgerOut>, ApiError> {
    Ok(Json(
        inbox(&app)
            .open_entries(token(&headers)?, f.community.as_deref())
            .await?,
    ))
}

/// `POST /api/sync/photos/missing` (district): `{"ids": […]}` → `{"missing": […]}`.
pub async fn missing_photos(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<For>,
    ApiJson(asked): ApiJson<PhotoIds>,
) -> Result<Json<MissingPhotos>, ApiError> {
    let missing = inbox(&app)
        .missing_photos(token(&headers)?, f.community.as_deref(), asked.ids)
        .await?;
    Ok(Json(MissingPhotos { missing }))
}

/// `POST /api/sync/photos/{id}` (district): a photo a laptop's ledger names, as its body.
pub async fn photo(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(f): Query<For>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let stored = inbox(&app)
        .photo(token(&headers)?, f.community.as_deref(), &id, body.to_vec())
        .await?;
    Ok(Json(serde_json::json!({ "stored": stored })))
}

/// What `POST /api/sync/run` is told.
#[derive(Debug, Deserialize)]
pub struct Run {
    /// The district's address.
    to: String,
    /// The community's id there.
    community: String,
    /// Its sync token.
    token: String,
}

/// `POST /api/sync/run` (laptop; its organiser): sync now.
pub async fn run(
    State(app): State<AppState>,
    Acting(p): Acting,
    ApiJson(run): ApiJson<Run>,
) -> Result<Json<Report>, ApiError> {
    if !p.is_admin() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the organiser syncs this server",
        ));
    }
    let report = app
        .archives
        .sync_to(&app.ledger, &app.directory, &run.to, &run.community, &run.token)
        .await?;
    tracing::info!(to = %report.to, meetings = report.meetings, "synced with the district");
    Ok(Json(report))
}

/// `GET /api/sync/last` (laptop; its organiser): the last sync, if any.
pub async fn last(State(app): State<AppState>, Acting(p): Acting) -> Result<Json<Option<Report>>, ApiError> {
    if !p.is_admin() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the organiser syncs this server",
        ));
    }
    Ok(Json(app.directory.synced("last").await?))
}
