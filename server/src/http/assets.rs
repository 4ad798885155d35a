//! The web client, embedded in the binary (rust-embed), so one file serves
//! everything and a meeting needs no internet. Unknown paths get `index.html`:
//! the client routes by path (`/m/{id}`, `/m/{id}/moderator`, …).
//!
//! Text and wasm files were compressed at build time (`build.rs`: brotli and
//! gzip) and are sent as the browser accepts: a courtyard of phones loading
//! the client at the same moment costs no compression at all. Pages drawn per
//! request (a join page) are gzipped as they are sent ([`page`]).

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;
use std::io::Write;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "../client/dist"]
struct Assets;

/// The same files compressed, `<path>.br` and `<path>.gz` (made by `build.rs`).
#[derive(RustEmbed)]
#[folder = "$OUT_DIR/compressed"]
struct Compressed;

/// Serves an embedded file, or `index.html` for client routes (a join link,
/// `/m/{id}`, is drawn with its meeting by [`super::phone`]).
///
/// The page refers to its script and styles under `/v/<version>/`, where
/// `<version>` is a digest of every embedded file: those answers never change,
/// so a phone keeps them for good (`immutable`) and a second meeting costs it
/// only the meeting's data; a new server version has new addresses.
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let (path, forever) = match uri.path().strip_prefix("/v/").and_then(|rest| rest.split_once('/')) {
        Some((v, rest)) => (rest, v == version()),
        None => (uri.path().trim_start_matches('/'), false),
    };
    let path = if path.is_empty() || Assets::get(path).is_none() {
        "index.html"
    } else {
        path
    };
    if path == "index.html" {
        return app_page(&headers);
    }
    match Assets::get(path) {
        Some(file) => {
            let mut response = respond(path, file, &headers);
            if forever {
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                );
            }
            response
        }
        None => not_built(),
    }
}

fn not_built() -> Response {
    (StatusCode::NOT_FOUND, "the web client is not built; run ./x serve").into_response()
}

/// A digest of every embedded file: the `<version>` of `/v/<version>/…`.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut names: Vec<_> = Assets::iter().collect();
        names.sort();
        let mut all = Vec::new();
        for name in names {
            if let Some(file) = Assets::get(&name) {
                all.extend_from_slice(name.as_bytes());
                all.extend_from_slice(&file.metadata.sha256_hash());
            }
        }
        let digest = <sha2::Sha256 as sha2::Digest>::digest(&all);
        data_encoding::HEXLOWER.encode(&digest[..6])
    })
}

/// `index.html`, its script and styles under this version's address.
pub fn index_html() -> Option<String> {
    let index = Assets::get("index.html")?;
    let text = std::str::from_utf8(&index.data).ok()?;
    let v = version();
    Some(
        text.replace("href=\"/style.css\"", &format!("href=\"/v/{v}/style.css\""))
            .replace("src=\"/boot.js\"", &format!("src=\"/v/{v}/boot.js\"")),
    )
}

/// The application's page for every client route (not kept: it names the
/// version of the files it loads).
pub fn app_page(headers: &HeaderMap) -> Response {
    let Some(html) = index_html() else {
        return not_built();
    };
    let etag = format!("\"{}\"", version());
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mut response = page(headers, StatusCode::OK, html);
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
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
    let encoded = ["br", "gzip"].into_iter().find_map(|encoding| {
        let suffix = if encoding == "br" { "br" } else { "gz" };
        accepts(headers, encoding)
            .then(|| Compressed::get(&format!("{path}.{suffix}")))
            .flatten()
            .map(|c| (encoding, c))
    });
    let mut response = match encoded {
        Some((encoding, compressed)) => {
            let mut r = Bytes::from(compressed.data.into_owned()).into_response();
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            r
        }
        None => Bytes::from(file.data.into_owned()).into_response(),
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

/// Whether the browser takes the content encoding `name` (`gzip`, `br`).
fn accepts(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with(name)))
}

/// A page drawn for this request, gzipped if the browser takes it (a join
/// page is ~10 KiB of HTML; gzip makes it ~3, in well under a millisecond).
pub fn page(headers: &HeaderMap, status: StatusCode, html: String) -> Response {
    let html = super::views::mark(headers, html);
    let mut response = if accepts(headers, "gzip") {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        match enc.write_all(html.as_bytes()).and_then(|_| enc.finish()) {
            Ok(gz) => {
                let mut r = (status, Html(Bytes::from(gz))).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            Err(_) => (status, Html(html)).into_response(),
        }
    } else {
        (status, Html(html)).into_response()
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}
