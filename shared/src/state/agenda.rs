//! Applying agenda events: topics added, edited, moved, removed, opened and
//! closed, and the stage of the open one.

use super::meeting_state::MeetingState;
use crate::event::EventKind;
use crate::model::{Stage, TopicStatus};

/// Applies an agenda event at server time `at`. Any other event belongs to another
/// family (see [`EventKind::family`]) and changes nothing here.
pub(super) fn apply(state: &mut MeetingState, at: u64, event: &EventKind) {
    match event {
        EventKind::TopicAdded {
            topic,
            title,
            minutes,
            position,
        } => {
            debug_assert_eq!(topic.0, state.next_topic_id + 1);
            state.push_topic(title.clone(), *minutes, *position);
        }
        EventKind::TopicEdited { topic, title, minutes } => {
            if let Some(t) = state.topic_mut(*topic) {
                t.title = title.clone();
                t.minutes = *minutes;
            }
        }
        EventKind::TopicMoved { topic, position } => {
            if let Some(from) = state.agenda.iter().position(|t| t.id == *topic) {
                let t = state.agenda.remove(from);
                let to = (*position as usize).min(state.agenda.len());
                state.agenda.insert(to, t);
            }
        }
        EventKind::TopicRemoved { topic } => state.agenda.retain(|t| t.id != *topic),
        EventKind::TopicOpened { topic } => {
            state.close_open_topic(at);
            if let Some(t) = state.topic_mut(*topic) {
                t.status = TopicStatus::Open;
                t.stage = Some(Stage::Intro);
                t.opened_at = Some(at);
                t.closed_at = None;
            }
            state.current_topic = Some(*topic);
        }
        EventKind::StageSet { stage } => {
            if let Some(id) = state.current_topic {
                if let Some(t) = state.topic_mut(id) {
                    t.stage = Some(*stage);
                }
            }
        }
        EventKind::TopicClosed => state.close_open_topic(at),
        _ => {}
    }
}
