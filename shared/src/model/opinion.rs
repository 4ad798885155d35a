//! Opinions (意见/建议) and their stances.

use crate::ids::{OpinionId, ParticipantId, TopicId};
use serde::{Deserialize, Serialize};

/// 支持 / 反对 / 建议 / 疑问
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// 支持
    Support,
    /// 反对
    Oppose,
    /// 建议
    Suggest,
    /// 疑问
    Question,
}

/// How an opinion arrived when not from a phone in the courtyard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 会前 — sent from the meeting's notice page before it started.
    Before,
    /// 线上 — sent by someone following from home.
    Online,
}

impl Channel {
    /// The mark the tablet, the projector and the minutes show beside it.
    pub fn zh(self) -> &'static str {
        match self {
            Channel::Before => "会前",
            Channel::Online => "线上",
        }
    }
}

/// A spoken opinion's clip (语音): recorded on a phone, checked and kept by
/// the server with the meeting (deleted with it, in its archive and backups).
/// The tablet, the recorder and the projector play it; a recorder writes its
/// text (转写), which is what the projector and the minutes show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voice {
    /// The clip's id (random; the address is [`Voice::url`]). Empty where
    /// the clip is not to be played: the public state, followers.
    pub clip: String,
    /// Its length, ms, measured by the server from the clip itself.
    pub ms: u32,
    /// Its size as kept, bytes (a meeting's clips together are bounded).
    pub bytes: u32,
}

impl Voice {
    /// What a clip's id looks like (22 lowercase letters and digits): the
    /// meeting checks it, and the server builds a store key from nothing else.
    pub fn is_clip_id(id: &str) -> bool {
        id.len() == 22 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    }

    /// Where the clip is played from (none when its id was taken out).
    pub fn url(&self, meeting: &crate::ids::MeetingId) -> Option<String> {
        (!self.clip.is_empty()).then(|| format!("/api/meetings/{meeting}/clips/{}", self.clip))
    }

    /// Its length as a person reads it: `0:23`.
    pub fn length(&self) -> String {
        let secs = ((self.ms + 500) / 1000).max(1);
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

/// An opinion (意见/建议). Nothing is ever deleted: hiding and merging keep the
/// original and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// Stable id.
    pub id: OpinionId,
    /// The topic it was given under (`None`: before any topic opened).
    pub topic: Option<TopicId>,
    /// Whose opinion it is; `None` is 匿名 (recorded anonymously).
    pub author: Option<ParticipantId>,
    /// The recorder who typed it on someone's behalf, if any.
    pub recorded_by: Option<ParticipantId>,
    /// The text, shown as text only.
    pub text: String,
    /// Topic category (基础设施, …); `None` until tagged.
    pub category: Option<String>,
    /// Stance, if given.
    pub stance: Option<Stance>,
    /// Server time (ms) submitted.
    pub at: u64,
    /// Who seconded it (附议), in order; each participant at most once.
    pub seconds: Vec<ParticipantId>,
    /// Set when a recorder merged this duplicate into another opinion.
    pub merged_into: Option<OpinionId>,
    /// Duplicates merged into this one.
    pub merged: Vec<OpinionId>,
    /// Set when hidden (e.g. abusive), with the reason.
    pub hidden: Option<String>,
    /// Marked by a recorder to go into the issue ledger (列入台账).
    #[serde(default)]
    pub to_ledger: bool,
    /// Written while its topic was open, arrived after it closed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
    /// Sent from a phone while opinions were held for approval, and not yet
    /// approved: not on the projector or other phones (it is in the record).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held: bool,
    /// Sent before the meeting (会前) or from home (线上); none: in the courtyard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Spoken (语音): its clip. Its text is empty until transcribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<Voice>,
    /// The text was written from the voice clip by a recorder (语音转写).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transcribed: bool,
}
