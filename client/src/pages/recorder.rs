//! `/m/{id}/recorder`: for an attendee the moderator appointed recorder (记录员).
//! Keyboard-first: register people without phones, type their opinions (or
//! anonymous ones) with category and stance, raise hands for them, and tag,
//! merge and hide opinions.

use crate::components::{name_of, OpinionWall, StatusBar};
use crate::i18n::{self, t};
use crate::live::Live;
use crate::storage;
use babahui_shared::*;
use leptos::prelude::*;

/// The recorder page for meeting `id`.
#[component]
pub fn RecorderPage(id: String) -> impl IntoView {
    match storage::get(&storage::token_key(&id, "attendee")) {
        None => view! { <main class="page"><p class="notice">{move || t("not_recorder")}</p><a href=format!("/m/{id}")>{move || t("join")}</a></main> }.into_any(),
        Some(token) => view! { <RecorderLive id=id token=token/> }.into_any(),
    }
}

#[component]
fn RecorderLive(id: String, token: String) -> impl IntoView {
    let live = Live::start(&id, &token);
    let is_recorder = move || {
        live.state.with(|s| {
            let me = live.me.get().and_then(|a| a.participant());
            s.as_ref()
                .zip(me)
                .and_then(|(s, p)| s.participant(p))
                .is_some_and(|p| p.recorder)
        })
    };
    view! {
        <main class="page recorder">
            <StatusBar live=live/>
            <h1>{move || t("recorder_page")}{move || crate::i18n::colon()}{move || live.state.with(|s| s.as_ref().map(|s| s.title.clone()))}</h1>
            // The recorder is also a resident: back to the hand, the ballot and their own opinions.
            <p><a class="button" href=format!("/m/{id}")>{move || t("back_to_my_page")}</a></p>
            <Show when=is_recorder fallback=|| view! { <p class="notice">{t("not_recorder")}</p> }>
                // After the end nothing new is said: what is left is tidying
                // the record for the minutes (tags, duplicates, abuse).
                <Show when=move || !live.ended() fallback=|| view! { <p class="notice info tidy-after-end">{move || t("tidy_after_end")}</p> }>
                    <EntryForm live=live/>
                    <WalkInForm live=live/>
                    <WalkInList live=live/>
                </Show>
                <h2>{move || t("opinion")}</h2>
                <OpinionWall live=live/>
            </Show>
        </main>
    }
}

/// Opinion entry: Enter submits, Shift+Enter adds a line; focus stays in the text box.
#[component]
fn EntryForm(live: Live) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let author = RwSignal::new(String::from("anon"));
    let category = RwSignal::new(String::new());
    let stance = RwSignal::new(String::new());
    let submit = move || {
        let body = text.get();
        if body.trim().is_empty() {
            return;
        }
        let topic = live.state.with_untracked(|s| s.as_ref().map(|s| s.current_topic));
        live.send(Command::SubmitOpinion {
            topic,
            text: body,
            category: Some(category.get()).filter(|c| !c.is_empty()),
            stance: serde_json::from_value(serde_json::Value::String(stance.get())).ok(),
            author: match author.get().parse::<u32>() {
                Ok(p) => OpinionAuthor::WalkIn(ParticipantId(p)),
                Err(_) => OpinionAuthor::Anonymous,
            },
            voice: None,
        });
        // Every choice is made afresh for the next opinion: a stance or a name
        // carried over would put words in the next speaker's mouth.
        text.set(String::new());
        author.set(String::from("anon"));
        category.set(String::new());
        stance.set(String::new());
    };
    let walk_ins = move || {
        live.state.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.participants
                        .iter()
                        .filter(|p| p.walk_in && !p.removed)
                        .map(|p| (p.id, name_of(s, p.id)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let categories = move || {
        live.state
            .with(|s| s.as_ref().map(|s| s.opinion_categories.clone()).unwrap_or_default())
    };
    view! {
        <form class="form entry" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <div class="row">
                <label class="inline">{move || t("on_behalf")}
                    <select name="author" prop:value=move || author.get() on:change=move |ev| author.set(event_target_value(&ev))>
                        <option value="anon">{move || t("anonymous")}</option>
                        {move || walk_ins().into_iter().map(|(p, n)| view! { <option value=p.0.to_string()>{n}</option> }).collect_view()}
                    </select>
                </label>
                <label class="inline">{move || t("category")}
                    <select name="category" prop:value=move || category.get() on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="">{move || t("untagged")}</option>
                        {move || categories().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="inline">{move || t("stance")}
                    <select name="stance" prop:value=move || stance.get() on:change=move |ev| stance.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {[Stance::Support, Stance::Oppose, Stance::Suggest, Stance::Question].into_iter().map(|s| {
                            let v = serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                            view! { <option value=v>{move || i18n::stance(s)}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <label>{move || t("write_opinion")}<span class="muted">" ("{move || t("enter_hint")}")"</span>
                <textarea name="entry" rows="3" autofocus maxlength=limits::OPINION_MAX_CHARS bind:value=text
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            submit();
                        }
                    }></textarea>
            </label>
            <button type="submit" class="primary">{move || t("submit")}</button>
        </form>
    }
}

/// Register someone without a phone: name (or 匿名) and category.
#[component]
fn WalkInForm(live: Live) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let categories = move || {
        live.state
            .with(|s| s.as_ref().map(|s| s.attendee_categories.clone()).unwrap_or_default())
    };
    view! {
        <form class="form walk-in" on:submit=move |ev| {
            ev.prevent_default();
            let cat = category.get();
            let cat = if cat.is_empty() { categories().first().cloned().unwrap_or_default() } else { cat };
            let n = name.get();
            let name_opt = (!n.trim().is_empty()).then_some(n);
            live.send(Command::RegisterWalkIn { name: name_opt, category: cat, publish_name: false });
            name.set(String::new());
        }>
            <h2>{move || t("walk_in")}</h2>
            <div class="row">
                <input name="walk-in-name" placeholder=move || t("your_name") aria-label=move || t("your_name") maxlength="40" bind:value=name/>
                <select name="walk-in-category" aria-label=move || t("your_category") on:change=move |ev| category.set(event_target_value(&ev))>
                    {move || categories().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
                <button type="submit">{move || t("register")}</button>
            </div>
        </form>
    }
}

/// Walk-ins, with a hand to raise or lower for each.
#[component]
fn WalkInList(live: Live) -> impl IntoView {
    view! {
        <h2>{move || t("walk_ins")}</h2>
        <ul class="list walk-ins">
            {move || live.state.with(|s| s.as_ref().map(|s| s.participants.iter().filter(|p| p.walk_in && !p.removed).map(|p| {
                let id = p.id;
                let queued = s.queue.contains(&id);
                view! {
                    <li class="row">
                        <span class="who">{name_of(s, id)}" · "{p.category.clone()}</span>
                        {if queued {
                            view! { <button on:click=move |_| live.send(Command::LowerHand { who: Some(id) })>{t("lower_hand")}</button> }.into_any()
                        } else {
                            view! { <button on:click=move |_| live.send(Command::RaiseHand { topic: None, who: Some(id) })>{t("raise_hand")}</button> }.into_any()
                        }}
                    </li>
                }
            }).collect_view()))}
        </ul>
    }
}
