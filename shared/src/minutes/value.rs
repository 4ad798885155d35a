//! The minutes as a stored value: the structure an event carries when minutes
//! are published, the state keeps in each publication, and the server serves as
//! JSON. Plain data only, so the model can hold it without depending on how
//! minutes are made or rendered.

use crate::ids::MeetingId;
use crate::model::agenda::Outcome;
use crate::model::floor::FloorKind;
use crate::model::opinion::Stance;
use crate::model::vote::PassRule;
use serde::{Deserialize, Serialize};

/// The minutes of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minutes {
    /// Meeting id.
    pub meeting: MeetingId,
    /// Title.
    pub title: String,
    /// Place.
    pub place: String,
    /// Start time as written by the organiser.
    pub starts_at: Option<String>,
    /// Who moderated (主持人), as the organiser or moderator gave it.
    #[serde(default)]
    pub moderator: Option<String>,
    /// Recorders (记录员), by public name.
    pub recorders: Vec<String>,
    /// Responding officials (回应人), by public name.
    pub officials: Vec<String>,
    /// Attendance per category, and in all.
    pub attendance: Vec<(String, usize)>,
    /// Everyone present.
    pub attendance_total: usize,
    /// The moderator's summary.
    pub summary: String,
    /// Opinions given before any topic was opened (会前意见): none is lost.
    #[serde(default)]
    pub before_topics: OpinionSection,
    /// One section per topic that was opened.
    pub topics: Vec<TopicRecord>,
    /// Agenda topics never opened (未讨论): the record says so rather than
    /// leaving them out.
    #[serde(default)]
    pub not_discussed: Vec<String>,
    /// Commitments not tied to a topic.
    pub other_commitments: Vec<CommitmentLine>,
    /// Earlier commitments reviewed at this meeting (回顾), with residents' ratings.
    #[serde(default)]
    pub reviews: Vec<ReviewLine>,
}

/// One earlier commitment reviewed, with how attendees rated it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLine {
    /// Ledger entry number.
    pub entry: u32,
    /// What was promised or asked.
    pub title: String,
    /// Responsible person or department.
    pub responsible: String,
    /// Status when reviewed.
    pub status: String,
    /// 满意, 基本满意, 不满意.
    pub counts: [u32; 3],
    /// Still open when the minutes were made.
    pub open: bool,
}

/// Opinions shown in the minutes, and how many were hidden and why (never
/// their text: the minutes are public, and a hidden opinion was hidden for a reason).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionSection {
    /// Opinions, grouped by category.
    pub groups: Vec<OpinionGroup>,
    /// Hidden opinions: (reason, how many).
    #[serde(default)]
    pub hidden: Vec<(String, usize)>,
}

impl OpinionSection {
    /// No opinion, shown or hidden.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.hidden.is_empty()
    }
}

/// What happened on one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRecord {
    /// Topic number in the meeting.
    #[serde(default)]
    pub id: u32,
    /// Title.
    pub title: String,
    /// Who spoke, in order.
    pub speakers: Vec<SpeakerLine>,
    /// Opinions, grouped by category.
    pub opinions: Vec<OpinionGroup>,
    /// Hidden opinions on this topic: (reason, how many).
    #[serde(default)]
    pub hidden: Vec<(String, usize)>,
    /// Votes with their counts.
    pub votes: Vec<VoteLine>,
    /// The outcome.
    pub outcome: Option<Outcome>,
    /// Commitments.
    pub commitments: Vec<CommitmentLine>,
    /// The issue-ledger entry this topic took up again, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<u32>,
}

/// One turn at the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakerLine {
    /// Public name.
    pub name: String,
    /// Speech, response or follow-up.
    pub kind: FloorKind,
    /// Seconds spoken.
    pub seconds: u64,
}

/// Opinions of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionGroup {
    /// Category ("" for untagged).
    pub category: String,
    /// The opinions.
    pub items: Vec<OpinionLine>,
}

/// One opinion in the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionLine {
    /// Opinion number.
    pub id: u32,
    /// Text.
    pub text: String,
    /// Public name of the author, or 匿名.
    pub by: String,
    /// Stance.
    pub stance: Option<Stance>,
    /// Seconds (附议).
    pub seconds: usize,
    /// Different groups among the seconders (the consensus signal).
    pub backing_groups: usize,
    /// Marked for the issue ledger.
    pub to_ledger: bool,
    /// Written while the topic was open but arrived after it closed (a phone
    /// that was offline): kept under its topic, marked as arriving late.
    #[serde(default)]
    pub late: bool,
    /// Sent before the meeting (会前) or from home (线上).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<crate::model::opinion::Channel>,
    /// Spoken (语音): its text is a recorder's transcript, or not yet written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoken: Option<SpokenLine>,
}

/// A voice opinion in the minutes: the recording stays with the meeting; the
/// minutes carry what a recorder wrote of it (语音转写), or say that one was
/// given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpokenLine {
    /// Its text is a transcript.
    pub transcribed: bool,
    /// Its length, seconds.
    pub seconds: u32,
}

impl OpinionLine {
    /// The text as the minutes print it: a voice opinion not yet transcribed
    /// says that it was given, and how long it was.
    pub fn shown_text(&self) -> String {
        match self.spoken {
            Some(s) if !s.transcribed && self.text.is_empty() => format!("语音意见（尚未转写，{}秒）", s.seconds),
            _ => self.text.clone(),
        }
    }

    /// The mark beside a transcript.
    pub fn spoken_mark(&self) -> &'static str {
        match self.spoken {
            Some(s) if s.transcribed => "语音转写",
            _ => "",
        }
    }
}

/// A vote in the minutes. Secret votes have counts only, by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteLine {
    /// Question.
    pub question: String,
    /// Secret ballot.
    pub secret: bool,
    /// Pass rule.
    pub rule: PassRule,
    /// Quorum.
    pub quorum: Option<u32>,
    /// Per choice: label, phones, hands, total.
    pub choices: Vec<(String, u32, u32, u32)>,
    /// Votes cast.
    pub cast: u32,
    /// Quorum met.
    pub quorum_met: bool,
    /// Passed.
    pub passed: bool,
    /// Still open when the minutes were made.
    pub open: bool,
    /// A 赞成/反对/弃权 vote (`false`: a choice between options). Absent in
    /// minutes published before it was recorded: read from the labels then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yes_no: Option<bool>,
}

impl VoteLine {
    /// Whether this is a 赞成/反对/弃权 vote (not a choice between options).
    pub fn is_yes_no(&self) -> bool {
        self.yes_no.unwrap_or_else(|| {
            let labels: Vec<&str> = self.choices.iter().map(|c| c.0.as_str()).collect();
            labels == ["赞成", "反对", "弃权"]
        })
    }

    /// For a choice: the option with the most votes, if a single one has any.
    pub fn leader(&self) -> Option<&str> {
        let most = self.choices.iter().map(|c| c.3).max().filter(|m| *m > 0)?;
        let mut leading = self.choices.iter().filter(|c| c.3 == most);
        match (leading.next(), leading.next()) {
            (Some(one), None) => Some(one.0.as_str()),
            _ => None,
        }
    }
}

/// A commitment in the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentLine {
    /// Number.
    pub id: u32,
    /// What will be done.
    pub what: String,
    /// Responsible person or department.
    pub responsible: String,
    /// Deadline.
    pub deadline: String,
    /// The official who took it.
    pub official: Option<String>,
    /// Opinions it answers.
    pub opinions: Vec<u32>,
}
