//! The things a meeting is made of. These are the building blocks of
//! [`MeetingState`](crate::MeetingState) and of events.

use crate::ids::{OpinionId, ParticipantId, TopicId};
use serde::{Deserialize, Serialize};

/// Default opinion categories (seed 002's five, plus environment from seed 004
/// and a catch-all). Configurable per meeting.
pub const DEFAULT_OPINION_CATEGORIES: &[&str] = &[
    "基础设施",
    "物业管理",
    "市民素质",
    "治安防范",
    "社区服务",
    "环境卫生",
    "其他",
];

/// Default attendee categories (协商主体). Configurable per meeting.
pub const DEFAULT_ATTENDEE_CATEGORIES: &[&str] = &[
    "居民",
    "居民代表",
    "党员",
    "两委成员",
    "物业",
    "业委会",
    "驻区单位",
    "政府部门",
    "专家",
    "其他",
];

/// Where the meeting as a whole is: 未开始 → 进行中 → 已结束.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 未开始
    #[default]
    NotStarted,
    /// 进行中
    Running,
    /// 已结束
    Ended,
}

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

/// What the organiser sends to create a meeting (the body of `POST /api/meetings`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSetup {
    /// Title.
    pub title: String,
    /// Place.
    #[serde(default)]
    pub place: String,
    /// Start time as text.
    #[serde(default)]
    pub starts_at: Option<String>,
    /// Agenda.
    #[serde(default)]
    pub agenda: Vec<NewTopic>,
    /// Opinion categories (empty: defaults).
    #[serde(default)]
    pub opinion_categories: Vec<String>,
    /// 协商主体 categories (empty: defaults).
    #[serde(default)]
    pub attendee_categories: Vec<String>,
    /// The courtyard's Wi-Fi, for a join-the-network QR code on the projector.
    #[serde(default)]
    pub wifi: Option<Wifi>,
    /// Who moderates (e.g. 社区书记 李红): printed in the minutes as 主持人.
    #[serde(default)]
    pub moderator_name: Option<String>,
}

/// An agenda item as given at creation or added later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

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
}

/// The courtyard's Wi-Fi, shown on the projector as a join-the-network QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wifi {
    /// Network name.
    pub ssid: String,
    /// Password; empty for an open network.
    #[serde(default)]
    pub password: String,
    /// The projector shows the QR code only, not the password as text (the
    /// code still carries it: a phone that scans it joins).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hide_password: bool,
}

impl Wifi {
    /// The standard `WIFI:` QR text (as phone cameras read it), with `\ ; , : "` escaped.
    pub fn qr_text(&self) -> String {
        fn esc(s: &str) -> String {
            s.chars()
                .flat_map(|c| match c {
                    '\\' | ';' | ',' | ':' | '"' => vec!['\\', c],
                    c => vec![c],
                })
                .collect()
        }
        if self.password.is_empty() {
            format!("WIFI:T:nopass;S:{};;", esc(&self.ssid))
        } else {
            format!("WIFI:T:WPA;S:{};P:{};;", esc(&self.ssid), esc(&self.password))
        }
    }
}

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

/// A resident's rating of how a commitment was kept (回顾).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 满意
    Satisfied,
    /// 基本满意
    Fair,
    /// 不满意
    Unsatisfied,
}

impl Rating {
    /// All, in the order shown.
    pub const ALL: [Rating; 3] = [Rating::Satisfied, Rating::Fair, Rating::Unsatisfied];

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Rating::Satisfied => "满意",
            Rating::Fair => "基本满意",
            Rating::Unsatisfied => "不满意",
        }
    }
}

/// What is reviewed: an issue-ledger entry as it stood when the review opened.
/// Filled in by the server from the ledger, never by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSubject {
    /// Ledger entry number.
    pub entry: u32,
    /// What was promised or asked.
    pub title: String,
    /// Responsible person or department.
    pub responsible: String,
    /// Deadline, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// Status then (Chinese label).
    pub status: String,
    /// The latest progress note.
    pub progress: String,
}

/// One rating, under an unlinkable key like a secret ballot: a resident can
/// say 不满意 about an official's work without it being tied to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRating {
    /// Unlinkable key (one per attendee and review).
    pub key: String,
    /// The rating.
    pub rating: Rating,
}

/// A review (回顾) of an earlier commitment, rated by attendees from their phones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Id.
    pub id: crate::ids::ReviewId,
    /// The ledger entry reviewed.
    pub subject: ReviewSubject,
    /// Open for ratings.
    pub open: bool,
    /// Server time opened, ms.
    pub opened_at: u64,
    /// Server time closed, ms.
    pub closed_at: Option<u64>,
    /// Ratings, one per attendee (the latest counts).
    pub ratings: Vec<SealedRating>,
}

impl Review {
    /// Count per rating, in [`Rating::ALL`] order.
    pub fn counts(&self) -> [u32; 3] {
        let mut out = [0; 3];
        for r in &self.ratings {
            out[Rating::ALL.iter().position(|x| *x == r.rating).unwrap_or(0)] += 1;
        }
        out
    }
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
    pub minutes: crate::minutes::Minutes,
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

/// Meeting-wide settings the moderator can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Default speaking limit, seconds.
    pub speaking_limit_secs: u32,
    /// People who have not yet spoken on the topic go ahead of repeat speakers.
    pub first_timers_first: bool,
    /// Opinions sent from phones wait for a recorder's approval before they
    /// reach the projector and other phones (their author sees them at once).
    #[serde(default)]
    pub hold_opinions: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            speaking_limit_secs: crate::limits::DEFAULT_SPEAKING_LIMIT_SECS,
            first_timers_first: true,
            hold_opinions: false,
        }
    }
}
