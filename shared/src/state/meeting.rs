//! Applying meeting-wide events: creation, start and end, details, settings,
//! the moderator's name and the headcount.

use super::meeting_state::MeetingState;
use crate::event::EventKind;
use crate::model::Phase;

/// Applies a meeting-wide event at server time `at`. Any other event belongs to another
/// family (see [`EventKind::family`]) and changes nothing here.
pub(super) fn apply(state: &mut MeetingState, at: u64, event: &EventKind) {
    match event {
        EventKind::MeetingCreated {
            meeting,
            title,
            place,
            starts_at,
            agenda,
            opinion_categories,
            attendee_categories,
            wifi,
            moderator_name,
            invited,
        } => {
            state.moderator_name = moderator_name.clone();
            state.invited = invited.clone();
            state.id = meeting.clone();
            state.title = title.clone();
            state.place = place.clone();
            state.starts_at = starts_at.clone();
            state.created_at = at;
            state.opinion_categories = opinion_categories.clone();
            state.attendee_categories = attendee_categories.clone();
            state.wifi = wifi.clone();
            for t in agenda {
                state.push_topic(t.title.clone(), t.minutes, None);
                if let Some(last) = state.agenda.last_mut() {
                    last.ledger = t.ledger;
                    last.background = t.background.clone();
                    last.photos = t.photos.clone();
                }
            }
        }
        EventKind::MeetingStarted => state.phase = Phase::Running,
        EventKind::MeetingEnded => {
            state.close_open_topic(at);
            state.close_votes_and_reviews(at);
            state.phase = Phase::Ended;
        }
        EventKind::DetailsEdited {
            title,
            place,
            starts_at,
        } => {
            state.title = title.clone();
            state.place = place.clone();
            state.starts_at = starts_at.clone();
        }
        EventKind::SettingsChanged {
            speaking_limit_secs,
            first_timers_first,
            online_opinions,
            read_aloud,
        } => {
            if let Some(s) = speaking_limit_secs {
                state.settings.speaking_limit_secs = *s;
            }
            if let Some(f) = first_timers_first {
                state.settings.first_timers_first = *f;
            }
            if let Some(o) = online_opinions {
                state.settings.online_opinions = *o;
            }
            if let Some(r) = read_aloud {
                state.settings.read_aloud = *r;
            }
        }
        EventKind::ModeratorNamed { name } => state.moderator_name = name.clone(),
        EventKind::HeadcountSet { without_phone } => state.without_phone = *without_phone,
        EventKind::ScreensIssued => {}
        _ => {}
    }
}
