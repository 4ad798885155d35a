//! Deciding commands about participants (walk-ins, roles, removal, the join
//! link), and joining from a phone: who may take part, and under which name.

use super::checks::{active_participant, elsewhere, moderator, recorder, Decision};
use super::text::optional_text;
use crate::command::{Actor, Command};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventKind;
use crate::ids::ParticipantId;
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;

/// Decides a command about participants; a command of another family is refused (it never gets here).
pub(super) fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    match cmd {
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
        _ => Err(elsewhere("people")),
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
