//! Deciding floor commands: raised hands and the queue, giving and ending the
//! floor, the speaking timer.

use super::checks::{
    active_participant, elsewhere, floor, moderator, open_topic, running, speaking_limit, subject, Decision,
};
use crate::command::{Actor, Command};
use crate::error::CommandError;
use crate::event::EventKind;
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;

/// Decides a floor command; a command of another family is refused (it never gets here).
pub(super) fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    match cmd {
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
        _ => Err(elsewhere("floor")),
    }
}
