//! Voice (语音) and reading aloud (朗读): for residents who do not type Chinese
//! on a phone, or do not read small text.
//!
//! - [`VoiceButton`]: the phone's 语音 button. On the plain-HTTP address of a
//!   courtyard laptop a page may not use the microphone (it needs a secure
//!   context), so the button is a file input that opens the phone's own
//!   recorder (`accept="audio/*" capture`); the recording goes up as it is
//!   and the server checks it. Where the page is a secure context and the
//!   browser has `MediaRecorder`, the button records in the page instead.
//! - [`VoiceOpinion`]: the staff's player and transcript box (转写).
//! - [`speak`] and [`SpeakButton`]: the browser's speech synthesis with a
//!   Chinese voice, when the device has one (the button is hidden otherwise).

use crate::api;
use crate::i18n::{self, t};
use crate::live::Live;
use babahui_shared::limits::{VOICE_MAX_MS, VOICE_UPLOAD_MAX_BYTES};
use babahui_shared::model::{Opinion, Voice};
use babahui_shared::{Command, MeetingId, OpinionId, Stance};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Where the 语音 button stands.
#[derive(Debug, Clone, PartialEq)]
enum Upload {
    Idle,
    Recording,
    /// Recorded (or chosen), waiting for 发送语音 or 不要了.
    Ready,
    Sending,
    Sent(String),
    Failed(String),
}

/// The phone's 语音 button: record (or choose) a spoken opinion of at most a
/// minute and send it under the topic on the screen, with the stance and
/// category chosen above it.
#[component]
pub fn VoiceButton(live: Live, category: RwSignal<Option<String>>, stance: RwSignal<Option<Stance>>) -> impl IntoView {
    let status = RwSignal::new(Upload::Idle);
    // A refusal or a 已发送 is about this topic: another topic starts clean.
    let topic = move || live.state.with(|s| s.as_ref().and_then(|s| s.current_topic));
    Effect::new(move |was: Option<Option<babahui_shared::TopicId>>| {
        let now = topic();
        if was.is_some_and(|w| w != now) && status.get_untracked() != Upload::Recording {
            status.set(Upload::Idle);
        }
        now
    });
    // Seconds recorded so far, while recording in the page.
    let seconds = RwSignal::new(0u32);
    let send_blob = move |blob: web_sys::Blob| {
        if blob.size() > VOICE_UPLOAD_MAX_BYTES as f64 {
            status.set(Upload::Failed(t("voice_too_big").to_owned()));
            return;
        }
        let topic = live
            .state
            .with_untracked(|s| s.as_ref().and_then(|s| s.current_topic))
            .map_or_else(|| "none".to_owned(), |t| t.0.to_string());
        let mut query = format!("?topic={topic}&cid=voice-{}", js_sys::Math::random().to_bits());
        if let Some(c) = category.get_untracked() {
            query.push_str(&format!("&category={}", js_sys::encode_uri_component(&c)));
        }
        if let Some(s) = stance.get_untracked().and_then(|s| serde_json::to_value(s).ok()) {
            query.push_str(&format!("&stance={}", s.as_str().unwrap_or_default()));
        }
        let path = format!("/api/meetings/{}/voice{query}", live.meeting());
        let token = live.token();
        status.set(Upload::Sending);
        leptos::task::spawn_local(async move {
            match api::upload::<serde_json::Value>(&path, &blob, Some(&token)).await {
                Ok(_) => {
                    status.set(Upload::Sent(t("voice_sent").to_owned()));
                    // Said for a while, then the button is simply ready again.
                    set_timeout(
                        move || {
                            if matches!(status.get_untracked(), Upload::Sent(_)) {
                                status.set(Upload::Idle);
                            }
                        },
                        std::time::Duration::from_secs(8),
                    );
                    category.set(None);
                    stance.set(None);
                }
                Err(e) if e.status == 0 => status.set(Upload::Failed(t("voice_offline").to_owned())),
                Err(e) => status.set(Upload::Failed(in_page_language(&e.message))),
            }
        });
    };
    // A recording waits for the person to send it (they may pick a stance
    // and a kind first, or record again).
    let ready = StoredValue::new_local(None::<web_sys::Blob>);
    let hold = move |blob: web_sys::Blob| {
        if blob.size() > VOICE_UPLOAD_MAX_BYTES as f64 {
            status.set(Upload::Failed(t("voice_too_big").to_owned()));
        } else {
            ready.set_value(Some(blob));
            status.set(Upload::Ready);
        }
    };
    let send_now = move |_| {
        if let Some(blob) = ready.get_value() {
            ready.set_value(None);
            send_blob(blob);
        }
    };
    let discard = move |_| {
        ready.set_value(None);
        status.set(Upload::Idle);
    };
    let chosen = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        // The list is live: take the file before clearing the input.
        let file = input.files().and_then(|f| f.get(0));
        input.set_value("");
        if let Some(file) = file {
            hold(file.into());
        }
    };
    let recorder = StoredValue::new_local(None::<Recorder>);
    let in_page = can_record_in_page();
    let record = move |_| match recorder.get_value() {
        Some(r) => {
            r.stop();
            recorder.set_value(None);
        }
        None => {
            status.set(Upload::Recording);
            seconds.set(0);
            let ticking = set_interval_with_handle(
                move || {
                    if status.get_untracked() == Upload::Recording {
                        seconds.update(|s| *s += 1);
                    }
                },
                std::time::Duration::from_secs(1),
            );
            let _ = ticking.map(|t| {
                set_timeout(
                    move || t.clear(),
                    std::time::Duration::from_millis(u64::from(VOICE_MAX_MS) + 2000),
                )
            });
            leptos::task::spawn_local(async move {
                match Recorder::start(hold).await {
                    Ok(r) => recorder.set_value(Some(r)),
                    Err(_) => status.set(Upload::Failed(t("voice_no_microphone").to_owned())),
                }
            });
        }
    };
    view! {
        <div class="voice-send">
            {if in_page {
                view! {
                    <button type="button" class="voice-btn big" class:recording=move || status.get() == Upload::Recording on:click=record>
                        {move || if status.get() == Upload::Recording { t("voice_stop") } else { t("voice_button") }}
                    </button>
                }.into_any()
            } else {
                view! {
                    <label class="voice-btn big">{move || t("voice_button")}
                        <input type="file" accept="audio/*" capture="" class="file-hidden" on:change=chosen/>
                    </label>
                }.into_any()
            }}
            <span class="muted voice-hint">{move || t("voice_hint")}</span>
            {move || match status.get() {
                Upload::Idle => None,
                Upload::Recording => Some(view! {
                    <p class="notice info recording-time" role="status">{move || t("voice_recording").replace("{n}", &seconds.get().to_string())}</p>
                }.into_any()),
                Upload::Ready => Some(view! {
                    <div class="voice-ready">
                        <p class="notice info" role="status">{t("voice_ready")}</p>
                        <button type="button" class="primary big voice-send-now" on:click=send_now>{t("voice_send")}</button>
                        <button type="button" class="voice-discard" on:click=discard>{t("voice_discard")}</button>
                    </div>
                }.into_any()),
                Upload::Sending => Some(view! { <p class="muted sending" role="status">{t("voice_sending")}</p> }.into_any()),
                Upload::Sent(words) => Some(view! { <p class="sent voice-sent" role="status">{words}</p> }.into_any()),
                Upload::Failed(words) => Some(view! { <p class="notice form-error voice-error" role="alert">{words}</p> }.into_any()),
            }}
        </div>
    }
}

/// A refusal as the server words it ("中文 · English") in the page's language.
fn in_page_language(message: &str) -> String {
    match message.split_once(" · ") {
        Some((_, en)) if i18n::lang().get_untracked() == i18n::Lang::En => en.to_owned(),
        Some((zh, _)) => zh.to_owned(),
        None => message.to_owned(),
    }
}

/// An opinion in a few words, for a list to choose from (a voice opinion
/// not yet written down is named as one, with its length).
pub fn short_words(o: &Opinion) -> String {
    match &o.voice {
        Some(v) if o.text.is_empty() => format!("{} {}", t("voice_tag"), v.length()),
        _ => o.text.chars().take(16).collect(),
    }
}

/// Whether the page may record itself (a secure context with `MediaRecorder`).
fn can_record_in_page() -> bool {
    let w = window();
    w.is_secure_context() && js_sys::Reflect::has(&w, &"MediaRecorder".into()).unwrap_or(false)
}

/// A recording in the page, sent when stopped (or after a minute).
#[derive(Clone)]
struct Recorder {
    inner: web_sys::MediaRecorder,
}

impl Recorder {
    async fn start(send: impl Fn(web_sys::Blob) + Copy + 'static) -> Result<Recorder, JsValue> {
        let devices = window().navigator().media_devices()?;
        let constraints = web_sys::MediaStreamConstraints::new();
        constraints.set_audio(&JsValue::TRUE);
        let stream: web_sys::MediaStream =
            wasm_bindgen_futures::JsFuture::from(devices.get_user_media_with_constraints(&constraints)?)
                .await?
                .dyn_into()?;
        let inner = web_sys::MediaRecorder::new_with_media_stream(&stream)?;
        let chunks = std::rc::Rc::new(std::cell::RefCell::new(js_sys::Array::new()));
        let kept = chunks.clone();
        let on_data =
            wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |e: web_sys::BlobEvent| {
                if let Some(b) = e.data() {
                    kept.borrow().push(&b);
                }
            });
        inner.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        on_data.forget();
        let tracks = stream.clone();
        let on_stop = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            for track in tracks.get_tracks().iter() {
                if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                    track.stop();
                }
            }
            if let Ok(blob) = web_sys::Blob::new_with_blob_sequence(&chunks.borrow()) {
                send(blob);
            }
        });
        inner.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
        on_stop.forget();
        inner.start()?;
        let r = Recorder { inner };
        let stopping = r.clone();
        set_timeout(
            move || stopping.stop(),
            std::time::Duration::from_millis(u64::from(VOICE_MAX_MS)),
        );
        Ok(r)
    }

    fn stop(&self) {
        if self.inner.state() == web_sys::RecordingState::Recording {
            let _ = self.inner.stop();
        }
    }
}

/// A voice opinion on the phone: its length, and its transcript once written.
pub fn voice_line(o: &Opinion) -> Option<impl IntoView> {
    let v = o.voice.as_ref()?;
    let pending = o.text.is_empty();
    Some(view! {
        <p class="voice-line">
            <span class="tag voice-tag">{t("voice_tag")}" "{v.length()}</span>
            {pending.then(|| view! { " "<span class="muted">{t("voice_pending")}</span> })}
            {o.transcribed.then(|| view! { " "<span class="tag">{t("voice_transcribed")}</span> })}
        </p>
    })
}

/// The staff's view of a voice opinion: the player with its length, and the
/// box to write what was said (转写), which replaces the text everywhere.
#[component]
pub fn VoiceOpinion(
    live: Live,
    meeting: MeetingId,
    opinion: OpinionId,
    voice: Voice,
    text: String,
    transcribed: bool,
) -> impl IntoView {
    let draft = RwSignal::new(text.clone());
    let url = voice.url(&meeting);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let words = draft.get();
        if !words.trim().is_empty() {
            live.send(Command::Transcribe { opinion, text: words });
        }
    };
    view! {
        <div class="voice">
            <span class="tag voice-tag">{t("voice_tag")}" "{voice.length()}</span>
            {transcribed.then(|| view! { " "<span class="tag">{t("voice_transcribed")}</span> })}
            {url.map(|u| view! { <audio controls preload="metadata" src=u></audio> })}
            <form class="transcribe" on:submit=save>
                <label class="inline">{move || if text.is_empty() { t("transcribe") } else { t("transcribe_again") }}
                    <textarea rows="3" class="transcript" bind:value=draft></textarea>
                </label>
                <button type="submit" class="small transcribe-save">{move || t("transcribe_save")}</button>
            </form>
        </div>
    }
}

/// The device's Chinese voice, if it has one (`speechSynthesis.getVoices()`).
fn zh_voice() -> Option<web_sys::SpeechSynthesisVoice> {
    let synth = window().speech_synthesis().ok()?;
    synth
        .get_voices()
        .iter()
        // Unchecked: a voice is what the list holds (a test's stub is not of
        // the class, and nothing but `lang` is read of it).
        .map(|v| v.unchecked_into::<web_sys::SpeechSynthesisVoice>())
        .find(|v| v.lang().to_ascii_lowercase().replace('_', "-").starts_with("zh"))
}

/// Whether this device can read aloud in Chinese; follows the voice list,
/// which browsers fill in after the page has loaded.
pub fn can_speak() -> Signal<bool> {
    let has = RwSignal::new(zh_voice().is_some());
    if let Ok(synth) = window().speech_synthesis() {
        let changed = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || has.set(zh_voice().is_some()));
        synth.set_onvoiceschanged(Some(changed.as_ref().unchecked_ref()));
        changed.forget();
    }
    has.into()
}

/// Reads `text` aloud in the Chinese voice (what was being read stops).
pub fn speak(text: &str) {
    let (Ok(synth), Some(voice)) = (window().speech_synthesis(), zh_voice()) else {
        return;
    };
    let Ok(u) = web_sys::SpeechSynthesisUtterance::new_with_text(text) else {
        return;
    };
    // By its language: the browser takes its voice for it (setting the voice
    // object itself throws for one the page did not get from the browser).
    u.set_lang(&voice.lang());
    // A little slower than the default: it is for people who find reading hard.
    u.set_rate(0.9);
    synth.cancel();
    synth.speak(&u);
}

/// A 朗读 button that reads what `words` gives when pressed; hidden where the
/// device has no Chinese voice.
#[component]
pub fn SpeakButton(words: Signal<String>, #[prop(optional)] class: &'static str) -> impl IntoView {
    let can = can_speak();
    move || {
        can.get().then(|| {
            view! {
                <button type="button" class=format!("speak {class}") aria-label=move || t("read_aloud")
                    on:click=move |ev| { ev.stop_propagation(); speak(&words.get_untracked()); }>
                    {move || t("read_aloud")}
                </button>
            }
        })
    }
}

/// 朗读 on the phone: the topic and who speaks, for whoever finds reading hard.
#[component]
pub fn SpeakNow(live: Live) -> impl IntoView {
    let words = Signal::derive(move || live.state.with(|s| s.as_ref().map(meeting_now).unwrap_or_default()));
    view! { <SpeakButton class="speak-now" words=words/> }
}

/// What a phone's 朗读 says of the meeting now: the topic and who has the floor.
pub fn meeting_now(s: &babahui_shared::MeetingState) -> String {
    let mut words = Vec::new();
    match s.open_topic() {
        Some(topic) => words.push(format!("{}{}{}", t("now_discussing"), i18n::colon(), topic.title)),
        None => words.push(s.title.clone()),
    }
    if let Some(floor) = &s.floor {
        words.push(format!(
            "{}{}{}",
            t("speaking"),
            i18n::colon(),
            babahui_shared::views::public_name(s, floor.participant)
        ));
    }
    words.join("。")
}

/// What 朗读 says of an opinion: its stance, its text (or that it was spoken).
pub fn opinion_words(o: &Opinion) -> String {
    let stance = o.stance.map(|s| format!("{}。", i18n::stance(s))).unwrap_or_default();
    let text = if o.text.is_empty() && o.voice.is_some() {
        t("voice_pending").to_owned()
    } else {
        o.text.clone()
    };
    format!("{stance}{text}")
}

/// The projector's line for an opinion's words: the text, marked 语音转写
/// when it was written from a recording; a recording not yet written shows
/// as one, with its length.
pub fn projector_words(o: &Opinion) -> impl IntoView {
    let spoken = o.voice.as_ref().map(|v| {
        view! { <span class="tag voice-tag">{t("voice_tag")}" "{v.length()}</span>" " }
    });
    let words = if o.text.is_empty() && o.voice.is_some() {
        view! { <span class="muted">{t("voice_pending")}</span> }.into_any()
    } else {
        view! { <span>{o.text.clone()}</span> }.into_any()
    };
    let mark = o
        .transcribed
        .then(|| view! { <span class="tag">{t("voice_transcribed")}</span>" " });
    // The marks first: a long transcript is cut at its end, never them.
    view! { {spoken}{mark}{words} }
}

/// On the projector, when the moderator has turned 朗读 on and the room's
/// sound is on: each new opinion shown is read aloud, a recording not yet
/// written down is played as it was spoken, and a transcript is read once it
/// is written. What was there before the page opened is not read.
pub fn read_new_opinions_aloud(live: Live, sound: RwSignal<bool>) {
    // The opinions shown, each with whether it has words, as last seen.
    let seen = StoredValue::new(None::<Vec<(u32, bool)>>);
    Effect::new(move |_| {
        let Some((on, meeting, shown)) = live.state.with(|s| {
            let s = s.as_ref()?;
            let shown: Vec<Opinion> = s
                .opinions
                .iter()
                .filter(|o| o.hidden.is_none() && o.merged_into.is_none() && !o.held)
                .cloned()
                .collect();
            Some((s.settings.read_aloud, s.id.clone(), shown))
        }) else {
            return;
        };
        let now: Vec<(u32, bool)> = shown.iter().map(|o| (o.id.0, !o.text.is_empty())).collect();
        let before = seen.get_value();
        seen.set_value(Some(now.clone()));
        let (Some(before), true, true) = (before, on, sound.get_untracked()) else {
            return;
        };
        let fresh = now.iter().rev().find(|entry| !before.contains(entry));
        let Some(o) = fresh.and_then(|(id, _)| shown.iter().find(|o| o.id.0 == *id)) else {
            return;
        };
        match o.voice.as_ref().and_then(|v| v.url(&meeting)) {
            Some(url) if o.text.is_empty() => {
                if let Ok(audio) = web_sys::HtmlAudioElement::new_with_src(&url) {
                    let _ = audio.play();
                }
            }
            _ => speak(&opinion_words(o)),
        }
    });
}
