//! The floor: who speaks now with their countdown, and the turns recorded
//! when they end.

use crate::ids::ParticipantId;
use serde::{Deserialize, Serialize};

/// One turn at the floor, recorded when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speech {
    /// Who spoke.
    pub participant: ParticipantId,
    /// Speaking, responding or following up.
    pub kind: FloorKind,
    /// Server time (ms) the turn began.
    pub started_at: u64,
    /// How long the speaker actually spoke (pauses excluded), ms.
    pub duration_ms: u64,
}

/// Why someone has the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FloorKind {
    /// 发言 — a speaker from the queue or called by name.
    Speak,
    /// 回应 — a responding official replies.
    Response,
    /// 追问 — the resident's short follow-up.
    FollowUp,
}

/// Who is speaking now, and their countdown.
///
/// The countdown is expressed in server time so that every screen shows it in
/// step: remaining = `limit_ms - elapsed_ms - (now - running_since)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    /// The speaker.
    pub participant: ParticipantId,
    /// Speak, response or follow-up.
    pub kind: FloorKind,
    /// Server time (ms) the turn began.
    pub started_at: u64,
    /// The time allowed, ms (the moderator can add to it).
    pub limit_ms: u64,
    /// Time spoken before `running_since`, ms.
    pub elapsed_ms: u64,
    /// Server time (ms) the countdown last started; `None` while paused.
    pub running_since: Option<u64>,
}
