//! The server's photo path (a resident's upload): any bytes are either
//! refused in words or become a JPEG no larger than the stored size, with no
//! metadata. Never a panic; libFuzzer's `-timeout` and `-rss_limit_mb` catch a
//! file that stalls the decoder or takes the machine's memory.

#![no_main]

use babahui::service::photos::prepare;
use babahui_shared::limits::PHOTO_LONG_SIDE;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = prepare(data) {
        assert!(p.width.max(p.height) <= PHOTO_LONG_SIDE);
        assert!(p.jpeg.starts_with(&[0xFF, 0xD8]));
        assert!(!p.jpeg.windows(6).any(|w| w == b"Exif\0\0"), "EXIF kept");
    }
});
