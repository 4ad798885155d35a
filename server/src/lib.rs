//! The Babahui server: an HTTP API, a WebSocket hub with one task per live
//! meeting, a durable event log in sled, and the web client embedded.
//!
//! # Layout
//! - [`cli`]: the `babahui` command line (`serve`, `meeting create`, `backup`, `restore`).
//! - [`backup`]: whole-server backups (every meeting and the ledger) and restore.
//! - [`server`]: `run(listener, store, config, shutdown)` and clean shutdown.
//! - [`listen`]: the accept loop (request-head deadline, connections per address).
//! - [`http`]: router, handlers, errors, embedded assets.
//! - [`ws`]: one WebSocket connection (handshake, loop, cleanup).
//! - [`hub`]: the registry of live meetings and the meeting task that owns each.
//! - [`store`]: the sled event log with group commit, and the ledger tree.
//! - [`ledger`]: the issue ledger (问题台账) service.
//! - [`organiser_key`]: the organiser key kept in the data folder (secure by default).
//! - [`rate`]: token buckets (messages per connection, joins and objections per
//!   address, opinions per participant).
//! - [`tokens`]: random ids, codes and capability tokens (stored hashed).
//! - [`links`]: the absolute links handed out; [`qr`]: QR codes.

pub mod cli;
pub mod clock;
pub mod config;
pub mod fanout;
pub mod http;
pub mod hub;
pub mod links;
pub mod listen;
pub mod organiser_key;
pub mod qr;
pub mod rate;
pub mod server;
pub mod service;
pub mod store;
pub mod tokens;
pub mod wire;
pub mod ws;

pub use config::{Limits, ServerConfig};
pub use http::AppState;
pub use hub::Hub;
pub use server::run;
pub use store::Store;
