//! Applying record events: published minutes and objections to them.

use super::meeting_state::MeetingState;
use crate::event::EventKind;
use crate::model::{Objection, Publication};

/// Applies a record event at server time `at`. Any other event belongs to another
/// family (see [`EventKind::family`]) and changes nothing here.
pub(super) fn apply(state: &mut MeetingState, at: u64, event: &EventKind) {
    match event {
        EventKind::MinutesPublished {
            version,
            notice_days,
            minutes,
            reason,
        } => {
            state.publications.push(Publication {
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
            state.objections.push(Objection {
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
        EventKind::ObjectionAnswered { objection, answer } => {
            if let Some(o) = state.objections.iter_mut().find(|o| o.id == *objection) {
                o.answer = Some(answer.clone());
            }
        }
        EventKind::ObjectionMarkedSpam { objection, spam } => {
            if let Some(o) = state.objections.iter_mut().find(|o| o.id == *objection) {
                o.spam = *spam;
            }
        }
        _ => {}
    }
}
