//! QR codes: SVG for pages, text for the terminal.

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

fn code(text: &str) -> QrCode {
    // Medium error correction survives a projector's glare; fall back to low for long texts.
    QrCode::with_error_correction_level(text, EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(text, EcLevel::L))
        .expect("links are far shorter than a QR code's capacity")
}

/// An SVG QR code of `text` (black on white, with its quiet zone).
pub fn svg(text: &str) -> String {
    code(text)
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build()
}

/// A QR code of `text` drawn with half-block characters, for a terminal.
pub fn terminal(text: &str) -> String {
    code(text)
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build()
}
