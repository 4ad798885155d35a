//! `/`: create a meeting; then its links, each with a QR code, and a printable
//! join sheet. Meetings created on this device are listed.

use crate::api;
use crate::components::LangSwitch;
use crate::credentials::{take_key_from_link, KEY_STORAGE};
use crate::i18n::t;
use crate::pages::qr_src;
use crate::storage;
use babahui_shared::directory::Me;
use babahui_shared::{MeetingId, MeetingSetup, NewTopic, Wifi, DEFAULT_OPINION_CATEGORIES};
use leptos::prelude::*;

/// A meeting created on this device (kept in localStorage): what the server
/// answered when it was created (or its links were issued again).
pub type MyMeeting = babahui_shared::api::CreatedResponse;

/// Parses the agenda box: one topic a line, an optional trailing number of minutes.
pub fn parse_agenda(text: &str) -> Vec<NewTopic> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.rsplit_once(' ') {
            Some((title, m)) if m.parse::<u32>().is_ok() && !title.trim().is_empty() => NewTopic {
                title: title.trim().to_owned(),
                minutes: m.parse().unwrap_or(0),
                ledger: None,
                ..Default::default()
            },
            _ => NewTopic {
                title: line.to_owned(),
                minutes: 0,
                ledger: None,
                ..Default::default()
            },
        })
        .collect()
}

/// Links topics to the ledger entries they were picked from (by title, which the
/// organiser may still have edited: then the topic is a new matter).
pub fn link_to_ledger(mut topics: Vec<NewTopic>, picked: &[(u32, String)]) -> Vec<NewTopic> {
    for t in &mut topics {
        t.ledger = picked.iter().find(|(_, title)| *title == t.title).map(|(id, _)| *id);
    }
    topics
}

/// Splits a category list typed with Chinese or Latin separators.
pub fn parse_categories(text: &str) -> Vec<String> {
    text.split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Where the meetings created on this device are listed.
const MY_MEETINGS: &str = "bbh:my-meetings";

/// The organiser page: the links of the meeting just made, the creation form,
/// and the meetings made here and elsewhere.
#[component]
pub fn OrganiserPage() -> impl IntoView {
    take_key_from_link();
    let key = RwSignal::new(storage::get(KEY_STORAGE).unwrap_or_default());
    let need_key = RwSignal::new(false);
    // Every meeting on this server (with the organiser key): those made on
    // another device too, so their links can be had again.
    let all = RwSignal::new(Vec::<IndexRow>::new());
    // Ask the server at once whether this device may organise, so a phone that
    // opened the plain address learns it needs the organiser link before it
    // fills in a whole form.
    leptos::task::spawn_local(async move {
        let k = key.get_untracked();
        let probe = if k.is_empty() {
            api::get::<Vec<IndexRow>>("/api/meetings").await
        } else {
            api::get_as::<Vec<IndexRow>>("/api/meetings", &k).await
        };
        match probe {
            Ok(list) => all.set(list),
            Err(f) if f.status == 403 || f.status == 401 => need_key.set(true),
            Err(_) => {}
        }
    });
    // Who this device acts as (a logged-in account, the key), and for which
    // communities: a meeting is made in one of them.
    let me = RwSignal::new(None::<Me>);
    leptos::task::spawn_local(async move {
        let k = key.get_untracked();
        let answer = if k.is_empty() {
            api::get::<Me>("/api/me").await
        } else {
            api::get_as::<Me>("/api/me", &k).await
        };
        if let Ok(m) = answer {
            me.set(Some(m));
        }
    });
    let shown = Shown {
        error: RwSignal::new(None::<String>),
        mine: RwSignal::new(storage::get_json::<Vec<MyMeeting>>(MY_MEETINGS).unwrap_or_default()),
        created: RwSignal::new(None::<MyMeeting>),
    };
    view! {
        <main class="page organiser">
            <div class="statusbar"><span class="brand">{move || t("app")}</span><LangSwitch/></div>
            {move || shown.created.get().map(|m| view! { <MeetingLinks m=m/> })}
            <h1>{move || t("create_title")}</h1>
            {move || me.get().filter(|m| m.accounts).map(|m| view! {
                <p class="whoami">{m.name.clone()}" · "<a href="/admin">{move || t("administration")}</a></p>
            })}
            <Show when=move || need_key.get()>
                <p class="notice info need-key" role="status">{move || t("organiser_link_needed")}" "
                    <a href="/login">{move || t("log_in")}</a></p>
            </Show>
            <crate::pages::inbox::Waiting key=key/>
            <CreateForm key=key need_key=need_key shown=shown me=me/>
            <p><a class="button" href="/ledger">{move || t("ledger")}</a></p>
            // A courtyard laptop (no accounts: its organiser key) syncs with its district.
            {move || me.get().filter(|m| !m.accounts).map(|_| view! { <crate::pages::sync::SyncPanel key=key/> })}
            <h2>{move || t("my_meetings")}</h2>
            <ul class="list my-meetings">
                {move || shown.mine.get().into_iter().map(|m| view! {
                    <li>
                        <b>{m.title.clone()}</b><br/>
                        <a href=m.moderator_url.clone()>{move || t("moderator_link")}</a>" · "
                        <a href=m.projector_url.clone()>{move || t("projector_link")}</a>" · "
                        <a href=sheet_href(&m)>{move || t("print_sheet")}</a>" · "
                        <a href=m.join_url.replacen("?i=", "/notice?i=", 1)>{move || t("notice_link")}</a>
                    </li>
                }).collect_view()}
            </ul>
            <OtherMeetings all=all key=key shown=shown/>
        </main>
    }
}

/// What the page shows beyond the form: the last error, the meetings made on
/// this device (newest first), and the one whose links are on top.
#[derive(Debug, Clone, Copy)]
struct Shown {
    error: RwSignal<Option<String>>,
    mine: RwSignal<Vec<MyMeeting>>,
    created: RwSignal<Option<MyMeeting>>,
}

impl Shown {
    /// A meeting's links came back: remembered here and shown on top.
    fn links(self, m: MyMeeting) {
        self.mine.update(|list| list.insert(0, m.clone()));
        storage::set_json(MY_MEETINGS, &self.mine.get_untracked());
        self.created.set(Some(m));
    }
}

/// The form that creates a meeting: title, place, time, moderator, agenda (with
/// the ledger picker), opinion categories, the Wi-Fi for the join sheet, and the
/// organiser key when this device lacks it.
#[component]
fn CreateForm(
    key: RwSignal<String>,
    need_key: RwSignal<bool>,
    shown: Shown,
    me: RwSignal<Option<Me>>,
) -> impl IntoView {
    // The community chosen (empty: the first of this account's).
    let community = RwSignal::new(String::new());
    let communities = move || me.get().map(|m| m.communities).unwrap_or_default();
    let title = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    let moderator_name = RwSignal::new(String::new());
    let invited = RwSignal::new(String::new());
    let agenda = RwSignal::new(String::new());
    // Each topic's background for the notice, by its line on the agenda.
    let backgrounds = RwSignal::new(std::collections::HashMap::<usize, String>::new());
    // …and its photos (uploaded as they are chosen), by the same line.
    let topic_photos = RwSignal::new(std::collections::HashMap::<usize, Vec<String>>::new());
    let categories = RwSignal::new(DEFAULT_OPINION_CATEGORIES.join("、"));
    let ssid = RwSignal::new(String::new());
    let wifi_password = RwSignal::new(String::new());
    let hide_wifi_password = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = shown.error;
    // Ledger entries put on the agenda with the picker: a topic still titled as its
    // entry is linked to it, so the minutes update that entry (一事一档).
    let picked = RwSignal::new(Vec::<(u32, String)>::new());

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wifi = (!ssid.get().trim().is_empty()).then(|| Wifi {
            ssid: ssid.get(),
            password: wifi_password.get(),
            hide_password: hide_wifi_password.get(),
        });
        let setup = MeetingSetup {
            title: title.get(),
            place: place.get(),
            starts_at: Some(time.get()),
            agenda: link_to_ledger(parse_agenda(&agenda.get()), &picked.get())
                .into_iter()
                .enumerate()
                .map(|(i, mut topic)| {
                    topic.background = backgrounds.with(|b| b.get(&i).cloned().unwrap_or_default());
                    topic.photos = topic_photos.with(|p| p.get(&i).cloned().unwrap_or_default());
                    topic
                })
                .collect(),
            invited: invited.get(),
            opinion_categories: parse_categories(&categories.get()),
            attendee_categories: Vec::new(),
            wifi,
            moderator_name: Some(moderator_name.get()),
            community: Some(community.get())
                .filter(|c| !c.is_empty())
                .or_else(|| communities().first().map(|c| c.id.clone())),
        };
        let k = key.get();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let bearer = (!k.is_empty()).then_some(k.as_str());
            match api::post::<MyMeeting>("/api/meetings", &setup, bearer).await {
                Ok(m) => {
                    if !k.is_empty() {
                        storage::set(KEY_STORAGE, &k);
                    }
                    need_key.set(false);
                    shown.links(m);
                    error.set(None);
                    // The form empties (a second 创建 would make a second
                    // meeting) and the new links come into view.
                    for field in [title, place, time, moderator_name, invited, agenda, ssid, wifi_password] {
                        field.set(String::new());
                    }
                    backgrounds.set(Default::default());
                    topic_photos.set(Default::default());
                    picked.set(Vec::new());
                    window().scroll_to_with_x_and_y(0.0, 0.0);
                }
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
        <form on:submit=create class="form" id="create-form">
            {move || (communities().len() == 1).then(|| communities().into_iter().next()).flatten().map(|c| view! {
                <p class="community-line">{move || t("community_is")}<b>{format!("{}（{}）", c.name, c.street)}</b></p>
            })}
            <Show when=move || { communities().len() > 1 }>
                <label>{move || t("community")}
                    <select name="community" on:change=move |ev| community.set(event_target_value(&ev))>
                        {move || communities().into_iter().map(|c| view! {
                            <option value=c.id.clone()>{format!("{}（{}）", c.name, c.street)}</option>
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <label>{move || t("title")}<input name="title" required maxlength="100" bind:value=title/></label>
            <label>{move || t("place")}<input name="place" maxlength="100" bind:value=place/></label>
            <label>{move || t("time")}<input name="time" maxlength="100" placeholder="2026-11-30 19:00" bind:value=time/></label>
            <label>{move || t("moderator_name")}<input name="moderator-name" maxlength="40" placeholder=move || t("moderator_name_hint") bind:value=moderator_name/></label>
            <label>{move || t("agenda")}
                <textarea name="agenda" rows="4" placeholder=move || t("agenda_hint") bind:value=agenda></textarea>
            </label>
            <LedgerPicker agenda=agenda picked=picked/>
            <TopicBackgrounds agenda=agenda backgrounds=backgrounds photos=topic_photos key=key/>
            <label>{move || t("invited")}<input name="invited" maxlength="500" placeholder=move || t("invited_hint") bind:value=invited/></label>
            <label>{move || t("opinion_categories")}<input name="categories" bind:value=categories/></label>
            <fieldset>
                <legend>{move || t("wifi")}</legend>
                <label>{move || t("wifi_name")}<input name="ssid" maxlength="32" bind:value=ssid autocomplete="off"/></label>
                <label>{move || t("wifi_password")}<input name="wifi-password" maxlength="63" bind:value=wifi_password autocomplete="off"/></label>
                <label class="check"><input type="checkbox" name="hide-wifi-password" bind:checked=hide_wifi_password/>{move || t("hide_wifi_password")}</label>
            </fieldset>
            <Show when=move || need_key.get()>
                <label>{move || t("organiser_key")}<input name="key" type="password" bind:value=key/></label>
            </Show>
            <button type="submit" class="primary big" disabled=move || busy.get()>{move || t("create")}</button>
            {move || error.get().map(|e| view! { <p class="notice" role="alert">{e}</p> })}
        </form>
    }
}

/// The meetings on this server not made on this device, each with a button
/// that gets its links again (with the organiser key).
#[component]
fn OtherMeetings(all: RwSignal<Vec<IndexRow>>, key: RwSignal<String>, shown: Shown) -> impl IntoView {
    move || {
        let known: Vec<MeetingId> = shown.mine.get().iter().map(|m| m.id.clone()).collect();
        let others: Vec<IndexRow> = all.get().into_iter().filter(|r| !known.contains(&r.id)).collect();
        (!others.is_empty()).then(|| {
            view! {
                <h2>{t("other_meetings")}</h2>
                <p class="muted">{t("other_meetings_hint")}</p>
                <ul class="list other-meetings">
                    {others.into_iter().map(|r| {
                        let id = r.id.clone();
                        view! {
                            <li data-meeting=r.id.to_string()>
                                <b>{r.title.clone()}</b>" · "{crate::pages::ledger::date(r.created_at)}" "
                                <button class="get-links" on:click=move |_| {
                                    let (id, k) = (id.clone(), key.get_untracked());
                                    leptos::task::spawn_local(async move {
                                        let url = format!("/api/meetings/{id}/screens");
                                        match api::post::<MyMeeting>(&url, &serde_json::json!({}), Some(&k)).await {
                                            Ok(m) => {
                                                shown.links(m);
                                                window().scroll_to_with_x_and_y(0.0, 0.0);
                                            }
                                            Err(f) => shown.error.set(Some(f.message)),
                                        }
                                    });
                                }>{t("get_links")}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// One meeting as `GET /api/meetings` lists it.
type IndexRow = babahui_shared::api::MeetingIndex;

/// Open matters from the issue ledger (overdue ones flagged), to put on the
/// agenda with one tap: the ledger feeds the next meeting.
#[component]
fn LedgerPicker(agenda: RwSignal<String>, picked: RwSignal<Vec<(u32, String)>>) -> impl IntoView {
    let rows = LocalResource::new(|| async {
        api::get::<Vec<babahui_shared::api::EntryView>>("/api/ledger")
            .await
            .unwrap_or_default()
    });
    let open = move || {
        use babahui_shared::ledger::LedgerStatus::*;
        rows.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| matches!(r.entry.status, Pending | Discussed | InProgress))
            .collect::<Vec<_>>()
    };
    view! {
        <Show when=move || !open().is_empty()>
            <fieldset class="ledger-picker">
                <legend>{move || t("ledger")}</legend>
                {move || open().into_iter().map(|r| {
                    let title = r.entry.title.clone();
                    let id = r.entry.id;
                    view! {
                        <button type="button" class="chip" class:overdue-chip=r.overdue data-entry=id on:click=move |_| {
                            picked.update(|p| if !p.iter().any(|(e, _)| *e == id) { p.push((id, title.clone())) });
                            agenda.update(|a| {
                                if !a.lines().any(|l| l.trim() == title) {
                                    if !a.is_empty() && !a.ends_with('\n') { a.push('\n'); }
                                    a.push_str(&title);
                                }
                            });
                        }>"#"{id}" "{r.entry.title.clone()}{r.overdue.then(|| format!(" ({})", t("overdue")))}</button>
                    }
                }).collect_view()}
            </fieldset>
        </Show>
    }
}

/// The join sheet, with the projector's read-only token it needs to show the
/// join link: whoever is handed the sheet's link to print cannot run the meeting.
fn sheet_href(m: &MyMeeting) -> String {
    let token = m.projector_url.split_once("#k=").map(|(_, k)| k).unwrap_or_default();
    format!("/m/{}/sheet#k={token}", m.id)
}

/// The three links of a new meeting, each with its QR code.
#[component]
fn MeetingLinks(m: MyMeeting) -> impl IntoView {
    let base = m.join_url.split("/m/").next().unwrap_or_default().to_owned();
    let notice_url = format!("{base}/m/{}/notice", m.id);
    let follow_url = format!("{base}/m/{}/follow", m.id);
    let link = |label: &'static str, url: String, class: &'static str| {
        let src = qr_src(&url);
        view! {
            <div class=format!("link-card {class}")>
                <b>{move || t(label)}</b>
                <img class="qr-small" src=src alt=move || t(label)/>
                <a class="url" href=url.clone()>{url.clone()}</a>
            </div>
        }
    };
    view! {
        <section class="card links" id="created">
            <h2>{move || t("links")}{move || crate::i18n::colon()}{m.title.clone()}</h2>
            <div class="link-grid">
                {link("join_link", m.join_url.clone(), "join")}
                {link("projector_link", m.projector_url.clone(), "projector")}
                {link("moderator_link", m.moderator_url.clone(), "moderator")}
            </div>
            <p class="muted">{move || t("keep_private")}</p>
            <a class="button primary" href=sheet_href(&m)>{move || t("print_sheet")}</a>
            <a class="button" target="_blank" href=m.join_url.replacen("?i=", "/notice?i=", 1)>{move || t("notice_link")}</a>
            // For the residents' WeChat group: the notice and the follow view,
            // without the join code (joining is in the courtyard).
            <div class="share-links">
                <p><b>{move || t("share_notice")}</b>{move || crate::i18n::colon()}<a class="url" href=notice_url.clone()>{notice_url.clone()}</a></p>
                <p><b>{move || t("share_follow")}</b>{move || crate::i18n::colon()}<a class="url" href=follow_url.clone()>{follow_url.clone()}</a></p>
            </div>
        </section>
    }
}

/// A background for each topic on the agenda, for the meeting's notice
/// (议前通报): folded away, since most meetings do without.
#[component]
fn TopicBackgrounds(
    agenda: RwSignal<String>,
    backgrounds: RwSignal<std::collections::HashMap<usize, String>>,
    photos: RwSignal<std::collections::HashMap<usize, Vec<String>>>,
    key: RwSignal<String>,
) -> impl IntoView {
    let failed = RwSignal::new(None::<String>);
    // Uploaded at once (resized and stripped of their GPS by the server); the
    // topic keeps their ids, at most three.
    let add = move |i: usize, ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        // Taken out before the input is cleared (its list is live).
        let chosen = crate::pages::ledger::chosen_files(input.files());
        input.set_value("");
        let k = key.get_untracked();
        leptos::task::spawn_local(async move {
            let bearer = (!k.is_empty()).then_some(k.as_str());
            match crate::pages::ledger::upload_photos(chosen, bearer).await {
                Ok(ids) => {
                    failed.set(None);
                    photos.update(|p| {
                        let list = p.entry(i).or_default();
                        list.extend(ids);
                        list.truncate(babahui_shared::limits::PHOTOS_MAX);
                    });
                }
                Err(f) => failed.set(Some(f.message)),
            }
        });
    };
    view! {
        <Show when=move || agenda.with(|a| !a.trim().is_empty())>
            <details class="backgrounds">
                <summary>{move || t("backgrounds")}</summary>
                {move || parse_agenda(&agenda.get()).into_iter().enumerate().map(|(i, topic)| view! {
                    <label>{topic.title}
                        <textarea name=format!("background-{i}") rows="2" maxlength="5000"
                            prop:value=move || backgrounds.with(|b| b.get(&i).cloned().unwrap_or_default())
                            on:input=move |ev| { let v = event_target_value(&ev); backgrounds.update(|b| { b.insert(i, v); }); }>
                        </textarea>
                    </label>
                    <div class="topic-photos">
                        {move || photos.with(|p| p.get(&i).cloned().unwrap_or_default()).into_iter().map(|id| {
                            let gone = id.clone();
                            view! {
                                <span class="topic-photo">
                                    <img src=babahui_shared::matters::photo_url(&id) alt=t("photo")/>
                                    <button type="button" on:click=move |_| photos.update(|p| { if let Some(l) = p.get_mut(&i) { l.retain(|x| *x != gone); } })>{t("remove_photo")}</button>
                                </span>
                            }
                        }).collect_view()}
                        <label class="inline">{move || t("add_photos")}
                            <input type="file" accept="image/*" name=format!("photos-{i}") on:change=move |ev| add(i, ev)/>
                        </label>
                    </div>
                }).collect_view()}
                {move || failed.get().map(|e| view! { <p class="notice" role="alert">{e}</p> })}
            </details>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agenda_lines_with_optional_minutes() {
        let topics = parse_agenda("停车难 15\n\n 垃圾分类 \nA 2 b");
        let got: Vec<_> = topics.iter().map(|t| (t.title.as_str(), t.minutes)).collect();
        assert_eq!(got, vec![("停车难", 15), ("垃圾分类", 0), ("A 2 b", 0)]);
    }

    #[test]
    fn picked_ledger_entries_link_topics_with_the_same_title() {
        let topics = link_to_ledger(
            parse_agenda("路灯维修 10\n停车难"),
            &[(7, "路灯维修".into()), (9, "别的".into())],
        );
        assert_eq!(topics[0].ledger, Some(7));
        assert_eq!(topics[1].ledger, None);
    }

    #[test]
    fn categories_split_on_chinese_and_latin_separators() {
        assert_eq!(
            parse_categories("停车、绿化，安全, 其他;;"),
            vec!["停车", "绿化", "安全", "其他"]
        );
    }
}
