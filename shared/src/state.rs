//! The state of one meeting and the fold that builds it from events.
//!
//! `apply` is infallible and deterministic: it is only ever given events that
//! [`decide`](crate::decide::decide) produced against the same state, so the
//! server, a reconnecting client and a restarted server all arrive at the same
//! state from the same log.

use crate::event::{Event, EventKind};
use crate::ids::{MeetingId, OpinionId, ParticipantId, ReviewId, Seq, TopicId, VoteId};
use crate::model::*;
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

    fn review_mut(&mut self, id: ReviewId) -> Option<&mut Review> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.reviews.get_mut(i))
    }

    fn vote_mut(&mut self, id: VoteId) -> Option<&mut Vote> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.votes.get_mut(i))
    }

    fn participant_mut(&mut self, id: ParticipantId) -> Option<&mut Participant> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.participants.get_mut(i))
    }

    fn opinion_mut(&mut self, id: OpinionId) -> Option<&mut Opinion> {
        (id.0 as usize).checked_sub(1).and_then(|i| self.opinions.get_mut(i))
    }

    fn topic_mut(&mut self, id: TopicId) -> Option<&mut Topic> {
        self.agenda.iter_mut().find(|t| t.id == id)
    }

    /// Applies one event. Events must come in sequence order; one already
    /// applied (`seq <= self.seq`) is ignored, which makes re-delivery harmless.
    pub fn apply(&mut self, e: &Event) {
        if e.seq <= self.seq {
            return;
        }
        self.seq = e.seq;
        self.last_at = self.last_at.max(e.at);
        let at = e.at;
        match &e.event {
            EventKind::MeetingCreated {
                meeting,
                title,
                place,
                starts_at,
                agenda,
                opinion_categories,
                attendee_categories,
                wifi,
                moderator_name,
            } => {
                self.moderator_name = moderator_name.clone();
                self.id = meeting.clone();
                self.title = title.clone();
                self.place = place.clone();
                self.starts_at = starts_at.clone();
                self.created_at = at;
                self.opinion_categories = opinion_categories.clone();
                self.attendee_categories = attendee_categories.clone();
                self.wifi = wifi.clone();
                for t in agenda {
                    self.push_topic(t.title.clone(), t.minutes, None);
                    if let Some(last) = self.agenda.last_mut() {
                        last.ledger = t.ledger;
                    }
                }
            }
            EventKind::MeetingStarted => self.phase = Phase::Running,
            EventKind::MeetingEnded => {
                self.close_open_topic(at);
                self.close_votes_and_reviews(at);
                self.phase = Phase::Ended;
            }
            EventKind::SettingsChanged {
                speaking_limit_secs,
                first_timers_first,
            } => {
                if let Some(s) = speaking_limit_secs {
                    self.settings.speaking_limit_secs = *s;
                }
                if let Some(f) = first_timers_first {
                    self.settings.first_timers_first = *f;
                }
            }
            EventKind::TopicAdded {
                topic,
                title,
                minutes,
                position,
            } => {
                debug_assert_eq!(topic.0, self.next_topic_id + 1);
                self.push_topic(title.clone(), *minutes, *position);
            }
            EventKind::TopicEdited { topic, title, minutes } => {
                if let Some(t) = self.topic_mut(*topic) {
                    t.title = title.clone();
                    t.minutes = *minutes;
                }
            }
            EventKind::TopicMoved { topic, position } => {
                if let Some(from) = self.agenda.iter().position(|t| t.id == *topic) {
                    let t = self.agenda.remove(from);
                    let to = (*position as usize).min(self.agenda.len());
                    self.agenda.insert(to, t);
                }
            }
            EventKind::TopicRemoved { topic } => self.agenda.retain(|t| t.id != *topic),
            EventKind::TopicOpened { topic } => {
                self.close_open_topic(at);
                if let Some(t) = self.topic_mut(*topic) {
                    t.status = TopicStatus::Open;
                    t.stage = Some(Stage::Intro);
                    t.opened_at = Some(at);
                    t.closed_at = None;
                }
                self.current_topic = Some(*topic);
            }
            EventKind::StageSet { stage } => {
                if let Some(id) = self.current_topic {
                    if let Some(t) = self.topic_mut(id) {
                        t.stage = Some(*stage);
                    }
                }
            }
            EventKind::TopicClosed => self.close_open_topic(at),
            EventKind::ParticipantJoined {
                participant,
                name,
                category,
                publish_name,
                walk_in,
            } => {
                debug_assert_eq!(participant.0 as usize, self.participants.len() + 1);
                self.participants.push(Participant {
                    id: *participant,
                    name: name.clone(),
                    category: category.clone(),
                    publish_name: *publish_name,
                    walk_in: *walk_in,
                    recorder: false,
                    official: false,
                    removed: false,
                    banned: false,
                    joined_at: at,
                });
            }
            EventKind::RoleSet { participant, role, on } => {
                if let Some(p) = self.participant_mut(*participant) {
                    match role {
                        Role::Recorder => p.recorder = *on,
                        Role::Official => p.official = *on,
                    }
                }
            }
            EventKind::InviteRotated => self.invite_version += 1,
            EventKind::ParticipantRemoved { participant, ban } => {
                if let Some(p) = self.participant_mut(*participant) {
                    p.removed = true;
                    p.banned |= *ban;
                }
                self.queue.retain(|q| q != participant);
                if self.floor.as_ref().is_some_and(|f| f.participant == *participant) {
                    self.end_floor(at);
                }
            }
            EventKind::HandRaised { participant } => {
                let pos = self.queue_insert_position(*participant);
                self.queue.insert(pos, *participant);
            }
            EventKind::HandLowered { participant } => self.queue.retain(|q| q != participant),
            EventKind::QueueMoved { participant, position } => {
                if let Some(from) = self.queue.iter().position(|q| q == participant) {
                    let p = self.queue.remove(from);
                    let to = (*position as usize).min(self.queue.len());
                    self.queue.insert(to, p);
                }
            }
            EventKind::FloorGiven {
                participant,
                kind,
                limit_secs,
            } => {
                self.end_floor(at);
                self.queue.retain(|q| q != participant);
                self.floor = Some(Floor {
                    participant: *participant,
                    kind: *kind,
                    started_at: at,
                    limit_ms: u64::from(*limit_secs) * 1000,
                    elapsed_ms: 0,
                    running_since: Some(at),
                });
            }
            EventKind::FloorEnded => self.end_floor(at),
            EventKind::TimerStarted => {
                if let Some(f) = &mut self.floor {
                    f.running_since.get_or_insert(at);
                }
            }
            EventKind::TimerPaused => {
                if let Some(f) = &mut self.floor {
                    if let Some(since) = f.running_since.take() {
                        f.elapsed_ms += at.saturating_sub(since);
                    }
                }
            }
            EventKind::TimerAdjusted { delta_secs } => {
                if let Some(f) = &mut self.floor {
                    let delta = i64::from(*delta_secs) * 1000;
                    f.limit_ms = (f.limit_ms as i64 + delta).max(0) as u64;
                }
            }
            EventKind::OpinionSubmitted {
                opinion,
                topic,
                author,
                recorded_by,
                text,
                category,
                stance,
                late,
            } => {
                debug_assert_eq!(opinion.0 as usize, self.opinions.len() + 1);
                // Held when sent from a phone (its author's own, not typed by a
                // recorder) while the moderator holds opinions for approval.
                let held = self.settings.hold_opinions && author.is_some() && recorded_by.is_none();
                self.opinion_text_bytes += text.len();
                self.opinions.push(Opinion {
                    id: *opinion,
                    topic: *topic,
                    author: *author,
                    recorded_by: *recorded_by,
                    text: text.clone(),
                    category: category.clone(),
                    stance: *stance,
                    at,
                    seconds: Vec::new(),
                    merged_into: None,
                    merged: Vec::new(),
                    hidden: None,
                    to_ledger: false,
                    late: *late,
                    held,
                });
            }
            EventKind::Seconded { opinion, participant } => {
                if let Some(o) = self.opinion_mut(*opinion) {
                    if !o.seconds.contains(participant) {
                        o.seconds.push(*participant);
                    }
                }
            }
            EventKind::OpinionRetagged {
                opinion,
                category,
                stance,
            } => {
                if let Some(o) = self.opinion_mut(*opinion) {
                    o.category = category.clone();
                    o.stance = *stance;
                }
            }
            EventKind::OpinionsMerged { opinion, into } => self.merge(*opinion, *into),
            EventKind::OpinionHidden { opinion, reason } => {
                if let Some(o) = self.opinion_mut(*opinion) {
                    o.hidden = Some(reason.clone());
                }
            }
            EventKind::OpinionUnhidden { opinion } => {
                if let Some(o) = self.opinion_mut(*opinion) {
                    o.hidden = None;
                }
            }
            EventKind::LedgerMarked { opinion, on } => {
                if let Some(o) = self.opinion_mut(*opinion) {
                    o.to_ledger = *on;
                }
            }
            EventKind::VoteOpened {
                vote,
                topic,
                question,
                kind,
                secret,
                rule,
                quorum,
            } => {
                debug_assert_eq!(vote.0 as usize, self.votes.len() + 1);
                self.votes.push(Vote {
                    id: *vote,
                    topic: *topic,
                    question: question.clone(),
                    kind: kind.clone(),
                    secret: *secret,
                    rule: *rule,
                    quorum: *quorum,
                    open: true,
                    opened_at: at,
                    closed_at: None,
                    named: Vec::new(),
                    sealed: Vec::new(),
                    hands: None,
                });
            }
            EventKind::VoteCast {
                vote,
                participant,
                choice,
            } => {
                if let Some(v) = self.vote_mut(*vote) {
                    match v.named.iter_mut().find(|b| b.participant == *participant) {
                        Some(b) => b.choice = *choice,
                        None => v.named.push(NamedBallot {
                            participant: *participant,
                            choice: *choice,
                        }),
                    }
                }
            }
            EventKind::SealedBallotCast { vote, key, choice } => {
                if let Some(v) = self.vote_mut(*vote) {
                    match v.sealed.iter_mut().find(|b| b.key == *key) {
                        Some(b) => b.choice = *choice,
                        None => v.sealed.push(SealedBallot {
                            key: key.clone(),
                            choice: *choice,
                        }),
                    }
                }
            }
            EventKind::HandsCounted { vote, counts } => {
                if let Some(v) = self.vote_mut(*vote) {
                    v.hands = Some(counts.clone());
                }
            }
            EventKind::VoteClosed { vote } => {
                if let Some(v) = self.vote_mut(*vote) {
                    v.open = false;
                    v.closed_at = Some(at);
                }
            }
            EventKind::ReviewOpened { review, subject } => {
                debug_assert_eq!(review.0 as usize, self.reviews.len() + 1);
                self.reviews.push(Review {
                    id: *review,
                    subject: subject.clone(),
                    open: true,
                    opened_at: at,
                    closed_at: None,
                    ratings: Vec::new(),
                });
            }
            EventKind::ReviewRated { review, key, rating } => {
                if let Some(r) = self.review_mut(*review) {
                    match r.ratings.iter_mut().find(|x| x.key == *key) {
                        Some(x) => x.rating = *rating,
                        None => r.ratings.push(SealedRating {
                            key: key.clone(),
                            rating: *rating,
                        }),
                    }
                }
            }
            EventKind::ReviewClosed { review } => {
                if let Some(r) = self.review_mut(*review) {
                    r.open = false;
                    r.closed_at = Some(at);
                }
            }
            EventKind::OutcomeSet { topic, outcome } => {
                if let Some(t) = self.topic_mut(*topic) {
                    t.outcome = Some(outcome.clone());
                }
            }
            EventKind::MinutesPublished {
                version,
                notice_days,
                minutes,
                reason,
            } => {
                self.publications.push(Publication {
                    version: *version,
                    at,
                    notice_days: *notice_days,
                    minutes: (**minutes).clone(),
                    reason: reason.clone(),
                });
            }
            EventKind::ObjectionFiled {
                objection,
                version,
                topic,
                text,
                name,
            } => {
                self.objections.push(Objection {
                    id: *objection,
                    version: *version,
                    topic: *topic,
                    text: text.clone(),
                    name: name.clone(),
                    at,
                    answer: None,
                    spam: false,
                });
            }
            EventKind::ModeratorNamed { name } => self.moderator_name = name.clone(),
            EventKind::ScreensIssued => {}
            EventKind::DetailsEdited {
                title,
                place,
                starts_at,
            } => {
                self.title = title.clone();
                self.place = place.clone();
                self.starts_at = starts_at.clone();
            }
            EventKind::OpinionsHeld { on } => self.settings.hold_opinions = *on,
            EventKind::OpinionApproved { opinion } => {
                if let Some(o) = self.opinion_mut(*opinion) {
                    o.held = false;
                }
            }
            EventKind::HeadcountSet { without_phone } => self.without_phone = *without_phone,
            EventKind::ObjectionMarkedSpam { objection, spam } => {
                if let Some(o) = self.objections.iter_mut().find(|o| o.id == *objection) {
                    o.spam = *spam;
                }
            }
            EventKind::ObjectionAnswered { objection, answer } => {
                if let Some(o) = self.objections.iter_mut().find(|o| o.id == *objection) {
                    o.answer = Some(answer.clone());
                }
            }
            EventKind::CommitmentAdded {
                commitment,
                topic,
                what,
                responsible,
                deadline,
                opinions,
                official,
            } => {
                debug_assert_eq!(commitment.0 as usize, self.commitments.len() + 1);
                self.commitments.push(Commitment {
                    id: *commitment,
                    topic: *topic,
                    what: what.clone(),
                    responsible: responsible.clone(),
                    deadline: deadline.clone(),
                    opinions: opinions.clone(),
                    official: *official,
                    at,
                });
            }
        }
    }

    fn push_topic(&mut self, title: String, minutes: u32, position: Option<u32>) {
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
        };
        let at = position.map_or(self.agenda.len(), |p| (p as usize).min(self.agenda.len()));
        self.agenda.insert(at, topic);
    }

    /// Closes the open topic, ending the floor and clearing the queue: hands
    /// are raised for a topic, so a new topic starts with an empty queue.
    fn close_open_topic(&mut self, at: u64) {
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
    fn close_votes_and_reviews(&mut self, at: u64) {
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
    fn end_floor(&mut self, at: u64) {
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
    fn queue_insert_position(&self, who: ParticipantId) -> usize {
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
    fn merge(&mut self, dup: OpinionId, into: OpinionId) {
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
