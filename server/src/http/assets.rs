//! The web client, embedded in the binary (rust-embed), so one file serves
//! everything and a meeting needs no internet. Unknown paths get `index.html`:
//! the client routes by path (`/m/{id}`, `/m/{id}/moderator`, …).
//!
//! Text and wasm files are gzipped once, on first request, and the compressed
//! bytes are kept: a courtyard of phones loading the client at the same moment
//! costs one compression, not one per phone.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

#[derive(RustEmbed)]
#[folder = "../client/dist"]
struct Assets;

/// Serves an embedded file, or `index.html` for client routes.
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() || Assets::get(path).is_none() {
        "index.html"
    } else {
        path
    };
    match Assets::get(path) {
        Some(file) => respond(path, file, &headers),
        None => (StatusCode::NOT_FOUND, "the web client is not built; run ./x serve").into_response(),
    }
}

fn respond(path: &str, file: rust_embed::EmbeddedFile, headers: &HeaderMap) -> Response {
    let etag = format!(
        "\"{}\"",
        data_encoding::HEXLOWER.encode(&file.metadata.sha256_hash()[..12])
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mime = file.metadata.mimetype().to_owned();
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut response = if accepts_gzip && compressible(&mime) {
        let mut r = gzipped(path, &file.data).into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        Bytes::from(file.data.into_owned()).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // Revalidate every time (cheap with the ETag): a new server version must never
    // be paired with an old cached client.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn compressible(mime: &str) -> bool {
    mime.starts_with("text/") || mime.contains("javascript") || mime.contains("wasm") || mime.contains("svg")
}

/// The gzip of an embedded file, computed once.
fn gzipped(path: &str, data: &[u8]) -> Bytes {
    static CACHE: OnceLock<Mutex<HashMap<String, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().expect("gzip cache").get(path) {
        return hit.clone();
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let bytes = enc
        .write_all(data)
        .and_then(|_| enc.finish())
        .map(Bytes::from)
        .unwrap_or_else(|_| Bytes::copy_from_slice(data));
    cache.lock().expect("gzip cache").insert(path.to_owned(), bytes.clone());
    bytes
}
