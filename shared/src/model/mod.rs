//! The things a meeting is made of. These are the building blocks of
//! [`MeetingState`](crate::MeetingState) and of events.
//!
//! One file per part of a meeting, so that each type's neighbours are the
//! types it is used with: `meeting` (setup, phase, settings, Wi-Fi), `agenda`
//! (topics, stages, outcomes), `floor` (turns and the countdown), `people`
//! (participants and roles), `opinion`, `vote`, `review` (回顾 of earlier
//! commitments) and `record` (commitments, published minutes, objections).
//! This module only declares them and re-exports every item, so every
//! `model::X` (and the crate-root re-export) stays as it was. Inside the crate,
//! what the minutes' stored value needs is imported from the file that defines
//! it, since `record` holds published minutes.

pub(crate) mod agenda;
pub(crate) mod floor;
pub(crate) mod meeting;
pub(crate) mod opinion;
pub(crate) mod people;
pub(crate) mod record;
pub(crate) mod review;
pub(crate) mod vote;

pub use agenda::*;
pub use floor::*;
pub use meeting::*;
pub use opinion::*;
pub use people::*;
pub use record::*;
pub use review::*;
pub use vote::*;
