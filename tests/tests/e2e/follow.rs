//! 线上旁听: following a meeting from home over the real socket — the public
//! copy of the meeting, live; counted apart; read only; opinions from home
//! only when the moderator allows them.

use crate::helpers::TestServer;
use anyhow::Result;
use babahui_shared::follow::{state_for_followers, FOLLOW_TOKEN};
use babahui_shared::model::Channel;
use babahui_shared::{Actor, Command, ErrorCode, OpinionAuthor, OpinionId, TopicId};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tests::http::create_meeting;
use tests::WsClient;

async fn followers(base: &str, id: &babahui_shared::MeetingId) -> Result<u64> {
    let v: Value = tests::http::get_json(&format!("{base}/api/meetings/{id}/followers")).await?;
    Ok(v["followers"].as_u64().unwrap_or(u64::MAX))
}

async fn send_from_home(base: &str, id: &babahui_shared::MeetingId, body: Value) -> Result<(u16, Value)> {
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/meetings/{id}/outside-opinions"))
        .json(&body)
        .send()
        .await?;
    Ok((resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn a_follower_sees_the_meeting_live_with_only_what_the_public_may_see() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let meeting = create_meeting(
        &base,
        json!({"title": "加装电梯", "place": "3栋院坝", "agenda": [{"title": "出资"}, {"title": "选址"}],
               "wifi": {"ssid": "yard", "password": "wifi-secret-9"}}),
    )
    .await?;
    let id = meeting.id().clone();
    let mut moderator = WsClient::connect(&base, &id, &meeting.moderator, None).await?;
    moderator.ok(Command::StartMeeting).await?;
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    // 王秀兰 did not agree to be named; 李主任 did.
    let body = json!({"invite": meeting.invite, "name": "王秀兰", "category": "居民", "publish_name": false});
    let wang: babahui_shared::api::JoinResponse = reqwest::Client::new()
        .post(format!("{base}/api/meetings/{id}/join"))
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    let li = tests::http::join(&base, &meeting, "李主任", "物业").await?;
    let mut wang_ws = WsClient::connect(&base, &id, &wang.token, None).await?;

    assert_eq!(followers(&base, &id).await?, 0);
    let mut home = WsClient::connect(&base, &id, FOLLOW_TOKEN, None).await?;
    assert_eq!(home.actor, Actor::Public, "a follower is nobody in the meeting");
    assert_eq!(followers(&base, &id).await?, 1, "counted apart: 线上 1人");

    // The meeting goes on; the follower sees it as it happens.
    wang_ws.ok(Command::RaiseHand { topic: None, who: None }).await?;
    moderator
        .ok(Command::GiveFloor {
            participant: wang.participant,
            kind: babahui_shared::FloorKind::Speak,
            limit_secs: None,
        })
        .await?;
    moderator.ok(Command::HoldOpinions { on: true }).await?;
    let held = wang_ws
        .ok(Command::SubmitOpinion {
            text: "held words".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            topic: None,
            voice: None,
        })
        .await?;
    let head = held.seq;
    home.sync_to(head).await?;
    assert_eq!(home.state.floor.as_ref().map(|f| f.participant), Some(wang.participant));
    assert_eq!(
        home.state.opinions[0].text, "",
        "a held opinion's text stays with the recorder"
    );
    // Approval reveals it: the follower is sent the public state afresh.
    let approved = moderator.ok(Command::ApproveOpinion { opinion: OpinionId(1) }).await?;
    home.sync_to(approved.seq).await?;
    assert_eq!(home.state.opinions[0].text, "held words");
    moderator.sync_to(approved.seq).await?;
    assert_eq!(
        home.state,
        state_for_followers(&moderator.state),
        "the follower's copy is the public one"
    );
    let seen = home.seen_text().to_owned();
    for private in ["王秀兰", "wifi-secret-9"] {
        assert!(!seen.contains(private), "{private} reached a follower");
    }
    assert!(seen.contains("李主任"), "a name given for publishing is shown");
    let present: Vec<_> = moderator.state.participants.iter().map(|p| p.id).collect();
    assert_eq!(
        present,
        vec![wang.participant, li.participant],
        "a follower never joins the attendance"
    );

    // Read only: nothing a follower sends over the socket is done.
    assert_eq!(
        home.refused(Command::RaiseHand { topic: None, who: None }).await?,
        ErrorCode::Forbidden
    );

    // Opinions from home: refused until the moderator opens them.
    let (status, body) = send_from_home(&base, &id, json!({"text": "从家里说一句", "topic": 1})).await?;
    assert_eq!(status, 403, "{body}");
    moderator
        .ok(Command::ChangeSettings {
            speaking_limit_secs: None,
            first_timers_first: None,
            online_opinions: Some(true),
            read_aloud: None,
        })
        .await?;
    moderator.ok(Command::HoldOpinions { on: false }).await?;
    let (status, body) = send_from_home(
        &base,
        &id,
        json!({"text": "从家里说一句", "stance": "suggest", "topic": 1}),
    )
    .await?;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["held"], false);
    let n = body["opinion"].as_u64().expect("its number") as u32;
    // Written under topic 1, arriving after the moderator moved on: it stays there, late.
    moderator.ok(Command::OpenTopic { topic: TopicId(2) }).await?;
    let (status, body) = send_from_home(&base, &id, json!({"text": "还是出资的事", "topic": 1})).await?;
    assert_eq!(status, 201, "{body}");
    let late = body["opinion"].as_u64().unwrap() as u32;
    let deadline = Instant::now() + Duration::from_secs(10);
    while home.state.opinion(OpinionId(late)).is_none() {
        assert!(
            Instant::now() < deadline,
            "the follower never saw the opinion from home"
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), home.recv()).await;
    }
    let o = home.state.opinion(OpinionId(n)).expect("seen live").clone();
    assert_eq!(
        (o.channel, o.topic, o.author),
        (Some(Channel::Online), Some(TopicId(1)), None)
    );
    let o = home.state.opinion(OpinionId(late)).unwrap();
    assert_eq!((o.topic, o.late), (Some(TopicId(1)), true));

    // Gone home: no longer counted.
    home.close().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while followers(&base, &id).await? != 0 {
        assert!(Instant::now() < deadline, "a follower who left is still counted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // After the end, nothing more from home.
    moderator.ok(Command::EndMeeting).await?;
    let (status, _) = send_from_home(&base, &id, json!({"text": "晚了"})).await?;
    assert_eq!(status, 409);
    Ok(())
}

#[tokio::test]
async fn the_join_page_and_the_notice_point_people_at_home_to_the_follow_view() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let meeting = tests::http::simple_meeting(&base, "停车", &["停车位"]).await?;
    let id = meeting.id().clone();
    let notice = tests::http::get_text(&format!("{base}/m/{id}/notice")).await;
    assert!(
        notice.contains(&format!("/m/{id}/follow")),
        "before: a word that it can be followed"
    );
    let mut moderator = WsClient::connect(&base, &id, &meeting.moderator, None).await?;
    moderator.ok(Command::StartMeeting).await?;
    let notice = tests::http::get_text(&format!("{base}/m/{id}/notice")).await;
    assert!(
        notice.contains("follow-live"),
        "while it runs: the follow view first of all"
    );
    let links: Value = tests::http::get_json_as(&format!("{base}/api/meetings/{id}/links"), &meeting.projector).await?;
    assert_eq!(links["follow_url"], format!("{base}/m/{id}/follow"));
    let page = tests::http::get_text(&format!("{base}/m/{id}/follow")).await;
    assert!(page.contains("boot.js"), "the follow view is the application's page");
    Ok(())
}
