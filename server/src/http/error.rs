//! HTTP errors: always `{"error": {"code": …, "message": …}}` with a fitting
//! status. Internal detail never reaches the client: a service's failure is
//! logged under a reference that the message carries (see [`ServiceError::public`]).

use crate::service::ServiceError;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::{CommandError, ErrorCode};
use serde_json::json;

/// An error answered over HTTP.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: ErrorCode,
    /// Human message.
    pub message: String,
}

impl ApiError {
    /// Builds an error with the status that fits `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status: status_of(code),
            code,
            message: message.into(),
        }
    }

    /// 404 for an unknown meeting.
    pub fn no_meeting(id: &str) -> Self {
        ApiError::new(ErrorCode::NotFound, format!("no meeting {id:?}"))
    }
}

/// The HTTP status for each error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Malformed | ErrorCode::Invalid => StatusCode::BAD_REQUEST,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden | ErrorCode::InviteInvalid => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::MeetingEnded | ErrorCode::NotStarted | ErrorCode::TopicClosed | ErrorCode::Conflict => {
            StatusCode::CONFLICT
        }
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Storage | ErrorCode::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        ApiError::new(e.code, e.message)
    }
}

/// A service's error as the client sees it: a refusal as it is; a failure of
/// the store or the server as a generic message with a short reference, under
/// which its cause is logged (never sent).
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let reference = crate::tokens::new_code(8);
        e.public(&reference).into()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(ErrorCode::TooLarge, "the request body is too large");
        }
        // The rejection's text says which field is wrong; it holds no server internals.
        ApiError::new(ErrorCode::Malformed, rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        (self.status, Json(body)).into_response()
    }
}

/// `Json<T>` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);
