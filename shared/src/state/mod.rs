//! The state of one meeting and the fold that builds it from events.
//!
//! `apply` is infallible and deterministic: it is only ever given events that
//! [`decide`](crate::decide::decide) produced against the same state, so the
//! server, a reconnecting client and a restarted server all arrive at the same
//! state from the same log.
//!
//! The type with its queries lives in `meeting_state`; `apply` hands each event
//! to the module of its family (`meeting`, `agenda`, `people`, `floor`,
//! `opinions`, `decisions`, `record`, `review`), so each family's fold reads
//! in one place and none grows long. This module only declares them and
//! re-exports [`MeetingState`].

mod agenda;
mod apply;
mod decisions;
mod floor;
mod meeting;
mod meeting_state;
mod opinions;
mod people;
mod record;
mod review;

pub use meeting_state::MeetingState;
