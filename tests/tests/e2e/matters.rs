//! 听群众说事 and 向群众晒事 over the real server: a resident's matter from a
//! phone, with a camera photo, through the organiser's inbox into the ledger,
//! seconded by other phones, handled with a photo of the result — and what
//! each person sees on the way: the submitter's private link, the public
//! ledger page, the photos stripped of where they were taken. Hostile photos
//! are refused in words and leave nothing behind.

use crate::helpers::TestServer;
use babahui::ServerConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tests::photos::{camera_jpeg, form, has_metadata, jpeg, jpeg_size, png_bomb};
use tests::session::As;

const KEY: &str = "matters-test-organiser-key-0123";

async fn server() -> TestServer {
    TestServer::start_with(ServerConfig {
        organiser_key: Some(KEY.into()),
        ..ServerConfig::default()
    })
    .await
}

/// A phone: nobody in particular, with its own 附议 cookie.
fn phone(base: &str, n: u32) -> As {
    let mut p = As::nobody(base);
    p.cookie = Some(format!("bbh_phone=test-phone-{n:08}-abcdefgh"));
    p
}

/// Sends a matter as the page's form does; the answer.
async fn send(who: &As, fields: &[(&str, &str)], photos: &[Vec<u8>]) -> (StatusCode, Value) {
    let (kind, body) = form(fields, photos);
    who.post_bytes("/api/matters", &kind, body).await.unwrap()
}

/// The path and query of a follow link.
fn path_of(url: &str) -> String {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        .expect("a URL")
}

#[tokio::test]
async fn a_residents_matter_with_a_photo_is_accepted_seconded_handled_and_followed() {
    let s = server().await;
    let organiser = As::key(&s.base, KEY);
    let resident = phone(&s.base, 1);

    // A camera photo, taken in portrait (stored on its side, EXIF says turn it), with GPS.
    let photo = camera_jpeg(2400, 1200, 6);
    assert!(has_metadata(&photo));
    let fields = [
        ("text", "5栋后面的路灯坏了两个星期，晚上很黑，老人不敢出门。"),
        ("category", "基础设施"),
        ("place", "5栋2单元"),
        ("contact_name", "王秀英"),
        ("contact_phone", "13912345678"),
    ];
    let (status, receipt) = send(&resident, &fields, &[photo]).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let follow = path_of(receipt["follow_url"].as_str().unwrap());
    let follow_api = follow.replace("/report/", "/api/matters/");
    assert!(follow.starts_with("/report/1?k="), "{follow}");

    // Nothing is public before the organiser accepts it.
    let (_, public) = As::nobody(&s.base).get("/public/ledger").await.unwrap();
    assert!(
        !public.as_str().unwrap().contains("路灯坏了"),
        "shown before it was accepted"
    );
    let (status, _) = As::nobody(&s.base).get("/api/matters").await.unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN, "the inbox is the committee's");

    // The inbox has it, with the contact; the stored photo is upright, scaled, and has no EXIF.
    let inbox = organiser.ok("/api/matters").await.unwrap();
    let m = &inbox[0];
    assert_eq!(m["status"]["type"], "new");
    assert_eq!(m["contact_phone"], "13912345678");
    let photo_id = m["photos"][0].as_str().unwrap().to_owned();
    let (status, kind, stored) = resident.get_bytes(&format!("/photos/{photo_id}.jpg")).await.unwrap();
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    assert!(!has_metadata(&stored), "the stored photo still carries EXIF (GPS)");
    assert_eq!(
        jpeg_size(&stored),
        Some((800, 1600)),
        "turned upright by its EXIF orientation, 1600 px long side"
    );

    // The submitter's link: received, and never the contact they left (links get forwarded).
    let mine = resident.ok(&follow_api).await.unwrap();
    assert_eq!(mine["status"]["type"], "new");
    assert!(!mine.to_string().contains("13912345678"));
    let (status, _) = resident.get(&follow_api.replace("k=", "k=x")).await.unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND, "a wrong key shows nothing");

    // Accepted into the ledger (待议).
    let decided = organiser
        .made(
            "/api/matters/1/decision",
            json!({"action": "accept", "title": "5栋后路灯不亮", "by": "李主任"}),
        )
        .await
        .unwrap();
    assert_eq!(decided["status"], json!({"type": "accepted", "entry": 1}));
    let entry = organiser.ok("/api/ledger/1").await.unwrap();
    assert_eq!(entry["status"], "pending");
    assert_eq!(entry["source"], json!({"type": "reported", "matter": 1}));
    assert_eq!(entry["history"][0]["photos"][0], photo_id.as_str());

    // Two other phones second it; the same phone twice counts once.
    for n in [2, 3, 3] {
        phone(&s.base, n).made("/api/ledger/1/second", json!({})).await.unwrap();
    }
    let entry = organiser.ok("/api/ledger/1").await.unwrap();
    assert_eq!(entry["seconds"], 2);

    // Handled: a progress line with a photo of the result.
    let (status, after) = organiser
        .post_bytes("/api/photos", "image/jpeg", camera_jpeg(1000, 800, 1))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{after}");
    let after_id = after["id"].as_str().unwrap().to_owned();
    // A line naming a photo that was never uploaded is refused, and nothing is written.
    let (status, refused) = organiser
        .post(
            "/api/ledger/1/updates",
            json!({"note": "x", "by": "物业王经理", "photos": ["abcdefghijklmnopqrstuv"]}),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let lines = organiser.ok("/api/ledger/1").await.unwrap()["history"]
        .as_array()
        .unwrap()
        .len();
    organiser
        .made(
            "/api/ledger/1/updates",
            json!({"note": "已更换两盏路灯", "status": "done", "by": "物业王经理", "photos": [after_id]}),
        )
        .await
        .unwrap();
    let history = organiser.ok("/api/ledger/1").await.unwrap()["history"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(history, lines + 1, "only the line with a real photo was written");

    // The submitter's link shows each step; the public page the photos, the
    // count, and neither the name nor the number the resident left.
    let mine = resident.ok(&follow_api).await.unwrap();
    assert_eq!(mine["status"], json!({"type": "accepted", "entry": 1}));
    let steps: Vec<&str> = mine["entry"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["note"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["居民反映，已受理（第1号）", "已更换两盏路灯"]);
    let (_, page) = resident.get(&follow).await.unwrap();
    let page = page.as_str().unwrap();
    assert!(page.contains("已更换两盏路灯") && page.contains(&after_id), "{page}");
    let (_, public) = As::nobody(&s.base).get("/public/ledger/1").await.unwrap();
    let public = public.as_str().unwrap();
    assert!(public.contains("5栋后路灯不亮") && public.contains(&photo_id) && public.contains(&after_id));
    assert!(
        !public.contains("13912345678") && !public.contains("王秀英"),
        "the contact is published"
    );
    let (_, csv) = organiser.get("/api/ledger.csv").await.unwrap();
    assert!(
        !csv.to_string().contains("13912345678"),
        "the contact left in an export"
    );
}

#[tokio::test]
async fn the_organiser_declines_merges_and_hides_and_the_submitter_reads_why() {
    let s = server().await;
    let organiser = As::key(&s.base, KEY);
    let resident = phone(&s.base, 1);
    let mut links = Vec::new();
    for text in ["楼道堆放杂物", "3栋楼道杂物又堆满了", "广告 广告 广告"] {
        let (status, r) = resident.post("/api/matters", json!({"text": text})).await.unwrap();
        assert_eq!(status, StatusCode::CREATED);
        links.push(path_of(r["follow_url"].as_str().unwrap()).replace("/report/", "/api/matters/"));
    }
    organiser
        .made(
            "/api/matters/1/decision",
            json!({"action": "accept", "title": "楼道杂物", "by": "李主任"}),
        )
        .await
        .unwrap();
    organiser
        .made(
            "/api/matters/2/decision",
            json!({"action": "merge", "entry": 1, "by": "李主任"}),
        )
        .await
        .unwrap();
    organiser
        .made("/api/matters/3/decision", json!({"action": "hide", "by": "李主任"}))
        .await
        .unwrap();
    // Merged: the submitter's link shows the entry it joined.
    let merged = resident.ok(&links[1]).await.unwrap();
    assert_eq!(merged["status"], json!({"type": "merged", "entry": 1}));
    assert_eq!(merged["entry"]["title"], "楼道杂物");
    // Decided once: a second decision is refused and changes nothing.
    let (status, _) = organiser
        .post(
            "/api/matters/1/decision",
            json!({"action": "decline", "reason": "重复"}),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CONFLICT);
    // Declined with a reason the submitter reads.
    let (_, r) = resident
        .post("/api/matters", json!({"text": "希望小区装电梯"}))
        .await
        .unwrap();
    let declined_link = path_of(r["follow_url"].as_str().unwrap()).replace("/report/", "/api/matters/");
    organiser
        .made(
            "/api/matters/4/decision",
            json!({"action": "decline", "reason": "加装电梯需业主表决，请联系业委会", "by": "李主任"}),
        )
        .await
        .unwrap();
    let declined = resident.ok(&declined_link).await.unwrap();
    assert_eq!(declined["status"]["reason"], "加装电梯需业主表决，请联系业委会");
    // Neither the hidden nor the declined one is on the public ledger.
    let (_, public) = As::nobody(&s.base).get("/public/ledger").await.unwrap();
    let public = public.as_str().unwrap();
    assert!(public.contains("楼道杂物"));
    assert!(!public.contains("广告") && !public.contains("电梯"));
}

#[tokio::test]
async fn hostile_photos_are_refused_in_words_and_leave_nothing() {
    let s = server().await;
    let resident = phone(&s.base, 1);
    let text = [("text", "照片测试")];
    // 50 megapixels (8660 × 5775): refused from its header, before decoding.
    let (status, big) = send(&resident, &text, &[jpeg(8660, 5775)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{big}");
    assert!(big["error"]["message"].as_str().unwrap().contains("4000万"), "{big}");
    // A JPEG cut short (an upload that broke off).
    let whole = jpeg(1200, 900);
    let (status, cut) = send(&resident, &text, &[whole[..whole.len() / 2].to_vec()]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{cut}");
    assert!(cut["error"]["message"].as_str().unwrap().contains("不完整"), "{cut}");
    // A decompression bomb: 3.6 gigapixels in a few hundred bytes.
    let bomb = png_bomb();
    assert!(bomb.len() < 2048);
    let started = std::time::Instant::now();
    let (status, boom) = send(&resident, &text, &[bomb]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{boom}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    // Text pretending to be a photo; four photos.
    let (status, _) = send(&resident, &text, &[b"GIF89a not really".to_vec()]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let small = jpeg(64, 64);
    let (status, four) = send(&resident, &text, &[small.clone(), small.clone(), small.clone(), small]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{four}");
    // Nothing of any of them was kept, and the server still takes a good one.
    let inbox = As::key(&s.base, KEY).ok("/api/matters").await.unwrap();
    assert_eq!(inbox.as_array().unwrap().len(), 0, "{inbox}");
    let (status, _) = send(&resident, &text, &[jpeg(640, 480)]).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn one_address_cannot_flood_the_inbox_and_text_is_checked() {
    let s = server().await;
    let resident = phone(&s.base, 1);
    let (status, empty) = resident.post("/api/matters", json!({"text": "  "})).await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{empty}");
    let (status, _) = resident
        .post("/api/matters", json!({"text": "x".repeat(1001)}))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut answers = Vec::new();
    for i in 0..12 {
        let (status, _) = resident
            .post("/api/matters", json!({"text": format!("第{i}条")}))
            .await
            .unwrap();
        answers.push(status);
    }
    assert!(answers[..10].iter().all(|s| *s == StatusCode::CREATED), "{answers:?}");
    assert_eq!(answers[10], StatusCode::TOO_MANY_REQUESTS, "{answers:?}");
    let inbox = As::key(&s.base, KEY).ok("/api/matters").await.unwrap();
    assert_eq!(inbox.as_array().unwrap().len(), 10);
}

/// The year round for one matter, from the resident's phone to the rating:
/// sent with a photo, accepted, seconded, taken up as a topic whose notice
/// takes an opinion before the meeting; the tablet has it when the topic
/// opens, the minutes keep it marked 会前, the commitment and its progress
/// (with a photo) reach the ledger, and the submitter's link shows each step.
#[tokio::test]
async fn a_matter_goes_round_the_year_from_the_phone_to_the_notice_the_meeting_and_back() {
    use babahui_shared::*;
    let s = server().await;
    let organiser = As::key(&s.base, KEY);
    let resident = phone(&s.base, 1);
    let (_, receipt) = send(
        &resident,
        &[("text", "小区东门夜里没有路灯"), ("place", "东门")],
        &[jpeg(800, 600)],
    )
    .await;
    let follow = path_of(receipt["follow_url"].as_str().unwrap()).replace("/report/", "/api/matters/");
    organiser
        .made(
            "/api/matters/1/decision",
            json!({"action": "accept", "title": "东门路灯", "by": "李主任"}),
        )
        .await
        .unwrap();
    for n in [2, 3] {
        phone(&s.base, n).made("/api/ledger/1/second", json!({})).await.unwrap();
    }
    // 确定议题: the entry on the agenda, with background and a photo; 议前通报.
    let (_, topic_photo) = organiser
        .post_bytes("/api/photos", "image/jpeg", camera_jpeg(1600, 1200, 1))
        .await
        .unwrap();
    let topic_photo = topic_photo["id"].as_str().unwrap().to_owned();
    let setup = |photos: Value| {
        json!({"title": "十二月坝坝会", "place": "3栋院坝", "starts_at": "2026-12-20 19:00",
               "moderator_name": "社区书记 李红", "invited": "物业公司 王经理",
               "agenda": [{"title": "东门路灯", "minutes": 15, "ledger": 1, "photos": photos,
                           "background": "东门路灯坏了一个月，居民反映夜里看不清台阶。"}]})
    };
    // A photo that was never uploaded is refused (the notice would show nothing).
    let (status, _) = organiser
        .post("/api/meetings", setup(json!(["abcdefghijklmnopqrstuv"])))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let created = organiser
        .made("/api/meetings", setup(json!([topic_photo])))
        .await
        .unwrap();
    let m = tests::http::Meeting::from_links(
        created["join_url"].as_str().unwrap(),
        created["moderator_url"].as_str().unwrap(),
        created["projector_url"].as_str().unwrap(),
    )
    .unwrap();
    let id = m.id().clone();
    let public = As::nobody(&s.base);
    let (status, notice) = public.get(&format!("/m/{id}/notice")).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let notice = notice.as_str().unwrap().to_owned();
    for shown in [
        "2026-12-20 19:00",
        "3栋院坝",
        "社区书记 李红",
        "物业公司 王经理",
        "看不清台阶",
        "#1 东门路灯",
        "附议 2",
        &format!("/photos/{topic_photo}.jpg"),
    ] {
        assert!(notice.contains(shown), "the notice lacks {shown}");
    }
    assert!(!notice.contains("<svg"), "the join QR without the join code");
    let invite = created["join_url"]
        .as_str()
        .unwrap()
        .split("?i=")
        .nth(1)
        .unwrap()
        .to_owned();
    let (_, printed) = public.get(&format!("/m/{id}/notice?i={invite}")).await.unwrap();
    assert!(
        printed.as_str().unwrap().contains("<svg"),
        "the organiser's notice carries the join QR"
    );

    // 会前: an opinion from the notice page.
    let body = format!(
        "topic=1&stance=suggest&text={}",
        form_urlencoded("东门装两盏太阳能灯就够了")
    );
    let (status, after) = public
        .post_bytes(
            &format!("/m/{id}/notice/opinion"),
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(after.as_str().unwrap().contains("已收到您的意见"), "{after}");

    // The meeting: the tablet has it under the topic when it opens.
    let mut md = tests::WsClient::connect(&s.base, &id, &m.moderator, None)
        .await
        .unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    let body = format!("topic=1&text={}", form_urlencoded("开会后再从通报页发"));
    let (_, late) = public
        .post_bytes(
            &format!("/m/{id}/notice/opinion"),
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await
        .unwrap();
    assert!(
        !late.as_str().unwrap().contains("已收到您的意见"),
        "taken after the start"
    );
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let before: Vec<&Opinion> = md
        .state
        .opinions
        .iter()
        .filter(|o| o.topic == Some(TopicId(1)) && o.channel == Some(model::Channel::Before))
        .collect();
    assert_eq!(before.len(), 1, "{:?}", md.state.opinions);
    assert_eq!(before[0].stance, Some(Stance::Suggest));
    md.ok(Command::AddCommitment {
        topic: Some(TopicId(1)),
        what: "东门加装两盏太阳能路灯".into(),
        responsible: "物业公司".into(),
        deadline: "2099-01-31".into(),
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
    let (_, minutes) = public.get(&format!("/api/meetings/{id}/minutes.md")).await.unwrap();
    let minutes = minutes.as_str().unwrap().to_owned();
    assert!(
        minutes.contains("东门装两盏太阳能灯就够了") && minutes.contains("（会前）"),
        "{minutes}"
    );

    // 帮群众理事, 向群众晒事: the commitment is on the entry; progress with a photo.
    let (_, photo) = organiser
        .post_bytes("/api/photos", "image/jpeg", jpeg(1200, 900))
        .await
        .unwrap();
    organiser
        .made(
            "/api/ledger/1/updates",
            json!({"note": "两盏太阳能灯已装好", "status": "done", "by": "物业王经理", "photos": [photo["id"]]}),
        )
        .await
        .unwrap();
    let mine = resident.ok(&follow).await.unwrap();
    let steps: Vec<String> = mine["entry"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["note"].as_str().unwrap().to_owned())
        .collect();
    assert!(steps[0].contains("已受理"), "{steps:?}");
    assert!(
        steps.iter().any(|n| n.contains("东门加装两盏太阳能路灯")),
        "the commitment: {steps:?}"
    );
    assert_eq!(steps.last().unwrap(), "两盏太阳能灯已装好");
    assert_eq!(
        mine["entry"]["history"].as_array().unwrap().last().unwrap()["photos"][0],
        photo["id"]
    );
}

fn form_urlencoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
