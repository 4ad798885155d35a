//! Applying floor events: raised hands and the queue, the floor, its timer.

use super::meeting_state::MeetingState;
use crate::event::EventKind;
use crate::model::Floor;

/// Applies a floor event at server time `at`. Any other event belongs to another
/// family (see [`EventKind::family`]) and changes nothing here.
pub(super) fn apply(state: &mut MeetingState, at: u64, event: &EventKind) {
    match event {
        EventKind::HandRaised { participant } => {
            let pos = state.queue_insert_position(*participant);
            state.queue.insert(pos, *participant);
        }
        EventKind::HandLowered { participant } => state.queue.retain(|q| q != participant),
        EventKind::QueueMoved { participant, position } => {
            if let Some(from) = state.queue.iter().position(|q| q == participant) {
                let p = state.queue.remove(from);
                let to = (*position as usize).min(state.queue.len());
                state.queue.insert(to, p);
            }
        }
        EventKind::FloorGiven {
            participant,
            kind,
            limit_secs,
        } => {
            state.end_floor(at);
            state.queue.retain(|q| q != participant);
            state.floor = Some(Floor {
                participant: *participant,
                kind: *kind,
                started_at: at,
                limit_ms: u64::from(*limit_secs) * 1000,
                elapsed_ms: 0,
                running_since: Some(at),
            });
        }
        EventKind::FloorEnded => state.end_floor(at),
        EventKind::TimerStarted => {
            if let Some(f) = &mut state.floor {
                f.running_since.get_or_insert(at);
            }
        }
        EventKind::TimerPaused => {
            if let Some(f) = &mut state.floor {
                if let Some(since) = f.running_since.take() {
                    f.elapsed_ms += at.saturating_sub(since);
                }
            }
        }
        EventKind::TimerAdjusted { delta_secs } => {
            if let Some(f) = &mut state.floor {
                let delta = i64::from(*delta_secs) * 1000;
                f.limit_ms = (f.limit_ms as i64 + delta).max(0) as u64;
            }
        }
        _ => {}
    }
}
