//! The web client, embedded in the binary (rust-embed), so one file serves
//! everything and a meeting needs no internet. Unknown paths get `index.html`:
//! the client routes by path (`/m/{id}`, `/m/{id}/moderator`, …).

use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../client/dist"]
struct Assets;

/// Serves an embedded file, or `index.html` for client routes.
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    match Assets::get(path).filter(|_| !path.is_empty()) {
        Some(file) => respond(file, &headers),
        None => match Assets::get("index.html") {
            Some(index) => respond(index, &headers),
            None => (StatusCode::NOT_FOUND, "the web client is not built").into_response(),
        },
    }
}

fn respond(file: rust_embed::EmbeddedFile, headers: &HeaderMap) -> Response {
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
    (
        [
            (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
            (header::ETAG, etag),
            // Revalidate every time (cheap with the ETag): a new server version must never
            // be paired with an old cached client.
            (header::CACHE_CONTROL, "no-cache".to_owned()),
        ],
        file.data,
    )
        .into_response()
}
