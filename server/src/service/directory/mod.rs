//! Who a server serves and who may act on it: communities, accounts and
//! their sessions, sync tokens, and the audit log, kept as documents in the
//! store (`store::Docs`) so that every node of a district sees the same.
//!
//! A server with no accounts has none of this in use: one implicit community,
//! the organiser key (or `--open`). Once an account exists, named people log
//! in; the organiser key stays for scripts and acts as an administrator.
//!
//! # Layout
//! - `handle`: [`Directory`], and how its documents are read and written.
//! - [`principal`]: who a request acts as, and what that may touch.
//! - `communities`, `accounts` (argon2id passwords), `sessions` (login,
//!   logout, expiry, the login rate limits), `sync_tokens`, `audit`.

mod accounts;
mod audit;
mod communities;
mod handle;
mod passwords;
pub mod principal;
mod sessions;
mod sync_tokens;
mod synced;

pub use handle::Directory;
pub use principal::Principal;
pub use sessions::{SESSION_COOKIE, SESSION_LIFETIME};
