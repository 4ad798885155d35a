//! The people taking part, and the roles they can be appointed to.

use crate::ids::ParticipantId;
use serde::{Deserialize, Serialize};

/// Appointed roles a participant may hold besides being an attendee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 记录员 — records opinions for people without phones, tags and merges.
    Recorder,
    /// 回应人 — a responding official.
    Official,
}

/// Someone taking part: joined from a phone, or registered as a walk-in by a recorder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Stable id within the meeting.
    pub id: ParticipantId,
    /// Display name; `None` is 匿名 (anonymous).
    pub name: Option<String>,
    /// 协商主体 category (居民, 物业, …).
    pub category: String,
    /// Whether the name may appear in published minutes.
    pub publish_name: bool,
    /// Registered by a recorder, has no phone of their own.
    pub walk_in: bool,
    /// 记录员
    pub recorder: bool,
    /// 回应人
    pub official: bool,
    /// Removed by the moderator: no longer counted, cannot act.
    pub removed: bool,
    /// Removed with a ban: the device that held their token may not join again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub banned: bool,
    /// Server time (ms) of joining.
    pub joined_at: u64,
}

impl Participant {
    /// Whether the participant holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        match role {
            Role::Recorder => self.recorder,
            Role::Official => self.official,
        }
    }
}
