//! Deciding agenda commands: adding, editing, moving, removing, opening and
//! closing topics, and setting the stage of the open one.

use super::checks::{elsewhere, find_topic, moderator, open_topic, running, topic_minutes, Decision};
use super::text::clean_text;
use crate::command::{Actor, Command};
use crate::error::CommandError;
use crate::event::EventKind;
use crate::ids::TopicId;
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;

/// Decides an agenda command; a command of another family is refused (it never gets here).
pub(super) fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    match cmd {
        Command::AddTopic {
            title,
            minutes,
            position,
        } => {
            moderator(actor)?;
            if state.agenda.len() >= TOPICS_MAX {
                return Err(CommandError::invalid(format!(
                    "an agenda holds at most {TOPICS_MAX} topics"
                )));
            }
            Ok(EventKind::TopicAdded {
                topic: TopicId(state.next_topic_id + 1),
                title: clean_text(title, TITLE_MAX_CHARS, "title")?,
                minutes: topic_minutes(*minutes)?,
                position: *position,
            })
        }
        Command::EditTopic { topic, title, minutes } => {
            moderator(actor)?;
            if find_topic(state, *topic)?.status == TopicStatus::Closed {
                return Err(CommandError::topic_closed("a closed topic cannot be edited"));
            }
            Ok(EventKind::TopicEdited {
                topic: *topic,
                title: clean_text(title, TITLE_MAX_CHARS, "title")?,
                minutes: topic_minutes(*minutes)?,
            })
        }
        Command::MoveTopic { topic, position } => {
            moderator(actor)?;
            find_topic(state, *topic)?;
            Ok(EventKind::TopicMoved {
                topic: *topic,
                position: *position,
            })
        }
        Command::RemoveTopic { topic } => {
            moderator(actor)?;
            if find_topic(state, *topic)?.status != TopicStatus::Pending {
                return Err(CommandError::conflict(
                    "only a topic that has not been opened can be removed",
                ));
            }
            Ok(EventKind::TopicRemoved { topic: *topic })
        }
        Command::OpenTopic { topic } => {
            moderator(actor)?;
            running(state)?;
            if find_topic(state, *topic)?.status == TopicStatus::Open {
                return Err(CommandError::conflict("the topic is already open"));
            }
            Ok(EventKind::TopicOpened { topic: *topic })
        }
        Command::SetStage { stage } => {
            moderator(actor)?;
            running(state)?;
            open_topic(state)?;
            Ok(EventKind::StageSet { stage: *stage })
        }
        Command::CloseTopic => {
            moderator(actor)?;
            running(state)?;
            open_topic(state)?;
            Ok(EventKind::TopicClosed)
        }
        _ => Err(elsewhere("agenda")),
    }
}
