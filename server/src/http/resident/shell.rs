//! What every page residents open between meetings shares: the document and
//! its style (large type, high contrast, full-width taps, no script, nothing
//! fetched from elsewhere), the language, photos, dates, and the words for
//! where a matter stands.

use crate::http::access::cookie_value;
use crate::http::phone::words::{Lang, COOKIE};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use babahui_shared::ledger::LedgerStatus;
use babahui_shared::matters::photo_url;
use babahui_shared::minutes::escape;
use std::fmt::Write;

/// The page's language: `?lang=` when given (kept in the cookie), else the cookie, else Chinese.
pub fn language(headers: &HeaderMap, asked: &str) -> (Lang, bool) {
    match Lang::named(asked) {
        Some(l) => (l, true),
        None => (Lang::of(headers), false),
    }
}

/// Keeps a language chosen by `?lang=` for the next pages.
pub fn keep_language(response: &mut Response, lang: Lang, chosen: bool) {
    if chosen {
        if let Ok(v) = HeaderValue::from_str(&lang.cookie()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// Whether the person has a language cookie (else the page's switch is shown larger).
pub fn has_language(headers: &HeaderMap) -> bool {
    cookie_value(headers, COOKIE).is_some()
}

/// The whole page: `title`, then `body`, with the language switch (to `here`
/// with `?lang=`/`&lang=`) at the top.
pub fn document(lang: Lang, title: &str, here: &str, body: &str) -> String {
    let (code, words) = lang.other();
    let join = if here.contains('?') { '&' } else { '?' };
    format!(
        r#"<!doctype html><html lang="{tag}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{STYLE}</style></head><body>
<p class="switch">{views} <a href="{here}{join}lang={code}" lang="{code}">{words}</a></p>
{body}</body></html>"#,
        tag = lang.tag(),
        views = super::super::views::SWITCHES,
        title = escape(title),
        here = escape(here),
    )
}

const STYLE: &str = "
*{box-sizing:border-box}
body{font:20px/1.6 system-ui,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif;color:#111;background:#fff;margin:0 auto;max-width:44rem;padding:.5rem 1rem 4rem}
h1{font-size:1.6rem;line-height:1.3;margin:.5rem 0 1rem}h2{font-size:1.3rem;margin:1.75rem 0 .5rem;border-bottom:3px solid #111}
a{color:#0b3d91}
.switch{text-align:right;margin:0}.switch a{display:inline-block;min-height:48px;line-height:48px;padding:0 .5rem}
.view-link{border:2px solid #111;border-radius:8px;margin-left:.25rem;text-decoration:none;color:#111}.view-link[aria-pressed=true]{background:#111;color:#fff}
html.big body,html.big body *{font-size:24px!important}html.big h1{font-size:34px!important}html.big h2{font-size:28px!important}
html.big button,html.big .button,html.big input,html.big select,html.big textarea,html.big .choices label,html.big a{min-height:56px}
html.contrast body{color:#000}html.contrast .hint,html.contrast .muted{color:#000!important}html.contrast a:not(.button):not(.view-link){color:#00c}html.contrast .button{background:#000!important;color:#fff!important}
html.contrast textarea,html.contrast input,html.contrast select,html.contrast fieldset,html.contrast .choices label{border:3px solid #000!important}
label{display:block;margin:1rem 0 .25rem;font-weight:bold}
.hint{color:#333;font-size:.9em;margin:.25rem 0}
textarea,input[type=text],input[type=tel],select{font:inherit;width:100%;padding:.6rem;min-height:52px;border:2px solid #333;border-radius:6px;background:#fff;color:#111}
textarea{min-height:8rem}
input[type=file]{font:inherit;width:100%;min-height:52px;padding:.5rem 0}
fieldset{border:2px solid #999;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:bold;padding:0 .25rem}
.choices{display:flex;flex-wrap:wrap;gap:.5rem}
.choices label{display:flex;align-items:center;gap:.4rem;margin:0;font-weight:normal;min-height:52px;padding:0 .9rem;border:2px solid #333;border-radius:26px}
.choices input{width:24px;height:24px}
button,.button{display:block;width:100%;font:inherit;font-weight:bold;min-height:56px;margin:1.25rem 0;padding:.5rem 1rem;border:0;border-radius:8px;background:#0b3d91;color:#fff;text-align:center;text-decoration:none;line-height:56px}
button{line-height:1.4}
.quiet{background:#fff;color:#0b3d91;border:2px solid #0b3d91}
.notice{padding:.75rem 1rem;border:3px solid;margin:1rem 0;border-radius:8px}
.done{border-color:#1b5e20;background:#e8f5e9}.refused{border-color:#b71c1c;background:#ffebee}
.status{display:inline-block;padding:.1rem .7rem;border-radius:1rem;background:#111;color:#fff;font-weight:bold}
.st-pending,.st-new{background:#6d4c00}.st-discussed{background:#0b3d91}.st-in_progress{background:#8a3b00}
.st-done,.st-reported,.st-rated,.st-accepted,.st-merged{background:#1b5e20}.st-declined,.st-hidden{background:#555}
.steps{list-style:none;padding:0;margin:0}.steps li{border-left:4px solid #0b3d91;padding:.25rem 0 .75rem 1rem;margin-left:.4rem}
.steps .when{font-weight:bold}
.photos{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}.photos a{display:block}.photos img{display:block;max-width:100%;width:14rem;height:auto;border:1px solid #999}
.card{border:2px solid #999;border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}
.card h3{margin:.25rem 0;font-size:1.15rem}.card a.title{display:block;min-height:48px;text-decoration:underline}
dl{margin:.5rem 0}dt{font-weight:bold}dd{margin:0 0 .5rem}
.link{word-break:break-all;font-family:monospace;background:#f2f2f2;padding:.5rem;border-radius:4px;user-select:all}
.count{font-size:1.4rem;font-weight:bold}
nav.tabs{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}nav.tabs a{min-height:48px;line-height:48px;padding:0 .9rem;border:2px solid #0b3d91;border-radius:24px;text-decoration:none}
nav.tabs a.on{background:#0b3d91;color:#fff}
@media print{.switch,button,form,.noprint{display:none}body{max-width:none}}
";

/// Photos, each a link to itself at full size.
pub fn photos(out: &mut String, lang: Lang, ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    out.push_str(r#"<div class="photos">"#);
    for (i, id) in ids.iter().enumerate() {
        let url = photo_url(id);
        let _ = write!(
            out,
            r#"<a href="{url}"><img src="{url}" alt="{} {}" loading="lazy"></a>"#,
            lang.pick("照片", "Photo"),
            i + 1
        );
    }
    out.push_str("</div>");
}

/// A ledger status in the page's language.
pub fn status_words(lang: Lang, s: LedgerStatus) -> &'static str {
    match lang {
        Lang::Zh => s.zh(),
        Lang::En => match s {
            LedgerStatus::Pending => "To discuss",
            LedgerStatus::Discussed => "Discussed",
            LedgerStatus::InProgress => "Being handled",
            LedgerStatus::Done => "Done",
            LedgerStatus::Reported => "Reported back",
            LedgerStatus::Rated => "Rated",
        },
    }
}

/// The class a status's badge takes (its wire name).
pub fn status_class(s: LedgerStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(|x| format!("st-{x}")))
        .unwrap_or_default()
}

/// A notice at the top of a page.
pub fn notice(out: &mut String, done: bool, words: &str) {
    let (class, role) = if done { ("done", "status") } else { ("refused", "alert") };
    let _ = write!(out, r#"<p class="notice {class}" role="{role}">{}</p>"#, escape(words));
}
