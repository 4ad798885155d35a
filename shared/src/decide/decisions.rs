//! Deciding what the meeting decides: votes and ballots, outcomes (协商结果),
//! commitments (承诺).

use super::checks::{elsewhere, find_opinion, find_topic, moderator, open_vote, recorder, running, Decision};
use super::text::{clean_text, date, optional_text};
use crate::command::{Actor, Command};
use crate::error::CommandError;
use crate::event::EventKind;
use crate::ids::{CommitmentId, TopicId, VoteId};
use crate::limits::*;
use crate::model::*;
use crate::state::MeetingState;
use crate::votes::tally;

/// Decides a decision command; a command of another family is refused (it never gets here).
pub(super) fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    match cmd {
        Command::OpenVote {
            question,
            kind,
            secret,
            rule,
            quorum,
        } => {
            moderator(actor)?;
            running(state)?;
            let kind = vote_kind(kind, rule)?;
            Ok(EventKind::VoteOpened {
                vote: VoteId(state.votes.len() as u32 + 1),
                topic: state.current_topic,
                question: clean_text(question, OPINION_MAX_CHARS, "question")?,
                kind,
                secret: *secret,
                rule: *rule,
                quorum: *quorum,
            })
        }
        Command::CastVote {
            vote,
            choice,
            ballot_key,
        } => {
            let voter = actor
                .participant()
                .ok_or_else(|| CommandError::forbidden("only attendees vote"))?;
            let v = open_vote(state, *vote)?;
            if *choice as usize >= v.kind.choices() {
                return Err(CommandError::invalid("no such choice"));
            }
            if v.secret {
                let key = ballot_key
                    .clone()
                    .ok_or_else(|| CommandError::invalid("a secret ballot needs its key"))?;
                Ok(EventKind::SealedBallotCast {
                    vote: *vote,
                    key,
                    choice: *choice,
                })
            } else {
                Ok(EventKind::VoteCast {
                    vote: *vote,
                    participant: voter,
                    choice: *choice,
                })
            }
        }
        Command::CountHands { vote, counts } => {
            moderator(actor)?;
            let v = open_vote(state, *vote)?;
            if counts.len() != v.kind.choices() {
                return Err(CommandError::invalid(format!(
                    "give one count for each of the {} choices",
                    v.kind.choices()
                )));
            }
            if counts.iter().any(|c| *c > HAND_COUNT_MAX) {
                return Err(CommandError::invalid(format!("a count is at most {HAND_COUNT_MAX}")));
            }
            Ok(EventKind::HandsCounted {
                vote: *vote,
                counts: counts.clone(),
            })
        }
        Command::CloseVote { vote } => {
            moderator(actor)?;
            open_vote(state, *vote)?;
            Ok(EventKind::VoteClosed { vote: *vote })
        }
        Command::SetOutcome {
            topic,
            kind,
            text,
            dissent,
            vote,
        } => {
            recorder(state, actor)?;
            find_topic(state, *topic)?;
            if let Some(v) = vote {
                cited_vote(state, *topic, *kind, *v)?;
            }
            let text = match kind {
                OutcomeKind::Consensus | OutcomeKind::Dissent => clean_text(text, OPINION_MAX_CHARS, "outcome text")?,
                _ => optional_text(Some(text), OPINION_MAX_CHARS, "outcome text")?.unwrap_or_default(),
            };
            let dissent = optional_text(dissent.as_deref(), OPINION_MAX_CHARS, "dissent")?;
            if *kind == OutcomeKind::Dissent && dissent.is_none() {
                return Err(CommandError::invalid("保留分歧 needs the dissenting views"));
            }
            Ok(EventKind::OutcomeSet {
                topic: *topic,
                outcome: Outcome {
                    kind: *kind,
                    text,
                    dissent,
                    vote: *vote,
                },
            })
        }
        Command::AddCommitment {
            topic,
            what,
            responsible,
            deadline,
            opinions,
        } => {
            let official = actor
                .participant()
                .filter(|p| state.participant(*p).is_some_and(|p| p.official));
            if official.is_none() {
                recorder(state, actor).map_err(|_| {
                    CommandError::forbidden("only an official, a recorder or the moderator may record a commitment")
                })?;
            }
            let topic = topic.or(state.current_topic);
            if let Some(t) = topic {
                find_topic(state, t)?;
            }
            for o in opinions {
                find_opinion(state, *o)?;
            }
            Ok(EventKind::CommitmentAdded {
                commitment: CommitmentId(state.commitments.len() as u32 + 1),
                topic,
                what: clean_text(what, OPINION_MAX_CHARS, "commitment")?,
                responsible: clean_text(responsible, TITLE_MAX_CHARS, "responsible")?,
                deadline: date(deadline)?,
                opinions: opinions.clone(),
                official,
            })
        }
        _ => Err(elsewhere("decisions")),
    }
}

/// The options and rule of a new vote, checked (2 to [`VOTE_OPTIONS_MAX`]
/// options, a share of 1 to 100 percent), with each option's text cleaned.
fn vote_kind(kind: &VoteKind, rule: &PassRule) -> Result<VoteKind, CommandError> {
    if let VoteKind::Choice(options) = kind {
        if !(2..=VOTE_OPTIONS_MAX).contains(&options.len()) {
            return Err(CommandError::invalid(format!(
                "a choice has 2 to {VOTE_OPTIONS_MAX} options"
            )));
        }
    }
    if let PassRule::Share(p) = rule {
        if !(1..=100).contains(p) {
            return Err(CommandError::invalid("a share is 1 to 100 percent"));
        }
    }
    Ok(match kind {
        VoteKind::YesNo => VoteKind::YesNo,
        VoteKind::Choice(options) => VoteKind::Choice(
            options
                .iter()
                .map(|o| clean_text(o, TITLE_MAX_CHARS, "option"))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// The vote an outcome cites: it must exist and have been held on the topic,
/// and a 表决通过 / 表决未通过 outcome must agree with its closed result.
fn cited_vote(state: &MeetingState, topic: TopicId, kind: OutcomeKind, vote: VoteId) -> Result<(), CommandError> {
    let v = state
        .vote(vote)
        .ok_or_else(|| CommandError::not_found(format!("no vote {vote}")))?;
    if v.topic != Some(topic) {
        return Err(CommandError::invalid("the vote cited was held on another topic"));
    }
    // The record must not contradict the vote it cites.
    if matches!(kind, OutcomeKind::Passed | OutcomeKind::Failed) {
        if v.open {
            return Err(CommandError::conflict(
                "close the vote before recording its result as the outcome",
            ));
        }
        let passed = tally(v).passed;
        if passed != (kind == OutcomeKind::Passed) {
            return Err(CommandError::conflict(if passed {
                "the vote cited passed: record 表决通过, or cite no vote"
            } else {
                "the vote cited did not pass: record 表决未通过, or cite no vote"
            }));
        }
    }
    Ok(())
}
