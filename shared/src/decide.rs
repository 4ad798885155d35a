//! Command + state → event, or a clear error. Pure: the server calls it in the
//! meeting task, then persists and applies the event; the tests call it directly.
//!
//! Order of checks: who may send it (role), then where the meeting is (phase),
//! then the command's own fields and references. A refused command changes nothing.

use crate::command::{Actor, Command, OpinionAuthor};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventKind;
use crate::ids::{CommitmentId, OpinionId, ParticipantId, ReviewId, TopicId, VoteId};
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;

type Decision = Result<EventKind, CommandError>;

/// Decides whether `actor` may run `cmd` on `state`, and what event it becomes.
pub fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    check_actor(state, actor)?;
    if actor == Actor::Public && !matches!(cmd, Command::FileObjection { .. }) {
        return Err(CommandError::forbidden("join the meeting to do this"));
    }
    if state.phase == Phase::Ended && !cmd.allowed_after_end() {
        return Err(CommandError::new(ErrorCode::MeetingEnded, "the meeting has ended"));
    }
    match cmd {
        Command::StartMeeting => {
            moderator(actor)?;
            if state.phase != Phase::NotStarted {
                return Err(CommandError::conflict("the meeting has already started"));
            }
            Ok(EventKind::MeetingStarted)
        }
        Command::EndMeeting => {
            moderator(actor)?;
            Ok(EventKind::MeetingEnded)
        }
        Command::EditDetails {
            title,
            place,
            starts_at,
        } => {
            moderator(actor)?;
            if state.phase != Phase::NotStarted {
                return Err(CommandError::conflict(
                    "the title, place and time are corrected before the meeting starts",
                ));
            }
            Ok(EventKind::DetailsEdited {
                title: clean_text(title, TITLE_MAX_CHARS, "title")?,
                place: optional_text(Some(place), PLACE_MAX_CHARS, "place")?.unwrap_or_default(),
                starts_at: optional_text(starts_at.as_deref(), PLACE_MAX_CHARS, "starts_at")?,
            })
        }
        Command::ChangeSettings {
            speaking_limit_secs,
            first_timers_first,
        } => {
            moderator(actor)?;
            if let Some(s) = speaking_limit_secs {
                speaking_limit(*s)?;
            }
            if speaking_limit_secs.is_none() && first_timers_first.is_none() {
                return Err(CommandError::invalid("nothing to change"));
            }
            Ok(EventKind::SettingsChanged {
                speaking_limit_secs: *speaking_limit_secs,
                first_timers_first: *first_timers_first,
            })
        }
        Command::AddTopic {
            title,
            minutes,
            position,
        } => {
            moderator(actor)?;
            if state.agenda.len() >= TOPICS_MAX {
                return Err(CommandError::invalid(format!(
                    "an agenda holds at most {TOPICS_MAX} topics"
                )));
            }
            Ok(EventKind::TopicAdded {
                topic: TopicId(state.next_topic_id + 1),
                title: clean_text(title, TITLE_MAX_CHARS, "title")?,
                minutes: topic_minutes(*minutes)?,
                position: *position,
            })
        }
        Command::EditTopic { topic, title, minutes } => {
            moderator(actor)?;
            if find_topic(state, *topic)?.status == TopicStatus::Closed {
                return Err(CommandError::topic_closed("a closed topic cannot be edited"));
            }
            Ok(EventKind::TopicEdited {
                topic: *topic,
                title: clean_text(title, TITLE_MAX_CHARS, "title")?,
                minutes: topic_minutes(*minutes)?,
            })
        }
        Command::MoveTopic { topic, position } => {
            moderator(actor)?;
            find_topic(state, *topic)?;
            Ok(EventKind::TopicMoved {
                topic: *topic,
                position: *position,
            })
        }
        Command::RemoveTopic { topic } => {
            moderator(actor)?;
            if find_topic(state, *topic)?.status != TopicStatus::Pending {
                return Err(CommandError::conflict(
                    "only a topic that has not been opened can be removed",
                ));
            }
            Ok(EventKind::TopicRemoved { topic: *topic })
        }
        Command::OpenTopic { topic } => {
            moderator(actor)?;
            running(state)?;
            if find_topic(state, *topic)?.status == TopicStatus::Open {
                return Err(CommandError::conflict("the topic is already open"));
            }
            Ok(EventKind::TopicOpened { topic: *topic })
        }
        Command::SetStage { stage } => {
            moderator(actor)?;
            running(state)?;
            open_topic(state)?;
            Ok(EventKind::StageSet { stage: *stage })
        }
        Command::CloseTopic => {
            moderator(actor)?;
            running(state)?;
            open_topic(state)?;
            Ok(EventKind::TopicClosed)
        }
        Command::RegisterWalkIn {
            name,
            category,
            publish_name,
        } => {
            recorder(state, actor)?;
            new_participant(state, name.as_deref(), category, *publish_name, true)
        }
        Command::Appoint { participant, role, on } => {
            moderator(actor)?;
            let p = active_participant(state, *participant)?;
            if *role == Role::Recorder && p.walk_in && *on {
                return Err(CommandError::invalid("a walk-in has no phone and cannot be a recorder"));
            }
            if p.has_role(*role) == *on {
                return Err(CommandError::conflict("the participant already has that role setting"));
            }
            Ok(EventKind::RoleSet {
                participant: *participant,
                role: *role,
                on: *on,
            })
        }
        Command::RemoveParticipant { participant, ban } => {
            moderator(actor)?;
            active_participant(state, *participant)?;
            Ok(EventKind::ParticipantRemoved {
                participant: *participant,
                ban: *ban,
            })
        }
        Command::RotateInvite => {
            moderator(actor)?;
            Ok(EventKind::InviteRotated)
        }
        Command::RaiseHand { who, topic } => {
            let p = subject(state, actor, *who, false)?;
            running(state)?;
            let open = open_topic(state)?;
            if topic.is_some_and(|t| t != open.id) {
                return Err(CommandError::topic_closed(
                    "the topic this hand was raised for has closed; raise it again if you still want to speak",
                ));
            }
            if state.queue.contains(&p) {
                return Err(CommandError::conflict("already in the queue"));
            }
            Ok(EventKind::HandRaised { participant: p })
        }
        Command::LowerHand { who } => {
            let p = subject(state, actor, *who, actor == Actor::Moderator)?;
            if !state.queue.contains(&p) {
                return Err(CommandError::conflict("not in the queue"));
            }
            Ok(EventKind::HandLowered { participant: p })
        }
        Command::MoveInQueue { participant, position } => {
            moderator(actor)?;
            if !state.queue.contains(participant) {
                return Err(CommandError::conflict("not in the queue"));
            }
            Ok(EventKind::QueueMoved {
                participant: *participant,
                position: *position,
            })
        }
        Command::CallNext => {
            moderator(actor)?;
            running(state)?;
            open_topic(state)?;
            let Some(next) = state.queue.first() else {
                return Err(CommandError::conflict("the queue is empty"));
            };
            Ok(EventKind::FloorGiven {
                participant: *next,
                kind: FloorKind::Speak,
                limit_secs: state.settings.speaking_limit_secs,
            })
        }
        Command::GiveFloor {
            participant,
            kind,
            limit_secs,
        } => {
            moderator(actor)?;
            running(state)?;
            open_topic(state)?;
            let p = active_participant(state, *participant)?;
            if *kind == FloorKind::Response && !p.official {
                return Err(CommandError::conflict(
                    "only an appointed official can be given the floor to respond",
                ));
            }
            let default = match kind {
                FloorKind::FollowUp => FOLLOW_UP_LIMIT_SECS.min(state.settings.speaking_limit_secs),
                _ => state.settings.speaking_limit_secs,
            };
            let limit_secs = match limit_secs {
                Some(s) => speaking_limit(*s)?,
                None => default,
            };
            Ok(EventKind::FloorGiven {
                participant: *participant,
                kind: *kind,
                limit_secs,
            })
        }
        Command::EndFloor => {
            moderator(actor)?;
            floor(state)?;
            Ok(EventKind::FloorEnded)
        }
        Command::StartTimer => {
            moderator(actor)?;
            if floor(state)?.running_since.is_some() {
                return Err(CommandError::conflict("the timer is already running"));
            }
            Ok(EventKind::TimerStarted)
        }
        Command::PauseTimer => {
            moderator(actor)?;
            if floor(state)?.running_since.is_none() {
                return Err(CommandError::conflict("the timer is already paused"));
            }
            Ok(EventKind::TimerPaused)
        }
        Command::AdjustTimer { delta_secs } => {
            moderator(actor)?;
            floor(state)?;
            if *delta_secs == 0 || delta_secs.unsigned_abs() > SPEAKING_LIMIT_MAX_SECS {
                return Err(CommandError::invalid(format!(
                    "delta_secs must be non-zero and at most {SPEAKING_LIMIT_MAX_SECS} either way"
                )));
            }
            Ok(EventKind::TimerAdjusted {
                delta_secs: *delta_secs,
            })
        }
        Command::SubmitOpinion {
            text,
            category,
            stance,
            author,
            topic,
        } => {
            let (author, recorded_by) = opinion_author(state, actor, *author)?;
            let text = clean_text(text, OPINION_MAX_CHARS, "opinion")?;
            if state.opinions.len() >= OPINIONS_MAX || state.opinion_text_bytes + text.len() > OPINION_TEXT_MAX_BYTES {
                return Err(CommandError::new(
                    ErrorCode::TooLarge,
                    "this meeting's record of opinions is full; tell the recorder in person",
                ));
            }
            let (topic, late) = match topic {
                None => (state.current_topic, false),
                Some(None) => (None, false),
                Some(Some(t)) => match find_topic(state, *t)?.status {
                    TopicStatus::Open => (Some(*t), false),
                    TopicStatus::Closed => (Some(*t), true),
                    TopicStatus::Pending => {
                        return Err(CommandError::invalid("that topic has not been opened yet"));
                    }
                },
            };
            Ok(EventKind::OpinionSubmitted {
                opinion: OpinionId(state.opinions.len() as u32 + 1),
                topic,
                late,
                author,
                recorded_by,
                text,
                category: opinion_category(state, category.as_deref())?,
                stance: *stance,
            })
        }
        Command::Second {
            opinion,
            who,
            seen_open,
        } => {
            let p = subject(state, actor, *who, false)?;
            let o = live_opinion(state, *opinion, *seen_open)?;
            if o.author == Some(p) {
                return Err(CommandError::conflict("you cannot second your own opinion"));
            }
            if o.seconds.contains(&p) {
                return Err(CommandError::conflict("already seconded"));
            }
            Ok(EventKind::Seconded {
                opinion: *opinion,
                participant: p,
            })
        }
        Command::Retag {
            opinion,
            category,
            stance,
        } => {
            recorder(state, actor)?;
            find_opinion(state, *opinion)?;
            Ok(EventKind::OpinionRetagged {
                opinion: *opinion,
                category: opinion_category(state, category.as_deref())?,
                stance: *stance,
            })
        }
        Command::Merge { opinion, into } => {
            recorder(state, actor)?;
            if opinion == into {
                return Err(CommandError::invalid("an opinion cannot be merged into itself"));
            }
            for id in [opinion, into] {
                if let Some(target) = find_opinion(state, *id)?.merged_into {
                    return Err(CommandError::conflict(format!(
                        "opinion {id} is already merged into {target}"
                    )));
                }
            }
            Ok(EventKind::OpinionsMerged {
                opinion: *opinion,
                into: *into,
            })
        }
        Command::Hide { opinion, reason } => {
            recorder(state, actor)?;
            if find_opinion(state, *opinion)?.hidden.is_some() {
                return Err(CommandError::conflict("the opinion is already hidden"));
            }
            Ok(EventKind::OpinionHidden {
                opinion: *opinion,
                reason: clean_text(reason, REASON_MAX_CHARS, "reason")?,
            })
        }
        Command::Unhide { opinion } => {
            recorder(state, actor)?;
            if find_opinion(state, *opinion)?.hidden.is_none() {
                return Err(CommandError::conflict("the opinion is not hidden"));
            }
            Ok(EventKind::OpinionUnhidden { opinion: *opinion })
        }
        Command::MarkForLedger { opinion, on } => {
            recorder(state, actor)?;
            if find_opinion(state, *opinion)?.to_ledger == *on {
                return Err(CommandError::conflict("the opinion is already marked that way"));
            }
            Ok(EventKind::LedgerMarked {
                opinion: *opinion,
                on: *on,
            })
        }
        Command::OpenVote {
            question,
            kind,
            secret,
            rule,
            quorum,
        } => {
            moderator(actor)?;
            running(state)?;
            if let VoteKind::Choice(options) = kind {
                if !(2..=VOTE_OPTIONS_MAX).contains(&options.len()) {
                    return Err(CommandError::invalid(format!(
                        "a choice has 2 to {VOTE_OPTIONS_MAX} options"
                    )));
                }
            }
            if let PassRule::Share(p) = rule {
                if !(1..=100).contains(p) {
                    return Err(CommandError::invalid("a share is 1 to 100 percent"));
                }
            }
            let kind = match kind {
                VoteKind::YesNo => VoteKind::YesNo,
                VoteKind::Choice(options) => VoteKind::Choice(
                    options
                        .iter()
                        .map(|o| clean_text(o, TITLE_MAX_CHARS, "option"))
                        .collect::<Result<_, _>>()?,
                ),
            };
            Ok(EventKind::VoteOpened {
                vote: VoteId(state.votes.len() as u32 + 1),
                topic: state.current_topic,
                question: clean_text(question, OPINION_MAX_CHARS, "question")?,
                kind,
                secret: *secret,
                rule: *rule,
                quorum: *quorum,
            })
        }
        Command::CastVote {
            vote,
            choice,
            ballot_key,
        } => {
            let voter = actor
                .participant()
                .ok_or_else(|| CommandError::forbidden("only attendees vote"))?;
            let v = open_vote(state, *vote)?;
            if *choice as usize >= v.kind.choices() {
                return Err(CommandError::invalid("no such choice"));
            }
            if v.secret {
                let key = ballot_key
                    .clone()
                    .ok_or_else(|| CommandError::invalid("a secret ballot needs its key"))?;
                Ok(EventKind::SealedBallotCast {
                    vote: *vote,
                    key,
                    choice: *choice,
                })
            } else {
                Ok(EventKind::VoteCast {
                    vote: *vote,
                    participant: voter,
                    choice: *choice,
                })
            }
        }
        Command::CountHands { vote, counts } => {
            moderator(actor)?;
            let v = open_vote(state, *vote)?;
            if counts.len() != v.kind.choices() {
                return Err(CommandError::invalid(format!(
                    "give one count for each of the {} choices",
                    v.kind.choices()
                )));
            }
            if counts.iter().any(|c| *c > HAND_COUNT_MAX) {
                return Err(CommandError::invalid(format!("a count is at most {HAND_COUNT_MAX}")));
            }
            Ok(EventKind::HandsCounted {
                vote: *vote,
                counts: counts.clone(),
            })
        }
        Command::CloseVote { vote } => {
            moderator(actor)?;
            open_vote(state, *vote)?;
            Ok(EventKind::VoteClosed { vote: *vote })
        }
        Command::OpenReview { entry, subject } => {
            moderator(actor)?;
            running(state)?;
            let subject = subject
                .clone()
                .filter(|s| s.entry == *entry)
                .ok_or_else(|| CommandError::not_found(format!("no ledger entry {entry}")))?;
            if state.reviews.iter().any(|r| r.open && r.subject.entry == *entry) {
                return Err(CommandError::conflict("this entry is already under review"));
            }
            if state.reviews.len() >= REVIEWS_MAX {
                return Err(CommandError::invalid(format!(
                    "a meeting holds at most {REVIEWS_MAX} reviews"
                )));
            }
            Ok(EventKind::ReviewOpened {
                review: ReviewId(state.reviews.len() as u32 + 1),
                subject,
            })
        }
        Command::RateReview { review, rating, key } => {
            actor
                .participant()
                .ok_or_else(|| CommandError::forbidden("only attendees rate"))?;
            open_review(state, *review)?;
            let key = key
                .clone()
                .ok_or_else(|| CommandError::invalid("a rating needs its key"))?;
            Ok(EventKind::ReviewRated {
                review: *review,
                key,
                rating: *rating,
            })
        }
        Command::CloseReview { review } => {
            moderator(actor)?;
            open_review(state, *review)?;
            Ok(EventKind::ReviewClosed { review: *review })
        }
        Command::SetOutcome {
            topic,
            kind,
            text,
            dissent,
            vote,
        } => {
            recorder(state, actor)?;
            find_topic(state, *topic)?;
            if let Some(v) = vote {
                let v = state
                    .vote(*v)
                    .ok_or_else(|| CommandError::not_found(format!("no vote {v}")))?;
                if v.topic != Some(*topic) {
                    return Err(CommandError::invalid("the vote cited was held on another topic"));
                }
                // The record must not contradict the vote it cites.
                if matches!(kind, OutcomeKind::Passed | OutcomeKind::Failed) {
                    if v.open {
                        return Err(CommandError::conflict(
                            "close the vote before recording its result as the outcome",
                        ));
                    }
                    let passed = crate::votes::tally(v).passed;
                    if passed != (*kind == OutcomeKind::Passed) {
                        return Err(CommandError::conflict(if passed {
                            "the vote cited passed: record 表决通过, or cite no vote"
                        } else {
                            "the vote cited did not pass: record 表决未通过, or cite no vote"
                        }));
                    }
                }
            }
            let text = match kind {
                OutcomeKind::Consensus | OutcomeKind::Dissent => clean_text(text, OPINION_MAX_CHARS, "outcome text")?,
                _ => optional_text(Some(text), OPINION_MAX_CHARS, "outcome text")?.unwrap_or_default(),
            };
            let dissent = optional_text(dissent.as_deref(), OPINION_MAX_CHARS, "dissent")?;
            if *kind == OutcomeKind::Dissent && dissent.is_none() {
                return Err(CommandError::invalid("保留分歧 needs the dissenting views"));
            }
            Ok(EventKind::OutcomeSet {
                topic: *topic,
                outcome: Outcome {
                    kind: *kind,
                    text,
                    dissent,
                    vote: *vote,
                },
            })
        }
        Command::PublishMinutes {
            summary,
            notice_days,
            correction,
        } => {
            moderator(actor)?;
            if state.phase != Phase::Ended {
                return Err(CommandError::conflict("minutes are published after the meeting ends"));
            }
            let notice_days = notice_days.unwrap_or(DEFAULT_NOTICE_DAYS);
            if notice_days > NOTICE_DAYS_MAX {
                return Err(CommandError::invalid(format!(
                    "a notice period is at most {NOTICE_DAYS_MAX} days"
                )));
            }
            if state.publications.len() >= PUBLICATIONS_MAX {
                return Err(CommandError::new(
                    ErrorCode::TooLarge,
                    format!("the minutes can be published at most {PUBLICATIONS_MAX} times"),
                ));
            }
            let summary = optional_text(Some(summary), SUMMARY_MAX_CHARS, "summary")?.unwrap_or_default();
            let reason = optional_text(correction.as_deref(), REASON_MAX_CHARS, "correction")?;
            match (state.publications.is_empty(), &reason) {
                (false, None) => {
                    return Err(CommandError::invalid(
                        "the minutes are already published: a corrected version needs the reason for the correction",
                    ))
                }
                (true, Some(_)) => {
                    return Err(CommandError::invalid(
                        "the first version of the minutes is not a correction",
                    ))
                }
                _ => {}
            }
            Ok(EventKind::MinutesPublished {
                version: state.publications.len() as u32 + 1,
                notice_days,
                minutes: Box::new(crate::minutes::build(state, &summary, true)),
                reason,
            })
        }
        Command::FileObjection { topic, text, name, now } => {
            let Some(latest) = state.publications.last() else {
                return Err(CommandError::conflict("the minutes have not been published"));
            };
            if *now > latest.notice_until() {
                return Err(CommandError::conflict("the notice period (公示期) is over"));
            }
            if let Some(t) = topic {
                find_topic(state, *t)?;
            }
            // Objections marked as spam do not take a real resident's place;
            // all of them together are bounded too (each address is also
            // limited per time: see the server's per-address limits).
            let text = clean_text(text, OPINION_MAX_CHARS, "objection")?;
            let counted = state.objections.iter().filter(|o| !o.spam).count();
            let bytes: usize = state.objections.iter().map(|o| o.text.len()).sum();
            if counted >= OBJECTIONS_MAX
                || state.objections.len() >= 2 * OBJECTIONS_MAX
                || bytes + text.len() > OBJECTION_TEXT_MAX_BYTES
            {
                return Err(CommandError::new(
                    ErrorCode::TooLarge,
                    format!("this meeting takes at most {OBJECTIONS_MAX} objections"),
                ));
            }
            Ok(EventKind::ObjectionFiled {
                objection: state.objections.len() as u32 + 1,
                version: latest.version,
                topic: *topic,
                text,
                name: optional_text(name.as_deref(), NAME_MAX_CHARS, "name")?,
            })
        }
        Command::HoldOpinions { on } => {
            moderator(actor)?;
            if state.settings.hold_opinions == *on {
                return Err(CommandError::conflict("already so"));
            }
            Ok(EventKind::OpinionsHeld { on: *on })
        }
        Command::ApproveOpinion { opinion } => {
            recorder(state, actor)?;
            if !find_opinion(state, *opinion)?.held {
                return Err(CommandError::conflict("the opinion is not waiting for approval"));
            }
            Ok(EventKind::OpinionApproved { opinion: *opinion })
        }
        Command::SetHeadcount { without_phone } => {
            recorder(state, actor)?;
            if *without_phone > HAND_COUNT_MAX {
                return Err(CommandError::invalid(format!("at most {HAND_COUNT_MAX} people")));
            }
            Ok(EventKind::HeadcountSet {
                without_phone: *without_phone,
            })
        }
        Command::SetModeratorName { name } => {
            moderator(actor)?;
            Ok(EventKind::ModeratorNamed {
                name: optional_text(Some(name), NAME_MAX_CHARS, "moderator name")?,
            })
        }
        Command::MarkObjectionSpam { objection, spam } => {
            moderator(actor)?;
            let o = find_objection(state, *objection)?;
            if o.spam == *spam {
                return Err(CommandError::conflict(if *spam {
                    "the objection is already marked as spam"
                } else {
                    "the objection is not marked as spam"
                }));
            }
            Ok(EventKind::ObjectionMarkedSpam {
                objection: *objection,
                spam: *spam,
            })
        }
        Command::AnswerObjection { objection, answer } => {
            moderator(actor)?;
            let o = find_objection(state, *objection)?;
            if o.answer.is_some() {
                return Err(CommandError::conflict("the objection is already answered"));
            }
            Ok(EventKind::ObjectionAnswered {
                objection: *objection,
                answer: clean_text(answer, OPINION_MAX_CHARS, "answer")?,
            })
        }
        Command::AddCommitment {
            topic,
            what,
            responsible,
            deadline,
            opinions,
        } => {
            let official = actor
                .participant()
                .filter(|p| state.participant(*p).is_some_and(|p| p.official));
            if official.is_none() {
                recorder(state, actor).map_err(|_| {
                    CommandError::forbidden("only an official, a recorder or the moderator may record a commitment")
                })?;
            }
            let topic = topic.or(state.current_topic);
            if let Some(t) = topic {
                find_topic(state, t)?;
            }
            for o in opinions {
                find_opinion(state, *o)?;
            }
            Ok(EventKind::CommitmentAdded {
                commitment: CommitmentId(state.commitments.len() as u32 + 1),
                topic,
                what: clean_text(what, OPINION_MAX_CHARS, "commitment")?,
                responsible: clean_text(responsible, TITLE_MAX_CHARS, "responsible")?,
                deadline: date(deadline)?,
                opinions: opinions.clone(),
                official,
            })
        }
    }
}

/// Words no participant may take as a name: they are the meeting's roles.
const ROLE_WORDS: &[&str] = &[
    "主持人",
    "记录员",
    "回应人",
    "组织者",
    "管理员",
    "投屏",
    "系统",
    "moderator",
    "recorder",
    "organiser",
    "organizer",
    "admin",
    "system",
];

/// The first event of a new meeting, validated. Empty category lists get the defaults.
pub fn create_meeting(meeting: crate::ids::MeetingId, setup: &MeetingSetup) -> Decision {
    if setup.agenda.len() > TOPICS_MAX {
        return Err(CommandError::invalid(format!(
            "an agenda holds at most {TOPICS_MAX} topics"
        )));
    }
    let agenda = setup
        .agenda
        .iter()
        .map(|t| {
            Ok(NewTopic {
                title: clean_text(&t.title, TITLE_MAX_CHARS, "topic title")?,
                minutes: topic_minutes(t.minutes)?,
                ledger: t.ledger,
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let wifi = match &setup.wifi {
        Some(w) if !w.ssid.trim().is_empty() => Some(Wifi {
            ssid: clean_text(&w.ssid, WIFI_SSID_MAX_CHARS, "Wi-Fi name")?,
            password: optional_text(Some(&w.password), WIFI_PASSWORD_MAX_CHARS, "Wi-Fi password")?.unwrap_or_default(),
            hide_password: w.hide_password,
        }),
        _ => None,
    };
    Ok(EventKind::MeetingCreated {
        meeting,
        title: clean_text(&setup.title, TITLE_MAX_CHARS, "title")?,
        place: optional_text(Some(&setup.place), PLACE_MAX_CHARS, "place")?.unwrap_or_default(),
        starts_at: optional_text(setup.starts_at.as_deref(), PLACE_MAX_CHARS, "starts_at")?,
        agenda,
        opinion_categories: categories(&setup.opinion_categories, DEFAULT_OPINION_CATEGORIES)?,
        attendee_categories: categories(&setup.attendee_categories, DEFAULT_ATTENDEE_CATEGORIES)?,
        wifi,
        moderator_name: optional_text(setup.moderator_name.as_deref(), NAME_MAX_CHARS, "moderator name")?,
    })
}

/// The event for someone joining from a phone.
pub fn join(state: &MeetingState, name: Option<&str>, category: &str, publish_name: bool) -> Decision {
    if state.phase == Phase::Ended {
        return Err(CommandError::new(ErrorCode::MeetingEnded, "the meeting has ended"));
    }
    new_participant(state, name, category, publish_name, false)
}

fn new_participant(
    state: &MeetingState,
    name: Option<&str>,
    category: &str,
    publish_name: bool,
    walk_in: bool,
) -> Decision {
    if state.participants.len() >= PARTICIPANTS_MAX {
        return Err(CommandError::new(
            ErrorCode::TooLarge,
            format!("this meeting is full ({PARTICIPANTS_MAX} people)"),
        ));
    }
    if !state.attendee_categories.iter().any(|c| c == category) {
        return Err(CommandError::invalid(format!("unknown attendee category {category:?}")));
    }
    let name = optional_text(name, NAME_MAX_CHARS, "name")?;
    if let Some(n) = &name {
        // Nobody may appear on the projector or in the minutes as 主持人.
        let bare: String = n
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        if ROLE_WORDS.contains(&bare.as_str()) {
            return Err(CommandError::invalid(format!(
                "{n} is a role in the meeting, not a name: use your own name"
            )));
        }
    }
    Ok(EventKind::ParticipantJoined {
        participant: ParticipantId(state.participants.len() as u32 + 1),
        name,
        category: category.to_owned(),
        publish_name,
        walk_in,
    })
}

// --- who ---------------------------------------------------------------

/// Refuses the projector (read-only) and removed participants outright.
fn check_actor(state: &MeetingState, actor: Actor) -> Result<(), CommandError> {
    match actor {
        Actor::Projector => Err(CommandError::forbidden("the projector is read-only")),
        Actor::System => Err(CommandError::forbidden("not a client actor")),
        Actor::Moderator | Actor::Public => Ok(()),
        Actor::Participant(p) => match state.participant(p) {
            None => Err(CommandError::new(ErrorCode::Unauthenticated, "unknown participant")),
            Some(p) if p.removed => Err(CommandError::forbidden("you were removed from this meeting")),
            Some(_) => Ok(()),
        },
    }
}

fn moderator(actor: Actor) -> Result<(), CommandError> {
    if actor == Actor::Moderator {
        Ok(())
    } else {
        Err(CommandError::forbidden("only the moderator may do this"))
    }
}

fn is_recorder(state: &MeetingState, actor: Actor) -> bool {
    match actor {
        Actor::Moderator => true,
        Actor::Participant(p) => state.participant(p).is_some_and(|p| p.recorder),
        _ => false,
    }
}

fn find_objection(state: &MeetingState, objection: u32) -> Result<&Objection, CommandError> {
    state
        .objections
        .iter()
        .find(|o| o.id == objection)
        .ok_or_else(|| CommandError::not_found(format!("no objection {objection}")))
}

fn recorder(state: &MeetingState, actor: Actor) -> Result<(), CommandError> {
    if is_recorder(state, actor) {
        Ok(())
    } else {
        Err(CommandError::forbidden("only a recorder or the moderator may do this"))
    }
}

/// Whom a hand-raise, hand-lower or second is for: the sender, or (for a
/// recorder or the moderator) a walk-in; with `any`, anyone at all.
fn subject(
    state: &MeetingState,
    actor: Actor,
    who: Option<ParticipantId>,
    any: bool,
) -> Result<ParticipantId, CommandError> {
    let me = actor.participant();
    match who {
        Some(p) if Some(p) != me => {
            recorder(state, actor)?;
            let target = active_participant(state, p)?;
            if !any && !target.walk_in {
                return Err(CommandError::forbidden(
                    "you may act only for walk-ins, who have no phone",
                ));
            }
            Ok(p)
        }
        _ => me.ok_or_else(|| CommandError::invalid("the moderator is not an attendee: say whom (`who`)")),
    }
}

fn opinion_author(
    state: &MeetingState,
    actor: Actor,
    author: OpinionAuthor,
) -> Result<(Option<ParticipantId>, Option<ParticipantId>), CommandError> {
    match author {
        OpinionAuthor::Me => actor.participant().map(|p| (Some(p), None)).ok_or_else(|| {
            CommandError::invalid("the moderator is not an attendee: submit for a walk-in or anonymously")
        }),
        OpinionAuthor::WalkIn(p) => {
            recorder(state, actor)?;
            if !active_participant(state, p)?.walk_in {
                return Err(CommandError::forbidden(
                    "you may submit only for walk-ins, who have no phone",
                ));
            }
            Ok((Some(p), actor.participant()))
        }
        OpinionAuthor::Anonymous => {
            recorder(state, actor)?;
            Ok((None, actor.participant()))
        }
    }
}

// --- where -------------------------------------------------------------

fn running(state: &MeetingState) -> Result<(), CommandError> {
    match state.phase {
        Phase::Running => Ok(()),
        Phase::NotStarted => Err(CommandError::new(ErrorCode::NotStarted, "the meeting has not started")),
        Phase::Ended => Err(CommandError::new(ErrorCode::MeetingEnded, "the meeting has ended")),
    }
}

fn open_topic(state: &MeetingState) -> Result<&Topic, CommandError> {
    state
        .open_topic()
        .ok_or_else(|| CommandError::topic_closed("no topic is open"))
}

fn floor(state: &MeetingState) -> Result<&Floor, CommandError> {
    state
        .floor
        .as_ref()
        .ok_or_else(|| CommandError::conflict("nobody has the floor"))
}

// --- what --------------------------------------------------------------

fn find_topic(state: &MeetingState, id: TopicId) -> Result<&Topic, CommandError> {
    state
        .topic(id)
        .ok_or_else(|| CommandError::not_found(format!("no topic {id}")))
}

fn open_review(state: &MeetingState, id: ReviewId) -> Result<&Review, CommandError> {
    let r = state
        .review(id)
        .ok_or_else(|| CommandError::not_found(format!("no review {id}")))?;
    if !r.open {
        return Err(CommandError::conflict("the review is closed"));
    }
    Ok(r)
}

fn open_vote(state: &MeetingState, id: VoteId) -> Result<&Vote, CommandError> {
    let v = state
        .vote(id)
        .ok_or_else(|| CommandError::not_found(format!("no vote {id}")))?;
    if !v.open {
        return Err(CommandError::conflict("the vote is closed"));
    }
    Ok(v)
}

/// A calendar date `YYYY-MM-DD` (checked for shape and plausible ranges).
pub fn date(s: &str) -> Result<String, CommandError> {
    let t = s.trim();
    let parts: Vec<&str> = t.split('-').collect();
    let ok = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let (y, m, d) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>());
            matches!((y, m, d), (Ok(2000..=2100), Ok(1..=12), Ok(1..=31)))
        }
        _ => false,
    };
    if ok {
        Ok(t.to_owned())
    } else {
        Err(CommandError::invalid("a deadline is a date like 2026-12-31"))
    }
}

fn find_opinion(state: &MeetingState, id: OpinionId) -> Result<&Opinion, CommandError> {
    state
        .opinion(id)
        .ok_or_else(|| CommandError::not_found(format!("no opinion {id}")))
}

fn active_participant(state: &MeetingState, id: ParticipantId) -> Result<&Participant, CommandError> {
    match state.participant(id) {
        None => Err(CommandError::not_found(format!("no participant {id}"))),
        Some(p) if p.removed => Err(CommandError::conflict(format!("participant {id} was removed"))),
        Some(p) => Ok(p),
    }
}

/// An opinion that can still be seconded: visible, not merged, its topic not closed.
/// An opinion that can still be seconded: not hidden or merged, and its topic
/// open — or closed after the sender saw it open (`seen_open`: a phone that was
/// offline when the topic closed).
fn live_opinion(state: &MeetingState, id: OpinionId, seen_open: bool) -> Result<&Opinion, CommandError> {
    let o = find_opinion(state, id)?;
    if o.hidden.is_some() {
        return Err(CommandError::conflict("the opinion is hidden"));
    }
    if let Some(into) = o.merged_into {
        return Err(CommandError::conflict(format!(
            "the opinion was merged into opinion {into}"
        )));
    }
    if !seen_open
        && o.topic
            .and_then(|t| state.topic(t))
            .is_some_and(|t| t.status == TopicStatus::Closed)
    {
        return Err(CommandError::topic_closed("the opinion's topic is closed"));
    }
    Ok(o)
}

fn opinion_category(state: &MeetingState, category: Option<&str>) -> Result<Option<String>, CommandError> {
    match category {
        None => Ok(None),
        Some(c) if state.opinion_categories.iter().any(|k| k == c) => Ok(Some(c.to_owned())),
        Some(c) => Err(CommandError::invalid(format!("unknown opinion category {c:?}"))),
    }
}

/// Characters that turn the direction of the text around them (a name
/// `\u{202e}人持主` shows as 主持人, and flips the rest of its line in every
/// export): removed from all user text.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Invisible characters: kept (they join emoji), but text made of nothing
/// else is empty.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Trims, refuses empty, counts characters (not bytes: Chinese is 3 bytes a
/// character). Refuses control characters (NUL…), and line breaks in one-line
/// fields (names, titles, categories: up to [`REASON_MAX_CHARS`]), which would
/// forge headings and rows in the exported minutes; removes bidi controls; text
/// of only invisible characters is empty.
pub fn clean_text(s: &str, max: usize, what: &str) -> Result<String, CommandError> {
    let one_line = max <= REASON_MAX_CHARS;
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(CommandError::invalid(format!("{what} contains control characters")));
    }
    if one_line && s.contains(['\n', '\r']) {
        return Err(CommandError::invalid(format!("{what} must be on one line")));
    }
    let visible: String = s.chars().filter(|c| !is_bidi_control(*c)).collect();
    let t = visible.trim();
    if t.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err(CommandError::invalid(format!("{what} is empty")));
    }
    if t.chars().count() > max {
        return Err(CommandError::invalid(format!("{what} is longer than {max} characters")));
    }
    Ok(t.to_owned())
}

/// Like [`clean_text`], but empty means absent.
fn optional_text(s: Option<&str>, max: usize, what: &str) -> Result<Option<String>, CommandError> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => clean_text(t, max, what).map(Some),
    }
}

fn topic_minutes(m: u32) -> Result<u32, CommandError> {
    if m > TOPIC_MINUTES_MAX {
        return Err(CommandError::invalid(format!(
            "a time box is at most {TOPIC_MINUTES_MAX} minutes"
        )));
    }
    Ok(m)
}

fn speaking_limit(s: u32) -> Result<u32, CommandError> {
    if !(SPEAKING_LIMIT_MIN_SECS..=SPEAKING_LIMIT_MAX_SECS).contains(&s) {
        return Err(CommandError::invalid(format!(
            "a speaking limit is {SPEAKING_LIMIT_MIN_SECS} to {SPEAKING_LIMIT_MAX_SECS} seconds"
        )));
    }
    Ok(s)
}

fn categories(given: &[String], defaults: &[&str]) -> Result<Vec<String>, CommandError> {
    if given.is_empty() {
        return Ok(defaults.iter().map(|s| (*s).to_owned()).collect());
    }
    if given.len() > CATEGORIES_MAX {
        return Err(CommandError::invalid(format!("at most {CATEGORIES_MAX} categories")));
    }
    let mut out: Vec<String> = Vec::with_capacity(given.len());
    for c in given {
        let c = clean_text(c, CATEGORY_MAX_CHARS, "category")?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}
