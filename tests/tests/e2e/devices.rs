//! Other devices on the courtyard Wi-Fi: requests from an address that is not
//! the server's own machine (a network namespace per device, see
//! `tests::netns`), where loopback would be treated as the server itself.

use crate::helpers::TestServer;
use babahui::ServerConfig;
use babahui_shared::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tests::http::{join, simple_meeting, Meeting};
use tests::netns::Device;
use tests::{running_meeting, WsClient};

/// A device, or the test is skipped with a note where namespaces cannot be made
/// (not root). CI runs as root, so there it always runs.
fn device() -> Option<Device> {
    match Device::new() {
        Ok(d) => Some(d),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: no network namespace here ({e})");
            None
        }
        Err(e) => panic!("CI must be able to make network namespaces: {e}"),
    }
}

/// `(status, body)` of a request made by `device`.
async fn from(
    device: &Device,
    method: reqwest::Method,
    url: String,
    bearer: Option<String>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    device
        .run(move || async move {
            let mut req = reqwest::Client::new().request(method, url);
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.expect("request from the device");
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
        })
        .await
}

/// A join from `device` with `invite`.
async fn join_from(device: &Device, port: u16, m: &Meeting, invite: &str, name: &str) -> (StatusCode, Value) {
    let url = format!("{}/api/meetings/{}/join", device.url(port), m.id());
    let body = json!({"invite": invite, "name": name, "category": "居民"});
    from(device, reqwest::Method::POST, url, None, Some(body)).await
}

/// On an `--open` server, a meeting's archive (every join code, token hashes,
/// the names of people who asked not to be named), the whole-server backup and
/// deleting a meeting are for the organiser's machine or the meeting's
/// moderator — not for any phone on the Wi-Fi.
#[tokio::test]
async fn on_an_open_server_archives_backups_and_deletes_are_refused_to_other_devices() {
    let Some(phone) = device() else { return };
    let server = TestServer::start_on_all_addresses(ServerConfig::default()).await;
    let (base, port) = (server.base.clone(), server.port());
    let m = simple_meeting(&base, "t", &["a"]).await.unwrap();
    join(&base, &m, "不愿具名的人", "居民").await.unwrap();
    let meeting_url = format!("{}/api/meetings/{}", phone.url(port), m.id());
    let get = reqwest::Method::GET;
    for url in [
        format!("{meeting_url}/archive.json"),
        format!("{}/api/backup.json", phone.url(port)),
    ] {
        let (status, body) = from(&phone, get.clone(), url.clone(), None, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{url}: {body}");
        assert!(!body.to_string().contains("不愿具名"));
    }
    let (status, _) = from(&phone, reqwest::Method::DELETE, meeting_url.clone(), None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The moderator's tablet is another device too: its link is its credential.
    let (status, body) = from(
        &phone,
        get,
        format!("{meeting_url}/archive.json"),
        Some(m.moderator.clone()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.to_string().contains("不愿具名"));
    // The server's own machine may, on an open server.
    let local = reqwest::get(format!("{base}/api/backup.json")).await.unwrap();
    assert_eq!(local.status(), 200);
}

/// Remove-and-ban keeps out every address the person joined or connected
/// from, also when no socket of theirs is open at that moment (before: the
/// ban was taken from a socket receiving the removal, so a phone that had
/// only joined, or had its screen off, was not banned).
#[tokio::test]
async fn remove_and_ban_keeps_out_a_phone_that_has_no_socket_open() {
    let (Some(phone), Some(other)) = (device(), device()) else {
        return;
    };
    let server = TestServer::start_on_all_addresses(ServerConfig::default()).await;
    let (base, port) = (server.base.clone(), server.port());
    let m = simple_meeting(&base, "t", &["a"]).await.unwrap();
    let mut md = WsClient::connect(&base, m.id(), &m.moderator, None).await.unwrap();
    let (status, joined) = join_from(&phone, port, &m, &m.invite, "捣乱的人").await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let participant = ParticipantId(joined["participant"].as_u64().unwrap() as u32);
    md.ok(Command::RemoveParticipant { participant, ban: true })
        .await
        .unwrap();
    let (status, body) = join_from(&phone, port, &m, &m.invite, "换个名字").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("removed"), "{body}");
    // Another phone is not affected, nor is the same phone in another meeting.
    let (status, _) = join_from(&other, port, &m, &m.invite, "邻居").await;
    assert_eq!(status, StatusCode::CREATED);
    let second = simple_meeting(&base, "u", &["a"]).await.unwrap();
    let (status, _) = join_from(&phone, port, &second, &second.invite, "捣乱的人").await;
    assert_eq!(status, StatusCode::CREATED, "a ban is for that meeting only");
    // The device is banned too, not only its address: the page keeps the token
    // it held and sends it with a new join, from any address — also after a restart.
    let token = joined["token"].as_str().unwrap().to_owned();
    let with_token = json!({"invite": m.invite, "name": "换了网络", "category": "居民", "previous_token": token});
    let url = format!("{}/api/meetings/{}/join", other.url(port), m.id());
    let (status, _) = from(&other, reqwest::Method::POST, url, None, Some(with_token.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a banned device on another address");
    let mut server = server;
    server.restart().await;
    let again = reqwest::Client::new()
        .post(format!("{}/api/meetings/{}/join", server.base, m.id()))
        .json(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::FORBIDDEN, "the device ban is in the record");
}

/// One device may join a few times (a family sharing a phone), not
/// thousands; and it may not guess invite codes: after ten wrong ones it
/// may not join at all for a while (before: 2,000 joins in 2.5 s, and
/// ~2,200 guesses a second). The server's own machine is not limited.
#[tokio::test]
async fn one_device_can_neither_flood_joins_nor_guess_invite_codes() {
    let (Some(flooder), Some(guesser)) = (device(), device()) else {
        return;
    };
    let server = TestServer::start_on_all_addresses(ServerConfig::default()).await;
    let (base, port) = (server.base.clone(), server.port());
    let m = simple_meeting(&base, "t", &["a"]).await.unwrap();
    let burst = babahui::Limits::default().joins_per_address.burst;
    for i in 0..burst {
        let (status, body) = join_from(&flooder, port, &m, &m.invite, &format!("第{i}位")).await;
        assert_eq!(status, StatusCode::CREATED, "join {i}: {body}");
    }
    let (status, body) = join_from(&flooder, port, &m, &m.invite, "再来一个").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("try again in"),
        "{body}"
    );

    let tries = babahui::Limits::default().wrong_invites_per_address.burst;
    for i in 0..tries {
        let (status, body) = join_from(&guesser, port, &m, &format!("zz{i:04}"), "猜").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "try {i}: {body}");
        assert_eq!(body["error"]["code"], "invite_invalid");
    }
    // Out of guesses: even the right code is refused now, so guessing gets nowhere.
    let (status, body) = join_from(&guesser, port, &m, &m.invite, "猜").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("wrong join links"),
        "{body}"
    );
    // Unknown meeting ids count as wrong guesses too (they were not limited at all).
    let (status, _) = from(
        &guesser,
        reqwest::Method::POST,
        format!("{}/api/meetings/zzzzzzzz/join", guesser.url(port)),
        None,
        Some(json!({"invite": m.invite, "category": "居民"})),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The server's own machine (or a proxy in front) is not limited per address.
    for i in 0..burst + 5 {
        join(&base, &m, &format!("本机{i}"), "居民").await.unwrap();
    }
}

/// Objections: a device may file a few, not the meeting's whole cap in a
/// second; the moderator can mark a flood as spam — kept in the record, not
/// counted as open, not keeping the minutes disputed, not shown publicly.
#[tokio::test]
async fn objections_are_limited_per_device_and_spam_is_kept_but_not_counted() {
    let (Some(flooder), Some(resident)) = (device(), device()) else {
        return;
    };
    let server = TestServer::start_on_all_addresses(ServerConfig::default()).await;
    let (base, port) = (server.base.clone(), server.port());
    let mut run = running_meeting(&base, "坝坝会").await.unwrap();
    let md = &mut run.moderator;
    md.ok(Command::EndMeeting).await.unwrap();
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: "纪要".into(),
        notice_days: Some(5),
    })
    .await
    .unwrap();
    let id = run.meeting.id().clone();
    async fn object(device: &Device, port: u16, id: &MeetingId, text: String) -> (StatusCode, Value) {
        let url = format!("{}/api/meetings/{id}/objections", device.url(port));
        from(device, reqwest::Method::POST, url, None, Some(json!({"text": text}))).await
    }
    let burst = babahui::Limits::default().objections_per_address.burst;
    for i in 0..burst {
        let (status, body) = object(&flooder, port, &id, format!("刷屏{i}")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = object(&flooder, port, &id, "刷屏又一条".into()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let (status, _) = object(&resident, port, &id, "纪要漏记了三楼的意见".into()).await;
    assert_eq!(status, StatusCode::CREATED, "a real resident is not shut out");

    for objection in 1..=burst {
        md.ok(Command::MarkObjectionSpam { objection, spam: true })
            .await
            .unwrap();
    }
    assert_eq!(
        md.refused(Command::MarkObjectionSpam {
            objection: 1,
            spam: true
        })
        .await
        .unwrap(),
        ErrorCode::Conflict
    );
    assert_eq!(
        run.attendee_client
            .refused(Command::MarkObjectionSpam {
                objection: 6,
                spam: true
            })
            .await
            .unwrap(),
        ErrorCode::Forbidden
    );
    // Kept in the record…
    assert_eq!(md.state.objections.len() as u32, burst + 1);
    assert!(md.state.objections.iter().filter(|o| o.spam).count() as u32 == burst);
    // …not counted, and not shown on the public minutes.
    let doc: Value = reqwest::get(format!("{base}/api/meetings/{id}/minutes.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["status"]["open_objections"], 1, "{doc}");
    assert_eq!(doc["objections"].as_array().unwrap().len(), 1);
    assert_eq!(doc["spam_objections"], burst);
    assert!(!doc.to_string().contains("刷屏0"));
    let md_text = reqwest::get(format!("{base}/api/meetings/{id}/minutes.md"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        md_text.contains(&format!("另有 {burst} 条异议被主持人标为刷屏")),
        "{md_text}"
    );
    // The moderator can take a mark back.
    md.ok(Command::MarkObjectionSpam {
        objection: 2,
        spam: false,
    })
    .await
    .unwrap();
    let open = md
        .state
        .objections
        .iter()
        .filter(|o| o.answer.is_none() && !o.spam)
        .count();
    assert_eq!(open, 2);
}
