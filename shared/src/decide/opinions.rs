//! Deciding opinion commands: submitting, seconding, retagging, merging,
//! hiding, marking for the ledger, holding for approval and approving.

use super::checks::{active_participant, elsewhere, find_opinion, find_topic, moderator, recorder, subject, Decision};
use super::text::clean_text;
use crate::command::{Actor, Command, OpinionAuthor};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventKind;
use crate::ids::{OpinionId, ParticipantId, TopicId};
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;

/// Decides an opinion command; a command of another family is refused (it never gets here).
pub(super) fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    match cmd {
        Command::SubmitOpinion {
            text,
            category,
            stance,
            author,
            topic,
            voice,
        } => {
            // Not from the courtyard: from the notice page before the meeting
            // (会前), or from home while it runs (线上) when the moderator allows.
            if actor == Actor::Public {
                if voice.is_some() {
                    return Err(CommandError::forbidden(
                        "voice opinions come from phones in the courtyard",
                    ));
                }
                return from_outside(state, text, category.as_deref(), *stance, *topic);
            }
            let (author, recorded_by) = opinion_author(state, actor, *author)?;
            let text = match voice {
                // Spoken: its text is written later (转写), or may come with it.
                Some(v) => {
                    voice_fits(state, v)?;
                    if text.trim().is_empty() {
                        String::new()
                    } else {
                        clean_text(text, OPINION_MAX_CHARS, "opinion")?
                    }
                }
                None => clean_text(text, OPINION_MAX_CHARS, "opinion")?,
            };
            if state.opinions.len() >= OPINIONS_MAX || state.opinion_text_bytes + text.len() > OPINION_TEXT_MAX_BYTES {
                return Err(CommandError::new(
                    ErrorCode::TooLarge,
                    "this meeting's record of opinions is full; tell the recorder in person",
                ));
            }
            let (topic, late) = topic_written_under(state, *topic)?;
            Ok(EventKind::OpinionSubmitted {
                opinion: OpinionId(state.opinions.len() as u32 + 1),
                topic,
                late,
                author,
                recorded_by,
                text,
                category: opinion_category(state, category.as_deref())?,
                stance: *stance,
                channel: None,
                voice: voice.clone(),
            })
        }
        Command::Transcribe { opinion, text } => transcribe(state, actor, *opinion, text),
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
        _ => Err(elsewhere("opinions")),
    }
}

/// An opinion from someone not in the courtyard, unnamed. Before the start
/// it comes from the notice page (会前): it waits under its topic (or the
/// meeting as a whole) and shows when the topic opens. While the meeting runs
/// it comes from the follow view (线上), only when the moderator allows it,
/// and goes under the open topic.
fn from_outside(
    state: &MeetingState,
    text: &str,
    category: Option<&str>,
    stance: Option<Stance>,
    topic: Option<Option<TopicId>>,
) -> Decision {
    let channel = match state.phase {
        Phase::NotStarted => Channel::Before,
        Phase::Running if state.settings.online_opinions => Channel::Online,
        Phase::Running => {
            return Err(CommandError::forbidden(
                "the moderator has not opened opinions from home for this meeting",
            ))
        }
        Phase::Ended => return Err(CommandError::conflict("the meeting has ended")),
    };
    let text = clean_text(text, OPINION_MAX_CHARS, "opinion")?;
    if state.opinions.len() >= OPINIONS_MAX || state.opinion_text_bytes + text.len() > OPINION_TEXT_MAX_BYTES {
        return Err(CommandError::new(
            ErrorCode::TooLarge,
            "this meeting's record of opinions is full",
        ));
    }
    // From home, as from a phone in the courtyard: under the topic that was
    // on the screen when it was written, even if that topic has closed since.
    let (topic, late) = match (channel, topic) {
        (Channel::Online, _) => topic_written_under(state, topic)?,
        (_, topic) => match topic.flatten() {
            Some(t) => (Some(find_topic(state, t)?.id), false),
            None => (None, false),
        },
    };
    Ok(EventKind::OpinionSubmitted {
        opinion: OpinionId(state.opinions.len() as u32 + 1),
        topic,
        late,
        author: None,
        recorded_by: None,
        text,
        category: opinion_category(state, category)?,
        stance,
        channel: Some(channel),
        voice: None,
    })
}

/// A voice opinion's text, written by a recorder from its recording (转写).
fn transcribe(state: &MeetingState, actor: Actor, opinion: OpinionId, text: &str) -> Decision {
    recorder(state, actor)?;
    let o = find_opinion(state, opinion)?;
    if o.voice.is_none() {
        return Err(CommandError::invalid(
            "only a voice opinion is transcribed; this one was written",
        ));
    }
    let text = clean_text(text, OPINION_MAX_CHARS, "transcript")?;
    if state.opinion_text_bytes - o.text.len() + text.len() > OPINION_TEXT_MAX_BYTES {
        return Err(CommandError::new(
            ErrorCode::TooLarge,
            "this meeting's record of opinions is full",
        ));
    }
    Ok(EventKind::OpinionTranscribed { opinion, text })
}

/// Whether a voice clip as the server measured it may join the record: a
/// clip's id, at most a minute (and the recorder's grace), and room left in
/// the meeting's share of the disk.
fn voice_fits(state: &MeetingState, voice: &Voice) -> Result<(), CommandError> {
    if !Voice::is_clip_id(&voice.clip) || voice.ms == 0 || voice.ms > VOICE_MAX_MS + VOICE_GRACE_MS {
        return Err(CommandError::invalid("not a voice clip of at most a minute"));
    }
    if state.voice_bytes + u64::from(voice.bytes) > VOICE_MEETING_MAX_BYTES {
        return Err(CommandError::new(
            ErrorCode::TooLarge,
            "this meeting has no room for more voice opinions; write it, or tell the recorder",
        ));
    }
    Ok(())
}

/// The topic an opinion goes under, and whether it arrived after that topic
/// closed: the one the sender's screen showed (`None`: the open one, if any;
/// `Some(None)`: the meeting as a whole).
fn topic_written_under(
    state: &MeetingState,
    topic: Option<Option<TopicId>>,
) -> Result<(Option<TopicId>, bool), CommandError> {
    Ok(match topic {
        None => (state.current_topic, false),
        Some(None) => (None, false),
        Some(Some(t)) => match find_topic(state, t)?.status {
            TopicStatus::Open => (Some(t), false),
            TopicStatus::Closed => (Some(t), true),
            TopicStatus::Pending => {
                return Err(CommandError::invalid("that topic has not been opened yet"));
            }
        },
    })
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
