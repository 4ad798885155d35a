//! The projector (1920×1080, read from ten metres): the join QR code and the
//! address to type, the Wi-Fi QR code when given, the current topic with its
//! time left, the speaker with a large countdown, the next three in the queue,
//! opinions by category as bars, the latest opinions, attendance by category.
//! No controls but a one-time "sound on" (browsers need a touch for sound).

use crate::api;
use crate::components::{enable_sound, mmss, public_name_of, server_clock, CurrentTopic, TimeUpChime, TopicClock};
use crate::i18n::{self, t};
use crate::live::{Live, Status};
use crate::pages::qr_src;
use crate::storage;
use babahui_shared::views::{attendance_by_category, floor_remaining_ms, opinions_by_category};
use babahui_shared::Phase;
use leptos::prelude::*;

/// The join link and its QR code, as the server hands them to the meeting's screens.
type Links = babahui_shared::api::PublicLinks;

/// The projector page for meeting `id`.
#[component]
pub fn ProjectorPage(id: String) -> impl IntoView {
    match storage::token_from_fragment(&id, "projector") {
        None => view! { <main class="page"><p class="notice">{move || t("no_token")}</p></main> }.into_any(),
        Some(token) => view! { <ProjectorLive id=id token=token/> }.into_any(),
    }
}

/// The join address without the scheme: what people type, broken into lines
/// only after `/` or before `?` (never in the middle of a code).
fn typed_address(url: &str) -> impl IntoView {
    let bare = url.trim_start_matches("http://").trim_start_matches("https://");
    let mut parts = Vec::new();
    let mut piece = String::new();
    for c in bare.chars() {
        if c == '?' && !piece.is_empty() {
            parts.push(std::mem::take(&mut piece));
        }
        piece.push(c);
        if c == '/' {
            parts.push(std::mem::take(&mut piece));
        }
    }
    parts.push(piece);
    parts
        .into_iter()
        .map(|p| view! { <span class="nobreak">{p}</span><wbr/> })
        .collect_view()
}

#[component]
fn ProjectorLive(id: String, token: String) -> impl IntoView {
    let live = Live::start(&id, &token);
    let now = server_clock(live);
    let followers = crate::pages::follow::followers_count(&id);
    // The join link is fetched with the projector's token, and again whenever the
    // moderator replaces it (the old QR code then admits nobody new).
    let invite_version = move || live.state.with(|s| s.as_ref().map(|s| s.invite_version));
    let links = LocalResource::new(move || {
        let (id, token) = (id.clone(), token.clone());
        let _ = invite_version();
        async move {
            api::get_as::<Links>(&format!("/api/meetings/{id}/links"), &token)
                .await
                .ok()
        }
    });
    let qr = move || links.get().flatten().map(|l| qr_src(&l.join_url));
    let sound = RwSignal::new(false);
    let read_aloud = move || live.state.with(|s| s.as_ref().is_some_and(|s| s.settings.read_aloud));
    crate::voice::read_new_opinions_aloud(live, sound);
    let wifi = move || live.state.with(|s| s.as_ref().and_then(|s| s.wifi.clone()));
    let phase = move || live.state.with(|s| s.as_ref().map(|s| s.phase));
    let ended = move || phase() == Some(Phase::Ended);
    view! {
        <main class="projector">
            <TimeUpChime live=live now=now/>
            <aside class="pj-side">
                // After the end nobody joins: the QR code goes.
                <Show when=move || !ended()>
                <img class="pj-qr" src=qr alt=move || t("scan_to_join")/>
                <div class="pj-scan">{move || t("scan_to_join")}</div>
                <div class="pj-url">{move || links.get().flatten().map(|l| typed_address(&l.join_url))}</div>
                {move || wifi().map(|w| view! {
                    <div class="pj-wifi">
                        <img class="pj-wifi-qr" src=qr_src(&w.qr_text()) alt=t("scan_wifi")/>
                        <div><b>{t("scan_wifi")}</b><br/>{w.ssid.clone()}<br/>
                            {if w.hide_password { t("wifi_password_in_qr").to_owned() } else { w.password.clone() }}</div>
                    </div>
                })}
                </Show>
                <div class="pj-status" class:offline=move || live.status.get() != Status::Online>
                    {move || if live.status.get() == Status::Online { "" } else { t("offline") }}
                </div>
                <h3>{move || t("attendance")}</h3>
                <ul class="pj-attendance">
                    {move || live.state.with(|s| s.as_ref().map(|s| attendance_by_category(s).into_iter().filter(|(_, n)| *n > 0).take(8).map(|(c, n)| view! { <li><span>{c}</span><b>{n}</b></li> }).collect_view()))}
                    {move || live.state.with(|s| s.as_ref().filter(|s| s.without_phone > 0).map(|s| view! { <li><span>{t("without_phone_short")}</span><b>{s.without_phone}</b></li> }))}
                    // Before anyone has scanned: say so, not an empty list under 到会.
                    {move || live.state.with(|s| s.as_ref().filter(|s| s.participants.iter().all(|p| p.removed) && s.without_phone == 0).map(|_| view! { <li class="nobody"><span>{t("nobody_joined")}</span><b>"0"</b></li> }))}
                </ul>

                <button class="pj-sound" class:on=move || sound.get() class:wanted=move || !sound.get() && read_aloud() on:click=move |_| sound.set(enable_sound())>
                    {move || match (sound.get(), read_aloud()) {
                        (true, _) => t("sound_is_on"),
                        (false, true) => t("read_aloud_enable"),
                        (false, false) => t("sound_on"),
                    }}
                </button>
            </aside>
            <section class="pj-main">
                <div class="pj-title-row">
                    <h1 class="pj-title">{move || live.state.with(|s| s.as_ref().map(|s| s.title.clone()))}</h1>
                    // Followers from home, counted apart from 到会, and the follow
                    // address for whoever tells a neighbour at home (as text, not a
                    // second QR code someone could scan to join).
                    <Show when=move || !ended()>
                        <div class="pj-follow">
                            <span>{move || t("follow_title")}</span>" "<b class="pj-online">{move || followers.get()}</b><br/>
                            <span class="pj-follow-url">{move || links.get().flatten().map(|l| typed_address(&l.follow_url))}</span>
                        </div>
                    </Show>
                </div>
                {move || match phase() {
                    None => ().into_any(),
                    // Before the start: what will be discussed, in order.
                    Some(Phase::NotStarted) => live.state.with(|s| s.as_ref().map(|s| view! {
                        <p class="pj-waiting">{t("waiting_to_start")}</p>
                        <p class="pj-when">{s.place.clone()}" "{s.starts_at.clone()}</p>
                        <h2 class="pj-agenda-title">{t("todays_agenda")}</h2>
                        <ol class="pj-agenda">{s.agenda.iter().map(|topic| view! {
                            <li>{topic.title.clone()}{(topic.minutes > 0).then(|| format!(" · {} {}", topic.minutes, t("minutes_short")))}</li>
                        }).collect_view()}</ol>
                    })).into_any(),
                    // After the end: what the meeting decided.
                    Some(Phase::Ended) => live.state.with(|s| s.as_ref().map(|s| view! {
                        <div class="pj-closing">{crate::pages::closing::closing_view(s, format!("/m/{}/minutes", s.id))}</div>
                    })).into_any(),
                    Some(Phase::Running) => view! { <Running live=live now=now/> }.into_any(),
                }}
            </section>
        </main>
    }
}

/// The meeting under way: the topic and its clock, who has the floor, the
/// open topic's vote or review, who is next, and the open topic's opinions —
/// sized to be read from 8 metres, so fewer of them.
#[component]
fn Running(live: Live, now: RwSignal<f64>) -> impl IntoView {
    view! {
        <div class="pj-topic-row"><CurrentTopic live=live/><TopicClock live=live now=now/></div>
        {move || live.state.with(|s| {
            let s = s.as_ref()?;
            let f = s.floor.as_ref()?;
            let left = floor_remaining_ms(f, now.get() as u64);
            let paused = f.running_since.is_none();
            Some(view! {
                <div class="pj-floor" class:paused=paused>
                    <div class="pj-speaker"><span class="floor-kind">{i18n::floor_kind(f.kind)}</span><br/>{public_name_of(s, f.participant)}</div>
                    <div class="pj-clock">
                        {paused.then(|| view! { <div class="pj-paused">{t("paused")}</div> })}
                        <div class="pj-countdown" class:over=left < 0>{if left < 0 { t("time_up").to_owned() } else { mmss(left) }}</div>
                    </div>
                </div>
            })
        })}
        // The open topic's latest vote or review (回顾), whichever was opened
        // last, with its live counts; an earlier topic's is not carried over.
        {move || live.state.with(|s| {
            let s = s.as_ref()?;
            let review = s.reviews.iter().rev().find(|r| r.open || s.current_topic.is_none()).map(|r| (r.opened_at, r.id));
            // Once the topic's outcome cites a vote (and none is open), that vote is
            // the one shown: a later vote's result beside the outcome would
            // contradict it on the wall.
            let cited = s.open_topic().and_then(|t| t.outcome.as_ref()).and_then(|o| o.vote);
            let vote = match s.votes.iter().rev().find(|v| v.open) {
                Some(open) => Some(open),
                None => cited
                    .and_then(|c| s.vote(c))
                    .or_else(|| s.votes.iter().rev().find(|v| v.topic.is_some() && v.topic == s.current_topic)),
            }
            .map(|v| (v.opened_at, v.id));
            Some(match (review, vote) {
                (Some((ra, r)), Some((va, _))) if ra >= va => view! { <div class="pj-vote"><crate::pages::review::ReviewBars live=live review=r/></div> }.into_any(),
                (Some((_, r)), None) => view! { <div class="pj-vote"><crate::pages::review::ReviewBars live=live review=r/></div> }.into_any(),
                (_, Some((_, v))) => view! { <div class="pj-vote"><crate::pages::decisions::VoteBars live=live vote=v/></div> }.into_any(),
                (None, None) => return None,
            })
        })}
        // What is being recorded for the open topic, so the room can check the wording.
        {move || live.state.with(|s| {
            let s = s.as_ref()?;
            let topic = s.open_topic()?;
            let commitments: Vec<_> = s.commitments.iter().filter(|c| c.topic == Some(topic.id)).cloned().collect();
            (topic.outcome.is_some() || !commitments.is_empty()).then(|| view! {
                <div class="pj-record">
                    {topic.outcome.clone().map(|o| view! {
                        <p><span class="tag">{i18n::outcome_kind(o.kind)}</span>" "{o.text.clone()}</p>
                    })}
                    {commitments.into_iter().map(|c| view! {
                        <p>{t("commitment")}{i18n::colon()}{c.what.clone()}" · "{c.responsible.clone()}" · "{c.deadline.clone()}</p>
                    }).collect_view()}
                </div>
            })
        })}
        {move || live.state.with(|s| {
            let s = s.as_ref()?;
            (!s.queue.is_empty()).then(|| view! {
                <div class="pj-next">
                    <b>{t("next_up")}{move || crate::i18n::colon()}</b>
                    {s.queue.iter().take(3).map(|p| view! { <span class="pj-q">{public_name_of(s, *p)}</span> }).collect_view()}
                </div>
            })
        })}
        <div class="pj-bottom">
            <div class="pj-bars">
                <h3>{move || t("by_category")}</h3>
                {move || live.state.with(|s| s.as_ref().map(|s| {
                    let counts = opinions_by_category(s);
                    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
                    counts.into_iter().filter(|(_, n)| *n > 0).take(6).map(|(c, n)| {
                        let label = if c.is_empty() { t("untagged").to_owned() } else { c };
                        let width = format!("width:{}%", n * 100 / max);
                        view! { <div class="bar"><span class="bar-label">{label}</span><span class="bar-fill" style=width></span><b>{n}</b></div> }
                    }).collect_view()
                }))}
            </div>
            <div class="pj-latest">
                // What residents sent from the notice before the meeting (会前), for the open topic.
                {move || live.state.with(|s| s.as_ref().and_then(|s| {
                    let before: Vec<_> = s.opinions.iter()
                        .filter(|o| o.channel == Some(babahui_shared::model::Channel::Before) && o.hidden.is_none() && o.merged_into.is_none() && !o.held
                            && s.current_topic.is_some() && o.topic == s.current_topic)
                        .map(|o| o.text.clone())
                        .collect();
                    (!before.is_empty()).then(|| view! {
                        <div class="pj-before">
                            <h3>{t("before_meeting_opinions")}" "{before.len()}</h3>
                            {before.into_iter().take(3).map(|text| view! { <p class="pj-op">{text}</p> }).collect_view()}
                        </div>
                    })
                }))}
                <h3>{move || t("latest")}</h3>
                {move || live.state.with(|s| s.as_ref().map(|s| s.opinions.iter().rev()
                    .filter(|o| o.hidden.is_none() && o.merged_into.is_none() && !o.held && (s.current_topic.is_none() || o.topic == s.current_topic))
                    .take(3)
                    .map(|o| view! {
                        <p class="pj-op">{(o.channel == Some(babahui_shared::model::Channel::Online)).then(|| view! { <span class="tag channel">{crate::i18n::channel(babahui_shared::model::Channel::Online)}</span>" " })}{crate::voice::projector_words(o)}{(!o.seconds.is_empty()).then(|| view! { <span class="count">" +"{o.seconds.len()}</span> })}</p>
                    }).collect_view()))}
            </div>
        </div>
    }
}
