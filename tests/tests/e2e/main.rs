//! End-to-end tests: the real server (in this process, or the real binary in
//! its own process for crash tests) on 127.0.0.1, a fresh sled directory for
//! each, and real WebSocket and HTTP clients.

mod abuse;
mod accounts;
mod api;
mod bad_input;
mod browser;
mod decisions;
mod devices;
mod district;
mod durability;
mod faults;
mod follow;
mod helpers;
mod ledger;
mod loadgen;
mod matters;
mod meeting;
mod phone_forms;
mod record;
mod resume;
mod review;
mod structure;
mod sync;
mod voice;
