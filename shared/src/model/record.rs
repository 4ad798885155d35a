//! What the meeting leaves on record: commitments (承诺), published versions of
//! the minutes, objections (异议) to them, and where the minutes stand. The one
//! part of the model that holds the minutes' stored value.

use crate::ids::{OpinionId, ParticipantId, TopicId};
use crate::minutes::value::Minutes;
use serde::{Deserialize, Serialize};

/// A commitment (承诺) taken at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    /// Id.
    pub id: crate::ids::CommitmentId,
    /// The topic.
    pub topic: Option<TopicId>,
    /// What will be done.
    pub what: String,
    /// Responsible person or department (责任人).
    pub responsible: String,
    /// Deadline (时限), `YYYY-MM-DD`.
    pub deadline: String,
    /// The opinions it answers.
    pub opinions: Vec<OpinionId>,
    /// The official who took it, if one did.
    pub official: Option<ParticipantId>,
    /// Server time recorded, ms.
    pub at: u64,
}

/// A published version of the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Version, from 1.
    pub version: u32,
    /// Server time published, ms.
    pub at: u64,
    /// Notice period, days.
    pub notice_days: u32,
    /// The frozen minutes.
    pub minutes: Minutes,
    /// Why this corrected version replaced the one before (none for version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Publication {
    /// End of the notice period, server ms.
    pub fn notice_until(&self) -> u64 {
        self.at + u64::from(self.notice_days) * 86_400_000
    }
}

/// An objection (异议) to published minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    /// Number, from 1.
    pub id: u32,
    /// Against which version.
    pub version: u32,
    /// Topic.
    pub topic: Option<TopicId>,
    /// Text.
    pub text: String,
    /// Who (optional).
    pub name: Option<String>,
    /// Server time filed, ms.
    pub at: u64,
    /// The moderator's answer.
    pub answer: Option<String>,
    /// Marked by the moderator as a flood or abuse: kept, not counted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spam: bool,
}

/// Where published minutes stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MinutesStatus {
    /// Not published yet (草稿).
    Draft,
    /// In the notice period (公示中) until this server time.
    Notice {
        /// End of the notice period, ms.
        until: u64,
        /// Objections not yet answered.
        open_objections: usize,
    },
    /// The notice period ended with objections still unanswered (有异议待答复).
    Disputed {
        /// Objections not yet answered.
        open_objections: usize,
    },
    /// The notice period ended with every objection answered (已备案).
    Filed,
}
