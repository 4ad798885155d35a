//! Abuse and access: every limit has a test (connections per meeting and per
//! address, messages per second, the time to send a request head), the
//! WebSocket `Origin` check, the join link's rotation, bans, and what a token
//! lets its holder do — and not do.

use crate::helpers::TestServer;
use babahui::{Limits, ServerConfig};
use babahui_shared::*;
use std::time::{Duration, Instant};
use tests::http::{join, simple_meeting};
use tests::WsClient;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn limited(limits: Limits) -> ServerConfig {
    ServerConfig {
        limits,
        ..ServerConfig::default()
    }
}

/// The HTTP status of a WebSocket upgrade refused before it happened.
fn refused_status(err: &anyhow::Error) -> Option<u16> {
    err.chain()
        .find_map(|e| match e.downcast_ref::<tokio_tungstenite::tungstenite::Error>() {
            Some(tokio_tungstenite::tungstenite::Error::Http(resp)) => Some(resp.status().as_u16()),
            _ => None,
        })
}

/// Waits until the server closes `stream` (read returns 0 or an error); the time it took.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at((started + limit).into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn a_meeting_takes_at_most_its_share_of_connections() {
    let server = TestServer::start_with(limited(Limits {
        ws_per_meeting: 3,
        ..Limits::default()
    }))
    .await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let other = simple_meeting(&server.base, "u", &["a"]).await.unwrap();
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(
            WsClient::connect(&server.base, m.id(), &m.projector, None)
                .await
                .unwrap(),
        );
    }
    let full = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap_err();
    assert_eq!(refused_status(&full), Some(503), "{full:#}");
    WsClient::connect(&server.base, other.id(), &other.projector, None)
        .await
        .expect("another meeting is not affected");
    open.pop().unwrap().close().await;
    // The place is freed when the server has seen the close: wait for that, not for a time.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match WsClient::connect(&server.base, m.id(), &m.projector, None).await {
            Ok(_) => break,
            Err(e) if std::time::Instant::now() < deadline && refused_status(&e) == Some(503) => {
                tokio::task::yield_now().await;
            }
            Err(e) => panic!("a freed place can be taken: {e:#}"),
        }
    }
}

#[tokio::test]
async fn one_address_takes_at_most_its_share_of_connections() {
    let server = TestServer::start_with(limited(Limits {
        ws_per_address: 2,
        http_per_address: 4,
        exempt_loopback: false,
        ..Limits::default()
    }))
    .await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let _a = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap();
    let _b = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap();
    let third = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap_err();
    assert_eq!(refused_status(&third), Some(429), "{third:#}");

    // Idle HTTP connections (a slow-loris script opening sockets) are capped too.
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut extra = TcpStream::connect(&addr).await.unwrap();
    assert!(
        closed_within(&mut extra, Duration::from_secs(2)).await.is_some(),
        "the fifth idle connection is closed at once"
    );
}

#[tokio::test]
async fn a_client_that_trickles_its_request_head_is_cut_off() {
    let server = TestServer::start_with(limited(Limits {
        header_timeout: Duration::from_millis(500),
        ..Limits::default()
    }))
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut loris = TcpStream::connect(&addr).await.unwrap();
    loris.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let trickle = async {
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if loris.write_all(b"X-A: b\r\n").await.is_err() {
                break;
            }
        }
    };
    trickle.await;
    let took = closed_within(&mut loris, Duration::from_secs(3)).await;
    assert!(took.is_some(), "the connection is closed after the head deadline");
    // Meanwhile a normal request is served.
    let ok = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    assert_eq!(ok.status(), 200);
}

/// A request body trickled a byte at a time, or an endless chunked one, is cut
/// off with 408 at the request deadline instead of being held for ever.
#[tokio::test]
async fn a_client_that_trickles_its_request_body_is_cut_off() {
    let server = TestServer::start_with(limited(Limits {
        request_timeout: Duration::from_millis(800),
        ..Limits::default()
    }))
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let heads = [
        "POST /api/ledger HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n",
        "POST /api/ledger HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    ];
    for head in heads {
        let mut slow = TcpStream::connect(&addr).await.unwrap();
        slow.write_all(head.as_bytes()).await.unwrap();
        let chunked = head.contains("chunked");
        let started = Instant::now();
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        // A byte (or a one-byte chunk) every 100 ms, reading whatever comes back.
        while started.elapsed() < Duration::from_secs(5) {
            let piece: &[u8] = if chunked { b"1\r\n \r\n" } else { b" " };
            if slow.write_all(piece).await.is_err() {
                break;
            }
            match tokio::time::timeout(Duration::from_millis(100), slow.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
            if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        let took = started.elapsed();
        let text = String::from_utf8_lossy(&answer);
        assert!(
            text.starts_with("HTTP/1.1 408"),
            "{head:?}: answered {text:?} after {took:?}"
        );
        assert!(took < Duration::from_secs(3), "{head:?}: cut off after {took:?}");
    }
    // Meanwhile a normal request is served.
    let ok = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn a_flooding_connection_is_slowed_then_dropped() {
    let server = TestServer::start_with(limited(Limits {
        messages_per_sec: 5,
        message_burst: 10,
        ..Limits::default()
    }))
    .await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let mut flood = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    for i in 0..30u64 {
        flood.send(&ClientMsg::Ping { t: i }).await.unwrap();
    }
    let mut pongs = 0;
    let mut limited_errors = 0;
    while pongs + limited_errors < 30 {
        match flood.recv().await.unwrap() {
            ServerMsg::Pong { .. } => pongs += 1,
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                ..
            } => limited_errors += 1,
            _ => {}
        }
    }
    // The burst of 10, plus what refills (5/s) while the 30 are being sent.
    assert!(
        (10..=20).contains(&pongs),
        "the burst is served, the rest refused: {pongs}"
    );
    assert_eq!(pongs + limited_errors, 30);
    // After a pause the bucket has refilled: a normal client is not hurt.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    flood.ok(Command::StartMeeting).await.expect("served again");
    // A client that keeps flooding is disconnected.
    for i in 0..400u64 {
        if flood.send(&ClientMsg::Ping { t: i }).await.is_err() {
            break;
        }
    }
    assert_eq!(flood.recv_close().await.unwrap(), Some(1008));
}

/// Opens a WebSocket with an `Origin` header, as a browser does.
async fn connect_from(base: &str, meeting: &MeetingId, origin: &str) -> Result<(), u16> {
    let url = format!("{}/api/meetings/{meeting}/ws", base.replacen("http", "ws", 1));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("origin", origin.parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Ok(_) => Ok(()),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn only_our_own_pages_and_configured_origins_open_websockets() {
    let server = TestServer::start_with(ServerConfig {
        allowed_origins: vec!["https://bbh.example.org".into()],
        ..ServerConfig::default()
    })
    .await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    assert_eq!(
        connect_from(&server.base, m.id(), &server.base).await,
        Ok(()),
        "same host"
    );
    assert_eq!(
        connect_from(&server.base, m.id(), "https://bbh.example.org").await,
        Ok(()),
        "configured for a proxy"
    );
    assert_eq!(
        connect_from(&server.base, m.id(), "http://evil.example").await,
        Err(403),
        "a foreign page"
    );
    assert_eq!(
        connect_from(&server.base, m.id(), "null").await,
        Err(403),
        "a sandboxed page"
    );
}

#[tokio::test]
async fn a_rotated_join_link_admits_nobody_new_and_a_ban_keeps_an_address_out() {
    let server = TestServer::start_with(limited(Limits {
        exempt_loopback: false,
        ..Limits::default()
    }))
    .await;
    let base = server.base.clone();
    let mut m = simple_meeting(&base, "t", &["a"]).await.unwrap();
    let mut md = WsClient::connect(&base, m.id(), &m.moderator, None).await.unwrap();
    let a = join(&base, &m, "甲", "居民").await.unwrap();
    let mut ac = WsClient::connect(&base, m.id(), &a.token, None).await.unwrap();

    assert_eq!(ac.refused(Command::RotateInvite).await.unwrap(), ErrorCode::Forbidden);
    let rotated = md.ok(Command::RotateInvite).await.unwrap();
    let old = join(&base, &m, "乙", "居民").await.unwrap_err();
    assert!(format!("{old:#}").contains("invite_invalid"), "{old:#}");
    // Those already in stay in; the event says nothing of the new code.
    ac.sync_to(rotated.seq).await.unwrap();
    assert_eq!(ac.state.invite_version, 1);
    assert!(!ac.seen_text().contains(&m.invite));
    let links: serde_json::Value =
        tests::http::get_json_as(&format!("{base}/api/meetings/{}/links", m.id()), &m.projector)
            .await
            .unwrap();
    let new_link = links["join_url"].as_str().unwrap();
    assert_ne!(new_link, m.created.join_url);
    m.invite = new_link.split_once("?i=").unwrap().1.to_owned();
    let b = join(&base, &m, "乙", "居民").await.expect("the new link admits");

    // Remove with a ban: the connection closes, the token dies, the address may not join again.
    let mut bc = WsClient::connect(&base, m.id(), &b.token, None).await.unwrap();
    md.ok(Command::RemoveParticipant {
        participant: b.participant,
        ban: true,
    })
    .await
    .unwrap();
    assert_eq!(bc.recv_close().await.unwrap(), Some(4003));
    let again = join(&base, &m, "乙", "居民").await.unwrap_err();
    assert!(format!("{again:#}").contains("forbidden"), "{again:#}");
    let other = simple_meeting(&base, "u", &["a"]).await.unwrap();
    join(&base, &other, "乙", "居民")
        .await
        .expect("a ban is for that meeting only");
}

#[tokio::test]
async fn a_token_lets_its_holder_do_only_what_its_role_may() {
    let mut server = TestServer::start().await;
    let data = server.dir.path().to_owned();
    let base = server.base.clone();
    let m = simple_meeting(&base, "t", &["a"]).await.unwrap();
    let mut md = WsClient::connect(&base, m.id(), &m.moderator, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let a = join(&base, &m, "甲", "居民").await.unwrap();
    let b = join(&base, &m, "乙", "居民").await.unwrap();
    let mut ac = WsClient::connect(&base, m.id(), &a.token, None).await.unwrap();
    let mut pj = WsClient::connect(&base, m.id(), &m.projector, None).await.unwrap();

    // An attendee cannot act as another attendee, nor as the moderator.
    for cmd in [
        Command::RaiseHand {
            topic: None,
            who: Some(b.participant),
        },
        Command::CallNext,
        Command::RotateInvite,
        Command::RemoveParticipant {
            participant: b.participant,
            ban: false,
        },
    ] {
        assert_eq!(ac.refused(cmd.clone()).await.unwrap(), ErrorCode::Forbidden, "{cmd:?}");
    }
    // The projector is read-only.
    for cmd in [
        Command::RaiseHand { topic: None, who: None },
        Command::SubmitOpinion {
            topic: None,
            text: "x".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
        Command::CallNext,
    ] {
        assert_eq!(pj.refused(cmd.clone()).await.unwrap(), ErrorCode::Forbidden, "{cmd:?}");
    }
    // No other participant's token appears anywhere a participant can read.
    let seen = ac.seen_text();
    let public = reqwest::get(format!("{base}/api/meetings/{}", m.id()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for secret in [&b.token, &m.moderator, &m.projector] {
        assert!(!seen.contains(secret.as_str()) && !public.contains(secret.as_str()));
    }
    // Tokens are 128 bits and stored only as hashes: no raw token in the data folder.
    assert!(a.token.len() >= 22, "{}", a.token);
    drop((md, ac, pj));
    server.stop().await;
    let bytes = crate::helpers::everything_stored(&data);
    assert!(
        bytes.windows(4).any(|w| w == b"hash"),
        "what is stored was read (the token hashes are in it)"
    );
    for secret in [&a.token, &b.token, &m.moderator, &m.projector] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a raw token is stored"
        );
    }
}

/// A rate-limited command is refused under its own id (the page keeps it
/// waiting and sends it again); a malformed hello is `malformed`, not "send
/// hello first"; WebSocket pings count against the same budget.
#[tokio::test]
async fn refusals_say_which_command_and_pings_are_budgeted_too() {
    let server = TestServer::start_with(limited(Limits {
        messages_per_sec: 1,
        message_burst: 3,
        ..Limits::default()
    }))
    .await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();

    // A hello that is not valid JSON.
    let url = format!("{}/api/meetings/{}/ws", server.base.replacen("http", "ws", 1), m.id());
    let (mut raw, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    raw.send(Message::Text("{\"type\":\"hello\",\"data\":{\"token\":".into()))
        .await
        .unwrap();
    let reply = raw.next().await.unwrap().unwrap();
    let reply: ServerMsg = serde_json::from_str(reply.to_text().unwrap()).unwrap();
    assert!(
        matches!(
            reply,
            ServerMsg::Error {
                code: ErrorCode::Malformed,
                ..
            }
        ),
        "{reply:?}"
    );

    let mut md = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    // Spend the burst with pings (WebSocket ping frames), then a command.
    for _ in 0..4 {
        md.send_message(Message::Ping(Default::default())).await.unwrap();
    }
    let id = md.submit(Command::StartMeeting).await.unwrap();
    loop {
        match md.recv().await.unwrap() {
            ServerMsg::Error {
                id: Some(refused),
                code: ErrorCode::RateLimited,
                ..
            } => {
                assert_eq!(refused, id, "the refusal names the command");
                break;
            }
            ServerMsg::Ack { id: acked, .. } if acked == id => {
                panic!("pings did not count: the command went through")
            }
            _ => {}
        }
    }
}

/// One participant may post ten opinions at once (a phone's outbox after being
/// offline), then one every six seconds — not 400 a second from 32 sockets as
/// before. A recorder typing for others is not limited. The refusal names the
/// command, so the page keeps it and sends it again.
#[tokio::test]
async fn one_participant_cannot_flood_the_meeting_with_opinions() {
    let server = TestServer::start().await;
    let mut run = tests::running_meeting(&server.base, "t").await.unwrap();
    let burst = babahui::hub::door::DoorRules::default().opinions_per_participant.burst;
    let opinion = |i: u32| Command::SubmitOpinion {
        topic: None,
        text: format!("意见{i}"),
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
        voice: None,
    };
    let a = &mut run.attendee_client;
    for i in 0..burst {
        a.ok(opinion(i)).await.unwrap();
    }
    match a.command(opinion(99)).await.unwrap() {
        Err(tests::Refused {
            code: ErrorCode::RateLimited,
            message,
        }) => assert!(message.contains("try again in"), "{message}"),
        other => panic!("the opinion after the burst went through: {other:?}"),
    }
    // Another person is not held back by the first one's flood.
    let b = join(&server.base, &run.meeting, "乙", "居民").await.unwrap();
    let mut bc = WsClient::connect(&server.base, run.meeting.id(), &b.token, None)
        .await
        .unwrap();
    bc.ok(opinion(0)).await.unwrap();
    // The moderator (or a recorder) typing what people said is not limited.
    for i in 0..burst + 5 {
        run.moderator
            .ok(Command::SubmitOpinion {
                topic: None,
                text: format!("记录{i}"),
                category: None,
                stance: None,
                author: OpinionAuthor::Anonymous,
                voice: None,
            })
            .await
            .unwrap();
    }
}

/// Behind a reverse proxy every phone comes from the proxy's address. With
/// `--trusted-proxy` the server takes each request's address from the proxy's
/// `X-Forwarded-For`: one phone's joins are limited, its neighbours' are not;
/// from anyone else, the header is not believed.
#[tokio::test]
async fn behind_a_trusted_proxy_each_phone_is_limited_by_its_own_address() {
    let join_as = |base: String, m: tests::http::Meeting, forwarded: &'static str| async move {
        let body = serde_json::json!({"invite": m.invite, "name": "", "category": "居民", "publish_name": false});
        reqwest::Client::new()
            .post(format!("{base}/api/meetings/{}/join", m.id()))
            .header("x-forwarded-for", forwarded)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let burst = babahui::Limits::default().joins_per_address.burst as usize;
    for trusted in [true, false] {
        let mut config = babahui::ServerConfig::default();
        config.limits.exempt_loopback = false;
        if trusted {
            config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        }
        let server = TestServer::start_with(config).await;
        let m = tests::http::simple_meeting(&server.base, "proxy", &["a"])
            .await
            .unwrap();
        for _ in 0..burst {
            assert_eq!(join_as(server.base.clone(), m.clone(), "1.2.3.4, 10.0.0.1").await, 201);
        }
        let neighbour = join_as(server.base.clone(), m.clone(), "10.0.0.2").await;
        let same_phone = join_as(server.base.clone(), m.clone(), "10.0.0.1").await;
        if trusted {
            assert_eq!(neighbour, 201, "another phone behind the proxy joins");
            assert_eq!(same_phone, 429, "the same phone is limited");
        } else {
            assert_eq!(
                neighbour, 429,
                "untrusted: the header is not believed, all is one address"
            );
        }
    }
}
