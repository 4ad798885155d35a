//! Deciding record commands: publishing the minutes, and objections (异议) to them.

use super::checks::{elsewhere, find_objection, find_topic, moderator, Decision};
use super::text::{clean_text, optional_text};
use crate::command::{Actor, Command};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventKind;
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;

/// Decides a record command; a command of another family is refused (it never gets here).
pub(super) fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    match cmd {
        Command::PublishMinutes {
            summary,
            notice_days,
            correction,
        } => {
            moderator(actor)?;
            if state.phase != Phase::Ended {
                return Err(CommandError::conflict("minutes are published after the meeting ends"));
            }
            let notice_days = notice_days.unwrap_or(DEFAULT_NOTICE_DAYS);
            if notice_days > NOTICE_DAYS_MAX {
                return Err(CommandError::invalid(format!(
                    "a notice period is at most {NOTICE_DAYS_MAX} days"
                )));
            }
            if state.publications.len() >= PUBLICATIONS_MAX {
                return Err(CommandError::new(
                    ErrorCode::TooLarge,
                    format!("the minutes can be published at most {PUBLICATIONS_MAX} times"),
                ));
            }
            let summary = optional_text(Some(summary), SUMMARY_MAX_CHARS, "summary")?.unwrap_or_default();
            let reason = optional_text(correction.as_deref(), REASON_MAX_CHARS, "correction")?;
            match (state.publications.is_empty(), &reason) {
                (false, None) => {
                    return Err(CommandError::invalid(
                        "the minutes are already published: a corrected version needs the reason for the correction",
                    ))
                }
                (true, Some(_)) => {
                    return Err(CommandError::invalid(
                        "the first version of the minutes is not a correction",
                    ))
                }
                _ => {}
            }
            Ok(EventKind::MinutesPublished {
                version: state.publications.len() as u32 + 1,
                notice_days,
                minutes: Box::new(crate::minutes::build(state, &summary, true)),
                reason,
            })
        }
        Command::FileObjection { topic, text, name, now } => {
            let Some(latest) = state.publications.last() else {
                return Err(CommandError::conflict("the minutes have not been published"));
            };
            if *now > latest.notice_until() {
                return Err(CommandError::conflict("the notice period (公示期) is over"));
            }
            if let Some(t) = topic {
                find_topic(state, *t)?;
            }
            // Objections marked as spam do not take a real resident's place;
            // all of them together are bounded too (each address is also
            // limited per time: see the server's per-address limits).
            let text = clean_text(text, OPINION_MAX_CHARS, "objection")?;
            let counted = state.objections.iter().filter(|o| !o.spam).count();
            let bytes: usize = state.objections.iter().map(|o| o.text.len()).sum();
            if counted >= OBJECTIONS_MAX
                || state.objections.len() >= 2 * OBJECTIONS_MAX
                || bytes + text.len() > OBJECTION_TEXT_MAX_BYTES
            {
                return Err(CommandError::new(
                    ErrorCode::TooLarge,
                    format!("this meeting takes at most {OBJECTIONS_MAX} objections"),
                ));
            }
            Ok(EventKind::ObjectionFiled {
                objection: state.objections.len() as u32 + 1,
                version: latest.version,
                topic: *topic,
                text,
                name: optional_text(name.as_deref(), NAME_MAX_CHARS, "name")?,
            })
        }
        Command::MarkObjectionSpam { objection, spam } => {
            moderator(actor)?;
            let o = find_objection(state, *objection)?;
            if o.spam == *spam {
                return Err(CommandError::conflict(if *spam {
                    "the objection is already marked as spam"
                } else {
                    "the objection is not marked as spam"
                }));
            }
            Ok(EventKind::ObjectionMarkedSpam {
                objection: *objection,
                spam: *spam,
            })
        }
        Command::AnswerObjection { objection, answer } => {
            moderator(actor)?;
            let o = find_objection(state, *objection)?;
            if o.answer.is_some() {
                return Err(CommandError::conflict("the objection is already answered"));
            }
            Ok(EventKind::ObjectionAnswered {
                objection: *objection,
                answer: clean_text(answer, OPINION_MAX_CHARS, "answer")?,
            })
        }
        _ => Err(elsewhere("record")),
    }
}
