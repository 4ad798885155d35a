//! 大字 and 强对比 on the pages the server draws (the join link's page, the
//! notice, the report form, the public ledger): the choice is a cookie,
//! `bbh_view=big,contrast`, which the application's switches also write, so a
//! phone that chose large text on one page has it on every page, with or
//! without script. The server marks `<html>` with the classes the style
//! sheets know; a plain link switches each one (no script needed).

use super::access::cookie_value;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The cookie's name.
pub const COOKIE: &str = "bbh_view";

/// The views there are, with their words in Chinese and English.
const VIEWS: [(&str, &str, &str); 2] = [("big", "大字", "Large text"), ("contrast", "强对比", "High contrast")];

/// The views this phone chose (only names this server knows).
pub fn chosen(headers: &HeaderMap) -> Vec<&'static str> {
    let value = cookie_value(headers, COOKIE).unwrap_or_default();
    VIEWS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| value.split(',').any(|v| v == *name))
        .collect()
}

/// Where a page wants the switches ([`links`]).
pub const SWITCHES: &str = "<!--views-->";

/// `html` with its `<html>` element marked with the chosen views, and the
/// switches where it asked for them (in its language).
pub fn mark(headers: &HeaderMap, html: String) -> String {
    let html = if html.contains(SWITCHES) {
        let en = html.contains(r#"<html lang="en""#);
        html.replacen(SWITCHES, &links(headers, en), 1)
    } else {
        html
    };
    let chosen = chosen(headers);
    if chosen.is_empty() {
        return html;
    }
    let class = format!(r#"<html class="{}" "#, chosen.join(" "));
    html.replacen("<html ", &class, 1)
}

/// The two switches as plain links, saying which are on (`en`: in English).
pub fn links(headers: &HeaderMap, en: bool) -> String {
    let chosen = chosen(headers);
    VIEWS
        .iter()
        .map(|(name, zh, english)| {
            let on = chosen.contains(name);
            format!(
                r#"<a class="view-link view-{name}" href="/view/{name}" aria-pressed="{on}">{}</a>"#,
                if en { english } else { zh }
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `GET /view/{name}`: switches a view on or off and goes back to the page
/// the link was on (the `Referer`, when it is one of this server's pages).
pub async fn switch(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some((name, _, _)) = VIEWS.iter().find(|(n, _, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, "no such view").into_response();
    };
    let mut now = chosen(&headers);
    match now.iter().position(|n| n == name) {
        Some(i) => {
            now.remove(i);
        }
        None => now.push(name),
    }
    let cookie = format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", now.join(","));
    let back = back_to(&headers).unwrap_or_else(|| "/".to_owned());
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The path and query of the page the request came from, if it is this
/// server's (same host): never another site's address.
fn back_to(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    (path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')).then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(cookie: &str, referer: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        h.insert(header::HOST, HeaderValue::from_static("10.0.0.2:8080"));
        h.insert(header::REFERER, HeaderValue::from_str(referer).unwrap());
        h
    }

    #[test]
    fn the_page_is_marked_with_what_was_chosen_and_nothing_else() {
        let h = with("bbh_view=contrast,evil\"x,big", "http://10.0.0.2:8080/m/ab");
        let html = mark(&h, r#"<!doctype html><html lang="zh-CN"><body>"#.into());
        assert_eq!(html, r#"<!doctype html><html class="big contrast" lang="zh-CN"><body>"#);
        assert!(links(&h, false).contains(r#"view-big" href="/view/big" aria-pressed="true">大字"#));
    }

    #[test]
    fn a_switch_goes_back_only_to_this_servers_pages() {
        assert_eq!(
            back_to(&with("", "http://10.0.0.2:8080/m/ab?i=xy")).as_deref(),
            Some("/m/ab?i=xy")
        );
        assert_eq!(back_to(&with("", "http://evil.example/m/ab")), None);
        assert_eq!(back_to(&with("", "http://10.0.0.2:8080//evil.example")), None);
    }
}
