//! The loop closes: a follow-up meeting takes up a ledger entry again and
//! reviews earlier commitments (回顾); attendees rate them from their phones and
//! the ratings land on the entries, once, also across a restart.

use crate::helpers::TestServer;
use babahui_shared::*;
use serde_json::{json, Value};
use tests::http::{create_meeting, get_json, join, public_state};
use tests::WsClient;

async fn post(url: String, body: Value, bearer: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .bearer_auth(bearer)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The first meeting: two commitments, published, fed into the ledger.
/// Returns the ledger entries' ids (東门路灯, 感应灯).
async fn first_meeting(base: &str) -> (u32, u32) {
    let m = create_meeting(
        base,
        json!({"title": "七月坝坝会", "agenda": [{"title": "路灯", "minutes": 10}]}),
    )
    .await
    .unwrap();
    let id = m.id().clone();
    let mut md = WsClient::connect(base, &id, &m.moderator, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    for (what, deadline) in [("修复东门路灯", "2026-08-01"), ("加装两盏感应灯", "2099-12-31")] {
        md.ok(Command::AddCommitment {
            topic: None,
            what: what.into(),
            responsible: "物业公司".into(),
            deadline: deadline.into(),
            opinions: Vec::new(),
        })
        .await
        .unwrap();
    }
    md.ok(Command::EndMeeting).await.unwrap();
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: String::new(),
        notice_days: None,
    })
    .await
    .unwrap();
    // Publishing wrote the minutes into the ledger.
    let created: Vec<Value> = tests::http::get_json(&format!("{base}/api/ledger")).await.unwrap();
    let find = |t: &str| {
        created.iter().find(|e| e["title"] == t).unwrap()["id"]
            .as_u64()
            .unwrap() as u32
    };
    (find("修复东门路灯"), find("加装两盏感应灯"))
}

#[tokio::test]
async fn a_follow_up_meeting_reviews_commitments_and_the_ratings_land_on_the_entries() {
    let mut server = TestServer::start().await;
    let base = server.base.clone();
    let (lamp, sensor) = first_meeting(&base).await;
    // The property company reports the lamp fixed.
    let done = post(
        format!("{base}/api/ledger/{lamp}/updates"),
        json!({"note": "东门路灯已更换", "status": "done", "by": "物业公司"}),
        "",
    )
    .await;
    assert_eq!(done.status(), 200);

    // The follow-up meeting takes up the sensor lights again as a topic.
    let m = create_meeting(
        &base,
        json!({"title": "八月坝坝会", "agenda": [{"title": "感应灯进展", "minutes": 10, "ledger": sensor}]}),
    )
    .await
    .unwrap();
    let id = m.id().clone();
    let no_such_entry = reqwest::Client::new()
        .post(format!("{base}/api/meetings"))
        .json(&json!({"title": "x", "agenda": [{"title": "y", "ledger": 999}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_such_entry.status(), 400, "a topic cannot point at a missing entry");

    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await.unwrap();
    let mut phones = Vec::new();
    for (name, category) in [("张阿姨", "居民"), ("李叔", "居民"), ("王姐", "业委会")] {
        let j = join(&base, &m, name, category).await.unwrap();
        phones.push(WsClient::connect(&base, &id, &j.token, None).await.unwrap());
    }
    md.ok(Command::StartMeeting).await.unwrap();

    // Only the moderator opens a review, and only of an entry that exists; the
    // subject is the server's copy of the entry, whatever a client sends.
    assert_eq!(
        phones[0]
            .refused(Command::OpenReview {
                entry: lamp,
                subject: None
            })
            .await
            .unwrap(),
        ErrorCode::Forbidden
    );
    assert_eq!(
        md.refused(Command::OpenReview {
            entry: 999,
            subject: None
        })
        .await
        .unwrap(),
        ErrorCode::NotFound
    );
    let r = md
        .ok(Command::OpenReview {
            entry: lamp,
            subject: None,
        })
        .await
        .unwrap();
    let review = ReviewId(r.created.unwrap());
    assert_eq!(
        md.refused(Command::OpenReview {
            entry: lamp,
            subject: None
        })
        .await
        .unwrap(),
        ErrorCode::Conflict,
        "one open review per entry"
    );
    let state = public_state(&base, &id).await.unwrap();
    let subject = &state.review(review).unwrap().subject;
    assert_eq!(
        (
            subject.title.as_str(),
            subject.responsible.as_str(),
            subject.status.as_str(),
            subject.progress.as_str()
        ),
        ("修复东门路灯", "物业公司", "已办结", "东门路灯已更换")
    );

    // Three phones rate; one changes its mind; the moderator cannot rate.
    let rate = |rating| Command::RateReview {
        review,
        rating,
        key: None,
    };
    phones[0].ok(rate(Rating::Unsatisfied)).await.unwrap();
    phones[0].ok(rate(Rating::Satisfied)).await.unwrap();
    phones[1].ok(rate(Rating::Satisfied)).await.unwrap();
    phones[2].ok(rate(Rating::Unsatisfied)).await.unwrap();
    assert_eq!(md.refused(rate(Rating::Satisfied)).await.unwrap(), ErrorCode::Forbidden);
    let closed = md.ok(Command::CloseReview { review }).await.unwrap();
    assert_eq!(
        phones[1].refused(rate(Rating::Fair)).await.unwrap(),
        ErrorCode::Conflict,
        "nobody rates after the close"
    );
    phones[2].sync_to(closed.seq).await.unwrap();
    assert_eq!(
        phones[2].state.review(review).unwrap().counts(),
        [2, 0, 1],
        "every phone sees the result"
    );

    // The ratings are on the entry right after the close, and the matter is 已评议.
    let entry: Value = get_json(&format!("{base}/api/ledger/{lamp}")).await.unwrap();
    assert_eq!(entry["ratings"], json!({"satisfied": 2, "fair": 0, "unsatisfied": 1}));
    assert_eq!(entry["status"], "rated");
    let last = entry["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["meeting"], id.as_str());
    assert!(
        last["note"].as_str().unwrap().contains("满意2，基本满意0，不满意1"),
        "{last}"
    );

    // Ratings are unlinkable: the log records them as the system's, with no participant.
    let archive: Value = reqwest::Client::new()
        .get(format!("{base}/api/meetings/{id}/archive.json"))
        .bearer_auth(&m.moderator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = archive.to_string();
    let rated: Vec<&Value> = archive["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["event"]["event"]["type"] == "review_rated")
        .collect();
    assert_eq!(rated.len(), 4, "{text:.2000}");
    for r in rated {
        assert_eq!(r["event"]["by"], "system", "{r}");
    }

    // On the follow-up topic the official commits again; the minutes update the
    // entry the topic came from instead of starting a new one.
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    md.ok(Command::SetOutcome {
        topic: TopicId(1),
        kind: OutcomeKind::Consensus,
        text: "十月底前装好".into(),
        dissent: None,
        vote: None,
    })
    .await
    .unwrap();
    md.ok(Command::AddCommitment {
        topic: None,
        what: "十月底前装好感应灯".into(),
        responsible: "社区居委会".into(),
        deadline: "2026-10-31".into(),
        opinions: Vec::new(),
    })
    .await
    .unwrap();
    md.ok(Command::EndMeeting).await.unwrap();
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: "回顾了路灯维修".into(),
        notice_days: Some(3),
    })
    .await
    .unwrap();
    let minutes = reqwest::get(format!("{base}/api/meetings/{id}/minutes.md"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(minutes.contains("## 回顾：往期承诺评议"), "{minutes}");
    assert!(
        minutes.contains(&format!("| {lamp} | 修复东门路灯 | 物业公司 | 已办结 | 2 | 0 | 1 |")),
        "{minutes}"
    );

    // A restart between the close and the import must not count the ratings twice.
    drop(md);
    drop(phones);
    server.restart().await;
    let base = server.base.clone();
    let before: Vec<Value> = get_json(&format!("{base}/api/ledger")).await.unwrap();
    let changed: Vec<Value> = post(format!("{base}/api/meetings/{id}/ledger"), json!({}), &m.moderator)
        .await
        .json()
        .await
        .unwrap();
    let after: Vec<Value> = get_json(&format!("{base}/api/ledger")).await.unwrap();
    assert_eq!(
        after.len(),
        before.len(),
        "the commitment on the linked topic is no new entry"
    );
    assert!(
        changed.is_empty(),
        "publishing already updated the linked entry; writing again changes nothing: {changed:?}"
    );
    let s: Value = get_json(&format!("{base}/api/ledger/{sensor}")).await.unwrap();
    assert_eq!(s["responsible"], "社区居委会");
    assert_eq!(s["deadline"], "2026-10-31");
    let note = s["history"].as_array().unwrap().last().unwrap()["note"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        note.contains("《八月坝坝会》再次协商") && note.contains("十月底前装好感应灯"),
        "{note}"
    );
    let l: Value = get_json(&format!("{base}/api/ledger/{lamp}")).await.unwrap();
    assert_eq!(l["ratings"]["satisfied"], 2, "not doubled by the import");
    let again: Vec<Value> = post(format!("{base}/api/meetings/{id}/ledger"), json!({}), &m.moderator)
        .await
        .json()
        .await
        .unwrap();
    assert!(again.is_empty(), "importing twice changes nothing");
}

/// A moderator who ends the meeting with a review (and a vote) still open
/// loses nothing: both close with the meeting, the ratings reach the ledger at
/// once, and the recorder can still tidy the opinions for the minutes.
#[tokio::test]
async fn ending_the_meeting_closes_an_open_review_and_its_ratings_reach_the_ledger() {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let (lamp, _) = first_meeting(&base).await;
    let m = create_meeting(
        &base,
        json!({"title": "九月坝坝会", "agenda": [{"title": "路灯", "minutes": 10}]}),
    )
    .await
    .unwrap();
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await.unwrap();
    let j = join(&base, &m, "张阿姨", "居民").await.unwrap();
    let mut phone = WsClient::connect(&base, &id, &j.token, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let review = ReviewId(
        md.ok(Command::OpenReview {
            entry: lamp,
            subject: None,
        })
        .await
        .unwrap()
        .created
        .unwrap(),
    );
    phone
        .ok(Command::RateReview {
            review,
            rating: Rating::Fair,
            key: None,
        })
        .await
        .unwrap();
    let vote = VoteId(
        md.ok(Command::OpenVote {
            question: "晚上十点后关灯？".into(),
            kind: VoteKind::YesNo,
            secret: false,
            rule: PassRule::Majority,
            quorum: None,
        })
        .await
        .unwrap()
        .created
        .unwrap(),
    );
    phone
        .ok(Command::SubmitOpinion {
            topic: None,
            text: "路灯太暗".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        })
        .await
        .unwrap();
    let ended = md.ok(Command::EndMeeting).await.unwrap();

    phone.sync_to(ended.seq).await.unwrap();
    assert!(
        !phone.state.review(review).unwrap().open,
        "the review closed with the meeting"
    );
    assert!(
        !phone.state.vote(vote).unwrap().open,
        "the vote closed with the meeting"
    );
    let entry: Value = get_json(&format!("{base}/api/ledger/{lamp}")).await.unwrap();
    assert_eq!(entry["ratings"], json!({"satisfied": 0, "fair": 1, "unsatisfied": 0}));
    assert!(
        entry["history"].as_array().unwrap().last().unwrap()["note"]
            .as_str()
            .unwrap()
            .contains("《九月坝坝会》回顾评议"),
        "{entry}"
    );

    // After the end: no more ratings, but the moderator (a recorder too) re-tags.
    assert_eq!(
        phone
            .refused(Command::RateReview {
                review,
                rating: Rating::Satisfied,
                key: None
            })
            .await
            .unwrap(),
        ErrorCode::MeetingEnded
    );
    md.ok(Command::Retag {
        opinion: OpinionId(1),
        category: Some("基础设施".into()),
        stance: Some(Stance::Suggest),
    })
    .await
    .unwrap();
    let state = public_state(&base, &id).await.unwrap();
    assert_eq!(
        state.opinion(OpinionId(1)).unwrap().category.as_deref(),
        Some("基础设施")
    );
}
