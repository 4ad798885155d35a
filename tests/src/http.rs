//! HTTP helpers over the real API.

use anyhow::{bail, Context, Result};
use babahui_shared::api::{CreatedResponse, JoinResponse};
use babahui_shared::{MeetingId, MeetingState};
use serde_json::{json, Value};

/// A created meeting with its secrets pulled out of the links.
#[derive(Debug, Clone)]
pub struct Meeting {
    /// What the server answered.
    pub created: CreatedResponse,
    /// Moderator token (from the fragment of `moderator_url`).
    pub moderator: String,
    /// Projector token.
    pub projector: String,
    /// Invite code (from `join_url`).
    pub invite: String,
}

impl Meeting {
    /// The meeting id.
    pub fn id(&self) -> &MeetingId {
        &self.created.id
    }

    /// A meeting from the three links a page showed (`/m/{id}?i=…`, `…#k=…`).
    pub fn from_links(join_url: &str, moderator_url: &str, projector_url: &str) -> Result<Meeting> {
        let id = after(join_url, "/m/")?
            .split(['/', '?'])
            .next()
            .and_then(MeetingId::parse)
            .with_context(|| format!("no meeting id in {join_url}"))?;
        let base = join_url.split("/m/").next().unwrap_or_default();
        remember_moderator(&id, after(moderator_url, "#k=")?);
        Ok(Meeting {
            moderator: after(moderator_url, "#k=")?.to_owned(),
            projector: after(projector_url, "#k=")?.to_owned(),
            invite: after(join_url, "?i=")?.to_owned(),
            created: CreatedResponse {
                qr_svg_url: format!("{base}/api/meetings/{id}/qr.svg"),
                id,
                title: String::new(),
                join_url: join_url.to_owned(),
                moderator_url: moderator_url.to_owned(),
                projector_url: projector_url.to_owned(),
            },
        })
    }
}

fn after<'a>(url: &'a str, marker: &str) -> Result<&'a str> {
    url.split_once(marker)
        .map(|(_, v)| v)
        .with_context(|| format!("{marker} missing in {url}"))
}

/// Organiser keys of the servers a test started, by base URL: the real
/// binary makes its own key at first start (secure by default), and the
/// helpers below send it, as the organiser's page would.
static ORGANISER_KEYS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// Moderator tokens of the meetings the helpers created, by meeting id.
static MODERATORS: std::sync::Mutex<Vec<(MeetingId, String)>> = std::sync::Mutex::new(Vec::new());

/// Remembers the moderator token of meeting `id`, for [`public_state`].
pub fn remember_moderator(id: &MeetingId, token: &str) {
    MODERATORS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((id.clone(), token.to_owned()));
}

fn moderator_of(id: &MeetingId) -> Option<String> {
    let all = MODERATORS.lock().unwrap_or_else(|p| p.into_inner());
    all.iter().rev().find(|(m, _)| m == id).map(|(_, t)| t.clone())
}

/// The state as anyone with the meeting's id reads it (no token).
pub async fn anonymous_state(base: &str, id: &MeetingId) -> Result<MeetingState> {
    let resp = reqwest::get(format!("{base}/api/meetings/{id}")).await?;
    if resp.status() != 200 {
        bail!("state failed: {}", resp.status());
    }
    Ok(resp.json().await?)
}

/// Remembers the organiser key of the server at `base`.
pub fn remember_organiser_key(base: &str, key: &str) {
    set_organiser_key(base, Some(key));
}

/// Sets what is remembered for the server now at `base`: its key, or none.
/// Every server a test starts says so, because ports are reused: a server
/// without a key must not inherit the key of one that listened there before
/// (it was sent, and refused as a wrong key).
pub fn set_organiser_key(base: &str, key: Option<&str>) {
    let mut keys = ORGANISER_KEYS.lock().unwrap_or_else(|p| p.into_inner());
    keys.retain(|(b, _)| b != base);
    if let Some(key) = key {
        keys.push((base.to_owned(), key.to_owned()));
    }
}

/// The organiser key remembered for the server at `base`, if any.
pub fn organiser_key(base: &str) -> Option<String> {
    let keys = ORGANISER_KEYS.lock().unwrap_or_else(|p| p.into_inner());
    keys.iter().find(|(b, _)| b == base).map(|(_, k)| k.clone())
}

/// Creates a meeting with `body` (a `POST /api/meetings` JSON), with the
/// server's organiser key when one is remembered for it.
pub async fn create_meeting(base: &str, body: Value) -> Result<Meeting> {
    create_meeting_as(base, body, organiser_key(base).as_deref()).await
}

/// Creates a meeting, with `Authorization: Bearer <key>` when the server needs the organiser key.
pub async fn create_meeting_as(base: &str, body: Value, organiser_key: Option<&str>) -> Result<Meeting> {
    let mut req = reqwest::Client::new().post(format!("{base}/api/meetings")).json(&body);
    if let Some(key) = organiser_key {
        req = req.bearer_auth(key);
    }
    let resp = req.send().await?;
    if resp.status() != 201 {
        bail!("create failed: {} {}", resp.status(), resp.text().await?);
    }
    let created: CreatedResponse = resp.json().await?;
    let moderator = after(&created.moderator_url, "#k=")?.to_owned();
    remember_moderator(&created.id, &moderator);
    Ok(Meeting {
        moderator: after(&created.moderator_url, "#k=")?.to_owned(),
        projector: after(&created.projector_url, "#k=")?.to_owned(),
        invite: after(&created.join_url, "?i=")?.to_owned(),
        created,
    })
}

/// `GET url` as text (a page, the Markdown or HTML minutes); panics on failure.
pub async fn get_text(url: &str) -> String {
    reqwest::get(url)
        .await
        .expect("a GET")
        .text()
        .await
        .expect("a text body")
}

/// `GET url` as JSON (any status).
pub async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> Result<T> {
    Ok(reqwest::get(url).await?.json().await?)
}

/// A meeting with the given agenda titles (15 minutes each) and default categories.
pub async fn simple_meeting(base: &str, title: &str, topics: &[&str]) -> Result<Meeting> {
    let agenda: Vec<Value> = topics.iter().map(|t| json!({"title": t, "minutes": 15})).collect();
    create_meeting(base, json!({"title": title, "place": "院坝", "agenda": agenda})).await
}

/// Joins as an attendee; returns the participant id and token.
pub async fn join(base: &str, m: &Meeting, name: &str, category: &str) -> Result<JoinResponse> {
    let body = json!({"invite": m.invite, "name": name, "category": category, "publish_name": true});
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/meetings/{}/join", m.id()))
        .json(&body)
        .send()
        .await?;
    if resp.status() != 201 {
        bail!("join failed: {} {}", resp.status(), resp.text().await?);
    }
    Ok(resp.json().await?)
}

/// The public state as the HTTP API serves it.
pub async fn public_state(base: &str, id: &MeetingId) -> Result<MeetingState> {
    let mut req = reqwest::Client::new().get(format!("{base}/api/meetings/{id}"));
    // The whole state, as the moderator reads it (anyone else gets it without
    // the names of people who did not agree to be named: see `anonymous_state`).
    if let Some(token) = moderator_of(id) {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await?;
    if resp.status() != 200 {
        bail!("state failed: {}", resp.status());
    }
    Ok(resp.json().await?)
}

/// `GET url` with `Authorization: Bearer <bearer>`, as JSON (any status).
pub async fn get_json_as<T: serde::de::DeserializeOwned>(url: &str, bearer: &str) -> Result<T> {
    Ok(reqwest::Client::new()
        .get(url)
        .bearer_auth(bearer)
        .send()
        .await?
        .json()
        .await?)
}

/// The stored log of a meeting, from its archive (as its moderator):
/// (seq, who caused it, the command id it answered) per record.
pub async fn stored_log(
    base: &str,
    m: &Meeting,
) -> Result<
    Vec<(
        babahui_shared::Seq,
        babahui_shared::Actor,
        Option<babahui_shared::CommandId>,
    )>,
> {
    let archive: Value = get_json_as(&format!("{base}/api/meetings/{}/archive.json", m.id()), &m.moderator).await?;
    let records = archive["records"].as_array().context("an archive has records")?;
    records
        .iter()
        .map(|r| {
            Ok((
                r["event"]["seq"].as_u64().context("seq")?,
                serde_json::from_value(r["event"]["by"].clone())?,
                serde_json::from_value(r["meta"]["command"].clone())?,
            ))
        })
        .collect()
}

/// Printable minutes with their `<bdi>` isolation taken out, to compare the
/// words as a reader sees them.
pub fn without_bdi(html: &str) -> String {
    html.replace("<bdi>", "").replace("</bdi>", "")
}
