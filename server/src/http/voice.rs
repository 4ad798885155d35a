//! Voice opinions (语音) over HTTP: a phone uploads what its recorder made,
//! and the tablet, the recorder's page and the projector play it.
//!
//! A recording is a file, not a message: it goes up as the request's body
//! (the phone's file, as it is; the server reads its kind from its bytes),
//! with the opinion's other fields in the query. The opinion itself then
//! takes the path of every command ([`crate::service::Meetings::voice_opinion`]).

use super::access::{bearer, meeting, MeetingPath};
use super::error::ApiError;
use super::state::AppState;
use crate::service::meetings::Spoken;
use crate::service::Caller;
use axum::extract::{Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::limits::VOICE_UPLOAD_MAX_BYTES;
use babahui_shared::{Actor, CommandId, ErrorCode, Stance, TopicId};
use serde::Deserialize;

/// The opinion's fields besides the recording.
#[derive(Debug, Default, Deserialize)]
pub struct VoiceQuery {
    /// The topic on the phone's screen: its number, `none` (between topics);
    /// absent, the open one.
    #[serde(default)]
    topic: Option<String>,
    /// Category, if chosen.
    #[serde(default)]
    category: Option<String>,
    /// Stance, if chosen (`support`, `oppose`, `suggest`, `question`).
    #[serde(default)]
    stance: Option<Stance>,
    /// The command's id, so that a resent upload is taken once.
    #[serde(default)]
    cid: Option<String>,
}

/// `POST /api/meetings/{id}/voice?topic=&category=&stance=&cid=`, the
/// recording as the body, `Authorization: Bearer <attendee token>` →
/// `201 {"opinion": n}`. Refusals say in Chinese (and English) what to do:
/// not a recording, too long, too large, a format the tablet cannot play.
pub async fn upload(
    State(app): State<AppState>,
    MeetingPath(handle): MeetingPath,
    Query(q): Query<VoiceQuery>,
    headers: HeaderMap,
    request: Request,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let token = bearer(&headers).ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "join the meeting first"))?;
    let me = match handle.authenticate(token).await? {
        Some(Actor::Participant(me)) => me,
        _ => {
            return Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "join the meeting first (this phone's join is not known)",
            ))
        }
    };
    app.per_address.form_post(handle.id(), me)?;
    let recording = axum::body::to_bytes(request.into_body(), VOICE_UPLOAD_MAX_BYTES + 1)
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::Invalid,
                "录音文件太大（最多1.5MB），请说短一些再录 · the recording is over 1.5 MB",
            )
        })?;
    let topic = match q.topic.as_deref() {
        None | Some("") => None,
        Some("none") => Some(None),
        Some(n) => {
            Some(Some(TopicId(n.parse().map_err(|_| {
                ApiError::new(ErrorCode::Invalid, "topic: a number or none")
            })?)))
        }
    };
    let spoken = Spoken {
        category: q.category.filter(|c| !c.is_empty()),
        stance: q.stance,
        topic,
    };
    let cid = q
        .cid
        .map(CommandId)
        .filter(CommandId::is_valid)
        .unwrap_or_else(|| CommandId(format!("voice-{}", crate::tokens::new_code(12))));
    let caller = Caller {
        actor: Actor::Participant(me),
        token: Some(token),
    };
    let ack = app
        .meetings
        .voice_opinion(&handle, caller, cid, recording.to_vec(), spoken)
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "opinion": ack.created }))))
}

/// `GET /api/meetings/{id}/clips/{clip}`: a voice opinion's recording, as the
/// type its bytes are, with byte ranges (a browser's audio element asks for
/// the end of a file to learn its length). A clip's id never changes what it
/// names, so browsers keep it.
pub async fn clip(
    State(app): State<AppState>,
    Path((id, clip)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let handle = meeting(&app, &id).await?;
    let Some(found) = app.meetings.clips().get(handle.id(), &clip).await? else {
        return Err(ApiError::new(ErrorCode::NotFound, "no such recording"));
    };
    let len = found.bytes.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| byte_range(v, len));
    let mut r = match range {
        Some((start, end)) => {
            let mut r = found.bytes[start..=end].to_vec().into_response();
            *r.status_mut() = StatusCode::PARTIAL_CONTENT;
            let content_range = format!("bytes {start}-{end}/{len}");
            r.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&content_range).expect("ascii"),
            );
            r
        }
        None => found.bytes.into_response(),
    };
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&found.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(r)
}

/// The plain page's voice form (`multipart/form-data`: `clip`, `topic`,
/// `cid`): the recording, the topic and the command id. A body over the
/// limit is cut off; it comes back as a recording over the limit, which the
/// measuring refuses in the same words as any other.
pub async fn read_plain_form(mut form: Multipart) -> (Vec<u8>, String, String) {
    let (mut clip, mut topic, mut cid) = (Vec::new(), String::new(), String::new());
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name().unwrap_or_default() {
                "clip" => match field.bytes().await {
                    Ok(b) => clip = b.to_vec(),
                    Err(_) => return (vec![0; VOICE_UPLOAD_MAX_BYTES + 1], topic, cid),
                },
                "topic" => topic = field.text().await.unwrap_or_default(),
                "cid" => cid = field.text().await.unwrap_or_default(),
                _ => {}
            },
            Ok(None) => return (clip, topic, cid),
            Err(_) => return (vec![0; VOICE_UPLOAD_MAX_BYTES + 1], topic, cid),
        }
    }
}

/// The one range of `bytes=a-b`, `bytes=a-` or `bytes=-n` within `len`
/// bytes, inclusive; none for anything else (the whole clip is sent).
fn byte_range(header: &str, len: usize) -> Option<(usize, usize)> {
    let spec = header.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    let last = len.checked_sub(1)?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => (len.saturating_sub(n.parse().ok()?), last),
        (a, "") => (a.parse().ok()?, last),
        (a, b) => (a.parse().ok()?, b.parse::<usize>().ok()?.min(last)),
    };
    (start <= end).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn ranges_are_read_as_browsers_send_them() {
        assert_eq!(byte_range("bytes=0-", 100), Some((0, 99)));
        assert_eq!(byte_range("bytes=10-19", 100), Some((10, 19)));
        assert_eq!(byte_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(byte_range("bytes=90-500", 100), Some((90, 99)));
        assert_eq!(byte_range("bytes=100-", 100), None);
        assert_eq!(byte_range("bytes=0-1,5-6", 100), None);
        assert_eq!(byte_range("items=0-1", 100), None);
    }
}
