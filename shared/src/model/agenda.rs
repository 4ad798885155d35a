//! The agenda: topics, the stage of the open one, and how each ended (协商结果).

use super::floor::Speech;
use crate::ids::TopicId;
use serde::{Deserialize, Serialize};

/// The stage of the open topic: 介绍 → 提问 → 讨论 → 形成意见.
/// The moderator may move between stages in any order (a discussion can return to questions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 介绍 — background presented.
    Intro,
    /// 提问 — questions and opinions from the floor.
    Questions,
    /// 讨论 — discussion.
    Discussion,
    /// 形成意见 — forming the deliberation opinion.
    Conclusion,
}

/// Where an agenda topic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicStatus {
    /// Not yet opened.
    Pending,
    /// The current topic.
    Open,
    /// Closed; it takes no more opinions, seconds or speakers.
    Closed,
}

/// An agenda item as given at creation or added later.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTopic {
    /// 议题 title.
    pub title: String,
    /// Time box in minutes (0 = none).
    #[serde(default)]
    pub minutes: u32,
    /// The issue-ledger entry this topic takes up again, if it came from the ledger:
    /// the minutes then update that entry instead of starting a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<u32>,
    /// Background the notice gives residents before the meeting (议前通报).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub background: String,
    /// Photos of the matter (ids of uploaded photos, at most three): the
    /// broken lamp, the blocked lane, shown with the background.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

/// One agenda topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// Stable id.
    pub id: TopicId,
    /// 议题 title.
    pub title: String,
    /// Time box in minutes (0 = none).
    pub minutes: u32,
    /// Pending, open or closed.
    pub status: TopicStatus,
    /// The stage while open (and the last stage once closed).
    pub stage: Option<Stage>,
    /// Server time (ms) when opened.
    pub opened_at: Option<u64>,
    /// Server time (ms) when closed.
    pub closed_at: Option<u64>,
    /// Everyone who held the floor on this topic, in order, with how long.
    pub speeches: Vec<Speech>,
    /// How it ended (协商结果), once recorded.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The issue-ledger entry it takes up again, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<u32>,
    /// Background the notice gives residents before the meeting (议前通报).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub background: String,
    /// Photos of the matter, shown with the background (and on the projector
    /// while the topic is open).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

/// How a topic ended (协商结果).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// 形成共识 — the text is the deliberation opinion.
    Consensus,
    /// 表决通过
    Passed,
    /// 表决未通过
    Failed,
    /// 保留分歧 — dissenting views recorded with it.
    Dissent,
    /// 再次协商 — another round.
    AnotherRound,
    /// 提交居民会议 — sent to the residents' assembly.
    ToAssembly,
}

/// The recorded outcome of a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Which outcome.
    pub kind: OutcomeKind,
    /// The deliberation opinion or note.
    pub text: String,
    /// Dissenting views kept on record (保留分歧).
    #[serde(default)]
    pub dissent: Option<String>,
    /// The vote it rests on, if any.
    #[serde(default)]
    pub vote: Option<crate::ids::VoteId>,
}
