//! One module per page.

pub mod attendee;
pub mod moderator;
pub mod organiser;
pub mod projector;
