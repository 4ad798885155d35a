//! One WebSocket connection: handshake → `select!` loop → cleanup.
//!
//! The handshake waits (bounded) for `hello`, authenticates the token with the
//! meeting task and subscribes in the same step, so nothing falls between the
//! catch-up and the live stream. The connection then joins the meeting's
//! fan-out ([`crate::fanout`]), which writes the meeting's frames (shared
//! bytes, never re-serialised) without waking this task. The loop sends each
//! command to the meeting task and answers with its ack or error, pings,
//! watches for shutdown, and takes over from the fan-out when it asks: a
//! socket that would not take a frame at once, a client that fell behind the
//! broadcast ring (it gets a snapshot: lag is a state, not an error), a
//! removal. A client that stops reading is dropped after a send timeout, so it
//! never holds memory or delays anyone else.
//!
//! # Layout
//! - `open`: the HTTP request that opens a socket (checks, limits), then its task.
//! - `upgrade`: the WebSocket handshake of RFC 6455, handing over a plain stream.
//! - `handshake`: `hello`, authentication and subscription.
//! - `connection`: the connection's loop and its clean close.
//! - `socket`: reads, sends and shared frames (close codes: `babahui_shared::protocol::close_code`).

mod connection;
mod handshake;
mod open;
mod socket;
mod upgrade;

pub use open::open;
