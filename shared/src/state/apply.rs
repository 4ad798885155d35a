//! The fold: [`MeetingState::apply`] takes one event and hands it to the
//! module of its family, one per kind of thing that happens in a meeting.

use super::meeting_state::MeetingState;
use super::{agenda, decisions, floor, meeting, opinions, people, record, review};
use crate::command::Family;
use crate::event::Event;

impl MeetingState {
    /// Applies one event. Events must come in sequence order; one already
    /// applied (`seq <= self.seq`) is ignored, which makes re-delivery harmless.
    pub fn apply(&mut self, e: &Event) {
        if e.seq <= self.seq {
            return;
        }
        self.seq = e.seq;
        self.last_at = self.last_at.max(e.at);
        let at = e.at;
        let event = &e.event;
        match event.family() {
            Family::Meeting => meeting::apply(self, at, event),
            Family::Agenda => agenda::apply(self, at, event),
            Family::People => people::apply(self, at, event),
            Family::Floor => floor::apply(self, at, event),
            Family::Opinions => opinions::apply(self, at, event),
            Family::Decisions => decisions::apply(self, at, event),
            Family::Record => record::apply(self, at, event),
            Family::Review => review::apply(self, at, event),
        }
    }
}
