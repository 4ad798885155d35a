//! Votes (表决): what is voted on, the pass rule, and the ballots.

use crate::ids::{ParticipantId, TopicId};
use serde::{Deserialize, Serialize};

/// What is voted on: yes / no / abstain, or a choice among options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "options", rename_all = "snake_case")]
pub enum VoteKind {
    /// 赞成 / 反对 / 弃权 (choices 0, 1, 2).
    YesNo,
    /// One of these options (choice = index).
    Choice(Vec<String>),
}

impl VoteKind {
    /// How many choices there are.
    pub fn choices(&self) -> usize {
        match self {
            VoteKind::YesNo => 3,
            VoteKind::Choice(options) => options.len(),
        }
    }
}

/// When a vote passes, over the votes cast (phones and show of hands together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "percent", rename_all = "snake_case")]
pub enum PassRule {
    /// More than half (a tie fails).
    Majority,
    /// At least two thirds.
    TwoThirds,
    /// At least this percentage (e.g. 90 for the renovation rule).
    Share(u32),
}

/// A phone ballot in a named vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedBallot {
    /// Who.
    pub participant: ParticipantId,
    /// Their choice.
    pub choice: u32,
}

/// A phone ballot in a secret vote: the key cannot be traced to a person (see
/// the server's ballot keys), so nothing here says who voted what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedBallot {
    /// Unlinkable ballot key.
    pub key: String,
    /// The choice.
    pub choice: u32,
}

/// A vote (表决).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// Id.
    pub id: crate::ids::VoteId,
    /// The topic open when it was called.
    pub topic: Option<TopicId>,
    /// The question.
    pub question: String,
    /// Yes/no or a choice.
    pub kind: VoteKind,
    /// Secret: who voted what is never recorded.
    pub secret: bool,
    /// Pass rule.
    pub rule: PassRule,
    /// Minimum number of votes cast for the result to count.
    pub quorum: Option<u32>,
    /// Open for ballots.
    pub open: bool,
    /// Server time opened, ms.
    pub opened_at: u64,
    /// Server time closed, ms.
    pub closed_at: Option<u64>,
    /// Named phone ballots (named votes only), one per participant.
    pub named: Vec<NamedBallot>,
    /// Sealed phone ballots (secret votes only), one per voter.
    pub sealed: Vec<SealedBallot>,
    /// Show-of-hands counts per choice for people without phones, kept apart.
    pub hands: Option<Vec<u32>>,
}
