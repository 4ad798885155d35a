//! Bad input gets a clear error, the connection stays open, and nothing changes.

use crate::helpers::TestServer;
use babahui_shared::*;
use tests::http::{join, public_state, simple_meeting};
use tests::WsClient;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn malformed_unknown_and_oversized_messages_are_answered_and_change_nothing() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let a = join(&server.base, &m, "甲", "居民").await.unwrap();
    let mut c = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    let before = public_state(&server.base, m.id()).await.unwrap();

    let cases: Vec<(String, ErrorCode)> = vec![
        ("{not json".into(), ErrorCode::Malformed),
        (r#"{"type":"launch_rockets"}"#.into(), ErrorCode::Malformed),
        (
            r#"{"type":"command","data":{"id":"x","command":{"type":"raise_the_roof"}}}"#.into(),
            ErrorCode::Malformed,
        ),
        (
            r#"{"type":"command","data":{"id":"x","command":{"type":"second","data":{"opinion":"one"}}}}"#.into(),
            ErrorCode::Malformed,
        ),
        (
            r#"{"type":"command","data":{"id":"","command":{"type":"call_next"}}}"#.into(),
            ErrorCode::Invalid,
        ),
        (
            format!(
                r#"{{"type":"command","data":{{"id":"{}","command":{{"type":"call_next"}}}}}}"#,
                "x".repeat(65)
            ),
            ErrorCode::Invalid,
        ),
        (
            r#"{"type":"hello","data":{"token":"again"}}"#.into(),
            ErrorCode::Conflict,
        ),
        (
            format!(r#"{{"type":"ping","data":{{"t":1,"pad":"{}"}}}}"#, "x".repeat(20_000)),
            ErrorCode::TooLarge,
        ),
    ];
    for (text, code) in cases {
        c.send_text(text.clone()).await.unwrap();
        let err = c.next_stray_error().await.unwrap();
        assert_eq!(err.code, code, "for {}", &text[..text.len().min(60)]);
        assert!(!err.message.is_empty());
        c.ping().await.unwrap();
    }
    c.send_message(Message::Binary(vec![1, 2, 3].into())).await.unwrap();
    assert_eq!(c.next_stray_error().await.unwrap().code, ErrorCode::Malformed);
    c.ping().await.unwrap();

    // Field limits.
    let long = "长".repeat(limits::OPINION_MAX_CHARS + 1);
    let r = c.refused(Command::SubmitOpinion {
        topic: None,
        text: long,
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
        voice: None,
    });
    assert_eq!(r.await.unwrap(), ErrorCode::Invalid);
    let r = c.refused(Command::Second {
        seen_open: false,
        opinion: OpinionId(999),
        who: None,
    });
    assert_eq!(r.await.unwrap(), ErrorCode::NotFound);

    assert_eq!(
        public_state(&server.base, m.id()).await.unwrap(),
        before,
        "nothing changed"
    );

    // A frame past the hard limit closes the connection (1009 "message too big").
    c.send_text("x".repeat(100_000)).await.unwrap();
    let code = c.recv_close().await.unwrap();
    assert_eq!(code, Some(1009), "closed with 1009 (message too big), not reset");
}

#[tokio::test]
async fn every_role_is_held_to_its_permissions() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let a = join(&server.base, &m, "甲", "居民").await.unwrap();
    let b = join(&server.base, &m, "乙", "居民").await.unwrap();
    let mut moderator = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    let mut attendee = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    let mut projector = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap();
    moderator.ok(Command::StartMeeting).await.unwrap();
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let before = public_state(&server.base, m.id()).await.unwrap();

    let moderator_only = [
        Command::StartMeeting,
        Command::EndMeeting,
        Command::CallNext,
        Command::CloseTopic,
        Command::SetStage {
            stage: Stage::Discussion,
        },
        Command::AddTopic {
            title: "x".into(),
            minutes: 1,
            position: None,
        },
        Command::GiveFloor {
            participant: a.participant,
            kind: FloorKind::Speak,
            limit_secs: None,
        },
        Command::Appoint {
            participant: a.participant,
            role: Role::Recorder,
            on: true,
        },
        Command::RemoveParticipant {
            participant: b.participant,
            ban: false,
        },
        Command::ChangeSettings {
            speaking_limit_secs: Some(60),
            first_timers_first: None,
            online_opinions: None,
            read_aloud: None,
        },
    ];
    for cmd in moderator_only {
        assert_eq!(
            attendee.refused(cmd.clone()).await.unwrap(),
            ErrorCode::Forbidden,
            "attendee {cmd:?}"
        );
    }
    let recorder_only = [
        Command::RegisterWalkIn {
            name: None,
            category: "居民".into(),
            publish_name: false,
        },
        Command::SubmitOpinion {
            topic: None,
            text: "x".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Anonymous,
            voice: None,
        },
        Command::Hide {
            opinion: OpinionId(1),
            reason: "x".into(),
        },
    ];
    for cmd in recorder_only {
        assert_eq!(
            attendee.refused(cmd.clone()).await.unwrap(),
            ErrorCode::Forbidden,
            "attendee {cmd:?}"
        );
    }
    // Acting as another attendee.
    let r = attendee
        .refused(Command::RaiseHand {
            topic: None,
            who: Some(b.participant),
        })
        .await
        .unwrap();
    assert_eq!(r, ErrorCode::Forbidden);
    // The projector is read-only.
    for cmd in [
        Command::RaiseHand { topic: None, who: None },
        Command::CallNext,
        Command::EndMeeting,
    ] {
        assert_eq!(projector.refused(cmd).await.unwrap(), ErrorCode::Forbidden);
    }
    assert_eq!(
        public_state(&server.base, m.id()).await.unwrap(),
        before,
        "nothing changed"
    );

    // After the end, nothing more.
    moderator.ok(Command::EndMeeting).await.unwrap();
    let r = attendee
        .refused(Command::SubmitOpinion {
            topic: None,
            text: "迟到".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        })
        .await;
    assert_eq!(r.unwrap(), ErrorCode::MeetingEnded);
    assert_eq!(
        moderator.refused(Command::StartMeeting).await.unwrap(),
        ErrorCode::MeetingEnded
    );
}

#[tokio::test]
async fn the_handshake_refuses_bad_tokens_and_requires_hello() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let err = WsClient::connect(&server.base, m.id(), "not-a-token", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Unauthenticated"), "{err}");
    // Another meeting's token does not open this one.
    let other = simple_meeting(&server.base, "u", &["a"]).await.unwrap();
    let err = WsClient::connect(&server.base, m.id(), &other.moderator, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Unauthenticated"), "{err}");
    // Unknown meeting: 404 before the upgrade.
    let url = format!("{}/api/meetings/zzzzzzzz/ws", server.base.replacen("http", "ws", 1));
    assert!(tokio_tungstenite::connect_async(&url).await.is_err());

    // A command before hello is refused, and the connection waits for hello.
    let url = format!("{}/api/meetings/{}/ws", server.base.replacen("http", "ws", 1), m.id());
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    use futures::{SinkExt, StreamExt};
    ws.send(Message::Text(
        r#"{"type":"command","data":{"id":"a","command":{"type":"call_next"}}}"#.into(),
    ))
    .await
    .unwrap();
    let reply = ws.next().await.unwrap().unwrap().into_text().unwrap();
    let reply: ServerMsg = serde_json::from_str(&reply).unwrap();
    assert!(
        matches!(
            reply,
            ServerMsg::Error {
                code: ErrorCode::Unauthenticated,
                ..
            }
        ),
        "{reply:?}"
    );
    let hello = ClientMsg::Hello {
        token: m.moderator.clone(),
        since: None,
    };
    ws.send(Message::Text(serde_json::to_string(&hello).unwrap().into()))
        .await
        .unwrap();
    let welcome: ServerMsg = serde_json::from_str(&ws.next().await.unwrap().unwrap().into_text().unwrap()).unwrap();
    assert!(matches!(
        welcome,
        ServerMsg::Welcome {
            you: Actor::Moderator,
            ..
        }
    ));
}
