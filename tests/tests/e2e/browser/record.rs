//! The record as the pages make it: the recorder's choices do not carry over,
//! a stance can be corrected and an opinion sent to the ledger; a refused form
//! keeps what was typed and says why beside it; the minutes are published once
//! and corrected with a reason; a phone notices a silent Wi-Fi drop, keeps its
//! taps visibly waiting, and what it wrote stays with its topic; people who
//! did not agree to be named are not named on the projector.

use super::flow::wait_state;
use super::{Browser, Driver, PHONE, PROJECTOR, TABLET};
use crate::helpers::TestServer;
use anyhow::{Context, Result};
use babahui_shared::*;
use fantoccini::Locator;
use std::time::{Duration, Instant};
use tests::http::{public_state, simple_meeting};
use tests::proxy::{FaultProxy, Faults};
use tests::WsClient;

/// Joins from the join page without agreeing to be named.
async fn join_unnamed(b: &Browser, url: &str, name: &str) -> Result<()> {
    b.join_as(url, name, Some("居民"), false).await
}

#[tokio::test]
async fn the_recorder_and_the_moderator_record_what_was_said_as_it_was_said() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "六月坝坝会", &["充电桩", "停车"]).await?;
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };

    // The recorder joins on a laptop and is appointed.
    let rec = driver.browser("recorder", TABLET).await?;
    join_unnamed(&rec, &m.created.join_url, "李记录").await?;
    wait_state(&base, &id, |s| s.participants.len() == 1).await?;
    let p = public_state(&base, &id)
        .await?
        .participants
        .last()
        .context("joined")?
        .id;
    md.ok(Command::Appoint {
        participant: p,
        role: Role::Recorder,
        on: true,
    })
    .await?;
    rec.goto(&format!("{base}/m/{id}/recorder")).await?;
    rec.fill("input[name=walk-in-name]", "王大爷").await?;
    rec.click("form.walk-in button[type=submit]").await?;
    rec.wait_text("王大爷 · 居民").await?;

    // A walk-in's opinion, tagged 基础设施 / 反对 …
    let walk_in = public_state(&base, &id).await?.participants.last().unwrap().id;
    rec.set_value("select[name=author]", &walk_in.0.to_string()).await?;
    rec.set_value("select[name=category]", "基础设施").await?;
    rec.set_value("select[name=stance]", "oppose").await?;
    rec.fill("textarea[name=entry]", "反对在东门建充电桩").await?;
    rec.click("form.entry button[type=submit]").await?;
    wait_state(&base, &id, |s| s.opinions.len() == 1).await?;
    // … then an anonymous one, with nothing chosen: nothing carries over.
    assert_eq!(rec.value_of("select[name=stance]").await?, "", "the stance is reset");
    assert_eq!(rec.value_of("select[name=category]").await?, "");
    assert_eq!(rec.value_of("select[name=author]").await?, "anon");
    rec.fill("textarea[name=entry]", "支持建充电桩").await?;
    rec.click("form.entry button[type=submit]").await?;
    wait_state(&base, &id, |s| s.opinions.len() == 2).await?;
    let s = public_state(&base, &id).await?;
    let (first, second) = (&s.opinions[0], &s.opinions[1]);
    assert_eq!(
        (first.author, first.stance, first.category.as_deref()),
        (Some(walk_in), Some(Stance::Oppose), Some("基础设施"))
    );
    assert_eq!(
        (second.author, second.stance, second.category.as_deref()),
        (None, None, None),
        "the second opinion was recorded as said: no stance, no category, anonymous"
    );

    // The recorder corrects a stance and sends an opinion to the ledger.
    rec.set_value("li[data-opinion='2'] select.restance", "support").await?;
    wait_state(&base, &id, |s| s.opinions[1].stance == Some(Stance::Support)).await?;
    rec.click("li[data-opinion='2'] button.to-ledger").await?;
    wait_state(&base, &id, |s| s.opinions[1].to_ledger).await?;
    rec.wait_text("已标记列入台账").await?;
    rec.screenshot("recorder-record", TABLET).await?;
    rec.screenshot_of("recorder-opinion-tools", "ul.wall").await?;

    // The moderator: a vote, an outcome that rests on it, a refused commitment.
    let vote = md
        .ok(Command::OpenVote {
            question: "是否建充电桩".into(),
            kind: VoteKind::YesNo,
            secret: true,
            rule: PassRule::Majority,
            quorum: None,
        })
        .await?;
    md.ok(Command::CloseVote {
        vote: VoteId(vote.created.unwrap()),
    })
    .await?;
    let tablet = driver.browser("moderator", TABLET).await?;
    tablet.goto(&m.created.moderator_url).await?;
    tablet.wait_text("已连接").await?;
    tablet.find("#outcome select[name=vote]").await?;
    tablet.set_value("#outcome select[name=kind]", "failed").await?;
    tablet.fill("#outcome textarea[name=text]", "多数未赞成，暂缓").await?;
    tablet
        .set_value("#outcome select[name=vote]", &vote.created.unwrap().to_string())
        .await?;
    tablet.click("#outcome button[type=submit]").await?;
    wait_state(&base, &id, |s| {
        s.agenda[0].outcome.as_ref().is_some_and(|o| o.vote == Some(VoteId(1)))
    })
    .await?;

    tablet
        .fill("#commitment input[name=what]", "街道下周答复充电桩选址")
        .await?;
    tablet
        .set_value("#commitment input[name=deadline]", "2099-12-31")
        .await?;
    tablet.click("#commitment button[type=submit]").await?;
    let error = tablet.find("#commitment .form-error").await?;
    assert_eq!(
        error.text().await?,
        "请填写责任人/部门",
        "the reason is shown beside the form, in plain words"
    );
    assert_eq!(
        tablet.value_of("#commitment input[name=what]").await?,
        "街道下周答复充电桩选址",
        "a refused form keeps what was typed"
    );
    assert!(
        tablet.count("body > .notice, .statusbar + .notice").await? == 0,
        "no notice at the top of the page for a form's refusal"
    );
    tablet
        .screenshot_of("moderator-commitment-refused", "#commitment")
        .await?;
    tablet.fill("#commitment input[name=responsible]", "街道城建科").await?;
    tablet.click("#commitment button[type=submit]").await?;
    wait_state(&base, &id, |s| s.commitments.len() == 1).await?;
    let started = Instant::now();
    while !tablet.value_of("#commitment input[name=what]").await?.is_empty() {
        anyhow::ensure!(started.elapsed() < Duration::from_secs(10), "the form was not emptied");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The end; the minutes are published once, then corrected with a reason.
    md.ok(Command::EndMeeting).await?;
    tablet
        .fill("#publish textarea[name=summary]", "讨论了充电桩选址")
        .await?;
    // A reload before publishing keeps the draft.
    tablet.client.refresh().await?;
    tablet.wait_text("已连接").await?;
    tablet.find("#publish textarea[name=summary]").await?;
    assert_eq!(
        tablet.value_of("#publish textarea[name=summary]").await?,
        "讨论了充电桩选址",
        "the summary draft survives a reload"
    );
    // Publishing asks first; the first time the moderator says no, and nothing is published.
    tablet.js("window.confirm = () => false; return true;").await?;
    tablet.click("#publish button[type=submit]").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(public_state(&base, &id).await?.publications.is_empty(), "cancelled");
    tablet.js("window.confirm = () => true; return true;").await?;
    tablet.click("#publish button[type=submit]").await?;
    tablet.wait_text("已公示第1版").await?;
    tablet.client.refresh().await?;
    tablet.wait_text("已公示第1版").await?;
    tablet.find("#start-correction").await?;
    assert_eq!(
        tablet.count("#publish").await?,
        0,
        "no empty form offering to publish again"
    );
    tablet.click("#start-correction").await?;
    assert_eq!(
        tablet.value_of("#publish textarea[name=summary]").await?,
        "讨论了充电桩选址",
        "a correction starts from the published summary"
    );
    tablet.js("window.confirm = () => true; return true;").await?;
    tablet
        .fill("#publish input[name=correction]", "补充王大爷的意见")
        .await?;
    tablet.click("#publish button[type=submit]").await?;
    tablet.wait_text("已公示第2版").await?;
    tablet.screenshot_of("moderator-published", ".publish-state").await?;
    let s = public_state(&base, &id).await?;
    assert_eq!(s.publications[1].reason.as_deref(), Some("补充王大爷的意见"));
    assert_eq!(s.publications[1].minutes.summary, "讨论了充电桩选址");

    let public = driver.browser("public", PHONE).await?;
    public.goto(&format!("{base}/m/{id}/minutes")).await?;
    public.wait_text("版本记录").await?;
    public.wait_text("补充王大爷的意见").await?;
    // Each opinion with its category and stance, as in the printed minutes.
    let shown = public.text().await?;
    assert!(
        shown.contains("基础设施") && shown.contains("反对 反对在东门建充电桩") && shown.contains("支持 支持建充电桩"),
        "{shown}"
    );
    public.screenshot("minutes-versions", PHONE).await?;
    for b in [rec, tablet, public] {
        b.close().await;
    }
    Ok(())
}

#[tokio::test]
async fn a_phone_notices_a_silent_drop_and_its_opinion_stays_with_its_topic() -> Result<()> {
    let server = TestServer::start().await;
    let proxy = FaultProxy::start(&server.base, Faults::default()).await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "七月坝坝会", &["停车", "路灯"]).await?;
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let projector = driver.browser("projector", PROJECTOR).await?;
    projector.goto(&m.created.projector_url).await?;
    projector.wait_text("七月坝坝会").await?;

    // The phone reaches the server through the courtyard's Wi-Fi (the proxy).
    let phone = driver.browser("phone", PHONE).await?;
    let join_url = m.created.join_url.replace(&base, &proxy.base);
    join_unnamed(&phone, &join_url, "孙阿姨").await?;
    phone.wait_text("已连接").await?;

    // The Wi-Fi goes silent: no close frame, nothing gets through.
    proxy.blackhole();
    let cut = Instant::now();
    phone.fill(".opinion-form textarea", "东门车位太少").await?;
    phone.click(".opinion-form button[type=submit]").await?;
    phone.click("button.hand").await?;
    phone.wait_until("连接中断", |t| t.contains("连接中断")).await?;
    let noticed = cut.elapsed();
    assert!(noticed < Duration::from_millis(10_500), "noticed after {noticed:?}");
    phone.wait_text("2 条待发送").await?;
    phone.wait_text("举手发言 · 待发送").await?;
    phone.wait_text("意见建议「东门车位太少」 · 待发送").await?;
    phone.screenshot("attendee-silent-drop", PHONE).await?;

    // Meanwhile the meeting moves on to topic 2.
    md.ok(Command::OpenTopic { topic: TopicId(2) }).await?;
    proxy.restore();
    // A handshake begun on the dead Wi-Fi is given up after ~10 s, then the
    // page tries again (with back-off): allow for both.
    if phone.wait_text("已连接").await.is_err() {
        phone.wait_text("已连接").await?;
    }
    wait_state(&base, &id, |s| s.opinions.len() == 1).await?;
    let s = public_state(&base, &id).await?;
    assert_eq!(
        (s.opinions[0].topic, s.opinions[0].late),
        (Some(TopicId(1)), true),
        "written under topic 1, it stays there, marked late"
    );
    assert!(
        s.queue.is_empty(),
        "the hand raised for topic 1 is not moved to topic 2"
    );
    phone.wait_text("你举手时的议题已经结束").await?;
    phone
        .wait_until("nothing left waiting", |t| !t.contains("待发送"))
        .await?;
    phone.screenshot("attendee-hand-dropped", PHONE).await?;
    eprintln!("silent drop noticed after {} ms", noticed.as_millis());

    // Raised again on topic 2: the projector shows 居民1, not the name, since she did not agree.
    phone.click("button.hand").await?;
    wait_state(&base, &id, |s| s.queue.len() == 1).await?;
    md.ok(Command::CallNext).await?;
    projector.wait_text("居民1").await?;
    let shown = projector.text().await?;
    assert!(
        !shown.contains("孙阿姨"),
        "the projector names only people who agreed: {shown}"
    );
    projector.screenshot("projector-unnamed-speaker", PROJECTOR).await?;
    // Nor does the state anyone with the meeting's id can fetch.
    let public = tests::http::anonymous_state(&base, &id).await?;
    assert_eq!(public.participants[0].name, None, "no name without consent");
    assert!(!serde_json::to_string(&public)?.contains("孙阿姨"));
    // The moderator, who calls people, sees the name.
    let tablet = driver.browser("moderator", TABLET).await?;
    tablet.goto(&m.created.moderator_url).await?;
    tablet.wait_text("孙阿姨").await?;
    let li = tablet.client.find_all(Locator::Css(".floor-name")).await?;
    anyhow::ensure!(!li.is_empty(), "the moderator sees who has the floor");
    for b in [phone, projector, tablet] {
        b.close().await;
    }
    Ok(())
}

/// The organiser link hands a device the key (and leaves the address bar
/// clean); with it the ledger can be written, and a resident's phone that
/// opens the same page is shown the record, not a form it could only be refused.
#[tokio::test]
async fn only_the_organisers_device_is_offered_the_ledger_forms() -> Result<()> {
    const KEY: &str = "the-organisers-key-1234";
    let server = TestServer::start_with(babahui::ServerConfig {
        organiser_key: Some(KEY.into()),
        ..babahui::ServerConfig::default()
    })
    .await;
    let base = server.base.clone();
    let entry = reqwest::Client::new()
        .post(format!("{base}/api/ledger"))
        .bearer_auth(KEY)
        .json(&serde_json::json!({"title": "3栋楼道灯不亮", "by": "网格员小刘"}))
        .send()
        .await?;
    assert_eq!(entry.status(), 201);
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };

    let phone = driver.browser("resident", PHONE).await?;
    phone.goto(&format!("{base}/ledger/1")).await?;
    phone.wait_text("3栋楼道灯不亮").await?;
    phone.wait_text("问题台账由社区组织者填写").await?;
    assert_eq!(phone.count("form.progress").await?, 0);
    phone.goto(&format!("{base}/")).await?;
    phone.wait_text("这台设备还不能创建会议").await?;

    let laptop = driver.browser("organiser", TABLET).await?;
    laptop.goto(&format!("{base}/#k={KEY}")).await?;
    laptop.find("#create-form").await?;
    let url = laptop.client.current_url().await?;
    assert!(
        url.fragment().is_none(),
        "the key is taken out of the address bar: {url}"
    );
    assert!(!laptop.text().await?.contains("这台设备还不能创建会议"));
    laptop.goto(&format!("{base}/ledger/1")).await?;
    laptop.find("form.progress").await?;
    laptop.fill("form.progress input[name=by]", "社区王主任").await?;
    laptop.fill("form.progress textarea[name=note]", "已报物业维修").await?;
    laptop.click("form.progress button[type=submit]").await?;
    laptop.wait_text("社区王主任（组织者）").await?;
    laptop.screenshot("ledger-entry-organiser", TABLET).await?;
    phone.screenshot("ledger-entry-resident", PHONE).await?;
    phone.close().await;
    laptop.close().await;
    Ok(())
}

/// An organiser on a 1366×768 laptop finds every meeting on the server — also
/// one made on another device — and gets its moderator and projector links
/// again (the old ones keep working); the three link cards are laid out as
/// cards (before, the projector page's own layout also applied to the
/// projector card: its QR code was pushed out and all three were 768 px tall).
#[tokio::test]
async fn the_organiser_finds_every_meeting_and_gets_its_links_again() -> Result<()> {
    const KEY: &str = "the-organisers-key-5678";
    let server = TestServer::start_with(babahui::ServerConfig {
        organiser_key: Some(KEY.into()),
        ..babahui::ServerConfig::default()
    })
    .await;
    let base = server.base.clone();
    let m = tests::http::create_meeting_as(
        &base,
        serde_json::json!({"title": "另一台电脑建的会", "agenda": [{"title": "绿化"}]}),
        Some(KEY),
    )
    .await?;
    // Without the key the links are not handed out.
    let refused = reqwest::Client::new()
        .post(format!("{base}/api/meetings/{}/screens", m.id()))
        .send()
        .await?;
    assert_eq!(refused.status(), 403);

    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let laptop = driver.browser("organiser", (1366, 768)).await?;
    laptop.goto(&format!("{base}/#k={KEY}")).await?;
    laptop.wait_text("本服务器上的其他会议").await?;
    laptop.wait_text("另一台电脑建的会").await?;
    laptop
        .click(&format!("li[data-meeting='{}'] .get-links", m.id()))
        .await?;
    laptop.find("#created").await?;
    let cards = laptop
        .js("return [...document.querySelectorAll('.link-card')].map(c => { \
               const r = c.getBoundingClientRect(); const q = c.querySelector('img').getBoundingClientRect(); \
               return [r.height, q.left >= r.left && q.right <= r.right + 1 && q.bottom <= r.bottom + 1]; });")
        .await?;
    for card in cards.as_array().unwrap() {
        assert!(card[0].as_f64().unwrap() < 500.0, "a link card is {card}");
        assert_eq!(card[1], true, "its QR code stays inside the card: {card}");
    }
    laptop.screenshots("organiser-links", (1366, 768)).await?;
    // The new moderator link runs the meeting; the old one still does too.
    let moderator_url = laptop
        .find(".link-card.moderator a.url")
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    assert_ne!(moderator_url, m.created.moderator_url);
    let tablet = driver.browser("moderator", TABLET).await?;
    tablet.goto(&moderator_url).await?;
    tablet.wait_text("已连接").await?;
    tests::WsClient::connect(&base, m.id(), &m.moderator, None).await?;
    for b in [laptop, tablet] {
        b.close().await;
    }
    Ok(())
}

/// What a walk through a whole meeting found on the screens, each now as the
/// record has it: the projector shows the vote an outcome cites (not a later
/// tie beside 表决通过); a tie between options says 平票; the tablet says when
/// hands counted outnumber the people recorded present; closing a topic or
/// ending the meeting with no outcome recorded asks first, naming the topics;
/// an old join link is said to be dead before anyone types; an empty objection
/// gets a word instead of nothing.
#[tokio::test]
async fn the_screens_agree_with_the_record() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "停车收费", &["车位", "绿化"]).await?;
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let mut phones = Vec::new();
    for name in ["甲", "乙"] {
        let j = tests::http::join(&base, &m, name, "居民").await?;
        phones.push(WsClient::connect(&base, &id, &j.token, None).await?);
    }
    let open = |question: &str, kind: VoteKind| Command::OpenVote {
        question: question.into(),
        kind,
        secret: false,
        rule: PassRule::Majority,
        quorum: None,
    };
    let agreed = VoteId(
        md.ok(open("同意收费吗？", VoteKind::YesNo))
            .await?
            .created
            .context("a vote")?,
    );
    for p in &mut phones {
        p.ok(Command::CastVote {
            vote: agreed,
            choice: 0,
            ballot_key: None,
        })
        .await?;
    }
    md.ok(Command::CloseVote { vote: agreed }).await?;
    let options = VoteKind::Choice(vec!["按月".into(), "按次".into()]);
    let how = VoteId(md.ok(open("怎样收费？", options)).await?.created.context("a vote")?);
    for (p, choice) in phones.iter_mut().zip([0, 1]) {
        p.ok(Command::CastVote {
            vote: how,
            choice,
            ballot_key: None,
        })
        .await?;
    }
    md.ok(Command::CountHands {
        vote: how,
        counts: vec![2, 2],
    })
    .await?;
    md.ok(Command::CloseVote { vote: how }).await?;
    md.ok(Command::SetOutcome {
        topic: TopicId(1),
        kind: OutcomeKind::Passed,
        text: "同意收费，方式再议".into(),
        dissent: None,
        vote: Some(agreed),
    })
    .await?;
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };

    let projector = driver.browser("projector", PROJECTOR).await?;
    projector.goto(&m.created.projector_url).await?;
    projector.wait_text("同意收费，方式再议").await?;
    let shown = projector.find(".pj-vote").await?.text().await?;
    assert!(
        shown.contains("同意收费吗？") && !shown.contains("怎样收费？"),
        "the projector shows the vote the outcome cites: {shown}"
    );
    projector.screenshot("record-projector-cited-vote", PROJECTOR).await?;

    let tablet = driver.browser("tablet", TABLET).await?;
    tablet.goto(&m.created.moderator_url).await?;
    tablet.wait_text("平票，未形成多数").await?;
    let warning = tablet.find(".votes-exceed").await?.text().await?;
    assert!(warning.contains('6') && warning.contains('2'), "{warning}");
    tablet.screenshot_of("record-votes-exceed", ".decisions").await?;
    md.ok(Command::CloseTopic).await?;
    md.ok(Command::OpenTopic { topic: TopicId(2) }).await?;
    tablet.wait_text("绿化").await?;
    tablet
        .js("window.__asked = null; window.confirm = (m) => { window.__asked = m; return false; }; return true;")
        .await?;
    // Clicked as a finger would: on the button itself (a driver's click scrolls it
    // under the sticky live bar).
    tablet
        .js("[...document.querySelectorAll('button')].find(b => b.textContent.trim() == '结束议题').click(); return true;")
        .await?;
    let asked = tablet.js("return window.__asked;").await?;
    assert!(
        asked.as_str().is_some_and(|a| a.contains("还没有记录协商结果")),
        "closing a topic without an outcome asks first: {asked}"
    );
    let state = public_state(&base, &id).await?;
    assert_eq!(state.current_topic, Some(TopicId(2)), "refused: the topic stays open");
    tablet
        .js("document.querySelector('#end-meeting').click(); return true;")
        .await?;
    let asked = tablet.js("return window.__asked;").await?;
    assert!(
        asked
            .as_str()
            .is_some_and(|a| a.contains("「绿化」") && !a.contains("「车位」")),
        "ending names the topics without an outcome: {asked}"
    );

    let phone = driver.browser("phone", PHONE).await?;
    phone.goto(&format!("{base}/m/{id}?i=wrong123")).await?;
    // (The page the server draws says so too: `phone_forms`.)
    phone.app_ready().await?;
    let dead = phone.find(".link-dead").await?.text().await?;
    assert!(dead.contains("失效"), "{dead}");
    // The page the server drew first has handed over to the application, and a
    // dead link offers no form that could only fail.
    assert_eq!(phone.count("#loading").await?, 0);
    let form_shown = phone
        .js("const f = document.querySelector('main form'); return !!f && f.offsetParent !== null;")
        .await?;
    assert_eq!(form_shown.as_bool(), Some(false), "no join form under a dead link");
    phone.screenshot("record-join-link-dead", PHONE).await?;
    md.ok(Command::EndMeeting).await?;
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: String::new(),
        notice_days: Some(5),
    })
    .await?;
    // After the end the projector shows everything decided: nothing pushed off
    // the side of the screen.
    projector.wait_text("同意收费，方式再议").await?;
    projector.screenshot("record-projector-closing", PROJECTOR).await?;
    let fits = projector
        .js("return [...document.querySelectorAll('.pj-closing *')].every(e => e.getBoundingClientRect().right <= window.innerWidth + 1);")
        .await?;
    assert_eq!(fits.as_bool(), Some(true), "the closing screen fits across");
    phone.goto(&format!("{base}/m/{id}/minutes")).await?;
    phone.click("#objection button[type=submit]").await?;
    phone.wait_text("请先写下异议的内容").await?;
    phone.fill("#objection textarea", "漏记了按次收费的意见").await?;
    phone.click("#objection button[type=submit]").await?;
    phone.find(".objection-filed").await?;
    phone.wait_text("漏记了按次收费的意见").await?;
    let minutes = phone.text().await?;
    assert!(minutes.contains("某次表决共6票"), "the minutes page says it too");
    for b in [projector, tablet, phone] {
        b.close().await;
    }
    Ok(())
}
