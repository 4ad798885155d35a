//! Commands that ask a running server over HTTP (`babahui backup`, `babahui
//! sync`): where it is, and the organiser key it wants — given, or read from
//! the server's data folder on this machine.

use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};

/// The running server a command asks, and how it shows the organiser key.
#[derive(Debug, Args)]
pub struct Running {
    /// The running server (used unless --data is given).
    #[arg(long, env = "BABAHUI_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// The organiser key (default: the one kept in the running server's data folder).
    #[arg(long, env = "BABAHUI_ORGANISER_KEY", hide_env_values = true)]
    pub organiser_key: Option<String>,
    /// The running server's data folder, where its organiser key is kept.
    #[arg(long, env = "BABAHUI_DATA", default_value = "./babahui-data")]
    pub server_data: PathBuf,
}

impl Running {
    /// `method path` on the server, with the organiser key when there is one.
    pub fn request(&self, method: reqwest::Method, path: &str) -> anyhow::Result<reqwest::RequestBuilder> {
        let url = format!("{}{path}", self.server.trim_end_matches('/'));
        let mut req = reqwest::Client::new().request(method, url);
        if let Some(key) = client_key(&self.organiser_key, &self.server_data)? {
            req = req.bearer_auth(key);
        }
        Ok(req)
    }

    /// Sends `req`; a server that cannot be reached or refuses is an error in
    /// words (the refusal's own message when it gave one).
    pub async fn send(&self, req: reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach {} (or give --data for a stopped server)", self.server))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        let why = body["error"]["message"].as_str().unwrap_or("no reason given");
        anyhow::bail!("the server refused ({status}): {why}")
    }
}

/// The key a command that talks to a running server sends: the one given, or
/// the one kept in the server's data folder (none for an `--open` server).
pub fn client_key(given: &Option<String>, data: &Path) -> anyhow::Result<Option<String>> {
    match given {
        Some(k) => Ok(Some(k.clone())),
        None => crate::organiser_key::read(data)
            .with_context(|| format!("cannot read the organiser key in {}", data.display())),
    }
}
