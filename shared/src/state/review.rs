//! Applying review events (回顾 of earlier commitments).

use super::meeting_state::MeetingState;
use crate::event::EventKind;
use crate::model::{Review, SealedRating};

/// Applies a review event at server time `at`. Any other event belongs to another
/// family (see [`EventKind::family`]) and changes nothing here.
pub(super) fn apply(state: &mut MeetingState, at: u64, event: &EventKind) {
    match event {
        EventKind::ReviewOpened { review, subject } => {
            debug_assert_eq!(review.0 as usize, state.reviews.len() + 1);
            state.reviews.push(Review {
                id: *review,
                subject: subject.clone(),
                open: true,
                opened_at: at,
                closed_at: None,
                ratings: Vec::new(),
            });
        }
        EventKind::ReviewRated { review, key, rating } => {
            if let Some(r) = state.review_mut(*review) {
                match r.ratings.iter_mut().find(|x| x.key == *key) {
                    Some(x) => x.rating = *rating,
                    None => r.ratings.push(SealedRating {
                        key: key.clone(),
                        rating: *rating,
                    }),
                }
            }
        }
        EventKind::ReviewClosed { review } => {
            if let Some(r) = state.review_mut(*review) {
                r.open = false;
                r.closed_at = Some(at);
            }
        }
        _ => {}
    }
}
