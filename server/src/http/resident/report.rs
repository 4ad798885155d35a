//! `/report`: the community's "反映问题" page (听群众说事), its printable A4
//! notice for the notice board and the lift, and the submitter's private
//! follow page. Plain forms, drawn by the server: they work in WeChat's
//! browser, on an old phone, with no script.

use super::shell::{document, keep_language, language, notice, photos, status_class, status_words};
use crate::http::access::same_origin;
use crate::http::assets;
use crate::http::matters::{follow_url, read_form};
use crate::http::phone::words::Lang;
use crate::http::state::AppState;
use crate::service::ledger::date_of;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use babahui_shared::directory::Community;
use babahui_shared::ledger::LedgerEntry;
use babahui_shared::limits::{OPINION_MAX_CHARS, PHOTOS_MAX};
use babahui_shared::matters::{Matter, MatterStatus, NewMatter, MATTER_CATEGORIES};
use babahui_shared::minutes::escape;
use serde::Deserialize;
use std::fmt::Write;
use std::net::SocketAddr;

/// The pages' query.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    /// The community (`?c=`), on a server with several.
    #[serde(default)]
    pub c: String,
    /// A language chosen on the page.
    #[serde(default)]
    pub lang: String,
    /// The follow link's key.
    #[serde(default)]
    pub k: String,
}

/// Which community a page is for: the one named, none on a server without
/// communities, or — on a server with several and none named — the page
/// that lists them to choose from.
#[derive(Debug)]
pub enum Whose {
    /// This one (none: the server's only, implicit one).
    One(Option<Community>),
    /// Choose one of these.
    Choose(Vec<Community>),
    /// None by that id.
    Unknown,
}

/// The community `c` names, as a page needs it.
pub async fn whose(app: &AppState, c: &str) -> Whose {
    if !c.is_empty() {
        return match app.directory.community(c).await {
            Ok(found) => Whose::One(Some(found)),
            Err(_) => Whose::Unknown,
        };
    }
    match app.directory.communities().await {
        Ok(all) if all.is_empty() => Whose::One(None),
        Ok(all) => Whose::Choose(all),
        Err(_) => Whose::Unknown,
    }
}

/// The page that says which community, when the address did not.
pub fn choose_page(lang: Lang, title: &str, path: &str, all: &[Community]) -> String {
    let mut body = format!(
        "<h1>{}</h1><p>{}</p>",
        escape(title),
        lang.pick("请选择您所在的社区：", "Choose your community:")
    );
    for c in all {
        let _ = write!(
            body,
            r#"<a class="button quiet" href="{path}?c={id}">{name}</a>"#,
            id = escape(&c.id),
            name = escape(&c.name)
        );
    }
    document(lang, title, path, &body)
}

fn community_query(c: &Option<Community>) -> String {
    c.as_ref().map(|c| format!("?c={}", c.id)).unwrap_or_default()
}

fn heading(lang: Lang, c: &Option<Community>, what_zh: &'static str, what_en: &'static str) -> String {
    match c {
        Some(c) => format!("{} · {}", c.name, lang.pick(what_zh, what_en)),
        None => lang.pick(what_zh, what_en).to_owned(),
    }
}

/// The form, with what was typed before a refusal.
fn form_page(lang: Lang, c: &Option<Community>, draft: &NewMatter, refused: Option<&str>) -> String {
    let title = heading(lang, c, "反映问题", "Report a problem");
    let mut b = format!("<h1>{}</h1>", escape(&title));
    if let Some(words) = refused {
        notice(&mut b, false, words);
        if !words.is_empty() {
            b.push_str(&format!(
                r#"<p class="hint">{}</p>"#,
                lang.pick("照片需要重新选择。", "Please choose the photos again.")
            ));
        }
    }
    let _ = write!(
        b,
        r#"<p>{intro}</p>
<form method="post" action="/report" enctype="multipart/form-data">
<input type="hidden" name="c" value="{c}">
<label for="text">{what}</label><textarea id="text" name="text" required maxlength="{max}">{text}</textarea>
<fieldset><legend>{kind}</legend><div class="choices">"#,
        intro = lang.pick(
            "小区里有什么问题或建议？写下来，居委会会看到并回复。受理后，问题和照片会公开在台账上；您留的姓名和电话只给居委会，不公开。",
            "A problem or an idea for the neighbourhood? Write it here: the residents' committee reads it and answers. Once accepted, the matter and its photos are public in the ledger; a name and phone you leave go to the committee only."
        ),
        c = escape(&c.as_ref().map(|c| c.id.clone()).unwrap_or_default()),
        what = lang.pick("问题或建议（必填）", "The problem or idea (required)"),
        max = OPINION_MAX_CHARS,
        text = escape(&draft.text),
        kind = lang.pick("类别", "Category"),
    );
    for (i, cat) in MATTER_CATEGORIES.iter().enumerate() {
        let checked = draft.category == *cat || (draft.category.is_empty() && i + 1 == MATTER_CATEGORIES.len());
        let _ = write!(
            b,
            r#"<label><input type="radio" name="category" value="{cat}"{}>{}</label>"#,
            if checked { " checked" } else { "" },
            category_words(lang, cat)
        );
    }
    let _ = write!(
        b,
        r#"</div></fieldset>
<label for="place">{where_}</label><input type="text" id="place" name="place" value="{place}" maxlength="100">
<label for="photo">{photo}</label><p class="hint">{photo_hint}</p><input type="file" id="photo" name="photo" accept="image/*" multiple>
<fieldset><legend>{contact}</legend><p class="hint">{contact_hint}</p>
<label for="contact_name">{name}</label><input type="text" id="contact_name" name="contact_name" value="{cn}" maxlength="40">
<label for="contact_phone">{phone}</label><input type="tel" id="contact_phone" name="contact_phone" value="{cp}" maxlength="20"></fieldset>
<button type="submit">{send}</button></form>"#,
        where_ = lang.pick("在哪里（楼栋、单元，可不填）", "Where (building, unit; optional)"),
        place = escape(&draft.place),
        photo = lang.pick("照片（可不选，最多3张）", "Photos (optional, up to 3)"),
        photo_hint = lang.pick("照片里的位置信息会被去掉。", "Location data is removed from photos."),
        contact = lang.pick("联系方式（可不填）", "Contact (optional)"),
        contact_hint = lang.pick(
            "只给居委会，用于回访，不公开。",
            "For the committee only, to call you back. Never published."
        ),
        name = lang.pick("姓名", "Name"),
        cn = escape(&draft.contact_name),
        phone = lang.pick("电话", "Phone"),
        cp = escape(&draft.contact_phone),
        send = lang.pick("提交", "Send"),
    );
    document(lang, &title, &format!("/report{}", community_query(c)), &b)
}

/// The way to the community's public ledger (what others raised, how it was handled).
fn ledger_link(lang: Lang, c: &Option<Community>) -> String {
    format!(
        r#"<p><a class="button quiet" href="/public/ledger{}">{}</a></p>"#,
        community_query(c),
        lang.pick(
            "看看大家反映的问题和办理进展",
            "See what neighbours raised and how it was handled"
        )
    )
}

/// A category in the page's language.
fn category_words(lang: Lang, zh: &str) -> String {
    let en = match zh {
        "环境卫生" => "Cleanliness",
        "基础设施" => "Facilities",
        "物业管理" => "Property management",
        "市民素质" => "Civility",
        "治安防范" => "Safety and security",
        "社区服务" => "Community services",
        "其他" => "Other",
        other => other,
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// The cookie that keeps, on the submitter's phone, the follow links of what
/// they reported there (`id.key|id.key`, newest first): going back to the
/// report page lists them, so nobody depends on a screenshot of a link.
const REPORTS_COOKIE: &str = "bbh_reports";
/// Reports a phone remembers.
const REPORTS_KEPT: usize = 10;

/// The follow links this phone remembers: (number, key).
fn remembered(headers: &HeaderMap) -> Vec<(u32, String)> {
    crate::http::access::cookie_value(headers, REPORTS_COOKIE)
        .unwrap_or_default()
        .split('|')
        .filter_map(|pair| {
            let (id, key) = pair.split_once('.')?;
            let ok = key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            Some((id.parse().ok()?, key.to_owned())).filter(|_| ok)
        })
        .take(REPORTS_KEPT)
        .collect()
}

/// The cookie with one more report remembered.
fn remember(headers: &HeaderMap, id: u32, key: &str) -> String {
    let mut all = vec![(id, key.to_owned())];
    all.extend(remembered(headers).into_iter().filter(|(n, _)| *n != id));
    all.truncate(REPORTS_KEPT);
    let value: Vec<String> = all.iter().map(|(n, k)| format!("{n}.{k}")).collect();
    format!(
        "{REPORTS_COOKIE}={}; Path=/report; Max-Age=31536000; HttpOnly; SameSite=Lax",
        value.join("|")
    )
}

/// What this phone reported before, with where each stands, for the form's page.
async fn mine(app: &AppState, headers: &HeaderMap, lang: Lang) -> String {
    let mut out = String::new();
    for (id, key) in remembered(headers) {
        if let Ok((m, entry)) = app.matters.follow(id, &key).await {
            let first: String = m.text.chars().take(24).collect();
            let stands = match &entry {
                Some(e) => status_words(lang, e.status),
                None => matter_status_words(lang, &m.status),
            };
            let _ = write!(
                out,
                r#"<a class="button quiet" href="/report/{id}?k={key}">{} · {}</a>"#,
                escape(&first),
                stands
            );
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("<h2>{}</h2>{out}", lang.pick("我反映过的问题", "What I reported"))
}

/// `GET /report`: the form (or, on a server with several communities and no `?c=`, the choice).
pub async fn form(State(app): State<AppState>, Query(q): Query<ReportQuery>, headers: HeaderMap) -> Response {
    let (lang, chosen) = language(&headers, &q.lang);
    let mut r = match whose(&app, &q.c).await {
        Whose::One(c) => {
            let mut html = form_page(lang, &c, &NewMatter::default(), None);
            let extra = mine(&app, &headers, lang).await + &ledger_link(lang, &c);
            if let Some(i) = html.rfind("</body>") {
                html.insert_str(i, &extra);
            }
            assets::page(&headers, StatusCode::OK, html)
        }
        Whose::Choose(all) => assets::page(
            &headers,
            StatusCode::OK,
            choose_page(lang, lang.pick("反映问题", "Report a problem"), "/report", &all),
        ),
        Whose::Unknown => not_found(&headers, lang),
    };
    keep_language(&mut r, lang, chosen);
    r
}

fn not_found(headers: &HeaderMap, lang: Lang) -> Response {
    let body = format!(
        "<h1>{}</h1><p>{}</p>",
        lang.pick("找不到这个页面", "Page not found"),
        lang.pick(
            "链接可能不完整。请重新扫码，或向居委会要新的链接。",
            "The link may be cut short. Scan the code again, or ask the committee for the link."
        )
    );
    assets::page(headers, StatusCode::NOT_FOUND, document(lang, "—", "/report", &body))
}

/// `POST /report`: the form sent; on success, to the follow page (whose
/// address is the submitter's private link).
pub async fn send(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let lang = Lang::of(&headers);
    let refuse = |c: &Option<Community>, draft: &NewMatter, status: StatusCode, words: &str| {
        assets::page(&headers, status, form_page(lang, c, draft, Some(words)))
    };
    if let Err(e) = same_origin(&headers, &app.config.allowed_origins) {
        return e.into_response();
    }
    let (new, photos) = match read_form(form).await {
        Ok(sent) => sent,
        Err(e) => return refuse(&None, &NewMatter::default(), StatusCode::BAD_REQUEST, &e.message),
    };
    let c = match whose(&app, new.community.as_deref().unwrap_or_default()).await {
        Whose::One(c) => c,
        _ => return not_found(&headers, lang),
    };
    if new.text.trim().is_empty() {
        let words = lang.pick("请写下问题或建议。", "Please write the problem or idea.");
        return refuse(&c, &new, StatusCode::BAD_REQUEST, words);
    }
    if photos.len() > PHOTOS_MAX {
        let words = lang.pick("最多3张照片。", "At most 3 photos.");
        return refuse(&c, &new, StatusCode::BAD_REQUEST, words);
    }
    let now = app.hub.clock().now_ms();
    match app.matters.submit(new.clone(), photos, peer.ip(), now).await {
        Ok((matter, key)) => {
            let mut r = Redirect::to(&follow_url("", matter.id, &key)).into_response();
            if let Ok(v) = remember(&headers, matter.id, &key).parse() {
                r.headers_mut().append(axum::http::header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => {
            let e = crate::http::ApiError::from(e);
            refuse(&c, &new, e.status, &e.message)
        }
    }
}

/// `GET /report/{id}?k=`: the submitter's page: where their matter stands, step by step.
pub async fn followed(
    State(app): State<AppState>,
    Path(id): Path<u32>,
    Query(q): Query<ReportQuery>,
    headers: HeaderMap,
) -> Response {
    let (lang, chosen) = language(&headers, &q.lang);
    let mut r = match app.matters.follow(id, &q.k).await {
        Ok((matter, entry)) => {
            let here = format!("/report/{id}?k={}", q.k);
            let base = app.config.links.for_request(&headers);
            let html = follow_page(lang, &here, &format!("{base}{here}"), &matter, entry.as_ref());
            let mut r = assets::page(&headers, StatusCode::OK, html);
            // The key is in the address: a page with it is not kept by shared caches.
            r.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("private, no-store"),
            );
            r
        }
        Err(_) => not_found(&headers, lang),
    };
    keep_language(&mut r, lang, chosen);
    r
}

fn matter_status_words(lang: Lang, s: &MatterStatus) -> &'static str {
    match (lang, s) {
        (Lang::Zh, s) => s.zh(),
        (Lang::En, MatterStatus::New) => "Received, waiting",
        (Lang::En, MatterStatus::Accepted { .. }) => "Accepted",
        (Lang::En, MatterStatus::Merged { .. }) => "Joined to a matter already raised",
        (Lang::En, MatterStatus::Declined { .. }) => "Not taken up",
        (Lang::En, MatterStatus::Hidden) => "Closed",
    }
}

fn follow_page(lang: Lang, here: &str, link: &str, m: &Matter, entry: Option<&LedgerEntry>) -> String {
    let title = format!("{} {}", lang.pick("我反映的问题 · 第", "My report · No. "), m.id) + lang.pick("号", "");
    let mut b = format!("<h1>{}</h1>", escape(&title));
    let class = match &m.status {
        MatterStatus::New => "st-new",
        MatterStatus::Accepted { .. } => "st-accepted",
        MatterStatus::Merged { .. } => "st-merged",
        MatterStatus::Declined { .. } => "st-declined",
        MatterStatus::Hidden => "st-hidden",
    };
    let _ = write!(
        b,
        r#"<p><span class="status {class}">{}</span>{}</p>"#,
        matter_status_words(lang, &m.status),
        entry
            .map(|e| format!(
                r#" <span class="status {}">{}</span>"#,
                status_class(e.status),
                status_words(lang, e.status)
            ))
            .unwrap_or_default()
    );
    match &m.status {
        MatterStatus::New => notice(
            &mut b,
            true,
            lang.pick(
                "已收到。居委会看过后会在这里回复。这台手机会记住它：再打开“反映问题”页面就能找到。",
                "Received. The committee answers here once they have read it. This phone remembers it: open the report page again to find it.",
            ),
        ),
        MatterStatus::Declined { reason } => {
            let _ = write!(b, "<p><b>{}</b>{}</p>", lang.pick("原因：", "Why: "), escape(reason));
        }
        MatterStatus::Hidden => {
            let _ = write!(b, "<p>{}</p>", lang.pick("这条反映不予公开。", "This report is not published."));
        }
        _ => {}
    }
    let _ = write!(
        b,
        r#"<h2>{}</h2><p>{}</p><p class="hint">{} · {}{}</p>"#,
        lang.pick("您写的", "What you wrote"),
        escape(&m.text).replace('\n', "<br>"),
        escape(&category_words(lang, &m.category)),
        date_of(m.at),
        if m.place.is_empty() {
            String::new()
        } else {
            format!(" · {}", escape(&m.place))
        },
    );
    photos(&mut b, lang, &m.photos);
    if let Some(e) = entry {
        // Her photos are shown above: the steps show the others.
        let mut e = e.clone();
        for u in &mut e.history {
            u.photos.retain(|p| !m.photos.contains(p));
        }
        entry_steps(&mut b, lang, &e);
    }
    let _ = write!(
        b,
        r#"<h2>{}</h2><p class="hint">{}</p><p><a class="link" href="{}">{}</a></p>"#,
        lang.pick("本页链接（只有您有）", "This page's link (only you have it)"),
        lang.pick(
            "这台手机会记住它：以后打开“反映问题”页面，就能在下面找到。也可以收藏本页。",
            "This phone remembers it: open the report page again and it is listed there. You can also bookmark this page."
        ),
        escape(link),
        escape(link)
    );
    b.push_str(&ledger_link(lang, &None));
    document(lang, &title, here, &b)
}

/// A ledger entry's steps, for the submitter and on its public page.
pub fn entry_steps(b: &mut String, lang: Lang, e: &LedgerEntry) {
    let _ = write!(
        b,
        r#"<h2>{}</h2><p><b>#{} {}</b> <span class="status {}">{}</span></p><dl>"#,
        lang.pick("办理进展", "Progress"),
        e.id,
        escape(&e.title),
        status_class(e.status),
        status_words(lang, e.status),
    );
    if !e.responsible.is_empty() {
        let _ = write!(
            b,
            "<dt>{}</dt><dd>{}</dd>",
            lang.pick("责任人", "Responsible"),
            escape(&e.responsible)
        );
    }
    if let Some(d) = &e.deadline {
        let _ = write!(b, "<dt>{}</dt><dd>{}</dd>", lang.pick("时限", "Deadline"), escape(d));
    }
    if e.seconds > 0 {
        let _ = write!(
            b,
            "<dt>{}</dt><dd>{} {}</dd>",
            lang.pick("附议", "Seconded by"),
            e.seconds,
            lang.pick("人", "residents")
        );
    }
    let r = e.ratings;
    if r.satisfied + r.fair + r.unsatisfied > 0 {
        let _ = write!(
            b,
            "<dt>{}</dt><dd>{} {} · {} {} · {} {}</dd>",
            lang.pick("居民评议", "Residents' rating"),
            lang.pick("满意", "Satisfied"),
            r.satisfied,
            lang.pick("基本满意", "Fair"),
            r.fair,
            lang.pick("不满意", "Unsatisfied"),
            r.unsatisfied
        );
    }
    b.push_str(r#"</dl><ol class="steps">"#);
    for u in &e.history {
        let _ = write!(b, r#"<li><span class="when">{}</span> "#, date_of(u.at));
        if let Some(s) = u.status {
            let _ = write!(
                b,
                r#"<span class="status {}">{}</span> "#,
                status_class(s),
                status_words(lang, s)
            );
        }
        let _ = write!(b, "<br>{}", escape(&u.note).replace('\n', "<br>"));
        if let Some(by) = &u.by {
            let _ = write!(b, r#" <span class="hint">— {}</span>"#, escape(by));
        }
        photos(b, lang, &u.photos);
        b.push_str("</li>");
    }
    b.push_str("</ol>");
}

/// `GET /report/poster`: the A4 notice for the notice board and the lift,
/// with the page's QR code.
pub async fn poster(State(app): State<AppState>, Query(q): Query<ReportQuery>, headers: HeaderMap) -> Response {
    let (lang, chosen) = language(&headers, &q.lang);
    let c = match whose(&app, &q.c).await {
        Whose::One(c) => c,
        Whose::Choose(all) => {
            let page = choose_page(
                lang,
                lang.pick("打印反映问题告示", "Print the notice"),
                "/report/poster",
                &all,
            );
            return assets::page(&headers, StatusCode::OK, page);
        }
        Whose::Unknown => return not_found(&headers, lang),
    };
    let url = format!(
        "{}/report{}",
        app.config.links.for_request(&headers),
        community_query(&c)
    );
    let title = heading(lang, &c, "有问题，扫码反映", "Scan to report a problem");
    let body = format!(
        r#"<div class="poster"><h1>{title}</h1><div class="qr">{qr}</div><p class="url">{url}</p>
<ol><li>{s1}</li><li>{s2}</li><li>{s3}</li></ol><p>{privacy}</p>
<p class="by-hand">{by_hand}</p>
<p class="noprint hint">{print}</p></div>
<style>.poster{{text-align:center}}.poster h1{{font-size:2.4rem}}.qr svg{{width:min(80vw,12cm);height:auto}}
.url{{font-family:monospace;word-break:break-all}}.poster ol{{text-align:left;font-size:1.3rem;max-width:32rem;margin:1rem auto}}
@page{{size:A4;margin:15mm}}@media print{{.poster h1{{font-size:36pt}}.poster ol{{font-size:18pt}}}}</style>"#,
        title = escape(&title),
        qr = crate::qr::svg(&url),
        url = escape(&url),
        s1 = lang.pick(
            "用微信或手机相机扫上面的二维码",
            "Scan the code with WeChat or the phone's camera"
        ),
        s2 = lang.pick("写下问题，可以拍照（最多3张）", "Write the problem; add up to 3 photos"),
        s3 = lang.pick(
            "提交后，这台手机会记住它，随时回来查看办理进展；也能看到大家反映的问题",
            "Your phone remembers it: come back any time to see the progress, and what neighbours raised"
        ),
        privacy = lang.pick(
            "不需要注册。姓名和电话可不填，填了也只给居委会。",
            "No sign-up. A name and phone are optional, and go to the committee only."
        ),
        // For neighbours without a smartphone: the committee writes its number by hand.
        by_hand = lang.pick(
            "没有智能手机？直接告诉居委会或楼栋长，由他们代为登记。居委会电话：＿＿＿＿＿＿＿＿",
            "No smartphone? Tell the committee or your building's head: they record it for you. Committee phone: ____________"
        ),
        print = lang.pick(
            "用浏览器菜单里的“打印”，纸张选A4。",
            "Print it from the browser's menu, on A4."
        ),
    );
    let mut r = assets::page(
        &headers,
        StatusCode::OK,
        document(lang, &title, "/report/poster", &body),
    );
    keep_language(&mut r, lang, chosen);
    r
}
