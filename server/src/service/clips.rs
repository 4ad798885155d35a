//! Voice opinions' clips (语音): what a phone's recorder made, checked and
//! kept with its meeting.
//!
//! A clip is taken only if its bytes are a sound recording the tablet can
//! play: the container is read (Ogg, WebM, MP4/M4A, WAV, MP3, AAC), its audio
//! track must be Opus, Vorbis, AAC, MP3 or PCM, and its length is measured
//! from the packets themselves (a header may say nothing, as a browser's
//! WebM does, or lie). Its name and the type the phone claimed are ignored.
//! Nothing is decoded: reading the packets of a clip of at most 1.5 MB takes
//! about a millisecond, and at most two are read at once.
//!
//! A clip is kept as a document under `{meeting}/{clip}`, so a meeting's
//! clips are deleted, archived and restored with it. The clip's random id is
//! the capability: it is in the state the meeting's staff and the projector
//! read, and taken out of what the public and followers read (a voice is a
//! person's, as a name is).

use super::error::{blocking, ServiceError};
use crate::store::{Docs, Store};
use babahui_shared::limits::{VOICE_GRACE_MS, VOICE_MAX_MS, VOICE_UPLOAD_MAX_BYTES};
use babahui_shared::model::Voice;
use babahui_shared::{CommandError, ErrorCode, MeetingId};
use data_encoding::BASE64;
use serde::{Deserialize, Serialize};
use std::io::Cursor;
use std::sync::Arc;
use symphonia::core::codecs::{self, CodecType};
use symphonia::core::errors::Error as AudioError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia::core::units::TimeBase;
use tokio::sync::Semaphore;

/// Clips read at once.
const READS_AT_ONCE: usize = 2;
/// Packets read of one clip at most (a minute of 2.5 ms Opus frames is 24,000).
const PACKETS_MAX: usize = 100_000;

/// A clip as measured: what it is and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// The type it is served as (from its bytes).
    pub mime: &'static str,
    /// Its length, ms.
    pub ms: u32,
}

/// How a clip is kept.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    mime: String,
    ms: u32,
    at: u64,
    /// The clip, base64.
    audio: String,
}

fn refuse(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::Invalid, message)
}

/// The container, from the first bytes; `None` for what is no recording.
fn container(bytes: &[u8]) -> Option<&'static str> {
    let at = |i: usize, magic: &[u8]| bytes.get(i..i + magic.len()) == Some(magic);
    if at(0, b"OggS") {
        Some("audio/ogg")
    } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("audio/webm")
    } else if at(4, b"ftyp") {
        Some("audio/mp4")
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Some("audio/wav")
    } else if at(0, b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF2) {
        Some("audio/mpeg")
    } else if bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0 {
        Some("audio/aac")
    } else {
        None
    }
}

/// Whether the tablet's browser plays this codec (AMR, what some Android
/// recorders make in 3GP, it does not).
fn playable(codec: CodecType) -> bool {
    [
        codecs::CODEC_TYPE_OPUS,
        codecs::CODEC_TYPE_VORBIS,
        codecs::CODEC_TYPE_AAC,
        codecs::CODEC_TYPE_MP3,
        codecs::CODEC_TYPE_FLAC,
        codecs::CODEC_TYPE_PCM_S16LE,
        codecs::CODEC_TYPE_PCM_S24LE,
        codecs::CODEC_TYPE_PCM_S32LE,
        codecs::CODEC_TYPE_PCM_U8,
        codecs::CODEC_TYPE_PCM_F32LE,
    ]
    .contains(&codec)
}

/// Reads `bytes` as a sound recording and measures it; refuses, in words a
/// person can act on, what is not one, cannot be played, or is too long.
pub fn measure(bytes: &[u8]) -> Result<Measured, CommandError> {
    let not_audio = || refuse("这不是录音文件，请用手机录音后再发 · this is not a sound recording");
    if bytes.len() > VOICE_UPLOAD_MAX_BYTES {
        return Err(refuse(format!(
            "录音文件太大（{:.1}MB，最多1.5MB），请说短一些再录 · the recording is over 1.5 MB",
            bytes.len() as f64 / 1_048_576.0
        )));
    }
    if bytes.starts_with(b"#!AMR") {
        return Err(refuse(
            "这种录音格式（AMR）放不出来，请在录音机里选M4A格式，或用微信语音以外的录音 · AMR recordings cannot be played: choose M4A",
        ));
    }
    let mime = container(bytes).ok_or_else(not_audio)?;
    let source = MediaSourceStream::new(Box::new(Cursor::new(bytes.to_vec())), Default::default());
    let probed = symphonia::default::get_probe()
        .format(
            &Hint::new(),
            source,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|_| not_audio())?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != codecs::CODEC_TYPE_NULL)
        .ok_or_else(not_audio)?;
    if !playable(track.codec_params.codec) {
        return Err(refuse(
            "这种录音格式放不出来，请在录音机里选M4A格式再录 · this recording's format cannot be played: choose M4A",
        ));
    }
    let params = &track.codec_params;
    let time_base = params
        .time_base
        .or_else(|| params.sample_rate.map(|rate| TimeBase::new(1, rate)))
        .ok_or_else(not_audio)?;
    let track_id = track.id;
    let said = params.n_frames.map(|n| n + params.delay.unwrap_or(0) as u64);
    let mut end = 0u64;
    let mut packets = 0usize;
    loop {
        match format.next_packet() {
            Ok(p) if p.track_id() == track_id => {
                end = end.max(p.ts().saturating_add(p.dur()));
                packets += 1;
                if packets > PACKETS_MAX {
                    return Err(not_audio());
                }
            }
            Ok(_) => {}
            Err(AudioError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(AudioError::ResetRequired) => break,
            Err(_) if packets > 0 => {
                return Err(refuse(
                    "录音不完整（没有传完），请重新发送 · the recording is cut short: send it again",
                ))
            }
            Err(_) => return Err(not_audio()),
        }
    }
    let frames = end.max(said.unwrap_or(0));
    let time = time_base.calc_time(frames);
    let ms = time
        .seconds
        .saturating_mul(1000)
        .saturating_add((time.frac * 1000.0) as u64);
    if packets == 0 || ms == 0 {
        return Err(refuse("录音是空的，请重新录 · the recording is empty"));
    }
    if ms > u64::from(VOICE_MAX_MS + VOICE_GRACE_MS) {
        let secs = ms / 1000;
        return Err(refuse(format!(
            "录音太长（{}分{}秒），语音意见最多1分钟，请说短一些再录 · the recording is {secs} s long; a voice opinion is at most a minute",
            secs / 60,
            secs % 60
        )));
    }
    Ok(Measured {
        mime,
        ms: u32::try_from(ms).unwrap_or(u32::MAX),
    })
}

/// A clip's bytes and the type to serve them as.
#[derive(Debug)]
pub struct Clip {
    /// `audio/ogg`…
    pub mime: String,
    /// The recording.
    pub bytes: Vec<u8>,
}

/// A clip in a meeting's archive, as it is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchivedClip {
    /// Its id.
    pub clip: String,
    /// Its stored JSON text (type, length, time, the recording in base64).
    pub stored: String,
}

/// Handle to the stored clips; cheap to clone.
#[derive(Clone, Debug)]
pub struct Clips {
    store: Store,
    reading: Arc<Semaphore>,
}

fn key(meeting: &MeetingId, clip: &str) -> String {
    format!("{meeting}/{clip}")
}

impl Clips {
    /// The clips kept in `store`.
    pub fn new(store: Store) -> Clips {
        Clips {
            store,
            reading: Arc::new(Semaphore::new(READS_AT_ONCE)),
        }
    }

    /// Measures (see [`measure`]) and keeps a clip of `meeting`; durable when
    /// it returns. The [`Voice`] names it for the opinion.
    pub async fn add(&self, meeting: &MeetingId, bytes: Vec<u8>, now: u64) -> Result<Voice, ServiceError> {
        let measured = {
            let _turn = self.reading.acquire().await.map_err(ServiceError::internal)?;
            let bytes = bytes.clone();
            tokio::task::spawn_blocking(move || measure(&bytes))
                .await
                .map_err(ServiceError::internal)??
        };
        let clip = crate::tokens::new_code(22).to_lowercase();
        let stored = Stored {
            mime: measured.mime.to_owned(),
            ms: measured.ms,
            at: now,
            audio: BASE64.encode(&bytes),
        };
        let text = serde_json::to_string(&stored).expect("a clip serialises");
        let (store, k) = (self.store.clone(), key(meeting, &clip));
        blocking(move || store.doc_put(Docs::Clips, &k, Some(&text))).await?;
        Ok(Voice {
            clip,
            ms: measured.ms,
            bytes: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        })
    }

    /// A clip of `meeting`, if there is one by this id.
    pub async fn get(&self, meeting: &MeetingId, clip: &str) -> Result<Option<Clip>, ServiceError> {
        if !Voice::is_clip_id(clip) {
            return Ok(None);
        }
        let (store, k) = (self.store.clone(), key(meeting, clip));
        let Some(text) = blocking(move || store.doc_get(Docs::Clips, &k)).await? else {
            return Ok(None);
        };
        let stored: Stored =
            serde_json::from_str(&text).map_err(|e| ServiceError::internal(format!("stored clip {clip}: {e}")))?;
        let bytes = BASE64
            .decode(stored.audio.as_bytes())
            .map_err(|e| ServiceError::internal(format!("stored clip {clip}: {e}")))?;
        Ok(Some(Clip {
            mime: stored.mime,
            bytes,
        }))
    }

    /// Removes one clip (one whose opinion was refused: nothing points at it).
    pub async fn remove(&self, meeting: &MeetingId, clip: &str) -> Result<(), ServiceError> {
        let (store, k) = (self.store.clone(), key(meeting, clip));
        blocking(move || store.doc_put(Docs::Clips, &k, None)).await
    }

    /// Every clip of `meeting` as kept, for its archive.
    pub async fn of_meeting(&self, meeting: &MeetingId) -> Result<Vec<ArchivedClip>, ServiceError> {
        let (store, prefix) = (self.store.clone(), key(meeting, ""));
        let rows = blocking(move || store.doc_scan(Docs::Clips, &prefix)).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, stored)| {
                Some(ArchivedClip {
                    clip: k.split_once('/')?.1.to_owned(),
                    stored,
                })
            })
            .collect())
    }

    /// Checks clips that came in an archive: each must be a clip as this
    /// server keeps them (an archive is never trusted further).
    pub fn check_archived(clips: &[ArchivedClip]) -> Result<(), ServiceError> {
        for ArchivedClip { clip, stored: text } in clips {
            let ok = Voice::is_clip_id(clip)
                && serde_json::from_str::<Stored>(text)
                    .is_ok_and(|s| BASE64.decode(s.audio.as_bytes()).is_ok() && s.mime.starts_with("audio/"));
            if !ok {
                return Err(ServiceError::refused(
                    ErrorCode::Invalid,
                    format!("the archive's voice clip {clip:?} is damaged"),
                ));
            }
        }
        Ok(())
    }

    /// Keeps clips checked by [`Clips::check_archived`] as `meeting`'s, once
    /// that meeting is imported (a key is built here from the meeting they
    /// are imported as, so an archive cannot write into another meeting).
    pub async fn put_archived(&self, meeting: &MeetingId, clips: Vec<ArchivedClip>) -> Result<(), ServiceError> {
        let (store, meeting) = (self.store.clone(), meeting.clone());
        blocking(move || {
            for c in clips {
                store.doc_put(Docs::Clips, &key(&meeting, &c.clip), Some(&c.stored))?;
            }
            Ok(())
        })
        .await
    }

    /// Deletes every clip of `meeting`; how many there were.
    pub async fn delete_meeting(&self, meeting: &MeetingId) -> Result<usize, ServiceError> {
        let (store, prefix) = (self.store.clone(), key(meeting, ""));
        blocking(move || {
            let keys = store.doc_scan(Docs::Clips, &prefix)?;
            for (k, _) in &keys {
                store.doc_put(Docs::Clips, k, None)?;
            }
            Ok(keys.len())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAV of `secs` seconds of silence, 8 kHz mono 16-bit.
    fn wav(secs: u32) -> Vec<u8> {
        let data = secs * 8000 * 2;
        let mut out = Vec::new();
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&8000u32.to_le_bytes());
        out.extend_from_slice(&16000u32.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&data.to_le_bytes());
        out.resize(out.len() + data as usize, 0);
        out
    }

    #[test]
    fn a_short_recording_is_measured_from_its_bytes() {
        let m = measure(&wav(3)).unwrap();
        assert_eq!(m.mime, "audio/wav");
        assert!((2990..=3010).contains(&m.ms), "{m:?}");
    }

    #[test]
    fn a_long_recording_is_refused_in_words() {
        // 90 s at 8 kHz 16-bit is 1.4 MB: under the size limit, over the minute.
        let e = measure(&wav(90)).unwrap_err();
        assert!(e.message.contains("录音太长（1分30秒）"), "{}", e.message);
    }

    #[test]
    fn what_is_no_recording_is_refused() {
        for bytes in [&b"hello, this is text"[..], b"#!AMR\n\x3c\x00", b"OggS garbage garbage"] {
            let e = measure(bytes).unwrap_err();
            assert!(e.message.contains("录音"), "{}", e.message);
        }
        let e = measure(&vec![0u8; VOICE_UPLOAD_MAX_BYTES + 1]).unwrap_err();
        assert!(e.message.contains("太大"), "{}", e.message);
    }
}
