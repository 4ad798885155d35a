//! Pieces shared by several pages.

use crate::i18n::{self, t, Lang};
use crate::live::{Live, Status};
use babahui_shared::views::{display_name, floor_remaining_ms, public_name};
use babahui_shared::{MeetingState, ParticipantId, TopicStatus};
use leptos::prelude::*;
use std::time::Duration;

/// A signal of server time, ticking four times a second, for countdowns.
pub fn server_clock(live: Live) -> RwSignal<f64> {
    let now = RwSignal::new(live.server_now());
    set_interval(move || now.set(live.server_now()), Duration::from_millis(250));
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
        Status::Removed => t("removed"),
    };
    let class = move || match live.status.get() {
        Status::Online => "status online",
        Status::Connecting => "status connecting",
        _ => "status offline",
    };
    // Every tap not yet acknowledged stays on screen as waiting, named, so a
    // person on a dropped Wi-Fi sees that their hand or opinion has not gone yet.
    let unsent = move || {
        let n = live.outbox.get().len();
        (n > 0).then(|| format!(" · {n} {}", t("unsent")))
    };
    let pending = move || {
        let offline = live.status.get() != Status::Online;
        let items: Vec<String> = live.outbox.with(|o| o.iter().map(|u| u.label.clone()).collect());
        (offline && !items.is_empty()).then(|| {
            view! {
                <ul class="pending" aria-label=move || t("unsent")>
                    {items.into_iter().map(|l| view! { <li>{l}" · "{move || t("waiting")}</li> }).collect_view()}
                </ul>
            }
        })
    };
    view! {
        <div class="statusbar">
            <span class=class role="status" aria-live="polite">{label}{unsent}</span>
            <crate::views::ViewSwitch/>
            <LangSwitch/>
        </div>
        {pending}
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

/// The name to show for a participant on the moderator's and the recorder's
/// screens, who need it to call people.
pub fn name_of(state: &MeetingState, p: ParticipantId) -> String {
    display_name(state, p)
}

/// For the moderator's and recorder's screens: how the projector and the phones
/// name someone who did not agree to be named (投屏显示为 居民1), so the
/// moderator calls them by that, not by the name only they can see.
pub fn shown_as(state: &MeetingState, p: ParticipantId) -> Option<String> {
    let public = public_name(state, p);
    (public != display_name(state, p)).then(|| format!("{}{public}", t("shown_as")))
}

/// The name to show on public displays (the projector, attendees' phones):
/// the real name only for those who agreed to be named.
pub fn public_name_of(state: &MeetingState, p: ParticipantId) -> String {
    public_name(state, p)
}

/// Who has the floor, with the countdown.
#[component]
pub fn FloorView(live: Live, now: RwSignal<f64>) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            let f = s.floor.as_ref()?;
            let left = floor_remaining_ms(f, now.get() as u64);
            let paused = f.running_since.is_none();
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
                    <div class="floor-name">{public_name_of(s, f.participant)}</div>
                    // As the projector says it: 时间到, not a negative count.
                    <div class=class role="timer">{if left < 0 { t("time_up").to_owned() } else { mmss(left) }}</div>
                    {paused.then(|| view! { <div class="paused-tag">{t("paused")}</div> })}
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
                        let minutes =
                            (topic.minutes > 0).then(|| format!(" · {} {}", topic.minutes, t("minutes_short")));
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
                None => {
                    view! { <div class="current muted">{i18n::phase(s.phase)}" · "{t("no_topic")}</div> }.into_any()
                }
            })
        })
    }
}

/// The open topic's photos (the broken lamp, the blocked lane), as the
/// organiser attached them for the notice.
#[component]
pub fn TopicPhotos(live: Live) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let topic = s.as_ref()?.open_topic()?;
            (!topic.photos.is_empty()).then(|| {
                view! {
                    <div class="topic-photos-live">
                        {topic.photos.iter().map(|id| view! {
                            <img src=babahui_shared::matters::photo_url(id) alt=t("photo")/>
                        }).collect_view()}
                    </div>
                }
            })
        })
    }
}

/// Minutes and seconds left in the open topic's time box at `now`, if it has one.
pub fn topic_left_ms(state: &MeetingState, now: f64) -> Option<i64> {
    let topic = state.open_topic()?;
    let opened = topic.opened_at? as f64;
    (topic.minutes > 0).then(|| (opened + f64::from(topic.minutes) * 60_000.0 - now) as i64)
}

/// The open topic's remaining time box, e.g. "议题剩余 12:30".
#[component]
pub fn TopicClock(live: Live, now: RwSignal<f64>) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let left = topic_left_ms(s.as_ref()?, now.get())?;
            Some(view! {
                <div class="topic-clock" class:over=left < 0>{t("topic_left")}" "{mmss(left)}</div>
            })
        })
    }
}

thread_local! {
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> = const { std::cell::RefCell::new(None) };
}

/// Creates (or resumes) the audio context. Browsers allow sound only after a
/// person has touched the page, so this is called from a click.
pub fn enable_sound() -> bool {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = web_sys::AudioContext::new().ok();
        }
        if let Some(ctx) = a.as_ref() {
            let _ = ctx.resume();
        }
        a.is_some()
    })
}

/// A soft two-note chime (no file to download; synthesised).
pub fn chime() {
    AUDIO.with(|a| {
        let a = a.borrow();
        let Some(ctx) = a.as_ref() else { return };
        let start = ctx.current_time();
        for (i, freq) in [660.0_f32, 880.0].into_iter().enumerate() {
            let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
                return;
            };
            osc.frequency().set_value(freq);
            let t0 = start + i as f64 * 0.35;
            let g = gain.gain();
            let _ = g.set_value_at_time(0.0, t0);
            let _ = g.linear_ramp_to_value_at_time(0.25, t0 + 0.03);
            let _ = g.linear_ramp_to_value_at_time(0.0, t0 + 0.5);
            let _ = osc.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&ctx.destination());
            let _ = osc.start_with_when(t0);
            let _ = osc.stop_with_when(t0 + 0.55);
        }
    });
}

/// Chimes once when a speaker's time runs out. The sound plays only where it
/// was enabled by a touch (see [`enable_sound`]).
#[component]
pub fn TimeUpChime(live: Live, now: RwSignal<f64>) -> impl IntoView {
    let last = StoredValue::new(None::<(u64, u32)>);
    Effect::new(move |_| {
        let due = live.state.with(|s| {
            let f = s.as_ref()?.floor.as_ref()?;
            let key = (f.started_at, f.participant.0);
            (floor_remaining_ms(f, now.get() as u64) <= 0).then_some(key)
        });
        if let Some(key) = due {
            if last.get_value() != Some(key) {
                last.set_value(Some(key));
                chime();
            }
        }
    });
}

/// Opinions with category filters; for recorders and the moderator, re-tag,
/// merge and hide. Nothing is deleted: hidden opinions stay listed, dimmed.
#[component]
pub fn OpinionWall(live: Live) -> impl IntoView {
    use babahui_shared::{Command, OpinionId, Stance};
    let filter = RwSignal::new(None::<String>);
    let categories = move || {
        live.state
            .with(|s| s.as_ref().map(|s| s.opinion_categories.clone()).unwrap_or_default())
    };
    view! {
        <div class="chips" role="group" aria-label=move || t("category")>
            <button class="chip" class:selected=move || filter.get().is_none() on:click=move |_| filter.set(None)>{move || t("all")}</button>
            {move || categories().into_iter().map(|c| {
                let (a, b) = (c.clone(), c.clone());
                view! { <button class="chip" class:selected=move || filter.get().as_deref() == Some(a.as_str()) on:click=move |_| filter.set(Some(b.clone()))>{c}</button> }
            }).collect_view()}
        </div>
        <ul class="opinions wall">
            {move || live.state.with(|s| {
                let Some(s) = s else { return Vec::new() };
                let wanted = filter.get();
                let cats = s.opinion_categories.clone();
                let targets: Vec<(OpinionId, String)> = s.opinions.iter()
                    .filter(|o| o.merged_into.is_none() && o.hidden.is_none())
                    .map(|o| (o.id, format!("#{} {}", o.id, crate::voice::short_words(o))))
                    .collect();
                s.opinions.iter().rev()
                    .filter(|o| o.merged_into.is_none())
                    .filter(|o| wanted.is_none() || o.category == wanted)
                    .map(|o| {
                        let id = o.id;
                        let hidden = o.hidden.clone();
                        let author = o.author.map(|a| name_of(s, a)).unwrap_or_else(|| t("anonymous").to_owned());
                        let current = o.category.clone().unwrap_or_default();
                        let current_category = o.category.clone();
                        let stance = o.stance;
                        let to_ledger = o.to_ledger;
                        let held = o.held;
                        let cats = cats.clone();
                        let merge_targets: Vec<_> = targets.iter().filter(|(t, _)| *t != id).cloned().collect();
                        let reason = RwSignal::new(String::new());
                        view! {
                            <li class="opinion" class:hidden-op=hidden.is_some() class:held=held data-opinion=id.0>
                                <div class="meta">
                                    <span class="num">"#"{id.0}</span>
                                    <span class="tag">{o.category.clone()}</span>
                                    <span class="tag">{o.stance.map(i18n::stance)}</span>
                                    <span class="who">{author}</span>
                                    <span class="count">{t("second")}" "{o.seconds.len()}</span>
                                    {o.late.then(|| view! { <span class="tag late">{t("late")}</span> })}
                                    {o.channel.map(|c| view! { <span class="tag channel">{i18n::channel(c)}</span> })}
                                    {to_ledger.then(|| view! { <span class="tag ledger-mark">{t("in_ledger")}</span> })}
                                </div>
                                <p class="text">{o.text.clone()}</p>
                                {o.voice.clone().map(|v| view! {
                                    <crate::voice::VoiceOpinion live=live meeting=s.id.clone() opinion=id voice=v text=o.text.clone() transcribed=o.transcribed/>
                                })}
                                // Held for approval: one tap puts it on the projector; 隐藏 keeps it off.
                                {held.then(|| view! {
                                    <p class="held-line"><span class="tag held-tag">{t("held")}</span>" "
                                        <button class="approve primary small" on:click=move |_| live.send(Command::ApproveOpinion { opinion: id })>{t("approve")}</button>
                                    </p>
                                })}
                                {hidden.clone().map(|r| view! { <p class="muted">{t("hidden")}{move || crate::i18n::colon()}{r}</p> })}
                                <div class="row tools">
                                    <label class="inline">{t("retag")}
                                        <select class="retag" on:change=move |ev| {
                                            let v = event_target_value(&ev);
                                            let category = (!v.is_empty()).then_some(v);
                                            live.send(Command::Retag { opinion: id, category, stance });
                                        }>
                                            <option value="" selected=current.is_empty()>{t("untagged")}</option>
                                            {cats.into_iter().map(|c| { let sel = c == current; view! { <option value=c.clone() selected=sel>{c.clone()}</option> } }).collect_view()}
                                        </select>
                                    </label>
                                    <label class="inline">{t("stance")}
                                        <select class="restance" on:change=move |ev| {
                                            let stance = serde_json::from_value(serde_json::Value::String(event_target_value(&ev))).ok();
                                            live.send(Command::Retag { opinion: id, category: current_category.clone(), stance });
                                        }>
                                            <option value="" selected=stance.is_none()>"—"</option>
                                            {[Stance::Support, Stance::Oppose, Stance::Suggest, Stance::Question].into_iter().map(|s| {
                                                let v = serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                                                view! { <option value=v selected=stance == Some(s)>{i18n::stance(s)}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <button class="to-ledger" class:selected=to_ledger aria-pressed=to_ledger.to_string()
                                        on:click=move |_| live.send(Command::MarkForLedger { opinion: id, on: !to_ledger })>
                                        {if to_ledger { t("in_ledger") } else { t("mark_ledger") }}
                                    </button>
                                    <select class="merge" aria-label=t("merge_into") on:change=move |ev| {
                                        if let Ok(into) = event_target_value(&ev).parse::<u32>() {
                                            // A merge cannot be undone: ask first, and put the choice back if not.
                                            let question = t("confirm_merge").replace("{a}", &id.0.to_string()).replace("{b}", &into.to_string());
                                            if window().confirm_with_message(&question).unwrap_or(false) {
                                                live.send(Command::Merge { opinion: id, into: OpinionId(into) });
                                            } else {
                                                set_select_value(&ev, "");
                                            }
                                        }
                                    }>
                                        <option value="" selected=true>{t("merge_into")}</option>
                                        {merge_targets.into_iter().map(|(t, label)| view! { <option value=t.0.to_string()>{label}</option> }).collect_view()}
                                    </select>
                                    {match hidden {
                                        Some(_) => view! { <button on:click=move |_| live.send(Command::Unhide { opinion: id })>{t("unhide")}</button> }.into_any(),
                                        None => view! {
                                            <input class="reason" placeholder=t("hide_reason") aria-label=t("hide_reason") bind:value=reason/>
                                            <button class="hide" on:click=move |_| {
                                                let r = reason.get();
                                                let r = if r.trim().is_empty() { t("reason_default").to_owned() } else { r };
                                                live.send(Command::Hide { opinion: id, reason: r });
                                            }>{t("hide")}</button>
                                        }.into_any(),
                                    }}
                                </div>
                            </li>
                        }
                    })
                    .collect::<Vec<_>>()
            })}
        </ul>
    }
}

/// The answer to what a form sent: the form keeps what was typed until the
/// server accepts it (then `on_ok` clears it), and a refusal is shown next to
/// the form that sent it, not at the top of a long page.
#[derive(Debug, Clone, Copy)]
pub struct FormAnswer {
    live: Live,
    pending: RwSignal<Option<babahui_shared::CommandId>>,
    /// The refusal of the last command this form sent.
    pub error: RwSignal<Option<crate::live::Notice>>,
}

impl FormAnswer {
    /// Watches `live`'s answers; `on_ok` runs when this form's command is accepted.
    pub fn new(live: Live, on_ok: impl Fn() + 'static) -> FormAnswer {
        let answer = FormAnswer {
            live,
            pending: RwSignal::new(None),
            error: RwSignal::new(None),
        };
        Effect::new(move |_| {
            let Some((id, refusal)) = live.answer.get() else { return };
            if answer.pending.get_untracked().as_ref() != Some(&id) {
                return;
            }
            answer.pending.set(None);
            match refusal {
                None => on_ok(),
                Some(n) => answer.error.set(Some(n)),
            }
        });
        answer
    }

    /// Sends `command` for this form.
    pub fn send(&self, command: babahui_shared::Command) {
        self.error.set(None);
        self.pending.set(Some(self.live.send_from_form(command)));
    }

    /// Sent and not yet answered.
    pub fn waiting(&self) -> bool {
        self.pending.get().is_some()
    }
}

/// A form's refusal, next to the form: what went wrong in plain words, and the
/// server's own reason beneath it.
#[component]
pub fn FormError(answer: FormAnswer) -> impl IntoView {
    move || {
        answer.error.get().map(|n| {
            let reason = i18n::reason(&n.message);
            view! {
                <p class="notice form-error" role="alert">
                    {reason.unwrap_or_else(|| format!("{}（{}）", i18n::error(n.code), n.message))}
                </p>
            }
        })
    }
}

/// Puts a `<select>` back to `value` (a choice that was not confirmed).
fn set_select_value(ev: &leptos::ev::Event, value: &str) {
    use wasm_bindgen::JsCast;
    if let Some(select) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
    {
        select.set_value(value);
    }
}

/// Ends the join page's first paint (the meeting drawn by the server into the
/// page's first bytes): called once the application's page has the meeting
/// to show, so a phone goes from the meeting to the meeting, never through an
/// empty "connecting" screen.
pub fn first_paint_done() {
    if let Some(first) = document().get_element_by_id("loading") {
        first.remove();
    }
}

/// The attendee token the server-drawn page was drawn for: someone who joined
/// through its plain form (before the application arrived, or on a phone
/// without it) carries on as themselves, not as a stranger asked to join again.
pub fn first_paint_attendee() -> Option<String> {
    document()
        .get_element_by_id("loading")?
        .get_attribute("data-attendee")
        .filter(|t| !t.is_empty())
}

/// What was typed into the server-drawn join form before the application took
/// its place (name, the picked category, the publish tick), so nothing typed
/// on a slow phone is lost when the application arrives.
pub fn first_paint_join_fields() -> (String, Option<String>, bool) {
    use wasm_bindgen::JsCast;
    let input = |css: &str| {
        document()
            .query_selector(css)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    };
    let name = input("#plain input[name=name]").map(|e| e.value()).unwrap_or_default();
    let category = input("#plain input[name=category]:checked").map(|e| e.value());
    let publish = input("#plain input[name=publish]").is_some_and(|e| e.checked());
    (name, category, publish)
}

/// The opinion being typed into the server-drawn page's plain form, and
/// whether the person is typing in it now, so that the application, taking
/// its place, goes on with it (and with the keyboard up).
pub fn first_paint_opinion() -> (String, bool) {
    use wasm_bindgen::JsCast;
    let Some(area) = document()
        .query_selector("#plain textarea[name=text]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    else {
        return (String::new(), false);
    };
    let focused = document()
        .active_element()
        .is_some_and(|active| active.is_same_node(Some(&area)));
    (area.value(), focused)
}

/// A server time (ms) as a local date, YYYY-MM-DD.
pub fn date(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}
