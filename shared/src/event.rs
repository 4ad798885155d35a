//! What happened. The durable log of a meeting is its events in sequence order;
//! folding them with [`MeetingState::apply`](crate::MeetingState::apply) gives the state.

use crate::command::{Actor, Family};
use crate::ids::{CommitmentId, MeetingId, OpinionId, ParticipantId, ReviewId, Seq, TopicId, VoteId};
use crate::model::{FloorKind, NewTopic, Outcome, PassRule, Rating, ReviewSubject, Role, Stage, Stance, VoteKind};
use serde::{Deserialize, Serialize};

/// One event with its place in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Gap-free per-meeting sequence number, from 1.
    pub seq: Seq,
    /// Server time, ms since the Unix epoch; never decreases along the log.
    pub at: u64,
    /// Who caused it.
    pub by: Actor,
    /// What happened.
    pub event: EventKind,
}

/// Everything that can happen in a meeting, tagged `{"type": …, "data": …}`.
/// Most mirror a [`Command`](crate::Command) with ids resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum EventKind {
    /// Always the first event of a meeting.
    MeetingCreated {
        /// The meeting's id.
        meeting: MeetingId,
        /// Title.
        title: String,
        /// Place.
        place: String,
        /// Start time as the organiser wrote it (e.g. `2026-11-30 19:00`).
        starts_at: Option<String>,
        /// Initial agenda.
        agenda: Vec<NewTopic>,
        /// Opinion categories.
        opinion_categories: Vec<String>,
        /// 协商主体 categories.
        attendee_categories: Vec<String>,
        /// The courtyard's Wi-Fi, if the organiser gave it.
        #[serde(default)]
        wifi: Option<crate::model::Wifi>,
        /// Who moderates, as the minutes name them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moderator_name: Option<String>,
        /// Who is invited to respond (units, officials), as the notice names them.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        invited: String,
    },
    /// 未开始 → 进行中.
    MeetingStarted,
    /// → 已结束. Closes the open topic, and any vote or review still open.
    MeetingEnded,
    /// The title, place or time was corrected before the start.
    DetailsEdited {
        /// Title.
        title: String,
        /// Place.
        place: String,
        /// Time as written.
        starts_at: Option<String>,
    },
    /// Settings changed.
    SettingsChanged {
        /// New speaking limit.
        speaking_limit_secs: Option<u32>,
        /// New rule value.
        first_timers_first: Option<bool>,
        /// People following from home may (or may no longer) send opinions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        online_opinions: Option<bool>,
        /// The projector reads new opinions aloud (or no longer).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        read_aloud: Option<bool>,
    },
    /// A topic was added.
    TopicAdded {
        /// Its new id.
        topic: TopicId,
        /// Title.
        title: String,
        /// Time box.
        minutes: u32,
        /// Agenda index (clamped to the end).
        position: Option<u32>,
    },
    /// A topic was edited.
    TopicEdited {
        /// Which.
        topic: TopicId,
        /// Title.
        title: String,
        /// Time box.
        minutes: u32,
    },
    /// A topic moved in the agenda.
    TopicMoved {
        /// Which.
        topic: TopicId,
        /// New index (clamped).
        position: u32,
    },
    /// A pending topic was removed.
    TopicRemoved {
        /// Which.
        topic: TopicId,
    },
    /// A topic was opened (the previously open one closed, the queue cleared).
    TopicOpened {
        /// Which.
        topic: TopicId,
    },
    /// The open topic's stage changed.
    StageSet {
        /// New stage.
        stage: Stage,
    },
    /// The open topic was closed.
    TopicClosed,
    /// Someone joined (from a phone) or was registered (walk-in).
    ParticipantJoined {
        /// Their new id.
        participant: ParticipantId,
        /// Name or none (匿名).
        name: Option<String>,
        /// 协商主体 category.
        category: String,
        /// Name may appear in published minutes.
        publish_name: bool,
        /// Registered by a recorder.
        walk_in: bool,
    },
    /// A role was given or taken.
    RoleSet {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: Role,
        /// Given or taken.
        on: bool,
    },
    /// The moderator removed someone.
    ParticipantRemoved {
        /// Who.
        participant: ParticipantId,
        /// Their address may not join again.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        ban: bool,
    },
    /// The join link was replaced (the new code is kept privately, never in the event).
    InviteRotated,
    /// Someone joined the queue (position follows the first-timers rule).
    HandRaised {
        /// Who.
        participant: ParticipantId,
    },
    /// Someone left the queue.
    HandLowered {
        /// Who.
        participant: ParticipantId,
    },
    /// The moderator reordered the queue.
    QueueMoved {
        /// Who.
        participant: ParticipantId,
        /// New index (clamped).
        position: u32,
    },
    /// Someone was given the floor (the previous turn, if any, ended).
    FloorGiven {
        /// Who.
        participant: ParticipantId,
        /// Why.
        kind: FloorKind,
        /// Time allowed, seconds.
        limit_secs: u32,
    },
    /// The current turn ended.
    FloorEnded,
    /// The countdown started or resumed.
    TimerStarted,
    /// The countdown paused.
    TimerPaused,
    /// Time added to (or taken from) the current turn.
    TimerAdjusted {
        /// Seconds.
        delta_secs: i32,
    },
    /// An opinion was submitted.
    OpinionSubmitted {
        /// Its new id.
        opinion: OpinionId,
        /// The topic open at the time.
        topic: Option<TopicId>,
        /// Whose (none: 匿名).
        author: Option<ParticipantId>,
        /// Recorder who typed it.
        recorded_by: Option<ParticipantId>,
        /// Text.
        text: String,
        /// Category.
        category: Option<String>,
        /// Stance.
        stance: Option<Stance>,
        /// Arrived after its topic had closed (written while it was open).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        late: bool,
        /// Sent before the meeting (会前) or from home (线上).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<crate::model::Channel>,
        /// Spoken: its clip.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voice: Option<crate::model::Voice>,
    },
    /// A voice opinion's text was written (转写) or corrected.
    OpinionTranscribed {
        /// Which.
        opinion: OpinionId,
        /// Its text.
        text: String,
    },
    /// 附议.
    Seconded {
        /// Which opinion.
        opinion: OpinionId,
        /// Who seconded.
        participant: ParticipantId,
    },
    /// Category/stance changed.
    OpinionRetagged {
        /// Which.
        opinion: OpinionId,
        /// Category.
        category: Option<String>,
        /// Stance.
        stance: Option<Stance>,
    },
    /// A duplicate was merged.
    OpinionsMerged {
        /// The duplicate.
        opinion: OpinionId,
        /// The one kept.
        into: OpinionId,
    },
    /// An opinion was hidden.
    OpinionHidden {
        /// Which.
        opinion: OpinionId,
        /// Why.
        reason: String,
    },
    /// A hidden opinion was shown again.
    OpinionUnhidden {
        /// Which.
        opinion: OpinionId,
    },
    /// An opinion was marked (or unmarked) for the issue ledger.
    LedgerMarked {
        /// Which.
        opinion: OpinionId,
        /// Marked or not.
        on: bool,
    },
    /// A vote was opened.
    VoteOpened {
        /// Its new id.
        vote: VoteId,
        /// The open topic.
        topic: Option<TopicId>,
        /// The question.
        question: String,
        /// Kind.
        kind: VoteKind,
        /// Secret ballot.
        secret: bool,
        /// Pass rule.
        rule: PassRule,
        /// Quorum.
        quorum: Option<u32>,
    },
    /// A named ballot (replaces the participant's earlier one).
    VoteCast {
        /// Which vote.
        vote: VoteId,
        /// Who.
        participant: ParticipantId,
        /// Choice.
        choice: u32,
    },
    /// A secret ballot (replaces the earlier one with the same key). Recorded as
    /// caused by `system`: nothing ties it to the voter.
    SealedBallotCast {
        /// Which vote.
        vote: VoteId,
        /// Unlinkable ballot key.
        key: String,
        /// Choice.
        choice: u32,
    },
    /// The show-of-hands count was set.
    HandsCounted {
        /// Which vote.
        vote: VoteId,
        /// Per choice.
        counts: Vec<u32>,
    },
    /// A vote was closed.
    VoteClosed {
        /// Which vote.
        vote: VoteId,
    },
    /// A topic's outcome was recorded (replacing an earlier one).
    OutcomeSet {
        /// Which topic.
        topic: TopicId,
        /// The outcome.
        outcome: Outcome,
    },
    /// A commitment was recorded.
    CommitmentAdded {
        /// Its new id.
        commitment: CommitmentId,
        /// The topic.
        topic: Option<TopicId>,
        /// What will be done.
        what: String,
        /// Responsible person or department.
        responsible: String,
        /// Deadline.
        deadline: String,
        /// Opinions it answers.
        opinions: Vec<OpinionId>,
        /// The official who took it.
        official: Option<ParticipantId>,
    },
    /// A ledger entry was put up for review (回顾).
    ReviewOpened {
        /// Its new id.
        review: ReviewId,
        /// The entry as it stood.
        subject: ReviewSubject,
    },
    /// A rating (replaces the earlier one with the same key). Recorded as caused
    /// by `system`, like a secret ballot.
    ReviewRated {
        /// Which review.
        review: ReviewId,
        /// Unlinkable key.
        key: String,
        /// The rating.
        rating: Rating,
    },
    /// A review was closed.
    ReviewClosed {
        /// Which review.
        review: ReviewId,
    },
    /// A version of the minutes was published (frozen as it stands here).
    MinutesPublished {
        /// Version, from 1.
        version: u32,
        /// Notice period, days.
        notice_days: u32,
        /// The minutes (public naming applied).
        minutes: Box<crate::minutes::value::Minutes>,
        /// Why a corrected version (更正版) replaces the one before; none for version 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An objection was filed.
    ObjectionFiled {
        /// Number, from 1.
        objection: u32,
        /// Against which version.
        version: u32,
        /// Topic.
        topic: Option<TopicId>,
        /// Text.
        text: String,
        /// Who (optional).
        name: Option<String>,
    },
    /// Opinions from phones are (or are no longer) held for approval.
    OpinionsHeld {
        /// Held or not.
        on: bool,
    },
    /// A held opinion was approved for the projector.
    OpinionApproved {
        /// Which.
        opinion: OpinionId,
    },
    /// The headcount of people present without a phone was set.
    HeadcountSet {
        /// People present who did not join with a phone.
        without_phone: u32,
    },
    /// The organiser issued fresh moderator and projector links (the old ones
    /// keep working): the record says when, not what (the tokens are secret).
    ScreensIssued,
    /// The moderator's name, as the minutes print it, was set (or cleared).
    ModeratorNamed {
        /// The name.
        name: Option<String>,
    },
    /// An objection was answered.
    ObjectionAnswered {
        /// Which.
        objection: u32,
        /// The answer.
        answer: String,
    },
    /// The moderator marked an objection as spam (or took the mark back).
    ObjectionMarkedSpam {
        /// Which.
        objection: u32,
        /// Spam or not.
        spam: bool,
    },
}

impl EventKind {
    /// The family this event belongs to (see [`Family`]): the part of
    /// [`MeetingState::apply`](crate::MeetingState::apply) that folds it.
    pub(crate) fn family(&self) -> Family {
        match self {
            EventKind::MeetingCreated { .. }
            | EventKind::MeetingStarted
            | EventKind::MeetingEnded
            | EventKind::DetailsEdited { .. }
            | EventKind::SettingsChanged { .. }
            | EventKind::ModeratorNamed { .. }
            | EventKind::HeadcountSet { .. }
            | EventKind::ScreensIssued => Family::Meeting,
            EventKind::TopicAdded { .. }
            | EventKind::TopicEdited { .. }
            | EventKind::TopicMoved { .. }
            | EventKind::TopicRemoved { .. }
            | EventKind::TopicOpened { .. }
            | EventKind::StageSet { .. }
            | EventKind::TopicClosed => Family::Agenda,
            EventKind::ParticipantJoined { .. }
            | EventKind::RoleSet { .. }
            | EventKind::InviteRotated
            | EventKind::ParticipantRemoved { .. } => Family::People,
            EventKind::HandRaised { .. }
            | EventKind::HandLowered { .. }
            | EventKind::QueueMoved { .. }
            | EventKind::FloorGiven { .. }
            | EventKind::FloorEnded
            | EventKind::TimerStarted
            | EventKind::TimerPaused
            | EventKind::TimerAdjusted { .. } => Family::Floor,
            EventKind::OpinionSubmitted { .. }
            | EventKind::Seconded { .. }
            | EventKind::OpinionRetagged { .. }
            | EventKind::OpinionTranscribed { .. }
            | EventKind::OpinionsMerged { .. }
            | EventKind::OpinionHidden { .. }
            | EventKind::OpinionUnhidden { .. }
            | EventKind::LedgerMarked { .. }
            | EventKind::OpinionsHeld { .. }
            | EventKind::OpinionApproved { .. } => Family::Opinions,
            EventKind::VoteOpened { .. }
            | EventKind::VoteCast { .. }
            | EventKind::SealedBallotCast { .. }
            | EventKind::HandsCounted { .. }
            | EventKind::VoteClosed { .. }
            | EventKind::OutcomeSet { .. }
            | EventKind::CommitmentAdded { .. } => Family::Decisions,
            EventKind::MinutesPublished { .. }
            | EventKind::ObjectionFiled { .. }
            | EventKind::ObjectionAnswered { .. }
            | EventKind::ObjectionMarkedSpam { .. } => Family::Record,
            EventKind::ReviewOpened { .. } | EventKind::ReviewRated { .. } | EventKind::ReviewClosed { .. } => {
                Family::Review
            }
        }
    }

    /// The id this event created, if it created something (returned in the ack).
    pub fn created_id(&self) -> Option<u32> {
        match self {
            EventKind::TopicAdded { topic, .. } => Some(topic.0),
            EventKind::ParticipantJoined { participant, .. } => Some(participant.0),
            EventKind::OpinionSubmitted { opinion, .. } => Some(opinion.0),
            EventKind::VoteOpened { vote, .. } => Some(vote.0),
            EventKind::CommitmentAdded { commitment, .. } => Some(commitment.0),
            EventKind::ReviewOpened { review, .. } => Some(review.0),
            EventKind::MinutesPublished { version, .. } => Some(*version),
            EventKind::ObjectionFiled { objection, .. } => Some(*objection),
            _ => None,
        }
    }
}
