//! Decisions over the real server: secret votes reveal nobody, named votes do,
//! and the record of outcomes and commitments.

use crate::helpers::TestServer;
use babahui_shared::votes::tally;
use babahui_shared::*;
use tests::http::{get_json, get_text, join, public_state, simple_meeting};
use tests::WsClient;

#[tokio::test]
async fn a_secret_vote_reveals_who_voted_what_nowhere() {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "t", &["电梯"]).await.unwrap();
    let mut moderator = WsClient::connect(&base, m.id(), &m.moderator, None).await.unwrap();
    moderator.ok(Command::StartMeeting).await.unwrap();
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let open = Command::OpenVote {
        question: "同意加装电梯吗？".into(),
        kind: VoteKind::YesNo,
        secret: true,
        rule: PassRule::TwoThirds,
        quorum: None,
    };
    let vote = VoteId(moderator.ok(open).await.unwrap().created.unwrap());
    let mut voters = Vec::new();
    for (i, choice) in [0u32, 0, 1].into_iter().enumerate() {
        let j = join(&base, &m, &format!("住户{i}"), "居民").await.unwrap();
        let mut c = WsClient::connect(&base, m.id(), &j.token, None).await.unwrap();
        c.ok(Command::CastVote {
            vote,
            choice,
            ballot_key: None,
        })
        .await
        .unwrap();
        voters.push((j, c));
    }
    // The third voter changes their mind; it replaces their ballot.
    voters[2]
        .1
        .ok(Command::CastVote {
            vote,
            choice: 0,
            ballot_key: None,
        })
        .await
        .unwrap();
    moderator
        .ok(Command::CountHands {
            vote,
            counts: vec![2, 1, 0],
        })
        .await
        .unwrap();
    moderator.ok(Command::CloseVote { vote }).await.unwrap();

    let state = public_state(&base, m.id()).await.unwrap();
    let v = state.vote(vote).unwrap();
    assert!(v.named.is_empty());
    assert_eq!(v.sealed.len(), 3, "one ballot per voter");
    let t = tally(v);
    assert_eq!(
        (t.phones.clone(), t.hands.clone(), t.cast, t.passed),
        (vec![3, 0, 0], vec![2, 1, 0], 6, true)
    );

    // The log as any client can fetch it: sealed ballots are the system's, with no participant.
    let log = WsClient::connect(&base, m.id(), &m.projector, Some(0)).await.unwrap();
    assert_eq!(log.seen.len() as u64, state.seq, "the whole log was replayed");
    // The data directory on disk: the raw tokens are nowhere, so no ballot key can be
    // recomputed from it; and no stored event ties a voter to a sealed ballot.
    let on_disk = crate::helpers::everything_stored(server.dir.path());
    for (j, _) in &voters {
        assert!(
            find(&on_disk, j.token.as_bytes()).is_none(),
            "a raw token is stored on disk"
        );
    }
    let text = String::from_utf8_lossy(&on_disk);
    let records: Vec<usize> = text.match_indices("sealed_ballot_cast").map(|(i, _)| i).collect();
    assert!(records.len() >= 4, "the four ballots are on disk");
    for i in records {
        let (before, after) = (
            &text.as_bytes()[i.saturating_sub(80)..i],
            &text.as_bytes()[i..(i + 200).min(text.len())],
        );
        let (before, after) = (String::from_utf8_lossy(before), String::from_utf8_lossy(after));
        assert!(
            before.contains("\"by\":\"system\""),
            "a sealed ballot's record names its caster: {before}"
        );
        assert!(!after.contains("participant"), "{after}");
    }
    drop(log);

    // A named vote does show who voted what.
    let named = Command::OpenVote {
        question: "选颜色".into(),
        kind: VoteKind::Choice(vec!["红".into(), "蓝".into()]),
        secret: false,
        rule: PassRule::Majority,
        quorum: None,
    };
    let named = VoteId(moderator.ok(named).await.unwrap().created.unwrap());
    voters[0]
        .1
        .ok(Command::CastVote {
            vote: named,
            choice: 1,
            ballot_key: None,
        })
        .await
        .unwrap();
    let state = public_state(&base, m.id()).await.unwrap();
    assert_eq!(
        state.vote(named).unwrap().named,
        vec![NamedBallot {
            participant: voters[0].0.participant,
            choice: 1
        }]
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn join_private(base: &str, m: &tests::http::Meeting, name: &str, category: &str) -> (ParticipantId, String) {
    let body = serde_json::json!({"invite": m.invite, "name": name, "category": category, "publish_name": false});
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/meetings/{}/join", m.id()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = resp.json().await.unwrap();
    (
        ParticipantId(v["participant"].as_u64().unwrap() as u32),
        v["token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn decisions_become_published_minutes_with_objections_and_versions() {
    // The server's clock is held still, so "the notice period is over" is a step
    // of the clock below, not a wait.
    let (server, clock) = TestServer::start_on_a_held_clock().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "六月坝坝会", &["加装电梯", "停车管理"])
        .await
        .unwrap();
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await.unwrap();
    let named = join(&base, &m, "张阿姨", "居民").await.unwrap();
    let (private, private_token) = join_private(&base, &m, "李不愿具名", "居民").await;
    let official = join(&base, &m, "王科长", "政府部门").await.unwrap();
    let mut a = WsClient::connect(&base, &id, &named.token, None).await.unwrap();
    let mut b = WsClient::connect(&base, &id, &private_token, None).await.unwrap();
    let mut o = WsClient::connect(&base, &id, &official.token, None).await.unwrap();
    md.ok(Command::Appoint {
        participant: official.participant,
        role: Role::Official,
        on: true,
    })
    .await
    .unwrap();
    md.ok(Command::StartMeeting).await.unwrap();

    // Topic 1: opinions, a secret vote with a show of hands, dissent, two commitments.
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    a.ok(Command::RaiseHand { topic: None, who: None }).await.unwrap();
    md.ok(Command::CallNext).await.unwrap();
    md.ok(Command::GiveFloor {
        participant: official.participant,
        kind: FloorKind::Response,
        limit_secs: None,
    })
    .await
    .unwrap();
    let op = |text: &str| Command::SubmitOpinion {
        topic: None,
        text: text.into(),
        category: Some("基础设施".into()),
        stance: Some(Stance::Support),
        author: OpinionAuthor::Me,
        voice: None,
    };
    let o1 = OpinionId(a.ok(op("一楼也要受益")).await.unwrap().created.unwrap());
    let o2 = OpinionId(b.ok(op("费用按楼层分摊")).await.unwrap().created.unwrap());
    b.ok(Command::Second {
        seen_open: false,
        opinion: o1,
        who: None,
    })
    .await
    .unwrap();
    o.ok(Command::Second {
        seen_open: false,
        opinion: o1,
        who: None,
    })
    .await
    .unwrap();
    let secret = Command::OpenVote {
        question: "同意加装电梯吗？".into(),
        kind: VoteKind::YesNo,
        secret: true,
        rule: PassRule::Share(90),
        quorum: Some(3),
    };
    let v1 = VoteId(md.ok(secret).await.unwrap().created.unwrap());
    a.ok(Command::CastVote {
        vote: v1,
        choice: 0,
        ballot_key: None,
    })
    .await
    .unwrap();
    b.ok(Command::CastVote {
        vote: v1,
        choice: 1,
        ballot_key: None,
    })
    .await
    .unwrap();
    md.ok(Command::CountHands {
        vote: v1,
        counts: vec![5, 0, 1],
    })
    .await
    .unwrap();
    md.ok(Command::CloseVote { vote: v1 }).await.unwrap();
    md.ok(Command::SetOutcome {
        topic: TopicId(1),
        kind: OutcomeKind::Dissent,
        text: "多数赞成加装电梯，未达90%，继续协商".into(),
        dissent: Some("一楼住户认为不受益".into()),
        vote: Some(v1),
    })
    .await
    .unwrap();
    let commit = |what: &str, who: &str, when: &str, opinions: Vec<OpinionId>| Command::AddCommitment {
        topic: None,
        what: what.into(),
        responsible: who.into(),
        deadline: when.into(),
        opinions,
    };
    o.ok(commit("一个月内出加装方案", "街道城建科", "2026-12-31", vec![o1, o2]))
        .await
        .unwrap();
    md.ok(commit("召开一楼住户专题会", "居委会", "2026-12-15", vec![]))
        .await
        .unwrap();

    // Topic 2: a named vote that passes; a third commitment.
    md.ok(Command::OpenTopic { topic: TopicId(2) }).await.unwrap();
    let named_vote = Command::OpenVote {
        question: "晚十点后禁止外来车辆？".into(),
        kind: VoteKind::YesNo,
        secret: false,
        rule: PassRule::Majority,
        quorum: None,
    };
    let v2 = VoteId(md.ok(named_vote).await.unwrap().created.unwrap());
    a.ok(Command::CastVote {
        vote: v2,
        choice: 0,
        ballot_key: None,
    })
    .await
    .unwrap();
    o.ok(Command::CastVote {
        vote: v2,
        choice: 0,
        ballot_key: None,
    })
    .await
    .unwrap();
    md.ok(Command::CloseVote { vote: v2 }).await.unwrap();
    md.ok(Command::SetOutcome {
        topic: TopicId(2),
        kind: OutcomeKind::Passed,
        text: "通过".into(),
        dissent: None,
        vote: Some(v2),
    })
    .await
    .unwrap();
    md.ok(commit("安装道闸", "物业公司", "2027-01-31", vec![]))
        .await
        .unwrap();
    assert_eq!(
        md.refused(Command::PublishMinutes {
            correction: None,
            summary: String::new(),
            notice_days: None
        })
        .await
        .unwrap(),
        ErrorCode::Conflict
    );
    md.ok(Command::EndMeeting).await.unwrap();

    // The draft is there before publication, marked as such.
    let draft: serde_json::Value = get_json(&format!("{base}/api/meetings/{id}/minutes.json"))
        .await
        .unwrap();
    assert_eq!(draft["status"]["status"], "draft");
    assert!(draft["version"].is_null());

    // Publish; nobody else may.
    assert_eq!(
        a.refused(Command::PublishMinutes {
            correction: None,
            summary: "x".into(),
            notice_days: None
        })
        .await
        .unwrap(),
        ErrorCode::Forbidden
    );
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: "本次会议就加装电梯和停车管理进行了协商。".into(),
        notice_days: Some(5),
    })
    .await
    .unwrap();

    let html = reqwest::get(format!("{base}/api/meetings/{id}/minutes.html"))
        .await
        .unwrap();
    assert!(html.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = html.text().await.unwrap();
    let html = tests::http::without_bdi(&html);
    for expected in [
        "六月坝坝会 会议纪要",
        "第1版 · 公示中",
        "议题1：加装电梯",
        "张阿姨（发言",
        "王科长（回应",
        "一楼也要受益",
        "附议2人，来自2类群体",
        "表决（无记名，90%）",
        "<td>赞成</td><td>1</td><td>5</td><td>6</td>",
        "共8票，结果：<b>未通过</b>",
        "协商结果：保留分歧",
        "保留的不同意见：一楼住户认为不受益",
        "一个月内出加装方案</td><td>街道城建科</td><td>2026-12-31",
        "表决（记名，过半数）",
        "安装道闸",
        "到会</th><td colspan=\"3\">共3人",
    ] {
        assert!(html.contains(expected), "minutes.html lacks {expected:?}");
    }
    assert!(!html.contains("李不愿具名"), "a name not agreed to is not published");
    assert!(html.contains("居民1"), "they appear as their category and a number");

    let markdown = get_text(&format!("{base}/api/meetings/{id}/minutes.md")).await;
    assert!(
        markdown.contains("# 六月坝坝会 会议纪要") && markdown.contains("| 3 | 安装道闸 | 物业公司 | 2027-01-31 |")
    );
    assert!(markdown.contains("- 赞成：6（手机1，举手5）") && !markdown.contains("李不愿具名"));

    let doc: serde_json::Value = get_json(&format!("{base}/api/meetings/{id}/minutes.json"))
        .await
        .unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["status"]["status"], "notice");
    assert_eq!(doc["minutes"]["topics"][0]["commitments"].as_array().unwrap().len(), 2);
    assert_eq!(doc["minutes"]["topics"][1]["votes"][0]["passed"], true);
    assert_eq!(doc["minutes"]["summary"], "本次会议就加装电梯和停车管理进行了协商。");
    let json_text = doc.to_string();
    assert!(!json_text.contains("李不愿具名"));
    let _ = private;

    // An objection from anyone with the link; the moderator answers it.
    let http = reqwest::Client::new();
    let objection = serde_json::json!({"topic": 1, "text": "纪要漏记了三楼住户的意见", "name": "赵先生"});
    let resp = http
        .post(format!("{base}/api/meetings/{id}/objections"))
        .json(&objection)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    md.ok(Command::AnswerObjection {
        objection: 1,
        answer: "已补充，见第2版".into(),
    })
    .await
    .unwrap();

    // A correction is a new version; the old one is kept unchanged.
    md.ok(Command::PublishMinutes {
        correction: Some("补充三楼住户意见".into()),
        summary: "（更正）补充三楼住户意见。".into(),
        notice_days: Some(0),
    })
    .await
    .unwrap();
    let v1_doc: serde_json::Value = get_json(&format!("{base}/api/meetings/{id}/minutes.json?version=1"))
        .await
        .unwrap();
    assert_eq!(v1_doc["minutes"]["summary"], "本次会议就加装电梯和停车管理进行了协商。");
    let latest: serde_json::Value = get_json(&format!("{base}/api/meetings/{id}/minutes.json"))
        .await
        .unwrap();
    assert_eq!(latest["versions"], serde_json::json!([1, 2]));
    assert_eq!(latest["objections"][0]["answer"], "已补充，见第2版");
    // With a zero-day notice period it is over a moment later: filed, and late objections are refused.
    clock.advance(1);
    let latest: serde_json::Value = get_json(&format!("{base}/api/meetings/{id}/minutes.json"))
        .await
        .unwrap();
    assert_eq!(latest["status"]["status"], "filed");
    let late = http
        .post(format!("{base}/api/meetings/{id}/objections"))
        .json(&objection)
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 409);
    let html = get_text(&format!("{base}/api/meetings/{id}/minutes.html")).await;
    let html = tests::http::without_bdi(&html);
    assert!(html.contains("第2版 · 已备案") && html.contains("异议及答复") && html.contains("已补充，见第2版"));
}

/// The minutes name the moderator (given at creation, corrected on the
/// tablet) instead of printing the role word 主持人 as a name; in the printable
/// HTML every piece of user text is isolated (`<bdi>`), so a name written
/// right-to-left cannot reorder the words around it.
#[tokio::test]
async fn the_minutes_name_the_moderator_and_isolate_user_text() {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let body = serde_json::json!({
        "title": "十二月坝坝会", "place": "院坝", "agenda": [{"title": "停车"}],
        "moderator_name": "社区书记 李红"
    });
    let m = tests::http::create_meeting(&base, body).await.unwrap();
    let a = join(&base, &m, "אבי", "居民").await.unwrap();
    let mut md = WsClient::connect(&base, m.id(), &m.moderator, None).await.unwrap();
    let mut ac = WsClient::connect(&base, m.id(), &a.token, None).await.unwrap();
    // A typo in the title is corrected on the tablet before the start, not after.
    let fix = || Command::EditDetails {
        title: "十二月坝坝会".into(),
        place: "3栋院坝".into(),
        starts_at: Some("2026-12-05 19:00".into()),
    };
    assert_eq!(ac.refused(fix()).await.unwrap(), ErrorCode::Forbidden);
    md.ok(fix()).await.unwrap();
    assert_eq!(md.state.place, "3栋院坝");
    md.ok(Command::StartMeeting).await.unwrap();
    assert_eq!(md.refused(fix()).await.unwrap(), ErrorCode::Conflict);
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    ac.ok(Command::SubmitOpinion {
        topic: None,
        text: "车位太少".into(),
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
        voice: None,
    })
    .await
    .unwrap();
    md.ok(Command::EndMeeting).await.unwrap();
    let text = |url: String| async move { reqwest::get(url).await.unwrap().text().await.unwrap() };
    let id = m.id().clone();
    let md_url = format!("{base}/api/meetings/{id}/minutes.md");
    assert!(text(md_url.clone()).await.contains("- 主持人：社区书记 李红"));
    // Only the moderator may correct it; the record keeps the correction.
    assert_eq!(
        ac.refused(Command::SetModeratorName { name: "我".into() })
            .await
            .unwrap(),
        ErrorCode::Forbidden
    );
    md.ok(Command::SetModeratorName {
        name: "社区书记 李红梅".into(),
    })
    .await
    .unwrap();
    assert!(text(md_url.clone()).await.contains("- 主持人：社区书记 李红梅"));
    md.ok(Command::SetModeratorName { name: " ".into() }).await.unwrap();
    // People counted present without a phone are in the attendance.
    assert_eq!(
        ac.refused(Command::SetHeadcount { without_phone: 3 }).await.unwrap(),
        ErrorCode::Forbidden
    );
    md.ok(Command::SetHeadcount { without_phone: 7 }).await.unwrap();
    let counted = text(format!("{base}/api/meetings/{id}/minutes.md")).await;
    assert!(
        counted.contains("共8人") && counted.contains("现场点数（未用手机）7人"),
        "{counted}"
    );
    assert!(text(md_url).await.contains("- 主持人：（未填写）"));
    let html = text(format!("{base}/api/meetings/{id}/minutes.html")).await;
    assert!(html.contains("<bdi>车位太少</bdi>"), "{html}");
    assert!(html.contains("<bdi>十二月坝坝会</bdi> 会议纪要</h1>"));
    assert!(
        html.contains("<title>十二月坝坝会 会议纪要</title>"),
        "no tag inside <title>"
    );
}

/// The notice period (公示期) runs on the server's clock, never a phone's: held
/// still and moved forward here by the clock the server is given (no sleeping
/// five days). An objection is taken until the last millisecond of the period,
/// the minutes are filed after it, and a late objection is refused.
#[tokio::test]
async fn the_notice_period_runs_on_the_servers_clock() {
    const DAY_MS: u64 = 24 * 60 * 60 * 1000;
    let (server, clock) = TestServer::start_on_a_held_clock().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "公示期", &["加装电梯"]).await.unwrap();
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::EndMeeting).await.unwrap();
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: "摘要".into(),
        notice_days: Some(5),
    })
    .await
    .unwrap();
    let doc: serde_json::Value = get_json(&format!("{base}/api/meetings/{id}/minutes.json"))
        .await
        .unwrap();
    let published_at = doc["published_at"].as_u64().unwrap();
    assert_eq!(
        published_at,
        clock.now_ms(),
        "the event is stamped by the server's clock"
    );
    assert_eq!(doc["notice_until"].as_u64().unwrap(), published_at + 5 * DAY_MS);

    let http = reqwest::Client::new();
    let object = |text: &'static str| {
        http.post(format!("{base}/api/meetings/{id}/objections"))
            .json(&serde_json::json!({ "text": text }))
            .send()
    };
    clock.advance(5 * DAY_MS);
    assert_eq!(object("最后一毫秒的异议").await.unwrap().status(), 201);
    let doc: serde_json::Value = get_json(&format!("{base}/api/meetings/{id}/minutes.json"))
        .await
        .unwrap();
    assert_eq!(doc["status"]["status"], "notice");
    clock.advance(1);
    let doc: serde_json::Value = get_json(&format!("{base}/api/meetings/{id}/minutes.json"))
        .await
        .unwrap();
    assert_eq!(doc["status"]["status"], "disputed", "{}", doc["status"]);
    let late = object("太晚的异议").await.unwrap();
    assert_eq!(late.status(), 409);
    let filed = doc["objections"].as_array().unwrap().len();
    assert_eq!(filed, 1, "only the objection within the period is kept");
}

/// A choice between options is reported by its options (a tie is 平票, not 未通过),
/// and when hands counted in a vote outnumber the people recorded present, the
/// minutes say so beside the attendance instead of showing 3 present and 6 votes.
#[tokio::test]
async fn the_minutes_report_a_tie_and_votes_beyond_the_recorded_attendance() {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "停车收费", &["车位"]).await.unwrap();
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let vote = md
        .ok(Command::OpenVote {
            question: "收费还是免费？".into(),
            kind: VoteKind::Choice(vec!["收费".into(), "免费".into()]),
            secret: false,
            rule: PassRule::Majority,
            quorum: None,
        })
        .await
        .unwrap();
    let vote = VoteId(vote.created.unwrap());
    for (name, choice) in [("甲", 0u32), ("乙", 1)] {
        let j = join(&base, &m, name, "居民").await.unwrap();
        let mut phone = WsClient::connect(&base, &id, &j.token, None).await.unwrap();
        phone
            .ok(Command::CastVote {
                vote,
                choice,
                ballot_key: None,
            })
            .await
            .unwrap();
    }
    // Four hands in the courtyard, two each way; nobody counted them in.
    md.ok(Command::CountHands {
        vote,
        counts: vec![2, 2],
    })
    .await
    .unwrap();
    md.ok(Command::CloseVote { vote }).await.unwrap();
    md.ok(Command::EndMeeting).await.unwrap();
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: String::new(),
        notice_days: Some(5),
    })
    .await
    .unwrap();
    let markdown = get_text(&format!("{base}/api/meetings/{id}/minutes.md")).await;
    assert!(markdown.contains("共6票，结果：平票，未形成多数"), "{markdown}");
    assert!(
        !markdown.contains("未通过"),
        "a tie between options is not 未通过: {markdown}"
    );
    assert!(markdown.contains("- 到会：共2人"), "{markdown}");
    assert!(
        markdown.contains("- 注：某次表决共6票，多于登记到会的2人"),
        "the minutes say the votes outnumber the recorded attendance: {markdown}"
    );
    let html = get_text(&format!("{base}/api/meetings/{id}/minutes.html")).await;
    let html = tests::http::without_bdi(&html);
    assert!(
        html.contains("结果：<b>平票，未形成多数</b>") && html.contains("注：某次表决共6票"),
        "{html}"
    );
    // Counted in, the note goes.
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await.unwrap();
    md.ok(Command::SetHeadcount { without_phone: 4 }).await.unwrap();
    md.ok(Command::PublishMinutes {
        correction: Some("补登无手机到会人数".into()),
        summary: String::new(),
        notice_days: Some(5),
    })
    .await
    .unwrap();
    let markdown = get_text(&format!("{base}/api/meetings/{id}/minutes.md")).await;
    assert!(
        markdown.contains("- 到会：共6人") && !markdown.contains("- 注："),
        "{markdown}"
    );
}
