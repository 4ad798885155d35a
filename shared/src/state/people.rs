//! Applying events about participants: joining, roles, removal, the join link.

use super::meeting_state::MeetingState;
use crate::event::EventKind;
use crate::model::{Participant, Role};

/// Applies an event about participants at server time `at`. Any other event belongs to another
/// family (see [`EventKind::family`]) and changes nothing here.
pub(super) fn apply(state: &mut MeetingState, at: u64, event: &EventKind) {
    match event {
        EventKind::ParticipantJoined {
            participant,
            name,
            category,
            publish_name,
            walk_in,
        } => {
            debug_assert_eq!(participant.0 as usize, state.participants.len() + 1);
            state.participants.push(Participant {
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
            if let Some(p) = state.participant_mut(*participant) {
                match role {
                    Role::Recorder => p.recorder = *on,
                    Role::Official => p.official = *on,
                }
            }
        }
        EventKind::InviteRotated => state.invite_version += 1,
        EventKind::ParticipantRemoved { participant, ban } => {
            if let Some(p) = state.participant_mut(*participant) {
                p.removed = true;
                p.banned |= *ban;
            }
            state.queue.retain(|q| q != participant);
            if state.floor.as_ref().is_some_and(|f| f.participant == *participant) {
                state.end_floor(at);
            }
        }
        _ => {}
    }
}
