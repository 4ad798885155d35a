//! `/m/{id}/notice`: the meeting's notice (议前通报), public before the
//! meeting and printable on A4 for the notice board: time, place, moderator,
//! who is invited to respond, the topics with their background and the
//! ledger matters each takes up (with their photos and 附议 count). Until the
//! meeting starts, residents may send an opinion to a topic from here (会前);
//! it waits under its topic and shows on the tablet and the projector when
//! the topic opens, and it is in the minutes.
//!
//! With the join link's code (`?i=`, the organiser's printout) the notice
//! carries the join QR code; without it (the link shared in a WeChat group)
//! it says to scan the code in the courtyard: the code keeps the meeting's
//! join to those who are given it, as it does everywhere else.

use super::shell::{document, keep_language, language, notice, photos, status_class, status_words};
use crate::http::access::same_origin;
use crate::http::assets;
use crate::http::phone::view::STANCES;
use crate::http::phone::words::Lang;
use crate::http::state::AppState;
use crate::service::Caller;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use babahui_shared::ledger::LedgerEntry;
use babahui_shared::limits::OPINION_MAX_CHARS;
use babahui_shared::minutes::escape;
use babahui_shared::model::Channel;
use babahui_shared::{Actor, Command, CommandId, MeetingId, MeetingState, Phase, TopicId};
use serde::Deserialize;
use std::fmt::Write;
use std::net::SocketAddr;

/// The notice's query.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    /// The join link's code: with it, the notice carries the join QR code.
    #[serde(default)]
    pub i: String,
    /// A language chosen on the page.
    #[serde(default)]
    pub lang: String,
    /// `sent`, or why an opinion was refused.
    #[serde(default)]
    pub done: String,
}

/// `GET /m/{id}/notice`
pub async fn page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
    headers: HeaderMap,
) -> Response {
    let (lang, chosen) = language(&headers, &q.lang);
    let Some(handle) = (match MeetingId::parse(&id) {
        Some(id) => app.hub.get(&id).await.ok(),
        None => None,
    }) else {
        let body = format!("<h1>{}</h1>", lang.pick("没有这个会议", "No such meeting"));
        return assets::page(&headers, StatusCode::NOT_FOUND, document(lang, "—", "/", &body));
    };
    let Ok(state) = handle.state().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    // The join QR only for the holder of the join link's code.
    let join = match handle.invite().await {
        Ok(code) if !q.i.is_empty() && crate::tokens::same_secret(&q.i, &code) => Some(crate::links::join_url(
            &app.config.links.for_request(&headers),
            handle.id(),
            &code,
        )),
        _ => None,
    };
    let mut entries = Vec::new();
    for t in &state.agenda {
        if let Some(n) = t.ledger {
            if let Ok(e) = app.ledger.get(n).await {
                entries.push(e);
            }
        }
    }
    let here = if q.i.is_empty() {
        format!("/m/{}/notice", state.id)
    } else {
        format!("/m/{}/notice?i={}", state.id, escape(&q.i))
    };
    let shown = Shown {
        here: &here,
        invite: &q.i,
        join: join.as_deref(),
        entries: &entries,
        done: &q.done,
    };
    let html = draw(lang, &state, shown);
    let mut r = assets::page(&headers, StatusCode::OK, html);
    keep_language(&mut r, lang, chosen);
    r
}

/// What the notice shows with.
struct Shown<'a> {
    /// Its address (for the language switch).
    here: &'a str,
    /// The join link's code it was opened with, if any.
    invite: &'a str,
    /// The join link, when that code is the meeting's.
    join: Option<&'a str>,
    /// The ledger matters its topics take up.
    entries: &'a [LedgerEntry],
    /// What the form just did.
    done: &'a str,
}

fn draw(lang: Lang, s: &MeetingState, shown: Shown<'_>) -> String {
    let Shown {
        here,
        invite,
        join,
        entries,
        done,
    } = shown;
    let title = format!("{} · {}", lang.pick("会前通报", "Meeting notice"), s.title);
    let mut b = format!(r#"<div class="notice-page"><h1>{}</h1>"#, escape(&title));
    match done {
        "" => {}
        "sent" => notice(
            &mut b,
            true,
            lang.pick(
                "已收到您的意见，开会讨论这个议题时会展示。",
                "Received: it is shown when the meeting takes up this topic.",
            ),
        ),
        words => notice(&mut b, false, words),
    }
    follow_link(&mut b, lang, s);
    b.push_str("<dl>");
    let mut fact = |zh: &'static str, en: &'static str, value: &str| {
        if !value.trim().is_empty() {
            let _ = write!(
                b,
                "<dt>{}</dt><dd>{}</dd>",
                lang.pick(zh, en),
                escape(value).replace('\n', "<br>")
            );
        }
    };
    fact("时间", "When", s.starts_at.as_deref().unwrap_or_default());
    fact("地点", "Where", &s.place);
    fact("主持人", "Moderator", s.moderator_name.as_deref().unwrap_or_default());
    fact("受邀回应", "Invited to respond", &s.invited);
    b.push_str("</dl>");
    let _ = write!(b, "<h2>{}</h2><ol class=\"topics\">", lang.pick("议题", "Topics"));
    for t in &s.agenda {
        let _ = write!(b, "<li><h3>{}</h3>", escape(&t.title));
        if t.minutes > 0 {
            let _ = write!(
                b,
                r#"<p class="hint">{} {} {}</p>"#,
                lang.pick("约", "About"),
                t.minutes,
                lang.pick("分钟", "min")
            );
        }
        if !t.background.is_empty() {
            let _ = write!(b, "<p>{}</p>", escape(&t.background).replace('\n', "<br>"));
        }
        photos(&mut b, lang, &t.photos);
        if let Some(e) = t.ledger.and_then(|n| entries.iter().find(|e| e.id == n)) {
            ledger_matter(&mut b, lang, e);
        }
        let before = s
            .opinions
            .iter()
            .filter(|o| o.topic == Some(t.id) && o.channel == Some(Channel::Before) && o.hidden.is_none())
            .count();
        if before > 0 {
            let _ = write!(
                b,
                r#"<p class="hint">{}{before}{}</p>"#,
                lang.pick("已收到会前意见 ", "Opinions sent before: "),
                lang.pick(" 条", "")
            );
        }
        b.push_str("</li>");
    }
    b.push_str("</ol>");
    match join {
        Some(url) => {
            // On paper: the notice's own code (read it, send an opinion
            // before) beside the join code for the day.
            let notice_url = format!("{}/notice", url.split('?').next().unwrap_or_default());
            let _ = write!(
                b,
                r#"<div class="codes"><div class="code"><h2>{}</h2><div class="qr">{}</div><p class="link">{}</p></div><div class="code"><h2>{}</h2><div class="qr">{}</div><p class="link">{}</p></div></div>"#,
                lang.pick(
                    "① 会前看通报、提意见；开会时线上旁听",
                    "① Read this and send an opinion before; follow it live from home"
                ),
                crate::qr::svg(&notice_url),
                escape(&notice_url),
                lang.pick(
                    "② 会议当天在现场扫码加入（不用注册）",
                    "② On the day, in the courtyard: scan to join (no sign-up)"
                ),
                crate::qr::svg(url),
                escape(url)
            );
        }
        None if s.phase == Phase::Ended => {}
        None => {
            let _ = write!(
                b,
                "<p>{}</p>",
                lang.pick(
                    "会议当天到现场扫二维码加入，不用注册。",
                    "On the day, scan the code in the courtyard to join; no sign-up."
                )
            );
        }
    }
    if s.phase == Phase::NotStarted {
        opinion_form(&mut b, lang, s, invite);
    }
    b.push_str("</div><style>.notice-page .qr svg{width:min(40vw,5cm);height:auto}.codes{display:flex;flex-wrap:wrap;gap:1.5rem}.codes .code{flex:1 1 14rem;border:1px solid #bbb;border-radius:8px;padding:.25rem .75rem}.codes h2{font-size:1.05rem;border:0}.codes .link{font-size:.85rem;word-break:break-all}.topics h3{margin:.5rem 0 .25rem}@page{size:A4;margin:12mm}@media print{body{font-size:12pt;line-height:1.45}.notice-page .qr svg{width:4.2cm}.notice-page .photos img{width:4cm}.card{padding:.25rem .5rem;margin:.25rem 0}h2{margin:.75rem 0 .25rem}}</style>");
    document(lang, &title, here, &b)
}

/// Where someone who cannot come goes: while the meeting runs, the follow
/// view (线上旁听) first of all; before it, a word that it will be there;
/// after it, what it decided.
fn follow_link(b: &mut String, lang: Lang, s: &MeetingState) {
    let id = &s.id;
    let _ = match s.phase {
        Phase::Running => write!(
            b,
            r#"<p class="noprint"><a class="button primary big follow-live" href="/m/{id}/follow">{}</a></p>"#,
            lang.pick("会议正在进行 · 线上旁听 →", "The meeting is on · follow it live →")
        ),
        Phase::NotStarted => write!(
            b,
            r#"<p class="noprint"><span class="hint">{}</span> <a class="button" href="/m/{id}/follow">{}</a></p>"#,
            lang.pick("不能到场？会议开始后可在这里", "Cannot come? Once it starts, you can"),
            lang.pick("线上旁听", "follow it from home")
        ),
        // The minutes once published; until then what the meeting decided
        // (the follow view's summary), not a draft.
        Phase::Ended if !s.publications.is_empty() => write!(
            b,
            r#"<p class="noprint"><a class="button" href="/m/{id}/minutes">{}</a></p>"#,
            lang.pick("会议已结束 · 看会议纪要", "The meeting has ended · read the minutes")
        ),
        Phase::Ended => write!(
            b,
            r#"<p class="noprint"><a class="button" href="/m/{id}/follow">{}</a></p>"#,
            lang.pick("会议已结束 · 看会议结果", "The meeting has ended · see what it decided")
        ),
    };
}

/// A ledger matter a topic takes up: where it stands, its 附议, its photos.
fn ledger_matter(b: &mut String, lang: Lang, e: &LedgerEntry) {
    let _ = write!(
        b,
        r#"<div class="card"><p class="hint">{}</p><a class="title" href="/public/ledger/{id}">#{id} {}</a><p><span class="status {}">{}</span></p>"#,
        lang.pick("台账事项", "Ledger matter"),
        escape(&e.title),
        status_class(e.status),
        status_words(lang, e.status),
        id = e.id,
    );
    if e.seconds > 0 {
        let _ = write!(
            b,
            "<p>{} {} {}</p>",
            lang.pick("附议", "Seconded by"),
            e.seconds,
            lang.pick("人", "residents")
        );
    }
    let shown: Vec<String> = e
        .history
        .iter()
        .flat_map(|u| u.photos.iter().cloned())
        .take(3)
        .collect();
    photos(b, lang, &shown);
    b.push_str("</div>");
}

fn opinion_form(b: &mut String, lang: Lang, s: &MeetingState, invite: &str) {
    let _ = write!(
        b,
        r#"<form class="noprint" method="post" action="/m/{id}/notice/opinion"><h2>{h}</h2><p class="hint">{hint}</p>
<fieldset><legend>{which}</legend><div class="choices">"#,
        id = s.id,
        h = lang.pick("会前提意见", "Send an opinion before the meeting"),
        hint = lang.pick(
            "不能到场也可以说。意见不署名，开会讨论这个议题时在屏幕上展示，并写入会议纪要。",
            "You can speak even if you cannot come. Opinions are unsigned, shown when the topic is discussed, and written in the minutes."
        ),
        which = lang.pick("关于哪个议题", "On which topic"),
    );
    for t in &s.agenda {
        let _ = write!(
            b,
            r#"<label><input type="radio" name="topic" value="{}" required>{}</label>"#,
            t.id.0,
            escape(&t.title)
        );
    }
    let _ = write!(
        b,
        r#"<label><input type="radio" name="topic" value="" required{}>{}</label></div></fieldset>
<fieldset><legend>{stance}</legend><div class="choices">"#,
        if s.agenda.is_empty() { " checked" } else { "" },
        lang.pick("整个会议", "The meeting as a whole"),
        stance = lang.t(crate::http::phone::words::Word::StanceOptional),
    );
    for (_, value, word) in STANCES {
        let _ = write!(
            b,
            r#"<label><input type="radio" name="stance" value="{value}">{}</label>"#,
            lang.t(word)
        );
    }
    let _ = write!(
        b,
        r#"</div></fieldset><label for="text">{}</label><textarea id="text" name="text" required maxlength="{OPINION_MAX_CHARS}"></textarea>
<input type="hidden" name="i" value="{}"><button type="submit">{}</button></form>"#,
        lang.pick("您的意见或问题", "Your opinion or question"),
        escape(invite),
        lang.pick("提交意见", "Send"),
    );
}

/// The notice page's opinion form.
#[derive(Debug, Default, Deserialize)]
pub struct OpinionForm {
    /// The topic's number; empty: the meeting as a whole.
    #[serde(default)]
    topic: String,
    /// `support`, `oppose`, `suggest`, `question`, or empty.
    #[serde(default)]
    stance: String,
    /// The opinion.
    #[serde(default)]
    text: String,
    /// The join link's code the notice was opened with, to return to it.
    #[serde(default)]
    i: String,
}

/// `POST /m/{id}/notice/opinion`: an opinion before the meeting (会前).
pub async fn opinion(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<OpinionForm>,
) -> Response {
    if let Err(e) = same_origin(&headers, &app.config.allowed_origins) {
        return e.into_response();
    }
    let Some(handle) = (match MeetingId::parse(&id) {
        Some(id) => app.hub.get(&id).await.ok(),
        None => None,
    }) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Back to the notice it was sent from, keeping the join code if it had one.
    let back = |done: &str| {
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let invite = if form.i.is_empty() {
            String::new()
        } else {
            format!("i={}&", enc(&form.i))
        };
        Redirect::to(&format!("/m/{}/notice?{invite}done={}", handle.id(), enc(done))).into_response()
    };
    if let Err(e) = app.per_address.outside_opinion(peer.ip()) {
        return back(&e.message);
    }
    let topic = form.topic.trim().parse::<u32>().ok().map(TopicId);
    let stance = STANCES.iter().find(|(_, v, _)| *v == form.stance).map(|(s, _, _)| *s);
    let cmd = Command::SubmitOpinion {
        text: form.text,
        category: None,
        stance,
        author: Default::default(),
        topic: Some(topic),
        voice: None,
    };
    let caller = Caller {
        actor: Actor::Public,
        token: None,
    };
    let cmd_id = CommandId(format!("before-{}", crate::tokens::new_token()));
    match app.meetings.command(&handle, caller, cmd_id, cmd).await {
        Ok(_) => back("sent"),
        Err(e) => back(&crate::http::ApiError::from(e).message),
    }
}
