//! 线上旁听 (`/m/{id}/follow`): the meeting, live and read only, for someone
//! who could not come — the open topic and its time, who has the floor with the
//! countdown, how many wait to speak, opinions as they come, vote results, and
//! afterwards what was decided. A follower is not in the courtyard: no hand, no
//! ballot, no 附议; they are counted apart (线上 N人). If the moderator allows
//! it, they may send an opinion, unsigned and marked 线上.
//!
//! The server sends followers the public copy of the meeting (names only of
//! those who agreed to be named), on the meeting's socket with the follow token.
//!
//! It is a page of the whole application, not of the phone's bundle: the
//! phone's bundle is what a resident in the courtyard downloads on the shared
//! Wi-Fi and may not grow (it would by 11 KiB gzipped); a follower is at home
//! on their own connection.

use crate::api;
use crate::components::{server_clock, AgendaList, CurrentTopic, FloorView, StatusBar, TopicClock};
use crate::i18n::{self, t};
use crate::live::Live;
use crate::pages::attendee::OpinionList;
use babahui_shared::api::{Followers, OutsideOpinion, OutsideOpinionSent};
use babahui_shared::follow::FOLLOW_TOKEN;
use babahui_shared::views::attendance_by_category;
use babahui_shared::{limits, Phase, Stance};
use leptos::prelude::*;
use std::time::Duration;

/// How often the follower count (线上 N人) is asked for.
const COUNT_EVERY: Duration = Duration::from_secs(15);

/// The follow view of meeting `id`.
#[component]
pub fn FollowPage(id: String) -> impl IntoView {
    let live = Live::start(&id, FOLLOW_TOKEN);
    Effect::new(move |_| {
        if live.state.with(|s| s.is_some()) {
            crate::components::first_paint_done();
        }
    });
    let now = server_clock(live);
    let followers = followers_count(&id);
    // Counted once connected: this page is one of them.
    let recount = id.clone();
    Effect::new(move |_| {
        if live.status.get() == crate::live::Status::Online {
            ask_followers(&recount, followers);
        }
    });
    let phase = move || live.state.with(|s| s.as_ref().map(|s| s.phase));
    let present = move || {
        live.state.with(|s| {
            s.as_ref()
                .map(|s| attendance_by_category(s).iter().map(|(_, n)| n).sum::<usize>() + s.without_phone as usize)
        })
    };
    let notice_href = format!("/m/{id}/notice");
    let form_id = id.clone();
    let minutes_href = format!("/m/{id}/minutes");
    view! {
        <main class="page attendee follow">
            <StatusBar live=live/>
            <p class="follow-badge">{move || t("follow_title")}</p>
            <h1 class="meeting-title">{move || live.state.with(|s| s.as_ref().map(|s| s.title.clone()))}</h1>
            <p class="muted follow-where">{move || live.state.with(|s| s.as_ref().map(|s| {
                [i18n::phase(s.phase).to_owned(), s.starts_at.clone().unwrap_or_default(), s.place.clone()]
                    .into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(" · ")
            }))}</p>
            <Show when=move || !live.ended()>
                <p class="follow-counts" role="status">
                    {move || present().map(|n| t("present_n").replace("{n}", &n.to_string()))}
                    " · "
                    {move || t("online_n").replace("{n}", &followers.get().to_string())}
                </p>
                <p class="follow-note">{move || t("follow_read_only")}</p>
            </Show>
            {move || (phase() == Some(Phase::NotStarted)).then(|| view! {
                <p class="notice info">{t("follow_not_started")}" "<a href=notice_href.clone()>{t("read_notice")}</a></p>
            })}
            {move || live.ended().then(|| live.state.with(|s| {
                s.as_ref().map(|s| crate::pages::closing::closing_view(s, minutes_href.clone()))
            }))}
            <Show when=move || !live.ended()>
                <CurrentTopic live=live/>
                <crate::components::TopicPhotos live=live/>
                <TopicClock live=live now=now/>
                <FloorView live=live now=now/>
            </Show>
            {move || live.state.with(|s| s.as_ref().filter(|s| !s.queue.is_empty()).map(|s| view! {
                <p class="queue-count">{t("queue_n").replace("{n}", &s.queue.len().to_string())}</p>
            }))}
            {move || live.state.with(|s| s.as_ref().map(|s| s.votes.iter().filter(|v| v.open).map(|v| view! {
                <p class="notice info vote-open">{t("vote_in_progress")}<b>{v.question.clone()}</b></p>
            }).collect_view()))}
            <Show when=move || !live.ended()>
                <crate::pages::decisions::ClosedVotes live=live/>
                <OnlineOpinion live=live id=form_id.clone()/>
            </Show>
            <OpinionList live=live me=Signal::derive(|| None) read_only=true/>
            <h2>{move || t("agenda")}</h2>
            <ol class="agenda"><AgendaList live=live/></ol>
        </main>
    }
}

/// 线上旁听 N人 on the moderator's tablet, with the follow link to share
/// (in a neighbourhood's WeChat group, say) for those who could not come.
#[component]
pub fn FollowersLine(id: String) -> impl IntoView {
    let followers = followers_count(&id);
    let href = format!("/m/{id}/follow");
    view! {
        <p class="followers-line">
            <a href=href.clone() target="_blank">{move || t("follow_link")}</a>
            " · "{move || t("online_n").replace("{n}", &followers.get().to_string())}
        </p>
    }
}

/// 线上 N人, asked for now and every [`COUNT_EVERY`] (it changes slowly, and
/// a crowd of followers asking costs the server a counter's read each).
pub fn followers_count(id: &str) -> RwSignal<u32> {
    let count = RwSignal::new(0u32);
    ask_followers(id, count);
    let id = id.to_owned();
    set_interval(move || ask_followers(&id, count), COUNT_EVERY);
    count
}

/// Asks the server for 线上 N人 into `count`.
fn ask_followers(id: &str, count: RwSignal<u32>) {
    let path = format!("/api/meetings/{id}/followers");
    leptos::task::spawn_local(async move {
        if let Ok(f) = api::get::<Followers>(&path).await {
            count.set(f.followers);
        }
    });
}

/// The 线上 opinion form, while the moderator allows it; otherwise a line
/// saying it is not open (so nobody looks for it).
#[component]
fn OnlineOpinion(live: Live, id: String) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let stance = RwSignal::new(None::<Stance>);
    let sending = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<bool, String>>);
    let open = move || {
        live.state.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.phase == Phase::Running && s.settings.online_opinions)
        })
    };
    let running = move || {
        live.state
            .with(|s| s.as_ref().is_some_and(|s| s.phase == Phase::Running))
    };
    let path = format!("/api/meetings/{id}/outside-opinions");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get();
        if body.trim().is_empty() || sending.get() {
            return;
        }
        // Under the topic on this screen, even if another opens meanwhile.
        let topic = live.state.with_untracked(|s| s.as_ref().map(|s| s.current_topic));
        let req = OutsideOpinion {
            text: body,
            stance: stance.get(),
            topic,
        };
        let path = path.clone();
        sending.set(true);
        answer.set(None);
        leptos::task::spawn_local(async move {
            let result = api::post::<OutsideOpinionSent>(&path, &req, None).await;
            sending.set(false);
            match result {
                Ok(sent) => {
                    text.set(String::new());
                    stance.set(None);
                    answer.set(Some(Ok(sent.held)));
                    // Said for a while, then the form is simply ready again.
                    set_timeout(move || answer.set(None), Duration::from_secs(8));
                }
                Err(e) => answer.set(Some(Err(match e.code {
                    Some(code) => i18n::error(code).to_owned(),
                    None => t("offline").to_owned(),
                }))),
            }
        });
    };
    move || {
        if !running() {
            return None;
        }
        if !open() {
            return Some(view! { <p class="muted online-closed">{t("online_opinions_closed")}</p> }.into_any());
        }
        Some(
            view! {
                <form class="form opinion-form online-opinion" on:submit=submit.clone()>
                    <h2>{t("online_opinion_title")}</h2>
                    <p class="hint">{t("online_opinion_hint")}</p>
                    <label>{t("write_opinion")}
                        <textarea rows="3" maxlength=limits::OPINION_MAX_CHARS bind:value=text on:input=move |_| answer.set(None)></textarea>
                    </label>
                    <p class="chips-label">{t("stance_optional")}</p>
                    <div class="chips" role="group" aria-label=t("stance")>
                        {[Stance::Support, Stance::Oppose, Stance::Suggest, Stance::Question].into_iter().map(|s| view! {
                            <button type="button" class="chip" class:selected=move || stance.get() == Some(s)
                                aria-pressed=move || (stance.get() == Some(s)).to_string()
                                on:click=move |_| stance.update(|v| *v = if *v == Some(s) { None } else { Some(s) })>
                                {i18n::stance(s)}
                            </button>
                        }).collect_view()}
                    </div>
                    {move || match answer.get() {
                        _ if sending.get() => Some(view! { <p class="muted sending" role="status">{t("sending")}</p> }.into_any()),
                        Some(Ok(held)) => Some(view! {
                            <p class="sent" role="status">{if held { t("online_opinion_held") } else { t("online_opinion_sent") }}</p>
                        }.into_any()),
                        Some(Err(why)) => Some(view! { <p class="notice form-error" role="alert">{why}</p> }.into_any()),
                        None => None,
                    }}
                    <button type="submit" class="primary big" disabled=move || sending.get()>{t("submit")}</button>
                </form>
            }
            .into_any(),
        )
    }
}
