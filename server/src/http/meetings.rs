//! `/api/meetings…` handlers.

use super::access::{
    community_for_new, meeting, sees_whole_state, Acting, MeetingOrganiser, MeetingPath, MeetingScreen,
};
use super::error::{ApiError, ApiJson};
use super::state::AppState;
use crate::hub::NewMeeting;
use crate::links;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::api::{CreatedResponse, JoinRequest, JoinResponse, PublicLinks};
use babahui_shared::limits::QR_TEXT_MAX_BYTES;
use babahui_shared::{ErrorCode, MeetingState};
use serde::Deserialize;
use std::net::SocketAddr;

/// `POST /api/meetings`
pub async fn create(
    State(app): State<AppState>,
    Acting(p): Acting,
    headers: HeaderMap,
    ApiJson(mut req): ApiJson<NewMeeting>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    req.community = community_for_new(&app, &p, req.community.as_deref()).await?;
    for entry in req.agenda.iter().filter_map(|t| t.ledger) {
        app.ledger.get(entry).await.map_err(|_| {
            ApiError::new(
                ErrorCode::Invalid,
                format!("agenda topic refers to ledger entry {entry}, which does not exist"),
            )
        })?;
    }
    for topic in &req.agenda {
        // A topic's photos must have been uploaded (the notice must not show nothing).
        app.matters.photos().check(&topic.photos).await?;
    }
    let created = app.hub.create(&req).await?;
    let base = app.config.links.for_request(&headers);
    let id = &created.id;
    tracing::info!(meeting = %id, "meeting created");
    let detail = format!("{id}《{}》{}", req.title.trim(), req.community.as_deref().unwrap_or(""));
    app.directory
        .audit_by(&p, "meeting.create", detail, app.hub.clock().now_ms())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedResponse {
            id: id.clone(),
            title: req.title.trim().to_owned(),
            join_url: links::join_url(&base, id, &created.invite),
            moderator_url: links::moderator_url(&base, id, &created.moderator_token),
            projector_url: links::projector_url(&base, id, &created.projector_token),
            qr_svg_url: format!("{base}/api/meetings/{id}/qr.svg"),
        }),
    ))
}

/// `POST /api/meetings/{id}/screens` (organiser): fresh moderator and
/// projector links for a meeting whose links were lost (created on another
/// device, a cleared browser). The old links keep working; the record notes
/// that new ones were issued.
pub async fn issue_screens(
    State(app): State<AppState>,
    MeetingOrganiser(handle): MeetingOrganiser,
    headers: HeaderMap,
) -> Result<Json<CreatedResponse>, ApiError> {
    let screens = handle.issue_screens().await?;
    let state = handle.state().await?;
    let base = app.config.links.for_request(&headers);
    let id = handle.id();
    tracing::info!(meeting = %id, "moderator and projector links issued again");
    Ok(Json(CreatedResponse {
        id: id.clone(),
        title: state.title.clone(),
        join_url: links::join_url(&base, id, &screens.invite),
        moderator_url: links::moderator_url(&base, id, &screens.moderator),
        projector_url: links::projector_url(&base, id, &screens.projector),
        qr_svg_url: format!("{base}/api/meetings/{id}/qr.svg"),
    }))
}

/// `GET /api/meetings` (organiser): every meeting on this server that the
/// request acts for (an organiser: their communities').
pub async fn list(State(app): State<AppState>, Acting(p): Acting) -> Result<Response, ApiError> {
    let mut all = app.hub.list().await?;
    all.retain(|m| p.may_act_for(m.community.as_deref()));
    Ok(Json(all).into_response())
}

/// `GET /api/meetings/{id}`: the meeting's state (no secret in it). Anyone with
/// the id gets it without the names of people who did not agree to be named
/// and without the text of hidden opinions; the moderator, a recorder (by
/// their token) or the organiser key gets it whole.
pub async fn public_state(
    State(app): State<AppState>,
    MeetingPath(handle): MeetingPath,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if sees_whole_state(&app, &headers, &handle).await? {
        let raw = handle.public_state().await?;
        return Ok(([(header::CONTENT_TYPE, "application/json")], raw.as_str().to_owned()).into_response());
    }
    let state = handle.state().await?;
    let mut state = MeetingState::clone(&state);
    babahui_shared::views::redact_for_public(&mut state);
    Ok(Json(state).into_response())
}

/// `GET /api/meetings/{id}/qr.svg`: the join link as a QR code.
pub async fn qr_svg(
    State(app): State<AppState>,
    MeetingScreen(handle): MeetingScreen,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let base = app.config.links.for_request(&headers);
    let url = links::join_url(&base, handle.id(), &handle.invite().await?);
    let svg = crate::qr::svg(&url);
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        svg,
    )
        .into_response())
}

/// `GET /api/meetings/{id}/links`: the join link, built like the creation's
/// (so a projector opened as `localhost` still shows the LAN address).
pub async fn links(
    State(app): State<AppState>,
    MeetingScreen(handle): MeetingScreen,
    headers: HeaderMap,
) -> Result<Json<PublicLinks>, ApiError> {
    let base = app.config.links.for_request(&headers);
    Ok(Json(PublicLinks {
        join_url: links::join_url(&base, handle.id(), &handle.invite().await?),
        qr_svg_url: format!("{base}/api/meetings/{}/qr.svg", handle.id()),
        follow_url: format!("{base}/m/{}/follow", handle.id()),
    }))
}

/// Query of `GET /api/qr.svg`.
#[derive(Debug, Deserialize)]
pub struct QrQuery {
    /// What to encode.
    #[serde(default)]
    pub text: String,
}

/// `GET /api/qr.svg?text=…`: a QR code of any short text (the organiser page
/// shows one for each link; the projector one for the Wi-Fi). Drawn here so
/// that no page needs a script from elsewhere.
pub async fn any_qr_svg(Query(q): Query<QrQuery>) -> Result<Response, ApiError> {
    if q.text.is_empty() || q.text.len() > QR_TEXT_MAX_BYTES {
        return Err(ApiError::new(
            ErrorCode::Invalid,
            format!("text must be 1 to {QR_TEXT_MAX_BYTES} bytes"),
        ));
    }
    let svg = crate::qr::svg(&q.text);
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// Query of `GET /api/meetings/{id}/invite`.
#[derive(Debug, Deserialize)]
pub struct InviteQuery {
    /// The code of the join link (`?i=`).
    #[serde(default)]
    pub i: String,
}

/// `GET /api/meetings/{id}/invite?i=CODE`: `204` if the join link's code is
/// the one in force, `403 invite_invalid` if not — so the join page says so
/// before a person fills in the form. A wrong code counts against the address
/// like a wrong join (no guessing).
pub async fn check_invite(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<InviteQuery>,
) -> Result<StatusCode, ApiError> {
    app.per_address.check_invite(peer.ip())?;
    let wrong = |e: ApiError| {
        app.per_address.wrong_invite(peer.ip());
        e
    };
    let handle = meeting(&app, &id).await.map_err(wrong)?;
    if crate::tokens::same_secret(&q.i, &handle.invite().await?) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(wrong(ApiError::new(
            ErrorCode::InviteInvalid,
            "this join link is no longer valid; scan the QR code again",
        )))
    }
}

/// `POST /api/meetings/{id}/join`
pub async fn join(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<JoinRequest>,
) -> Result<(StatusCode, Json<JoinResponse>), ApiError> {
    app.per_address.join(peer.ip())?;
    let wrong = |e: ApiError| {
        if matches!(e.code, ErrorCode::NotFound | ErrorCode::InviteInvalid) {
            app.per_address.wrong_invite(peer.ip());
        }
        e
    };
    let handle = meeting(&app, &id).await.map_err(wrong)?;
    let joined = handle
        .join(
            req.invite,
            req.name,
            req.category,
            req.publish_name,
            peer.ip(),
            req.previous_token,
        )
        .await
        .map_err(|e| wrong(e.into()))?;
    Ok((
        StatusCode::CREATED,
        Json(JoinResponse {
            participant: joined.participant,
            token: joined.token,
        }),
    ))
}
