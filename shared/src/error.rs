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
    /// The refusal in words a resident understands, Chinese and English: the
    /// one table for the application and the server-drawn phone page.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            ErrorCode::Forbidden => ("没有权限这样做", "You may not do this"),
            ErrorCode::MeetingEnded => ("会议已结束", "The meeting has ended"),
            ErrorCode::NotStarted => ("会议还没开始", "The meeting has not started"),
            ErrorCode::TopicClosed => ("当前没有进行中的议题", "No topic is open"),
            ErrorCode::Invalid | ErrorCode::Malformed => ("内容不符合要求", "That was not accepted"),
            ErrorCode::TooLarge => ("内容太长", "Too long"),
            ErrorCode::Conflict => ("现在不能这样做", "Not possible right now"),
            ErrorCode::InviteInvalid => (
                "参会链接已失效，请重新扫码",
                "This join link is no longer valid; scan again",
            ),
            ErrorCode::Unauthenticated => ("身份已失效，请重新加入", "Please join again"),
            ErrorCode::NotFound => ("找不到", "Not found"),
            ErrorCode::Storage | ErrorCode::Overloaded | ErrorCode::Internal => {
                ("服务器忙，请稍后重试", "The server is busy; try again")
            }
            ErrorCode::RateLimited => ("操作太快了，请稍等", "Too fast; wait a moment"),
        }
    }

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
