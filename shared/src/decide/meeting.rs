//! Deciding meeting-wide commands: start and end, the details and settings,
//! the moderator's name and the headcount; and the first event of a new meeting.

use super::checks::{elsewhere, moderator, recorder, speaking_limit, topic_minutes, Decision};
use super::text::{clean_text, optional_text};
use crate::command::{Actor, Command};
use crate::error::CommandError;
use crate::event::EventKind;
use crate::ids::MeetingId;
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;

/// Decides a meeting-wide command; a command of another family is refused (it never gets here).
pub(super) fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    match cmd {
        Command::StartMeeting => {
            moderator(actor)?;
            if state.phase != Phase::NotStarted {
                return Err(CommandError::conflict("the meeting has already started"));
            }
            Ok(EventKind::MeetingStarted)
        }
        Command::EndMeeting => {
            moderator(actor)?;
            Ok(EventKind::MeetingEnded)
        }
        Command::EditDetails {
            title,
            place,
            starts_at,
        } => {
            moderator(actor)?;
            if state.phase != Phase::NotStarted {
                return Err(CommandError::conflict(
                    "the title, place and time are corrected before the meeting starts",
                ));
            }
            Ok(EventKind::DetailsEdited {
                title: clean_text(title, TITLE_MAX_CHARS, "title")?,
                place: optional_text(Some(place), PLACE_MAX_CHARS, "place")?.unwrap_or_default(),
                starts_at: optional_text(starts_at.as_deref(), PLACE_MAX_CHARS, "starts_at")?,
            })
        }
        Command::ChangeSettings {
            speaking_limit_secs,
            first_timers_first,
            online_opinions,
            read_aloud,
        } => {
            moderator(actor)?;
            if let Some(s) = speaking_limit_secs {
                speaking_limit(*s)?;
            }
            if speaking_limit_secs.is_none()
                && first_timers_first.is_none()
                && online_opinions.is_none()
                && read_aloud.is_none()
            {
                return Err(CommandError::invalid("nothing to change"));
            }
            Ok(EventKind::SettingsChanged {
                speaking_limit_secs: *speaking_limit_secs,
                first_timers_first: *first_timers_first,
                online_opinions: *online_opinions,
                read_aloud: *read_aloud,
            })
        }
        Command::SetHeadcount { without_phone } => {
            recorder(state, actor)?;
            if *without_phone > HAND_COUNT_MAX {
                return Err(CommandError::invalid(format!("at most {HAND_COUNT_MAX} people")));
            }
            Ok(EventKind::HeadcountSet {
                without_phone: *without_phone,
            })
        }
        Command::SetModeratorName { name } => {
            moderator(actor)?;
            Ok(EventKind::ModeratorNamed {
                name: optional_text(Some(name), NAME_MAX_CHARS, "moderator name")?,
            })
        }
        _ => Err(elsewhere("meeting")),
    }
}

/// The first event of a new meeting, validated. Empty category lists get the defaults.
pub fn create_meeting(meeting: MeetingId, setup: &MeetingSetup) -> Decision {
    if setup.agenda.len() > TOPICS_MAX {
        return Err(CommandError::invalid(format!(
            "an agenda holds at most {TOPICS_MAX} topics"
        )));
    }
    let agenda = setup
        .agenda
        .iter()
        .map(|t| {
            Ok(NewTopic {
                title: clean_text(&t.title, TITLE_MAX_CHARS, "topic title")?,
                minutes: topic_minutes(t.minutes)?,
                ledger: t.ledger,
                background: optional_text(Some(&t.background), SUMMARY_MAX_CHARS, "topic background")?
                    .unwrap_or_default(),
                photos: if t.photos.len() > PHOTOS_MAX {
                    return Err(CommandError::invalid(format!("at most {PHOTOS_MAX} photos a topic")));
                } else {
                    t.photos.clone()
                },
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let wifi = match &setup.wifi {
        Some(w) if !w.ssid.trim().is_empty() => Some(Wifi {
            ssid: clean_text(&w.ssid, WIFI_SSID_MAX_CHARS, "Wi-Fi name")?,
            password: optional_text(Some(&w.password), WIFI_PASSWORD_MAX_CHARS, "Wi-Fi password")?.unwrap_or_default(),
            hide_password: w.hide_password,
        }),
        _ => None,
    };
    Ok(EventKind::MeetingCreated {
        meeting,
        title: clean_text(&setup.title, TITLE_MAX_CHARS, "title")?,
        place: optional_text(Some(&setup.place), PLACE_MAX_CHARS, "place")?.unwrap_or_default(),
        starts_at: optional_text(setup.starts_at.as_deref(), PLACE_MAX_CHARS, "starts_at")?,
        agenda,
        opinion_categories: categories(&setup.opinion_categories, DEFAULT_OPINION_CATEGORIES)?,
        attendee_categories: categories(&setup.attendee_categories, DEFAULT_ATTENDEE_CATEGORIES)?,
        wifi,
        moderator_name: optional_text(setup.moderator_name.as_deref(), NAME_MAX_CHARS, "moderator name")?,
        invited: optional_text(Some(&setup.invited), SUMMARY_MAX_CHARS, "invited")?.unwrap_or_default(),
    })
}

fn categories(given: &[String], defaults: &[&str]) -> Result<Vec<String>, CommandError> {
    if given.is_empty() {
        return Ok(defaults.iter().map(|s| (*s).to_owned()).collect());
    }
    if given.len() > CATEGORIES_MAX {
        return Err(CommandError::invalid(format!("at most {CATEGORIES_MAX} categories")));
    }
    let mut out: Vec<String> = Vec::with_capacity(given.len());
    for c in given {
        let c = clean_text(c, CATEGORY_MAX_CHARS, "category")?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}
