//! What clients ask for. A command is checked by [`decide`](crate::decide::decide)
//! against the state and the sender's [`Actor`]; if accepted it becomes exactly one event.

use crate::ids::{OpinionId, ParticipantId, ReviewId, TopicId, VoteId};
use crate::model::{FloorKind, OutcomeKind, PassRule, Rating, ReviewSubject, Role, Stage, Stance, VoteKind};
use serde::{Deserialize, Serialize};

/// Who sent a command or caused an event. The server derives it from the
/// sender's token; a client never claims it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The server itself (meeting creation).
    System,
    /// 主持人, holder of the moderator link.
    Moderator,
    /// 投屏, read-only.
    Projector,
    /// Anyone with the link who is not a participant (files objections to published minutes).
    Public,
    /// An attendee (who may also be a recorder or an official).
    Participant(ParticipantId),
}

impl Actor {
    /// The participant behind this actor, if any.
    pub fn participant(self) -> Option<ParticipantId> {
        match self {
            Actor::Participant(p) => Some(p),
            _ => None,
        }
    }
}

/// Whose opinion a submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OpinionAuthor {
    /// The sender's own opinion.
    #[default]
    Me,
    /// A walk-in's opinion typed by a recorder.
    WalkIn(ParticipantId),
    /// Recorded anonymously (匿名) by a recorder.
    Anonymous,
}

/// Every command a client can send, tagged `{"type": …, "data": …}`.
/// The doc line of each says who may send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Command {
    // --- meeting -------------------------------------------------------
    /// Moderator: 未开始 → 进行中.
    StartMeeting,
    /// Moderator: → 已结束. Closes the open topic and the floor.
    EndMeeting,
    /// Moderator, before the start: correct the title, place and time.
    EditDetails {
        /// Title.
        title: String,
        /// Place.
        #[serde(default)]
        place: String,
        /// Time as written.
        #[serde(default)]
        starts_at: Option<String>,
    },
    /// Moderator: change the speaking limit and/or the first-timers-first rule.
    ChangeSettings {
        /// New default speaking limit, seconds.
        #[serde(default)]
        speaking_limit_secs: Option<u32>,
        /// New value of the rule.
        #[serde(default)]
        first_timers_first: Option<bool>,
        /// Whether people following from home may send opinions (线上).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        online_opinions: Option<bool>,
        /// Whether the projector reads new opinions aloud (朗读).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        read_aloud: Option<bool>,
    },

    // --- agenda --------------------------------------------------------
    /// Moderator: add a topic at `position` (default: the end).
    AddTopic {
        /// Title.
        title: String,
        /// Time box, minutes.
        #[serde(default)]
        minutes: u32,
        /// Index in the agenda.
        #[serde(default)]
        position: Option<u32>,
    },
    /// Moderator: edit a topic that is not closed.
    EditTopic {
        /// Which.
        topic: TopicId,
        /// New title.
        title: String,
        /// New time box.
        minutes: u32,
    },
    /// Moderator: move a topic to index `position` of the agenda.
    MoveTopic {
        /// Which.
        topic: TopicId,
        /// New index.
        position: u32,
    },
    /// Moderator: remove a pending topic.
    RemoveTopic {
        /// Which.
        topic: TopicId,
    },
    /// Moderator: open a topic (closing the open one, clearing the queue).
    OpenTopic {
        /// Which.
        topic: TopicId,
    },
    /// Moderator: set the stage of the open topic.
    SetStage {
        /// The stage.
        stage: Stage,
    },
    /// Moderator: close the open topic.
    CloseTopic,

    // --- participants --------------------------------------------------
    /// Recorder or moderator: register someone without a phone.
    RegisterWalkIn {
        /// Name, or none for 匿名.
        #[serde(default)]
        name: Option<String>,
        /// 协商主体 category.
        category: String,
        /// Whether the name may appear in published minutes.
        #[serde(default)]
        publish_name: bool,
    },
    /// Moderator: appoint (or un-appoint) a recorder or official.
    Appoint {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: Role,
        /// Give (`true`) or take away (`false`).
        on: bool,
    },
    /// Moderator: remove an attendee from the meeting.
    RemoveParticipant {
        /// Who.
        participant: ParticipantId,
        /// Also refuse new joins from their network address for the rest of the
        /// meeting (a prankster who would scan the QR code again).
        #[serde(default)]
        ban: bool,
    },
    /// Moderator: a new join link; the old one (and every printed or photographed
    /// QR code of it) stops admitting new people. Those already in stay in.
    RotateInvite,

    // --- speaker queue and floor ---------------------------------------
    /// Attendee: raise my hand. Recorder/moderator: raise a walk-in's hand (`who`).
    RaiseHand {
        /// A walk-in, or none for the sender.
        #[serde(default)]
        who: Option<ParticipantId>,
        /// The topic open on the sender's screen. A hand raised for a topic that
        /// has closed meanwhile (a phone that was offline) is refused with
        /// `topic_closed`, not moved to the next topic.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
    },
    /// Attendee: lower my hand. Moderator: take anyone out of the queue.
    /// Recorder: lower a walk-in's hand.
    LowerHand {
        /// Who, or none for the sender.
        #[serde(default)]
        who: Option<ParticipantId>,
    },
    /// Moderator: move someone to index `position` of the queue.
    MoveInQueue {
        /// Who.
        participant: ParticipantId,
        /// New index.
        position: u32,
    },
    /// Moderator: give the floor to the head of the queue.
    CallNext,
    /// Moderator: give the floor to a named participant (taking them out of the queue).
    /// `kind` is `response` for an official's reply (回应), `follow_up` for 追问.
    GiveFloor {
        /// Who.
        participant: ParticipantId,
        /// Why.
        #[serde(default = "default_floor_kind")]
        kind: FloorKind,
        /// Limit for this turn, seconds (default from settings / follow-up limit).
        #[serde(default)]
        limit_secs: Option<u32>,
    },
    /// Moderator: end the current turn.
    EndFloor,
    /// Moderator: start or resume the countdown.
    StartTimer,
    /// Moderator: pause the countdown.
    PauseTimer,
    /// Moderator: add (or with a negative number remove) time from the current turn.
    AdjustTimer {
        /// Seconds to add.
        delta_secs: i32,
    },

    // --- opinions ------------------------------------------------------
    /// Attendee: submit my opinion. Recorder: submit for a walk-in or anonymously.
    SubmitOpinion {
        /// The text.
        text: String,
        /// Category, optional (a recorder can tag later).
        #[serde(default)]
        category: Option<String>,
        /// Stance, optional.
        #[serde(default)]
        stance: Option<Stance>,
        /// Whose opinion.
        #[serde(default)]
        author: OpinionAuthor,
        /// The topic open on the sender's screen when it was written: absent,
        /// the topic open when it arrives; `null`, none (before the first topic
        /// or between topics); a topic that has closed meanwhile keeps it, and
        /// the opinion is marked as arriving late.
        #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
        topic: Option<Option<TopicId>>,
        /// A spoken opinion's clip, set only by the server when a phone
        /// uploads one (`POST /api/meetings/{id}/voice`); refused on a socket.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voice: Option<crate::model::Voice>,
    },
    /// Recorder or moderator: write a voice opinion's text (转写), or correct it.
    Transcribe {
        /// Which (a voice opinion).
        opinion: OpinionId,
        /// What was said.
        text: String,
    },
    /// Attendee: second (附议) an opinion. Recorder: second for a walk-in (`who`).
    Second {
        /// Which opinion.
        opinion: OpinionId,
        /// A walk-in, or none for the sender.
        #[serde(default)]
        who: Option<ParticipantId>,
        /// Set when the sender saw the opinion's topic still open: a second
        /// that arrives after the topic closed (a phone that was offline) is
        /// then still counted.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        seen_open: bool,
    },
    /// Recorder or moderator: change an opinion's category and stance.
    Retag {
        /// Which.
        opinion: OpinionId,
        /// New category.
        #[serde(default)]
        category: Option<String>,
        /// New stance.
        #[serde(default)]
        stance: Option<Stance>,
    },
    /// Recorder or moderator: merge a duplicate into another opinion.
    Merge {
        /// The duplicate.
        opinion: OpinionId,
        /// The one it duplicates.
        into: OpinionId,
    },
    /// Recorder or moderator: hide an opinion from view, keeping it and the reason.
    Hide {
        /// Which.
        opinion: OpinionId,
        /// Why (kept on record).
        reason: String,
    },
    /// Recorder or moderator: show a hidden opinion again.
    Unhide {
        /// Which.
        opinion: OpinionId,
    },
    /// Recorder or moderator: mark an opinion to go into the issue ledger (列入台账).
    MarkForLedger {
        /// Which.
        opinion: OpinionId,
        /// Mark or unmark.
        on: bool,
    },

    // --- decisions -----------------------------------------------------
    /// Moderator: open a vote on the open topic.
    OpenVote {
        /// The question.
        question: String,
        /// Yes/no or a choice among options.
        kind: VoteKind,
        /// Secret ballot.
        #[serde(default)]
        secret: bool,
        /// Pass rule.
        rule: PassRule,
        /// Minimum votes cast.
        #[serde(default)]
        quorum: Option<u32>,
    },
    /// Attendee: vote (again, to change the vote, until it closes).
    CastVote {
        /// Which vote.
        vote: VoteId,
        /// Choice index (yes/no: 0 赞成, 1 反对, 2 弃权).
        choice: u32,
        /// Filled in by the server for secret votes (never by a client): the
        /// voter's unlinkable ballot key.
        #[serde(skip)]
        ballot_key: Option<String>,
    },
    /// Moderator: the show-of-hands count per choice, for people without phones.
    CountHands {
        /// Which vote.
        vote: VoteId,
        /// One count per choice.
        counts: Vec<u32>,
    },
    /// Moderator: close a vote; its result is then final.
    CloseVote {
        /// Which vote.
        vote: VoteId,
    },
    /// Moderator or recorder: record how a topic ended (also after the meeting ended).
    SetOutcome {
        /// Which topic.
        topic: TopicId,
        /// Which outcome.
        kind: OutcomeKind,
        /// The deliberation opinion or note.
        text: String,
        /// Dissenting views kept on record.
        #[serde(default)]
        dissent: Option<String>,
        /// The vote it rests on.
        #[serde(default)]
        vote: Option<VoteId>,
    },
    /// Moderator, recorder or official: record a commitment (承诺) (also after the meeting ended).
    AddCommitment {
        /// The topic (default: the open one).
        #[serde(default)]
        topic: Option<TopicId>,
        /// What will be done.
        what: String,
        /// Responsible person or department.
        responsible: String,
        /// Deadline, `YYYY-MM-DD`.
        deadline: String,
        /// The opinions it answers.
        #[serde(default)]
        opinions: Vec<OpinionId>,
    },

    // --- review of earlier commitments (回顾) ---------------------------
    /// Moderator: put an issue-ledger entry up for review; attendees rate it.
    OpenReview {
        /// Ledger entry number.
        entry: u32,
        /// Filled in by the server from the ledger (never by a client).
        #[serde(skip)]
        subject: Option<ReviewSubject>,
    },
    /// Attendee: rate (again, to change the rating, until it closes).
    RateReview {
        /// Which review.
        review: ReviewId,
        /// 满意 / 基本满意 / 不满意.
        rating: Rating,
        /// Filled in by the server (never by a client): the rater's unlinkable key.
        #[serde(skip)]
        key: Option<String>,
    },
    /// Moderator: close a review; its ratings then go onto the ledger entry.
    CloseReview {
        /// Which review.
        review: ReviewId,
    },

    // --- minutes -------------------------------------------------------
    /// Moderator, after the end: publish (公示) the minutes with a summary.
    /// Each publication is a new, frozen version; earlier ones are kept. A
    /// second or later version is a correction (更正版) and must say why: it
    /// restarts the notice period, which residents should know the reason for.
    PublishMinutes {
        /// The moderator's summary.
        #[serde(default)]
        summary: String,
        /// Notice period in days (公示期; default 5).
        #[serde(default)]
        notice_days: Option<u32>,
        /// Why this correction is made (required from version 2 on).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correction: Option<String>,
    },
    /// Anyone with the link, during the notice period: an objection (异议).
    FileObjection {
        /// The topic objected to, if one.
        #[serde(default)]
        topic: Option<TopicId>,
        /// The objection.
        text: String,
        /// Who objects (optional).
        #[serde(default)]
        name: Option<String>,
        /// Filled in by the server: the time of filing (never by a client).
        #[serde(skip)]
        now: u64,
    },
    /// Moderator: hold opinions sent from phones for a recorder's approval
    /// before they reach the projector (`on`), or show them at once again.
    HoldOpinions {
        /// Hold or not.
        on: bool,
    },
    /// Recorder or moderator: a held opinion may be shown.
    ApproveOpinion {
        /// Which.
        opinion: OpinionId,
    },
    /// Moderator or recorder: how many more people are present without a
    /// phone (counted in the courtyard), for the attendance in the minutes.
    SetHeadcount {
        /// People present who did not join with a phone.
        without_phone: u32,
    },
    /// Moderator: the name the minutes print for 主持人 (empty: not given).
    SetModeratorName {
        /// The name, e.g. 社区书记 李红.
        name: String,
    },
    /// Moderator: answer an objection.
    AnswerObjection {
        /// Which objection (number).
        objection: u32,
        /// The answer.
        answer: String,
    },
    /// Moderator: mark an objection as a flood or abuse (刷屏/无关) — kept in
    /// the record, not counted as open, not keeping the minutes disputed.
    /// `spam: false` takes the mark back.
    MarkObjectionSpam {
        /// Which objection (number).
        objection: u32,
        /// Spam or not.
        spam: bool,
    },
}

impl Command {
    /// Commands that record what happened and so are still accepted after the
    /// meeting ended: the record is completed afterwards, and tidying the
    /// opinions (tags, duplicates, abuse) is part of preparing the minutes.
    pub fn allowed_after_end(&self) -> bool {
        matches!(
            self,
            Command::SetOutcome { .. }
                | Command::Retag { .. }
                | Command::Merge { .. }
                | Command::Hide { .. }
                | Command::Unhide { .. }
                | Command::AddCommitment { .. }
                | Command::MarkForLedger { .. }
                | Command::PublishMinutes { .. }
                | Command::FileObjection { .. }
                | Command::AnswerObjection { .. }
                | Command::MarkObjectionSpam { .. }
                | Command::SetModeratorName { .. }
                | Command::SetHeadcount { .. }
        )
    }
}

/// The families that commands and events fall into. [`decide`](crate::decide::decide)
/// and [`MeetingState::apply`](crate::MeetingState::apply) are split along them,
/// one module per family, so each family's rules read in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// The meeting as a whole: start, end, details, settings, moderator's name, headcount.
    Meeting,
    /// Agenda topics and the stage of the open one.
    Agenda,
    /// Participants: walk-ins, roles, removal, the join link.
    People,
    /// Raised hands, the queue, the floor and its timer.
    Floor,
    /// Opinions: submitting, seconding, tidying, holding for approval.
    Opinions,
    /// Votes, outcomes and commitments.
    Decisions,
    /// The published minutes and objections to them.
    Record,
    /// Reviews (回顾) of earlier commitments.
    Review,
}

impl Command {
    /// The family this command belongs to (see [`Family`]).
    pub(crate) fn family(&self) -> Family {
        match self {
            Command::StartMeeting
            | Command::EndMeeting
            | Command::EditDetails { .. }
            | Command::ChangeSettings { .. }
            | Command::SetModeratorName { .. }
            | Command::SetHeadcount { .. } => Family::Meeting,
            Command::AddTopic { .. }
            | Command::EditTopic { .. }
            | Command::MoveTopic { .. }
            | Command::RemoveTopic { .. }
            | Command::OpenTopic { .. }
            | Command::SetStage { .. }
            | Command::CloseTopic => Family::Agenda,
            Command::RegisterWalkIn { .. }
            | Command::Appoint { .. }
            | Command::RemoveParticipant { .. }
            | Command::RotateInvite => Family::People,
            Command::RaiseHand { .. }
            | Command::LowerHand { .. }
            | Command::MoveInQueue { .. }
            | Command::CallNext
            | Command::GiveFloor { .. }
            | Command::EndFloor
            | Command::StartTimer
            | Command::PauseTimer
            | Command::AdjustTimer { .. } => Family::Floor,
            Command::SubmitOpinion { .. }
            | Command::Transcribe { .. }
            | Command::Second { .. }
            | Command::Retag { .. }
            | Command::Merge { .. }
            | Command::Hide { .. }
            | Command::Unhide { .. }
            | Command::MarkForLedger { .. }
            | Command::HoldOpinions { .. }
            | Command::ApproveOpinion { .. } => Family::Opinions,
            Command::OpenVote { .. }
            | Command::CastVote { .. }
            | Command::CountHands { .. }
            | Command::CloseVote { .. }
            | Command::SetOutcome { .. }
            | Command::AddCommitment { .. } => Family::Decisions,
            Command::PublishMinutes { .. }
            | Command::FileObjection { .. }
            | Command::AnswerObjection { .. }
            | Command::MarkObjectionSpam { .. } => Family::Record,
            Command::OpenReview { .. } | Command::RateReview { .. } | Command::CloseReview { .. } => Family::Review,
        }
    }
}

/// A field that is present (even as `null`) is `Some(…)`; absent is `None`
/// (with `#[serde(default)]`).
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

fn default_floor_kind() -> FloorKind {
    FloorKind::Speak
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_use_adjacent_tagging() {
        let c = Command::RaiseHand { who: None, topic: None };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"type":"raise_hand","data":{"who":null}}"#
        );
        let back: Command = serde_json::from_str(r#"{"type":"raise_hand","data":{}}"#).unwrap();
        assert_eq!(back, c);
        let unit: Command = serde_json::from_str(r#"{"type":"call_next"}"#).unwrap();
        assert_eq!(unit, Command::CallNext);
    }

    #[test]
    fn every_command_round_trips() {
        let all = vec![
            Command::StartMeeting,
            Command::ChangeSettings {
                speaking_limit_secs: Some(120),
                first_timers_first: Some(false),
                online_opinions: Some(true),
                read_aloud: None,
            },
            Command::AddTopic {
                title: "停车".into(),
                minutes: 15,
                position: Some(0),
            },
            Command::OpenTopic { topic: TopicId(1) },
            Command::SetStage {
                stage: Stage::Discussion,
            },
            Command::GiveFloor {
                participant: ParticipantId(2),
                kind: FloorKind::Response,
                limit_secs: None,
            },
            Command::AdjustTimer { delta_secs: -30 },
            Command::SubmitOpinion {
                text: "<b>x</b>".into(),
                category: Some("物业管理".into()),
                stance: Some(Stance::Oppose),
                author: OpinionAuthor::WalkIn(ParticipantId(4)),
                topic: None,
                voice: None,
            },
            Command::SubmitOpinion {
                text: String::new(),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
                topic: None,
                voice: Some(crate::model::Voice {
                    clip: "abcdefghijklmnopqrstuv".into(),
                    ms: 23_000,
                    bytes: 180_000,
                }),
            },
            Command::Transcribe {
                opinion: OpinionId(3),
                text: "路灯坏了".into(),
            },
            Command::SubmitOpinion {
                text: "before".into(),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
                topic: Some(None),
                voice: None,
            },
            Command::SubmitOpinion {
                text: "on 2".into(),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
                topic: Some(Some(TopicId(2))),
                voice: None,
            },
            Command::Appoint {
                participant: ParticipantId(3),
                role: Role::Official,
                on: true,
            },
            Command::Hide {
                opinion: OpinionId(1),
                reason: "辱骂".into(),
            },
        ];
        for c in all {
            let json = serde_json::to_string(&c).unwrap();
            let back: Command = serde_json::from_str(&json).unwrap();
            assert_eq!(back, c, "{json}");
        }
    }

    #[test]
    fn actor_wire_form() {
        assert_eq!(serde_json::to_string(&Actor::Moderator).unwrap(), r#""moderator""#);
        assert_eq!(
            serde_json::to_string(&Actor::Participant(ParticipantId(3))).unwrap(),
            r#"{"participant":3}"#
        );
    }
}
