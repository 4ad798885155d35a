//! The web client, embedded in the binary (rust-embed), so one file serves
//! everything and a meeting needs no internet. Unknown paths get `index.html`:
//! the client routes by path (`/m/{id}`, `/m/{id}/moderator`, …).
//!
//! Text and wasm files are gzipped once, on first request, and the compressed
//! bytes are kept: a courtyard of phones loading the client at the same moment
//! costs one compression, not one per phone.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

#[derive(RustEmbed)]
#[folder = "../client/dist"]
struct Assets;

/// Serves an embedded file, or `index.html` for client routes (a join link,
/// `/m/{id}`, is drawn with its meeting by [`super::phone`]).
///
/// The page refers to its script and styles under `/v/<version>/`, where
/// `<version>` is a digest of every embedded file: those answers never change,
/// so a phone keeps them for good (`immutable`) and a second meeting costs it
/// only the meeting's data; a new server version has new addresses.
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    static WARMING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !WARMING.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tokio::task::spawn_blocking(warm_up);
    }
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
    let mut response = if accepts(headers, "gzip") {
        let mut r = Html(gzipped("index.html (versioned)", html.as_bytes())).into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        Html(html).into_response()
    };
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
    let accepts = |name: &str| accepts(headers, name);
    let brotli = (accepts("br") && compressible(&mime))
        .then(|| brotli_cached(path))
        .flatten();
    let mut response = if let Some(bytes) = brotli {
        let mut r = bytes.into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        r
    } else if accepts("gzip") && compressible(&mime) {
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

/// Whether the browser takes the content encoding `name` (`gzip`, `br`).
fn accepts(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with(name)))
}

fn compressible(mime: &str) -> bool {
    mime.starts_with("text/") || mime.contains("javascript") || mime.contains("wasm") || mime.contains("svg")
}

/// Brotli of the embedded files, made once per start by [`warm_up`].
static BROTLI: OnceLock<Mutex<HashMap<String, Bytes>>> = OnceLock::new();

/// The brotli of an embedded file, if [`warm_up`] has made it (until then,
/// gzip is served: a request never waits for a compression).
fn brotli_cached(path: &str) -> Option<Bytes> {
    BROTLI.get()?.lock().expect("brotli cache").get(path).cloned()
}

/// Compresses every text and wasm file once, with brotli (a quarter smaller
/// than gzip for the application), and gzips them, off the async threads. It
/// starts with the first request for any of the client's files — in a
/// meeting, the projector's or the organiser's, before the phones scan — and
/// not at start-up, so a server that serves no page (a test, a restart after
/// a crash) spends nothing on it.
pub fn warm_up() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(compress_all);
}

fn compress_all() {
    let started = std::time::Instant::now();
    let cache = BROTLI.get_or_init(Default::default);
    for name in Assets::iter() {
        let Some(file) = Assets::get(&name) else { continue };
        if !compressible(file.metadata.mimetype()) {
            continue;
        }
        let _ = gzipped(&name, &file.data);
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            // Quality 10: ~2 s for the whole client, once. A debug build (the
            // tests') compiles the encoder unoptimised: it compresses less hard.
            quality: if cfg!(debug_assertions) { 4 } else { 10 },
            lgwin: 22,
            ..Default::default()
        };
        if brotli::BrotliCompress(&mut &file.data[..], &mut out, &params).is_ok() {
            cache.lock().expect("brotli cache").insert(name.to_string(), out.into());
        }
    }
    tracing::debug!(ms = started.elapsed().as_millis(), "the client's files are compressed");
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
