//! A command's way into a meeting, for every transport (a WebSocket, an HTTP
//! request): what only the server may say is filled in here, in one place;
//! the meeting task decides it; and what follows for the ledger happens here
//! too (review ratings reaching it, published minutes feeding it).

use super::clips::Clips;
use super::error::ServiceError;
use super::ledger::{import_minutes_of, record_reviews_of, Ledger};
use crate::hub::{Ack, MeetingHandle};
use crate::tokens;
use babahui_shared::{Actor, Command, CommandError, CommandId, OpinionAuthor, Stance, TopicId};

/// Who sends a command: who the meeting knows them as, and the token they
/// proved it with (from which a secret ballot's unlinkable key is derived).
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// Who they are in the meeting.
    pub actor: Actor,
    /// Their token; `None` for a request without one (an objection).
    pub token: Option<&'a str>,
}

/// Commands into meetings, and their consequences beyond the meeting; cheap
/// to clone.
#[derive(Debug, Clone)]
pub struct Meetings {
    ledger: Ledger,
    clips: Clips,
}

/// A spoken opinion's fields besides its clip (what the phone's screen showed).
#[derive(Debug, Clone, Default)]
pub struct Spoken {
    /// Category, if chosen.
    pub category: Option<String>,
    /// Stance, if chosen.
    pub stance: Option<Stance>,
    /// The topic on the screen when it was recorded (as `SubmitOpinion`'s).
    pub topic: Option<Option<TopicId>>,
}

impl Meetings {
    /// The command path, writing to `ledger` what meetings leave for it, and
    /// keeping voice opinions' recordings in `clips`.
    pub fn new(ledger: Ledger, clips: Clips) -> Meetings {
        Meetings { ledger, clips }
    }

    /// The voice opinions' recordings.
    pub fn clips(&self) -> &Clips {
        &self.clips
    }

    /// A spoken opinion (语音) from a phone in the courtyard: its recording is
    /// checked, measured and kept, then the opinion takes the same path as a
    /// written one. A refused opinion (or a resend of one already taken)
    /// leaves no recording behind.
    pub async fn voice_opinion(
        &self,
        meeting: &MeetingHandle,
        caller: Caller<'_>,
        id: CommandId,
        recording: Vec<u8>,
        spoken: Spoken,
    ) -> Result<Ack, ServiceError> {
        if caller.actor.participant().is_none() {
            return Err(CommandError::forbidden("a voice opinion comes from a phone that joined the meeting").into());
        }
        let now = meeting.clock().now_ms();
        let voice = self.clips.add(meeting.id(), recording, now).await?;
        let clip = voice.clip.clone();
        let command = Command::SubmitOpinion {
            text: String::new(),
            category: spoken.category,
            stance: spoken.stance,
            author: OpinionAuthor::Me,
            topic: spoken.topic,
            voice: Some(voice),
        };
        let result = self.command(meeting, caller, id, command).await;
        if !result.as_ref().is_ok_and(|ack| !ack.duplicate) {
            self.clips.remove(meeting.id(), &clip).await?;
        }
        Ok(result?)
    }

    /// Runs `command` as `caller` in `meeting`; resolves once its event is
    /// durable (or it was refused). Closing a review (or ending the meeting,
    /// which closes them) writes the ratings to the ledger; publishing the
    /// minutes writes them into the ledger once (not again on a resend).
    pub async fn command(
        &self,
        meeting: &MeetingHandle,
        caller: Caller<'_>,
        id: CommandId,
        mut command: Command,
    ) -> Result<Ack, CommandError> {
        self.server_fields(meeting, caller, &mut command).await;
        let closes_review = matches!(command, Command::CloseReview { .. } | Command::EndMeeting);
        let publishes = matches!(command, Command::PublishMinutes { .. });
        let result = meeting.command(caller.actor, id, command).await;
        let now = meeting.clock().now_ms();
        if closes_review && result.is_ok() {
            record_reviews_of(&self.ledger, meeting, now).await;
        }
        if publishes && result.as_ref().is_ok_and(|ack| !ack.duplicate) {
            import_minutes_of(&self.ledger, meeting, now).await;
        }
        result
    }

    /// The fields of a command only the server may set, whatever the client
    /// sent in them: the time an objection is filed (its notice period is the
    /// server's, never a phone's), the unlinkable keys of a secret ballot and a
    /// rating (derived from the caller's token), and the ledger entry a review
    /// is about (only the moderator opens one).
    async fn server_fields(&self, meeting: &MeetingHandle, caller: Caller<'_>, command: &mut Command) {
        let token = caller.token.unwrap_or_default();
        match command {
            Command::FileObjection { now, .. } => *now = meeting.clock().now_ms(),
            Command::CastVote { vote, ballot_key, .. } => {
                *ballot_key = Some(tokens::ballot_key(token, meeting.id(), *vote));
            }
            Command::RateReview { review, key, .. } => {
                *key = Some(tokens::rating_key(token, meeting.id(), *review));
            }
            Command::OpenReview { entry, subject } => {
                *subject = match caller.actor {
                    Actor::Moderator => self.ledger.get(*entry).await.ok().map(|e| e.review_subject()),
                    _ => None,
                };
            }
            _ => {}
        }
    }
}
