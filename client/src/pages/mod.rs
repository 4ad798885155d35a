//! One module per page.

pub mod attendee;
pub mod closing;
pub mod decisions;
pub mod follow;
pub mod inbox;
pub mod ledger;
pub mod minutes;
pub mod moderator;
pub mod organiser;
pub mod projector;
pub mod recorder;
pub mod review;
pub mod sheet;
pub mod sync;

/// The URL of a QR code image of `text`, drawn by the server.
pub fn qr_src(text: &str) -> String {
    format!("/api/qr.svg?text={}", js_sys::encode_uri_component(text))
}
