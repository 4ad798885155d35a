//! The minutes (会议纪要) over HTTP: JSON, Markdown and printable HTML of the
//! latest published version (or `?version=N`), or of the draft before any
//! publication; and objections (异议) from anyone with the link.

use super::access::{meeting, MeetingPath};
use super::error::{ApiError, ApiJson};
use super::state::AppState;
use crate::service::Caller;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::api::{Filed, MinutesDoc, ObjectionRequest, VersionLine};
use babahui_shared::minutes::{self};
use babahui_shared::{Actor, Command, CommandId, ErrorCode, MinutesStatus, Objection};
use serde::Deserialize;
use std::net::SocketAddr;

/// Which version to show.
#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    /// A published version; default: the latest (or the draft).
    #[serde(default)]
    pub version: Option<u32>,
}

async fn load(app: &AppState, id: &str, q: &VersionQuery) -> Result<MinutesDoc, ApiError> {
    let state = meeting(app, id).await?.state().await?;
    let versions = state.publications.iter().map(|p| p.version).collect();
    let history: Vec<VersionLine> = state
        .publications
        .iter()
        .map(|p| VersionLine {
            version: p.version,
            at: p.at,
            notice_until: p.notice_until(),
            reason: p.reason.clone(),
        })
        .collect();
    let status = state.minutes_status(app.hub.clock().now_ms());
    let chosen = match q.version {
        Some(v) => Some(
            state
                .publications
                .iter()
                .find(|p| p.version == v)
                .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no published version {v}")))?,
        ),
        None => state.publications.last(),
    };
    Ok(match chosen {
        Some(p) => MinutesDoc {
            status,
            version: Some(p.version),
            versions,
            history,
            published_at: Some(p.at),
            notice_until: Some(p.notice_until()),
            minutes: p.minutes.clone(),
            objections: state.objections.iter().filter(|o| !o.spam).cloned().collect(),
            spam_objections: state.objections.iter().filter(|o| o.spam).count(),
        },
        None => MinutesDoc {
            status,
            version: None,
            versions,
            history,
            published_at: None,
            notice_until: None,
            minutes: minutes::build(&state, "", true),
            objections: Vec::new(),
            spam_objections: 0,
        },
    })
}

/// 草稿 / 公示中 / 有异议待答复 / 已备案, for the heading.
fn status_line(doc: &MinutesDoc, phase_hint: &str) -> String {
    match (doc.status, doc.version) {
        (_, None) => format!("草稿（未公示）{phase_hint}"),
        (MinutesStatus::Notice { open_objections, .. }, Some(v)) => {
            format!("第{v}版 · 公示中 · 待答复异议 {open_objections} 条")
        }
        (MinutesStatus::Disputed { open_objections }, Some(v)) => {
            format!("第{v}版 · 公示期满，有 {open_objections} 条异议待答复")
        }
        (MinutesStatus::Filed, Some(v)) => format!("第{v}版 · 已备案"),
        (MinutesStatus::Draft, Some(v)) => format!("第{v}版"),
    }
}

/// `GET /api/meetings/{id}/minutes.json`
pub async fn json(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<MinutesDoc>, ApiError> {
    Ok(Json(load(&app, &id, &q).await?))
}

/// `GET /api/meetings/{id}/minutes.md`
pub async fn markdown(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, ApiError> {
    let doc = load(&app, &id, &q).await?;
    let mut md = format!("> {}\n\n", status_line(&doc, ""));
    md.push_str(&minutes::to_markdown(&doc.minutes));
    append_objections_md(&mut md, &doc.objections, doc.spam_objections);
    if doc.history.len() > 1 {
        md.push_str("\n## 版本记录\n\n");
        for v in &doc.history {
            md.push_str(&format!("- {}\n", minutes::md_escape(&version_text(v))));
        }
    }
    Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], md).into_response())
}

/// `GET /api/meetings/{id}/minutes.html` (printable, A4)
pub async fn html(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, ApiError> {
    let doc = load(&app, &id, &q).await?;
    let mut page = minutes::to_html(&doc.minutes, &status_line(&doc, ""));
    if !doc.objections.is_empty() || doc.spam_objections > 0 {
        let mut extra = String::from("<section><h2>异议及答复</h2><ol>");
        for o in &doc.objections {
            extra.push_str(&format!(
                "<li>{}{}<br>答复：{}</li>",
                o.name
                    .as_deref()
                    .map(|n| format!("{}：", minutes::isolate(n)))
                    .unwrap_or_default(),
                minutes::isolate(&o.text),
                minutes::isolate(o.answer.as_deref().unwrap_or("（待答复）"))
            ));
        }
        extra.push_str("</ol>");
        if doc.spam_objections > 0 {
            extra.push_str(&format!("<p>{}</p>", spam_line(doc.spam_objections)));
        }
        extra.push_str("</section>");
        page = page.replace("</main>", &format!("{extra}</main>"));
    }
    if doc.history.len() > 1 {
        let mut extra = String::from("<section class=\"versions\"><h2>版本记录</h2><ul>");
        for v in &doc.history {
            extra.push_str(&format!("<li>{}</li>", minutes::isolate(&version_text(v))));
        }
        extra.push_str("</ul></section>");
        page = page.replace("</main>", &format!("{extra}</main>"));
    }
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

/// 第2版（更正版）2026-12-03 公示，更正原因：补充三楼住户意见
fn version_text(v: &VersionLine) -> String {
    let date = crate::service::ledger::date_of(v.at);
    match &v.reason {
        None => format!("第{}版 {date} 公示", v.version),
        Some(r) => format!("第{}版（更正版）{date} 公示，更正原因：{r}", v.version),
    }
}

/// 另有 3 条异议被主持人标为刷屏，不计入。
fn spam_line(n: usize) -> String {
    format!("另有 {n} 条异议被主持人标为刷屏或无关内容，保存在记录中，不计入。")
}

fn append_objections_md(md: &mut String, objections: &[Objection], spam: usize) {
    if objections.is_empty() && spam == 0 {
        return;
    }
    md.push_str("## 异议及答复\n\n");
    for o in objections {
        let e = minutes::md_escape;
        let who = o.name.as_deref().map(|n| format!("{}：", e(n))).unwrap_or_default();
        let answer = o.answer.as_deref().map(e).unwrap_or_else(|| "（待答复）".into());
        md.push_str(&format!("{}. {who}{}\n   - 答复：{answer}\n", o.id, e(&o.text)));
    }
    if spam > 0 {
        md.push_str(&format!("\n{}\n", spam_line(spam)));
    }
}

/// `POST /api/meetings/{id}/objections`: anyone with the link, during the notice period.
pub async fn object(
    State(app): State<AppState>,
    MeetingPath(handle): MeetingPath,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<ObjectionRequest>,
) -> Result<(StatusCode, Json<Filed>), ApiError> {
    app.per_address.objection(peer.ip())?;
    if app
        .directory
        .meeting_index(handle.id())
        .await?
        .is_some_and(|i| i.origin.is_some())
    {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "this is the district's copy of a meeting held on a community's laptop: objections go to that community",
        ));
    }
    let cmd_id = CommandId(format!("objection-{}", crate::tokens::new_token()));
    let cmd = Command::FileObjection {
        topic: req.topic,
        text: req.text,
        name: req.name,
        now: 0,
    };
    let caller = Caller {
        actor: Actor::Public,
        token: None,
    };
    let ack = app.meetings.command(&handle, caller, cmd_id, cmd).await?;
    Ok((
        StatusCode::CREATED,
        Json(Filed {
            objection: ack.created,
            seq: ack.seq,
        }),
    ))
}
