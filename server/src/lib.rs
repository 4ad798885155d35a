//! The Babahui server: an HTTP API, a WebSocket hub with one task per live
//! meeting, a durable event log in sled, and the web client embedded.
//!
//! # Layout
//! The layers import one way (see docs/architecture.md):
//! transports → services → hub → store, with `babahui_shared` beneath all.
//! - Transports: [`http`] (router, handlers, [`http::access`] — who may do what —
//!   errors, embedded assets), [`ws`] (one WebSocket connection: open, handshake,
//!   loop, close) and [`cli`] (`serve`, `meeting create`, `backup`, `restore`).
//! - [`service`]: what the transports call — the one command path into a meeting
//!   (server-only fields, consequences for the ledger), the issue ledger (问题台账),
//!   archives, backups and deletes; one error type.
//! - [`hub`]: the registry of live meetings and the task that owns each.
//! - [`store`]: the seam to storage ([`store::Backend`]) and its sled implementation
//!   (event log with group commit, checkpoints, ledger tree, watermark).
//! - Beside them: [`server`] (`run` and clean shutdown), [`listen`] (the accept loop),
//!   [`config`] (settings), [`clock`] (the one wall clock, injectable), [`wire`]
//!   (frames encoded once), [`fanout`] (writing frames to sockets), [`rate`] (token
//!   buckets), [`tokens`] (ids, codes, capability tokens, stored hashed),
//!   [`organiser_key`], [`links`] and [`qr`].

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
