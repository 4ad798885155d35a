//! The checks every family of commands shares: who may send a command (the
//! actor, the moderator, a recorder, on whose behalf), where the meeting must be
//! (running, a topic open, someone on the floor), and lookups that refuse what
//! does not exist or is closed.

use crate::command::Actor;
use crate::error::{CommandError, ErrorCode};
use crate::event::EventKind;
use crate::ids::{OpinionId, ParticipantId, ReviewId, TopicId, VoteId};
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;

/// What deciding a command gives: its event, or why it is refused.
pub(super) type Decision = Result<EventKind, CommandError>;

/// The refusal for a command handed to a family it does not belong to. The
/// dispatch in [`decide`](super::decide) never does that; if it ever did, the
/// command is refused rather than the process stopped.
pub(super) fn elsewhere(family: &str) -> CommandError {
    CommandError::new(ErrorCode::Internal, format!("not a command of the {family} family"))
}

// --- who ---------------------------------------------------------------

/// Refuses the projector (read-only) and removed participants outright.
pub(super) fn check_actor(state: &MeetingState, actor: Actor) -> Result<(), CommandError> {
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

pub(super) fn moderator(actor: Actor) -> Result<(), CommandError> {
    if actor == Actor::Moderator {
        Ok(())
    } else {
        Err(CommandError::forbidden("only the moderator may do this"))
    }
}

pub(super) fn is_recorder(state: &MeetingState, actor: Actor) -> bool {
    match actor {
        Actor::Moderator => true,
        Actor::Participant(p) => state.participant(p).is_some_and(|p| p.recorder),
        _ => false,
    }
}

pub(super) fn find_objection(state: &MeetingState, objection: u32) -> Result<&Objection, CommandError> {
    state
        .objections
        .iter()
        .find(|o| o.id == objection)
        .ok_or_else(|| CommandError::not_found(format!("no objection {objection}")))
}

pub(super) fn recorder(state: &MeetingState, actor: Actor) -> Result<(), CommandError> {
    if is_recorder(state, actor) {
        Ok(())
    } else {
        Err(CommandError::forbidden("only a recorder or the moderator may do this"))
    }
}

/// Whom a hand-raise, hand-lower or second is for: the sender, or (for a
/// recorder or the moderator) a walk-in; with `any`, anyone at all.
pub(super) fn subject(
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

// --- where -------------------------------------------------------------

pub(super) fn running(state: &MeetingState) -> Result<(), CommandError> {
    match state.phase {
        Phase::Running => Ok(()),
        Phase::NotStarted => Err(CommandError::new(ErrorCode::NotStarted, "the meeting has not started")),
        Phase::Ended => Err(CommandError::new(ErrorCode::MeetingEnded, "the meeting has ended")),
    }
}

pub(super) fn open_topic(state: &MeetingState) -> Result<&Topic, CommandError> {
    state
        .open_topic()
        .ok_or_else(|| CommandError::topic_closed("no topic is open"))
}

pub(super) fn floor(state: &MeetingState) -> Result<&Floor, CommandError> {
    state
        .floor
        .as_ref()
        .ok_or_else(|| CommandError::conflict("nobody has the floor"))
}

// --- what --------------------------------------------------------------

pub(super) fn find_topic(state: &MeetingState, id: TopicId) -> Result<&Topic, CommandError> {
    state
        .topic(id)
        .ok_or_else(|| CommandError::not_found(format!("no topic {id}")))
}

pub(super) fn open_review(state: &MeetingState, id: ReviewId) -> Result<&Review, CommandError> {
    let r = state
        .review(id)
        .ok_or_else(|| CommandError::not_found(format!("no review {id}")))?;
    if !r.open {
        return Err(CommandError::conflict("the review is closed"));
    }
    Ok(r)
}

pub(super) fn open_vote(state: &MeetingState, id: VoteId) -> Result<&Vote, CommandError> {
    let v = state
        .vote(id)
        .ok_or_else(|| CommandError::not_found(format!("no vote {id}")))?;
    if !v.open {
        return Err(CommandError::conflict("the vote is closed"));
    }
    Ok(v)
}

pub(super) fn find_opinion(state: &MeetingState, id: OpinionId) -> Result<&Opinion, CommandError> {
    state
        .opinion(id)
        .ok_or_else(|| CommandError::not_found(format!("no opinion {id}")))
}

pub(super) fn active_participant(state: &MeetingState, id: ParticipantId) -> Result<&Participant, CommandError> {
    match state.participant(id) {
        None => Err(CommandError::not_found(format!("no participant {id}"))),
        Some(p) if p.removed => Err(CommandError::conflict(format!("participant {id} was removed"))),
        Some(p) => Ok(p),
    }
}

pub(super) fn topic_minutes(m: u32) -> Result<u32, CommandError> {
    if m > TOPIC_MINUTES_MAX {
        return Err(CommandError::invalid(format!(
            "a time box is at most {TOPIC_MINUTES_MAX} minutes"
        )));
    }
    Ok(m)
}

pub(super) fn speaking_limit(s: u32) -> Result<u32, CommandError> {
    if !(SPEAKING_LIMIT_MIN_SECS..=SPEAKING_LIMIT_MAX_SECS).contains(&s) {
        return Err(CommandError::invalid(format!(
            "a speaking limit is {SPEAKING_LIMIT_MIN_SECS} to {SPEAKING_LIMIT_MAX_SECS} seconds"
        )));
    }
    Ok(s)
}
