//! Voice opinions and reading aloud in Chromium (issue 24). 张婆婆 does not
//! type: on the courtyard's plain-HTTP address her phone's 语音 button opens
//! the phone's own recorder (a file input), and what it recorded (a real Ogg
//! Opus file made by ffmpeg) goes up. The tablet shows it at once with a
//! player whose audio reports its length, plays it, writes what was said and
//! tags it; the phones and the projector show the transcript marked 语音转写,
//! and so do the minutes. Ten minutes, a file that is no recording and one
//! too large are refused in Chinese on the phone. A phone with a Chinese
//! voice (the voice list is stubbed: headless Chromium has none) gets 朗读
//! and hears the topic and an opinion; one without has no such button. With
//! the moderator's switch on, the projector reads a new opinion aloud. A
//! phone on a secure address (localhost, a fake microphone) records in the
//! page itself, and Chrome's WebM is measured and kept.

use super::{Browser, Driver, PHONE, PROJECTOR, TABLET};
use crate::helpers::TestServer;
use anyhow::{ensure, Context, Result};
use babahui_shared::{Command, TopicId};
use serde_json::json;
use std::time::{Duration, Instant};
use tests::audio::tone;
use tests::WsClient;

/// What every page load gets first: a Chinese voice, and speech written down
/// instead of spoken (`window.__spoken`). `insecure`: the page behaves as on
/// the laptop's plain-HTTP address (the test server is on localhost, which
/// browsers count as secure).
fn stubs(voice: bool, insecure: bool) -> String {
    let mut s = String::new();
    if voice {
        s.push_str(
            "window.__spoken = [];
             const zh = { lang: 'zh-CN', name: 'Ting-Ting', default: true, localService: true, voiceURI: 'zh' };
             speechSynthesis.getVoices = () => [zh];
             speechSynthesis.speak = (u) => window.__spoken.push(u.text);
             speechSynthesis.cancel = () => {};
             window.__played = [];
             HTMLMediaElement.prototype.play = function () { window.__played.push(this.src); return Promise.resolve(); };",
        );
    }
    if insecure {
        s.push_str("Object.defineProperty(window, 'isSecureContext', { get: () => false });");
    }
    s
}

async fn with_stubs(b: &Browser, voice: bool, insecure: bool) -> Result<()> {
    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": stubs(voice, insecure) }),
    )
    .await?;
    Ok(())
}

/// Chooses `file` in the 语音 button's file input (the phone's recorder
/// hands its file to the same input) and, with `send`, presses 发送语音.
async fn choose_recording(phone: &Browser, file: &std::path::Path, send: bool) -> Result<()> {
    phone
        .js("document.querySelector('.voice-btn input[type=file]').classList.remove('file-hidden')")
        .await?;
    phone
        .find(".voice-btn input[type=file]")
        .await?
        .send_keys(file.to_str().context("path")?)
        .await?;
    phone
        .js("document.querySelector('.voice-btn input[type=file]').classList.add('file-hidden')")
        .await?;
    if send {
        phone.click("button.voice-send-now").await?;
    }
    Ok(())
}

async fn spoken(b: &Browser) -> Result<Vec<String>> {
    Ok(serde_json::from_value(b.js("return window.__spoken || []").await?)?)
}

async fn wait_spoken(b: &Browser, needle: &str) -> Result<()> {
    let start = Instant::now();
    loop {
        let said = spoken(b).await?;
        if said.iter().any(|s| s.contains(needle)) {
            return Ok(());
        }
        ensure!(
            start.elapsed() < Duration::from_secs(10),
            "never said {needle:?}: {said:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_resident_speaks_her_opinion_the_tablet_plays_and_transcribes_it_and_phones_read_aloud() -> Result<()> {
    let files = tempfile::tempdir()?;
    let write = |name: &str, bytes: Vec<u8>| -> Result<std::path::PathBuf> {
        let p = files.path().join(name);
        std::fs::write(&p, bytes)?;
        Ok(p)
    };
    // Made before the server starts (ffmpeg takes seconds over ten minutes).
    let clip = write("录音.ogg", tone(5, "ogg")?)?;
    let long = write("长录音.ogg", tone(600, "ogg")?)?;
    let text = write("通知.txt", "这不是录音".repeat(50).into_bytes())?;
    let big = write("大录音.m4a", vec![0x41; 2 * 1024 * 1024])?;

    let server = TestServer::start().await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let meeting = tests::http::create_meeting(
        &base,
        json!({"title": "东门路灯", "place": "院坝", "agenda": [{"title": "路灯维修"}],
               "opinion_categories": ["基础设施", "其他"]}),
    )
    .await?;
    let id = meeting.id().clone();
    let mut md = WsClient::connect(&base, &id, &meeting.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;

    let tablet = driver
        .browser_with("tablet", TABLET, &["--autoplay-policy=no-user-gesture-required"])
        .await?;
    tablet.goto(&meeting.created.moderator_url).await?;
    let projector = driver.browser("projector", PROJECTOR).await?;
    with_stubs(&projector, true, false).await?;
    projector.goto(&meeting.created.projector_url).await?;
    projector.wait_text("路灯维修").await?;

    // 张婆婆's phone has a Chinese voice; 李师傅's has none.
    let zhang = driver.browser("zhang", PHONE).await?;
    with_stubs(&zhang, true, true).await?;
    zhang
        .join_as(&meeting.created.join_url, "张婆婆", Some("居民"), true)
        .await?;
    let li = driver.browser("li", PHONE).await?;
    with_stubs(&li, false, true).await?;
    li.join_as(&meeting.created.join_url, "李师傅", Some("居民"), true)
        .await?;

    // 朗读 only where there is a Chinese voice; it reads the topic.
    zhang.click("button.speak-now").await?;
    wait_spoken(&zhang, "路灯维修").await?;
    li.find(".voice-btn").await?;
    ensure!(
        li.count("button.speak").await? == 0,
        "no 朗读 button without a Chinese voice"
    );

    // Refused on the phone, in Chinese, nothing sent.
    choose_recording(&zhang, &long, true).await?;
    zhang.wait_text("录音太长（10分0秒）").await?;
    choose_recording(&zhang, &text, true).await?;
    zhang.wait_text("这不是录音文件").await?;
    choose_recording(&zhang, &big, false).await?;
    zhang.wait_text("录音文件太大").await?;
    zhang.screenshot("voice-phone-refused", PHONE).await?;

    // She records (the phone's recorder hands back its file), picks 建议
    // while it waits, and sends it.
    choose_recording(&zhang, &clip, false).await?;
    zhang.wait_text("录好了").await?;
    zhang.screenshot("voice-phone-ready", PHONE).await?;
    zhang.click_text("button.chip", "建议").await?;
    zhang.click("button.voice-send-now").await?;
    zhang.wait_text("语音已发送").await?;
    zhang.wait_text("语音意见，待转写").await?;
    zhang.screenshot("voice-phone-sent", PHONE).await?;

    // The tablet has it at once: a player whose audio knows its length, and it plays.
    tablet.find(".voice audio").await?;
    let start = Instant::now();
    let duration = loop {
        let d = tablet
            .js("const a = document.querySelector('.voice audio'); return a && isFinite(a.duration) ? a.duration : 0")
            .await?
            .as_f64()
            .unwrap_or(0.0);
        if d > 0.0 {
            break d;
        }
        ensure!(
            start.elapsed() < Duration::from_secs(10),
            "the audio never reported a duration"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    ensure!((4.5..6.0).contains(&duration), "the tablet's audio says {duration} s");
    tablet.wait_text("0:05").await?;
    tablet
        .js("document.querySelector('.voice audio').play(); return null")
        .await?;
    let start = Instant::now();
    while tablet
        .js("return document.querySelector('.voice audio').currentTime")
        .await?
        .as_f64()
        .unwrap_or(0.0)
        <= 0.0
    {
        ensure!(start.elapsed() < Duration::from_secs(10), "the recording did not play");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    projector.wait_text("语音意见，待转写").await?;

    // The moderator writes what she said and tags it.
    tablet
        .fill(".voice textarea.transcript", "东门路灯坏了一个月，晚上看不清台阶")
        .await?;
    tablet.click(".voice .transcribe-save").await?;
    tablet
        .js("const s = document.querySelector('li.opinion select.retag'); s.value = '基础设施'; s.dispatchEvent(new Event('change')); return null")
        .await?;
    tablet.wait_text("语音转写").await?;
    tablet.screenshot("voice-tablet", TABLET).await?;
    zhang.wait_text("东门路灯坏了一个月").await?;
    li.wait_text("东门路灯坏了一个月").await?;
    li.wait_text("基础设施").await?;
    projector.wait_text("东门路灯坏了一个月").await?;
    projector.wait_text("语音转写").await?;

    // Tap 朗读 on an opinion: she hears it.
    zhang.click("li.opinion button.speak").await?;
    wait_spoken(&zhang, "东门路灯坏了一个月").await?;

    // The projector reads new opinions aloud once the moderator turns it on
    // (and its sound is on: the tablet says so, the projector's button asks).
    tablet.click("input[name=read-aloud]").await?;
    tablet.find(".read-aloud-note").await?;
    projector.wait_text("点这里开启朗读声音").await?;
    projector.click("button.pj-sound").await?;
    li.fill("form.opinion-form textarea", "楼梯口也要装一盏").await?;
    li.click("form.opinion-form button[type=submit]").await?;
    wait_spoken(&projector, "楼梯口也要装一盏").await?;
    // A new recording is played through the room's speaker; its transcript is read once written.
    choose_recording(&zhang, &clip, true).await?;
    zhang.wait_text("语音已发送").await?;
    let start = Instant::now();
    while projector.js("return window.__played.length").await?.as_u64() != Some(1) {
        ensure!(
            start.elapsed() < Duration::from_secs(10),
            "the projector never played the recording"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tablet.wait_count(".voice textarea.transcript", 2).await?;
    tablet
        .js("const t = document.querySelectorAll('.voice textarea.transcript')[0]; t.value = '台阶那里也要亮'; t.dispatchEvent(new Event('input')); t.form.querySelector('button').click(); return null")
        .await?;
    wait_spoken(&projector, "台阶那里也要亮").await?;
    projector.screenshot("voice-projector", PROJECTOR).await?;

    // The minutes say 语音转写.
    md.ok(Command::EndMeeting).await?;
    md.ok(Command::PublishMinutes {
        summary: "路灯".into(),
        notice_days: None,
        correction: None,
    })
    .await?;
    let html = reqwest::get(format!("{base}/api/meetings/{id}/minutes.html"))
        .await?
        .text()
        .await?;
    let html = tests::http::without_bdi(&html);
    ensure!(
        html.contains("东门路灯坏了一个月，晚上看不清台阶") && html.contains("语音转写"),
        "{html}"
    );
    Ok(())
}

/// Where the page is a secure context (HTTPS on a district, localhost here)
/// the phone records in the page with the browser's MediaRecorder (a fake
/// microphone here): the WebM it makes, which states no length, is measured
/// by the server from its packets.
#[tokio::test]
async fn on_a_secure_address_the_phone_records_in_the_page() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let meeting = tests::http::simple_meeting(&base, "停车", &["车位"]).await?;
    let mut md = WsClient::connect(&base, meeting.id(), &meeting.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let phone = driver
        .browser_with(
            "recording",
            PHONE,
            &["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
        )
        .await?;
    phone
        .join_as(&meeting.created.join_url, "赵大爷", Some("居民"), true)
        .await?;
    phone.click("button.voice-btn").await?;
    phone.wait_text("说完了（停止录音）").await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    phone.click("button.voice-btn").await?;
    phone.click("button.voice-send-now").await?;
    phone.wait_text("语音已发送").await?;
    let state = tests::http::public_state(&base, meeting.id()).await?;
    let voice = state.opinions[0].voice.clone().context("a voice opinion")?;
    ensure!((2000..=6000).contains(&voice.ms), "measured {} ms", voice.ms);
    Ok(())
}
