//! `/public/ledger`: a community's issue ledger as residents read it
//! (向群众晒事): what was raised, what was promised, by whom, by when, where
//! it stands, the photos, the residents' ratings — what a resident would show
//! a neighbour — and the 附议 button. It shows no contact, no credential, no
//! matter still waiting in the inbox.

use super::report::{choose_page, entry_steps, whose, ReportQuery, Whose};
use super::shell::{document, keep_language, language, notice, status_class, status_words};
use crate::http::access::same_origin;
use crate::http::assets;
use crate::http::matters::phone_id;
use crate::http::phone::words::Lang;
use crate::http::state::AppState;
use crate::service::ledger::today;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use babahui_shared::directory::Community;
use babahui_shared::ledger::{LedgerEntry, LedgerSource, LedgerStatus};
use babahui_shared::minutes::escape;
use serde::Deserialize;
use std::fmt::Write;
use std::net::SocketAddr;

/// Whether `e` belongs on `c`'s public page.
fn of(c: &Option<Community>, e: &LedgerEntry) -> bool {
    e.community.as_deref() == c.as_ref().map(|c| c.id.as_str())
}

/// Where an entry came from, in a resident's words.
fn source_words(lang: Lang, s: &LedgerSource) -> String {
    match s {
        LedgerSource::Reported { .. } => lang.pick("居民反映", "Raised by a resident").into(),
        LedgerSource::Collected { .. } => lang.pick("居委会收集", "Collected by the committee").into(),
        LedgerSource::Commitment { meeting_name, .. } => {
            format!("{}{}", lang.pick("会议承诺 ", "Promised at "), escape(meeting_name))
        }
        LedgerSource::Opinion { meeting_name, .. } => {
            format!("{}{}", lang.pick("会上意见 ", "Raised at "), escape(meeting_name))
        }
        LedgerSource::Topic { meeting_name, .. } => {
            format!(
                "{}{}",
                lang.pick("待再议 ", "To deliberate again, from "),
                escape(meeting_name)
            )
        }
    }
}

/// `GET /public/ledger`: the community's ledger, open matters first.
pub async fn list(State(app): State<AppState>, Query(q): Query<ReportQuery>, headers: HeaderMap) -> Response {
    let (lang, chosen) = language(&headers, &q.lang);
    let title_words = lang.pick("问题台账 · 办理公示", "Issue ledger · what was done");
    let c = match whose(&app, &q.c).await {
        Whose::One(c) => c,
        Whose::Choose(all) => {
            return assets::page(
                &headers,
                StatusCode::OK,
                choose_page(lang, title_words, "/public/ledger", &all),
            )
        }
        Whose::Unknown => {
            return assets::page(
                &headers,
                StatusCode::NOT_FOUND,
                document(lang, "—", "/public/ledger", "<h1>—</h1>"),
            )
        }
    };
    let Ok(all) = app.ledger.all().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let mut entries: Vec<LedgerEntry> = all.into_iter().filter(|e| of(&c, e)).collect();
    // Open matters first (the newest first), then those done.
    entries.sort_by_key(|e| (e.status >= LedgerStatus::Done, std::cmp::Reverse(e.id)));
    let title = match &c {
        Some(c) => format!("{} · {title_words}", c.name),
        None => title_words.to_owned(),
    };
    let query = c.as_ref().map(|c| format!("?c={}", c.id)).unwrap_or_default();
    let mut b = format!(
        r#"<h1>{}</h1><p><a class="button" href="/report{query}">{}</a></p>"#,
        escape(&title),
        lang.pick("我要反映问题", "Report a problem")
    );
    let open = entries.iter().filter(|e| e.status < LedgerStatus::Done).count();
    let _ = write!(
        b,
        "<p>{} {} · {} {}</p>",
        lang.pick("办理中或待议", "Open"),
        open,
        lang.pick("已办结", "Done"),
        entries.len() - open
    );
    if entries.is_empty() {
        let _ = write!(
            b,
            "<p>{}</p>",
            lang.pick("台账里还没有问题。", "Nothing in the ledger yet.")
        );
    }
    let today = today();
    for e in &entries {
        let _ = write!(
            b,
            r#"<div class="card"><h3><a class="title" href="/public/ledger/{id}">#{id} {title}</a></h3>
<p><span class="status {class}">{status}</span> {overdue}</p><p class="hint">{source}{resp}{deadline}{seconds}</p></div>"#,
            id = e.id,
            title = escape(&e.title),
            class = status_class(e.status),
            status = status_words(lang, e.status),
            overdue = if e.overdue(&today) {
                format!(r#"<b class="overdue">{}</b>"#, lang.pick("已超期", "Overdue"))
            } else {
                String::new()
            },
            source = source_words(lang, &e.source),
            resp = if e.responsible.is_empty() {
                String::new()
            } else {
                format!(
                    " · {}{}",
                    lang.pick("责任人：", "Responsible: "),
                    escape(&e.responsible)
                )
            },
            deadline = e
                .deadline
                .as_ref()
                .map(|d| format!(" · {}{}", lang.pick("时限：", "Deadline: "), escape(d)))
                .unwrap_or_default(),
            seconds = if e.seconds > 0 {
                format!(" · {}{}", lang.pick("附议 ", "Seconded "), e.seconds)
            } else {
                String::new()
            },
        );
    }
    let mut r = assets::page(
        &headers,
        StatusCode::OK,
        document(lang, &title, &format!("/public/ledger{query}"), &b),
    );
    keep_language(&mut r, lang, chosen);
    r
}

/// What the entry page was sent back with.
#[derive(Debug, Default, Deserialize)]
pub struct EntryQuery {
    /// A language chosen on the page.
    #[serde(default)]
    pub lang: String,
    /// `seconded`, `again`, or a refusal.
    #[serde(default)]
    pub done: String,
}

/// `GET /public/ledger/{entry}`: one matter, its steps and photos, and 附议.
pub async fn entry(
    State(app): State<AppState>,
    Path(id): Path<u32>,
    Query(q): Query<EntryQuery>,
    headers: HeaderMap,
) -> Response {
    let (lang, chosen) = language(&headers, &q.lang);
    let here = format!("/public/ledger/{id}");
    let Ok(e) = app.ledger.get(id).await else {
        let body = format!("<h1>{}</h1>", lang.pick("没有这个问题", "No such matter"));
        return assets::page(&headers, StatusCode::NOT_FOUND, document(lang, "—", &here, &body));
    };
    let title = format!("#{} {}", e.id, e.title);
    let mut b = format!("<h1>{}</h1>", escape(&title));
    match q.done.as_str() {
        "seconded" => notice(&mut b, true, lang.pick("已附议，谢谢。", "Seconded. Thank you.")),
        "again" => notice(
            &mut b,
            true,
            lang.pick("您已经附议过了。", "You have seconded this already."),
        ),
        "slow" => notice(
            &mut b,
            false,
            lang.pick("附议太频繁，请稍后再试。", "Too many at once: try again shortly."),
        ),
        _ => {}
    }
    let _ = write!(
        b,
        r#"<p class="hint">{}</p><p>{}</p>"#,
        source_words(lang, &e.source),
        escape(&e.description).replace('\n', "<br>")
    );
    let (phone, _) = phone_id(&headers);
    let seconded = app.matters.has_seconded(e.id, &phone).await.unwrap_or(false);
    if e.status < LedgerStatus::Done && seconded {
        let _ = write!(
            b,
            r#"<p class="notice done">{} {} {}</p>"#,
            lang.pick("您已附议。共", "You seconded this. In all"),
            e.seconds,
            lang.pick("人附议。", "residents seconded it.")
        );
    } else if e.status < LedgerStatus::Done {
        let _ = write!(
            b,
            r#"<form method="post" action="{here}/second"><p>{}</p><button type="submit">{} （{}）</button></form>"#,
            lang.pick(
                "您也遇到这个问题？附议让居委会知道有多少人关心。",
                "You have this problem too? Second it: the committee sees how many care."
            ),
            lang.pick("我也关心，附议", "Me too: second it"),
            e.seconds
        );
    }
    entry_steps(&mut b, lang, &e);
    let back = e.community.as_ref().map(|c| format!("?c={c}")).unwrap_or_default();
    let _ = write!(
        b,
        r#"<p><a class="button quiet" href="/public/ledger{back}">{}</a></p>"#,
        lang.pick("返回台账", "Back to the ledger")
    );
    let mut r = assets::page(&headers, StatusCode::OK, document(lang, &title, &here, &b));
    keep_language(&mut r, lang, chosen);
    if let (_, Some(cookie)) = phone_id(&headers) {
        r.headers_mut().append(header::SET_COOKIE, cookie);
    }
    r
}

/// `POST /public/ledger/{entry}/second`: the page's 附议 button.
pub async fn second(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<u32>,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = same_origin(&headers, &app.config.allowed_origins) {
        return e.into_response();
    }
    let (phone, made) = phone_id(&headers);
    let done = match app.matters.second(id, &phone, peer.ip()).await {
        Ok((_, true)) => "seconded",
        Ok((_, false)) => "again",
        Err(crate::service::ServiceError::Refused(e)) if e.code == babahui_shared::ErrorCode::RateLimited => "slow",
        Err(e) => return crate::http::ApiError::from(e).into_response(),
    };
    let mut r = Redirect::to(&format!("/public/ledger/{id}?done={done}")).into_response();
    if let Some(cookie) = made {
        r.headers_mut().append(header::SET_COOKIE, cookie);
    }
    r
}
