//! Voice opinions (语音) over the real server: a phone uploads what its
//! recorder made; the meeting's screens get it at once and play it; the
//! public never gets the recording; a recorder writes its text; the minutes
//! say 语音转写, or that a voice opinion was given; the recordings go with the
//! meeting's archive and are deleted with it. Bad recordings are refused in
//! words and change nothing. (Run on sled and on PostgreSQL.)

use crate::helpers::TestServer;
use anyhow::Result;
use babahui_shared::model::Voice;
use babahui_shared::{Command, ErrorCode, OpinionAuthor, OpinionId, TopicId};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tests::audio::tone;
use tests::http::{create_meeting, organiser_key};
use tests::session::As;
use tests::WsClient;

/// Uploads `recording` as the phone holding `token` would.
async fn upload(
    base: &str,
    id: &babahui_shared::MeetingId,
    token: &str,
    query: &str,
    recording: Vec<u8>,
) -> Result<(StatusCode, Value)> {
    As::key(base, token)
        .post_bytes(
            &format!("/api/meetings/{id}/voice{query}"),
            "application/octet-stream",
            recording,
        )
        .await
}

/// The organiser, as the server at `base` knows them (its key, or none on an open server).
fn organiser(base: &str) -> As {
    match organiser_key(base) {
        Some(k) => As::key(base, &k),
        None => As::nobody(base),
    }
}

/// The meeting's last sequence number, as anyone may read it.
async fn seq_now(base: &str, id: &babahui_shared::MeetingId) -> Result<u64> {
    let public: Value = tests::http::get_json(&format!("{base}/api/meetings/{id}")).await?;
    public["seq"].as_u64().ok_or_else(|| anyhow::anyhow!("no seq"))
}

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_voice_opinion_is_uploaded_played_transcribed_and_kept_with_its_meeting() -> Result<()> {
    // Made first: ffmpeg takes seconds over ten minutes of sound, which would
    // hold up the in-process server on this test's thread.
    let (m4a, ogg, ten_minutes) = (tone(4, "m4a")?, tone(3, "ogg")?, tone(600, "ogg")?);
    let server = TestServer::start().await;
    let base = server.base.clone();
    let meeting = create_meeting(
        &base,
        json!({"title": "路灯和停车", "place": "院坝", "agenda": [{"title": "路灯"}], "opinion_categories": ["基础设施", "其他"]}),
    )
    .await?;
    let id = meeting.id().clone();
    let mut md = WsClient::connect(&base, &id, &meeting.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let zhang = tests::http::join(&base, &meeting, "张婆婆", "居民").await?;
    let li = tests::http::join(&base, &meeting, "李师傅", "居民").await?;
    let mut li_ws = WsClient::connect(&base, &id, &li.token, None).await?;

    // A phone's own recorder (AAC in M4A), 4 s, under the open topic.
    let (status, body) = upload(
        &base,
        &id,
        &zhang.token,
        "?category=基础设施&stance=suggest&cid=v-1",
        m4a.clone(),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let first = OpinionId(body["opinion"].as_u64().expect("an opinion number") as u32);
    // Sent again (a phone that lost the answer): taken once.
    let (again, body) = upload(
        &base,
        &id,
        &zhang.token,
        "?category=基础设施&stance=suggest&cid=v-1",
        m4a.clone(),
    )
    .await?;
    assert_eq!(again, StatusCode::CREATED, "{body}");
    assert_eq!(body["opinion"].as_u64(), Some(u64::from(first.0)));

    let (status, body) = upload(&base, &id, &li.token, "?topic=1", ogg.clone()).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let second = OpinionId(body["opinion"].as_u64().unwrap() as u32);
    let seq = seq_now(&base, &id).await?;
    md.sync_to(seq).await?;
    li_ws.sync_to(seq).await?;

    let o = md.state.opinion(first).expect("on the moderator's tablet at once");
    let voice: Voice = o.voice.clone().expect("a voice opinion");
    assert!(
        (3900..=4200).contains(&voice.ms),
        "measured from the clip: {}",
        voice.ms
    );
    assert_eq!(
        (o.text.as_str(), o.category.as_deref(), o.topic),
        ("", Some("基础设施"), Some(TopicId(1)))
    );
    assert_eq!(md.state.opinions.len(), 2, "the resend was not a second opinion");

    // The tablet plays it: the bytes as uploaded, as the type they are, in ranges.
    let url = voice.url(&id).expect("the tablet has the clip");
    let (status, kind, bytes) = As::nobody(&base).get_bytes(&url).await?;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "audio/mp4"));
    assert_eq!(bytes, m4a);
    let part = reqwest::Client::new()
        .get(format!("{base}{url}"))
        .header("range", "bytes=0-99")
        .send()
        .await?;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await?.len(), 100);
    let ogg_voice = md.state.opinion(second).unwrap().voice.clone().unwrap();
    let (_, kind, bytes) = As::nobody(&base).get_bytes(&ogg_voice.url(&id).unwrap()).await?;
    assert_eq!((kind.as_str(), bytes), ("audio/ogg", ogg.clone()));

    // The public (and a follower) never get the recording: a voice is a person's.
    let public: Value = tests::http::get_json(&format!("{base}/api/meetings/{id}")).await?;
    assert!(
        !public.to_string().contains(&voice.clip),
        "the public state names no clip"
    );

    // 附议 works on it like any opinion.
    li_ws
        .ok(Command::Second {
            opinion: first,
            who: None,
            seen_open: false,
        })
        .await?;

    // Refused in words, nothing recorded: ten minutes, not a recording, too
    // large, a socket naming a clip, a phone that has not joined.
    let before = md.state.opinions.len();
    let (status, body) = upload(&base, &id, &zhang.token, "", ten_minutes).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("录音太长（10分0秒）"), "{body}");
    let (status, body) = upload(&base, &id, &zhang.token, "", b"%PDF-1.4 not a recording".to_vec()).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("这不是录音文件"), "{body}");
    let (status, body) = upload(&base, &id, &zhang.token, "", vec![0x4F; 2 * 1024 * 1024]).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("录音文件太大"), "{body}");
    let (status, _) = upload(&base, &id, "not-a-token", "", ogg.clone()).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let forged = Command::SubmitOpinion {
        text: String::new(),
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
        topic: None,
        voice: Some(voice.clone()),
    };
    assert_eq!(li_ws.refused(forged).await?, ErrorCode::Invalid);
    let public: Value = tests::http::get_json(&format!("{base}/api/meetings/{id}")).await?;
    assert_eq!(
        public["opinions"].as_array().map(Vec::len),
        Some(before),
        "no refused recording became an opinion"
    );

    // The recorder (here the moderator) writes what was said; a written
    // opinion has nothing to transcribe.
    md.ok(Command::Transcribe {
        opinion: first,
        text: "路灯坏了三个月，晚上老人出门看不见".into(),
    })
    .await?;
    let written = li_ws
        .ok(Command::SubmitOpinion {
            text: "同意".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            topic: None,
            voice: None,
        })
        .await?;
    let written = OpinionId(written.created.unwrap());
    assert_eq!(
        md.refused(Command::Transcribe {
            opinion: written,
            text: "x".into()
        })
        .await?,
        ErrorCode::Invalid
    );
    assert_eq!(
        li_ws
            .refused(Command::Transcribe {
                opinion: first,
                text: "改掉".into()
            })
            .await?,
        ErrorCode::Forbidden,
        "a phone does not write another's transcript"
    );

    // The minutes: the transcript marked 语音转写; the other says one was given.
    md.ok(Command::EndMeeting).await?;
    md.ok(Command::PublishMinutes {
        summary: "路灯".into(),
        notice_days: None,
        correction: None,
    })
    .await?;
    let minutes = reqwest::get(format!("{base}/api/meetings/{id}/minutes.md"))
        .await?
        .text()
        .await?;
    assert!(
        minutes.contains("路灯坏了三个月，晚上老人出门看不见（张婆婆；附议1人") && minutes.contains("（语音转写）"),
        "{minutes}"
    );
    assert!(minutes.contains("语音意见（尚未转写，3秒）（李师傅"), "{minutes}");
    let html = reqwest::get(format!("{base}/api/meetings/{id}/minutes.html"))
        .await?
        .text()
        .await?;
    assert!(tests::http::without_bdi(&html).contains("语音转写"));

    // The archive carries the recordings; deleting the meeting deletes them;
    // importing the archive brings them back under the same links.
    let organiser = organiser(&base);
    let archive: Value =
        tests::http::get_json_as(&format!("{base}/api/meetings/{id}/archive.json"), &meeting.moderator).await?;
    assert_eq!(
        archive["clips"].as_array().map(Vec::len),
        Some(2),
        "both recordings are in the archive"
    );
    let (status, body) = organiser.delete(&format!("/api/meetings/{id}")).await?;
    assert!(status.is_success(), "{status} {body}");
    let (status, _, _) = As::nobody(&base).get_bytes(&url).await?;
    assert_eq!(status, StatusCode::NOT_FOUND, "deleted with its meeting");
    let (status, body) = organiser.post("/api/meetings/import", archive).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, bytes) = As::nobody(&base).get_bytes(&url).await?;
    assert_eq!((status, bytes), (StatusCode::OK, m4a));
    Ok(())
}

/// An archive's clips go only under the meeting it is imported as: one
/// crafted to name another meeting's clip cannot overwrite it.
#[tokio::test]
async fn an_imported_archive_cannot_touch_another_meetings_recordings() -> Result<()> {
    let ogg = tone(2, "ogg")?;
    let server = TestServer::start().await;
    let base = server.base.clone();
    let meeting = create_meeting(
        &base,
        json!({"title": "甲", "place": "院坝", "agenda": [{"title": "一"}]}),
    )
    .await?;
    let id = meeting.id().clone();
    let mut md = WsClient::connect(&base, &id, &meeting.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    let wang = tests::http::join(&base, &meeting, "王", "居民").await?;
    let (status, body) = upload(&base, &id, &wang.token, "", ogg.clone()).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut archive: Value =
        tests::http::get_json_as(&format!("{base}/api/meetings/{id}/archive.json"), &meeting.moderator).await?;
    let clip = archive["clips"][0]["clip"].as_str().unwrap().to_owned();
    let organiser = organiser(&base);
    // The same meeting again: refused as existing, and its clip is untouched.
    archive["clips"][0]["stored"] = json!(r#"{"mime":"audio/ogg","ms":1,"at":1,"audio":"AAAA"}"#);
    let (status, _) = organiser.post("/api/meetings/import", archive.clone()).await?;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, _, bytes) = As::nobody(&base)
        .get_bytes(&format!("/api/meetings/{id}/clips/{clip}"))
        .await?;
    assert_eq!(bytes, ogg, "the existing recording is as it was");
    // A clip id that is no id is refused before anything is stored.
    archive["clips"][0]["clip"] = json!("../x");
    let (status, body) = organiser.post("/api/meetings/import", archive).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    Ok(())
}

/// A phone whose browser runs no script (an old WebView) uses the page the
/// server draws: its voice form sends the recorder's file, refused ones are
/// said in Chinese on the page, and its 大字 link marks every page it draws.
#[tokio::test]
async fn a_phone_without_script_sends_a_recording_and_chooses_large_text() -> Result<()> {
    let recording = tone(3, "m4a")?;
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = tests::http::simple_meeting(&base, "院坝会", &["停车"]).await?;
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = format!("{base}/m/{id}");
    let joined = http
        .post(format!("{page}/join"))
        .form(&[("i", m.invite.as_str()), ("name", "赵大爷"), ("category", "居民")])
        .send()
        .await?;
    let cookie = joined.headers()["set-cookie"]
        .to_str()?
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = joined.text().await?;
    assert!(
        html.contains(&format!(r#"action="/m/{id}/voice" enctype="multipart/form-data""#))
            && html.contains(r#"accept="audio/*" capture"#),
        "the plain page has a voice form: {html}"
    );

    let post = |fields: Vec<(&'static str, String)>, bytes: Vec<u8>| {
        let (http, page, cookie) = (http.clone(), page.clone(), cookie.clone());
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (kind, body) = tests::audio::form(&fields, &bytes);
            http.post(format!("{page}/voice"))
                .header("cookie", cookie)
                .header("content-type", kind)
                .body(body)
                .send()
                .await
        }
    };
    let sent = post(
        vec![("cid", "plain-voice-1".into()), ("topic", "1".into())],
        recording.clone(),
    )
    .await?;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(sent.headers()["location"], format!("/m/{id}?done=voice").as_str());
    let shown = http
        .get(format!("{page}?done=voice"))
        .header("cookie", &cookie)
        .send()
        .await?
        .text()
        .await?;
    assert!(
        shown.contains("语音已发送") && shown.contains("语音意见，待转写 0:03"),
        "{shown}"
    );
    let refused = post(vec![("cid", "plain-voice-2".into())], b"not a recording".to_vec()).await?;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await?.contains("这不是录音文件"));
    let too_big = post(vec![("cid", "plain-voice-3".into())], vec![0x41; 3 * 1024 * 1024]).await?;
    assert_eq!(too_big.status(), StatusCode::BAD_REQUEST);
    assert!(too_big.text().await?.contains("录音文件太大"));
    let state = tests::http::public_state(&base, &id).await?;
    assert_eq!(state.opinions.len(), 1, "one recording, the refused ones left nothing");

    // 大字 from a plain link: the server marks this page and every other it draws.
    let switched = http
        .get(format!("{base}/view/big"))
        .header("cookie", &cookie)
        .header("referer", format!("{page}?done=voice"))
        .send()
        .await?;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    assert_eq!(switched.headers()["location"], format!("/m/{id}?done=voice").as_str());
    let view = switched.headers()["set-cookie"]
        .to_str()?
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(view, "bbh_view=big");
    let both = format!("{cookie}; {view}");
    let page_html = http.get(&page).header("cookie", &both).send().await?.text().await?;
    assert!(page_html.contains(r#"<html class="big" lang="zh-CN""#), "{page_html}");
    assert!(page_html.contains(r#"href="/view/big" aria-pressed="true""#));
    let notice = http
        .get(format!("{page}/notice"))
        .header("cookie", &both)
        .send()
        .await?
        .text()
        .await?;
    assert!(notice.contains(r#"<html class="big" "#), "the notice too");
    Ok(())
}
