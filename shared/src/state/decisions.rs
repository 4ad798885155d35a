//! Applying decision events: votes and ballots, outcomes, commitments.

use super::meeting_state::MeetingState;
use crate::event::EventKind;
use crate::model::{Commitment, NamedBallot, SealedBallot, Vote};

/// Applies a decision event at server time `at`. Any other event belongs to another
/// family (see [`EventKind::family`]) and changes nothing here.
pub(super) fn apply(state: &mut MeetingState, at: u64, event: &EventKind) {
    match event {
        EventKind::VoteOpened {
            vote,
            topic,
            question,
            kind,
            secret,
            rule,
            quorum,
        } => {
            debug_assert_eq!(vote.0 as usize, state.votes.len() + 1);
            state.votes.push(Vote {
                id: *vote,
                topic: *topic,
                question: question.clone(),
                kind: kind.clone(),
                secret: *secret,
                rule: *rule,
                quorum: *quorum,
                open: true,
                opened_at: at,
                closed_at: None,
                named: Vec::new(),
                sealed: Vec::new(),
                hands: None,
            });
        }
        EventKind::VoteCast {
            vote,
            participant,
            choice,
        } => {
            if let Some(v) = state.vote_mut(*vote) {
                match v.named.iter_mut().find(|b| b.participant == *participant) {
                    Some(b) => b.choice = *choice,
                    None => v.named.push(NamedBallot {
                        participant: *participant,
                        choice: *choice,
                    }),
                }
            }
        }
        EventKind::SealedBallotCast { vote, key, choice } => {
            if let Some(v) = state.vote_mut(*vote) {
                match v.sealed.iter_mut().find(|b| b.key == *key) {
                    Some(b) => b.choice = *choice,
                    None => v.sealed.push(SealedBallot {
                        key: key.clone(),
                        choice: *choice,
                    }),
                }
            }
        }
        EventKind::HandsCounted { vote, counts } => {
            if let Some(v) = state.vote_mut(*vote) {
                v.hands = Some(counts.clone());
            }
        }
        EventKind::VoteClosed { vote } => {
            if let Some(v) = state.vote_mut(*vote) {
                v.open = false;
                v.closed_at = Some(at);
            }
        }
        EventKind::OutcomeSet { topic, outcome } => {
            if let Some(t) = state.topic_mut(*topic) {
                t.outcome = Some(outcome.clone());
            }
        }
        EventKind::CommitmentAdded {
            commitment,
            topic,
            what,
            responsible,
            deadline,
            opinions,
            official,
        } => {
            debug_assert_eq!(commitment.0 as usize, state.commitments.len() + 1);
            state.commitments.push(Commitment {
                id: *commitment,
                topic: *topic,
                what: what.clone(),
                responsible: responsible.clone(),
                deadline: deadline.clone(),
                opinions: opinions.clone(),
                official: *official,
                at,
            });
        }
        _ => {}
    }
}
