//! The services: what the transports (HTTP handlers, WebSocket connections,
//! the command line) call. They own the domain's work around meetings — a
//! command's server-only fields and its consequences for the ledger, the
//! ledger itself, archives, backups and deletes — and they are the only layer
//! besides the hub that reaches the store.
//!
//! # Layout
//! - [`meetings`]: a command's way into a meeting (one path for every transport).
//! - [`ledger`]: the issue ledger (问题台账).
//! - [`matters`]: matters residents send between meetings (听群众说事), the organiser's inbox, 附议.
//! - [`clips`]: voice opinions' recordings, checked and measured from their bytes, kept with their meeting.
//! - [`photos`]: photos stripped of their metadata and scaled, kept by a random id.
//! - [`archive`]: a meeting as one file; import, export, delete.
//! - [`backup`]: the whole server as one file, and restore.
//! - [`dashboard`]: the street office's numbers across communities.
//! - [`directory`]: communities, accounts and sessions, sync tokens, the audit log.
//! - [`error`]: [`ServiceError`], and what a client is told of it.

pub mod archive;
pub mod backup;
pub mod clips;
pub mod dashboard;
pub mod directory;
pub mod error;
pub mod ledger;
pub mod matters;
pub mod meetings;
pub mod photos;
pub mod sync;

pub use archive::Archives;
pub use directory::{Directory, Principal};
pub use error::ServiceError;
pub use ledger::Ledger;
pub use matters::Matters;
pub use meetings::{Caller, Meetings};
pub use photos::Photos;
