//! Photos as phones send them, for the tests: a camera JPEG with its EXIF
//! block (GPS position, orientation), hostile files, and the multipart body
//! a browser's form sends them in.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

/// The latitude the EXIF block carries: 30°39′N (Chengdu).
pub const GPS_LATITUDE_DEGREES: u32 = 30;

/// A JPEG of `w`×`h`, left half red and right half blue (so a turn shows).
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(img.as_raw(), w, h, ExtendedColorType::Rgb8)
        .expect("encodes");
    out
}

/// [`jpeg`] as a phone's camera writes it: an EXIF block after the start
/// marker, with the camera's make, the orientation (6: turn 90° clockwise
/// to show) and a GPS position.
pub fn camera_jpeg(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(w, h);
    let exif = exif_block(orientation);
    let mut out = Vec::with_capacity(plain.len() + exif.len() + 4);
    out.extend_from_slice(&plain[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

/// `Exif\0\0` and a little-endian TIFF: IFD0 with Make, Orientation and
/// the GPS IFD's offset; the GPS IFD with GPSLatitudeRef and GPSLatitude.
fn exif_block(orientation: u16) -> Vec<u8> {
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    // IFD0 at 8: 3 entries (2 + 36 bytes) and the next-IFD offset (4): ends at 50.
    let make_at = 50u32; // "BabahuiCam\0" (11 bytes) → 61
    let gps_at = 62u32;
    t.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut t, 0x010F, 2, 11, make_at);
    entry(&mut t, 0x0112, 3, 1, u32::from(orientation));
    entry(&mut t, 0x8825, 4, 1, gps_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(b"BabahuiCam\0\0");
    // GPS IFD at 62: 2 entries (2 + 24) and next (4): ends at 92; the rationals at 92.
    t.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, 5, 3, 92);
    t.extend_from_slice(&0u32.to_le_bytes());
    for (n, d) in [(GPS_LATITUDE_DEGREES, 1u32), (39, 1), (0, 1)] {
        t.extend_from_slice(&n.to_le_bytes());
        t.extend_from_slice(&d.to_le_bytes());
    }
    let mut block = b"Exif\0\0".to_vec();
    block.extend_from_slice(&t);
    block
}

/// Whether a JPEG carries any EXIF or XMP block (APP1), or the camera's name.
pub fn has_metadata(jpeg: &[u8]) -> bool {
    let find = |needle: &[u8]| jpeg.windows(needle.len()).any(|w| w == needle);
    find(b"Exif\0\0") || find(b"BabahuiCam") || find(b"http://ns.adobe.com/xap")
}

/// A JPEG's size, read from its frame header (SOF0/SOF2).
pub fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        if jpeg[i] != 0xFF {
            return None;
        }
        let marker = jpeg[i + 1];
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if (0xC0..=0xC2).contains(&marker) {
            let h = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]);
            let w = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]);
            return Some((u32::from(w), u32::from(h)));
        }
        i += 2 + len;
    }
    None
}

/// A PNG that says it is 60,000 × 60,000 (3.6 gigapixels) in a few hundred
/// bytes: a decompression bomb, if a server believed it.
pub fn png_bomb() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        png.extend_from_slice(&crc_input);
        png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    // A zlib stream of zeros: what a bomb inflates to.
    let zeros = vec![0u8; 64 * 1024];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &zeros).expect("compresses");
    chunk(&mut png, b"IDAT", &z.finish().expect("compresses"));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A `multipart/form-data` body as a browser's form sends it: text fields,
/// then files named `photo`. Returns its content type and the body.
pub fn form(fields: &[(&str, &str)], photos: &[Vec<u8>]) -> (String, Vec<u8>) {
    let boundary = "----babahui-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (i, photo) in photos.iter().enumerate() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"IMG_{i}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(photo);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
