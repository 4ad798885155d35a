//! HTTP calls to the server's API. The bodies are the shared contract's
//! (`babahui_shared::api`), and a refusal's code is the shared [`ErrorCode`].
//!
//! Answers are parsed straight from their text into the type wanted, never
//! through `serde_json::Value`: every type parsed through a `Value` gets a
//! second copy of its whole parser in the module, and on the phone's bundle
//! that copy (of `MeetingState`, mostly) was a fifth of what a phone downloads.

use babahui_shared::api::ErrorBody;
use babahui_shared::ErrorCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// An API failure: HTTP status, error code and message.
#[derive(Debug, Clone)]
pub struct ApiFailure {
    /// HTTP status (0: no answer).
    pub status: u16,
    /// `error.code`; `None` when there was no answer (offline) or it could
    /// not be read.
    pub code: Option<ErrorCode>,
    /// `error.message`.
    pub message: String,
}

/// No answer: the network or the browser refused before the server spoke.
fn offline(e: wasm_bindgen::JsValue) -> ApiFailure {
    ApiFailure {
        status: 0,
        code: None,
        message: format!("{e:?}"),
    }
}

/// `POST path` with a file (a photo, a recording) as the body, as it is: the
/// server reads its kind from its bytes.
pub async fn upload<T: DeserializeOwned>(
    path: &str,
    file: &web_sys::Blob,
    bearer: Option<&str>,
) -> Result<T, ApiFailure> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(file);
    let headers = web_sys::Headers::new().map_err(offline)?;
    parse(&send(path, init, headers, bearer).await?)
}

async fn request(method: &str, path: &str, body: Option<String>, bearer: Option<&str>) -> Result<String, ApiFailure> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(offline)?;
    if let Some(body) = body {
        headers.set("content-type", "application/json").map_err(offline)?;
        init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    }
    send(path, init, headers, bearer).await
}

/// Sends `init` to `path` with `headers` and, if given, the bearer key.
async fn send(
    path: &str,
    init: web_sys::RequestInit,
    headers: web_sys::Headers,
    bearer: Option<&str>,
) -> Result<String, ApiFailure> {
    if let Some(key) = bearer {
        headers
            .set("authorization", &format!("Bearer {key}"))
            .map_err(offline)?;
    }
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(path, &init).map_err(offline)?;
    answer(req).await
}

/// Sends `req`; its answer's text, or the failure it says.
async fn answer(req: web_sys::Request) -> Result<String, ApiFailure> {
    let resp = JsFuture::from(leptos::prelude::window().fetch_with_request(&req))
        .await
        .map_err(offline)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(offline)?;
    let text = JsFuture::from(resp.text().map_err(offline)?).await.map_err(offline)?;
    let text = text.as_string().unwrap_or_default();
    if resp.ok() {
        Ok(text)
    } else {
        let (code, message) = match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => (Some(body.error.code), body.error.message),
            Err(_) => (None, String::new()),
        };
        Err(ApiFailure {
            status: resp.status(),
            code,
            message,
        })
    }
}

/// Parses an answer's text into `T` (an empty answer reads as `null`).
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiFailure> {
    let text = if text.trim().is_empty() { "null" } else { text };
    serde_json::from_str(text).map_err(|e| ApiFailure {
        status: 200,
        code: None,
        message: e.to_string(),
    })
}

/// `GET path` as JSON into `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    parse(&request("GET", path, None, None).await?)
}

/// `GET path` as JSON into `T`, with `Authorization: Bearer <bearer>`.
pub async fn get_as<T: DeserializeOwned>(path: &str, bearer: &str) -> Result<T, ApiFailure> {
    parse(&request("GET", path, None, Some(bearer)).await?)
}

/// `GET path` for its status only (an answer without a body, like `204`).
pub async fn get_status(path: &str) -> Result<(), ApiFailure> {
    request("GET", path, None, None).await.map(drop)
}

/// `POST path` with `body` as JSON; the answer as JSON into `T`
/// (`serde::de::IgnoredAny` when only success matters).
pub async fn post<T: DeserializeOwned>(
    path: &str,
    body: &impl Serialize,
    bearer: Option<&str>,
) -> Result<T, ApiFailure> {
    let body = serde_json::to_string(body).unwrap_or_default();
    parse(&request("POST", path, Some(body), bearer).await?)
}
