//! The [`MeetingState`] type: its fields, the queries the rest of the crate
//! and the clients use, and the small mutations the families of
//! [`apply`](MeetingState::apply) share (closing the open topic, ending the floor,
//! merging opinions, lookups by id).

use crate::event::Event;
use crate::ids::{MeetingId, OpinionId, ParticipantId, ReviewId, Seq, TopicId, VoteId};
use crate::model::{
    Commitment, Floor, FloorKind, MinutesStatus, Objection, Opinion, Participant, Phase, Publication, Review, Settings,
    Speech, Topic, TopicStatus, Vote, Wifi,
};
use serde::{Deserialize, Serialize};

/// Everything about a live meeting that any participant may see. Contains no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MeetingState {
    /// The meeting.
    pub id: MeetingId,
    /// Sequence number of the last applied event (0: none).
    pub seq: Seq,
    /// Server time of the last applied event, ms.
    pub last_at: u64,
    /// Title.
    pub title: String,
    /// Place.
    pub place: String,
    /// Start time as written by the organiser.
    pub starts_at: Option<String>,
    /// Server time of creation, ms.
    pub created_at: u64,
    /// 未开始 / 进行中 / 已结束.
    pub phase: Phase,
    /// Opinion categories.
    pub opinion_categories: Vec<String>,
    /// 协商主体 categories.
    pub attendee_categories: Vec<String>,
    /// The courtyard's Wi-Fi (shown on the projector).
    #[serde(default)]
    pub wifi: Option<Wifi>,
    /// People counted present who did not join with a phone.
    #[serde(default)]
    pub without_phone: u32,
    /// Who moderates, as the minutes name them (none: not given).
    #[serde(default)]
    pub moderator_name: Option<String>,
    /// Who is invited to respond (units, officials), as the notice names them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub invited: String,
    /// The agenda, in order.
    pub agenda: Vec<Topic>,
    /// The open topic.
    pub current_topic: Option<TopicId>,
    /// Next topic id to assign.
    pub next_topic_id: u32,
    /// Participants; `participants[i].id == i + 1`.
    pub participants: Vec<Participant>,
    /// The speaker queue, in speaking order.
    pub queue: Vec<ParticipantId>,
    /// Who speaks now.
    pub floor: Option<Floor>,
    /// Settings.
    pub settings: Settings,
    /// Opinions; `opinions[i].id == i + 1`.
    pub opinions: Vec<Opinion>,
    /// Votes; `votes[i].id == i + 1`.
    #[serde(default)]
    pub votes: Vec<Vote>,
    /// Commitments; `commitments[i].id == i + 1`.
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    /// Published versions of the minutes, oldest first.
    #[serde(default)]
    pub publications: Vec<Publication>,
    /// Objections to the minutes, in order.
    #[serde(default)]
    pub objections: Vec<Objection>,
    /// Bytes of text of every opinion together, kept as opinions arrive (text
    /// never changes afterwards): checking the meeting's bound must not add up
    /// thousands of opinions on every new one.
    #[serde(default)]
    pub opinion_text_bytes: usize,
    /// Bytes of the voice clips of every opinion together (bounded by
    /// `VOICE_MEETING_MAX_BYTES`).
    #[serde(default)]
    pub voice_bytes: u64,
    /// Reviews of earlier commitments (回顾); `reviews[i].id == i + 1`.
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// How many times the join link was replaced: pages showing it fetch it anew.
    #[serde(default)]
    pub invite_version: u32,
}

impl MeetingState {
    /// Folds a whole log from the empty state.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut state = Self::default();
        for e in events {
            state.apply(e);
        }
        state
    }

    /// A participant by id.
    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.participants.get(i))
    }

    /// An opinion by id.
    pub fn opinion(&self, id: OpinionId) -> Option<&Opinion> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.opinions.get(i))
    }

    /// A topic by id.
    pub fn topic(&self, id: TopicId) -> Option<&Topic> {
        self.agenda.iter().find(|t| t.id == id)
    }

    /// The open topic.
    pub fn open_topic(&self) -> Option<&Topic> {
        self.current_topic.and_then(|id| self.topic(id))
    }

    /// Where the minutes stand at server time `now`.
    pub fn minutes_status(&self, now: u64) -> MinutesStatus {
        let Some(latest) = self.publications.last() else {
            return MinutesStatus::Draft;
        };
        let open_objections = self.objections.iter().filter(|o| o.answer.is_none() && !o.spam).count();
        let until = latest.notice_until();
        if now <= until {
            MinutesStatus::Notice { until, open_objections }
        } else if open_objections > 0 {
            MinutesStatus::Disputed { open_objections }
        } else {
            MinutesStatus::Filed
        }
    }

    /// A vote by id.
    pub fn vote(&self, id: VoteId) -> Option<&Vote> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.votes.get(i))
    }

    /// A review by id.
    pub fn review(&self, id: ReviewId) -> Option<&Review> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.reviews.get(i))
    }

    pub(super) fn review_mut(&mut self, id: ReviewId) -> Option<&mut Review> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.reviews.get_mut(i))
    }

    pub(super) fn vote_mut(&mut self, id: VoteId) -> Option<&mut Vote> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.votes.get_mut(i))
    }

    pub(super) fn participant_mut(&mut self, id: ParticipantId) -> Option<&mut Participant> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.participants.get_mut(i))
    }

    pub(super) fn opinion_mut(&mut self, id: OpinionId) -> Option<&mut Opinion> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.opinions.get_mut(i))
    }

    pub(super) fn topic_mut(&mut self, id: TopicId) -> Option<&mut Topic> {
        self.agenda.iter_mut().find(|t| t.id == id)
    }

    pub(super) fn push_topic(&mut self, title: String, minutes: u32, position: Option<u32>) {
        self.next_topic_id += 1;
        let topic = Topic {
            id: TopicId(self.next_topic_id),
            title,
            minutes,
            status: TopicStatus::Pending,
            stage: None,
            opened_at: None,
            closed_at: None,
            speeches: Vec::new(),
            outcome: None,
            ledger: None,
            background: String::new(),
            photos: Vec::new(),
        };
        let at = position.map_or(self.agenda.len(), |p| (p as usize).min(self.agenda.len()));
        self.agenda.insert(at, topic);
    }

    /// Closes the open topic, ending the floor and clearing the queue: hands
    /// are raised for a topic, so a new topic starts with an empty queue.
    pub(super) fn close_open_topic(&mut self, at: u64) {
        self.end_floor(at);
        self.queue.clear();
        if let Some(id) = self.current_topic.take() {
            if let Some(t) = self.topic_mut(id) {
                t.status = TopicStatus::Closed;
                t.closed_at = Some(at);
            }
        }
    }

    /// Closes every vote and review still open: nobody can vote or rate after
    /// the end, and a review left open would never reach the ledger.
    pub(super) fn close_votes_and_reviews(&mut self, at: u64) {
        for v in self.votes.iter_mut().filter(|v| v.open) {
            v.open = false;
            v.closed_at = Some(at);
        }
        for r in self.reviews.iter_mut().filter(|r| r.open) {
            r.open = false;
            r.closed_at = Some(at);
        }
    }

    /// Ends the current turn and records it as a speech on the open topic.
    pub(super) fn end_floor(&mut self, at: u64) {
        let Some(f) = self.floor.take() else { return };
        let running = f.running_since.map_or(0, |since| at.saturating_sub(since));
        let speech = Speech {
            participant: f.participant,
            kind: f.kind,
            started_at: f.started_at,
            duration_ms: f.elapsed_ms + running,
        };
        if let Some(id) = self.current_topic {
            if let Some(t) = self.topic_mut(id) {
                t.speeches.push(speech);
            }
        }
    }

    /// Whether `who` has already spoken (from the queue or called) on the open topic.
    pub fn has_spoken_on_open_topic(&self, who: ParticipantId) -> bool {
        let on_floor = self
            .floor
            .as_ref()
            .is_some_and(|f| f.participant == who && f.kind == FloorKind::Speak);
        on_floor
            || self.open_topic().is_some_and(|t| {
                t.speeches
                    .iter()
                    .any(|s| s.participant == who && s.kind == FloorKind::Speak)
            })
    }

    /// Where a raised hand goes: at the end, or — with the first-timers rule —
    /// ahead of the first person in the queue who has already spoken.
    pub(super) fn queue_insert_position(&self, who: ParticipantId) -> usize {
        if !self.settings.first_timers_first || self.has_spoken_on_open_topic(who) {
            return self.queue.len();
        }
        self.queue
            .iter()
            .position(|q| self.has_spoken_on_open_topic(*q))
            .unwrap_or(self.queue.len())
    }

    /// Merges a duplicate: its supporters (author and seconders) become seconders
    /// of the kept opinion, without counting anyone twice or the kept author.
    pub(super) fn merge(&mut self, dup: OpinionId, into: OpinionId) {
        let Some(d) = self.opinion(dup).cloned() else {
            return;
        };
        let Some(target) = self.opinion_mut(into) else {
            return;
        };
        target.merged.push(dup);
        let supporters = d.author.into_iter().chain(d.seconds.iter().copied());
        for p in supporters {
            if Some(p) != target.author && !target.seconds.contains(&p) {
                target.seconds.push(p);
            }
        }
        if let Some(d) = self.opinion_mut(dup) {
            d.merged_into = Some(into);
        }
    }
}
