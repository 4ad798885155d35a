//! Photos residents and workers attach: to a matter (听群众说事) and to a
//! ledger entry's progress (向群众晒事, before and after).
//!
//! A phone's photo carries where it was taken (EXIF GPS) and is 3–8 MB; what
//! is stored is neither. Every photo is decoded, turned upright by its EXIF
//! orientation, scaled to [`PHOTO_LONG_SIDE`] on its long side and encoded
//! again as a fresh JPEG, which has no metadata at all. A file that claims to
//! be larger than [`PHOTO_PIXELS_MAX`] is refused from its header, before any
//! pixel is decoded (a decompression bomb says it is 100,000 × 100,000 in a
//! few hundred bytes); the decoder also has a memory limit; and at most two
//! photos are decoded at once, so uploads cannot take the cores from a
//! meeting.
//!
//! A photo is kept as a document under a random 128-bit id. The id is the
//! capability: a photo is shown where its id is listed (the organiser's
//! inbox, the submitter's follow page, a ledger entry's public page once
//! accepted), and cannot be found otherwise.

use super::directory::Directory;
use super::error::ServiceError;
use crate::store::Docs;
use babahui_shared::limits::{PHOTO_LONG_SIDE, PHOTO_PIXELS_MAX, PHOTO_UPLOAD_MAX_BYTES};
use babahui_shared::matters::{photo_url, PhotoReceipt};
use babahui_shared::{CommandError, ErrorCode};
use data_encoding::BASE64;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use serde::{Deserialize, Serialize};
use std::io::Cursor;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// JPEG quality of what is stored: a notice-board photo, not an archive.
const QUALITY: u8 = 80;
/// Memory one decode may take (a 40-megapixel RGBA image is 160 MB).
const DECODE_ALLOC_MAX: u64 = 200 * 1024 * 1024;
/// Photos decoded at once.
const DECODES_AT_ONCE: usize = 2;

/// A photo ready to store: a metadata-free JPEG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The JPEG.
    pub jpeg: Vec<u8>,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
}

/// How a photo is kept.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    width: u32,
    height: u32,
    at: u64,
    /// The JPEG, base64.
    jpeg: String,
}

fn refuse(message: &str) -> CommandError {
    CommandError::new(ErrorCode::Invalid, message)
}

/// Decodes `bytes` (JPEG, PNG, WebP or GIF), turns it upright, scales it
/// down and encodes it again without metadata. Refuses, with words a person
/// can act on, what is not a photo, is damaged, or is too large.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, CommandError> {
    if bytes.len() > PHOTO_UPLOAD_MAX_BYTES {
        return Err(refuse(
            "照片太大（超过12MB），请换一张或截图后再发 · the photo is over 12 MB",
        ));
    }
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|_| refuse("读不出这张照片 · the photo could not be read"))
    };
    let unreadable = |_| refuse("这不是照片，或照片已损坏 · not a photo (JPEG, PNG, WebP), or a damaged one");
    let reader_found = reader()?;
    if reader_found.format() == Some(image::ImageFormat::Jpeg) && !jpeg_is_whole(bytes) {
        return Err(refuse(
            "照片不完整（没有传完），请重新选择 · the photo is cut short: send it again",
        ));
    }
    let (w, h) = reader_found.into_dimensions().map_err(unreadable)?;
    if u64::from(w) * u64::from(h) > PHOTO_PIXELS_MAX {
        return Err(refuse(
            "照片像素太多（超过4000万），请用普通模式拍照或截图 · over 40 megapixels: send a smaller photo",
        ));
    }
    let mut reader = reader()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(w.max(1));
    limits.max_image_height = Some(h.max(1));
    limits.max_alloc = Some(DECODE_ALLOC_MAX);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let image = if image.width().max(image.height()) > PHOTO_LONG_SIDE {
        image.resize(PHOTO_LONG_SIDE, PHOTO_LONG_SIDE, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    // JPEG has no alpha: a PNG's transparency becomes its colour on black,
    // which for a screenshot is what it showed anyway.
    let rgb = image.into_rgb8();
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(&rgb)
        .map_err(|e| refuse(&format!("照片无法保存 · the photo could not be encoded: {e}")))?;
    Ok(Prepared {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
    })
}

/// Whether a JPEG has its end: an end-of-image marker after its last scan.
/// The decoder pads a file cut short with grey and says nothing; a person
/// whose upload was cut off should be told, not see half a photo. (Inside a
/// scan a 0xFF byte is always followed by 0x00 or a restart marker, so
/// neither marker appears there by chance; a thumbnail's end, in the EXIF
/// block, comes before the photo's scans.)
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    let end = bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]);
    matches!((last_scan, end), (Some(s), Some(e)) if e > s)
}

/// Handle to the stored photos; cheap to clone.
#[derive(Clone, Debug)]
pub struct Photos {
    directory: Directory,
    decoding: Arc<Semaphore>,
}

impl Photos {
    /// The photos kept beside `directory`'s documents.
    pub fn new(directory: Directory) -> Photos {
        Photos {
            directory,
            decoding: Arc::new(Semaphore::new(DECODES_AT_ONCE)),
        }
    }

    /// Prepares (see [`prepare`]) and stores a photo; durable when it returns.
    pub async fn add(&self, bytes: Vec<u8>, now: u64) -> Result<PhotoReceipt, ServiceError> {
        let id = crate::tokens::new_code(22).to_lowercase();
        self.store(id, bytes, now).await
    }

    /// Stores a photo that has its id already: one a laptop and its district
    /// exchange when they sync, so that a ledger line's photos show on both.
    /// Prepared again here (what arrives is never kept as it came). Returns
    /// false when a photo of that id is here already (nothing is done).
    pub async fn put_as(&self, id: &str, bytes: Vec<u8>, now: u64) -> Result<bool, ServiceError> {
        if !valid_id(id) {
            return Err(ServiceError::refused(
                ErrorCode::Invalid,
                format!("{id:?} is not a photo id"),
            ));
        }
        if self.has(id).await? {
            return Ok(false);
        }
        self.store(id.to_owned(), bytes, now).await?;
        Ok(true)
    }

    /// Whether a photo of this id is stored.
    pub async fn has(&self, id: &str) -> Result<bool, ServiceError> {
        Ok(valid_id(id)
            && self
                .directory
                .get::<serde_json::Value>(Docs::Photos, id)
                .await?
                .is_some())
    }

    async fn store(&self, id: String, bytes: Vec<u8>, now: u64) -> Result<PhotoReceipt, ServiceError> {
        let _turn = self.decoding.acquire().await.map_err(ServiceError::internal)?;
        let prepared = tokio::task::spawn_blocking(move || prepare(&bytes))
            .await
            .map_err(ServiceError::internal)??;
        let stored = Stored {
            width: prepared.width,
            height: prepared.height,
            at: now,
            jpeg: BASE64.encode(&prepared.jpeg),
        };
        self.directory.put(Docs::Photos, &id, Some(&stored)).await?;
        Ok(PhotoReceipt {
            url: photo_url(&id),
            id,
            width: prepared.width,
            height: prepared.height,
        })
    }

    /// A stored photo's JPEG, if there is one by this id.
    pub async fn jpeg(&self, id: &str) -> Result<Option<Vec<u8>>, ServiceError> {
        if !valid_id(id) {
            return Ok(None);
        }
        let Some(stored) = self.directory.get::<Stored>(Docs::Photos, id).await? else {
            return Ok(None);
        };
        BASE64
            .decode(stored.jpeg.as_bytes())
            .map(Some)
            .map_err(|e| ServiceError::internal(format!("stored photo {id}: {e}")))
    }

    /// Refuses ids that name no stored photo (a progress line must not point at nothing).
    pub async fn check(&self, ids: &[String]) -> Result<(), ServiceError> {
        for id in ids {
            if !self.has(id).await? {
                return Err(ServiceError::refused(
                    ErrorCode::Invalid,
                    format!("no photo {id:?}: upload it first"),
                ));
            }
        }
        Ok(())
    }
}

/// What a photo id looks like (the store's key is never built from anything else).
fn valid_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn a_large_photo_is_scaled_to_the_long_side() {
        let p = prepare(&jpeg(3200, 1800)).unwrap();
        assert_eq!((p.width, p.height), (1600, 900));
        assert_eq!(&p.jpeg[..2], &[0xFF, 0xD8]);
    }

    #[test]
    fn a_small_photo_keeps_its_size() {
        let p = prepare(&jpeg(640, 480)).unwrap();
        assert_eq!((p.width, p.height), (640, 480));
    }

    #[test]
    fn not_a_photo_is_refused_in_words() {
        let e = prepare(b"hello, this is text").unwrap_err();
        assert!(e.message.contains("不是照片"), "{}", e.message);
    }

    #[test]
    fn a_truncated_jpeg_is_refused() {
        let whole = jpeg(800, 600);
        let e = prepare(&whole[..whole.len() / 3]).unwrap_err();
        assert!(e.message.contains("不完整"), "{}", e.message);
    }
}
