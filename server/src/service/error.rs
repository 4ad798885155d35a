//! The services' one error type. A refusal carries what the person may read
//! (a stable code and a message); a failure of the store or of the server
//! itself carries its cause for the log only — the transports show a generic
//! message and a reference to the logged line ([`ServiceError::public`]).

use crate::store::StoreError;
use babahui_shared::{CommandError, ErrorCode};

/// What went wrong in a service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Refused for a reason the client may read (invalid input, not allowed,
    /// not found, conflict, rate limit…).
    #[error(transparent)]
    Refused(#[from] CommandError),
    /// The store failed; nothing was changed.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// Something the server did not expect (a task that panicked, a file that
    /// would not encode).
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    /// A refusal with `code` and a message for the person.
    pub fn refused(code: ErrorCode, message: impl Into<String>) -> ServiceError {
        ServiceError::Refused(CommandError::new(code, message))
    }

    /// An internal failure, with its cause for the log.
    pub fn internal(cause: impl std::fmt::Display) -> ServiceError {
        ServiceError::Internal(cause.to_string())
    }

    /// What a client is told: a refusal as it is; a failure as a generic message
    /// with `reference`, under which its cause is logged here.
    pub fn public(self, reference: &str) -> CommandError {
        match self {
            ServiceError::Refused(e) => e,
            ServiceError::Store(e) => {
                tracing::error!(reference, error = %e, "store failure");
                CommandError::new(
                    ErrorCode::Storage,
                    format!(
                        "the server could not read or store this; nothing was changed. Try again. (ref {reference})"
                    ),
                )
            }
            ServiceError::Internal(cause) => {
                tracing::error!(reference, cause, "internal error");
                CommandError::new(
                    ErrorCode::Internal,
                    format!("something went wrong on the server (ref {reference})"),
                )
            }
        }
    }
}

/// The result of a blocking job run off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(ServiceError::internal)?
        .map_err(ServiceError::Store)
}
