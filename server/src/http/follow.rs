//! 线上旁听 over HTTP: how many follow from home, and an opinion sent from
//! outside the courtyard. The live view itself is the meeting's WebSocket,
//! said hello to with the follow token (see [`crate::hub`]'s `follow`).

use super::access::MeetingPath;
use super::error::{ApiError, ApiJson};
use super::state::AppState;
use crate::service::Caller;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::Json;
use babahui_shared::api::{Followers, OutsideOpinion, OutsideOpinionSent};
use babahui_shared::{Actor, Command, CommandId, OpinionId};
use std::net::SocketAddr;

/// `GET /api/meetings/{id}/followers`: 线上 N人, for the tablet, the
/// projector and the follow view itself.
pub async fn followers(MeetingPath(handle): MeetingPath) -> Json<Followers> {
    Json(Followers {
        followers: u32::try_from(handle.followers()).unwrap_or(u32::MAX),
    })
}

/// `POST /api/meetings/{id}/outside-opinions`: an unnamed opinion from
/// outside the courtyard: 会前 before the start, 线上 while the meeting runs
/// if the moderator allows it (the decision is the meeting's, like every other).
pub async fn outside_opinion(
    State(app): State<AppState>,
    MeetingPath(handle): MeetingPath,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<OutsideOpinion>,
) -> Result<(StatusCode, Json<OutsideOpinionSent>), ApiError> {
    app.per_address.outside_opinion(peer.ip())?;
    let cmd = Command::SubmitOpinion {
        text: req.text,
        category: None,
        stance: req.stance,
        author: Default::default(),
        topic: req.topic,
        voice: None,
    };
    let caller = Caller {
        actor: Actor::Public,
        token: None,
    };
    let cmd_id = CommandId(format!("outside-{}", crate::tokens::new_token()));
    let ack = app.meetings.command(&handle, caller, cmd_id, cmd).await?;
    let held = match ack.created {
        Some(id) => handle.state().await?.opinion(OpinionId(id)).is_some_and(|o| o.held),
        None => false,
    };
    Ok((
        StatusCode::CREATED,
        Json(OutsideOpinionSent {
            opinion: ack.created,
            held,
        }),
    ))
}
