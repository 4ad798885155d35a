//! `/`: create a meeting and get its links and QR codes.

use crate::api;
use crate::components::LangSwitch;
use crate::i18n::t;
use crate::storage;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A meeting created on this device (kept in localStorage).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MyMeeting {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Links.
    pub join_url: String,
    /// Moderator link (with its secret).
    pub moderator_url: String,
    /// Projector link.
    pub projector_url: String,
    /// QR code image.
    pub qr_svg_url: String,
}

/// Parses the agenda box: one topic a line, an optional trailing number of minutes.
pub fn parse_agenda(text: &str) -> Vec<(String, u32)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.rsplit_once(' ') {
            Some((title, m)) if m.parse::<u32>().is_ok() && !title.trim().is_empty() => {
                (title.trim().to_owned(), m.parse().unwrap_or(0))
            }
            _ => (line.to_owned(), 0),
        })
        .collect()
}

/// The organiser page.
#[component]
pub fn OrganiserPage() -> impl IntoView {
    let title = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    let agenda = RwSignal::new(String::new());
    let key = RwSignal::new(storage::get("bbh:organiser-key").unwrap_or_default());
    let need_key = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let mine =
        RwSignal::new(storage::get_json::<Vec<MyMeeting>>("bbh:my-meetings").unwrap_or_default());
    let created = RwSignal::new(None::<MyMeeting>);
    let busy = RwSignal::new(false);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let topics: Vec<_> = parse_agenda(&agenda.get())
            .into_iter()
            .map(|(t, m)| json!({"title": t, "minutes": m}))
            .collect();
        let body = json!({"title": title.get(), "place": place.get(), "starts_at": time.get(), "agenda": topics});
        let k = key.get();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let bearer = (!k.is_empty()).then_some(k.as_str());
            match api::post("/api/meetings", &body, bearer).await {
                Ok(v) => match serde_json::from_value::<MyMeeting>(v) {
                    Ok(m) => {
                        if !k.is_empty() {
                            storage::set("bbh:organiser-key", &k);
                        }
                        mine.update(|list| list.insert(0, m.clone()));
                        storage::set_json("bbh:my-meetings", &mine.get_untracked());
                        created.set(Some(m));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e.to_string())),
                },
                Err(f) if f.status == 403 => {
                    need_key.set(true);
                    error.set(Some(t("key_needed").to_owned()));
                }
                Err(f) => error.set(Some(f.message)),
            }
            busy.set(false);
        });
    };

    view! {
        <main class="page organiser">
            <div class="statusbar"><span class="brand">{move || t("app")}</span><LangSwitch/></div>
            <h1>{move || t("create_title")}</h1>
            <form on:submit=create class="form">
                <label>{move || t("title")}<input required maxlength="100" bind:value=title/></label>
                <label>{move || t("place")}<input maxlength="100" bind:value=place/></label>
                <label>{move || t("time")}<input maxlength="100" placeholder="2026-11-30 19:00" bind:value=time/></label>
                <label>{move || t("agenda")}
                    <textarea rows="4" placeholder=move || t("agenda_hint") bind:value=agenda></textarea>
                </label>
                <Show when=move || need_key.get()>
                    <label>{move || t("organiser_key")}<input type="password" bind:value=key/></label>
                </Show>
                <button type="submit" class="primary big" disabled=move || busy.get()>{move || t("create")}</button>
                {move || error.get().map(|e| view! { <p class="notice" role="alert">{e}</p> })}
            </form>
            {move || created.get().map(|m| view! { <MeetingLinks m=m/> })}
            <h2>{move || t("my_meetings")}</h2>
            <ul class="list">
                {move || mine.get().into_iter().map(|m| view! {
                    <li><a href=m.moderator_url.clone()>{m.title.clone()}</a>" · "<a href=m.projector_url.clone()>{move || t("projector_link")}</a></li>
                }).collect_view()}
            </ul>
        </main>
    }
}

/// The three links of a new meeting, with the join QR code.
#[component]
fn MeetingLinks(m: MyMeeting) -> impl IntoView {
    view! {
        <section class="card links">
            <h2>{move || t("links")}": "{m.title.clone()}</h2>
            <img class="qr" src=m.qr_svg_url.clone() alt=move || t("scan_to_join")/>
            <p><b>{move || t("join_link")}</b><br/><a class="url" href=m.join_url.clone()>{m.join_url.clone()}</a></p>
            <p><b>{move || t("moderator_link")}</b><br/><a class="url" href=m.moderator_url.clone()>{m.moderator_url.clone()}</a></p>
            <p><b>{move || t("projector_link")}</b><br/><a class="url" href=m.projector_url.clone()>{m.projector_url.clone()}</a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agenda_lines_with_optional_minutes() {
        assert_eq!(
            parse_agenda("停车难 15\n\n 垃圾分类 \nA 2 b"),
            vec![
                ("停车难".into(), 15),
                ("垃圾分类".into(), 0),
                ("A 2 b".into(), 0)
            ]
        );
    }
}
