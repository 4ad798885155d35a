//! Pieces shared by several pages.

use crate::i18n::{self, t, Lang};
use crate::live::{Live, Status};
use babahui_shared::views::{display_name, floor_remaining_ms};
use babahui_shared::{MeetingState, ParticipantId, TopicStatus};
use leptos::prelude::*;
use std::time::Duration;

/// A signal of server time, ticking four times a second, for countdowns.
pub fn server_clock(live: Live) -> RwSignal<f64> {
    let now = RwSignal::new(live.server_now());
    set_interval(
        move || now.set(live.server_now()),
        Duration::from_millis(250),
    );
    now
}

/// `m:ss`, with a minus sign when over time.
pub fn mmss(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let secs = ms.unsigned_abs().div_ceil(1000);
    format!("{sign}{}:{:02}", secs / 60, secs % 60)
}

/// The connection status and language switch, always visible.
#[component]
pub fn StatusBar(live: Live) -> impl IntoView {
    let label = move || match live.status.get() {
        Status::Online => t("online"),
        Status::Connecting => t("connecting"),
        Status::Offline | Status::Refused => t("offline"),
    };
    let class = move || match live.status.get() {
        Status::Online => "status online",
        Status::Connecting => "status connecting",
        _ => "status offline",
    };
    let unsent = move || {
        let n = live.outbox.get().len();
        (n > 0 && live.status.get() != Status::Online).then(|| format!(" · {n} {}", t("unsent")))
    };
    view! {
        <div class="statusbar">
            <span class=class role="status" aria-live="polite">{label}{unsent}</span>
            <LangSwitch/>
        </div>
        {move || live.notice.get().map(|n| view! {
            <div class="notice" role="alert" on:click=move |_| live.notice.set(None)>
                {i18n::error(n.code)}
            </div>
        })}
    }
}

/// A button that switches between 中文 and English.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let lang = i18n::lang();
    view! {
        <button class="lang" on:click=move |_| lang.update(|l| *l = if *l == Lang::Zh { Lang::En } else { Lang::Zh })>
            {move || t("lang_switch")}
        </button>
    }
}

/// The name to show for a participant.
pub fn name_of(state: &MeetingState, p: ParticipantId) -> String {
    display_name(state, p)
}

/// Who has the floor, with the countdown.
#[component]
pub fn FloorView(live: Live, now: RwSignal<f64>) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            let f = s.floor.as_ref()?;
            let left = floor_remaining_ms(f, now.get() as u64);
            let class = if left < 0 {
                "countdown over"
            } else if left < 30_000 {
                "countdown soon"
            } else {
                "countdown"
            };
            Some(view! {
                <div class="floor">
                    <div class="floor-kind">{i18n::floor_kind(f.kind)}</div>
                    <div class="floor-name">{name_of(s, f.participant)}</div>
                    <div class=class role="timer">{mmss(left)}</div>
                </div>
            })
        })
    }
}

/// The agenda with the open topic marked.
#[component]
pub fn AgendaList(live: Live) -> impl IntoView {
    move || {
        live.state.with(|s| {
            s.as_ref().map(|s| {
                s.agenda
                    .iter()
                    .map(|topic| {
                        let class = match topic.status {
                            TopicStatus::Open => "topic open",
                            TopicStatus::Closed => "topic closed",
                            TopicStatus::Pending => "topic",
                        };
                        let minutes = (topic.minutes > 0)
                            .then(|| format!(" · {} {}", topic.minutes, t("minutes_short")));
                        view! { <li class=class>{topic.title.clone()}{minutes}</li> }
                    })
                    .collect_view()
            })
        })
    }
}

/// The open topic's title and stage, or "no topic".
#[component]
pub fn CurrentTopic(live: Live) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            Some(match s.open_topic() {
                Some(topic) => view! {
                    <div class="current">
                        <div class="current-title">{topic.title.clone()}</div>
                        <div class="stage">{topic.stage.map(i18n::stage)}</div>
                    </div>
                }
                .into_any(),
                None => view! { <div class="current muted">{i18n::phase(s.phase)}" · "{t("no_topic")}</div> }.into_any(),
            })
        })
    }
}
