//! Stable error codes. Clients switch on the code (and translate it); the
//! message is for people reading logs and API responses.

use serde::{Deserialize, Serialize};

/// Every error code either API can return. Codes never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, or not a message/command this server knows.
    Malformed,
    /// A frame or body over the size limit.
    TooLarge,
    /// A field fails validation (empty, too long, out of range, unknown category).
    Invalid,
    /// Missing, wrong or revoked token; or a command before `hello`.
    Unauthenticated,
    /// The sender's role may not do this (or the organiser key is missing/wrong).
    Forbidden,
    /// Unknown meeting, topic, participant or opinion.
    NotFound,
    /// The meeting has ended; it takes no more commands.
    MeetingEnded,
    /// The meeting has not started yet.
    NotStarted,
    /// The topic is closed (or no topic is open).
    TopicClosed,
    /// The state does not allow this now (already in the queue, already seconded, nobody speaking, …).
    Conflict,
    /// The command could not be stored; it was not applied. Retry later.
    Storage,
    /// The server is too busy for this meeting right now. Retry later.
    Overloaded,
    /// Too many messages or connections; slow down.
    RateLimited,
    /// The join link is no longer valid.
    InviteInvalid,
    /// Something unexpected on the server.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Invalid => "invalid",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MeetingEnded => "meeting_ended",
            ErrorCode::NotStarted => "not_started",
            ErrorCode::TopicClosed => "topic_closed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Storage => "storage",
            ErrorCode::Overloaded => "overloaded",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::InviteInvalid => "invite_invalid",
            ErrorCode::Internal => "internal",
        }
    }
}

/// A refused command or request: a code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct CommandError {
    /// Stable code.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
}

impl CommandError {
    /// Builds an error.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Shorthand constructors, one per code, used throughout `decide`.
macro_rules! ctor {
    ($($fn:ident => $code:ident),* $(,)?) => {
        impl CommandError {
            $(
                #[doc = concat!("A `", stringify!($fn), "` error.")]
                pub fn $fn(message: impl Into<String>) -> Self {
                    Self::new(ErrorCode::$code, message)
                }
            )*
        }
    };
}

ctor!(
    malformed => Malformed,
    invalid => Invalid,
    forbidden => Forbidden,
    not_found => NotFound,
    conflict => Conflict,
    topic_closed => TopicClosed,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_names() {
        for code in [
            ErrorCode::Malformed,
            ErrorCode::TooLarge,
            ErrorCode::MeetingEnded,
            ErrorCode::InviteInvalid,
        ] {
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
        }
    }
}
