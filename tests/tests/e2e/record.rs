//! A faithful record: only the organiser (or a meeting's moderator) writes the
//! ledger, and says who; an opinion stays under the topic it was written on;
//! the minutes keep every opinion and every topic; a correction of the minutes
//! says why.

use crate::helpers::{data_dir, ServerProcess, TestServer};
use babahui_shared::*;
use serde_json::{json, Value};
use tests::http::{get_json, join, simple_meeting};
use tests::WsClient;

fn opinion(text: &str, topic: Option<Option<TopicId>>) -> Command {
    Command::SubmitOpinion {
        text: text.into(),
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
        topic,
        voice: None,
    }
}

/// The real binary, started as `./x serve` starts it: it makes an organiser key,
/// keeps it private in the data folder, prints the organiser link, and refuses
/// every write of the organiser's to a device without it — loopback included.
#[tokio::test]
async fn a_server_is_secure_by_default_with_a_kept_organiser_key() {
    let (_keep, data) = data_dir();
    let server = ServerProcess::start(&data);
    let key = server.key.clone().expect("a key is made at the first start");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("organiser.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        server.banner.contains(&format!("/#k={key}")),
        "the organiser link is printed: {}",
        server.banner
    );
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let body = json!({"title": "t", "agenda": [{"title": "a"}]});
    // No key, a wrong key: nothing is created, listed, backed up or written.
    for bearer in [None, Some("wrong")] {
        let with = |r: reqwest::RequestBuilder| match bearer {
            Some(b) => r.bearer_auth(b),
            None => r,
        };
        let create = with(http.post(format!("{base}/api/meetings")).json(&body))
            .send()
            .await
            .unwrap();
        assert_eq!(create.status(), 403, "create with {bearer:?}");
        let list = with(http.get(format!("{base}/api/meetings"))).send().await.unwrap();
        assert_eq!(list.status(), 403, "list with {bearer:?}");
        let backup = with(http.get(format!("{base}/api/backup.json"))).send().await.unwrap();
        assert_eq!(backup.status(), 403, "backup from loopback with {bearer:?}");
        let entry = with(http.post(format!("{base}/api/ledger")))
            .json(&json!({"title": "路灯", "by": "路人"}))
            .send()
            .await
            .unwrap();
        assert_eq!(entry.status(), 403, "ledger with {bearer:?}");
    }
    let ledger: Vec<Value> = get_json(&format!("{base}/api/ledger")).await.unwrap();
    assert!(ledger.is_empty(), "nothing was written");
    // With the key, all of it works (the helpers send the key the binary keeps).
    let m = simple_meeting(&base, "三月坝坝会", &["a"]).await.unwrap();
    let entry = http
        .post(format!("{base}/api/ledger"))
        .bearer_auth(&key)
        .json(&json!({"title": "路灯", "by": "网格员"}))
        .send()
        .await
        .unwrap();
    assert_eq!(entry.status(), 201);
    // A forged Host never reaches a link or a QR code.
    let forged: Value = http
        .post(format!("{base}/api/meetings"))
        .bearer_auth(&key)
        .header("host", "evil.example")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !forged.to_string().contains("evil.example"),
        "links come from the server's own address: {forged}"
    );
    // An attendee's token is not a key.
    let a = join(&base, &m, "甲", "居民").await.unwrap();
    let r = http
        .post(format!("{base}/api/ledger/1/updates"))
        .bearer_auth(&a.token)
        .json(&json!({"status": "done", "note": "x", "by": "甲"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    server.stop();

    // The same key (the same link) at every start; a new one on demand.
    let again = ServerProcess::start(&data);
    assert_eq!(again.key.as_deref(), Some(key.as_str()));
    again.stop();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_babahui-under-test"))
        .arg("new-organiser-key")
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let renewed = ServerProcess::start(&data);
    let new_key = renewed.key.clone().unwrap();
    assert_ne!(new_key, key);
    let old = http
        .get(format!("{}/api/meetings", renewed.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 403, "the leaked key no longer works");
    let new = http
        .get(format!("{}/api/meetings", renewed.base))
        .bearer_auth(&new_key)
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
    renewed.stop();

    // --open is a choice, said out loud.
    let (_keep2, open_data) = data_dir();
    let open = ServerProcess::start_with(&open_data, &["--open"]);
    assert!(
        open.key.is_none() && open.banner.contains("WARNING: --open"),
        "{}",
        open.banner
    );
    open.stop();
}

/// Written during topic 1, sent after reconnecting during topic 2: the opinion
/// stays under topic 1, marked as late; a hand raised for topic 1 is dropped
/// with a reason; a second made while the topic was open still counts.
#[tokio::test]
async fn what_a_phone_sent_late_stays_with_the_topic_it_was_written_on() {
    let server = TestServer::start().await;
    let base = server.base.as_str();
    let m = simple_meeting(base, "t", &["停车", "垃圾"]).await.unwrap();
    let mut md = WsClient::connect(base, m.id(), &m.moderator, None).await.unwrap();
    let a = join(base, &m, "甲", "居民").await.unwrap();
    let b = join(base, &m, "乙", "居民").await.unwrap();
    let mut ac = WsClient::connect(base, m.id(), &a.token, None).await.unwrap();
    let mut bc = WsClient::connect(base, m.id(), &b.token, None).await.unwrap();
    // Before the meeting starts: no topic, and none is lost.
    ac.ok(opinion("会前想说的", Some(None))).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let first = ac.ok(opinion("停车位太少", Some(Some(TopicId(1))))).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(2) }).await.unwrap();

    // The phone comes back: what it wrote on topic 1 arrives now.
    ac.ok(opinion("离线时写的停车意见", Some(Some(TopicId(1)))))
        .await
        .unwrap();
    let code = ac
        .refused(Command::RaiseHand {
            who: None,
            topic: Some(TopicId(1)),
        })
        .await
        .unwrap();
    assert_eq!(code, ErrorCode::TopicClosed, "a hand for a closed topic is dropped");
    assert!(ac.state.queue.is_empty());
    // A second made on the open topic 1 (seen_open) still counts; a blind one does not.
    let op = OpinionId(first.created.unwrap());
    assert_eq!(
        bc.refused(Command::Second {
            opinion: op,
            who: None,
            seen_open: false
        })
        .await
        .unwrap(),
        ErrorCode::TopicClosed
    );
    bc.ok(Command::Second {
        opinion: op,
        who: None,
        seen_open: true,
    })
    .await
    .unwrap();
    // Text that would forge the minutes' structure is kept as text.
    ac.ok(opinion(
        "路灯\n## 伪造的议题\n| 伪 | 造 |\n[点我](javascript:alert(1))",
        None,
    ))
    .await
    .unwrap();
    // Without the field (an older page), an opinion goes to the open topic as before.
    ac.ok(opinion("垃圾分类", None)).await.unwrap();
    md.ok(Command::EndMeeting).await.unwrap();

    let s = &md.state;
    let late = s.opinions.iter().find(|o| o.text == "离线时写的停车意见").unwrap();
    assert_eq!((late.topic, late.late), (Some(TopicId(1)), true));
    let on_two = s.opinions.iter().find(|o| o.text == "垃圾分类").unwrap();
    assert_eq!((on_two.topic, on_two.late), (Some(TopicId(2)), false));
    let before = s.opinions.iter().find(|o| o.text == "会前想说的").unwrap();
    assert_eq!(before.topic, None);

    let doc: Value = get_json(&format!("{base}/api/meetings/{}/minutes.json", m.id()))
        .await
        .unwrap();
    let topic1 = doc["minutes"]["topics"][0]["opinions"].to_string();
    assert!(
        topic1.contains("离线时写的停车意见") && topic1.contains(r#""late":true"#),
        "{topic1}"
    );
    assert!(!doc["minutes"]["topics"][1]["opinions"]
        .to_string()
        .contains("离线时写的"));
    assert!(doc["minutes"]["before_topics"].to_string().contains("会前想说的"));
    let md_text = reqwest::get(format!("{base}/api/meetings/{}/minutes.md", m.id()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(md_text.contains("离线时写的停车意见") && md_text.contains("议题结束后送达"));
    assert!(md_text.contains("## 会前及议题之间的意见") && md_text.contains("会前想说的"));
    assert!(
        !md_text
            .lines()
            .any(|l| l.starts_with("## 伪造") || l.starts_with("| 伪"))
            && !md_text.contains("[点我](javascript"),
        "an opinion cannot forge headings, rows or links in the Markdown minutes:\n{md_text}"
    );
}

/// Nothing falls out of the record: hidden opinions are counted with their
/// reason, a pre-meeting opinion marked 列入台账 reaches the ledger, a topic
/// sent to another round becomes a pending matter, a commitment takes its
/// category from its topic, and an outcome names the vote it rests on.
#[tokio::test]
async fn the_minutes_and_the_ledger_keep_every_opinion_and_every_unsettled_topic() {
    let server = TestServer::start().await;
    let base = server.base.as_str();
    let m = tests::http::create_meeting(
        base,
        json!({"title": "四月坝坝会", "starts_at": "2026-04-18 19:30", "agenda": [
            {"title": "加装电梯"}, {"title": "停车管理"}, {"title": "小区停车收费"}]}),
    )
    .await
    .unwrap();
    let mut md = WsClient::connect(base, m.id(), &m.moderator, None).await.unwrap();
    let a = join(base, &m, "甲", "居民").await.unwrap();
    let mut ac = WsClient::connect(base, m.id(), &a.token, None).await.unwrap();
    let early = ac.ok(opinion("小区路灯经常不亮", Some(None))).await.unwrap();
    md.ok(Command::MarkForLedger {
        opinion: OpinionId(early.created.unwrap()),
        on: true,
    })
    .await
    .unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let tagged = ac
        .ok(Command::SubmitOpinion {
            text: "电梯费用怎么分摊".into(),
            category: Some("基础设施".into()),
            stance: Some(Stance::Question),
            author: OpinionAuthor::Me,
            topic: Some(Some(TopicId(1))),
            voice: None,
        })
        .await
        .unwrap();
    let rude = ac.ok(opinion("骂人的话", Some(Some(TopicId(1))))).await.unwrap();
    md.ok(Command::Hide {
        opinion: OpinionId(rude.created.unwrap()),
        reason: "辱骂".into(),
    })
    .await
    .unwrap();
    let vote = md
        .ok(Command::OpenVote {
            question: "是否加装".into(),
            kind: VoteKind::YesNo,
            secret: false,
            rule: PassRule::Majority,
            quorum: None,
        })
        .await
        .unwrap();
    let vote = VoteId(vote.created.unwrap());
    ac.ok(Command::CastVote {
        vote,
        choice: 0,
        ballot_key: None,
    })
    .await
    .unwrap();
    md.ok(Command::CloseVote { vote }).await.unwrap();
    md.ok(Command::SetOutcome {
        topic: TopicId(1),
        kind: OutcomeKind::Passed,
        text: "同意加装".into(),
        dissent: None,
        vote: Some(vote),
    })
    .await
    .unwrap();
    md.ok(Command::AddCommitment {
        topic: None,
        what: "街道下月报送加装方案".into(),
        responsible: "街道城建科".into(),
        deadline: "2099-01-31".into(),
        opinions: vec![],
    })
    .await
    .unwrap();
    let _ = tagged;
    md.ok(Command::OpenTopic { topic: TopicId(2) }).await.unwrap();
    md.ok(Command::SetOutcome {
        topic: TopicId(2),
        kind: OutcomeKind::AnotherRound,
        text: "业委会先摸底车位数".into(),
        dissent: None,
        vote: None,
    })
    .await
    .unwrap();
    md.ok(Command::EndMeeting).await.unwrap();
    md.ok(Command::PublishMinutes {
        summary: "纪要".into(),
        notice_days: None,
        correction: None,
    })
    .await
    .unwrap();

    let doc: Value = get_json(&format!("{base}/api/meetings/{}/minutes.json", m.id()))
        .await
        .unwrap();
    let t1 = &doc["minutes"]["topics"][0];
    assert_eq!(t1["hidden"], json!([["辱骂", 1]]), "counted, with the reason");
    assert!(!doc.to_string().contains("骂人的话"), "never the hidden text");
    let public = tests::http::anonymous_state(base, m.id()).await.unwrap();
    assert!(
        !serde_json::to_string(&public).unwrap().contains("骂人的话"),
        "nor in the state anyone with the id can read"
    );
    let whole = tests::http::public_state(base, m.id()).await.unwrap();
    assert!(
        whole.opinions.iter().any(|o| o.text == "骂人的话"),
        "the moderator still has it (the record keeps it)"
    );
    assert_eq!(t1["outcome"]["vote"], json!(vote.0));
    let html = reqwest::get(format!("{base}/api/meetings/{}/minutes.html", m.id()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let html = tests::http::without_bdi(&html);
    assert!(html.contains("另有1条意见被隐藏（辱骂1条）"), "{html}");
    assert!(
        html.contains("未讨论的议题") && html.contains("小区停车收费（未讨论）"),
        "a topic never opened is said to be so, not left out"
    );

    let fed = reqwest::Client::new()
        .post(format!("{base}/api/meetings/{}/ledger", m.id()))
        .bearer_auth(&m.moderator)
        .send()
        .await
        .unwrap();
    assert_eq!(fed.status(), 201);
    let entries: Vec<Value> = get_json(&format!("{base}/api/ledger")).await.unwrap();
    let find = |title: &str| entries.iter().find(|e| e["title"] == title).cloned();
    let commitment = find("街道下月报送加装方案").expect("the commitment");
    assert_eq!(commitment["category"], "基础设施", "from its topic's opinions");
    let early = find("小区路灯经常不亮").expect("the pre-meeting opinion marked 列入台账");
    assert_eq!(early["status"], "pending");
    let unsettled = find("停车管理").expect("the topic sent to another round");
    assert_eq!(unsettled["status"], "pending");
    assert_eq!(unsettled["source"]["type"], "topic");
    assert!(unsettled["description"].as_str().unwrap().contains("再次协商"));
    assert_eq!(
        unsettled["source"]["meeting_name"], "《四月坝坝会》2026-04-18",
        "named by its title and the date the organiser gave"
    );
    assert_eq!(unsettled["history"][0]["credential"]["type"], "moderator");
    assert_eq!(unsettled["history"][0]["credential"]["meeting"], json!(m.id()));
    // Feeding again changes nothing.
    reqwest::Client::new()
        .post(format!("{base}/api/meetings/{}/ledger", m.id()))
        .bearer_auth(&m.moderator)
        .send()
        .await
        .unwrap();
    let again: Vec<Value> = get_json(&format!("{base}/api/ledger")).await.unwrap();
    assert_eq!(again.len(), entries.len());
}

/// Publishing again is a correction: it needs a reason, and every version is
/// listed with its date and reason.
#[tokio::test]
async fn a_correction_of_the_minutes_says_why_and_every_version_stays_listed() {
    let server = TestServer::start().await;
    let base = server.base.as_str();
    let m = simple_meeting(base, "t", &["a"]).await.unwrap();
    let mut md = WsClient::connect(base, m.id(), &m.moderator, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::EndMeeting).await.unwrap();
    let publish = |summary: &str, correction: Option<&str>| Command::PublishMinutes {
        summary: summary.into(),
        notice_days: None,
        correction: correction.map(str::to_owned),
    };
    assert_eq!(
        md.refused(publish("x", Some("不是更正"))).await.unwrap(),
        ErrorCode::Invalid
    );
    md.ok(publish("第一版摘要", None)).await.unwrap();
    for empty in [None, Some("  ")] {
        assert_eq!(
            md.refused(publish("", empty)).await.unwrap(),
            ErrorCode::Invalid,
            "a second version without a reason is refused"
        );
    }
    assert_eq!(md.state.publications.len(), 1, "nothing changed");
    md.ok(publish("第一版摘要，补充三楼意见", Some("补充三楼住户意见")))
        .await
        .unwrap();
    let doc: Value = get_json(&format!("{base}/api/meetings/{}/minutes.json", m.id()))
        .await
        .unwrap();
    assert_eq!(doc["history"][0]["reason"], Value::Null);
    assert_eq!(doc["history"][1]["reason"], "补充三楼住户意见");
    assert_eq!(doc["minutes"]["summary"], "第一版摘要，补充三楼意见");
    let html = reqwest::get(format!("{base}/api/meetings/{}/minutes.html", m.id()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let html = tests::http::without_bdi(&html);
    assert!(html.contains("版本记录") && html.contains("更正原因：补充三楼住户意见"));
}
