//! A courtyard laptop and its district, two real servers: a matter the
//! district holds goes to the laptop, a meeting held on the laptop reviews
//! it and makes a commitment; synced, synced again, one more objection
//! answered on the laptop and synced: the district shows it all once. A
//! tampered log is refused; a sync cut halfway resumes.

use crate::helpers::TestServer;
use babahui::ServerConfig;
use babahui_shared::*;
use serde_json::{json, Value};
use tests::http::{join, Meeting};
use tests::proxy::{FaultProxy, Faults};
use tests::session::As;
use tests::WsClient;

const KEY: &str = "sync-test-organiser-key-0123";

async fn server() -> TestServer {
    TestServer::start_with(ServerConfig {
        organiser_key: Some(KEY.into()),
        ..ServerConfig::default()
    })
    .await
}

/// Holds a meeting on the laptop: two residents; if `review` names a ledger
/// entry, it is reviewed (one 满意, one 不满意); a commitment; ended, published.
async fn hold(laptop: &As, title: &str, review: Option<u64>) -> Meeting {
    let created = laptop
        .made(
            "/api/meetings",
            json!({"title": title, "agenda": [{"title": "路灯", "minutes": 10}]}),
        )
        .await
        .unwrap();
    let m = Meeting::from_links(
        created["join_url"].as_str().unwrap(),
        created["moderator_url"].as_str().unwrap(),
        created["projector_url"].as_str().unwrap(),
    )
    .unwrap();
    let base = &laptop.base;
    let mut md = WsClient::connect(base, m.id(), &m.moderator, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    let mut phones = Vec::new();
    for name in ["张阿姨", "李师傅"] {
        let p = join(base, &m, name, "居民").await.unwrap();
        phones.push(WsClient::connect(base, m.id(), &p.token, None).await.unwrap());
    }
    if let Some(entry) = review {
        let opened = md
            .ok(Command::OpenReview {
                entry: entry as u32,
                subject: None,
            })
            .await
            .unwrap();
        let review = ReviewId(opened.created.unwrap());
        for (phone, rating) in phones.iter_mut().zip([Rating::Satisfied, Rating::Unsatisfied]) {
            phone
                .ok(Command::RateReview {
                    review,
                    rating,
                    key: None,
                })
                .await
                .unwrap();
        }
        md.ok(Command::CloseReview { review }).await.unwrap();
    }
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    md.ok(Command::AddCommitment {
        topic: None,
        what: format!("{title}：修好东门路灯"),
        responsible: "物业公司".into(),
        deadline: "2099-12-31".into(),
        opinions: vec![],
    })
    .await
    .unwrap();
    md.ok(Command::EndMeeting).await.unwrap();
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: String::new(),
        notice_days: None,
    })
    .await
    .unwrap();
    m
}

/// A community on the district, and a sync token for it.
async fn community_with_token(district: &As, name: &str) -> (String, String) {
    let c = district
        .made("/api/communities", json!({"name": name, "street": "玉林街道"}))
        .await
        .unwrap();
    let id = c["id"].as_str().unwrap().to_owned();
    let t = district
        .made(&format!("/api/communities/{id}/sync-token"), json!({}))
        .await
        .unwrap();
    (id, t["token"].as_str().unwrap().to_owned())
}

async fn sync(laptop: &As, to: &str, community: &str, token: &str) -> Result<Value, String> {
    let (status, body) = laptop
        .post(
            "/api/sync/run",
            json!({"to": to, "community": community, "token": token}),
        )
        .await
        .unwrap();
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!("{status} {body}"))
    }
}

fn entry<'a>(ledger: &'a Value, title: &str) -> &'a Value {
    ledger
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"].as_str().unwrap().contains(title))
        .unwrap_or_else(|| panic!("no entry {title} in {ledger:#}"))
}

#[tokio::test]
async fn a_laptops_meeting_reaches_the_district_once_and_a_changed_history_is_refused() {
    let (district_server, laptop_server) = (server().await, server().await);
    let district = As::key(&district_server.base, KEY);
    let laptop = As::key(&laptop_server.base, KEY);
    let (community, token) = community_with_token(&district, "玉林东路社区").await;
    district
        .made(
            "/api/ledger",
            json!({"title": "小区东门路灯不亮", "community": community}),
        )
        .await
        .unwrap();
    let to = district_server.base.clone();

    // Before the meeting: the district's open matter comes to the laptop.
    let first = sync(&laptop, &to, &community, &token).await.unwrap();
    assert_eq!(first["pulled"]["created"], 1, "{first}");
    let pulled = laptop.ok("/api/ledger").await.unwrap();
    let lamp = entry(&pulled, "东门路灯不亮")["id"].as_u64().unwrap();

    // The meeting reviews it offline and makes a commitment.
    let m = hold(&laptop, "三月坝坝会", Some(lamp)).await;
    let second = sync(&laptop, &to, &community, &token).await.unwrap();
    assert_eq!(second["meetings"], 1, "{second}");
    let once = |d: &Value| {
        let lamp = entry(d, "东门路灯不亮");
        (
            lamp["ratings"]["satisfied"].as_u64(),
            lamp["ratings"]["unsatisfied"].as_u64(),
            d.as_array().unwrap().len(),
        )
    };
    let after_second = district.ok("/api/ledger").await.unwrap();
    assert_eq!(
        once(&after_second),
        (Some(1), Some(1), 2),
        "the review and the commitment: {after_second:#}"
    );
    let commitment = entry(&after_second, "三月坝坝会：修好东门路灯");
    assert_eq!(commitment["community"], community.as_str());
    // The copy is the meeting, read-only, under the laptop's origin.
    let meetings = district.ok("/api/meetings").await.unwrap();
    let copy = meetings
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["origin"].is_string())
        .expect("a copy");
    let copy_id = copy["id"].as_str().unwrap().to_owned();
    assert_ne!(copy_id, m.id().as_str(), "ids are the district's own");
    assert_eq!(copy["community"], community.as_str());
    let state = district.ok(&format!("/api/meetings/{copy_id}")).await.unwrap();
    assert_eq!(state["title"], "三月坝坝会");
    assert_eq!(
        commitment["source"]["meeting"],
        copy_id.as_str(),
        "the entry names the district's copy"
    );
    let (status, _) = district
        .post(
            &format!("/api/meetings/{copy_id}/objections"),
            json!({"text": "有异议"}),
        )
        .await
        .unwrap();
    assert_eq!(status.as_u16(), 403, "nothing is added to a copy on the district");

    // Synced again: nothing changes, nothing is counted twice.
    let third = sync(&laptop, &to, &community, &token).await.unwrap();
    assert_eq!(
        (third["events_added"].as_u64(), third["pushed"]["created"].as_u64()),
        (Some(0), Some(0)),
        "{third}"
    );
    assert_eq!(district.ok("/api/ledger").await.unwrap(), after_second);

    // One more objection, answered on the laptop, then synced.
    let laptop_base = laptop_server.base.clone();
    As::nobody(&laptop_base)
        .made(
            &format!("/api/meetings/{}/objections", m.id()),
            json!({"text": "第二条承诺的时限太长"}),
        )
        .await
        .unwrap();
    let mut md = WsClient::connect(&laptop_base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    md.ok(Command::AnswerObjection {
        objection: 1,
        answer: "物业承诺提前到六月".into(),
    })
    .await
    .unwrap();
    let fourth = sync(&laptop, &to, &community, &token).await.unwrap();
    assert_eq!(fourth["events_added"], 2, "{fourth}");
    let state = district.ok(&format!("/api/meetings/{copy_id}")).await.unwrap();
    assert_eq!(state["objections"][0]["answer"], "物业承诺提前到六月", "{state:#}");
    assert_eq!(once(&district.ok("/api/ledger").await.unwrap()), (Some(1), Some(1), 2));

    // A log whose history was changed is refused, and changes nothing.
    let mut archive = laptop
        .ok(&format!("/api/meetings/{}/archive.json", m.id()))
        .await
        .unwrap();
    archive["records"][0]["event"]["event"]["data"]["title"] = json!("改过的标题");
    let origin = laptop.ok("/api/sync/last").await.unwrap();
    assert!(origin.is_object());
    let laptop_origin = district
        .ok("/api/meetings")
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .find_map(|x| x["origin"].as_str().map(str::to_owned))
        .unwrap();
    let syncer = As::key(&to, &token);
    let (status, refused) = syncer
        .post(
            &format!("/api/sync/meetings?community={community}"),
            json!({"origin": laptop_origin, "archive": archive}),
        )
        .await
        .unwrap();
    assert_eq!(status.as_u16(), 409, "{refused}");
    assert!(
        refused["error"]["message"].as_str().unwrap().contains("history"),
        "{refused}"
    );
    let state = district.ok(&format!("/api/meetings/{copy_id}")).await.unwrap();
    assert_eq!(state["title"], "三月坝坝会");
    // Another community's token cannot send for this one.
    let (other, other_token) = community_with_token(&district, "玉林北路社区").await;
    assert_ne!(other, community);
    let err = sync(&laptop, &to, &community, &other_token).await.unwrap_err();
    assert!(err.contains("403"), "{err}");
}

#[tokio::test]
async fn a_sync_cut_halfway_resumes_and_ends_whole() {
    let (district_server, laptop_server) = (server().await, server().await);
    let district = As::key(&district_server.base, KEY);
    let laptop = As::key(&laptop_server.base, KEY);
    let (community, token) = community_with_token(&district, "玉林东路社区").await;
    hold(&laptop, "三月坝坝会", None).await;
    hold(&laptop, "四月坝坝会", None).await;
    // The line to the district drops as the first answer comes back: the
    // district has stored the first meeting, the laptop does not know it.
    let proxy = FaultProxy::start(
        &district_server.base,
        Faults {
            cut_after: Some((1, 1)),
            ..Faults::default()
        },
    )
    .await;
    let err = sync(&laptop, &proxy.base, &community, &token).await.unwrap_err();
    assert!(err.contains("cannot reach the district"), "{err}");
    assert_eq!(district.ok("/api/meetings").await.unwrap().as_array().unwrap().len(), 1);
    // Online again: the sync resumes where it stopped.
    let resumed = sync(&laptop, &district_server.base, &community, &token).await.unwrap();
    assert_eq!(resumed["meetings"], 2, "{resumed}");
    let meetings = district.ok("/api/meetings").await.unwrap();
    assert_eq!(meetings.as_array().unwrap().len(), 2, "{meetings:#}");
    let ledger = district.ok("/api/ledger").await.unwrap();
    assert_eq!(
        ledger.as_array().unwrap().len(),
        2,
        "one commitment each, once: {ledger:#}"
    );
    let again = sync(&laptop, &district_server.base, &community, &token).await.unwrap();
    assert_eq!(again["events_added"], 0);
    assert_eq!(district.ok("/api/ledger").await.unwrap(), ledger);
}

#[tokio::test]
async fn the_command_line_syncs_a_running_laptop_and_a_stopped_ones_folder() {
    use crate::helpers::{babahui, data_dir, on_postgres, ServerProcess};
    // The command waits on the district, which serves from this test's own
    // runtime: run it beside it, not in its way.
    let run = |args: Vec<String>| async move { tokio::task::spawn_blocking(move || babahui(&args)).await.unwrap() };
    let strings = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let district_server = server().await;
    let district = As::key(&district_server.base, KEY);
    let (community, token) = community_with_token(&district, "玉林东路社区").await;
    let (_keep, data) = data_dir();
    let laptop = ServerProcess::start_with(&data, &["--organiser-key", KEY]);
    hold(&As::key(&laptop.base, KEY), "三月坝坝会", None).await;
    let to = district_server.base.as_str();
    let (ok, out) = run(strings(&[
        "sync",
        "--to",
        to,
        "--community",
        &community,
        "--token",
        &token,
        "--server",
        &laptop.base,
        "--organiser-key",
        KEY,
    ]))
    .await;
    assert!(ok && out.contains("1 meetings"), "{out}");
    let (ok, out) = run(strings(&[
        "sync",
        "--to",
        to,
        "--community",
        &community,
        "--token",
        "sync-wrong",
        "--server",
        &laptop.base,
        "--organiser-key",
        KEY,
    ]))
    .await;
    assert!(
        !ok && out.contains("not a sync token"),
        "a wrong token is said plainly: {out}"
    );
    hold(&As::key(&laptop.base, KEY), "四月坝坝会", None).await;
    laptop.stop();
    if !on_postgres() {
        // A laptop switched off: its folder is read directly.
        let (ok, out) = run(strings(&[
            "sync",
            "--to",
            to,
            "--community",
            &community,
            "--token",
            &token,
            "--data",
            data.to_str().unwrap(),
        ]))
        .await;
        assert!(ok && out.contains("2 meetings"), "{out}");
        assert_eq!(district.ok("/api/meetings").await.unwrap().as_array().unwrap().len(), 2);
    }
}

/// The photos on ledger lines cross with the lines, both ways: a laptop's
/// progress photo shows on the district's public pages, a district's on the
/// laptop's, each once, under the same id.
#[tokio::test]
async fn photos_on_ledger_lines_cross_both_ways_once() {
    let (district_server, laptop_server) = (server().await, server().await);
    let district = As::key(&district_server.base, KEY);
    let laptop = As::key(&laptop_server.base, KEY);
    let (community, token) = community_with_token(&district, "玉林东路社区").await;
    let to = district_server.base.clone();
    let photo = |server: &As| {
        let server = server.clone();
        async move {
            let (status, p) = server
                .post_bytes("/api/photos", "image/jpeg", tests::photos::camera_jpeg(1200, 900, 1))
                .await
                .unwrap();
            assert_eq!(status, reqwest::StatusCode::CREATED, "{p}");
            p["id"].as_str().unwrap().to_owned()
        }
    };
    let line = |server: &As, entry: u64, id: String| {
        let server = server.clone();
        async move {
            server
                .made(
                    &format!("/api/ledger/{entry}/updates"),
                    json!({"note": "处理中，见照片", "by": "社区", "photos": [id]}),
                )
                .await
                .unwrap();
        }
    };
    let theirs = district
        .made("/api/ledger", json!({"title": "东门路灯不亮", "community": community}))
        .await
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let district_photo = photo(&district).await;
    line(&district, theirs, district_photo.clone()).await;
    let ours = laptop
        .made("/api/ledger", json!({"title": "3栋楼道堆物"}))
        .await
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let laptop_photo = photo(&laptop).await;
    line(&laptop, ours, laptop_photo.clone()).await;
    let served = |server: &As, id: &str| {
        let (server, path) = (server.clone(), format!("/photos/{id}.jpg"));
        async move { server.get_bytes(&path).await.unwrap() }
    };
    assert_eq!(served(&district, &laptop_photo).await.0, reqwest::StatusCode::NOT_FOUND);

    let report = sync(&laptop, &to, &community, &token).await.unwrap();
    assert_eq!(
        (report["photos_sent"].as_u64(), report["photos_fetched"].as_u64()),
        (Some(1), Some(1)),
        "{report}"
    );
    for (server, id) in [(&district, &laptop_photo), (&laptop, &district_photo)] {
        let (status, kind, jpeg) = served(server, id).await;
        assert_eq!((status, kind.as_str()), (reqwest::StatusCode::OK, "image/jpeg"), "{id}");
        assert_eq!(tests::photos::jpeg_size(&jpeg), Some((1200, 900)));
    }
    // Synced again: nothing to send or fetch.
    let again = sync(&laptop, &to, &community, &token).await.unwrap();
    assert_eq!(
        (again["photos_sent"].as_u64(), again["photos_fetched"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );

    // Only with the community's sync token, and only photo ids.
    let stranger = As::nobody(&to);
    let (status, _) = stranger
        .post_bytes(
            &format!("/api/sync/photos/{}", "a".repeat(22)),
            "image/jpeg",
            tests::photos::camera_jpeg(10, 10, 1),
        )
        .await
        .unwrap();
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    let with_token = reqwest::Client::new()
        .post(format!("{to}/api/sync/photos/..%2Fx?community={community}"))
        .bearer_auth(&token)
        .body(tests::photos::camera_jpeg(10, 10, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), reqwest::StatusCode::BAD_REQUEST);
}
