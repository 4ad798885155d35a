//! 大字 and 强对比: how a phone is set to read, remembered on the device (a
//! cookie, `bbh_view`, which the pages the server draws read and set too,
//! and `localStorage`). Each is a class on `<html>` that the style sheet
//! knows.

use crate::i18n::t;
use leptos::prelude::*;

/// The ways a phone can be set to read (remembered on the device): 大字,
/// every text at least 24 px and every control at least 56 px; 强对比, black
/// on white with heavy borders for daylight. Each is a class on `<html>`.
const VIEWS: [(&str, &str); 2] = [("big", "view_big"), ("contrast", "view_contrast")];

/// The views chosen on this device: the `bbh_view` cookie, which the pages
/// the server draws read and set too (else what was kept before it existed).
fn chosen_views() -> String {
    let cookie = js_sys::Reflect::get(&document(), &"cookie".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default();
    cookie
        .split(';')
        .find_map(|pair| pair.trim().strip_prefix("bbh_view=").map(str::to_owned))
        .or_else(|| crate::storage::get("bbh:view"))
        .unwrap_or_default()
}

/// Keeps the views chosen (both places), for every page of this server.
fn keep_views(chosen: &str) {
    crate::storage::set("bbh:view", chosen);
    let cookie = format!("bbh_view={chosen}; path=/; max-age=31536000; samesite=lax");
    let _ = js_sys::Reflect::set(&document(), &"cookie".into(), &cookie.into());
}

/// Puts the device's remembered views on the page (called before it is drawn).
pub fn apply_views() {
    let chosen = chosen_views();
    if let Some(html) = document().document_element() {
        for (class, _) in VIEWS {
            let on = chosen.split(',').any(|c| c == class);
            let _ = html.class_list().toggle_with_force(class, on);
        }
    }
}

/// 大字 and 强对比 switches, next to the language switch on every page.
#[component]
pub fn ViewSwitch() -> impl IntoView {
    let chosen = RwSignal::new(chosen_views());
    VIEWS
        .into_iter()
        .map(|(class, label)| {
            let on = move || chosen.with(|c| c.split(',').any(|x| x == class));
            view! {
                <button class=format!("view-switch view-{class}") aria-pressed=move || on().to_string()
                    on:click=move |_| {
                        let now_on = !on();
                        chosen.update(|c| {
                            let mut set: Vec<&str> = c.split(',').filter(|x| !x.is_empty() && *x != class).collect();
                            if now_on { set.push(class); }
                            *c = set.join(",");
                        });
                        keep_views(&chosen.get_untracked());
                        apply_views();
                    }>
                    {move || t(label)}
                </button>
            }
        })
        .collect_view()
}
