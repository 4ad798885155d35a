//! Deciding review commands (回顾 of earlier commitments, rated from phones).

use super::checks::{elsewhere, moderator, open_review, running, Decision};
use crate::command::{Actor, Command};
use crate::error::CommandError;
use crate::event::EventKind;
use crate::ids::ReviewId;
use crate::limits::*;
use crate::state::MeetingState;

/// Decides a review command; a command of another family is refused (it never gets here).
pub(super) fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    match cmd {
        Command::OpenReview { entry, subject } => {
            moderator(actor)?;
            running(state)?;
            let subject = subject
                .clone()
                .filter(|s| s.entry == *entry)
                .ok_or_else(|| CommandError::not_found(format!("no ledger entry {entry}")))?;
            if state.reviews.iter().any(|r| r.open && r.subject.entry == *entry) {
                return Err(CommandError::conflict("this entry is already under review"));
            }
            if state.reviews.len() >= REVIEWS_MAX {
                return Err(CommandError::invalid(format!(
                    "a meeting holds at most {REVIEWS_MAX} reviews"
                )));
            }
            Ok(EventKind::ReviewOpened {
                review: ReviewId(state.reviews.len() as u32 + 1),
                subject,
            })
        }
        Command::RateReview { review, rating, key } => {
            actor
                .participant()
                .ok_or_else(|| CommandError::forbidden("only attendees rate"))?;
            open_review(state, *review)?;
            let key = key
                .clone()
                .ok_or_else(|| CommandError::invalid("a rating needs its key"))?;
            Ok(EventKind::ReviewRated {
                review: *review,
                key,
                rating: *rating,
            })
        }
        Command::CloseReview { review } => {
            moderator(actor)?;
            open_review(state, *review)?;
            Ok(EventKind::ReviewClosed { review: *review })
        }
        _ => Err(elsewhere("review")),
    }
}
