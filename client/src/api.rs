//! HTTP calls to the server's API.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// An API failure: HTTP status, error code and message.
#[derive(Debug, Clone)]
pub struct ApiFailure {
    /// HTTP status (0: no answer).
    pub status: u16,
    /// `error.code`.
    pub code: String,
    /// `error.message`.
    pub message: String,
}

async fn request(method: &str, path: &str, body: Option<&Value>, bearer: Option<&str>) -> Result<Value, ApiFailure> {
    let offline = |e: wasm_bindgen::JsValue| ApiFailure {
        status: 0,
        code: "offline".into(),
        message: format!("{e:?}"),
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(offline)?;
    if let Some(body) = body {
        headers.set("content-type", "application/json").map_err(offline)?;
        init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
    }
    if let Some(key) = bearer {
        headers
            .set("authorization", &format!("Bearer {key}"))
            .map_err(offline)?;
    }
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(path, &init).map_err(offline)?;
    let resp = JsFuture::from(leptos::prelude::window().fetch_with_request(&req))
        .await
        .map_err(offline)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(offline)?;
    let text = JsFuture::from(resp.text().map_err(offline)?).await.map_err(offline)?;
    let value: Value = serde_json::from_str(&text.as_string().unwrap_or_default()).unwrap_or(Value::Null);
    if resp.ok() {
        Ok(value)
    } else {
        Err(ApiFailure {
            status: resp.status(),
            code: value["error"]["code"].as_str().unwrap_or("unknown").to_owned(),
            message: value["error"]["message"].as_str().unwrap_or("").to_owned(),
        })
    }
}

/// `GET path` as JSON into `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    let v = request("GET", path, None, None).await?;
    serde_json::from_value(v).map_err(|e| ApiFailure {
        status: 200,
        code: "decode".into(),
        message: e.to_string(),
    })
}

/// `GET path` as JSON into `T`, with `Authorization: Bearer <bearer>`.
pub async fn get_as<T: DeserializeOwned>(path: &str, bearer: &str) -> Result<T, ApiFailure> {
    let v = request("GET", path, None, Some(bearer)).await?;
    serde_json::from_value(v).map_err(|e| ApiFailure {
        status: 200,
        code: "decode".into(),
        message: e.to_string(),
    })
}

/// `POST path` with a JSON body.
pub async fn post(path: &str, body: &Value, bearer: Option<&str>) -> Result<Value, ApiFailure> {
    request("POST", path, Some(body), bearer).await
}
