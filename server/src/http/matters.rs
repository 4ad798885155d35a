//! `/api/matters…`, `/api/photos`, `/photos/{id}.jpg`: what residents send
//! between meetings (听群众说事), the organiser's inbox and its decisions,
//! and the photos shown with them. The pages residents use are in
//! [`super::resident`]; they post the same forms.

use super::access::{same_origin, Acting};
use super::error::{ApiError, ApiJson};
use super::state::AppState;
use axum::extract::{ConnectInfo, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::ledger::LedgerEntry;
use babahui_shared::limits::{PHOTOS_MAX, PHOTO_UPLOAD_MAX_BYTES};
use babahui_shared::matters::{Matter, MatterDecision, MatterReceipt, MatterStatus, NewMatter, PhotoReceipt};
use babahui_shared::ErrorCode;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// The largest submission: three photos and the words.
pub const SUBMISSION_MAX_BYTES: usize = PHOTOS_MAX * PHOTO_UPLOAD_MAX_BYTES + 64 * 1024;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Invalid, message)
}

/// Reads a submission sent as `multipart/form-data` (the page's form, with
/// `photo` files; a file input left empty sends an empty part, skipped).
pub async fn read_form(mut form: Multipart) -> Result<(NewMatter, Vec<Vec<u8>>), ApiError> {
    let mut new = NewMatter::default();
    let mut photos = Vec::new();
    let broken = |e: axum::extract::multipart::MultipartError| invalid(format!("the form did not arrive whole: {e}"));
    while let Some(field) = form.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let bytes = field.bytes().await.map_err(broken)?;
            if !bytes.is_empty() {
                photos.push(bytes.to_vec());
            }
            continue;
        }
        let text = field.text().await.map_err(broken)?;
        match name.as_str() {
            "c" | "community" => new.community = Some(text),
            "text" => new.text = text,
            "category" => new.category = text,
            "place" => new.place = text,
            "contact_name" => new.contact_name = text,
            "contact_phone" => new.contact_phone = text,
            _ => {}
        }
    }
    Ok((new, photos))
}

/// The private link that shows a matter's status to its submitter.
pub fn follow_url(base: &str, id: u32, key: &str) -> String {
    format!("{base}/report/{id}?k={key}")
}

/// `POST /api/matters`: a resident's matter, as JSON or as the page's
/// multipart form with photos → `201 {"id", "follow_url"}`.
pub async fn submit(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Result<(StatusCode, Json<MatterReceipt>), ApiError> {
    let headers = request.headers().clone();
    same_origin(&headers, &app.config.allowed_origins)?;
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (new, photos) = if multipart {
        let form = Multipart::from_request(request, &app)
            .await
            .map_err(|e| invalid(e.body_text()))?;
        read_form(form).await?
    } else {
        let ApiJson(new) = ApiJson::<NewMatter>::from_request(request, &app).await?;
        (new, Vec::new())
    };
    let now = app.hub.clock().now_ms();
    let (matter, key) = app.matters.submit(new, photos, peer.ip(), now).await?;
    let base = app.config.links.for_request(&headers);
    Ok((
        StatusCode::CREATED,
        Json(MatterReceipt {
            id: matter.id,
            follow_url: follow_url(&base, matter.id, &key),
        }),
    ))
}

/// The inbox's filter.
#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    /// One community's.
    #[serde(default)]
    pub community: Option<String>,
}

/// `GET /api/matters`: the organiser's inbox, newest first, with the
/// contact residents left (for the committee only).
pub async fn inbox(
    State(app): State<AppState>,
    Acting(p): Acting,
    Query(q): Query<InboxQuery>,
) -> Result<Json<Vec<Matter>>, ApiError> {
    let community = q.community.as_deref().filter(|c| !c.is_empty());
    Ok(Json(app.matters.inbox(&p, community).await?))
}

/// `POST /api/matters/{id}/decision`: accept, merge, decline or hide.
pub async fn decide(
    State(app): State<AppState>,
    Acting(p): Acting,
    Path(id): Path<u32>,
    ApiJson(decision): ApiJson<MatterDecision>,
) -> Result<Json<Matter>, ApiError> {
    let now = app.hub.clock().now_ms();
    Ok(Json(app.matters.decide(id, decision, &p, now).await?))
}

/// The follow link's key.
#[derive(Debug, Default, Deserialize)]
pub struct FollowKey {
    /// `?k=`
    #[serde(default)]
    pub k: String,
}

/// What the submitter sees of their matter: never the contact they left
/// (the link may be forwarded), and the ledger entry it became.
#[derive(Debug, Serialize)]
pub struct Followed {
    /// Its number.
    pub id: u32,
    /// What they wrote.
    pub text: String,
    /// Category.
    pub category: String,
    /// Where.
    pub place: String,
    /// Photo ids.
    pub photos: Vec<String>,
    /// Received, ms.
    pub at: u64,
    /// Where it stands.
    pub status: MatterStatus,
    /// The ledger entry it became, with its history.
    pub entry: Option<LedgerEntry>,
}

/// `GET /api/matters/{id}?k=`: the submitter's view.
pub async fn follow(
    State(app): State<AppState>,
    Path(id): Path<u32>,
    Query(q): Query<FollowKey>,
) -> Result<Json<Followed>, ApiError> {
    let (m, entry) = app.matters.follow(id, &q.k).await?;
    Ok(Json(Followed {
        id: m.id,
        text: m.text,
        category: m.category,
        place: m.place,
        photos: m.photos,
        at: m.at,
        status: m.status,
        entry,
    }))
}

/// `POST /api/photos`: a photo for a progress line (multipart `photo`, or
/// the image itself as the body) → `201 {"id", "url", …}`.
pub async fn upload_photo(
    State(app): State<AppState>,
    Acting(_p): Acting,
    request: Request,
) -> Result<(StatusCode, Json<PhotoReceipt>), ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bytes = if multipart {
        let form = Multipart::from_request(request, &app)
            .await
            .map_err(|e| invalid(e.body_text()))?;
        let (_, mut photos) = read_form(form).await?;
        if photos.len() != 1 {
            return Err(invalid("send one photo (a part named photo)"));
        }
        photos.remove(0)
    } else {
        axum::body::to_bytes(request.into_body(), PHOTO_UPLOAD_MAX_BYTES + 1)
            .await
            .map_err(|_| invalid("照片太大（超过12MB） · the photo is over 12 MB"))?
            .to_vec()
    };
    let now = app.hub.clock().now_ms();
    Ok((StatusCode::CREATED, Json(app.matters.photos().add(bytes, now).await?)))
}

/// `GET /photos/{id}.jpg`: a stored photo. Its id never changes what it
/// names, so browsers keep it.
pub async fn photo(State(app): State<AppState>, Path(file): Path<String>) -> Result<Response, ApiError> {
    let id = file.strip_suffix(".jpg").unwrap_or_default();
    let Some(jpeg) = app.matters.photos().jpeg(id).await? else {
        return Err(ApiError::new(ErrorCode::NotFound, "no such photo"));
    };
    let mut r = jpeg.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(r)
}

/// `POST /api/ledger/{entry}/second`: a phone seconds (附议) an entry; the
/// phone is its `bbh_phone` cookie (made here if it has none).
pub async fn second(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(entry): Path<u32>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    same_origin(&headers, &app.config.allowed_origins)?;
    let (phone, made) = phone_id(&headers);
    let (e, new) = app.matters.second(entry, &phone, peer.ip()).await?;
    let mut r = Json(serde_json::json!({ "entry": e.id, "seconds": e.seconds, "new": new })).into_response();
    if let Some(cookie) = made {
        r.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(r)
}

/// The cookie that tells one phone from another for 附议 (a random id; the
/// server keeps only its hash, beside the entry it seconded).
pub const PHONE_COOKIE: &str = "bbh_phone";

/// This phone's id, and the cookie to set when it had none.
pub fn phone_id(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match super::access::cookie_value(headers, PHONE_COOKIE).filter(|v| v.len() >= 16 && v.len() <= 64) {
        Some(id) => (id.to_owned(), None),
        None => {
            let id = crate::tokens::new_token();
            let cookie = format!("{PHONE_COOKIE}={id}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax");
            let value = HeaderValue::from_str(&cookie).expect("a token is a header value");
            (id, Some(value))
        }
    }
}
