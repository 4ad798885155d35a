//! Someone using the HTTP API as a browser or a script would: with a session
//! cookie (after `POST /api/login`), an organiser key, or nothing.

use anyhow::{Context, Result};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// One person's requests to one server.
#[derive(Debug, Clone)]
pub struct As {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// `bbh_session=…`, sent as `Cookie`.
    pub cookie: Option<String>,
    /// Sent as `Authorization: Bearer`.
    pub bearer: Option<String>,
    http: reqwest::Client,
}

impl As {
    /// Nobody in particular (a logged-out browser).
    pub fn nobody(base: &str) -> As {
        As {
            base: base.trim_end_matches('/').to_owned(),
            cookie: None,
            bearer: None,
            http: reqwest::Client::new(),
        }
    }

    /// The holder of the organiser key.
    pub fn key(base: &str, key: &str) -> As {
        As {
            bearer: Some(key.to_owned()),
            ..As::nobody(base)
        }
    }

    /// A browser holding this cookie value (forged, expired…).
    pub fn cookie(base: &str, session: &str) -> As {
        As {
            cookie: Some(format!("bbh_session={session}")),
            ..As::nobody(base)
        }
    }

    /// Logs in; fails unless the server sets a session cookie.
    pub async fn login(base: &str, name: &str, password: &str) -> Result<As> {
        let me = As::nobody(base);
        let resp = me
            .http
            .post(format!("{}/api/login", me.base))
            .json(&json!({"name": name, "password": password}))
            .send()
            .await?;
        let status = resp.status();
        let set = resp
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp.text().await?;
        anyhow::ensure!(status.is_success(), "login as {name}: {status} {body}");
        let set = set.context("no Set-Cookie")?;
        let pair = set.split(';').next().unwrap_or_default().to_owned();
        Ok(As {
            cookie: Some(pair),
            ..me
        })
    }

    /// The session token (the cookie's value).
    pub fn session(&self) -> Option<&str> {
        self.cookie.as_deref().and_then(|c| c.strip_prefix("bbh_session="))
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header(reqwest::header::COOKIE, c);
        }
        if let Some(b) = &self.bearer {
            req = req.bearer_auth(b);
        }
        req
    }

    async fn answer(req: reqwest::RequestBuilder) -> Result<(StatusCode, Value)> {
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, value))
    }

    /// `GET path`: the status and the body (JSON, or the text as a string).
    pub async fn get(&self, path: &str) -> Result<(StatusCode, Value)> {
        As::answer(self.request(reqwest::Method::GET, path)).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Result<(StatusCode, Value)> {
        As::answer(self.request(reqwest::Method::POST, path).json(&body)).await
    }

    /// `POST path` with a body of `content_type` (a form with files, a photo).
    pub async fn post_bytes(&self, path: &str, content_type: &str, body: Vec<u8>) -> Result<(StatusCode, Value)> {
        let req = self
            .request(reqwest::Method::POST, path)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        As::answer(req).await
    }

    /// `GET path` as bytes (a photo), with its status and content type.
    pub async fn get_bytes(&self, path: &str) -> Result<(StatusCode, String, Vec<u8>)> {
        let resp = self.request(reqwest::Method::GET, path).send().await?;
        let status = resp.status();
        let kind = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok((status, kind, resp.bytes().await?.to_vec()))
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Result<(StatusCode, Value)> {
        As::answer(self.request(reqwest::Method::DELETE, path)).await
    }

    /// `GET path`, which must succeed: its JSON.
    pub async fn ok(&self, path: &str) -> Result<Value> {
        let (status, body) = self.get(path).await?;
        anyhow::ensure!(status.is_success(), "GET {path}: {status} {body}");
        Ok(body)
    }

    /// `POST path`, which must succeed: its JSON.
    pub async fn made(&self, path: &str, body: Value) -> Result<Value> {
        let (status, answer) = self.post(path, body).await?;
        anyhow::ensure!(status.is_success(), "POST {path}: {status} {answer}");
        Ok(answer)
    }
}
